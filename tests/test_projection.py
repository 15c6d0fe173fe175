"""Paths to a target and checks of national plans, against figures worked out by hand.

NATO figures: ../shared/data/nato_defence_expenditure_2026.csv (July 2026 edition). IMF figures:
../shared/data/imf_weo_gdp.csv (WEO April 2025) and imf_weo_apr2026.csv (WEO April 2026).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import milex
from milex.checks.pledges import check_pledges
from milex.errors import InputError
from milex.projection.outlook import fetch, nominal_gdp
from milex.projection.paths import member_path
from milex.targets import resolve_target

from .test_cli import run

# Germany: NATO 2026 edition, 2026 estimate: EUR 124,660 m = 2.69% of GDP; at 2021 prices
# USD 119,159 m of a GDP of USD 4,422,594 m (Table 5), so the share unrounded is 2.6943%.
DEU_2026_SPEND, DEU_2026_SHARE = 124660.0, 100 * 119159 / 4422594
DEU_2026_GDP = DEU_2026_SPEND * 4422594 / 119159  # EUR m, current prices
# IMF WEO April 2025 (imf_weo_gdp.csv), Germany: real GDP growth (%) and GDP deflator index.
DEU_GROWTH = {2025: -0.050, 2026: 0.922, 2027: 1.452, 2028: 1.201, 2029: 0.954, 2030: 0.694}
DEU_DEFLATOR = {
    2024: 119.355,
    2025: 122.208,
    2026: 124.669,
    2027: 127.311,
    2028: 130.052,
    2029: 132.87,
    2030: 135.801,
}
# IMF WEO April 2026 (imf_weo_apr2026.csv), Germany: the newest outlook, the default.
DEU_GROWTH_2026 = {2027: 1.183, 2028: 1.196, 2029: 0.944, 2030: 0.655, 2031: 0.623}
DEU_DEFLATOR_2026 = {
    2026: 127.11,
    2027: 130.285,
    2028: 133.137,
    2029: 136.14,
    2030: 139.223,
    2031: 142.273,
}
WEO_2025 = "2025-04"


def deu_gdp(year: int, growth=DEU_GROWTH, deflator=DEU_DEFLATOR) -> float:
    """Nominal GDP (EUR m) behind NATO's 2026 figure, grown with the WEO to ``year``."""
    gdp = DEU_2026_GDP
    for y in range(2027, year + 1):
        gdp *= (1 + growth[y] / 100) * deflator[y] / deflator[y - 1]
    return gdp


def deu_gdp_2026(year: int) -> float:
    """The same with the WEO April 2026 (what pledges and default outlooks use)."""
    return deu_gdp(year, DEU_GROWTH_2026, DEU_DEFLATOR_2026)


def by_year(result) -> pd.DataFrame:
    return result.df.set_index("year")


# ------------------------------------------------------------------------------ paths


def test_germany_linear_path_to_3_5_by_2029(store):
    result = milex.path("Deutschland", 3.5, 2029, weo_vintage=WEO_2025, store=store)
    table = by_year(result)
    assert table.index.tolist() == [2026, 2027, 2028, 2029]
    assert table.loc[2026, "spend_current"] == pytest.approx(DEU_2026_SPEND)
    assert table.loc[2026, "basis"] == "nato 2026-07 estimate"  # 2026: NATO's estimate
    for year in (2027, 2028, 2029):
        share = DEU_2026_SHARE + (3.5 - DEU_2026_SHARE) * (year - 2026) / 3
        assert table.loc[year, "share_gdp"] == pytest.approx(share)
        assert table.loc[year, "spend_current"] == pytest.approx(share / 100 * deu_gdp(year))
        held = DEU_2026_SHARE / 100 * deu_gdp(year)
        assert table.loc[year, "extra_current"] == pytest.approx(share / 100 * deu_gdp(year) - held)
    cumulative = sum(table.loc[y, "extra_current"] for y in (2027, 2028, 2029))
    assert table.loc[2029, "cumulative_extra_current"] == pytest.approx(cumulative)
    # real growth of spending 2026->2027: nominal ratio deflated by the WEO deflator
    nominal = table.loc[2027, "spend_current"] / DEU_2026_SPEND
    real = nominal / (DEU_DEFLATOR[2027] / DEU_DEFLATOR[2026])
    assert table.loc[2027, "real_growth_pct"] == pytest.approx(100 * (real - 1))
    assert result.extra["currency"] == "EUR" and result.extra["name"] == "Germany"
    assert result.units["spend_current"] == "EUR million current"
    assert result.kind == "path" and result.caveats == [] and result.notes == []
    assert result.query["method"] == "linear" and result.query["target"] == 3.5
    five = milex.path("DEU", "hague-5", store=store)
    assert five.df["year"].iloc[-1] == 2035 and five.df["share_gdp"].iloc[-1] == pytest.approx(5)
    assert any("1.5" in c for c in five.caveats)
    assert result.query["weo_vintage"] == WEO_2025
    assert set(result.sources["vintage"]) == {"2026-07", WEO_2025}


def test_default_outlook_is_the_newest_weo(store):
    """Without weo_vintage, GDP grows with the IMF WEO of April 2026 (imf_weo_apr2026.csv,
    Germany 2027: real growth 1.183%, deflator 130.285 after 127.110 in 2026)."""
    result = milex.path("DEU", 3.5, 2029, store=store)
    table = by_year(result)
    assert result.query["weo_vintage"] == "2026-04"
    assert table.loc[2027, "gdp_real_growth"] == pytest.approx(1.183)
    assert table.loc[2027, "gdp_inflation"] == pytest.approx(100 * (130.285 / 127.11 - 1))
    assert table.loc[2027, "gdp_current"] == pytest.approx(
        DEU_2026_GDP * 1.01183 * 130.285 / 127.11
    )
    assert table.loc[2029, "gdp_current"] == pytest.approx(deu_gdp_2026(2029))
    assert table.loc[2029, "basis"] == "weo 2026-04"
    assert "2026-04" in set(result.sources["vintage"])


def test_a_path_from_an_earlier_base_year(store):
    """From NATO's 2024 figure (2026-07 edition: EUR 86,638 m; USD 87,583 m of a GDP of USD
    4,378,673 m at 2021 prices, so 2.00022%) to 3.5% in 2029, GDP grown with the WEO April 2025
    from 2024: five equal steps of (3.5 - 2.00022) / 5 points."""
    result = milex.path("DEU", 3.5, 2029, base_year=2024, weo_vintage=WEO_2025, store=store)
    table = by_year(result)
    share_2024 = 100 * 87583 / 4378673
    gdp = 86638 * 4378673 / 87583
    assert result.query["base_year"] == 2024
    assert table.index.tolist() == list(range(2024, 2030))
    assert table.loc[2024, "spend_current"] == pytest.approx(86638)
    assert table.loc[2024, "share_gdp"] == pytest.approx(share_2024)
    assert table.loc[2024, "basis"] == "nato 2026-07 actual"  # 2024: actual figures
    for year in range(2025, 2030):
        gdp *= (1 + DEU_GROWTH[year] / 100) * DEU_DEFLATOR[year] / DEU_DEFLATOR[year - 1]
        share = share_2024 + (3.5 - share_2024) * (year - 2024) / 5
        assert table.loc[year, "gdp_current"] == pytest.approx(gdp)
        assert table.loc[year, "share_gdp"] == pytest.approx(share)
        assert table.loc[year, "spend_current"] == pytest.approx(share / 100 * gdp)


def test_constant_real_growth_path(store):
    result = milex.path("DEU", 3.5, 2029, method="real-growth", weo_vintage=WEO_2025, store=store)
    table = by_year(result)
    real_gdp_ratio = math.prod(1 + DEU_GROWTH[y] / 100 for y in (2027, 2028, 2029))
    rate = (3.5 / DEU_2026_SHARE * real_gdp_ratio) ** (1 / 3) - 1
    assert table.loc[2027:, "real_growth_pct"].tolist() == pytest.approx([100 * rate] * 3)
    assert table.loc[2029, "share_gdp"] == pytest.approx(3.5)
    assert result.query["method"] == "real-growth" and set(table["method"]) == {"real-growth"}


def test_extrapolation_beyond_the_weo_horizon(store):
    default = by_year(milex.path("DEU", 3.5, 2032, weo_vintage=WEO_2025, store=store))
    assert default.loc[2030, "basis"] == "weo 2025-04"
    assert default.loc[2031, "basis"] == "extrapolated"
    weo_2030 = DEU_GROWTH[2030], 100 * (DEU_DEFLATOR[2030] / DEU_DEFLATOR[2029] - 1)
    ratio = default.loc[2031, "gdp_current"] / default.loc[2030, "gdp_current"]
    assert ratio == pytest.approx((1 + weo_2030[0] / 100) * (1 + weo_2030[1] / 100))
    faster = milex.path(
        "DEU",
        3.5,
        2032,
        growth_after=3.0,
        inflation_after=2.0,
        weo_vintage=WEO_2025,
        store=store,
    )
    ratio = by_year(faster).loc[2031, "gdp_current"] / default.loc[2030, "gdp_current"]
    assert ratio == pytest.approx(1.03 * 1.02)


@settings(max_examples=25, deadline=None)
@given(
    iso3=st.sampled_from(["DEU", "POL", "ESP", "CAN", "USA", "LTU"]),
    share=st.floats(min_value=0.5, max_value=10),
    by=st.integers(min_value=2027, max_value=2040),
    method=st.sampled_from(["linear", "real-growth"]),
    above=st.sampled_from(["hold", "converge"]),
)
def test_a_path_meets_its_target_exactly_in_its_year(store, iso3, share, by, method, above):
    result = milex.path(iso3, share, by, method=method, above=above, store=store)
    table = result.df
    start = result.extra["base"].share
    published = milex.series(iso3, "share_gdp", 2026, store=store)["value"].iloc[0]
    assert start == pytest.approx(published, abs=0.005)  # NATO prints 2 dp
    held = above == "hold" and start > share
    assert result.extra["held"] == ([iso3] if held else [])
    assert table["year"].iloc[-1] == by
    assert table["share_gdp"].iloc[-1] == pytest.approx(start if held else share, rel=1e-9)
    assert table["share_gdp"].iloc[0] == pytest.approx(start)


def test_an_ally_above_the_target_holds_its_share(store):
    """Poland 2026: USD 37,515 m of a GDP of USD 802,068 m at 2021 prices = 4.6773% of GDP,
    above 3.5%: by default it keeps that share (its spending grows with real GDP) and says so;
    above='converge' brings it down to 3.5% in 2035, cutting real spending."""
    share = 100 * 37515 / 802068
    held = milex.path("POL", 3.5, 2035, store=store)
    table = by_year(held)
    assert table["share_gdp"].tolist() == pytest.approx([share] * 10)
    assert (table.loc[2027:, "real_growth_pct"] > 0).all()
    assert held.extra["held"] == ["POL"]
    assert held.query["above"] == "hold"
    (note,) = held.notes
    assert "Poland is at 4.68% of GDP, above the 3.5% target" in note
    assert "held" in note and "converge" in note
    down = by_year(milex.path("POL", 3.5, 2035, above="converge", store=store))
    assert down.loc[2035, "share_gdp"] == pytest.approx(3.5)
    assert down.loc[2030, "share_gdp"] == pytest.approx(share + (3.5 - share) * 4 / 9)
    assert down.loc[2035, "real_growth_pct"] < 0
    assert milex.path("POL", 3.5, 2035, above="converge", store=store).notes == []
    assert milex.path("POL", 5.0, 2035, store=store).extra["held"] == []  # below 5%


def test_group_paths_hold_allies_above_the_target(store):
    """Eastern flank 2026 (2026-07 edition): Estonia 5.10, Latvia 4.92, Lithuania 5.33 and
    Poland 4.68% are above 3.5%, the six others below: those four hold, the group stays above
    3.5% in 2035; converging brings every member, so the group, to 3.5%."""
    held = milex.path("eastern-flank", 3.5, 2035, store=store)
    assert sorted(held.extra["held"]) == ["EST", "LTU", "LVA", "POL"]
    assert any("hold their share" in n for n in held.notes)
    assert held.df["share_gdp"].iloc[-1] > 3.6
    down = milex.path("eastern-flank", 3.5, 2035, above="converge", store=store)
    assert down.extra["held"] == [] and down.notes == []
    assert down.df["share_gdp"].iloc[-1] == pytest.approx(3.5)


# IMF WEO April 2026 (imf_weo_apr2026.csv), real GDP growth (%) 2027 and 2028.
BALTIC_GROWTH = {"EST": (1.933, 2.333), "LVA": (2.373, 2.380), "LTU": (2.228, 2.642)}
# NATO 2026-07 edition, 2026: USD m at 2021 prices, spending and GDP (Table 5).
BALTIC_2026 = {"EST": (1863, 36499), "LVA": (1975, 40124), "LTU": (4030, 75550)}


def test_group_path_weights_members_by_real_gdp(store):
    """The Baltics to 5.2% by 2028: Estonia (1,863 / 36,499 = 5.1043%) and Latvia
    (1,975 / 40,124 = 4.9222%) rise linearly to 5.2%, Lithuania (4,030 / 75,550 = 5.3342%)
    holds. Each member's GDP at 2021 prices grows with its WEO real growth; the group's share
    is their spending over their GDP, both at 2021 prices:
    2028 = sum(share_i x G_i x r_i) / sum(G_i x r_i), r_i = (1 + g2027)(1 + g2028)."""
    result = milex.path("baltics", 5.2, 2028, store=store)
    table = by_year(result)
    start = {c: 100 * spend / gdp for c, (spend, gdp) in BALTIC_2026.items()}
    goal = {c: max(share, 5.2) for c, share in start.items()}
    gdp = {2026: {c: g for c, (_, g) in BALTIC_2026.items()}}
    gdp[2027] = {c: gdp[2026][c] * (1 + BALTIC_GROWTH[c][0] / 100) for c in start}
    gdp[2028] = {c: gdp[2027][c] * (1 + BALTIC_GROWTH[c][1] / 100) for c in start}
    spend = {
        year: sum(
            (start[c] + (goal[c] - start[c]) * (year - 2026) / 2) / 100 * gdp[year][c]
            for c in start
        )
        for year in (2026, 2027, 2028)
    }
    assert spend[2026] == pytest.approx(1863 + 1975 + 4030)
    for year in (2026, 2027, 2028):
        assert table.loc[year, "spend_const"] == pytest.approx(spend[year])
        assert table.loc[year, "share_gdp"] == pytest.approx(
            100 * spend[year] / sum(gdp[year].values())
        )
    assert table.loc[2027, "real_growth_pct"] == pytest.approx(100 * (spend[2027] / 7868 - 1))
    assert table.loc[2028, "real_growth_pct"] == pytest.approx(
        100 * (spend[2028] / spend[2027] - 1)
    )
    assert result.extra["held"] == ["LTU"]
    (note,) = result.notes
    assert note.startswith("LTU above the 5.2% target hold their share")
    assert "converge" in note
    assert result.units["share_gdp"] == "percent of GDP (weighted by GDP at 2021 prices)"
    assert result.units["spend_current"] == "USD million current (exchange rates of 2026)"
    assert result.units["spend_const"] == "USD million constant 2021"
    assert result.kind == "path" and result.extra["name"] == "Baltic states"
    assert result.query == {
        "country": "baltics",
        "target": 5.2,
        "by": 2028,
        "method": "linear",
        "base_year": 2026,
        "above": "hold",
        "weo_vintage": "2026-04",
        "vintage": "2026-07",
    }


def test_group_path_options(store):
    """A group path passes its options to every member: a base year (members that were allies
    then: no Sweden in 2023), a WEO edition, growth after the WEO horizon."""
    early = milex.path("nordics", 3.5, 2030, base_year=2023, store=store)
    assert early.extra["members"] == ["DNK", "FIN", "NOR"]
    assert early.extra["missing"]["SWE"] == "not a NATO ally in 2023"
    assert "no armed forces" in early.extra["missing"]["ISL"]
    assert early.df["year"].tolist() == list(range(2023, 2031))
    assert early.query["base_year"] == 2023
    assert len(milex.path("nordics", 3.5, 2030, store=store).extra["members"]) == 4
    old = milex.path("baltics", 5.5, 2030, weo_vintage=WEO_2025, store=store)
    assert old.query["weo_vintage"] == WEO_2025
    assert old.caveats == []  # 5.5% core: no total-scope caveat
    assert set(old.df["basis"].iloc[1:]) == {"weo 2025-04"}
    # beyond the WEO April 2026 horizon (2031) every member's GDP grows 3% real, 2% prices,
    # in USD at fixed exchange rates: so does their sum
    late = by_year(
        milex.path("baltics", 5.5, 2033, growth_after=3.0, inflation_after=2.0, store=store)
    )
    assert late.loc[2033, "gdp_current"] / late.loc[2032, "gdp_current"] == pytest.approx(
        1.03 * 1.02
    )
    total = milex.path("baltics", "hague-5", 2030, store=store)
    assert any("1.5" in c for c in total.caveats)


def test_group_path_sums_members(store):
    group = by_year(milex.path("baltics", 3.5, 2030, store=store))
    members = [milex.path(c, 3.5, 2030, store=store) for c in ("EST", "LVA", "LTU")]
    # every Baltic state is above 3.5% in 2026 (5.10, 4.92, 5.33), so each holds its share
    for one in members:
        assert one.df["share_gdp"].iloc[0] > 3.5
        assert one.df["share_gdp"].iloc[-1] == pytest.approx(one.df["share_gdp"].iloc[0])
    base = milex.gap(3.5, 2026, group="baltics", store=store).df.set_index("iso3")
    assert group.loc[2026, "spend_current"] == pytest.approx(
        base.loc[["EST", "LVA", "LTU"], "spend_usd_current"].sum(), rel=1e-9
    )
    assert group.loc[2030, "share_gdp"] == pytest.approx(group.loc[2026, "share_gdp"], abs=0.05)
    converged = by_year(milex.path("baltics", 3.5, 2030, above="converge", store=store))
    assert converged.loc[2030, "share_gdp"] == pytest.approx(3.5)


def test_group_path_is_the_sum_of_member_paths(store):
    target = resolve_target(3.5, 2030)
    result = milex.path("europe-canada", 3.5, 2030, store=store)
    group = by_year(result)
    # in the base year the group share is NATO's own aggregate (NATO prints 2.53%)
    assert group.loc[2026, "share_gdp"] == pytest.approx(2.53, abs=0.015)
    inputs = fetch(store, result.extra["members"])
    total = 0
    for iso3 in result.extra["members"]:
        one = member_path(inputs, iso3, target, 2026)
        # an ally above 3.5% holds its share, the others reach 3.5% in 2030
        assert one.table["share_gdp"].iloc[-1] == pytest.approx(max(one.start.share, 3.5))
        total = total + one.table.set_index("year")["spend_current"] * one.start.usd_per_unit
    assert group["spend_current"].to_numpy() == pytest.approx(total.to_numpy())
    assert result.extra["missing"].keys() == {"ISL"}
    assert "no armed forces" in result.extra["missing"]["ISL"]
    assert result.extra["currency"] == "USD"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: milex.path("DEU", 3.5, 2020, store=s), "not after the base year 2026"),
        (lambda s: milex.path("DEU", 3.5, 2026, store=s), "not after the base year 2026"),
        (lambda s: milex.path("DEU", 3.5, store=s), "needs a target year"),
        (
            lambda s: milex.path("DEU", 3.5, 2030, method="magic", store=s),
            "unknown method 'magic': use linear or real-growth",
        ),
        (lambda s: milex.path("DEU", 3.5, 2030, above="sink", store=s), "hold or converge"),
        (lambda s: milex.path("Atlantis", 3.5, 2030, store=s), "unknown country 'Atlantis'"),
        (lambda s: milex.path("ISL", 3.5, 2030, store=s), "no armed forces"),
        (lambda s: milex.path("DEU", 3.5, 2030, base_year=2010, store=s), "base years with"),
        (lambda s: milex.path("RUS", 3.5, 2030, store=s), "no NATO figures for RUS"),
        (
            lambda s: milex.path("DEU", 3.5, 2030, weo_vintage="2019-10", store=s),
            "unknown WEO edition '2019-10'",
        ),
        (
            lambda s: milex.path("DEU", 3.5, 2035, growth_after=150, store=s),
            "growth_after 150% a year is out of range",
        ),
    ],
)
def test_bad_path_input(store, call, message):
    with pytest.raises(InputError, match=message):
        call(store)


def test_a_guideline_whose_deadline_has_passed_asks_for_a_year(store):
    """Wales 2% was due by 2024; NATO's latest figures are for 2026: say what to give."""
    with pytest.raises(InputError, match=r"deadline of wales-2 \(2024\) has passed") as info:
        milex.path("USA", "wales-2", store=store)
    assert "later target year (by" in str(info.value)
    assert "2031" in str(info.value)  # an example: five years after the base year 2026
    assert "--by" not in str(info.value)
    table = milex.path("USA", "wales-2", 2030, store=store).df  # a later year works
    assert table["year"].iloc[-1] == 2030


def test_nominal_gdp_behind_nato_figures_and_beyond_the_weo(store):
    """Germany: NATO's 2026 GDP, grown with the WEO April 2026 to its horizon (2031), then at
    the rates asked for (1% real, 2% inflation): 2033 = GDP 2031 x (1.01 x 1.02)^2. Before
    NATO's first year there is no figure. Russia has no NATO figures: the WEO's own GDP
    (RUB 280,122.570 bn in 2031), grown past 2031 at the WEO's 2031 rates (1.0% real,
    deflator 179.910 after 173.091): RUB 280,122,570 m x (1.01 x 179.910 / 173.091)^2 in 2033."""
    inputs = fetch(store, ["DEU", "RUS"])
    table, sources = nominal_gdp(
        inputs, "DEU", [2010, 2026, 2031, 2033], growth_after=1.0, inflation_after=2.0
    )
    gdp = table.set_index("year")
    assert math.isnan(gdp.loc[2010, "gdp"]) and gdp.loc[2010, "basis"] == "no figure"
    assert gdp.loc[2026, "gdp"] == pytest.approx(DEU_2026_GDP)
    assert gdp.loc[2026, "basis"] == "nato 2026-07"
    assert gdp.loc[2031, "gdp"] == pytest.approx(deu_gdp_2026(2031))
    assert gdp.loc[2031, "basis"] == "projected from 2026 (weo 2026-04)"
    assert gdp.loc[2033, "gdp"] == pytest.approx(deu_gdp_2026(2031) * (1.01 * 1.02) ** 2)
    assert gdp.loc[2033, "basis"] == "projected from 2026 (extrapolated)"
    assert set(gdp["currency"]) == {"EUR"}
    assert {s.split("-")[0] for s in sources} == {"nato", "weo"}
    table, sources = nominal_gdp(inputs, "RUS", [2031, 2033])
    gdp = table.set_index("year")
    assert gdp.loc[2031, "gdp"] == pytest.approx(280_122_570)
    assert gdp.loc[2031, "basis"] == "weo 2026-04"
    assert gdp.loc[2033, "gdp"] == pytest.approx(280_122_570 * (1.01 * 179.910 / 173.091) ** 2)
    assert set(gdp["currency"]) == {"RUB"}


# ------------------------------------------------------------------------------ pledges


def test_german_plan_does_not_add_up(store):
    """'3.5% in 2029, EUR 153 bn': EUR 153 bn is about 3.0% of projected 2029 GDP."""
    result = milex.pledges("Germany", store=store)
    assert result.query["weo_vintage"] == "2026-04"
    table = result.df
    plan = table[(table["target_year"] == 2029) & (table["target_amount"] == 153)].iloc[0]
    assert plan["implied_share"] == pytest.approx(100 * 153_000 / deu_gdp_2026(2029))
    assert plan["implied_amount"] == pytest.approx(3.5 / 100 * deu_gdp_2026(2029) / 1000)
    assert plan["adds_up"] is False
    assert "153 bn EUR is 2.99% of projected GDP, not 3.5%" in plan["flag"]
    # 3.5% in 2029 is above a linear path from 2.6943% (2026) to 3.5% by 2035
    assert plan["hague_path_share"] == pytest.approx(
        DEU_2026_SHARE + (3.5 - DEU_2026_SHARE) * 3 / 9
    )
    assert plan["on_path"] is True
    assert {"2026-07", "2026-04"} <= set(result.sources["vintage"])


def test_russian_budget_adds_up_with_weo_gdp(store):
    """Russia's 2025 budget: RUB 13.5 trn National Defence, 6.31% of GDP by the government's
    reckoning; of the IMF WEO April 2026 GDP for 2025 (RUB 213,515.828 bn) it is 6.3227%."""
    table = milex.pledges("RUS", store=store).df
    row = table[table["target_year"] == 2025].iloc[0]
    assert row["implied_share"] == pytest.approx(100 * 13_500 / 213_515.828)
    assert row["difference_pp"] == pytest.approx(100 * 13_500 / 213_515.828 - 6.31)
    assert row["adds_up"] is True


def test_a_share_only_pledge_gets_its_amount(store):
    """UK: 3.5% of GDP in 2035 (core), no amount given: milex gives the amount it implies."""
    gbr = milex.pledges("GBR", store=store).df
    row = gbr[(gbr["target_year"] == 2035) & (gbr["scope"] == "core")].iloc[0]
    assert row["currency"] == "GBP"
    assert row["implied_amount"] == pytest.approx(3.5 / 100 * row["gdp"] / 1000)


def test_cumulative_amounts_are_not_compared(store):
    swe = milex.pledges("SWE", store=store).df.iloc[0]
    assert math.isnan(swe["implied_share"])
    assert "not an annual figure" in swe["flag"]


def test_pledges_for_unknown_country(store):
    with pytest.raises(InputError, match="no pledges recorded for ISL"):
        milex.pledges("Iceland", store=store)


def test_a_pledge_without_a_target_year(store, capsys):
    """The Netherlands pledged 3.5% of GDP with no year: nothing to check, and said so (the
    table output crashed on "'Pandas' object has no attribute 'currency'")."""
    result = milex.pledges("Netherlands", store=store)
    assert len(result) == 1
    row = result.df.iloc[0]
    assert row["currency"] is None
    assert pd.isna(row["target_year"]) and math.isnan(row["gdp"])
    assert row["flag"] == "no target year given"
    code, out, _ = run(capsys, "pledges", "Netherlands")
    assert code == 0
    assert "no target year given" in out


def test_all_pledges_without_a_country(store):
    """The registry (pledges.csv of the reference folder) holds 52 pledges; every one is
    listed, the two alliance-wide ones flagged as such."""
    result = milex.pledges(store=store)
    assert len(result) == 52
    assert result.query["country"] is None
    assert result.query["tolerance_pp"] == 0.1
    nato = result.df[result.df["iso3"] == "NATO"]
    assert sorted(nato["target_share_gdp"]) == [3.5, 5.0]
    assert set(nato["flag"]) == {"alliance-wide commitment"}
    assert {"DEU", "GBR", "LVA", "NLD", "RUS", "USA"} <= set(result.df["iso3"])
    assert str(result.df["target_year"].dtype) == "Int64"
    assert result.units["implied_share"] == "percent of GDP"
    assert result.units["difference_pp"] == "percentage points of GDP"
    assert result.units["implied_amount"] == "billion national currency, current prices"
    assert result.units["gdp"] == "million national currency, current prices"
    assert result.kind == "pledges"
    # GDP behind every pledge is cited: NATO's for 2025-2026, the WEO's beyond and for Russia
    assert set(result.sources["source"]) == {"nato", "weo"}
    assert set(result.sources["vintage"]) == {"2026-07", "2026-04"}


def test_an_ally_above_the_guideline_holds_its_share_on_the_hague_path(store):
    """Latvia 2026: USD 1,975 m of a GDP of USD 40,124 m at 2021 prices = 4.9222% of GDP,
    above 3.5%: its 'Hague path' stays at 4.9222% (a linear path down to 3.5% by 2035 would
    stand at 4.9222 - 1.4222 x 2/9 = 4.6062% in 2028)."""
    table = milex.pledges("Latvia", store=store).df
    row = table[table["target_year"] == 2028].iloc[0]
    assert row["hague_path_share"] == pytest.approx(100 * 1975 / 40124)
    assert row["on_path"] is True  # 5% in 2028
    assert "national budget definition, not NATO's" in row["flag"]


def test_a_total_pledge_is_checked_against_the_hague_5(store):
    """UK: 5% of GDP in 2035 (total scope) is measured against The Hague's 5% by 2035, from
    core spending only: said in the flag."""
    gbr = milex.pledges("GBR", store=store).df
    row = gbr[(gbr["target_year"] == 2035) & (gbr["scope"] == "total")].iloc[0]
    assert row["hague_path_share"] == pytest.approx(5.0)
    assert [row["on_path"]] == [True]
    assert "path starts from core spending only" in row["flag"]
    core = gbr[(gbr["target_year"] == 2035) & (gbr["scope"] == "core")].iloc[0]
    assert core["hague_path_share"] == pytest.approx(3.5) and core["flag"] == ""


def _pledges(store, rows: list[dict]) -> pd.DataFrame:
    """Pledges in the registry's columns (missing fields empty)."""
    columns = store.pledge_table().columns
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)


def _german_pledge(year: int, share: float | None, amount: float | None = None) -> dict:
    return {
        "iso3": "DEU",
        "country": "Germany",
        "target_year": year,
        "target_share_gdp": share,
        "target_amount": amount,
        "amount_currency": "EUR" if amount is not None else None,
        "amount_unit": "billion" if amount is not None else None,
        "scope": "core",
    }


def test_pledged_amount_and_share_add_up_within_a_tenth_of_a_point(store):
    """Germany 2026: GDP = NATO's (124,660 x 4,422,594 / 119,159 EUR m), so EUR 124.66 bn is
    100 x 119,159 / 4,422,594 = 2.6943% of it. Pledged with 2.60%: 0.0943 points apart, adds
    up; with 2.59%: 0.1043 apart, does not; with 2.40%: 0.2943 apart, does not (flagged)."""
    implied = 100 * 119159 / 4422594
    pledges = _pledges(
        store,
        [
            _german_pledge(2026, 2.60, 124.66),
            _german_pledge(2026, 2.59, 124.66),
            _german_pledge(2026, 2.40, 124.66),
        ],
    )
    table = check_pledges(store, pledges).df
    assert table["implied_share"].tolist() == pytest.approx([implied] * 3)
    assert table["difference_pp"].tolist() == pytest.approx(
        [implied - 2.60, implied - 2.59, implied - 2.40]
    )
    assert table["adds_up"].tolist() == [True, False, False]
    assert table["flag"].iloc[0] == ""
    assert "124.66 bn EUR is 2.69% of projected GDP, not 2.4%" in table["flag"].iloc[2]
    # a wider tolerance, asked for, lets 0.2943 points pass
    assert check_pledges(store, pledges, tolerance_pp=0.3).df["adds_up"].tolist() == [True] * 3


@pytest.mark.parametrize(
    ("tolerance", "accepted"), [(0, True), (5, True), (-0.1, False), (5.01, False)]
)
def test_pledge_tolerance_range(store, tolerance, accepted):
    pledges = _pledges(store, [_german_pledge(2026, 2.6943, 124.66)])
    if accepted:
        result = check_pledges(store, pledges, tolerance_pp=tolerance)
        assert result.query["tolerance_pp"] == tolerance
        # 2.6943 against the implied 2.694324: within 5 points, not within 0
        assert result.df["adds_up"].tolist() == [tolerance > 0]
    else:
        with pytest.raises(InputError, match=r"tolerance_pp .* is out of range: .* from 0 to 5"):
            check_pledges(store, pledges, tolerance_pp=tolerance)


def test_on_path_means_at_or_above_the_linear_path(store):
    """Germany 2029: a linear path from 2.6943% (2026) to 3.5% by 2035 stands at
    2.6943 + (3.5 - 2.6943) x 3/9 = 2.9629% in 2029. 2.97% is on it, 2.95% below it."""
    path_2029 = DEU_2026_SHARE + (3.5 - DEU_2026_SHARE) * 3 / 9
    assert path_2029 == pytest.approx(2.96288, abs=1e-5)
    pledges = _pledges(store, [_german_pledge(2029, 2.97), _german_pledge(2029, 2.95)])
    table = check_pledges(store, pledges).df
    assert table["hague_path_share"].tolist() == pytest.approx([path_2029] * 2)
    assert table["on_path"].tolist() == [True, False]
    assert table["flag"].iloc[0] == ""
    assert table["flag"].iloc[1] == "below a linear path to 3.5% by 2035 (2.96% in 2029)"
    # an amount without a share is judged by the share it makes of projected 2029 GDP
    # (EUR 5,121,943 m, WEO April 2026): 160 bn = 3.1238% (on the path), 150 bn = 2.9286% (not)
    amounts = _pledges(
        store, [_german_pledge(2029, None, 160.0), _german_pledge(2029, None, 150.0)]
    )
    table = check_pledges(store, amounts).df
    assert table["implied_share"].tolist() == pytest.approx(
        [100 * 160_000 / deu_gdp_2026(2029), 100 * 150_000 / deu_gdp_2026(2029)]
    )
    assert table["implied_share"].tolist() == pytest.approx([3.1238, 2.9286], abs=1e-4)
    assert table["on_path"].tolist() == [True, False]
