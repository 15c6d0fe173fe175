"""The milex command: tables, JSON envelopes, exports and one-line errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from milex.catalog import data_dir
from milex.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([*args])
        raise SystemExit(0)
    captured = capsys.readouterr()
    return info.value.code or 0, captured.out, captured.err


def test_status_2024_json_lists_32_allies_and_aggregates(capsys):
    code, out, _ = run(capsys, "status", "--year", "2024", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "milex.status.v1"
    rows = {r["iso3"]: r for r in doc["rows"]}
    allies = [r for r in doc["rows"] if r["kind"] == "country"]
    assert len(allies) == 32
    assert [r["iso3"] for r in doc["rows"][-2:]] == ["NATO_EUROPE_CANADA", "NATO_TOTAL"]
    assert rows["ISL"]["share_gdp"] is None and "no armed forces" in rows["ISL"]["note"]
    assert rows["POL"]["share_gdp"] == 3.75 and rows["POL"]["meets_hague_3_5"] is True
    assert rows["BEL"]["meets_wales_2"] is False
    assert rows["NATO_TOTAL"]["spend_usd_current"] == 1482905
    assert doc["units"]["spend_usd_current"] == "USD million current"
    assert all(s["licence"] and s["cite"] for s in doc["sources"])


def test_status_table_default_year_marks_estimates(capsys):
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert "NATO figures for 2026" in out
    assert "5.33e" in out  # Lithuania 2026 estimate
    assert "Iceland" in out and "no armed forces" in out
    assert "Source: NATO (2026)" in out


@pytest.mark.parametrize(
    ("vintage", "year", "russia"),
    [
        # SIPRI April 2025 release, Russia 2024: 7.0523% of GDP (/work/shared/data/sipri_milex.csv)
        ("2025-04", 2024, 7.0523),
        # SIPRI April 2026 release, now the newest, Russia 2025: 7.5015% of GDP
        # (/work/shared/data/sipri_milex_2026.csv); the default edition and year
        (None, 2025, 7.5015),
    ],
)
def test_status_sipri(capsys, vintage, year, russia):
    pinned = ["--vintage", vintage] if vintage else []
    code, out, _ = run(capsys, "status", "--source", "sipri", *pinned, "--format", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(out))
    assert code == 0
    assert frame.set_index("iso3").loc["RUS", "share_gdp"] == pytest.approx(russia)
    assert (frame["year"] == year).all()
    assert set(frame["vintage"]) == {vintage or "2026-04"}


def test_show_duitsland(capsys):
    code, out, _ = run(capsys, "show", "Duitsland")
    assert code == 0
    assert "Germany: share_gdp" in out
    assert "nato 2024-06" in out and "nato 2026-07" in out
    assert "2.69e" in out
    assert "NATO published no 2025 estimate for Germany" in out


def test_show_russia_sipri_json(capsys):
    code, out, _ = run(capsys, "show", "RUS", "--source", "sipri", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["query"]["country"] == "RUS"
    shares = {
        r["vintage"]: r for r in doc["rows"] if r["year"] == 2024 and r["indicator"] == "share_gdp"
    }
    # Russia 2024, share of GDP: 7.0523 in SIPRI's April 2025 release, revised to 6.8742 in the
    # April 2026 release (sipri_milex.csv, sipri_milex_2026.csv); both SIPRI estimates.
    assert shares["2025-04"]["value"] == pytest.approx(7.0523)
    assert shares["2026-04"]["value"] == pytest.approx(6.8742)
    assert {r["status"] for r in shares.values()} == {"estimate"}


def test_sources_json_shows_sipri_subset_under_10_percent(capsys):
    code, out, _ = run(capsys, "sources", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["sipri_subset"]["share_of_countries_pct"] < 10
    assert {(s["source"], s["vintage"]) for s in doc["sources"]} >= {
        ("nato", "2024-06"),
        ("nato", "2025-08"),
        ("nato", "2026-07"),
        ("sipri", "2025-04"),
        ("sipri", "2026-04"),
        ("weo", "2026-04"),
    }


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_export(capsys, tmp_path, fmt):
    """The format follows the file's extension."""
    target = tmp_path / f"milex.{fmt}"
    code, _, err = run(capsys, "export", "--source", "nato", "-o", str(target))
    assert code == 0 and "wrote" in err
    reader = {"csv": pd.read_csv, "parquet": pd.read_parquet, "json": pd.read_json}[fmt]
    frame = reader(target)
    assert set(frame["source"]) == {"nato"}
    assert set(frame["vintage"]) == {"2024-06", "2025-08", "2026-07"}
    assert frame["citation"].notna().all()
    pol = frame[
        (frame["iso3"] == "POL") & (frame["year"] == 2024) & (frame["indicator"] == "share_gdp")
    ]
    assert sorted(pol["value"]) == [3.75, 3.79, 4.12]  # 2026, 2025, 2024 editions


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--year", "1950"], "no nato figures for 1950"),
        (["status", "--year", "1800"], "give years from 1900 to 2100"),
        (["status", "--source", "nato2"], "unknown source 'nato2'"),
        (["show", "Germny"], "Germany (DEU)"),
        (["show", "DEU", "--indicator", "shares_gdp"], "Did you mean share_gdp"),
        (["show", "DEU", "--years", "2024-2014"], "first year comes after the last"),
        (["status", "--bogus"], "No such option"),
        (["export", "--format", "parquet"], "give a file name (-o milex.parquet)"),
        (["export", "--format", "xls", "-o", "x.xls"], "not one of 'csv', 'parquet', 'json'"),
        (["export", "-o", "/nonexistent-folder/x.csv"], "give a file name in an existing folder"),
    ],
)
def test_bad_usage_is_one_line_with_exit_2(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def embedded_rows(*names: str) -> list[dict[str, str]]:
    """The rows of embedded observation files, read with the csv module (not through milex)."""
    rows = []
    for name in names:
        with (data_dir() / "observations" / name).open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def test_export_to_stdout(capsys):
    """Every SIPRI figure of every embedded edition (the default is vintage 'all')."""
    code, out, _ = run(capsys, "export", "--source", "sipri", "--format", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(out))
    assert code == 0 and set(frame["source"]) == {"sipri"}
    expected = embedded_rows("sipri_2025-04.csv", "sipri_2026-04.csv")
    assert len(frame) == len(expected)
    assert frame["citation"].str.contains("SIPRI").all()
    assert frame.groupby("vintage").size().to_dict() == {
        "2025-04": len(embedded_rows("sipri_2025-04.csv")),
        "2026-04": len(embedded_rows("sipri_2026-04.csv")),
    }


def test_export_honours_the_vintage(capsys):
    """--vintage 2024-06 exports that edition only (NATO is the only source with a 2024-06)."""
    code, out, _ = run(capsys, "export", "--vintage", "2024-06", "--format", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(out))
    assert code == 0
    assert set(frame["vintage"]) == {"2024-06"} and set(frame["source"]) == {"nato"}
    assert len(frame) == len(embedded_rows("nato_2024-06.csv"))
    # Poland 2024 in the June 2024 edition: 4.12% of GDP, an estimate (NATO press release,
    # 17 June 2024; /work/shared/data/nato_defence_expenditure.csv)
    pol = frame[
        (frame["iso3"] == "POL") & (frame["year"] == 2024) & (frame["indicator"] == "share_gdp")
    ]
    assert pol["value"].tolist() == [4.12]


def test_export_to_a_file_honours_the_vintage(capsys, tmp_path):
    target = tmp_path / "nato-2025.parquet"
    code, _, _ = run(capsys, "export", "-s", "nato", "--vintage", "2025-08", "-o", str(target))
    frame = pd.read_parquet(target)
    assert code == 0 and set(frame["vintage"]) == {"2025-08"}
    assert len(frame) == len(embedded_rows("nato_2025-08.csv"))


def test_show_luxembourg_flags_its_denominator(capsys):
    code, out, _ = run(capsys, "show", "Luxemburg")
    assert code == 0
    assert "Luxembourg's GDP in the 2026 edition falls by a third" in out


def test_console_script_and_module_entry_point():
    for command in (["milex", "status", "-f", "csv"], [sys.executable, "-m", "milex", "--help"]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout


def table_rows(out: str) -> list[list[str]]:
    """Body rows of the Rich tables in ``out`` (one list of cell texts per printed line)."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in out.splitlines()
        if line.startswith("│")
    ]


def test_sources_table(capsys):
    code, out, _ = run(capsys, "sources")
    assert code == 0
    with (data_dir() / "editions.toml").open("rb") as handle:
        editions = tomllib.load(handle)
    first_lines = {(r[0], r[1]): r for r in table_rows(out) if r[0]}
    held = {(s, v) for s, table in editions.items() for v in table}
    assert set(first_lines) == held
    # figures per edition: the rows of each embedded file, counted with the csv module
    for source, vintage in [("nato", "2024-06"), ("sipri", "2026-04"), ("weo", "2026-04")]:
        figures = len(embedded_rows(f"{source}_{vintage}.csv"))
        partial = "" if editions[source][vintage]["complete"] else " (partial)"
        assert first_lines[(source, vintage)][4] == f"{figures:,}{partial}"
    flat = " ".join(out.split())
    # The SIPRI subset of the newest release: 10 countries and the world (11 entities) of
    # SIPRI's 173 countries = 6.4%; 2,317 figures of at most 173 x 77 years (1949-2025) x 4
    # sheets = 53,284 cells = 4.3%.
    sipri = editions["sipri"]["2026-04"]
    rows = embedded_rows("sipri_2026-04.csv")
    entities = {r["iso3"] for r in rows}
    cells = (
        sipri["database_countries"]
        * (sipri["database_last_year"] - sipri["database_first_year"] + 1)
        * sipri["database_sheets"]
    )
    assert len(entities) == 11 and cells == 53284
    assert (
        f"SIPRI subset (2026-04): {len(entities) - 1} countries and the world total of SIPRI's "
        f"{sipri['database_countries']} countries (counted as "
        f"{100 * len(entities) / sipri['database_countries']:.1f}%), {len(rows):,} of at most "
        f"{cells:,} figures ({100 * len(rows) / cells:.1f}%): under SIPRI's 10% reuse limit."
    ) in flat
    assert "(counted as 6.4%)" in flat and "(4.3%)" in flat
    for source, table in editions.items():
        for vintage, meta in table.items():
            assert f"Cite {source} {vintage}: {meta['cite']}" in flat


def _pledges_csv() -> list[dict[str, str]]:
    with (data_dir() / "pledges.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_pledges_table_for_every_pledge(capsys):
    code, out, _ = run(capsys, "pledges")
    assert code == 0
    rows = [r for r in table_rows(out) if r[0]]  # a pledge's first line names who pledged
    registry = _pledges_csv()
    assert len(rows) == len(registry)
    assert sorted(r[0] for r in rows) == sorted(p["iso3"] for p in registry)
    # Poland, 2026 budget: 4.8% of GDP and PLN 200 bn. NATO's 2026 figure for Poland (2026
    # edition): PLN 193,789 m, USD 37,515 m of a GDP of USD 802,068 m at 2021 prices, so the GDP
    # behind it is 193,789 * 802,068 / 37,515 = PLN 4,143,195 m: 200 bn is 4.83% of it and
    # 4.8% of it is 198.9 bn, 0.03 points apart (within the 0.1-point tolerance): adds up.
    gdp = 193789 * 802068 / 37515
    assert round(gdp) == 4143195
    poland = next(r for r in rows if r[:2] == ["POL", "2026"])
    assert poland[3] == "4.8% / 200.0 bn PLN"
    assert poland[4] == f"{100 * 200_000 / gdp:.2f}% / {0.048 * gdp / 1000:.1f} bn PLN"
    assert poland[4] == "4.83% / 198.9 bn PLN"
    assert poland[5] == "✓"
    # the Netherlands pledged 3.5% without a year: drawn, not a crash
    netherlands = next(r for r in rows if r[0] == "NLD")
    assert netherlands[1] == "" and netherlands[3] == "3.5%"
    assert "no target year given" in netherlands[7]


def test_pledges_table_of_a_pledge_without_a_year(capsys):
    """Issue 6: `milex pledges Netherlands` crashed drawing a pledge without a target year."""
    code, out, _ = run(capsys, "pledges", "Netherlands")
    assert code == 0
    rows = [r for r in table_rows(out) if r[0]]
    assert [r[:4] for r in rows] == [["NLD", "", "core", "3.5%"]]
