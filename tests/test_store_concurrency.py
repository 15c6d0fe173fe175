"""Many processes and killed builds: one process builds while the others wait, and a build
killed at any moment leaves nothing behind that the next open does not clean up.

Processes are forked from a server that has imported milex already (multiprocessing's
``forkserver`` with a preload), so that the test pays for pandas and pandera once, not per
process.
"""

from __future__ import annotations

import logging
import multiprocessing
import random
import time
from pathlib import Path

import pytest

from milex.catalog import data_dir
from milex.store import files, open_store

#: NATO 2026-07 edition, Germany 2024, share of GDP (observations/nato_2026-07.csv).
EMBEDDED_DEU_2024 = 2.0
PRELOAD = ["milex.store", "milex.store.build", "milex.store.schema", "milex.readers"]


@pytest.fixture(scope="module")
def forks():
    """A multiprocessing context whose processes fork from a server with milex imported."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    warm = context.Process(target=time.sleep, args=(0,))  # starts the server: not timed later
    warm.start()
    warm.join()
    return context


class _Builds(logging.Handler):
    """Counts the log lines that say a build starts."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "building the data store" in record.getMessage()


def open_and_report(home: Path, start, results) -> None:
    """In a forked process: wait for ``start``, open the store in ``home``, and put (builds
    started here, when the store opened was built, Germany's 2024 share) on ``results``."""
    builds = _Builds()
    logging.getLogger("milex").addHandler(builds)
    logging.getLogger("milex").setLevel(logging.INFO)
    start.wait()
    store = open_store(data_dir(), home)
    built = store.sql("SELECT built FROM meta")["built"].iloc[0]
    obs = store.observations("nato", "2026-07", ["DEU"], ["share_gdp"], (2024, 2024))
    results.put((builds.count, built, float(obs["value"].iloc[0])))
    store.close()


def leftovers(home: Path) -> list[str]:
    """Files of a build or a write in ``home``: temporary stores and digests, logs."""
    return sorted(
        p.name for p in home.iterdir() if p.name.startswith(".building-") or p.suffix == ".wal"
    )


def timed_build(forks, home: Path) -> tuple[float, float]:
    """Seconds from a forked process's start to its build's first temporary file, and to its
    end."""
    proc = forks.Process(target=open_store, args=(data_dir(), home))
    began = time.monotonic()
    proc.start()
    writing = None
    while proc.is_alive():
        if writing is None and home.is_dir() and leftovers(home):
            writing = time.monotonic() - began
        time.sleep(0.002)
    duration = time.monotonic() - began
    assert proc.exitcode == 0 and writing is not None
    return writing, duration


def test_sixteen_processes_on_an_empty_home_build_once(forks, tmp_path):
    home = tmp_path / "home"
    start, results = forks.Event(), forks.Queue()
    procs = [forks.Process(target=open_and_report, args=(home, start, results)) for _ in range(16)]
    for proc in procs:
        proc.start()
    began = time.monotonic()
    start.set()
    reports = [results.get(timeout=300) for _ in procs]
    elapsed = time.monotonic() - began
    for proc in procs:
        proc.join(timeout=60)
    assert [proc.exitcode for proc in procs] == [0] * 16
    assert sum(count for count, _, _ in reports) == 1  # exactly one process built
    assert len({built for _, built, _ in reports}) == 1  # and all opened that build
    assert {share for _, _, share in reports} == {EMBEDDED_DEU_2024}
    assert len(list(home.glob("store-*.duckdb"))) == 1 and leftovers(home) == []
    assert elapsed < 60  # one build (~1 s) then 16 opens; 16 builds took 15-45 s


def test_builds_killed_at_random_moments_leave_nothing_behind(forks, tmp_path):
    """20 builds SIGKILLed at random moments, each followed by a normal open: it cleans up,
    builds, and serves the embedded figure. Ten moments are spread over a whole build (one
    drawn in each tenth), ten over its writing (counted from its first temporary file)."""
    home = tmp_path / "home"
    writing, duration = timed_build(forks, home)
    rng = random.Random(20260711)
    moments = [(False, duration * (i + rng.random()) / 10) for i in range(10)]
    moments += [(True, (duration - writing) * (i + rng.random()) / 10) for i in range(10)]
    rng.shuffle(moments)
    caught = 0  # kills that left a build's files behind
    for after_writing_starts, moment in moments:
        for path in home.glob("store-*"):
            path.unlink()
        victim = forks.Process(target=open_store, args=(data_dir(), home))
        victim.start()
        while after_writing_starts and victim.is_alive() and not leftovers(home):
            time.sleep(0.001)
        time.sleep(moment)
        victim.kill()
        victim.join(timeout=60)
        caught += bool(leftovers(home))
        store = open_store(data_dir(), home)
        assert leftovers(home) == [], f"killed after {moment:.2f} s"
        obs = store.observations("nato", "2026-07", ["DEU"], ["share_gdp"], (2024, 2024))
        assert obs["value"].tolist() == [EMBEDDED_DEU_2024]
        assert files.file_problem(store.path) is None
        store.close()
    assert caught >= 1, "no kill landed while a build's files existed"
    assert len(list(home.glob("store-*.duckdb"))) == 1


def test_build_lock_is_free_after_a_killed_build(forks, tmp_path):
    """The build lock dies with the process holding it: the next open does not wait for it."""
    home = tmp_path / "home"
    victim = forks.Process(target=open_store, args=(data_dir(), home))
    victim.start()
    deadline = time.monotonic() + 60
    while not (home.is_dir() and leftovers(home)) and time.monotonic() < deadline:
        time.sleep(0.002)
    victim.kill()
    victim.join(timeout=60)
    assert leftovers(home), "the build was not caught writing"
    began = time.monotonic()
    open_store(data_dir(), home).close()
    assert time.monotonic() - began < 30  # the build lock's timeout is 120 s
    assert leftovers(home) == []
