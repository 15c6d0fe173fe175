"""The analysis functions read the edition they are given (issue 11: every function takes
``vintage=``, default the newest): paths, simulations and pledge checks start from one NATO
edition's figures, comparisons read one SIPRI (or NATO) edition, and each result says which.

Expected figures are the published ones in ``src/milex/data/observations``:

- NATO June 2024 (nato_2024-06.csv): Poland 2024 share of GDP 4.12% (estimate), spending PLN
  151,241 m; Germany 2024 2.12%.
- NATO July 2026 (nato_2026-07.csv): Poland 2024 spending PLN 137,176 m (actual), USD 28,155 m at
  2021 prices, GDP USD 751,117 m at 2021 prices, so a share of 100 x 28,155 / 751,117 = 3.748%
  (printed 3.75); Poland 2026 USD 37,515 m of GDP 802,068 m (4.677%, printed 4.68); Germany
  2026 USD 119,159 m of GDP 4,422,594 m (2.694%, printed 2.69).
- SIPRI April 2025 (sipri_2025-04.csv): Russia 2024 USD 148,967.3 m current, RUB 13,827,500 m;
  SIPRI April 2026 (sipri_2026-04.csv): USD 149,401.9 m, RUB 13,827,502 m.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from milex.checks.pledges import check_pledges
from milex.comparison.sides import assemble, embedded_sipri
from milex.comparison.table import compare
from milex.errors import InputError
from milex.projection.paths import group_path, path
from milex.projection.probability import probability
from milex.store import open_store
from milex.targets import resolve_target

NATO_OLD, NATO_NEW = "2024-06", "2026-07"
SIPRI_OLD, SIPRI_NEW = "2025-04", "2026-04"
POL_2024_OLD = 4.12
POL_2024_NEW = 100 * 28_155 / 751_117
POL_2026_NEW = 100 * 37_515 / 802_068
DEU_2024_OLD = 2.12
DEU_2026_NEW = 100 * 119_159 / 4_422_594
RUS_2024_USD = {SIPRI_OLD: 148_967.3, SIPRI_NEW: 149_401.9}
RUS_2024_RUB = {SIPRI_OLD: 13_827_500.0, SIPRI_NEW: 13_827_502.0}


def editions_cited(result, source: str) -> set[str]:
    """The editions of ``source`` among a result's sources."""
    return set(result.sources.loc[result.sources["source"] == source, "vintage"])


# ------------------------------------------------------------------ paths


def test_a_path_from_an_older_nato_edition_starts_at_its_figure(store):
    """Poland from NATO's June 2024 edition: its latest year is 2024, at 4.12% (an estimate
    then), PLN 151,241 m; a linear path to 5% by 2030 rises 0.88 points over six years, so
    4.12 + 0.88 x 3 / 6 = 4.56% in 2027."""
    result = path(store, "POL", resolve_target(5.0, 2030), vintage=NATO_OLD)
    table = result.frame.set_index("year")
    assert table.index[0] == 2024
    assert table.loc[2024, "share_gdp"] == pytest.approx(POL_2024_OLD)
    assert table.loc[2024, "spend_current"] == pytest.approx(151_241.0)
    assert table.loc[2024, "basis"] == "nato 2024-06 estimate"
    assert table.loc[2027, "share_gdp"] == pytest.approx(4.12 + 0.88 * 3 / 6)
    assert result.query["vintage"] == NATO_OLD
    assert result.extra["base"].vintage == NATO_OLD
    assert editions_cited(result, "nato") == {NATO_OLD}


def test_the_default_path_starts_from_the_newest_edition(store):
    """Without a vintage: NATO July 2026, Poland's latest year 2026 (4.677%); asked for 2024,
    the revised 3.748% (an actual now), PLN 137,176 m."""
    target = resolve_target(5.0, 2030)
    latest = path(store, "POL", target)
    assert latest.frame["year"].iloc[0] == 2026
    assert latest.frame["share_gdp"].iloc[0] == pytest.approx(POL_2026_NEW)
    assert latest.query["vintage"] == NATO_NEW
    assert editions_cited(latest, "nato") == {NATO_NEW}
    revised = path(store, "POL", target, base_year=2024).frame.set_index("year")
    assert revised.loc[2024, "share_gdp"] == pytest.approx(POL_2024_NEW)
    assert round(revised.loc[2024, "share_gdp"], 2) == 3.75
    assert revised.loc[2024, "spend_current"] == pytest.approx(137_176.0)
    assert revised.loc[2024, "basis"] == "nato 2026-07 actual"
    # the same edition asked for by name is the default
    named = path(store, "POL", target, vintage=NATO_NEW)
    pd.testing.assert_frame_equal(named.frame, latest.frame)


def test_an_unknown_or_partial_nato_edition_is_refused(store):
    target = resolve_target(5.0, 2030)
    with pytest.raises(InputError) as info:
        path(store, "POL", target, vintage="2019-06")
    assert str(info.value) == (
        "unknown NATO edition '2019-06': known are 2024-06, 2025-08, 2026-07"
    )
    # August 2025 is embedded in part (shares only): no spending to start a path from
    with pytest.raises(InputError) as info:
        path(store, "POL", target, vintage="2025-08")
    said = str(info.value)
    assert "NATO edition 2025-08 has no spend_national_current figures" in said
    assert said.endswith("editions with them are 2024-06, 2026-07")


def test_a_group_path_takes_the_edition_and_needs_its_constant_price_gdp(store):
    """A group weights its members by GDP at 2021 prices (NATO's Table 5), which the June
    2024 edition does not have: refused, naming the editions that do."""
    target = resolve_target(5.0, 2030)
    result = group_path(store, "baltics", target, vintage=NATO_NEW)
    assert result.query["vintage"] == NATO_NEW
    assert editions_cited(result, "nato") == {NATO_NEW}
    with pytest.raises(InputError) as info:
        group_path(store, "baltics", target, vintage=NATO_OLD)
    said = str(info.value)
    assert "NATO edition 2024-06 has no gdp_usd_const figures" in said
    assert "weights its members by them" in said and said.endswith("are 2026-07")
    with pytest.raises(InputError, match="unknown NATO edition '1999-01': known are 2024-06"):
        group_path(store, "baltics", target, vintage="1999-01")


# ------------------------------------------------------------------ simulation and pledges


def test_a_simulation_starts_from_the_edition_asked_for(store):
    target = resolve_target(5.0, 2030)
    old = probability(store, "POL", target, draws=2_000, seed=3, vintage=NATO_OLD)
    assert old.query["vintage"] == NATO_OLD
    assert (old.extra["base"].year, old.extra["base"].share) == (2024, pytest.approx(4.12))
    assert old.frame["year"].iloc[0] == 2025
    assert editions_cited(old, "nato") == {NATO_OLD}
    new = probability(store, "POL", target, draws=2_000, seed=3)
    assert new.query["vintage"] == NATO_NEW
    assert new.extra["base"].year == 2026
    assert new.extra["base"].share == pytest.approx(POL_2026_NEW)
    with pytest.raises(InputError, match="unknown NATO edition '2024-07'"):
        probability(store, "POL", target, draws=2_000, seed=3, vintage="2024-07")


def test_pledges_are_checked_against_the_edition_asked_for(store):
    """Germany's pledge of 3.5% in 2029 (core: the Hague 3.5% by 2035). From NATO June 2024:
    a linear path from 2.12% in 2024 stands at 2.12 + (3.5 - 2.12) x 5 / 11 in 2029; from the
    newest edition it starts at 2.694% in 2026: 2.694 + (3.5 - 2.694) x 3 / 9."""
    pledges = store.pledge_table()
    pledges = pledges[(pledges["iso3"] == "DEU") & (pledges["target_year"] == 2029)]
    pledges = pledges[pledges["target_amount"].isna()].reset_index(drop=True)
    assert len(pledges) == 1 and pledges.at[0, "target_share_gdp"] == 3.5
    old = check_pledges(store, pledges, vintage=NATO_OLD)
    assert old.query["vintage"] == NATO_OLD
    assert old.frame.at[0, "hague_path_share"] == pytest.approx(2.12 + 1.38 * 5 / 11)
    assert editions_cited(old, "nato") == {NATO_OLD}
    new = check_pledges(store, pledges)
    assert new.query["vintage"] == NATO_NEW
    expected = DEU_2026_NEW + (3.5 - DEU_2026_NEW) * 3 / 9
    assert new.frame.at[0, "hague_path_share"] == pytest.approx(expected)
    assert editions_cited(new, "nato") == {NATO_NEW}
    with pytest.raises(InputError, match="known are 2024-06, 2025-08, 2026-07"):
        check_pledges(store, pledges, vintage="2020-01")


# ------------------------------------------------------------------ comparisons


def spending(result, year: int, measure: str = "spending", basis: str | None = "mer"):
    frame = result.frame
    rows = frame[(frame["year"] == year) & (frame["measure"] == measure)]
    return rows[rows["basis"] == basis].iloc[0] if basis else rows.iloc[0]


@pytest.mark.parametrize("vintage", [SIPRI_OLD, SIPRI_NEW])
def test_a_comparison_reads_the_sipri_edition_asked_for(store, vintage):
    result = compare(store, "RUS", "UKR", (2024, 2024), "mer", "sipri", vintage=vintage)
    row = spending(result, 2024)
    assert row["side_a"] == pytest.approx(RUS_2024_USD[vintage])
    assert row["how_a"] == f"USD {RUS_2024_USD[vintage]:,.1f} m (sipri {vintage})"
    assert result.query["vintage"] == vintage
    assert result.query["editions"] == [f"sipri {vintage}"] * 2
    assert [s["vintage"] for s in result.extra["sides"]] == [vintage, vintage]
    assert editions_cited(result, "sipri") == {vintage}


def test_the_default_comparison_reads_the_newest_sipri_edition(store):
    result = compare(store, "RUS", "UKR", (2024, 2024), "mer", "sipri")
    assert spending(result, 2024)["side_a"] == pytest.approx(RUS_2024_USD[SIPRI_NEW])
    assert result.query["vintage"] is None
    assert result.query["editions"] == [f"sipri {SIPRI_NEW}"] * 2


def test_a_race_with_an_older_sipri_edition(store):
    """Russia against NATO Europe and Canada, each on its own source: the SIPRI edition asked
    for is Russia's; the allies keep NATO's newest (the caveat names both)."""
    result = compare(
        store, "RUS", "europe-canada", (2024, 2024), "all", None, kind="race", vintage=SIPRI_OLD
    )
    assert spending(result, 2024, "spending_national", None)["side_a"] == (RUS_2024_RUB[SIPRI_OLD])
    assert spending(result, 2024)["side_a"] == pytest.approx(RUS_2024_USD[SIPRI_OLD])
    assert result.query["editions"] == [f"sipri {SIPRI_OLD}", f"nato {NATO_NEW}"]
    assert result.caveats[0] == (
        f"Spending figures: Russia: sipri {SIPRI_OLD}; NATO Europe and Canada: nato {NATO_NEW}."
    )
    newest = compare(store, "RUS", "europe-canada", (2024, 2024), "all", None, kind="race")
    assert spending(newest, 2024, "spending_national", None)["side_a"] == (RUS_2024_RUB[SIPRI_NEW])


def test_a_comparison_refuses_an_edition_neither_source_holds(store):
    with pytest.raises(InputError) as info:
        compare(store, "RUS", "POL", None, "mer", None, vintage="2019-04")
    assert str(info.value) == (
        "unknown edition '2019-04' of SIPRI or NATO: known are sipri 2025-04, 2026-04; "
        "nato 2024-06, 2025-08, 2026-07; or none for the newest"
    )
    with pytest.raises(InputError, match="unknown SIPRI edition '2024-04': known are 2025-04"):
        assemble(store, "RUS", "sipri", None, "2024-04")
    with pytest.raises(InputError, match="NATO edition 2025-08 has no spend_usd_current"):
        assemble(store, "POL", "nato", None, "2025-08")
    assert assemble(store, "POL", "nato", None, NATO_OLD).edition == "nato 2024-06"


# ------------------------------------------------------------------ the full SIPRI database


def _add_sipri_rows(folder: Path) -> None:
    """Germany's and France's 2024 figures from the April 2026 workbook
    (sipri_milex_2026.csv: DEU USD 86,148.3 m current, 1.8386% of GDP; FRA USD 63,574.7 m),
    as a store holding more of SIPRI's database than the subset milex embeds would have them."""
    rows = [
        "sipri-2026-04-8,DEU,2024,spend_usd_current,86148.3,USD million current,actual",
        "sipri-2026-04-2,DEU,2024,share_gdp,1.8386,percent of GDP,actual",
        "sipri-2026-04-8,FRA,2024,spend_usd_current,63574.7,USD million current,actual",
    ]
    with (folder / "observations" / "sipri_2026-04.csv").open("a") as out:
        out.write("\n".join(rows) + "\n")


def test_the_subset_message_only_while_the_store_holds_just_the_subset(store, data_copy, tmp_path):
    with pytest.raises(InputError, match="not in the SIPRI subset milex embeds"):
        compare(store, "DEU", "RUS", (2024, 2024), "mer", "sipri")
    assert embedded_sipri(store, SIPRI_NEW) == [
        *("RUS", "UKR", "CHN", "BLR", "IRN", "IND", "JPN", "KOR", "ISR", "AUS")
    ]
    _add_sipri_rows(data_copy)
    more = open_store(data_copy, tmp_path / "home")
    try:
        assert embedded_sipri(more, SIPRI_NEW) is None
        assert embedded_sipri(more, SIPRI_OLD) is not None  # that edition is still the subset
        result = compare(more, "DEU", "RUS", (2024, 2024), "mer", "sipri")
        row = spending(result, 2024)
        assert (row["side_a"], row["side_b"]) == (86_148.3, RUS_2024_USD[SIPRI_NEW])
        with pytest.raises(InputError) as info:
            compare(more, "ITA", "RUS", (2024, 2024), "mer", "sipri")
        said = str(info.value)
        assert "subset" not in said
        assert said.startswith("Italy is not in sipri 2026-04 (no spending figures")
        # the older edition is still only the subset: there the message stays
        with pytest.raises(InputError, match="not in the SIPRI subset milex embeds"):
            compare(more, "DEU", "RUS", (2024, 2024), "mer", "sipri", vintage=SIPRI_OLD)
        group = compare(more, "europe-canada", "RUS", (2024, 2024), "mer", "sipri")
        missing = spending(group, 2024)["missing_a"]
        assert "ITA: sipri 2026-04 has no spending figures for Italy" in missing
        assert "ISL: Iceland has no armed forces" in missing  # a country's own note stays
        assert "subset" not in missing and "not embedded" not in missing
    finally:
        more.close()
