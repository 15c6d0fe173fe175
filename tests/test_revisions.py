"""milex.revisions: what changed between two editions, on frames written out by hand."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from milex import api
from milex.errors import InputError
from milex.result import Result
from milex.revisions import compare, listed, summary
from tests.test_cli import run

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
    # Spain's figure shows that both editions write shares to 2 decimals at least
    old = frame(
        ("ITA", 2024, "share_gdp", 2.00, PCT, "actual"),
        ("ESP", 2024, "share_gdp", 1.28, PCT, "actual"),
    )
    new = frame(
        ("ITA", 2024, "share_gdp", new_value, PCT, "actual"),
        ("ESP", 2024, "share_gdp", 1.28, PCT, "actual"),
    )
    changes = compare(old, new, threshold=0.05)
    assert changes["kind"].tolist() == ["unchanged", kind]  # ESP, ITA
    assert changes["listed"].tolist() == [False, kind == "revised"]


def test_figures_are_compared_at_the_precision_of_the_coarser_edition():
    """SIPRI's April 2026 share for Australia 1951 as milex ships it (4 decimals, the reference
    compilation's rounding) and as SIPRI's workbook stores it: the same figure."""
    old = frame(
        ("AUS", 1951, "share_gdp", 3.7351, PCT, "estimate"),
        ("AUS", 1952, "share_gdp", 5.1806, PCT, "estimate"),
    )
    new = frame(
        ("AUS", 1951, "share_gdp", 3.735059760956, PCT, "estimate"),
        ("AUS", 1952, "share_gdp", 5.18064, PCT, "estimate"),
    )
    # 1951 rounds to 3.7351 at 4 decimals: unchanged; 1952 5.18064 rounds to 5.1806: unchanged
    assert compare(old, new)["kind"].tolist() == ["unchanged", "unchanged"]
    # a move at the 4th decimal is a revision: 3.7351 -> 3.7353 (3.73534 rounds to 3.7353)
    moved = frame(
        ("AUS", 1951, "share_gdp", 3.73534, PCT, "estimate"),
        ("AUS", 1952, "share_gdp", 5.18064, PCT, "estimate"),
    )
    assert compare(old, moved)["kind"].tolist() == ["revised", "unchanged"]


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
    # Spain (1.28 in both) shows that both editions write shares to 2 decimals
    spain = ("ESP", 2024, "share_gdp", 1.28, PCT, "actual")
    old = frame(("ITA", 2024, "share_gdp", 2.00, PCT, "actual"), spain)
    new = frame(("ITA", 2024, "share_gdp", 2.01, PCT, "actual"), spain)
    counts = summary(compare(old, new, threshold=0.05))
    # Italy moved 0.5% (< 5%): unchanged but below the threshold; Spain did not move
    assert (counts["unchanged"], counts["below_threshold"], counts["revised"]) == (2, 1, 0)
    # a move within the coarser edition's precision is not "below the threshold": it is none
    within = frame(("ITA", 2024, "share_gdp", 2.004, PCT, "actual"), spain)
    assert summary(compare(old, within, threshold=0.05))["below_threshold"] == 0


def test_the_precision_of_an_edition_is_read_from_all_its_figures(store):
    """Narrowing a diff to one country does not change which figures are revised: Poland's
    2014 share fell from 1.88 (2024-06) to 1.86 (2026-07), 0.02 points, at NATO's precision."""
    narrow = api.diff("nato", "2024-06", "2026-07", countries="POL", store=store)
    assert ("POL", 2014, "share_gdp", "revised") in set(
        narrow.frame[["iso3", "year", "indicator", "kind"]].itertuples(index=False, name=None)
    )
    row = narrow.frame.query("year == 2014 and indicator == 'share_gdp'").iloc[0]
    assert row["change"] == -0.02  # 1.86 - 1.88, without floating-point noise


def test_a_diff_from_newer_to_older_is_refused(store):
    with pytest.raises(InputError, match=r"nato 2026-07 is newer than 2024-06: give the"):
        api.diff("nato", "2026-07", "2024-06", store=store)


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


# ------------------------------------------------------------------------ api.diff and milex diff
# Figures from src/milex/data/observations/nato_2024-06.csv and nato_2026-07.csv.

#: Poland's share of GDP (percent): (June 2024 edition, July 2026 edition); 2023 and 2024 were
#: estimates in 2024 and are actual in 2026; 2025 and 2026 are new (estimates).
POLAND = {
    2014: (1.88, 1.86),
    2015: (2.23, 2.21),
    2016: (2.00, 1.99),
    2017: (1.89, 1.88),
    2018: (2.02, 2.00),
    2019: (1.99, 1.96),
    2020: (2.23, 2.21),
    2021: (2.22, 2.19),
    2022: (2.23, 2.21),
    2023: (3.26, 3.26),
    2024: (4.12, 3.75),
}


def poland(**options) -> Result:
    return api.diff("nato", "2024-06", "2026-07", countries="Polen", indicators="share_gdp",
                      **options)  # fmt: skip


def test_poland_2024_from_a_4_12_estimate_to_3_75_actual():
    result = poland()
    rows = result.frame.set_index("year")
    assert rows.loc[2024, "name"] == "Poland"
    assert (rows.loc[2024, "old_value"], rows.loc[2024, "new_value"]) == (4.12, 3.75)
    assert (rows.loc[2024, "old_status"], rows.loc[2024, "new_status"]) == ("estimate", "actual")
    assert rows.loc[2024, "change"] == pytest.approx(-0.37)
    assert rows.loc[2024, "change_unit"] == "percentage points of GDP"
    assert rows.loc[2024, "relative"] == pytest.approx(-0.37 / 4.12)
    assert rows.loc[2024, "kind"] == "revised" and rows.loc[2024, "became_actual"]
    assert rows.loc[2023, "kind"] == "unchanged" and rows.loc[2023, "became_actual"]
    for year, (old, new) in POLAND.items():
        assert (rows.loc[year, "old_value"], rows.loc[year, "new_value"]) == (old, new), year
    assert rows.loc[[2025, 2026], "kind"].tolist() == ["new", "new"]
    assert rows.loc[[2025, 2026], "new_value"].tolist() == [4.25, 4.68]
    # every year 2014-2022 moved a little: 9 + 2024 revised, 2023 unchanged, 2 new
    assert result.extra["summary"] == {
        "figures": 13,
        "new": 2,
        "dropped": 0,
        "revised": 10,
        "unit_changed": 0,
        "unchanged": 1,
        "below_threshold": 0,
        "became_actual": 2,
    }
    assert set(result.sources["id"]) == {"nato-2024-06-1", "nato-2026-07-7"}
    assert result.query | {"countries": None} == {
        "source": "nato",
        "old": "2024-06",
        "new": "2026-07",
        "countries": None,
        "indicators": ["share_gdp"],
        "threshold": 0.0,
    }


@pytest.mark.parametrize(
    ("threshold", "revised"),
    [
        (0.05, [2024]),  # -8.98%; the largest of the other moves is 2019's -1.5%
        (0.0898, [2024]),  # 0.37 / 4.12 = 0.08981: listed
        (0.0899, []),  # not: 2024 is listed only because it became actual
        (0.015, [2019, 2024]),  # 2019: 0.03 / 1.99 = 1.508%
        (0.0151, [2024]),
    ],
)
def test_the_threshold_is_the_smallest_relative_change_listed(threshold, revised):
    result = poland(threshold=threshold)
    rows = result.frame
    assert rows.loc[rows["kind"] == "revised", "year"].tolist() == revised
    assert rows.loc[rows["became_actual"], "year"].tolist() == [2023, 2024]
    assert result.extra["summary"]["below_threshold"] == 10 - len(revised)


def test_germany_and_the_us_2024_became_actual_lower():
    rows = api.diff("nato", "2024-06", "2026-07", countries=["DEU", "USA"],
                      indicators="share_gdp").frame  # fmt: skip
    at = rows.set_index(["iso3", "year"])
    assert at.loc[("DEU", 2024), "change"] == pytest.approx(2.00 - 2.12)
    assert at.loc[("USA", 2024), "change"] == pytest.approx(3.30 - 3.38)
    assert at.loc[("USA", 2024), "relative"] == pytest.approx(-0.08 / 3.38)
    assert at.loc[("DEU", 2023), "became_actual"] and at.loc[("USA", 2023), "became_actual"]


def test_bulgaria_lev_to_euro_is_a_unit_change_never_a_revision():
    result = api.diff("nato", "2024-06", "2026-07", countries="BGR",
                        indicators="spend_national_current")  # fmt: skip
    rows = result.frame.set_index("year")
    assert rows.loc[2024, "kind"] == "unit changed"
    assert (rows.loc[2024, "old_value"], rows.loc[2024, "new_value"]) == (4217.0, 2027.0)
    assert rows.loc[2024, "old_unit"] == "BGN million current"
    assert rows.loc[2024, "new_unit"] == "EUR million current"
    assert rows["change"].isna().all() and (rows.loc[2014:2024, "kind"] == "unit changed").all()
    assert result.extra["summary"]["unit_changed"] == 11  # 2014-2024
    assert any("never subtracted" in c for c in result.caveats)


def test_default_editions_are_the_two_newest_and_a_partial_one_is_said():
    result = api.diff("nato", indicators="share_gdp", countries="POL")
    assert (result.query["old"], result.query["new"]) == ("2025-08", "2026-07")
    assert any(c.startswith("nato 2025-08 holds part of its edition") for c in result.caveats)
    assert api.diff("nato", new="2025-08", countries="POL").query["old"] == "2024-06"
    assert api.diff("worldbank").query["source"] == "wdi"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: api.diff("natoo"), "unknown source 'natoo': known are nato, sipri, wdi, weo"),
        (lambda: api.diff("nato", "2024-6"), "Did you mean 2024-06"),
        (lambda: api.diff("nato", "2026-07", "2026-07"), "both editions are nato 2026-07"),
        (lambda: api.diff("nato", new="2024-06"), "nato 2024-06 is the oldest edition held"),
        (lambda: api.diff("nato", "all"), "vintage 'all' mixes editions"),
        (lambda: api.diff("nato", threshold=5.0), "give the smallest relative change listed"),
        (lambda: api.diff("nato", threshold=-0.1), "threshold: got -0.1"),
        (lambda: api.diff("nato", indicators="share"), "unknown indicator 'share'"),
    ],
)
def test_diff_refusals(call, message):
    with pytest.raises(InputError) as info:
        call()
    assert message in str(info.value)


def test_cli_diff_poland(capsys):
    code, out, _ = run(capsys, "diff", "nato", "--from", "2024-06", "--to", "2026-07",
                       "--country", "POL")  # fmt: skip
    assert code == 0
    (line,) = [r for r in out.splitlines() if "│ 2024 │ share_gdp" in r]
    cells = [c.strip() for c in line.split("│")[1:-1]]
    assert cells == ["Poland", "2024", "share_gdp", "4.12 (estimate)", "3.75 (actual)",
                     "-0.37 points", "-9.0%", "revised, became actual"]  # fmt: skip
    assert "nato 2024-06 → 2026-07:" in out and "became actual;" in out


def test_cli_diff_threshold_and_formats(capsys):
    args = ["diff", "nato", "--from", "2024-06", "--to", "2026-07", "-c", "POL", "-i", "share_gdp"]
    code, out, _ = run(capsys, *args, "--threshold", "0.05", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert frame["year"].tolist() == [2023, 2024, 2025, 2026]  # became actual x2, new x2
    code, out, _ = run(capsys, *args, "-f", "json")
    doc = json.loads(out)
    assert doc["schema"] == "milex.diff.v1" and doc["summary"]["revised"] == 10
    code, _, err = run(capsys, *args, "--threshold", "5")
    assert code == 2 and "a fraction from 0 to 1 (0.05 = 5%)" in err


def test_cli_diff_bad_input_one_line(capsys):
    code, out, err = run(capsys, "diff", "nato", "--from", "2024-07")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "unknown vintage of nato '2024-07'" in err and "Did you mean" in err


# ------------------------------------------------------------------------ vintages

#: The editions embedded in milex (src/milex/data/observations), the newest of each source last.
EMBEDDED = {
    "nato": ["2024-06", "2025-08", "2026-07"],
    "sipri": ["2025-04", "2026-04"],
    "wdi": ["2025-07", "2026-03"],
    "weo": ["2025-04", "2025-10", "2026-04"],
}


def test_vintages_lists_the_ten_embedded_editions_newest_marked(store):
    frame = api.vintages(store=store).frame
    assert len(frame) == 10
    for source, held in EMBEDDED.items():
        part = frame[frame["source"] == source]
        assert part["vintage"].tolist() == held
        assert part["newest"].tolist() == [v == held[-1] for v in held]
    assert set(frame["where"]) == {"embedded in milex"}
    assert frame.set_index(["source", "vintage"]).loc[("nato", "2024-06"), "figures"] == 2112
    assert not frame.set_index(["source", "vintage"]).loc[("sipri", "2026-04"), "complete"]
    assert api.vintages("worldbank", store=store).frame["vintage"].tolist() == EMBEDDED["wdi"]


def test_cli_vintages(capsys):
    code, out, _ = run(capsys, "vintages", "--source", "nato", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "milex.vintages.v1"
    assert [(r["vintage"], r["newest"]) for r in doc["rows"]] == [
        ("2024-06", False),
        ("2025-08", False),
        ("2026-07", True),
    ]
    code, out, _ = run(capsys, "vintages")
    assert code == 0 and out.count("embedded in milex") == 10 and "385 (partial)" in out
    code, _, err = run(capsys, "vintages", "--source", "natoo")
    assert code == 2 and "Did you mean nato?" in err
