"""Defects of the command line found in issue 6, each pinned by a test that fails without its fix,
and the properties of the CLI's parsers."""

from __future__ import annotations

import contextlib
import csv
import importlib.metadata
import json
import math
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import typer
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from milex.catalog import data_dir
from milex.cli import _money, _num, _parse_amounts, _spark
from milex.errors import InputError
from milex.vocab import parse_years

from .test_cli import run

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
MILEX = [sys.executable, "-m", "milex"]


def _toml(name: str) -> dict:
    with (data_dir() / name).open("rb") as handle:
        return tomllib.load(handle)


def _flat(text: str) -> str:
    """Help text without its line breaks and indentation (Click wraps at the terminal width)."""
    return "".join(text.split())


# ------------------------------------------------------------------ strict JSON


def test_gap_json_is_strict_with_nulls(capsys):
    """The 2024 edition is embedded without constant-price tables: those columns are null."""
    code, out, _ = run(
        capsys, "gap", "--target", "2", "--year", "2023", "--vintage", "2024-06", "--format", "json"
    )
    assert code == 0 and "NaN" not in out
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    rows = {r["iso3"]: r for r in doc["rows"]}
    albania = rows["ALB"]
    assert albania["spend_usd_const"] is None and albania["gap_usd_const"] is None
    assert doc["eur_per_usd"]["constant"] is None
    # Albania 2023 in the June 2024 edition: 1.75% of GDP, USD 397 m; the gap to 2% is
    # 0.25 points of a GDP of 397 / 1.75 * 100 = USD 22,685.7 m, i.e. USD 56.7 m.
    assert albania["share_gdp"] == 1.75 and albania["gap_pp"] == pytest.approx(0.25)
    assert albania["gap_usd_current"] == pytest.approx(0.25 * 397 / 1.75)
    assert "ISL" not in rows and "no armed forces" in doc["missing"]["ISL"]


# ------------------------------------------------------------------ version and help


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out == f"milex {importlib.metadata.version('milex')}\n"


def _path_help(capsys, monkeypatch) -> tuple[str, str]:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "path", "--help")
    assert code == 0
    return out[out.index("Arguments:") : out.index("Options:")], out[out.index("Options:") :]


def test_path_help_explains_country_and_lists_the_groups(capsys, monkeypatch):
    arguments, _ = _path_help(capsys, monkeypatch)
    assert "country" in arguments.lower() and "ISO3" in arguments, arguments
    for group in _toml("groups.toml"):
        assert group in _flat(arguments), group


def test_path_help_lists_the_guidelines(capsys, monkeypatch):
    _, options = _path_help(capsys, monkeypatch)
    guidelines = [k for k, v in _toml("guidelines.toml").items() if v["indicator"] == "share_gdp"]
    assert guidelines == ["wales-2", "hague-3.5", "hague-5"]
    for guideline in guidelines:
        assert guideline in _flat(options), guideline


def test_gap_help_lists_the_groups(capsys):
    code, out, _ = run(capsys, "gap", "--help")
    assert code == 0
    for group in _toml("groups.toml"):
        assert group in _flat(out), group


@pytest.mark.parametrize("columns", ["80", "120"])
def test_command_summaries_are_not_cut_off(capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = run(capsys, "--help")
    assert code == 0
    commands = out[out.index("Commands:") :]
    assert "..." not in commands and "…" not in commands
    for name in ("status", "show", "sources", "export", "gap", "path", "pledges", "simulate"):
        assert f"\n  {name} " in commands, name
    assert "whyNATOandSIPRIdiffer." in _flat(commands)


# ------------------------------------------------------------------ closed pipes
# The subprocesses share this run's milex home; the ``store`` fixture builds the store first, so
# that they do not log "building the data store" on stderr.


def _into_head(command: str, lines: int) -> tuple[list[str], str, int]:
    """Run ``milex COMMAND | head -LINES`` in bash (no pipefail): head's output, the pipeline's
    stderr and milex's own exit status (from PIPESTATUS, printed after head's lines)."""
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'{sys.executable} -m milex {command} | head -{lines}; echo "milex=${{PIPESTATUS[0]}}"',
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0
    *shown, status = done.stdout.splitlines()
    return shown, done.stderr, int(status.removeprefix("milex="))


def test_status_into_head_is_quiet(store):
    """`milex status | head -3`: three lines, nothing on stderr, and milex ends by SIGPIPE
    (exit status 128 + 13 in the shell) or exits 0, never 1."""
    shown, err, status = _into_head("status", 3)
    assert err == ""
    assert len(shown) == 3 and "NATO figures for" in shown[0]
    assert status in (0, 128 + signal.SIGPIPE)


def test_a_large_export_into_head_is_quiet(store):
    """An export far larger than the pipe's buffer: the writer meets the closed pipe for sure."""
    shown, err, status = _into_head("export -f csv", 1)
    assert err == ""
    assert shown[0].startswith("iso3,name,year,indicator,value")
    assert status == 128 + signal.SIGPIPE


def test_main_called_in_a_program_leaves_its_sigpipe_handling_alone(capsys):
    """A program (this test run) that calls main() keeps ignoring SIGPIPE: the default would
    kill it the next time a socket of its own closes (a loopback server's client, say)."""
    from milex.cli import main

    before = signal.getsignal(signal.SIGPIPE)
    with contextlib.suppress(SystemExit):
        main(["--version"])
    assert signal.getsignal(signal.SIGPIPE) == before == signal.SIG_IGN
    capsys.readouterr()


@pytest.mark.parametrize("args", [["status"], ["export", "-f", "csv"]])
def test_closed_pipe_ends_by_sigpipe_without_traceback(store, args):
    """The reader goes away before milex writes: milex ends by SIGPIPE (or exits 0), silently."""
    proc = subprocess.Popen(
        [*MILEX, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    proc.stdout.close()  # nobody reads: the first write meets a closed pipe
    err = proc.stderr.read().decode()
    proc.stderr.close()
    code = proc.wait(timeout=120)
    assert code in (0, -signal.SIGPIPE), (code, err)
    assert "Traceback" not in err and "rror" not in err and err == ""


# ------------------------------------------------------------------ rendering


def test_no_negative_zero_in_gap_tables(capsys):
    """Denmark 2023 (2026 edition): 2.01% of GDP, USD 8,140 m, so a GDP of 8,140 / 2.01 * 100 =
    USD 404,975 m and a gap to 2% of 8,099.5 - 8,140 = USD -40.5 m: -0.04 bn, shown as 0.0 bn."""
    code, out, _ = run(capsys, "gap", "--target", "2", "--year", "2023")
    assert code == 0
    denmark = next(line for line in out.splitlines() if "Denmark" in line)
    cells = [c.strip() for c in denmark.strip("│").split("│")]
    assert cells[:5] == ["Denmark", "2.01", "-0.01", "0.0 bn", "0.0 bn"]
    assert "-0.0 " not in out and "-0.00 " not in out


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (-0.04, 1, "0.0"),
        (-0.004, 2, "0.00"),
        (-0.0, 0, "0"),
        # rounds away from zero, so keeps its sign (0.05 is stored as 0.05000000000000000277)
        (-0.05, 1, "-0.1"),
        (-0.06, 1, "-0.1"),
        # Python's format rounds half to even: 1234.5 -> 1234
        (-1234.5, 0, "-1,234"),
        (float("nan"), 2, "—"),
        (None, 2, "—"),
    ],
)
def test_num_never_prints_negative_zero(value, digits, text):
    assert _num(value, digits) == text


def test_money_in_billion_never_negative_zero():
    assert _money(-40.5) == "0.0 bn"  # USD -40.5 m
    assert _money(-40.5, "EUR") == "0.0 bn EUR"
    assert _money(-1264.4) == "-1.3 bn"
    assert _money(153_000, "EUR") == "153.0 bn EUR"


def test_sparkline_of_a_series_with_negative_values():
    """Lowest value, lowest block; highest, highest block; a gap stays a gap (one line only)."""
    line = _spark(pd.Series([-2.0, 0.0, 3.0, math.nan, -1.0]))
    assert len(line) == 5 and "\n" not in line and "\x1b" not in line
    assert line[0] == "▁" and line[2] == "█" and line[3] == " "
    assert line[0] < line[4] < line[1] < line[2]  # the blocks rise in code-point order
    negative = _spark(pd.Series([-1.0, -3.0, -2.0]))
    assert negative[1] == "▁" and negative[0] == "█" and negative[1] < negative[2] < negative[0]


def test_no_projection_legend_without_projections(capsys):
    code, out, _ = run(capsys, "show", "DEU", "--source", "nato")
    assert code == 0
    assert "e = estimate" in out
    assert "p = IMF projection" not in out
    # ... while a table of IMF projections says what "p" means
    code, out, _ = run(
        capsys, "show", "DEU", "-i", "gdp_real_growth", "--source", "weo", "--years", "2025-2027"
    )
    assert code == 0 and "p = IMF projection" in out


def _sipri_years(name: str, indicator: str) -> set[int]:
    with (SHARED / name).open(encoding="utf-8", newline="") as handle:
        return {
            int(r["year"])
            for r in csv.DictReader(handle)
            if r["iso3"] == "RUS" and r["indicator"] == indicator
        }


def test_show_names_the_years_asked_for_without_figures(capsys):
    """SIPRI has Russia's share of GDP from 1992 but its spending in US dollars only from 1993,
    in both the April 2025 and the April 2026 release (sipri_milex.csv, sipri_milex_2026.csv)."""
    code, out, _ = run(capsys, "show", "RUS", "--source", "sipri", "--years", "1992-2024")
    assert code == 0
    assert "No spend_usd_current figures for 1992 in these editions." in out
    assert "No share_gdp figures" not in out
    table = out[out.index("Russia: spend_usd_current") :]
    assert "│  1993 │" in table and "│  1992 │" not in table


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the reference folder ../shared/data")
def test_russia_years_absent_from_the_sipri_releases():
    asked = set(range(1992, 2025))
    for name in ("sipri_milex.csv", "sipri_milex_2026.csv"):
        assert asked - _sipri_years(name, "spend_usd_current") == {1992}, name
        assert asked - _sipri_years(name, "share_gdp") == set(), name


# ------------------------------------------------------------------ errors speak plainly

PYTHON_WORDS = ("draws=", "100_000", "_address", "pip install", "None", "`", "Traceback")


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "DEU", "--by", "2029", "--draws", "0"],
        ["simulate", "DEU", "--by", "2029", "--draws", "-5"],
        ["simulate", "DEU", "--by", "2029", "--seed", "-1"],
        ["simulate", "DEU", "--by", "2029", "--dask", ""],
    ],
)
def test_cli_errors_speak_no_python(capsys, args):
    code, _, err = run(capsys, *args)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1
    for word in PYTHON_WORDS:
        assert word not in err, (word, err)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(
            ["path", "USA", "--target", "wales-2"],
            2,
        ),
        pytest.param(
            ["path", "POL", "--target", "3.5", "--by", "2035"],
            0,
        ),
    ],
)
def test_notes_and_errors_of_paths_speak_no_python(capsys, args, code):
    """A passed deadline asks for a later year; an ally above the target is held, said in words."""
    got, out, err = run(capsys, *args)
    assert got == code
    for word in (*PYTHON_WORDS, "=", "'converge'"):
        assert word not in err + "\n".join(
            line for line in out.splitlines() if line.startswith(("Note", "Caveat"))
        ), word


def test_draws_error_names_the_problem(capsys):
    code, _, err = run(capsys, "simulate", "DEU", "--by", "2029", "--draws", "0")
    assert code == 2 and "draws" in err and "got 0" in err


def test_missing_dask_is_explained_without_pip(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if dask were not installed
    code, _, err = run(
        capsys, "simulate", "DEU", "--by", "2029", "--draws", "1000", "--dask", "tcp://127.0.0.1:1"
    )
    assert code == 2 and "dask" in err.lower() and err.count("\n") == 1
    for word in PYTHON_WORDS:
        assert word not in err, (word, err)


@pytest.mark.network
def test_dead_dask_scheduler_fails_fast_in_one_line(store):
    """Nothing listens on port 1 of the loopback: a clear error within seconds, not 32 s."""
    pytest.importorskip("distributed")
    start = time.monotonic()
    done = subprocess.run(
        [*MILEX, "simulate", "DEU", "--by", "2029", "-n", "1000", "--dask", "tcp://127.0.0.1:1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    elapsed = time.monotonic() - start
    assert done.returncode == 2, done.stderr
    assert elapsed < 15, f"took {elapsed:.1f} s"
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach a Dask scheduler")
    assert "tcp://127.0.0.1:1" in lines[0]
    for word in ("Traceback", "dask_address", "pip install"):
        assert word not in done.stderr


# ------------------------------------------------------------------ no folder left behind


def test_a_pytest_run_leaves_no_milex_home_behind(tmp_path):
    """A pytest run in a fresh temporary folder leaves nothing in it (a store builds there)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    env.pop("MILEX_HOME", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_store.py::test_tidy_columns",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in temp.glob("milex-test-home-*")) == []


# ------------------------------------------------------------------ parser properties

YEARS = st.integers(min_value=1900, max_value=2100)  # vocab.FIRST_YEAR, vocab.LAST_YEAR


@settings(max_examples=200, deadline=None)
@given(YEARS, YEARS)
def test_year_ranges_round_trip(first, last):
    if first > last:
        with pytest.raises(InputError, match="first year comes after the last"):
            parse_years(f"{first}-{last}")
        return
    assert parse_years(f"{first}-{last}") == (first, last)
    assert parse_years((first, last)) == (first, last)
    assert parse_years(f"{first}") == (first, first) == parse_years(first)
    assert parse_years(list(range(first, min(last, first + 50) + 1))) == (
        first,
        min(last, first + 50),
    )


@settings(max_examples=100, deadline=None)
@given(YEARS, YEARS)
def test_reversed_ranges_are_refused(one, other):
    assume(one != other)
    first, last = max(one, other), min(one, other)
    with pytest.raises(InputError, match=rf"did you mean {last}-{first}\?"):
        parse_years(f"{first}-{last}")


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789-, x", min_size=1, max_size=12))
def test_years_parser_accepts_only_years_and_ranges(text):
    """Any text is either a year, a range, or an InputError: never another exception."""
    try:
        first, last = parse_years(text)
    except InputError:
        return
    assert first <= last
    assert parse_years(f"{first}-{last}") == (first, last)
    assert int(text.strip().partition("-")[0]) == first  # the first year is the one written


AMOUNTS = st.dictionaries(
    st.integers(min_value=1900, max_value=2100),
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_amounts_round_trip(plan):
    text = ",".join(f"{year}={value!r}" for year, value in plan.items())
    assert _parse_amounts(text) == plan
    spaced = ", ".join(f"{year} = {value}" for year, value in plan.items())
    assert _parse_amounts(spaced) == plan


@settings(max_examples=100, deadline=None)
@given(AMOUNTS, st.data())
def test_amounts_with_a_year_twice_are_refused(plan, data):
    year = data.draw(st.sampled_from(sorted(plan)))
    text = ",".join(f"{y}={v!r}" for y, v in plan.items()) + f",{year}=1"
    with pytest.raises(typer.BadParameter, match=f"{year} given more than once"):
        _parse_amounts(text)


@pytest.mark.parametrize(
    "text", ["2027:5", "2027", "2027=5,", "=5", "2027=", "2027=5=6", "x=5", "2027=five", ""]
)
def test_malformed_amounts_are_refused(text):
    with pytest.raises(typer.BadParameter, match="use YEAR=MILLION pairs"):
        _parse_amounts(text)
