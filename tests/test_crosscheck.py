"""NATO and SIPRI side by side: the difference and the reasons, on a store that holds both.

The embedded data has no SIPRI figures for allies (SIPRI's reuse limit), so the test adds
SIPRI's published Germany figures (April 2025 release) to a copy of the data folder, as a user
with the full workbook would have them.
"""

from __future__ import annotations

import pytest

import milex
from milex.store import open_store

SIPRI_DEU = [
    ("DEU", 2023, "share_gdp", 1.488, "percent of GDP"),
    ("DEU", 2024, "share_gdp", 1.8919, "percent of GDP"),
    ("DEU", 2024, "spend_usd_current", 88458.5, "USD million current"),
]


@pytest.fixture
def both(data_copy, tmp_path):
    path = data_copy / "observations" / "sipri_2025-04.csv"
    with path.open("a", encoding="utf-8") as handle:
        for iso3, year, indicator, value, unit in SIPRI_DEU:
            handle.write(f"sipri-2025-04-2,{iso3},{year},{indicator},{value},{unit},actual\n")
    store = open_store(data_copy, tmp_path / "home")
    yield store
    store.close()


def test_differences_nato_minus_sipri(both):
    diffs = milex.differences("Allemagne", store=both).set_index(["indicator", "year"])
    assert sorted(diffs.index) == [
        ("share_gdp", 2023),
        ("share_gdp", 2024),
        ("spend_usd_current", 2024),
    ]
    # NATO 2026 edition: Germany 2024 = 2.00% of GDP and USD 93,747 m; 2023 = 1.60%.
    assert diffs.loc[("share_gdp", 2024), "difference"] == pytest.approx(2.00 - 1.8919)
    assert diffs.loc[("share_gdp", 2023), "difference"] == pytest.approx(1.60 - 1.488)
    row = diffs.loc[("spend_usd_current", 2024)]
    assert row["difference"] == pytest.approx(93747 - 88458.5)
    assert row["relative_pct"] == pytest.approx(100 * (93747 - 88458.5) / 88458.5)


def test_reasons_depend_on_the_country():
    assert "fiscal-year" in set(milex.reasons("USA")["id"])
    assert "fiscal-year" not in set(milex.reasons("DEU")["id"])
    assert {"pensions", "paramilitary", "price-basis"} <= set(milex.reasons("DEU")["id"])


def test_no_difference_without_sipri(store):
    assert milex.differences("DEU", store=store).empty
