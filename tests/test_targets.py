"""Gaps to a target, worked out by hand from NATO's published 2024 figures (2026 edition)."""

from __future__ import annotations

import pytest

import milex
from milex.errors import InputError
from milex.targets import resolve_target

# NATO, Defence Investment of NATO Countries (2014-2026), 2024 column: share of GDP (%),
# spending USD m current, USD m at 2021 prices, GDP USD m at 2021 prices, equipment share (%).
PUBLISHED_2024 = {
    "BEL": (1.27, 8549, 8153, 639697, 15.35),
    "POL": (3.75, 34454, 28155, 751117, 42.90),
    "EST": (3.31, 1425, 1179, 35661, 37.15),
    "LVA": (3.28, 1441, 1263, 38557, 25.31),
    "LTU": (3.07, 2626, 2193, 71379, 30.02),
}
# Germany 2024: EUR m current / USD m current, EUR m and USD m at 2021 prices (EUR/USD rates).
EUR_PER_USD_CURRENT = 86638 / 93747
EUR_PER_USD_CONST = 74002 / 87583


@pytest.mark.parametrize("iso3", ["BEL", "POL", "EST"])
def test_gap_of_an_ally(store, iso3):
    share, usd, usd_const, gdp_const, equipment = PUBLISHED_2024[iso3]
    row = milex.gap(3.5, 2024, iso3, store=store).set_index("iso3").loc[iso3]
    gdp_current = gdp_const * usd / usd_const  # Table 5 GDP at current prices
    assert row["spend_usd_const"] == usd_const
    assert row["gdp_usd_current"] == pytest.approx(gdp_current)
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


def test_belgium_gap_in_money():
    """Belgium 2024 needed 2.23 points more: about USD 15.0 bn at current prices."""
    gap = milex.gap("hague-3.5", 2024, "Belgique").iloc[0]
    assert gap["gap_usd_current"] == pytest.approx(2.23 / 100 * 639697 * 8549 / 8153)
    assert 14_900 < gap["gap_usd_current"] < 15_000


def test_group_gap_sums_money_and_weights_shares_by_gdp(store):
    table = milex.gap(3.5, 2024, group="baltics", store=store).set_index("iso3")
    baltic = ["EST", "LVA", "LTU"]
    members = {c: PUBLISHED_2024[c] for c in baltic}
    spend_const = sum(m[2] for m in members.values())
    gdp_const = sum(m[3] for m in members.values())
    gaps_current = [(3.5 - m[0]) / 100 * m[3] * m[1] / m[2] for m in members.values()]
    gaps_const = [(3.5 - m[0]) / 100 * m[3] for m in members.values()]
    total = table.loc["baltics"]
    assert total["share_gdp"] == pytest.approx(100 * spend_const / gdp_const)
    assert total["gap_pp"] == pytest.approx(3.5 - 100 * spend_const / gdp_const)
    assert total["gap_usd_current"] == pytest.approx(sum(gaps_current))
    assert total["gap_usd_const"] == pytest.approx(sum(gaps_const))
    assert total["shortfall_usd_current"] == pytest.approx(sum(g for g in gaps_current if g > 0))
    assert total["spend_usd_current"] == sum(m[1] for m in members.values())
    weighted_equipment = sum(m[4] * m[1] for m in members.values())
    assert total["equipment_share"] == pytest.approx(
        weighted_equipment / sum(m[1] for m in members.values())
    )


def test_group_money_is_the_sum_of_its_members(store):
    table = milex.gap(3.5, 2026, group="europe-canada", store=store)
    members, total = table.iloc[:-1], table.iloc[-1]
    for column in ("gap_usd_current", "gap_usd_const", "gap_eur_current", "spend_usd_current"):
        assert total[column] == pytest.approx(members[column].sum()), column


def test_group_share_matches_nato_aggregate(store):
    """NATO Europe and Canada in 2024: NATO prints 1.96% (its GDP counts Iceland's)."""
    total = milex.gap(3.5, 2024, group="europe-canada", store=store).iloc[-1]
    assert total["share_gdp"] == pytest.approx(1.96, abs=0.015)
    assert total["spend_usd_current"] == pytest.approx(515198, abs=20)


def test_allies_above_the_target_have_negative_gaps(store):
    table = milex.gap("wales-2", 2024, store=store).set_index("iso3")
    assert table.loc["POL", "gap_pp"] == pytest.approx(2 - 3.75)
    assert table.loc["POL", "shortfall_usd_current"] == 0
    assert "ISL" not in table.index


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


def test_unknown_country_and_group(store):
    with pytest.raises(InputError, match="unknown country 'Narnia'"):
        milex.gap(3.5, 2024, "Narnia", store=store)
    with pytest.raises(InputError, match="unknown group 'benelux'"):
        milex.gap(3.5, 2024, group="benelux", store=store)


def test_guidelines_are_data():
    rules = milex.guidelines().set_index("id")
    assert rules.loc["hague-3.5", ["threshold", "by", "scope"]].tolist() == [3.5, 2035, "core"]
    assert rules.loc["wales-equipment-20", "indicator"] == "equipment_share"
