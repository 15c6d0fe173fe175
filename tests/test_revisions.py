"""milex.revisions: what changed between two editions, on frames written out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from milex.errors import InputError
from milex.revisions import compare, listed, summary

PCT = "percent of GDP"


def frame(*rows: tuple) -> pd.DataFrame:
    """Tidy rows (iso3, year, indicator, value, unit, status), plus a column compare ignores."""
    cols = ["iso3", "year", "indicator", "value", "unit", "status"]
    return pd.DataFrame(rows, columns=cols).assign(source="nato")


def row(changes: pd.DataFrame, iso3: str, year: int, indicator: str = "share_gdp") -> pd.Series:
    hit = changes[
        (changes["iso3"] == iso3) & (changes["year"] == year) & (changes["indicator"] == indicator)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# Poland as NATO published it: 2024 4.12 (estimate, June 2024) and 3.75 (actual, July 2026);
# 2023 3.26 in both, an estimate that became actual unchanged. The rest is made up.
OLD = frame(
    ("POL", 2023, "share_gdp", 3.26, PCT, "estimate"),
    ("POL", 2024, "share_gdp", 4.12, PCT, "estimate"),
    ("DEU", 2022, "share_gdp", 1.49, PCT, "actual"),
    ("BGR", 2024, "spend_national_current", 4000.0, "BGN million current", "actual"),
    ("FRA", 2014, "share_gdp", 0.0, PCT, "actual"),
    ("ITA", 2014, "share_gdp", 2.0, PCT, "actual"),
)
NEW = frame(
    ("POL", 2023, "share_gdp", 3.26, PCT, "actual"),
    ("POL", 2024, "share_gdp", 3.75, PCT, "actual"),
    ("POL", 2025, "share_gdp", 4.25, PCT, "estimate"),
    ("BGR", 2024, "spend_national_current", 2045.17, "EUR million current", "actual"),
    ("FRA", 2014, "share_gdp", 0.01, PCT, "actual"),
    ("ITA", 2014, "share_gdp", 2.0, PCT, "actual"),
)


def test_every_kind():
    changes = compare(OLD, NEW)
    poland = row(changes, "POL", 2024)
    assert poland["kind"] == "revised" and poland["became_actual"]
    assert (poland["old_value"], poland["new_value"]) == (4.12, 3.75)
    assert poland["change"] == pytest.approx(3.75 - 4.12)  # -0.37 points
    assert poland["relative"] == pytest.approx(-0.37 / 4.12)  # -8.98%
    assert (poland["old_status"], poland["new_status"]) == ("estimate", "actual")
    same = row(changes, "POL", 2023)
    assert same["kind"] == "unchanged" and same["became_actual"] and same["listed"]
    assert same["change"] == 0
    assert row(changes, "POL", 2025)["kind"] == "new"
    dropped = row(changes, "DEU", 2022)
    assert dropped["kind"] == "dropped" and pd.isna(dropped["new_value"])
    assert pd.isna(dropped["change"])
    italy = row(changes, "ITA", 2014)
    assert italy["kind"] == "unchanged" and not italy["listed"]


def test_a_changed_unit_is_never_subtracted():
    """Bulgaria's lev figures against its euro figures: a unit change, not a revision."""
    bulgaria = row(compare(OLD, NEW), "BGR", 2024, "spend_national_current")
    assert bulgaria["kind"] == "unit changed" and bulgaria["listed"]
    assert (bulgaria["old_unit"], bulgaria["new_unit"]) == (
        "BGN million current",
        "EUR million current",
    )
    assert pd.isna(bulgaria["change"]) and pd.isna(bulgaria["relative"])


def test_constant_prices_of_another_base_year_are_a_unit_change():
    old = frame(("USA", 2020, "spend_usd_const", 800000.0, "USD million constant 2015", "actual"))
    new = frame(("USA", 2020, "spend_usd_const", 900000.0, "USD million constant 2021", "actual"))
    assert compare(old, new)["kind"].tolist() == ["unit changed"]


def test_from_zero_any_move_is_a_revision_without_relative_change():
    france = row(compare(OLD, NEW, threshold=0.5), "FRA", 2014)
    assert france["kind"] == "revised"
    assert france["change"] == pytest.approx(0.01) and pd.isna(france["relative"])


@pytest.mark.parametrize(
    ("new_value", "kind"),
    [
        (2.10, "revised"),  # (2.10 - 2.00) / 2.00 = 5%: at the threshold, listed
        (2.098, "unchanged"),  # 4.9%: below it
        (1.90, "revised"),  # -5%: a fall counts by its size
        (1.902, "unchanged"),  # -4.9%
    ],
)
def test_threshold_edge(new_value, kind):
    old = frame(("ITA", 2024, "share_gdp", 2.00, PCT, "actual"))
    new = frame(("ITA", 2024, "share_gdp", new_value, PCT, "actual"))
    changes = compare(old, new, threshold=0.05)
    assert changes["kind"].tolist() == [kind]
    assert changes["listed"].tolist() == [kind == "revised"]


def test_threshold_zero_lists_any_move_and_not_noise():
    old = frame(
        ("ITA", 2024, "share_gdp", 2.0, PCT, "actual"),
        ("ESP", 2024, "share_gdp", 1.28, PCT, "actual"),
    )
    new = frame(
        ("ITA", 2024, "share_gdp", 2.0 + 1e-13, PCT, "actual"),  # reader's float noise
        ("ESP", 2024, "share_gdp", 1.29, PCT, "actual"),
    )
    assert compare(old, new)["kind"].tolist() == ["revised", "unchanged"]  # ESP, ITA


def test_summary_counts_each_kind_and_listed_keeps_the_report_rows():
    changes = compare(OLD, NEW, threshold=0.05)
    assert summary(changes) == {
        "figures": 7,
        "new": 1,  # POL 2025
        "dropped": 1,  # DEU 2022
        "revised": 2,  # POL 2024 (-9%), FRA 2014 (from zero)
        "unit_changed": 1,  # BGR
        "unchanged": 2,  # POL 2023, ITA 2014
        "below_threshold": 0,
        "became_actual": 2,  # POL 2023 and 2024
    }
    shown = listed(changes)
    assert len(shown) == 6 and "ITA" not in set(shown["iso3"])


def test_below_threshold_counted():
    old = frame(("ITA", 2024, "share_gdp", 2.00, PCT, "actual"))
    new = frame(("ITA", 2024, "share_gdp", 2.01, PCT, "actual"))
    counts = summary(compare(old, new, threshold=0.05))
    assert (counts["unchanged"], counts["below_threshold"], counts["revised"]) == (1, 1, 0)


def test_projection_that_became_actual():
    old = frame(("DEU", 2025, "gdp_real_growth", 0.0, "percent", "projection"))
    new = frame(("DEU", 2025, "gdp_real_growth", 0.2, "percent", "actual"))
    changes = compare(old, new)
    assert changes["became_actual"].tolist() == [True]


def test_refusals():
    with pytest.raises(InputError, match=r"threshold: got -0\.1; give a fraction"):
        compare(OLD, NEW, threshold=-0.1)
    with pytest.raises(InputError, match="the new edition has no status column"):
        compare(OLD, NEW.drop(columns="status"))
    with pytest.raises(InputError, match="the old edition holds POL 2023 share_gdp more than once"):
        compare(pd.concat([OLD, OLD]), NEW)
