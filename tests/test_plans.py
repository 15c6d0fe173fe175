"""Spending plans: a country's own plan from the pledge registry, or a path, on the central GDP
path. Expected figures: NATO's 2026-07 edition, the WEO April 2026 and the registry
(``data/pledges.csv``), by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import milex
from milex.projection.outlook import fetch
from milex.projection.plans import NATIONAL_SCOPE as NATIONAL
from milex.projection.plans import annual, disagreement, plan_for
from milex.targets import resolve_target

from .test_projection import DEU_2026_SHARE, DEU_2026_SPEND, deu_gdp_2026

YEARS = (2027, 2028, 2029)
# Poland 2026 (NATO 2026-07): PLN 37,515 m of a GDP of 802,068 m at 2021 prices and USD
POL_2026_SHARE = 100 * 37515 / 802068


def plan(store, iso3, share, by, **options):
    inputs = fetch(store, [iso3])
    return plan_for(store, inputs, iso3, resolve_target(share, by), **options)


def registry(store, *rows) -> pd.DataFrame:
    """A hand-built registry in the columns of pledges.csv (rows: announced, share, year,
    amount, unit, scope) for Germany."""
    columns = store.pledge_table().columns
    frame = pd.DataFrame(
        [
            {
                "iso3": "DEU",
                "country": "Germany",
                "announced": when,
                "target_share_gdp": share,
                "target_year": year,
                "target_amount": amount,
                "amount_currency": "EUR" if amount == amount else None,
                "amount_unit": unit,
                "scope": scope,
                "source": f"Source {i}, somewhere",
                "quote": "",
            }
            for i, (when, share, year, amount, unit, scope) in enumerate(rows)
        ],
        columns=columns,
    )
    frame["target_year"] = frame["target_year"].astype("Int64")
    return frame


def test_germany_plan_is_the_budget_of_2029_linear_in_money(store):
    """The registry's core rows for 2029, all announced 24 Jun 2025: 3.5% (AP), EUR 153 bn
    and 3.5% (POLITICO), EUR 162 bn (FT). The plan's form is money, so the first row with an
    amount wins: EUR 153 bn. From NATO's 2026 estimate EUR 124,660 m, linear in money:
    124,660 + (153,000 - 124,660) x 1/3 = 134,106.67 m in 2027 and x 2/3 = 143,553.33 in 2028.
    The 2025 rows (EUR 86 bn, 2.4%) are before the base year 2026."""
    germany = plan(store, "DEU", 3.5, 2029)
    assert (germany.method, germany.basis) == ("plan", "money")
    assert germany.years.tolist() == list(YEARS)
    step = (153_000 - DEU_2026_SPEND) / 3
    assert germany.amounts == pytest.approx([134_106.667, 143_553.333, 153_000.0], abs=1e-3)
    assert germany.amounts == pytest.approx([DEU_2026_SPEND + step * k for k in (1, 2, 3)])
    shares = [100 * germany.amounts[i] / deu_gdp_2026(y) for i, y in enumerate(YEARS)]
    assert germany.shares == pytest.approx(shares)
    assert germany.shares[-1] == pytest.approx(2.987, abs=1e-3)  # 153,000 / 5,122,... m
    text = germany.description
    assert "EUR 153 bn" in text and "POLITICO" in text and "2.99% of GDP" in text
    assert "not judged: EUR 162 bn in 2029 (Financial Times" in text
    assert "EUR 86 bn, 2.4% of GDP in 2025: not after NATO's base year 2026" in text
    assert germany.pledges["target_amount"].tolist() == [153.0]
    assert "POLITICO" in germany.pledges["source"].iloc[0]
    table = germany.table.set_index("year")
    assert table.loc[2026, "amount"] == DEU_2026_SPEND
    assert table.loc[2026, "share_gdp"] == pytest.approx(DEU_2026_SHARE)
    assert table.loc[2029, "gdp_current"] == pytest.approx(deu_gdp_2026(2029))
    assert {s.rsplit("-", 1)[0] for s in germany.source_ids} == {"nato-2026-07", "weo-2026-04"}


def test_germany_as_a_share_is_the_3_5_percent_linear_in_share(store):
    """basis share: the first row with a share, 3.5% (AP), linear in share from 2.6943%:
    2.6943 + (3.5 - 2.6943) x k/3, amounts at those shares of the central GDP."""
    germany = plan(store, "DEU", 3.5, 2029, basis="share")
    assert germany.basis == "share"
    shares = [DEU_2026_SHARE + (3.5 - DEU_2026_SHARE) * k / 3 for k in (1, 2, 3)]
    assert germany.shares == pytest.approx(shares)
    assert germany.amounts == pytest.approx(
        [s / 100 * deu_gdp_2026(y) for s, y in zip(shares, YEARS, strict=True)]
    )
    assert "Finance Minister Klingbeil" in germany.description
    assert "linear in share" in germany.description
    assert germany.pledges["target_amount"].isna().all()


def test_a_country_without_a_plan_holds_its_share_and_says_so(store):
    """Poland's registry rows are national budget lines for 2025 and 2026, none after the base
    year 2026: the plan holds 4.6773% of GDP, as a share."""
    poland = plan(store, "POL", 3.5, 2030)
    assert (poland.method, poland.basis) == ("hold", "share")
    assert poland.shares == pytest.approx([POL_2026_SHARE] * 4)
    assert poland.description.startswith("The pledge registry has no usable plan of Poland")
    assert "4.7% of GDP in 2025: not after NATO's base year 2026" in poland.description
    assert poland.pledges.empty
    money = plan(store, "POL", 3.5, 2030, method="hold", basis="money")
    assert money.basis == "money" and money.amounts == pytest.approx(poland.amounts)
    assert "fixed nominal budgets" in money.description


def test_the_latest_announced_wins_then_the_plans_form_then_the_registry_order(store, monkeypatch):
    """Hand registry for 2028: 3.0% announced 2025-06, EUR 150 bn announced 2025-08 (wins:
    latest); for 2029: 3.4% then EUR 170 bn, the same day (the amount wins: money plan);
    national budget line EUR 999 bn in 2029 ignored as core rows exist. Money: from EUR
    124,660 m, linear to 150,000 in 2028 (137,330 m in 2027), 170,000 in 2029."""
    rows = registry(
        store,
        ("2025-06-01", 3.0, 2028, np.nan, None, "core"),
        ("2025-08-01", np.nan, 2028, 150.0, "billion", "core"),
        ("2025-09-01", 3.4, 2029, np.nan, None, "core"),
        ("2025-09-01", np.nan, 2029, 170.0, "billion", "core"),
        ("2025-10-01", np.nan, 2029, 999.0, "billion", "national budget line"),
    )
    monkeypatch.setattr(store, "pledge_table", lambda: rows)
    germany = plan(store, "DEU", 3.5, 2029)
    assert germany.basis == "money"
    middle = (DEU_2026_SPEND + 150_000) / 2
    assert germany.amounts == pytest.approx([middle, 150_000, 170_000])
    assert germany.pledges["target_amount"].tolist() == [150.0, 170.0]
    assert "not judged: 3% of GDP in 2028" in germany.description
    assert "999" not in germany.description
    # as a share the 3.4% wins 2029; 2028's EUR 150 bn becomes its share of central GDP
    share = plan(store, "DEU", 3.5, 2029, basis="share")
    expected_2028 = 100 * 150_000 / deu_gdp_2026(2028)
    assert share.shares[1:] == pytest.approx([expected_2028, 3.4])
    assert share.shares[0] == pytest.approx((DEU_2026_SHARE + expected_2028) / 2)


def test_a_money_plan_holds_its_last_share_after_its_last_year(store, monkeypatch):
    """A core row of EUR 140 bn in 2027 and a cumulative amount: after 2027 the plan holds the
    share 140,000 m makes of 2027's central GDP (4,626,764 m in 2026 x 1.01183 x 130.285 /
    127.11 = 4,798,435 m): 100 x 140,000 / 4,798,435 = 2.9176%, as amounts
    of that share of each year's central GDP: 140,000 x GDP(y) / GDP(2027) (not the same
    nominal amount, whose share would erode as GDP grows). The cumulative EUR 500 bn is not
    one year's spending."""
    rows = registry(
        store,
        ("2025-06-01", np.nan, 2027, 140.0, "billion (annual defence budget)", "core"),
        ("2025-06-01", np.nan, 2030, 500.0, "billion, cumulative 2026-2030", "core"),
    )
    monkeypatch.setattr(store, "pledge_table", lambda: rows)
    germany = plan(store, "DEU", 3.5, 2030)
    years = (2027, 2028, 2029, 2030)
    held = 100 * 140_000 / deu_gdp_2026(2027)
    assert held == pytest.approx(100 * 140_000 / 4_798_435, abs=1e-4)
    assert held == pytest.approx(2.9176, abs=1e-4)
    assert germany.amounts == pytest.approx(
        [140_000 * deu_gdp_2026(y) / deu_gdp_2026(2027) for y in years]
    )
    assert germany.shares == pytest.approx([held] * 4)
    assert germany.basis == "money"
    assert f"held at {held:.2f}% of GDP from 2028 to 2030" in germany.description
    assert annual("billion (annual defence budget)") and not annual("billion, cumulative 2024")
    assert not annual("billion additional in 2025") and not annual(None)


def test_germanys_plan_to_2035_holds_2_99_percent_after_2029(store):
    """Germany's EUR 153 bn in 2029 is 2.9871% of central GDP; 2030-2035 hold that share, so
    2030's amount is 153,000 x GDP(2030) / GDP(2029) = 153,000 x 1.00655 x 139.223 / 136.14
    (WEO April 2026: 0.655% real growth, deflator 136.14 -> 139.223) = 157,490 m."""
    germany = plan(store, "DEU", 3.5, 2035)
    share = 100 * 153_000 / deu_gdp_2026(2029)
    assert germany.shares[2:] == pytest.approx([share] * 7)
    assert germany.amounts[3] == pytest.approx(153_000 * 1.00655 * 139.223 / 136.14)
    assert germany.amounts[3] == pytest.approx(157_490, abs=1)
    assert "held at 2.99% of GDP from 2030 to 2035" in germany.description


def test_a_national_line_in_money_is_not_judged_its_share_is(store, monkeypatch):
    """Only national budget lines: EUR 140 bn in 2027 (money, a national definition, not
    comparable with NATO's EUR 124,660 m for 2026) is not judged, so the plan holds the 2026
    share; a national line's 3.2% for 2028 is used, said to be a national definition."""
    money_only = registry(
        store,
        ("2025-06-01", np.nan, 2027, 140.0, "billion (annual defence budget)", NATIONAL),
    )
    monkeypatch.setattr(store, "pledge_table", lambda: money_only)
    germany = plan(store, "DEU", 3.5, 2029)
    assert (germany.method, germany.basis) == ("hold", "share")
    assert germany.shares == pytest.approx([DEU_2026_SHARE] * 3)
    assert (
        "EUR 140 bn in 2027: not judged: national definition in money, not comparable with "
        "NATO's EUR 124.7 bn for 2026" in germany.description
    )
    shares = registry(store, ("2025-06-01", 3.2, 2028, 150.0, "billion", NATIONAL))
    monkeypatch.setattr(store, "pledge_table", lambda: shares)
    germany = plan(store, "DEU", 3.5, 2029)
    assert (germany.method, germany.basis) == ("plan", "share")
    middle = (DEU_2026_SHARE + 3.2) / 2
    assert germany.shares == pytest.approx([middle, 3.2, 3.2])
    assert "national definition, not NATO's" in germany.description


def test_frances_national_budget_line_is_not_read_as_a_cut(store):
    """France's registry rows are all national budget lines: EUR 64 bn in 2027 (without the
    pensions NATO counts) is below NATO's EUR 67,632 m for 2026 (nato_2026-07.csv), so it is
    not judged; the cumulative and additional amounts are not one year's spending. France holds
    NATO's 2026 share, 2.22%."""
    france = plan(store, "FRA", 3.5, 2029)
    assert (france.method, france.basis) == ("hold", "share")
    assert france.base.spend == 67_632
    assert france.shares == pytest.approx([100 * 67_632 / france.base.gdp] * 3)
    assert f"{france.shares[0]:.2f}" == "2.22"
    assert (
        "EUR 64 bn in 2027: not judged: national definition in money, not comparable with "
        "NATO's EUR 67.6 bn for 2026" in france.description
    )


@pytest.mark.parametrize(
    ("share", "found"),
    # EUR 153 bn is 2.9871% of central GDP in 2029; the tolerance is 0.1 points
    [(3.5, True), (3.1, True), (3.08, False), (2.9, False), (2.88, True)],
)
def test_an_amount_and_a_share_that_disagree_are_found(store, monkeypatch, share, found):
    """|2.9871 - 3.1| = 0.113 > 0.1 and |2.9871 - 2.88| = 0.107: disagree; 3.08 (0.093) and
    2.9 (0.087) agree within conventions.toml's tolerance_pp of 0.1."""
    rows = registry(store, ("2025-06-24", share, 2029, 153.0, "billion", "core"))
    monkeypatch.setattr(store, "pledge_table", lambda: rows)
    germany = plan(store, "DEU", 3.5, 2029)
    got = disagreement(germany)
    assert (got is not None) == found
    if found:
        implied = 100 * 153_000 / deu_gdp_2026(2029)
        assert got == pytest.approx(
            {"year": 2029, "amount": 153.0, "share": share, "implied": implied}
        )


def test_germanys_registry_plan_disagrees_with_itself(store):
    """POLITICO: EUR 153 bn and 3.5% in 2029, 0.51 points apart; as a share the plan takes the
    AP row (3.5% only), which has nothing to disagree with."""
    got = disagreement(plan(store, "DEU", 3.5, 2029))
    assert got["share"] - got["implied"] == pytest.approx(3.5 - 2.9871, abs=1e-4)
    assert disagreement(plan(store, "DEU", 3.5, 2029, basis="share")) is None


def test_a_total_target_reads_total_plans(store):
    """The UK for 5% (total scope) by 2035: 4.1% in 2027 and 5% in 2035 (both announced
    24 Jun 2025), linear in share between; from 2.56% in 2026 to 4.1% in 2027."""
    uk = plan(store, "GBR", "hague-5", None)
    assert uk.basis == "share"
    assert uk.shares[0] == pytest.approx(4.1)
    assert uk.shares[-1] == pytest.approx(5.0)
    assert uk.shares[4] == pytest.approx(4.1 + 0.9 * 4 / 8)  # 2031: halfway 2027-2035


def test_paths_and_amounts_are_plans_too(store):
    linear = plan(store, "DEU", 3.5, 2029, method="linear")
    assert (linear.method, linear.basis) == ("linear", "money")
    shares = [DEU_2026_SHARE + (3.5 - DEU_2026_SHARE) * k / 3 for k in (1, 2, 3)]
    assert linear.shares == pytest.approx(shares)
    assert "not a government's plan" in linear.description
    amounts = {2027: 140_000, 2028: 145_000, 2029: 160_000}
    given = plan(store, "DEU", 3.5, 2029, amounts=amounts, basis="share")
    assert (given.method, given.basis) == ("amounts", "share")
    assert given.shares == pytest.approx([100 * amounts[y] / deu_gdp_2026(y) for y in YEARS])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "guess"}, r"unknown method 'guess': use plan, hold, linear"),
        ({"basis": "euros"}, r"unknown basis 'euros': use money .* or share"),
        ({"method": "linear", "amounts": {2027: 1.0}}, r"amounts were given with method"),
        ({"method": "amounts"}, r"method amounts needs amounts"),
        ({"amounts": {2027: 1e5}}, r"amounts missing for 2028, 2029"),
    ],
)
def test_bad_plans_are_refused(store, options, message):
    with pytest.raises(milex.InputError, match=message):
        plan(store, "DEU", 3.5, 2029, **options)
