"""The commitment commands: gap, path, pledges and simulate, as a user runs them."""

from __future__ import annotations

import json

import pytest

from .test_cli import run

# Germany: NATO 2026 edition, 2026 estimate EUR 124,660 m; at 2021 prices USD 119,159 m of a GDP
# of USD 4,422,594 m (Table 5): GDP in EUR behind the figure = 124,660 * 4,422,594 / 119,159.
DEU_2026_GDP = 124660 * 4422594 / 119159
# IMF WEO April 2026 (the newest embedded outlook; /work/shared/data/imf_weo_apr2026.csv),
# Germany: real GDP growth (%) and GDP deflator index.
DEU_GROWTH = {2027: 1.183, 2028: 1.196, 2029: 0.944}
DEU_DEFLATOR = {2026: 127.11, 2027: 130.285, 2028: 133.137, 2029: 136.14}


def deu_gdp(year: int) -> float:
    """Germany's nominal GDP (EUR m) grown from NATO's 2026 figure with the WEO to ``year``."""
    gdp = DEU_2026_GDP
    for y in range(2027, year + 1):
        gdp *= (1 + DEU_GROWTH[y] / 100) * DEU_DEFLATOR[y] / DEU_DEFLATOR[y - 1]
    return gdp


def test_gap_json_for_a_group(capsys):
    code, out, _ = run(
        capsys, "gap", "--target", "3.5", "--year", "2024", "--group", "baltics", "--format", "json"
    )
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "milex.gap.v1"
    rows = {r["iso3"]: r for r in doc["rows"]}
    assert set(rows) == {"EST", "LVA", "LTU", "baltics"}
    assert rows["EST"]["gap_pp"] == pytest.approx(0.19)
    assert doc["units"]["gap_eur_current"] == "EUR million current"
    assert doc["sources"] and doc["eur_per_usd"]["current"] == pytest.approx(86638 / 93747)


def test_gap_table_in_euro(capsys):
    code, out, _ = run(capsys, "gap", "--target", "3.5", "--year", "2024", "--currency", "EUR")
    assert code == 0
    assert "Gap to 3.5% of GDP in 2024" in out and "EUR billion" in out
    assert "Belgium" in out and "Not shown: ISL" in out


def test_path_germany(capsys):
    code, out, _ = run(capsys, "path", "DEU", "--target", "3.5", "--by", "2029")
    assert code == 0
    assert "Germany: linear path to 3.5% of GDP by 2029" in out
    # 3.5% of Germany's projected 2029 GDP, EUR billion: 3.5% of 5,121,943 m = 179.3 bn
    assert deu_gdp(2029) == pytest.approx(5121943, abs=1)
    assert f"{3.5 / 100 * deu_gdp(2029) / 1000:.1f} bn" in out
    assert "179.3 bn" in out
    # the caption states the scale once, in billion, and the price base of "Constant"
    assert "Money in EUR billion" in out and "EUR million" not in out
    assert "constant 2026 prices" in out
    assert "IMF WEO 2026-04" in out


def test_path_group_csv(capsys):
    code, out, _ = run(
        capsys, "path", "europe-canada", "--target", "3.5", "--by", "2035", "--format", "csv"
    )
    lines = out.strip().splitlines()
    assert code == 0 and lines[0].startswith("iso3,year,method,share_gdp")
    assert len(lines) == 1 + len(range(2026, 2036))


def test_pledges_germany(capsys):
    code, out, _ = run(capsys, "pledges", "Duitsland", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    flagged = [r for r in doc["rows"] if r["adds_up"] is False]
    assert any("153 bn EUR" in r["flag"] for r in flagged)
    assert all(r["source"] and r["iso3"] == "DEU" for r in doc["rows"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gap", "--target", "0.035"], "not 0.035"),
        (["gap", "--group", "benelux"], "unknown group 'benelux'"),
        (["path", "DEU", "--by", "2020"], "not after the base year"),
        (["path", "Narnia", "--by", "2030"], "unknown country 'Narnia'"),
        (["pledges", "Iceland"], "no pledges recorded for ISL"),
        (["simulate", "DEU", "--by", "2029", "--draws", "0"], "draws"),
        (
            ["simulate", "europe-canada", "--by", "2030", "--amounts", "2027=1"],
            "amounts are one country's plan, not a group's",
        ),
        (["pledges", "baltics"], "takes one country, not"),
        (["show", "nato"], "takes one country, not 'nato'"),
        (["status", "--vintage", "all"], "vintage 'all' mixes editions"),
        (["gap", "--vintage", "all"], "vintage 'all' mixes editions"),
        (["path", "DEU", "--by", "99999"], "target year 99999 is out of range"),
        (["simulate", "DEU", "--by", "2030", "--draws", "1000000000"], "more than milex runs"),
        (["show", "DEU", "--years", "2014-"], "invalid years '2014-'"),
        (["gap", "--currency", "JPY"], "'JPY' is not one of"),
        (["path", "DEU", "--by", "2035", "--growth-after", "-150"], "out of range"),
        (["path", "DEU", "--by", "2035", "--inflation-after", "-100"], "out of range"),
        (
            ["simulate", "DEU", "--by", "2029", "--amounts", "2027:5"],
            "Invalid value for '--amounts'",
        ),
        (["simulate", "DEU", "--by", "2029", "--amounts", "2027=5"], "amounts missing for 2028"),
    ],
)
def test_bad_input_is_one_line(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_gap_to_five_percent_warns_that_core_figures_cannot_show_it(capsys):
    code, out, _ = run(capsys, "gap", "--target", "hague-5", "--year", "2026", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and any("1.5%" in caveat for caveat in doc["caveats"])
    code, out, _ = run(capsys, "gap", "--target", "hague-3.5", "--year", "2026", "--format", "json")
    assert json.loads(out)["caveats"] == []


def test_pledges_cite_their_gdp_sources(capsys):
    """Poland's plans fall in years NATO has figures for; Germany's 2029 needs the IMF outlook."""
    code, out, _ = run(capsys, "pledges", "POL", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert {s["source"] for s in doc["sources"]} == {"nato"}
    assert [r["target_year"] for r in doc["rows"]] == [2025, 2026]
    code, out, _ = run(capsys, "pledges", "DEU", "--format", "json")
    assert {s["source"] for s in json.loads(out)["sources"]} == {"nato", "weo"}


def test_group_without_money_figures_is_missing_not_zero(capsys):
    """The 2025 edition is embedded without money tables: the Baltic total has no gap in USD."""
    code, out, _ = run(
        capsys,
        "gap",
        "--vintage",
        "2025-08",
        "--year",
        "2025",
        "--group",
        "baltics",
        "--format",
        "json",
    )
    doc = json.loads(out)
    total = doc["rows"][-1]
    assert code == 0 and total["iso3"] == "baltics"
    assert total["gap_usd_current"] is None and total["spend_usd_current"] is None
    assert "gap_usd_current" in doc["column_notes"]
    code, out, _ = run(capsys, "gap", "--vintage", "2025-08", "--year", "2025", "--format", "json")
    assert "Only part of the 2025 edition" in json.loads(out)["missing"]["DNK"]


def test_path_of_an_aggregate_is_its_group(capsys):
    code, out, _ = run(capsys, "path", "NATO_TOTAL", "--by", "2030", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["name"] == "NATO" and "USA" in doc["members"]


def test_show_marks_imf_projections(capsys):
    code, out, _ = run(
        capsys, "show", "DEU", "-i", "gdp_real_growth", "--source", "weo", "--years", "2024-2026"
    )
    assert code == 0
    assert "0.92p" in out and "-0.23p" not in out  # 2024 is an IMF actual, 2026 a projection


def test_path_from_an_earlier_base_year(capsys):
    """--base-year 2025 starts from NATO's 2025 estimate for Germany (2026 edition): EUR 99,298 m,
    USD 97,441 m of a GDP of USD 4,393,771 m at 2021 prices, so 2.2177% of a GDP of
    99,298 * 4,393,771 / 97,441 = EUR 4,477,506 m; the share then rises evenly to 3.5% in 2029,
    GDP growing with the April 2026 WEO (2025 deflator 123.842, 2026 real growth 0.791%)."""
    code, out, _ = run(
        capsys,
        "path",
        "DEU",
        "--target",
        "3.5",
        "--by",
        "2029",
        "--base-year",
        "2025",
        "-f",
        "json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["query"]["base_year"] == 2025
    rows = {r["year"]: r for r in doc["rows"]}
    assert sorted(rows) == [2025, 2026, 2027, 2028, 2029]
    share_2025 = 100 * 97441 / 4393771
    gdp = {2025: 99298 * 4393771 / 97441}
    growth = {2026: 0.791, **DEU_GROWTH}
    deflator = {2025: 123.842, **DEU_DEFLATOR}
    for year in range(2026, 2030):
        gdp[year] = gdp[year - 1] * (1 + growth[year] / 100) * deflator[year] / deflator[year - 1]
    assert rows[2025]["spend_current"] == 99298 and rows[2025]["share_gdp"] == pytest.approx(
        share_2025
    )
    for year in range(2026, 2030):
        share = share_2025 + (3.5 - share_2025) * (year - 2025) / 4
        assert rows[year]["share_gdp"] == pytest.approx(share)
        assert rows[year]["spend_current"] == pytest.approx(share / 100 * gdp[year])
    assert rows[2029]["spend_current"] == pytest.approx(179471, abs=1)  # 3.5% of 5,127,753


def test_simulate_a_plan_of_amounts(capsys):
    """--amounts sets the plan: EUR 150 bn in 2027 and 170 bn in 2028 are 3.126% and 3.426% of
    Germany's GDP projected with the April 2026 WEO (deu_gdp: 4,798,435 and 4,962,120 m)."""
    code, out, _ = run(
        capsys,
        "simulate",
        "DEU",
        "--target",
        "3.5",
        "--by",
        "2028",
        "--amounts",
        "2027=150000,2028=170000",
        "--set",
        "spend_sd=0",
        "--set",
        "spend_bias=0",
        "--draws",
        "5000",
        "--seed",
        "1",
        "--format",
        "json",
    )
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(c))
    assert code == 0 and doc["query"]["method"] == "amounts"
    rows = {r["year"]: r for r in doc["rows"]}
    assert {y: r["amount"] for y, r in rows.items()} == {2027: 150000.0, 2028: 170000.0}
    assert deu_gdp(2028) == pytest.approx(4962120, abs=1)
    for year, amount in ((2027, 150000), (2028, 170000)):
        assert rows[year]["planned_share"] == pytest.approx(100 * amount / deu_gdp(year))
        assert rows[year]["p05"] < rows[year]["median"] < rows[year]["p95"]
    # with the budgets spent as planned (--set spend_sd=0, spend_bias=0), only GDP varies:
    # 3.126% in 2027 is far below 3.5% (about 2 sd of the band): almost never met; 3.426% in
    # 2028 is within the band: met in some draws but fewer than half.
    assert rows[2027]["prob_meet"] < 0.01
    assert 0.05 < rows[2028]["prob_meet"] < 0.5
    assert doc["probability"] == rows[2028]["prob_meet"]
    assert doc["draws"] == 5000 and doc["seed"] == 1


def test_amounts_given_twice_for_a_year_are_refused(capsys):
    code, _, err = run(
        capsys, "simulate", "DEU", "--by", "2028", "--amounts", "2027=1,2028=2,2027=3"
    )
    assert code == 2 and "2027 given more than once" in err and err.count("\n") == 1
