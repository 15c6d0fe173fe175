"""Guidelines and gaps, worked out by hand from NATO's published figures.

Figures are from the reference compilation in ../shared/data: ``nato_defence_expenditure_2026.csv``
(NATO, Defence Investment of NATO Countries (2014-2026), July 2026 edition, "2026-07") and
``nato_defence_expenditure.csv`` (NATO, Defence Expenditure of NATO Countries (2014-2024),
June 2024 edition, "2024-06").
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import milex
from milex.errors import InputError
from milex.money import gdp_behind
from milex.targets import resolve_target

# 2026-07 edition, 2024 column: share of GDP (%), spending USD m current, USD m at 2021 prices,
# GDP USD m at 2021 prices (Table 5), equipment share (% of defence expenditure).
PUBLISHED_2024 = {
    "BEL": (1.27, 8549, 8153, 639697, 15.35),
    "POL": (3.75, 34454, 28155, 751117, 42.90),
    "EST": (3.31, 1425, 1179, 35661, 37.15),
    "LVA": (3.28, 1441, 1263, 38557, 25.31),
    "LTU": (3.07, 2626, 2193, 71379, 30.02),
}
# Germany 2024 (2026-07 edition): EUR m current / USD m current, EUR m / USD m at 2021 prices.
EUR_PER_USD_CURRENT = 86638 / 93747
EUR_PER_USD_CONST = 74002 / 87583

# 2024-06 edition, 2023 column (estimates): share of GDP (%), spending USD m current.
PUBLISHED_2023_V2024 = {"EST": (3.04, 1238), "LVA": (2.87, 1254), "LTU": (2.78, 2165)}
# Germany 2023 in the 2024-06 edition: EUR 67,621 m = USD 73,138 m.
EUR_PER_USD_2023_V2024 = 67621 / 73138


def by_code(result) -> pd.DataFrame:
    return result.df.set_index("iso3")


# ------------------------------------------------------------------------------ one ally


@pytest.mark.parametrize("iso3", ["BEL", "POL", "EST"])
def test_gap_of_an_ally(store, iso3):
    share, usd, usd_const, gdp_const, equipment = PUBLISHED_2024[iso3]
    result = milex.gap(3.5, 2024, countries=iso3, store=store)
    row = by_code(result).loc[iso3]
    gdp_current = gdp_const * usd / usd_const  # Table 5 GDP at current prices
    assert row["spend_usd_const"] == usd_const
    assert row["gdp_usd_current"] == pytest.approx(gdp_current)
    assert row["gdp_usd_const"] == gdp_const
    assert row["gap_pp"] == pytest.approx(3.5 - share)
    assert row["gap_usd_current"] == pytest.approx((3.5 - share) / 100 * gdp_current)
    assert row["gap_usd_const"] == pytest.approx((3.5 - share) / 100 * gdp_const)
    assert row["gap_eur_current"] == pytest.approx(
        (3.5 - share) / 100 * gdp_current * EUR_PER_USD_CURRENT
    )
    assert row["gap_eur_const"] == pytest.approx(
        (3.5 - share) / 100 * gdp_const * EUR_PER_USD_CONST
    )
    assert row["equipment_gap_pp"] == pytest.approx(20 - equipment)
    assert row["shortfall_usd_current"] == pytest.approx(max(0, row["gap_usd_current"]))
    assert result.extra["eur_per_usd"]["current"] == pytest.approx(EUR_PER_USD_CURRENT)
    assert result.extra["eur_per_usd"]["constant"] == pytest.approx(EUR_PER_USD_CONST)
    assert result.units["gap_eur_const"] == "EUR million constant 2021"
    assert result.query["year"] == 2024


def test_belgium_gap_in_money(store):
    """Belgium 2024 needed 2.23 points more: about USD 15.0 bn at current prices."""
    gap = milex.gap("hague-3.5", 2024, countries="Belgique", store=store).df.iloc[0]
    assert gap["gap_usd_current"] == pytest.approx(2.23 / 100 * 639697 * 8549 / 8153)
    assert 14_900 < gap["gap_usd_current"] < 15_000


def test_gap_at_constant_prices_is_the_points_times_table_5_gdp(store):
    """Belgium 2024: 2.23 points of a GDP of USD 639,697 m at 2021 prices = USD 14,265.24 m,
    = EUR 12,053.1 m at Germany's 2021-price rate (74,002 / 87,583)."""
    row = by_code(milex.gap(3.5, 2024, countries="BEL", store=store)).loc["BEL"]
    assert row["gap_usd_const"] == pytest.approx(14_265.2431, abs=1e-3)  # 0.0223 x 639,697
    assert row["gap_eur_const"] == pytest.approx(14_265.2431 * 74002 / 87583, abs=1e-3)
    # at current prices the same points are worth more: GDP x 8,549 / 8,153
    assert row["gap_usd_current"] == pytest.approx(14_265.2431 * 8549 / 8153, abs=1e-3)


# ------------------------------------------------------------------------------ groups


def test_group_gap_sums_money_and_weights_shares_by_gdp(store):
    result = milex.gap(3.5, 2024, group="baltics", store=store)
    table = by_code(result)
    members = {c: PUBLISHED_2024[c] for c in ("EST", "LVA", "LTU")}
    spend_const = sum(m[2] for m in members.values())
    gdp_const = sum(m[3] for m in members.values())
    gaps_current = [(3.5 - m[0]) / 100 * m[3] * m[1] / m[2] for m in members.values()]
    gaps_const = [(3.5 - m[0]) / 100 * m[3] for m in members.values()]
    total = table.loc["baltics"]
    assert total["share_gdp"] == pytest.approx(100 * spend_const / gdp_const)
    assert total["share_basis"] == "weighted 2021 GDP"  # NATO publishes no Baltic aggregate
    assert total["gap_pp"] == pytest.approx(3.5 - 100 * spend_const / gdp_const)
    assert total["gap_usd_current"] == pytest.approx(sum(gaps_current))
    assert total["gap_usd_const"] == pytest.approx(sum(gaps_const))
    assert total["shortfall_usd_current"] == pytest.approx(sum(g for g in gaps_current if g > 0))
    assert total["spend_usd_current"] == sum(m[1] for m in members.values())
    weighted_equipment = sum(m[4] * m[1] for m in members.values())
    assert total["equipment_share"] == pytest.approx(
        weighted_equipment / sum(m[1] for m in members.values())
    )


def test_group_row_shows_net_gap_and_shortfall_in_usd_and_eur(store):
    """Baltics 2024 against 3.2%: Estonia (3.31) and Latvia (3.28) are above, Lithuania (3.07)
    below. At 2021 prices (points / 100 x Table 5 GDP, USD m):
    Estonia  -0.11 x 35,661 / 100 = -39.2271
    Latvia   -0.08 x 38,557 / 100 = -30.8456
    Lithuania 0.13 x 71,379 / 100 =  92.7927
    net gap = 22.72, shortfall (Lithuania alone) = 92.7927."""
    table = by_code(milex.gap(3.2, 2024, group="baltics", store=store))
    total = table.loc["baltics"]
    assert total["gap_usd_const"] == pytest.approx(-39.2271 - 30.8456 + 92.7927, abs=1e-6)
    assert total["gap_usd_const"] == pytest.approx(22.72, abs=1e-6)
    assert total["shortfall_usd_const"] == pytest.approx(92.7927, abs=1e-6)
    assert total["gap_eur_const"] == pytest.approx(22.72 * EUR_PER_USD_CONST, abs=1e-6)
    assert total["shortfall_eur_const"] == pytest.approx(92.7927 * EUR_PER_USD_CONST, abs=1e-6)
    # at current prices each member's points apply to Table 5 GDP x current / constant spending
    est = -0.11 / 100 * 35661 * 1425 / 1179
    lva = -0.08 / 100 * 38557 * 1441 / 1263
    ltu = 0.13 / 100 * 71379 * 2626 / 2193
    assert total["gap_usd_current"] == pytest.approx(est + lva + ltu)
    assert total["shortfall_usd_current"] == pytest.approx(ltu)
    assert total["gap_eur_current"] == pytest.approx((est + lva + ltu) * EUR_PER_USD_CURRENT)
    assert total["shortfall_eur_current"] == pytest.approx(ltu * EUR_PER_USD_CURRENT)
    # members above the target have a negative gap and no shortfall
    assert table.loc["EST", "gap_usd_const"] == pytest.approx(-39.2271, abs=1e-6)
    assert table.loc["EST", "shortfall_usd_const"] == 0
    assert table.loc["EST", "shortfall_eur_current"] == 0


def test_group_row_in_an_edition_without_constant_prices(store):
    """Baltics 2023 in the 2024-06 edition against 2.9%, GDP = spending / share (USD m):
    Estonia  (2.9 - 3.04) x 1,238 / 3.04 = -57.0132
    Latvia   (2.9 - 2.87) x 1,254 / 2.87 =  13.1080
    Lithuania (2.9 - 2.78) x 2,165 / 2.78 = 93.4532
    net gap = 49.5480, shortfall = 106.5612; no constant-price money (said why)."""
    result = milex.gap(2.9, 2023, group="baltics", vintage="2024-06", store=store)
    total = by_code(result).loc["baltics"]
    gaps = {c: (2.9 - s) * usd / s for c, (s, usd) in PUBLISHED_2023_V2024.items()}
    assert gaps["EST"] == pytest.approx(-57.0132, abs=1e-4)
    assert gaps["LVA"] == pytest.approx(13.1080, abs=1e-4)
    assert gaps["LTU"] == pytest.approx(93.4532, abs=1e-4)
    assert total["gap_usd_current"] == pytest.approx(49.5480, abs=1e-3)
    assert total["shortfall_usd_current"] == pytest.approx(106.5612, abs=1e-3)
    assert total["gap_eur_current"] == pytest.approx(49.5480 * EUR_PER_USD_2023_V2024, abs=1e-3)
    assert total["shortfall_eur_current"] == pytest.approx(
        106.5612 * EUR_PER_USD_2023_V2024, abs=1e-3
    )
    # no constant-price GDP in this edition: the share weights by GDP at current prices,
    # 100 x (1,238 + 1,254 + 2,165) / (40,723.68 + 43,693.38 + 77,877.70) = 2.8695%
    assert total["share_basis"] == "weighted current GDP"
    assert total["share_gdp"] == pytest.approx(100 * 4657 / 162_294.76, abs=1e-5)
    assert total["gap_pp"] == pytest.approx(2.9 - 100 * 4657 / 162_294.76, abs=1e-5)
    assert math.isnan(total["gap_usd_const"]) and math.isnan(total["shortfall_eur_const"])
    note = result.extra["column_notes"]["shortfall_usd_const"]
    assert "2024 edition is embedded without its constant-price tables" in note
    assert "gap_usd_current" not in result.extra["column_notes"]
    assert math.isnan(result.extra["eur_per_usd"]["constant"])
    assert set(result.df["status"]) == {"estimate"}  # 2023 figures of June 2024: estimates
    assert set(result.df["vintage"]) == {"2024-06"}


def test_gap_in_a_partly_embedded_edition(store):
    """The August 2025 edition is embedded with its share of GDP only (Table 3, 2024
    estimates: Germany 2.00%, Poland 3.79%): points, no money, and the columns say why."""
    result = milex.gap(3.5, 2024, countries=["DEU", "POL"], vintage="2025-08", store=store)
    table = by_code(result)
    assert table["gap_pp"].tolist() == pytest.approx([3.5 - 2.00, 3.5 - 3.79])
    assert table["gap_usd_current"].isna().all() and table["gap_eur_const"].isna().all()
    notes = result.extra["column_notes"]
    assert set(notes) == {
        f"{what}_{currency}_{prices}"
        for what in ("gap", "shortfall")
        for currency in ("usd", "eur")
        for prices in ("current", "const")
    }
    assert all("Only part of the 2025 edition is embedded" in n for n in notes.values())


def test_group_row_of_chosen_members(store):
    """Germany and France against 3.5% in 2024 (2026-07 edition): a group row for chosen
    members is not NATO's aggregate; it weights by GDP at 2021 prices:
    100 x (87,583 + 63,725) / (4,378,673 + 3,131,175) = 2.0147%."""
    result = milex.gap(3.5, 2024, countries=["DEU", "FRA"], group="europe-canada", store=store)
    table = result.df
    assert table["iso3"].tolist() == ["FRA", "DEU", "europe-canada"]  # by name, then the group
    assert list(table.index) == [0, 1, 2]
    total = table.iloc[-1]
    assert total["share_basis"] == "weighted 2021 GDP"
    assert total["share_gdp"] == pytest.approx(100 * (87583 + 63725) / (4378673 + 3131175))
    gaps = (3.5 - 2.00) / 100 * 4378673 + (3.5 - 2.04) / 100 * 3131175
    assert total["gap_usd_const"] == pytest.approx(gaps)
    assert table["share_basis"].tolist()[:2] == ["published", "published"]
    assert result.query["countries"] == ["FRA", "DEU"]
    assert result.query["group"] == "europe-canada"


def test_group_of_one_member(store):
    """Estonia alone as the Baltic group, 2024: the group row is Estonia's figures,
    gap 0.19 x 35,661 / 100 = USD 67.7559 m at 2021 prices, equipment 37.15%."""
    table = by_code(milex.gap(3.5, 2024, countries="EST", group="baltics", store=store))
    total = table.loc["baltics"]
    assert total["gap_usd_const"] == pytest.approx(67.7559)
    assert total["shortfall_usd_const"] == pytest.approx(67.7559)
    assert total["spend_usd_current"] == 1425
    assert total["equipment_share"] == pytest.approx(37.15)
    assert total["share_gdp"] == pytest.approx(100 * 1179 / 35661)
    assert total["name"] == "Baltic states" and total["year"] == 2024


def test_gap_defaults_and_row_order(store):
    """Without a year: the edition's latest (2026 in 2026-07, 2024 in 2024-06). Rows go by
    name (Croatia before Czechia, Denmark before Germany); Sweden was no ally in 2023, so only
    Iceland is missing then."""
    latest = milex.gap(3.5, store=store)
    assert latest.query["year"] == 2026 and (latest.df["year"] == 2026).all()
    assert set(latest.df["status"]) == {"estimate"}
    assert milex.gap(3.5, vintage="2024-06", store=store).query["year"] == 2024
    codes = milex.gap("wales-2", 2024, store=store).df["iso3"].tolist()
    assert codes.index("HRV") < codes.index("CZE") and codes.index("DNK") < codes.index("DEU")
    assert codes[-1] == "USA" and len(codes) == 31  # 32 allies less Iceland
    earlier = milex.gap("wales-2", 2023, store=store)
    assert earlier.extra["missing"].keys() == {"ISL"}
    assert set(earlier.df["status"]) == {"actual"} and set(earlier.df["vintage"]) == {"2026-07"}
    assert set(earlier.df["source"]) == {"nato"}
    baltic = by_code(milex.gap(3.5, 2026, group="baltics", store=store))
    assert baltic.loc["baltics", "status"] == "estimate"
    assert baltic.loc["baltics", "name"] == "Baltic states"
    assert baltic.loc["EST", "name"] == "Estonia"


def test_group_share_is_natos_published_aggregate(store):
    """NATO Europe and Canada 2023 in the 2024-06 edition: NATO printed 1.78% of GDP
    (nato_defence_expenditure.csv, NATO_EUROPE_CANADA 2023 share_gdp). The group row shows it,
    says so, and its money is the members' net gap and their shortfall."""
    result = milex.gap("wales-2", 2023, group="europe-canada", vintage="2024-06", store=store)
    table = by_code(result)
    total = table.loc["europe-canada"]
    members = table.drop(index="europe-canada")
    assert total["share_gdp"] == 1.78
    assert "published" in total["share_basis"] and "NATO_EUROPE_CANADA" in total["share_basis"]
    assert total["gap_pp"] == pytest.approx(2 - 1.78)
    assert "USA" not in table.index and "ISL" not in table.index
    assert len(members) == 29  # 31 allies in 2023 (Finland from April) less the US and Iceland
    for currency, rate in (("usd", 1.0), ("eur", EUR_PER_USD_2023_V2024)):
        net = f"gap_{currency}_current"
        short = f"shortfall_{currency}_current"
        assert total[net] == pytest.approx(members[net].sum())
        assert total[short] == pytest.approx(members.loc[members[net] > 0, net].sum())
        assert total[short] > total[net] > 0  # Poland, Greece, the Baltics ... offset the rest
        assert total[net] == pytest.approx(members["gap_usd_current"].sum() * rate)
    # Germany's own row: (2 - 1.64) x 73,138 / 1.64 USD m
    assert table.loc["DEU", "gap_usd_current"] == pytest.approx(0.36 * 73138 / 1.64)


def test_group_money_is_the_sum_of_its_members(store):
    table = milex.gap(3.5, 2026, group="europe-canada", store=store).df
    members, total = table.iloc[:-1], table.iloc[-1]
    for column in (
        "gap_usd_current",
        "gap_usd_const",
        "gap_eur_current",
        "gap_eur_const",
        "spend_usd_current",
    ):
        assert total[column] == pytest.approx(members[column].sum()), column


def test_group_share_matches_nato_aggregate(store):
    """NATO Europe and Canada in 2024: NATO prints 1.96% (its GDP counts Iceland's)."""
    total = milex.gap(3.5, 2024, group="europe-canada", store=store).df.iloc[-1]
    assert total["share_gdp"] == pytest.approx(1.96, abs=0.015)
    assert total["spend_usd_current"] == pytest.approx(515198, abs=20)


def test_a_group_lists_members_only_from_the_year_they_joined(store):
    """Finland joined NATO on 4 April 2023, Sweden on 7 March 2024: the Nordic allies of 2023
    are Denmark, Finland and Norway (Iceland has no armed forces), Sweden counts from 2024."""
    result = milex.gap("wales-2", 2023, group="nordics", store=store)
    table = by_code(result)
    assert list(table.index) == ["DNK", "FIN", "NOR", "nordics"]
    assert "not a NATO ally in 2023" in result.extra["missing"]["SWE"]
    assert "ISL" in result.extra["missing"]
    members = table.drop(index="nordics")
    assert table.loc["nordics", "spend_usd_current"] == pytest.approx(
        members["spend_usd_current"].sum()
    )
    later = by_code(milex.gap("wales-2", 2024, group="nordics", store=store))
    assert "SWE" in later.index


def test_allies_above_the_target_have_negative_gaps(store):
    table = by_code(milex.gap("wales-2", 2024, store=store))
    assert table.loc["POL", "gap_pp"] == pytest.approx(2 - 3.75)
    assert table.loc["POL", "shortfall_usd_current"] == 0
    assert "ISL" not in table.index


def test_a_total_scope_target_carries_its_caveat(store):
    result = milex.gap("hague-5", 2024, countries="DEU", store=store)
    assert result.query["target"] == 5.0
    assert any("1.5" in c for c in result.caveats)
    assert milex.gap("hague-3.5", 2024, countries="DEU", store=store).caveats == []


# ------------------------------------------------------------------------------ status


def test_allies_exactly_at_a_guideline_meet_it(store):
    """The 2026-07 edition prints Belgium and Spain at 2.00% of GDP in 2026 (estimates) and
    Germany at 2.00% in 2024 (actual): at a guideline means meeting it. Denmark's 3.49% in 2026
    does not meet 3.5%; equipment: Albania 20.10% meets 20%, the Netherlands 19.82% does not."""
    latest = by_code(milex.status(2026, store=store))
    assert latest.loc[["BEL", "ESP"], "share_gdp"].tolist() == [2.00, 2.00]
    assert latest.loc[["BEL", "ESP"], "meets_wales_2"].tolist() == [True, True]
    assert latest.loc[["BEL", "ESP"], "meets_hague_3_5"].tolist() == [False, False]
    assert latest.loc["DNK", "share_gdp"] == 3.49
    assert latest.loc[["DNK", "POL"], "meets_hague_3_5"].tolist() == [False, True]  # POL 4.68
    earlier = by_code(milex.status(2024, store=store))
    assert earlier.loc["DEU", "share_gdp"] == 2.00
    assert earlier.loc[["DEU", "BEL"], "meets_wales_2"].tolist() == [True, False]  # BEL 1.27
    equipment = earlier.loc[["ALB", "NLD"], "meets_wales_equipment_20"].tolist()
    assert equipment == [True, False]  # 20.10 and 19.82


def test_status_of_an_earlier_edition(store):
    """2023 in the 2024-06 edition (nato_defence_expenditure.csv, all 2023 figures estimates):
    the 31 allies of 2023 (Finland from April, Sweden not yet), then NATO Europe and Canada
    (1.78%) and NATO Total (2.53%): the totals get the 2% and 3.5% marks, not the equipment mark
    (NATO publishes no equipment share for them). The edition has no real change (its
    constant-price tables are not embedded): the column says why."""
    result = milex.status(2023, vintage="2024-06", store=store)
    table = by_code(result)
    assert len(table) == 33
    assert list(table.index[-2:]) == ["NATO_EUROPE_CANADA", "NATO_TOTAL"]
    assert "FIN" in table.index and "SWE" not in table.index
    assert table.loc["NATO_TOTAL", "share_gdp"] == 2.53
    assert table.loc["NATO_EUROPE_CANADA", "share_gdp"] == 1.78
    assert table.loc["NATO_TOTAL", "spend_usd_current"] == 1294808
    marks = ["meets_wales_2", "meets_hague_3_5"]
    assert table.loc["NATO_TOTAL", marks].tolist() == [True, False]
    assert table.loc["NATO_EUROPE_CANADA", marks].tolist() == [False, False]
    assert pd.isna(table.loc["NATO_TOTAL", "meets_wales_equipment_20"])
    assert table.loc[["NATO_TOTAL", "DEU"], "kind"].tolist() == ["aggregate", "country"]
    assert table.loc["DEU", ["share_gdp", "equipment_share", "status"]].tolist() == [
        1.64,
        18.04,
        "estimate",
    ]
    assert table.loc["DEU", ["meets_wales_2", "meets_wales_equipment_20"]].tolist() == [
        False,
        False,
    ]
    assert (table["year"] == 2023).all() and (table["source"] == "nato").all()
    assert table.loc["ISL", "status"] == "missing"
    assert pd.isna(table.loc["ISL", "meets_wales_2"])
    assert "no armed forces" in table.loc["ISL", "note"]
    assert "constant-price" in result.extra["column_notes"]["real_change_pct"]
    assert table["real_change_pct"].isna().all()
    assert result.units["share_gdp"] == "percent of GDP"
    assert result.query == {"year": 2023, "source": "nato", "vintage": "2024-06"}
    # the same year in the newest edition: actual figures, Germany revised to 1.60%
    newest = by_code(milex.status(2023, store=store))
    assert newest.loc["DEU", ["share_gdp", "status"]].tolist() == [1.60, "actual"]
    assert newest.loc["DEU", "vintage"] == "2026-07"


def test_status_rows_and_errors(store):
    """Allies by name, then NATO's aggregates; SIPRI's countries by name, the world last.
    Asking for a source without shares, or a year without figures, says what to give."""
    codes = milex.status(2024, store=store).df["iso3"].tolist()
    assert codes.index("HRV") < codes.index("CZE") and codes.index("DNK") < codes.index("DEU")
    assert codes[-3:] == ["USA", "NATO_EUROPE_CANADA", "NATO_TOTAL"]
    sipri = milex.status(source="sipri", store=store).df["iso3"].tolist()
    assert sipri[-1] == "WLD" and sipri.index("CHN") < sipri.index("IND")
    assert milex.status(vintage="2024-06", store=store).query["year"] == 2024
    with pytest.raises(InputError, match="weo has no share-of-GDP figures: use source nato"):
        milex.status(source="weo", store=store)
    with pytest.raises(InputError, match="weo edition 2026-04 has no share-of-GDP figures"):
        milex.status(source="weo", vintage="2026-04", store=store)
    with pytest.raises(InputError, match=r"no nato figures for 1990: .* from 2014 to 2026"):
        milex.status(1990, store=store)
    with pytest.raises(InputError, match=r"no nato figures for 1990: .* from 2014 to 2026"):
        milex.gap(3.5, 1990, store=store)


def test_status_defaults_to_the_latest_year(store):
    """The 2026-07 edition's latest year is 2026 (estimates): Poland 4.68%, NATO Total 2.86%."""
    result = milex.status(store=store)
    table = by_code(result)
    assert result.query["year"] == 2026
    assert table.loc["POL", "share_gdp"] == 4.68
    assert table.loc["NATO_TOTAL", ["share_gdp", "meets_wales_2"]].tolist() == [2.86, True]
    assert table.loc["POL", "status"] == "estimate"
    assert len(table) == 34  # 32 allies and two aggregates


def test_guideline_marks_are_missing_for_non_allies(store):
    """SIPRI covers Russia, China ...: NATO's guidelines are the allies', so no marks."""
    result = milex.status(source="sipri", store=store)
    table = by_code(result)
    assert {"RUS", "CHN", "UKR"} <= set(table.index)
    assert table.loc["RUS", "share_gdp"] > 3.5  # a figure is there, the mark is not
    for column in ("meets_wales_2", "meets_hague_3_5", "meets_wales_equipment_20"):
        assert table[column].isna().all(), column
    assert any("allies only" in note for note in result.notes)


def test_latest_is_the_newest_year():
    """Poland's newest figure is the 2026 estimate of the 2026-07 edition: 4.68% of GDP."""
    row = milex.latest("POL").iloc[0]
    assert (row["year"], row["value"], row["vintage"]) == (2026, 4.68, "2026-07")


# ------------------------------------------------------------------------------ input


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (0.035, "not 0.035"),
        (-2, "out of range"),
        (120, "out of range"),
        ("hague-9", "unknown target 'hague-9'"),
        ("wales-equipment-20", "not a share of GDP"),
    ],
)
def test_bad_targets(target, message):
    with pytest.raises(InputError, match=message):
        resolve_target(target)


def test_target_ranges_and_guidelines():
    """Shares from 0.5 to 50% of GDP and years from 2000 to 2100 are accepted; a guideline
    brings its share, deadline and scope (guidelines.toml: Wales 2% by 2024, core; The Hague
    5% by 2035, total), and a year given overrides the deadline."""
    assert resolve_target(0.5).share == 0.5 and resolve_target(50).share == 50
    for share in (0.49, 50.01):
        with pytest.raises(InputError, match="out of range"):
            resolve_target(share)
    assert resolve_target(3.5, 2000).by == 2000 and resolve_target(3.5, 2100).by == 2100
    for year in (1999, 2101):
        with pytest.raises(InputError, match=f"target year {year} is out of range"):
            resolve_target(3.5, year)
    wales = resolve_target("wales-2")
    assert (wales.share, wales.by, wales.scope, wales.guideline) == (2.0, 2024, "core", "wales-2")
    assert wales.label == "2% of GDP (Wales 2014)" and resolve_target(3.5).label == "3.5% of GDP"
    with pytest.raises(InputError, match=r"a guideline \(wales-2, hague-3.5, hague-5\)$"):
        resolve_target("hague-9")  # the share-of-GDP guidelines, not the equipment one
    hague = resolve_target("hague-5")
    assert (hague.share, hague.by, hague.scope) == (5.0, 2035, "total")
    later = resolve_target("wales-2", 2030)
    assert (later.share, later.by, later.guideline) == (2.0, 2030, None)
    assert resolve_target("3.5").share == 3.5 and resolve_target(3.5).by == 0
    with pytest.raises(InputError, match="unknown scope 'all'"):
        resolve_target(3.5, scope="all")


def test_gdp_behind_a_figure_without_constant_prices():
    """The 2024-06 edition has no constant-price tables: GDP = spending / share. Germany 2023
    (nato_defence_expenditure.csv): EUR 67,621 m = USD 73,138 m = 1.64% of GDP, so GDP is
    EUR 4,123,231.7 m = USD 4,459,634.1 m. With Table 5 (2026-07 edition, 2024: USD 87,583 m
    of USD 4,378,673 m at 2021 prices) GDP = 4,378,673 x current / constant spending."""
    wide = pd.DataFrame(
        {
            "share_gdp": [1.64, 2.00],
            "spend_national_current": [67621.0, 86638.0],
            "spend_usd_current": [73138.0, 93747.0],
            "spend_usd_const": [float("nan"), 87583.0],
            "gdp_usd_const": [float("nan"), 4378673.0],
        },
        index=["2023 (2024-06)", "2024 (2026-07)"],
    )
    gdp = gdp_behind(wide)
    assert gdp["gdp_national_current"].tolist() == pytest.approx(
        [67621 / 1.64 * 100, 86638 * 4378673 / 87583]
    )
    assert gdp["gdp_usd_current"].tolist() == pytest.approx(
        [73138 / 1.64 * 100, 93747 * 4378673 / 87583]
    )


def test_unknown_country_and_group(store):
    with pytest.raises(InputError, match="unknown country 'Narnia'"):
        milex.gap(3.5, 2024, countries="Narnia", store=store)
    with pytest.raises(InputError, match="unknown group 'benelux'"):
        milex.gap(3.5, 2024, group="benelux", store=store)


def test_guidelines_are_data():
    rules = milex.guidelines().set_index("id")
    assert rules.loc["hague-3.5", ["threshold", "by", "scope"]].tolist() == [3.5, 2035, "core"]
    assert rules.loc["wales-2", ["threshold", "by"]].tolist() == [2.0, 2024]
    assert rules.loc["wales-equipment-20", "indicator"] == "equipment_share"
