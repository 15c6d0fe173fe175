"""With the user's full copy of SIPRI's database loaded (``milex update --source sipri --file``,
SIPRI's April 2026 workbook in ../shared/data/official): comparisons show SIPRI's share of
government spending where a side has it (and say it is not shown only where neither has it),
and ``milex site`` warns that the site would republish more of SIPRI than its terms allow.

Expected figures: SIPRI's April 2026 release as published (its workbook's cells, as in
tests/test_reader_sipri.py): military expenditure as a share of government spending, Poland
2025 9.0178%, Russia 2025 19.8266% (a SIPRI estimate, in blue), 2024 18.6439%; Poland's share
of GDP 2025 4.4969%, Russia's 7.5015%. NATO publishes no share of government spending.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytest

from milex import api
from milex.store import open_store, update
from milex.web import site
from tests.test_reader_sipri import official  # noqa: F401 (the real workbook, or a loud skip)

#: SIPRI's published shares of government spending (percent; the workbook holds fractions).
GOVT = {("POL", 2025): 9.0178, ("RUS", 2025): 19.8266, ("RUS", 2024): 18.6439}
#: The sentence a comparison says when neither side has the share of government spending.
NOT_SHOWN = "Share of government spending: neither side's edition has figures of it"


@pytest.fixture(scope="module")
def store(official, tmp_path_factory):  # noqa: F811
    """A milex home of its own holding SIPRI's whole April 2026 workbook."""
    home = tmp_path_factory.mktemp("home")
    update.commit(update.prepare("sipri", [official], cache_dir=home), cache_dir=home)
    return open_store(cache_dir=home)


def rows(result, measure: str) -> dict[int, dict]:
    frame = result.frame
    return {r["year"]: r for r in frame[frame["measure"] == measure].to_dict("records")}


def test_both_sides_on_sipri_show_its_share_of_government_spending(store):
    result = api.compare("POL", "RUS", source="sipri", store=store)
    (row,) = rows(result, "share_govt_spending").values()
    assert row["year"] == 2025 and row["unit"] == "percent of government spending"
    assert row["side_a"] == pytest.approx(GOVT["POL", 2025], abs=5e-5)
    assert row["side_b"] == pytest.approx(GOVT["RUS", 2025], abs=5e-5)
    assert row["a_to_b"] == pytest.approx(9.0178 / 19.8266, abs=1e-5)
    assert row["how_a"] == row["how_b"] == "sipri 2026-04 share_govt_spending"
    assert row["status"] == "estimate"  # Russia's figure is SIPRI's estimate
    assert not any(c.startswith(NOT_SHOWN) for c in result.caveats)
    assert "share_govt_spending" in result.extra["measures"]
    # shown as the share of GDP is, from the same edition
    gdp = rows(result, "share_gdp")[2025]
    assert (gdp["side_a"], gdp["side_b"]) == (
        pytest.approx(4.4969, abs=5e-5),
        pytest.approx(7.5015, abs=5e-5),
    )
    cited = result.sources
    assert set(cited.loc[cited["source"] == "sipri", "vintage"]) == {"2026-04"}


def test_a_nato_side_has_none_and_says_why_the_other_is_shown(store):
    """Poland on NATO's figures, Russia on SIPRI's: Poland's share is missing (never 0),
    Russia's shown."""
    result = api.compare("POL", "RUS", years="2024-2025", store=store)
    shown = rows(result, "share_govt_spending")
    assert sorted(shown) == [2024, 2025]
    for year in (2024, 2025):
        assert math.isnan(shown[year]["side_a"]) and math.isnan(shown[year]["a_to_b"])
        assert shown[year]["missing_a"] == (
            "1 of 1 missing: POL: NATO publishes no share of government spending"
        )
        assert shown[year]["side_b"] == pytest.approx(GOVT["RUS", year], abs=5e-5)
    assert not any(c.startswith(NOT_SHOWN) for c in result.caveats)
    assert any("POL: NATO publishes no share of government spending" in n for n in result.notes)


def test_a_race_shows_russias_share_against_nato_allies_without_it(store):
    result = api.race("RUS", "2025", store=store)
    (row,) = rows(result, "share_govt_spending").values()
    assert row["side_a"] == pytest.approx(GOVT["RUS", 2025], abs=5e-5)
    assert math.isnan(row["side_b"]) and "NATO publishes no share" in row["missing_b"]


def test_a_group_on_sipri_leaves_out_a_member_whose_share_is_zero(store):
    """Iceland (no armed forces): SIPRI's 0 of spending and 0% share imply no GDP or government
    spending; it is listed missing, not divided by (which gave NaN with no reason before)."""
    result = api.compare("europe-canada", "RUS", source="sipri", store=store)
    for measure in ("share_gdp", "share_govt_spending"):
        (row,) = rows(result, measure).values()
        assert row["missing_a"].startswith("1 of 31 missing: ISL:")
        assert 0 < row["side_a"] < 100 and row["side_b"] == pytest.approx(
            {"share_gdp": 7.5015, "share_govt_spending": 19.8266}[measure], abs=5e-5
        )


def test_the_shipped_subset_has_none_and_the_caveat_says_so():
    """milex's embedded editions (no user copy): no side has the share, so no rows of it and
    the caveat naming the editions read."""
    result = api.compare("europe-canada", "RUS")
    assert rows(result, "share_govt_spending") == {}
    assert "share_govt_spending" not in result.extra["measures"]
    (caveat,) = [c for c in result.caveats if c.startswith(NOT_SHOWN)]
    year = result.query["years"][0]
    assert f"for {year} (NATO Europe and Canada: nato 2026-07; Russia: sipri " in caveat
    assert "so it is not shown" in caveat
    assert site.sipri_warning([result]) is None


def sipri_figures_in(outdir: Path, vintage: str) -> int:
    """The figures of SIPRI's edition ``vintage`` in a site's data files, counted from the
    JSON written: tidy rows of that edition, and a comparison's figures of its SIPRI sides."""
    count = 0
    for path in (outdir / "data").glob("*.json"):
        envelope = json.loads(path.read_text(encoding="utf-8"))
        figures = envelope.get("rows") or []
        count += sum(
            1
            for r in figures
            if r.get("source") == "sipri"
            and r.get("vintage") == vintage
            and r.get("value") is not None
        )
        for side, column in zip(envelope.get("sides") or [], ("side_a", "side_b"), strict=False):
            if (side["source"], side["vintage"]) == ("sipri", vintage):
                count += sum(1 for r in figures if r.get(column) is not None)
    return count


def test_a_site_with_the_full_copy_warns_how_many_sipri_figures_it_holds(store, tmp_path, caplog):
    outdir = tmp_path / "site"
    with caplog.at_level(logging.WARNING, logger="milex"):
        site.export(outdir, ["en"], store=store)
    (warning,) = [r.getMessage() for r in caplog.records if "SIPRI" in r.getMessage()]
    count = sipri_figures_in(outdir, "2026-04")
    assert count > 3000  # every ally's SIPRI series in its report, Russia in the comparison
    assert f"this site contains {count:,} figures from your own copy of SIPRI's database" in (
        warning
    )
    assert "(sipri 2026-04, loaded with milex update)" in warning
    assert "reproducing more than 10% of the database needs SIPRI's permission" in warning
    assert "MILEX_HOME=" in warning and "\n" not in warning
