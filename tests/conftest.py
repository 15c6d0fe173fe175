"""Shared fixtures: every test run uses its own milex home, never the user's."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ["MILEX_HOME"] = tempfile.mkdtemp(prefix="milex-test-home-")

from milex.catalog import data_dir
from milex.store import default_store

#: This run's milex home, removed when the run ends.
HOME = os.environ["MILEX_HOME"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def pytest_sessionstart(session):
    """This run's milex home exists (again, when one process runs pytest twice, as mutmut), and
    the Monte Carlo kernel is compiled (once per clone, then cached by numba): tests that bound
    a call's time time the call, not the one-off compilation (benchmarks/bench_simulation.py
    measures that)."""
    os.makedirs(HOME, exist_ok=True)
    from milex.montecarlo import simulate

    simulate([[1.0]], [100.0], [[0.0]], [[0.0]], 1.0, draws=1, seed=0, workers=1)


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's milex home: a test run leaves nothing in the temporary folder."""
    if default_store.cache_info().currsize:
        default_store().close()
        default_store.cache_clear()
    shutil.rmtree(HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def store():
    """The store of the embedded data (built once per test session)."""
    return default_store()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the embedded data folder, to corrupt or extend in a test."""
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))
    return target
