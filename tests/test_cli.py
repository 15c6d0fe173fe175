"""The milex command: tables, JSON envelopes, exports and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

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


def test_status_sipri(capsys):
    code, out, _ = run(capsys, "status", "--source", "sipri", "--format", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(out))
    assert code == 0
    assert frame.set_index("iso3").loc["RUS", "share_gdp"] == pytest.approx(7.0523)
    assert (frame["year"] == 2024).all()


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
    last = [r for r in doc["rows"] if r["year"] == 2024 and r["indicator"] == "share_gdp"]
    assert last[0]["value"] == pytest.approx(7.0523) and last[0]["status"] == "estimate"


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
        (["status", "--year", "1800"], "no nato figures for 1800"),
        (["status", "--source", "nato2"], "unknown source 'nato2'"),
        (["show", "Germny"], "Germany (DEU)"),
        (["show", "DEU", "--indicator", "shares_gdp"], "Did you mean share_gdp"),
        (["show", "DEU", "--years", "2024-2014"], "first year comes after the last"),
        (["status", "--bogus"], "No such option"),
        (["export", "--format", "parquet"], "parquet needs a file name"),
        (["export", "--format", "xls", "-o", "x.xls"], "use csv, parquet or json"),
        (["export", "-o", "/nonexistent-folder/x.csv"], "no folder /nonexistent-folder"),
    ],
)
def test_bad_usage_is_one_line_with_exit_2(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_export_to_stdout(capsys):
    code, out, _ = run(capsys, "export", "--source", "sipri", "--format", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(out))
    assert code == 0 and set(frame["source"]) == {"sipri"}
    assert len(frame) == 2246 and frame["citation"].str.contains("SIPRI").all()


def test_show_luxembourg_flags_its_denominator(capsys):
    code, out, _ = run(capsys, "show", "Luxemburg")
    assert code == 0
    assert "Luxembourg's GDP in the 2026 edition falls by a third" in out


def test_console_script_and_module_entry_point():
    for command in (["milex", "status", "-f", "csv"], [sys.executable, "-m", "milex", "--help"]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout
