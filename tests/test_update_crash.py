"""milex update under stress: killed with SIGKILL at moments spread over its whole run, run twice
at once, and fed from a loopback server that is slow, missing, cut off or gone.

Every trial starts from the same milex home (the embedded store built and one edition of the
user's own, NATO "2027-06", added), runs ``milex update --source sipri --file`` on a SIPRI-layout
workbook, and kills it. Afterwards the store must open with the embedded editions and the user's
edition complete, and SIPRI's April 2026 edition either as before (milex's subset) or wholly
replaced by the workbook: never in part.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from milex.catalog import data_dir, embedded_editions
from milex.store import open_store, userdata
from tests import http_server
from tests.sipri_workbook import with_shipped

http_files = http_server.http_files

#: Kill trials, at moments spread evenly over 1.4 times one measured run (past its end too).
TRIALS = 20
#: SIPRI's April 2026 subset shipped with milex: 2,317 figures (docs/data.md, Editions).
SHIPPED_SIPRI_2026 = 2317
#: A user's edition held before the update: NATO's 2026 Germany share figures under 2027-06.
USER_EDITION = ("nato", "2027-06")


def _milex(home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "MILEX_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "milex", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    """SIPRI's April 2026 edition in its layout: the subset milex ships and 20 more countries
    (invented figures), 1949-2025."""
    folder = tmp_path_factory.mktemp("workbook")
    return with_shipped(folder / "SIPRI-Milex-data-1949-2025.xlsx", data_dir(), countries=20)


@pytest.fixture(scope="module")
def prepared_home(tmp_path_factory) -> Path:
    """A milex home with the store built and the user's edition nato 2027-06 added."""
    home = tmp_path_factory.mktemp("home")
    meta = {
        "source": "nato",
        "vintage": "2027-06",
        "publisher": "NATO (test)",
        "title": "Defence Expenditure of NATO Countries (test)",
        "published": "2027-06-15",
        "url": "https://www.nato.int/test.xlsx",
        "licence": "NATO",
        "cite": "NATO (test edition)",
        "reader": "test",
    }
    # Germany 2014-2026 shares of the 2026 edition (nato_2026-07.csv), under a test vintage
    shares = [1.18, 1.18, 1.19, 1.23, 1.25, 1.36, 1.49, 1.44, 1.49, 1.57, 2.0, 2.22, 2.69]
    obs = pd.DataFrame(
        {
            "source_id": "user-nato-2027-06-1",
            "iso3": "DEU",
            "year": range(2014, 2027),
            "indicator": "share_gdp",
            "value": shares,
            "unit": "percent of GDP",
            "status": "actual",
        }
    )
    origins = pd.DataFrame(
        [("user-nato-2027-06-1", "nato", "2027-06", "test")],
        columns=["id", "source", "vintage", "citation"],
    )
    userdata.add_edition(meta, obs, origins, cache_dir=home)
    open_store(cache_dir=home).close()
    return home


def _state(home: Path) -> tuple[set, int]:
    """Check a home after a trial: the user's file reads whole, every edition in it is intact,
    the store opens with every embedded edition and the user's; returns the user's editions and
    the number of SIPRI 2026-04 figures served."""
    path = userdata.user_path(home)
    userdata.inspect_file(path)  # raises when damaged
    con = userdata.connect(path)
    try:
        checked = userdata.check_editions(con)
    finally:
        con.close()
    assert all(e["intact"] for e in checked), checked
    store = open_store(cache_dir=home)
    try:
        held = set(store.editions().itertuples(index=False, name=None))
        served = len(store.observations("sipri", "2026-04"))
    finally:
        store.close()
    assert embedded_editions(data_dir()) | {USER_EDITION} <= held
    return {(e["source"], e["vintage"]) for e in checked}, served


def test_an_update_killed_at_any_moment_leaves_the_previous_editions_whole(
    workbook, prepared_home, tmp_path
):
    # one full run, timed with a second one beside it, as the trials run two at a time
    timed = [tmp_path / "timed-a", tmp_path / "timed-b"]
    start = time.perf_counter()
    runs = []
    for home in timed:
        shutil.copytree(prepared_home, home)
        runs.append(_milex(home, "update", "--source", "sipri", "--file", str(workbook)))
    answers = [(p.wait(timeout=300), p.communicate()[1]) for p in runs]
    duration = time.perf_counter() - start
    assert [code for code, _ in answers] == [0, 0], answers
    full = _state(timed[0])[1]
    assert full > SHIPPED_SIPRI_2026  # the whole workbook replaced the subset

    def trial(number: int) -> bool:
        home = tmp_path / f"trial-{number}"
        shutil.copytree(prepared_home, home)
        process = _milex(home, "update", "--source", "sipri", "--file", str(workbook))
        time.sleep(duration * 1.4 * (number + 0.5) / TRIALS)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        editions, served = _state(home)
        added = ("sipri", "2026-04") in editions
        # all or nothing: the shipped subset, or the whole workbook
        assert served == (full if added else SHIPPED_SIPRI_2026), (number, served)
        return added

    with ThreadPoolExecutor(2) as pool:  # two trials at a time, one per core
        outcomes = list(pool.map(trial, range(TRIALS)))
    print(
        f"crash trials: {sum(outcomes)} of {TRIALS} killed after the commit, over {duration:.1f} s"
    )
    # the moments spanned the commit: some trials were killed before it, some after
    assert 0 < sum(outcomes) < TRIALS, outcomes


def test_two_updates_at_once_add_the_edition_once(workbook, prepared_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(prepared_home, home)
    runs = [_milex(home, "update", "--source", "sipri", "--file", str(workbook)) for _ in "ab"]
    answers = [(p.wait(timeout=300), *p.communicate()) for p in runs]
    codes = sorted(code for code, _, _ in answers)
    # one adds; the other finds it added (held already, exit 0) or is refused in one line
    assert codes[0] == 0 and codes[1] in (0, 2), answers
    if codes[1] == 2:
        refusal = next(err for code, _, err in answers if code == 2)
        assert "sipri 2026-04 was added already" in refusal
        assert len(refusal.strip().splitlines()) == 1
    editions, served = _state(home)
    assert ("sipri", "2026-04") in editions and served > SHIPPED_SIPRI_2026


def test_an_update_from_a_loopback_host_and_from_one_that_is_gone(
    workbook,
    prepared_home,
    tmp_path,
    http_files,
):
    home = tmp_path / "home"
    shutil.copytree(prepared_home, home)
    before = userdata.user_path(home).read_bytes()
    # offline: nothing listens on the port
    gone = _milex(home, "update", "--source", "sipri", "--url", "http://127.0.0.1:9/x.xlsx")
    _, err = gone.communicate(timeout=120)
    assert gone.returncode == 1
    assert "nothing was changed" in err and len(err.strip().splitlines()) == 1
    assert userdata.user_path(home).read_bytes() == before
    # renamed: the old name redirects to the new one, which breaks off once, then comes slowly
    http_files.serve("new.xlsx", workbook.read_bytes(), mode="truncated", times=1)
    http_files.serve(workbook.name, mode="redirect", to="new.xlsx")
    ok = _milex(home, "update", "--source", "sipri", "--url", http_files.url(workbook.name))
    _, err = ok.communicate(timeout=300)
    assert ok.returncode == 0, err
    assert http_files.requests("new.xlsx") == 2  # retried after the broken download
    editions, served = _state(home)
    assert ("sipri", "2026-04") in editions and served > SHIPPED_SIPRI_2026
