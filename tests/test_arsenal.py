"""The munitions model: estimates, the production ratio, stock conservation, ramps, scenario
validation. Expected values are worked out by hand from the published rows or written-out
arithmetic, never taken from the code's output."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from milex.arsenal.model import (
    apply_ramps,
    lasts_days,
    months,
    overtake,
    ramp_share,
    simulate,
)
from milex.arsenal.model import munitions as run
from milex.arsenal.ratio import ratio
from milex.arsenal.scenario import Ramp, load, parse
from milex.errors import DataFileError, InputError
from tests.test_cli import run as run_cli


def scenario(actors: dict, **top) -> object:
    return parse({"name": "test", "start": "2024-01", "until": "2024-04", "draws": 20,
                  "actors": actors, **top}, "test.toml")  # fmt: skip


def test_stock_conservation_each_month_by_hand(store):
    # start 1,000,000; capacity 1,200,000/yr = 100,000/month; imports 50,000/month;
    # consumption 10,000/day; transfers 20,000/month.
    # Jan (31 d): 1,000,000 + 100,000 + 50,000 - 310,000 - 20,000 = 820,000
    # Feb (29 d, 2024 leap): 820,000 + 150,000 - 290,000 - 20,000 = 660,000
    # Mar (31 d): 660,000 + 150,000 - 310,000 - 20,000 = 480,000
    # Apr (30 d): 480,000 + 150,000 - 300,000 - 20,000 = 310,000
    plan = {"capacity": 1_200_000, "start_stock": 1_000_000, "flows": [
        {"kind": "import", "start": "2024-01", "end": "2024-12", "per_month": 50_000,
         "counterpart": "PRK", "source": "t"},
        {"kind": "consumption", "start": "2024-01", "end": "2024-12", "per_day": 10_000,
         "source": "t"},
        {"kind": "transfer", "start": "2024-01", "end": "2024-12", "per_month": 20_000,
         "counterpart": "IRN", "source": "t"}]}  # fmt: skip
    result = simulate(store, scenario({"RUS": plan}))
    frame = result.frame
    assert frame["stock"].tolist() == [820_000, 660_000, 480_000, 310_000]
    assert frame["shortfall"].tolist() == [0, 0, 0, 0]
    assert frame["consumption"].tolist() == [310_000, 290_000, 310_000, 300_000]
    flows = frame["production"] + frame["imports"] - frame["consumption"] - frame["transfers"]
    assert np.allclose(1_000_000 + flows.cumsum() + frame["shortfall"].cumsum(), frame["stock"])


def test_a_shortfall_is_reported_and_the_stock_never_negative(store):
    # start 100,000; no production; 60,000/day: Jan demand 60,000 * 31 = 1,860,000, so the
    # shortfall is 1,860,000 - 100,000 = 1,760,000 and the stock 0; Feb 60,000 * 29 = 1,740,000.
    plan = {"capacity": 0, "start_stock": 100_000, "flows": [
        {"kind": "consumption", "start": "2024-01", "end": "2024-02", "per_day": 60_000,
         "source": "t"}]}  # fmt: skip
    result = simulate(store, scenario({"UKR": plan}))
    frame = result.frame
    assert (frame["stock"] >= 0).all()
    assert frame["shortfall"].tolist()[:2] == [1_760_000, 1_740_000]
    assert frame["stock"].tolist() == [0, 0, 0, 0]
    assert result.extra["runs_out"]["UKR"] == "2024-01"
    assert any("runs out in 2024-01" in n and "3,500,000" in n for n in result.notes)


def test_stock_lasts_days():
    # 1,200,000 rounds at 60,000 a day: 1,200,000 / 60,000 = 20 days
    assert lasts_days(1_200_000, 60_000) == 20
    assert lasts_days(1_200_000, 0) == math.inf


@pytest.mark.parametrize("shape", ["linear", "logistic"])
def test_a_ramp_reaches_its_target_at_its_date(shape):
    span = months("2024-01", "2026-12")
    ramp = Ramp(start="2024-07", end="2025-12", target=2_000_000, shape=shape, source="t")
    cap = apply_ramps(span, np.full((1, len(span)), 500_000.0), [ramp])[0]
    at = list(span.astype(str))
    assert cap[at.index("2024-06")] == 500_000  # before its start: unchanged
    assert cap[at.index("2024-07")] == pytest.approx(500_000, abs=1e-6)
    assert cap[at.index("2025-12")] == pytest.approx(2_000_000, rel=1e-9)
    assert cap[at.index("2025-11")] < 2_000_000 * (1 - 1e-4)  # not there a month early
    assert cap[at.index("2025-12") :] == pytest.approx(2_000_000, rel=1e-9)
    assert np.all(np.diff(cap) >= -1e-9)


def test_linear_and_logistic_halfway():
    # linear: half way at x = 0.5; logistic (symmetric): also 0.5 at mid-ramp, but only 0.0xx
    # at a quarter of the way, where linear is 0.25
    assert ramp_share(np.array([0.5]), "linear")[0] == 0.5
    assert ramp_share(np.array([0.5]), "logistic")[0] == pytest.approx(0.5)
    assert ramp_share(np.array([0.25]), "logistic")[0] < 0.1


def test_monthly_sums_equal_annual_figures(store):
    # USA: 1,200,000 a year, ramped linearly from 2024-07 to 1,800,000 at 2024-10, then held:
    #   Jan-Jul 7 months at 1,200,000/12 = 100,000 -> 700,000
    #   Aug 1,400,000/12, Sep 1,600,000/12, Oct-Dec 3 * 1,800,000/12 -> (1.4 + 1.6 + 5.4) m / 12
    #   = 8,400,000 / 12 = 700,000; year 1,400,000
    # imports 600,000 per year from PRK = 50,000 a month; consumption 1,000 a day, 2024 has
    # 366 days -> 366,000
    # NATO_EUROPE: 600,000 a year -> 600,000; NATO = USA + NATO_EUROPE = 2,000,000
    usa = {"capacity": 1_200_000,
           "ramps": [{"start": "2024-07", "end": "2024-10", "target": 1_800_000,
                      "source": "t"}],
           "flows": [{"kind": "import", "start": "2024-01", "end": "2024-12",
                      "per_year": 600_000, "counterpart": "PRK", "source": "t"},
                     {"kind": "consumption", "start": "2024-01", "end": "2024-12",
                      "per_day": 1_000, "source": "t"}]}  # fmt: skip
    europe = {"capacity": 600_000}
    result = simulate(store, scenario({"USA": usa, "NATO_EUROPE": europe}, until="2024-12"))
    annual = result.extra["annual"].set_index(["actor", "year"])
    assert annual.loc[("USA", 2024), "production"] == pytest.approx(1_400_000)
    assert annual.loc[("USA", 2024), "imports"] == pytest.approx(600_000)
    assert annual.loc[("USA", 2024), "consumption"] == pytest.approx(366_000)
    assert annual.loc[("NATO_EUROPE", 2024), "production"] == pytest.approx(600_000)
    assert annual.loc[("NATO", 2024), "production"] == pytest.approx(2_000_000)
    usa_rows = result.frame[result.frame["actor"] == "USA"]
    assert usa_rows["production"].sum() == pytest.approx(1_400_000)
    # stock at the year's end: 1,400,000 + 600,000 - 366,000 = 1,634,000
    assert annual.loc[("USA", 2024), "stock"] == pytest.approx(1_634_000)


def test_transfers_link_actors_and_conserve_rounds(store):
    # USA (start 1,000,000; makes 120,000 a year = 10,000 a month) sends UKR 30,000 a month
    # (declared as UKR's import from USA); UKR (start 0, no production) fires 500 a day.
    # USA: 1,000,000 + 4 * 10,000 - 4 * 30,000 = 920,000 at end-April
    # UKR: 4 * 30,000 - 500 * (31 + 29 + 31 + 30 = 121) = 120,000 - 60,500 = 59,500
    # total change 920,000 + 59,500 - 1,000,000 = -20,500
    #   = production 40,000 - consumption 60,500 (closed system)
    usa = {"capacity": 120_000, "start_stock": 1_000_000}
    ukr = {"capacity": 0, "flows": [
        {"kind": "import", "counterpart": "USA", "start": "2024-01", "end": "2024-12",
         "per_month": 30_000, "source": "t"},
        {"kind": "consumption", "start": "2024-01", "end": "2024-12", "per_day": 500,
         "source": "t"}]}  # fmt: skip
    frame = simulate(store, scenario({"USA": usa, "UKR": ukr})).frame.set_index("actor")
    assert frame.loc["USA", "transfers"].tolist() == [30_000] * 4
    assert frame.loc["UKR", "imports"].tolist() == [30_000] * 4
    assert frame.loc["USA", "stock"].iloc[-1] == pytest.approx(920_000)
    assert frame.loc["UKR", "stock"].iloc[-1] == pytest.approx(59_500)
    assert frame.loc["USA", "stock"].iloc[-1] + frame.loc["UKR", "stock"].iloc[-1] == (
        pytest.approx(1_000_000 + 40_000 - 60_500)
    )
    # a sender without the rounds: USA start 0, 0 production, sends 30,000 in Jan -> its
    # shortfall is 30,000 (reported), its stock stays 0, UKR still gets 30,000
    poor = simulate(store, scenario({"USA": {"capacity": 0}, "UKR": ukr}, until="2024-01"))
    rows = poor.frame.set_index("actor")
    assert rows.loc["USA", "shortfall"] == 30_000 and rows.loc["USA", "stock"] == 0
    assert poor.extra["runs_out"]["USA"] == "2024-01"


def test_counterpart_must_be_known(store):
    ukr = {"flows": [{"kind": "import", "counterpart": "USA+EU", "start": "2024-01",
                      "end": "2024-02", "per_month": 1, "source": "t"}]}  # fmt: skip
    with pytest.raises(DataFileError, match=r"actors.UKR.flows\[0\].counterpart: 'USA\+EU'"):
        scenario({"UKR": ukr})
    with pytest.raises(DataFileError, match="needs a counterpart"):
        scenario({"UKR": {"flows": [{**ukr["flows"][0], "counterpart": ""}]}})


def test_how_long_a_stock_lasts(store):
    # start 1,000,000; consumption 10,000 a day; production 62,000 a month (744,000 a year):
    # Jan drain 310,000 - 62,000 = 248,000 in 31 days = 8,000 a day: 1,000,000 / 8,000 = 125
    # days, 1,000,000 / 248,000 = 4.032 months
    plan = {"capacity": 744_000, "start_stock": 1_000_000, "flows": [
        {"kind": "consumption", "start": "2024-01", "end": "2024-12", "per_day": 10_000,
         "source": "t"}]}  # fmt: skip
    lasts = simulate(store, scenario({"RUS": plan, "USA": {"capacity": 1}})).extra["lasts"]
    assert lasts["RUS"]["days"] == pytest.approx(125)
    assert lasts["RUS"]["months"] == pytest.approx(1_000_000 / 248_000)
    assert lasts["USA"]["status"] == "does not run out"


def test_no_back_fill_before_the_first_estimate(store):
    # USA's first production row is of 2022 (14,500 a month): 2021 is missing, not back-filled
    result = simulate(store, scenario({"USA": {}}, start="2021-11", until="2022-02"))
    cap = result.frame["capacity"].tolist()
    assert math.isnan(cap[0]) and math.isnan(cap[1])
    assert cap[2] == pytest.approx(14_500 * 12)
    assert any("not back-filled" in n for n in result.notes)


def test_time_to_overtake_by_hand():
    # A holds 1,200,000/yr; B ramps linearly from 600,000 (Jan 2025) to 1,800,000 (Jan 2026):
    # 600,000 + 100,000 * m after m months; equal to A at m = 6 (Jul 2025), above it from
    # m = 7: Aug 2025.
    span = months("2025-01", "2026-06")
    ramp = Ramp(start="2025-01", end="2026-01", target=1_800_000, source="t")
    b = apply_ramps(span, np.full((1, len(span)), 600_000.0), [ramp])[0]
    a = np.full(len(span), 1_200_000.0)
    assert overtake(span, b, a) == {"month": "2025-08", "status": "overtakes"}
    assert overtake(span, a, b)["status"] == "ahead at start"
    assert overtake(span, a * 0, b)["status"] == "not within the scenario"


def test_ratio_rus_nato_2024_by_hand(store):
    # Russia 2024, rounds/year, one figure per source:
    #   Lithuanian MoD Kasciunas (152mm only)  2,000,000
    #   RUSI planned 1,300,000 (152mm) + 800,000 (122mm) = 2,100,000
    #   NATO intelligence via CNN: 250,000/month * 12 = 3,000,000 = its "3 million a year"
    #   Estonian intelligence 4,500,000; Bain for Sky News 4,500,000
    #   low 2,000,000, median of (2.0, 2.1, 3.0, 4.5, 4.5) m = 3,000,000, high 4,500,000
    # NATO = USA + NATO_EUROPE:
    #   USA: 18,000 * 12 = 216,000 (complete rounds); 350,000 (Kasciunas); 40,000 * 12 =
    #   480,000 (projectiles): low 216,000, central 350,000, high 480,000
    #   NATO_EUROPE: 600,000 (Kasciunas)
    #   NATO low 816,000, central 950,000, high 1,080,000
    # ratio low 2,000,000 / 1,080,000 = 1.85185; central 3,000,000 / 950,000 = 3.15789;
    # high 4,500,000 / 816,000 = 5.51471; months 12 / ratio: 3.8 (2.18 to 6.48)
    result = ratio(store, "RUS", "NATO", 2024)
    rows = result.frame.set_index("side")
    assert rows.loc["a", ["low", "central", "high"]].tolist() == [2_000_000, 3_000_000, 4_500_000]
    assert rows.loc["b", ["low", "central", "high"]].tolist() == [816_000, 950_000, 1_080_000]
    assert rows.loc["ratio", "low"] == pytest.approx(2_000_000 / 1_080_000, rel=1e-9)
    assert rows.loc["ratio", "central"] == pytest.approx(3_000_000 / 950_000, rel=1e-9)
    assert rows.loc["ratio", "high"] == pytest.approx(4_500_000 / 816_000, rel=1e-9)
    assert rows.loc["months", "central"] == pytest.approx(12 * 950_000 / 3_000_000, rel=1e-9)
    assert "between 1.9 and 5.5 times" in result.notes[0]
    assert "about 3.8 months" in result.notes[0]
    cites = " ".join(result.sources["cite"])
    for who in ("Estonian", "Bain", "RUSI", "NATO intelligence", "Pentagon", "Kasčiūnas"):
        assert who in cites
    assert "refurbish" in " ".join(result.caveats)
    assert "projectiles" in " ".join(result.caveats)
    assert result.units["central"] == "rounds/year"
    result.to_json()


def test_ratio_2025_carries_russias_2024_estimates_and_shows_rutte(store):
    # Russia 2025: no 2025 estimate (only the Sep 2023 forecast of 2,000,000, not used): the
    # five 2024 estimates are carried: low 2,000,000, central 3,000,000, high 4,500,000.
    # NATO 2025: USA 40,000 * 12 = 480,000 (Reim, Jun 2025; low = central = high);
    #   NATO_EUROPE: Rutte's 2,000,000 is a year-end target, so 2024's 600,000 is carried as
    #   low and central, the target is the high end: 600,000 / 600,000 / 2,000,000.
    #   NATO: low 1,080,000, central 1,080,000, high 2,480,000
    # ratio low 2,000,000 / 2,480,000 = 0.80645; central 3,000,000 / 1,080,000 = 2.77778;
    # high 4,500,000 / 1,080,000 = 4.16667; months 12 / 2.77778 = 4.32 (2.88 to 14.88)
    result = ratio(store, "RUS", "NATO", 2025)
    rows = result.frame.set_index("side")
    assert rows.loc["a", ["low", "central", "high"]].tolist() == [2_000_000, 3_000_000, 4_500_000]
    assert rows.loc["b", ["low", "central", "high"]].tolist() == [1_080_000, 1_080_000, 2_480_000]
    assert rows.loc["ratio", "low"] == pytest.approx(2_000_000 / 2_480_000)
    assert rows.loc["ratio", "central"] == pytest.approx(3_000_000 / 1_080_000)
    assert rows.loc["ratio", "high"] == pytest.approx(4_500_000 / 1_080_000)
    assert rows.loc["months", ["low", "central", "high"]].tolist() == pytest.approx(
        [2.88, 4.32, 14.88]
    )
    assert any("carried forward" in n for n in result.notes)
    assert any("forecast for 2025" in n and "not used" in n for n in result.notes)
    assert any("year-end target" in n for n in result.notes)
    assert any("year-end target" in c for c in result.caveats)
    assert any("12, 4" in n for n in result.notes)


def test_ratio_refuses_years_far_beyond_the_data(store):
    # last published: RUS 2025 (forecast), USA 2025, NATO_EUROPE 2025 -> up to 2027
    assert ratio(store, "RUS", "NATO", 2027).frame is not None
    with pytest.raises(InputError, match="give a year up to 2027"):
        ratio(store, "RUS", "NATO", 2100)


def test_scenario_level_errors_name_their_key(tmp_path):
    with pytest.raises(DataFileError, match=r"test.toml: actors: .*at least 1"):
        scenario({})
    with pytest.raises(DataFileError, match=r"test.toml: until: dates out of order"):
        scenario({"RUS": {}}, until="2023-01")
    with pytest.raises(DataFileError, match=r"test.toml: pairs\[0\]: unknown actor 'XX'"):
        scenario({"RUS": {}}, pairs=[["RUS", "XX"]])
    with pytest.raises(InputError, match="empty name"):
        load("")


def test_ratio_refuses_unknown_actor_and_missing_estimates(store):
    with pytest.raises(InputError, match="unknown munitions actor 'XYZ'"):
        ratio(store, "XYZ", "NATO", 2024)
    with pytest.raises(InputError, match="no production estimate of UKR"):
        ratio(store, "RUS", "UKR", 2024)


def test_default_scenario_runs_with_every_number_cited(store):
    result = run(store, "default", until=2026)
    assert result.kind == "munitions"
    assert result.frame["month"].iloc[-1] == "2026-12"
    assert set(result.frame["actor"]) >= {"RUS", "USA", "NATO_EUROPE", "NATO", "EU", "UKR"}
    assert (result.frame["stock"] >= 0).all()
    assert (result.frame["capacity_low"] <= result.frame["capacity_high"]).all()
    assert not result.sources["cite"].isna().any()
    assert any("assumption" in n for n in result.notes)
    result.to_json()


def _write(tmp_path, text):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nstart = "2024-01"\nuntil = "2025-12"\n' + text)
    return path


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("[actors.XYZ]\n", "actors.XYZ", "unknown actor 'XYZ'"),
        ("[actors.RUS]\ncapacity = -5\n", "actors.RUS.capacity", "greater than or equal to 0"),
        ('[actors.RUS]\n[[actors.RUS.ramps]]\nstart = "2025-06"\nend = "2025-01"\n'
         'target = 1\nsource = "s"\n', "actors.RUS.ramps[0]", "dates out of order"),
        ("[actors.RUS]\ncapcity = 5\n", "actors.RUS.capcity", "unknown key"),
        ('[actors.RUS]\nstart_stock = "many"\n', "actors.RUS.start_stock", "valid"),
        ("draws = 1.5\n[actors.RUS]\n", "draws", "integer"),
    ],
)  # fmt: skip
def test_scenario_errors_name_the_file_and_key(tmp_path, text, key, message):
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        load(path)
    assert str(path) in str(caught.value)
    assert f"{key}:" in str(caught.value)
    assert message in str(caught.value)


def test_scenario_until_before_start_and_missing_file(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('name = "x"\nstart = "2025-01"\nuntil = "2024-12"\n[actors.RUS]\n')
    with pytest.raises(DataFileError, match="dates out of order"):
        load(path)
    with pytest.raises(InputError, match="no scenario 'nosuch'"):
        load("nosuch")
    with pytest.raises(InputError, match="does not exist"):
        load(tmp_path / "absent.toml")


def test_bands_are_seeded(store):
    first = run(store, "default", until=2025).frame
    second = run(store, "default", until=2025).frame
    pd.testing.assert_frame_equal(first, second)


# ----------------------------------------------------------------- the command line


def test_cli_ratio_prints_the_range_and_the_months(capsys):
    # RUS 2024: five estimates, 2.0 m (Kasciunas, 152mm) to 4.5 m (Estonian intelligence, Bain),
    # median 3.0 m (NATO via CNN); NATO = USA + Europe: 216,000 + 600,000 = 816,000 low,
    # 480,000 + 600,000 = 1,080,000 high. Ratio 2.0 m / 1,080,000 = 1.85 to 4.5 m / 816,000 =
    # 5.51; months 12 / 5.51 = 2.2 to 12 / 1.85 = 6.5.
    code, out, err = run_cli(capsys, "munitions", "ratio", "RUS", "NATO", "--year", "2024")
    assert code == 0, err
    assert "2,000,000" in out and "4,500,000" in out
    assert "816,000" in out and "1,080,000" in out
    assert "between 1.9 and 5.5 times NATO's" in out
    assert "(2.2 to 6.5)" in out
    assert "Source: Estonian Foreign Intelligence Service" in out


def test_cli_ratio_json_is_the_result_envelope(capsys):
    import json

    code, out, _ = run_cli(capsys, "munitions", "ratio", "--year", "2024", "--format", "json")
    envelope = json.loads(out)
    assert code == 0 and envelope["schema"] == "milex.munitions_ratio.v1"
    ratio_row = next(r for r in envelope["rows"] if r["side"] == "ratio")
    assert ratio_row["low"] == pytest.approx(2_000_000 / 1_080_000)
    assert ratio_row["high"] == pytest.approx(4_500_000 / 816_000)
    assert envelope["sources"], "every estimate is cited"


def test_cli_scenario_year_by_year(capsys):
    # NATO_EUROPE 2024: 600,000 rounds (Kasciunas), held over the year = 600 thousand.
    code, out, err = run_cli(capsys, "munitions", "--until", "2025")
    assert code == 0, err
    row = next(line for line in out.splitlines() if "NATO_EUROPE" in line and "2024" in line)
    assert " 600 " in row
    assert "2026" not in out.split("Stock at the end")[0], "--until 2025 stops in December 2025"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["munitions", "ratio", "RUS", "ZZZ"], "unknown munitions actor 'ZZZ'"),
        (["munitions", "ratio", "RUS", "RUS"], "two different actors"),
        (["munitions", "ratio", "--year", "0"], "invalid years"),
        (["munitions", "--scenario", "/nonexistent/x.toml"], "does not exist"),
        (["munitions", "--until", "1800"], "invalid years"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(capsys, args, message):
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("until", [2023, 2051])
def test_until_outside_the_scenario_start_to_2050_is_refused(store, until):
    # the default scenario starts in 2024-01; the model runs to 2050 at most
    with pytest.raises(InputError, match="from the scenario's start \\(2024\\) to 2050"):
        run(store, "default", until)


@pytest.mark.parametrize("name", ["x" * 5000, "x" * 5000 + ".toml", "bad\x00name.toml"])
def test_a_scenario_name_the_system_cannot_look_up_is_refused(name):
    # a 5,000-character name is longer than any file name may be (ENAMETOOLONG); a NUL byte
    # cannot be in a path at all
    with pytest.raises(InputError, match="scenario"):
        load(name)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [(0, True), (1_000_000_000, True), (-0.5, False), (1_000_000_001, False)],
)
def test_a_parameter_changes_to_a_number_from_0_to_a_billion(value, accepted):
    """The ends of the range a scenario parameter may take are both accepted, a hair past
    either is refused in one line."""
    key = "actors.RUS.flows.0.per_day"
    if accepted:
        changed = load("default", {key: value})
        assert changed.actors["RUS"].flows[0].per_day == value
    else:
        with pytest.raises(InputError, match=f"changes: {key} = "):
            load("default", {key: value})
