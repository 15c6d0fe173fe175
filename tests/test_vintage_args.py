"""vintage= on the API's analysis functions and --vintage on their commands: each reads the
NATO (or SIPRI) edition asked for and says which; an edition not held is refused with the
editions that are."""

from __future__ import annotations

import json

import pytest

from milex import api
from milex.errors import InputError
from tests.test_cli import run

# Poland in NATO's June 2024 edition (src/milex/data/observations/nato_2024-06.csv): 2024 share
# of GDP 4.12% and spending PLN 151,241 million, both estimates; the July 2026 edition's latest
# year is 2026 (an estimate too).


def test_a_path_from_the_2024_edition_starts_at_its_estimate(store):
    old = api.path("POL", vintage="2024-06", store=store)
    base = old.extra["base"]
    assert (base.year, base.share, base.spend, base.status) == (2024, 4.12, 151241.0, "estimate")
    assert base.vintage == "2024-06" and old.query["vintage"] == "2024-06"
    assert old.frame["year"].iloc[0] == 2024 and old.frame["share_gdp"].iloc[0] == 4.12
    assert set(old.sources["vintage"]) >= {"2024-06"} and "2026-07" not in set(
        old.sources["vintage"]
    )
    new = api.path("POL", store=store)
    assert new.query["vintage"] == "2026-07" and new.extra["base"].year == 2026
    assert new.frame["spend_current"].iloc[0] == pytest.approx(193789.0)  # PLN m, 2026 estimate


def test_a_group_path_takes_the_edition_it_can_weight_members_by(store):
    assert api.path("baltics", vintage="2026-07", store=store).query["vintage"] == "2026-07"
    # the June 2024 edition has no constant-price GDP to weight the members by
    with pytest.raises(InputError, match="NATO edition 2024-06 has no gdp_usd_const figures"):
        api.path("baltics", vintage="2024-06", store=store)


def test_pledges_checked_from_an_older_edition_differ(store):
    old = api.pledges("POL", vintage="2024-06", store=store)
    new = api.pledges("POL", store=store)
    assert old.query["vintage"] == "2024-06" and new.query["vintage"] == "2026-07"
    assert old.frame["implied_amount"].tolist() != new.frame["implied_amount"].tolist()


def test_simulate_starts_from_the_edition(store):
    result = api.simulate("POL", draws=1_000, seed=1, vintage="2024-06", store=store)
    base = result.extra["base"]
    assert (base.year, base.share, base.vintage) == (2024, 4.12, "2024-06")


def test_compare_on_sipri_2025_reads_its_figures(store):
    # SIPRI April 2025 release, Russia 2024: 7.0523% of GDP (/work/shared/data/sipri_milex.csv)
    result = api.compare("RUS", "UKR", source="sipri", vintage="2025-04", store=store)
    shares = result.frame[result.frame["measure"] == "share_gdp"]
    assert shares["year"].tolist() == [2024]
    assert shares["side_a"].iloc[0] == pytest.approx(7.0523)
    assert [s["vintage"] for s in result.extra["sides"]] == ["2025-04", "2025-04"]


def test_race_reads_the_edition_on_the_side_whose_source_holds_it(store):
    result = api.race("RUS", vintage="2024-06", store=store)
    sides = [(s["source"], s["vintage"]) for s in result.extra["sides"]]
    assert sides == [("sipri", "2026-04"), ("nato", "2024-06")]
    assert result.frame["year"].unique().tolist() == [2024]  # 2024-06's last year


def test_report_of_one_edition(store):
    result = api.report("POL", "share_gdp", source="nato", vintage="2024-06", store=store)
    assert set(result.frame["vintage"]) == {"2024-06"}
    assert result.frame.set_index("year").loc[2024, "value"] == 4.12


def test_latest_of_an_edition(store):
    frame = api.latest("POL", vintage="2024-06", store=store)
    assert frame[["year", "value", "status"]].values.tolist() == [[2024, 4.12, "estimate"]]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s: api.path("POL", vintage="2024-07", store=s),
            "unknown vintage of nato '2024-07'",
        ),
        (lambda s: api.pledges(vintage="all", store=s), "vintage 'all' mixes editions"),
        (lambda s: api.simulate("POL", vintage="2026-04", store=s), "Did you mean 2026-07"),
        (
            lambda s: api.compare("RUS", "UKR", source="sipri", vintage="2026-07", store=s),
            "unknown vintage of sipri '2026-07'",
        ),
        (lambda s: api.race(vintage="1999-01", store=s), "unknown edition '1999-01'"),
        (lambda s: api.report("POL", vintage="2023-01", store=s), "unknown vintage"),
        # the partial August 2025 edition has shares only: a path cannot start from it
        (lambda s: api.path("DEU", vintage="2025-08", store=s), "2025-08 has no"),
    ],
)
def test_an_edition_not_held_is_refused(store, call, message):
    with pytest.raises(InputError) as info:
        call(store)
    assert message in str(info.value)


def test_cli_vintage_options(capsys):
    code, out, _ = run(capsys, "path", "POL", "--vintage", "2024-06")
    assert code == 0 and "Base: NATO 2024-06." in " ".join(out.split())
    code, out, _ = run(capsys, "pledges", "POL", "--vintage", "2024-06", "-f", "json")
    assert code == 0 and json.loads(out)["query"]["vintage"] == "2024-06"
    code, out, _ = run(capsys, "show", "POL", "-s", "nato", "--vintage", "2024-06", "-f", "json")
    assert code == 0 and {r["vintage"] for r in json.loads(out)["rows"]} == {"2024-06"}
    code, out, _ = run(capsys, "compare", "RUS", "UKR", "-s", "sipri", "--vintage", "2025-04")
    assert code == 0 and "Russia (sipri 2025-04)" in out
    code, _, err = run(capsys, "simulate", "POL", "-n", "1000", "--vintage", "2024-6")
    assert code == 2 and "Did you mean 2024-06" in err and err.count("\n") == 1
