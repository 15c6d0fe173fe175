"""NATO and SIPRI side by side: the difference and the reasons, on a store that holds both.

The embedded data has no SIPRI figures for allies (SIPRI's reuse limit), so the tests add
SIPRI's published Germany figures (April 2026 release) to a copy of the data folder, as a user
with the full workbook would have them.
"""

from __future__ import annotations

import csv
import json

import pytest

import milex
import milex.api
from milex.store import open_store

from .conftest import SHARED
from .test_cli import run

# SIPRI April 2026 release, Germany (/work/shared/data/sipri_milex_2026.csv): share of GDP (%)
# and spending in USD million at current prices, none a SIPRI estimate.
SIPRI_DEU = {
    ("share_gdp", 2023): 1.5033,
    ("share_gdp", 2024): 1.8386,
    ("share_gdp", 2025): 2.2685,
    ("spend_usd_current", 2023): 68584.9,
    ("spend_usd_current", 2024): 86148.3,
    ("spend_usd_current", 2025): 113585.9,
}
# NATO July 2026 edition, Germany (/work/shared/data/nato_defence_expenditure_2026.csv):
# Table 3 (share of GDP) and Table 2 (USD million, current prices); 2025 an estimate.
NATO_DEU = {
    ("share_gdp", 2023): 1.60,
    ("share_gdp", 2024): 2.00,
    ("share_gdp", 2025): 2.22,
    ("spend_usd_current", 2023): 73138.0,
    ("spend_usd_current", 2024): 93747.0,
    ("spend_usd_current", 2025): 112141.0,
}
# Origins of sources.csv for the April 2026 release: sheet 'Share of GDP' and 'Current US$',
# figures SIPRI did not estimate.
ORIGIN = {"share_gdp": "sipri-2026-04-2", "spend_usd_current": "sipri-2026-04-8"}
UNIT = {"share_gdp": "percent of GDP", "spend_usd_current": "USD million current"}


@pytest.fixture
def both(data_copy, tmp_path):
    path = data_copy / "observations" / "sipri_2026-04.csv"
    with path.open("a", encoding="utf-8") as handle:
        for (indicator, year), value in SIPRI_DEU.items():
            handle.write(
                f"{ORIGIN[indicator]},DEU,{year},{indicator},{value},{UNIT[indicator]},actual\n"
            )
    store = open_store(data_copy, tmp_path / "home")
    yield store
    store.close()


def test_differences_nato_minus_sipri(both):
    diffs = milex.differences("Allemagne", store=both).set_index(["indicator", "year"])
    assert sorted(diffs.index) == sorted(SIPRI_DEU)
    # e.g. share of GDP 2024: NATO 2.00 - SIPRI 1.8386 = 0.1614 points, 8.78% of SIPRI's figure
    assert diffs.loc[("share_gdp", 2024), "difference"] == pytest.approx(0.1614)
    assert diffs.loc[("share_gdp", 2025), "difference"] == pytest.approx(2.22 - 2.2685)
    row = diffs.loc[("spend_usd_current", 2024)]
    assert row["difference"] == pytest.approx(93747 - 86148.3)
    assert row["relative_pct"] == pytest.approx(100 * (93747 - 86148.3) / 86148.3)
    for key, sipri in SIPRI_DEU.items():
        assert diffs.loc[key, "nato"] == NATO_DEU[key] and diffs.loc[key, "sipri"] == sipri


def _rows_after(out: str, title: str) -> list[list[str]]:
    """The body rows of the Rich table titled ``title`` in ``out``, as lists of cell texts."""
    lines = out[out.index(title) :].splitlines()
    rows = []
    for line in lines[1:]:
        if line.startswith("└"):
            break
        if line.startswith("│"):
            rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def test_show_sets_nato_and_sipri_side_by_side(capsys, monkeypatch, both):
    """The NATO-SIPRI table of `milex show`, every cell worked out from the published figures."""
    monkeypatch.setattr(milex.api, "default_store", lambda: both)
    code, out, _ = run(capsys, "show", "Duitsland")
    assert code == 0
    rows = _rows_after(out, "Germany: NATO minus SIPRI (newest editions)")
    expected = []
    for indicator, year in sorted(SIPRI_DEU):
        nato, sipri = NATO_DEU[(indicator, year)], SIPRI_DEU[(indicator, year)]
        expected.append(
            [
                indicator,
                str(year),
                f"{nato:,.2f}",
                f"{sipri:,.2f}",
                f"{nato - sipri:,.2f}",
                f"{100 * (nato - sipri) / sipri:,.1f}",
            ]
        )
    assert rows == expected
    # written out for two rows: 2.22 - 2.2685 = -0.0485 (-2.1% of 2.2685);
    # 73,138 - 68,584.9 = 4,553.1 (6.6% of 68,584.9)
    assert ["share_gdp", "2025", "2.22", "2.27", "-0.05", "-2.1"] in rows
    assert [
        "spend_usd_current",
        "2023",
        "73,138.00",
        "68,584.90",
        "4,553.10",
        "6.6",
    ] in rows
    assert "Why they differ:" in out and "No NATO–SIPRI comparison" not in out
    # the SIPRI edition appears as a column of the share table, next to NATO's editions
    header = out[out.index("Germany: share_gdp") :].splitlines()[2]
    assert "sipri 2026-04" in header and "nato 2026-07" in header


def test_show_json_carries_the_differences(capsys, monkeypatch, both):
    monkeypatch.setattr(milex.api, "default_store", lambda: both)
    code, out, _ = run(capsys, "show", "DEU", "--format", "json")
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(c))
    assert code == 0
    found = {(d["indicator"], d["year"]): d for d in doc["differences"]}
    assert set(found) == set(SIPRI_DEU)
    assert found[("share_gdp", 2024)]["difference"] == pytest.approx(2.00 - 1.8386)
    assert {r["id"] for r in doc["reasons"]} >= {"pensions", "paramilitary", "price-basis"}


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the reference folder ../shared/data")
def test_figures_above_are_the_published_ones():
    """The constants of this module, checked against the reference compilation."""

    def read(name: str, indicators: dict[str, str]) -> dict[tuple[str, int], float]:
        with (SHARED / name).open(encoding="utf-8", newline="") as handle:
            return {
                (indicators[r["indicator"]], int(r["year"])): float(r["value"])
                for r in csv.DictReader(handle)
                if r["iso3"] == "DEU"
                and r["indicator"] in indicators
                and 2023 <= int(r["year"]) <= 2025
            }

    same = {"share_gdp": "share_gdp", "spend_usd_current": "spend_usd_current"}
    assert read("sipri_milex_2026.csv", same) == SIPRI_DEU
    assert read("nato_defence_expenditure_2026.csv", same) == NATO_DEU


def test_reasons_depend_on_the_country():
    assert "fiscal-year" in set(milex.reasons("USA")["id"])
    assert "fiscal-year" not in set(milex.reasons("DEU")["id"])
    assert {"pensions", "paramilitary", "price-basis"} <= set(milex.reasons("DEU")["id"])


def test_no_difference_without_sipri(store):
    assert milex.differences("DEU", store=store).empty
