"""The command line refuses nonsense (issue 7, part 4): each input measured to misbehave before
gets one line on standard error, exit code 2 and words that say what is accepted; no traceback,
and never the "bug in milex" fallback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from milex import api

from .test_cli import run

ROOT = Path(__file__).resolve().parents[1]
PLAN = "2027=90000,2028=95000,2029=100000"
SIMULATE = ["simulate", "DEU", "--by", "2029", "--draws", "1000"]
HUGE = "x" * 100_000


def _refused(capsys, *args: str) -> str:
    """Run the command; assert exit 2 and one short line; return that line."""
    code, _, err = run(capsys, *args)
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "bug in milex" not in err
    assert len(err) < 300, f"{len(err)} characters"
    return err


# ------------------------------------------------------------------ years


@pytest.mark.parametrize(
    "args",
    [
        ["show", "DEU", "--years", "0"],
        ["show", "DEU", "--years", "99999"],
        ["show", "DEU", "--years", "1800-2024"],
        ["status", "--year", "0"],
        ["status", "--year", "99999"],
        ["gap", "--year", "0"],
    ],
)
def test_implausible_years_are_refused_alike(capsys, args):
    """--years and --year go through the one year parser, so they refuse alike (before the
    fix: "No ... in 0" and exit 0 for --years 0, while --year 0 was an error)."""
    err = _refused(capsys, *args)
    assert "out of range, give years from 1900 to 2100" in err


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["path", "DEU", "--by", "99999"], "target year 99999 is out of range"),
        (["simulate", "DEU", "--by", "0"], "target year 0 is out of range"),
        (["path", "DEU", "--base-year", "0"], "got 0"),
    ],
)
def test_implausible_target_and_base_years_are_refused(capsys, args, phrase):
    assert phrase in _refused(capsys, *args)


def test_a_double_dash_range_is_not_read_as_a_negative_year(capsys):
    err = _refused(capsys, "show", "DEU", "--years", "2014--2020")
    assert "'2014--2020'" in err and "a range (2014-2024)" in err
    assert "did you mean -2020" not in err


# ------------------------------------------------------------------ amounts


def test_a_year_given_twice_in_amounts_is_refused(capsys):
    err = _refused(capsys, *SIMULATE, "--amounts", f"{PLAN},2027=1")
    assert "2027 given more than once" in err


def test_empty_amounts_are_refused_not_read_as_no_plan(capsys):
    err = _refused(capsys, *SIMULATE, "--amounts", "")
    assert "use YEAR=MILLION pairs" in err


@pytest.mark.parametrize(("extra", "year"), [("2020=1", "2020"), ("2035=1", "2035")])
def test_amounts_outside_the_plan_are_refused(capsys, extra, year):
    err = _refused(capsys, *SIMULATE, "--amounts", f"{extra},{PLAN}")
    assert f"amounts given for {year}, outside the plan" in err


@pytest.mark.parametrize("amount", ["1e300", "1e40", "1e20"])
def test_absurd_amounts_are_refused(capsys, amount):
    """1e300 crashed the engine (IndexError); 1e20-1e40 gave absurd shares."""
    plan = ",".join(f"{year}={amount}" for year in (2027, 2028, 2029))
    err = _refused(capsys, *SIMULATE, "--amounts", plan)
    assert "above the 200% limit of a share of GDP" in err


# ------------------------------------------------------------------ formats and addresses


def test_an_empty_export_format_is_refused(capsys):
    err = _refused(capsys, "export", "--format", "", "-o", "x.csv")
    assert "'' is not one of 'csv', 'parquet', 'json'" in err


@pytest.mark.parametrize("address", ["garbage", "tcp://localhost", "http://127.0.0.1:8786"])
def test_a_malformed_dask_address_is_refused_at_once(capsys, address):
    """Before: a traceback, then a 60 s stall."""
    start = time.monotonic()
    err = _refused(capsys, *SIMULATE, "--dask", address)
    assert time.monotonic() - start < 10
    assert f"not {address!r}" in err and "tcp://127.0.0.1:8786" in err


# ------------------------------------------------------------------ long values


@pytest.mark.parametrize(
    "args",
    [
        ["show", HUGE],
        ["status", "--source", HUGE],
        ["status", "--year", "1" * 100_000],
        ["show", "DEU", "--years", HUGE],
        ["show", "DEU", "--indicator", HUGE],
        ["gap", "--target", HUGE],
        [*SIMULATE, "--amounts", HUGE],
        [*SIMULATE, "--dask", HUGE],
        ["export", "--vintage", HUGE, "-f", "csv"],
    ],
    ids=lambda args: " ".join(a[:12] for a in args),
)
def test_a_100_kb_argument_is_echoed_cut_short(capsys, args):
    err = _refused(capsys, *args)
    assert "…" in err or "..." in err


# ------------------------------------------------------------------ the last guard


@pytest.mark.parametrize(
    "error", [RuntimeError("boom"), KeyError("share_gdp"), ZeroDivisionError()]
)
def test_an_unexpected_exception_is_reported_as_a_bug_in_one_line(capsys, monkeypatch, error):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(api, "status", broken)
    code, out, err = run(capsys, "status")
    assert code == 1 and out == ""
    assert err.startswith("error: this is a bug in milex ") and err.count("\n") == 1
    assert type(error).__name__ in err and "please report it" in err
    assert "Traceback" not in err


def test_a_file_system_error_elsewhere_is_one_line_with_exit_2(capsys, monkeypatch):
    def unwritable(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/home/me/.milex/store.duckdb")

    monkeypatch.setattr(api, "status", unwritable)
    code, _, err = run(capsys, "status")
    assert code == 2
    assert err == "error: Permission denied: /home/me/.milex/store.duckdb\n"


def test_a_malformed_plan_is_echoed_cut_short_in_quotes(capsys):
    err = _refused(capsys, *SIMULATE, "--amounts", "2027=x," + "9" * 5000)
    assert "'2027=x,999" in err and "..." in err and "use YEAR=MILLION pairs" in err


def test_the_dask_option_names_its_timeout_variable(capsys):
    code, out, _ = run(capsys, "simulate", "--help")
    assert code == 0 and "MILEX_DASK_TIMEOUT" in out


# ------------------------------------------------------------------ doctor


def test_doctor_repair_rebuilds_the_store(tmp_path):
    """In a home of its own (a rebuild of the test session's store would pull it from under
    the other tests), after a first run has built it."""
    env = {**os.environ, "MILEX_HOME": str(tmp_path / "home")}
    for args in (["status"], ["doctor", "--repair"]):
        done = subprocess.run(
            [sys.executable, "-m", "milex", *args],
            capture_output=True,
            text=True,
            env={**env, "COLUMNS": "200"},
            timeout=180,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
    assert "rebuilt" in done.stdout and "0 problem(s)" in done.stdout
    assert "Traceback" not in done.stderr


def test_doctor_exits_1_when_it_finds_a_problem(tmp_path):
    """A command's own exit code reaches the shell (click returns it, not raises, outside its
    standalone mode): a store with one flipped byte is a problem, and doctor says so with 1."""
    env = {**os.environ, "MILEX_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    milex = [sys.executable, "-m", "milex"]
    subprocess.run([*milex, "status"], capture_output=True, env=env, timeout=180, check=True)
    store = next((tmp_path / "home").glob("store-*.duckdb"))
    data = bytearray(store.read_bytes())
    data[len(data) // 2] ^= 0xFF
    store.write_bytes(bytes(data))
    done = subprocess.run([*milex, "doctor"], capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 1, done.stdout[-500:]
    assert "problem(s)" in done.stdout
