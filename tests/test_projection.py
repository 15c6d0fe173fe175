"""Paths to a target and checks of national plans, against figures worked out by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import milex
from milex.errors import InputError

# Germany: NATO 2026 edition, 2026 estimate: EUR 124,660 m = 2.69% of GDP; at 2021 prices
# USD 119,159 m of a GDP of USD 4,422,594 m (Table 5), so the share unrounded is 2.6943%.
DEU_2026_SPEND, DEU_2026_SHARE = 124660.0, 100 * 119159 / 4422594
# IMF WEO April 2025, Germany: real GDP growth (%) and GDP deflator index.
DEU_GROWTH = {2027: 1.452, 2028: 1.201, 2029: 0.954, 2030: 0.694}
DEU_DEFLATOR = {2026: 124.669, 2027: 127.311, 2028: 130.052, 2029: 132.87, 2030: 135.801}


def deu_gdp(year: int) -> float:
    """Nominal GDP (EUR m) behind NATO's 2026 figure, grown with the WEO to ``year``."""
    gdp = DEU_2026_SPEND * 4422594 / 119159
    for y in range(2027, year + 1):
        gdp *= (1 + DEU_GROWTH[y] / 100) * DEU_DEFLATOR[y] / DEU_DEFLATOR[y - 1]
    return gdp


def test_germany_linear_path_to_3_5_by_2029(store):
    table = milex.path("Deutschland", 3.5, 2029, store=store).set_index("year")
    assert table.index.tolist() == [2026, 2027, 2028, 2029]
    assert table.loc[2026, "spend_current"] == pytest.approx(DEU_2026_SPEND)
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
    assert table.attrs["currency"] == "EUR"


def test_constant_real_growth_path(store):
    table = milex.path("DEU", 3.5, 2029, method="real-growth", store=store).set_index("year")
    real_gdp_ratio = math.prod(1 + DEU_GROWTH[y] / 100 for y in (2027, 2028, 2029))
    rate = (3.5 / DEU_2026_SHARE * real_gdp_ratio) ** (1 / 3) - 1
    assert table.loc[2027:, "real_growth_pct"].tolist() == pytest.approx([100 * rate] * 3)
    assert table.loc[2029, "share_gdp"] == pytest.approx(3.5)


def test_extrapolation_beyond_the_weo_horizon(store):
    default = milex.path("DEU", 3.5, 2032, store=store).set_index("year")
    assert default.loc[2031, "basis"] == "extrapolated"
    weo_2030 = DEU_GROWTH[2030], 100 * (DEU_DEFLATOR[2030] / DEU_DEFLATOR[2029] - 1)
    ratio = default.loc[2031, "gdp_current"] / default.loc[2030, "gdp_current"]
    assert ratio == pytest.approx((1 + weo_2030[0] / 100) * (1 + weo_2030[1] / 100))
    faster = milex.path("DEU", 3.5, 2032, growth_after=3.0, inflation_after=2.0, store=store)
    ratio = faster.set_index("year").loc[2031, "gdp_current"] / default.loc[2030, "gdp_current"]
    assert ratio == pytest.approx(1.03 * 1.02)


@settings(max_examples=25, deadline=None)
@given(
    iso3=st.sampled_from(["DEU", "POL", "ESP", "CAN", "USA", "LTU"]),
    share=st.floats(min_value=0.5, max_value=10),
    by=st.integers(min_value=2027, max_value=2040),
    method=st.sampled_from(["linear", "real-growth"]),
)
def test_a_path_meets_its_target_exactly_in_its_year(store, iso3, share, by, method):
    table = milex.path(iso3, share, by, method=method, store=store)
    assert table["year"].iloc[-1] == by
    assert table["share_gdp"].iloc[-1] == pytest.approx(share, rel=1e-9)
    base = milex.series(iso3, "share_gdp", 2026, store=store)["value"].iloc[0]
    assert table["share_gdp"].iloc[0] == pytest.approx(base, abs=0.005)  # NATO prints 2 dp


def test_group_path_sums_members(store):
    group = milex.path("baltics", 3.5, 2030, store=store).set_index("year")
    members = [milex.path(c, 3.5, 2030, store=store) for c in ("EST", "LVA", "LTU")]
    # every Baltic state is above 3.5% in 2026, so each holds its share
    for one in members:
        assert one["share_gdp"].iloc[0] > 3.5
    base = milex.gap(3.5, 2026, group="baltics", store=store).set_index("iso3")
    assert group.loc[2026, "spend_current"] == pytest.approx(
        base.loc[["EST", "LVA", "LTU"], "spend_usd_current"].sum(), rel=1e-9
    )
    assert group.loc[2030, "share_gdp"] == pytest.approx(group.loc[2026, "share_gdp"], abs=0.05)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: milex.path("DEU", 3.5, 2020, store=s), "not after the base year 2026"),
        (lambda s: milex.path("DEU", 3.5, store=s), "needs a target year"),
        (lambda s: milex.path("DEU", 3.5, 2030, method="magic", store=s), "unknown method"),
        (lambda s: milex.path("Atlantis", 3.5, 2030, store=s), "unknown country 'Atlantis'"),
        (lambda s: milex.path("ISL", 3.5, 2030, store=s), "no armed forces"),
        (lambda s: milex.path("DEU", 3.5, 2030, base_year=2010, store=s), "base years with"),
        (lambda s: milex.path("RUS", 3.5, 2030, store=s), "no NATO figures for RUS"),
    ],
)
def test_bad_path_input(store, call, message):
    with pytest.raises(InputError, match=message):
        call(store)


def test_german_plan_does_not_add_up(store):
    """'3.5% in 2029, EUR 153 bn': EUR 153 bn is about 3.0% of projected 2029 GDP."""
    table = milex.pledges("Germany", store=store)
    plan = table[(table["target_year"] == 2029) & (table["target_amount"] == 153)].iloc[0]
    assert plan["implied_share"] == pytest.approx(100 * 153_000 / deu_gdp(2029))
    assert plan["implied_amount"] == pytest.approx(3.5 / 100 * deu_gdp(2029) / 1000)
    assert plan["adds_up"] is False
    assert "153 bn EUR is 2.99% of projected GDP, not 3.5%" in plan["flag"]
    assert plan["on_path"] is True  # 3.5% in 2029 is above a linear path to 3.5% by 2035


def test_russian_budget_adds_up_with_weo_gdp(store):
    """Russia's 2025 budget: RUB 13.5 trn National Defence = 6.31% of GDP (IMF WEO GDP)."""
    plan = milex.pledges("RUS", store=store)
    row = plan[plan["target_year"] == 2025].iloc[0]
    assert row["adds_up"] is True
    assert row["implied_share"] == pytest.approx(6.31, abs=0.01)


def test_a_share_only_pledge_gets_its_amount(store):
    """UK: 3.5% of GDP in 2035 (core), no amount given: milex gives the amount it implies."""
    gbr = milex.pledges("GBR", store=store)
    row = gbr[(gbr["target_year"] == 2035) & (gbr["scope"] == "core")].iloc[0]
    assert row["currency"] == "GBP"
    assert row["implied_amount"] == pytest.approx(3.5 / 100 * row["gdp"] / 1000)


def test_cumulative_amounts_are_not_compared(store):
    swe = milex.pledges("SWE", store=store).iloc[0]
    assert math.isnan(swe["implied_share"])
    assert "not an annual figure" in swe["flag"]


def test_pledges_for_unknown_country(store):
    with pytest.raises(InputError, match="no pledges recorded for ISL"):
        milex.pledges("Iceland", store=store)


def test_group_path_is_the_sum_of_member_paths(store):
    from milex import projection
    from milex.targets import resolve_target

    target = resolve_target(3.5, 2030)
    group = milex.path("europe-canada", 3.5, 2030, store=store).set_index("year")
    # in the base year the group share is NATO's own aggregate (NATO prints 2.53%)
    assert group.loc[2026, "share_gdp"] == pytest.approx(2.53, abs=0.015)
    total = 0
    for iso3 in group.attrs["members"]:
        start = projection.base(store, iso3, 2026)
        goal = max(start.share, 3.5)
        one = projection.path(store, iso3, target, 2026, end_share=goal).set_index("year")
        total = total + one["spend_current"] * start.usd_per_unit
    assert group["spend_current"].to_numpy() == pytest.approx(total.to_numpy())
    assert group.attrs["missing"].keys() == {"ISL"}
