"""milex update through the API and the command line: NATO, SIPRI and IMF files written in
their official layouts are compared with the edition held, added in one step, listed by milex
vintages and diffed; a dry run, a bad file, bad usage and a network failure change nothing."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from milex import api
from milex.catalog import data_dir
from milex.store import default_store, userdata
from tests import http_server
from tests.nato_workbook import write_nato_2026
from tests.sipri_workbook import SHIPPED_NAMES, with_shipped
from tests.test_cli import run
from tests.test_reader_sipri import COUNTRIES as SIPRI_COUNTRIES
from tests.test_reader_sipri import EXPECTED as SIPRI_EXPECTED
from tests.test_reader_sipri import _figures as sipri_figures
from tests.weo_files import published, write_weo_xlsx

http_files = http_server.http_files

EMBEDDED = data_dir() / "observations" / "nato_2026-07.csv"
#: Poland's 2025 share of GDP: 4.25, a NATO estimate in July 2026; the re-issue written
#: here makes it 4.48 and actual (a made-up figure of an edition not yet published).
POLAND_2025 = (4.25, 4.48)


def _rows_2026() -> list[dict[str, str]]:
    with EMBEDDED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


#: The July 2026 edition's figures, and its 2025 estimates (each actual in the re-issue).
FIGURES_2026 = len(_rows_2026())
ESTIMATES_2025 = sum(r["year"] == "2025" and r["status"] == "estimate" for r in _rows_2026())


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    """NATO's September 2026 re-issue (a made-up correction, 2026 layout): the 2026 edition's
    figures, 2025 now actual, Poland's 2025 share revised."""
    figures = pd.read_csv(EMBEDDED)
    figures.loc[figures["year"] == 2025, "status"] = "actual"
    poland = (figures["iso3"] == "POL") & (figures["year"] == 2025)
    figures.loc[poland & (figures["indicator"] == "share_gdp"), "value"] = POLAND_2025[1]
    path = tmp_path_factory.mktemp("nato") / "def-exp-2026-09-en.xlsx"
    return write_nato_2026(path, figures, modified="2026-09-15T10:00:00")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A milex home of this test's own (the session's store is never written)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("MILEX_HOME", str(folder))
    default_store.cache_clear()
    yield folder
    default_store.cache_clear()


def _nato_vintages() -> list[str]:
    return api.vintages("nato").frame["vintage"].tolist()


def test_dry_run_compares_and_adds_nothing(capsys, home, workbook):
    code, out, _ = run(capsys, "update", "-s", "nato", "--file", str(workbook), "--dry-run",
                       "-f", "json")  # fmt: skip
    assert code == 0
    (row,) = json.loads(out)["rows"]
    assert row["vintage"] == "2026-09" and row["action"] == "would add"
    assert row["compared_with"] == "2026-07" and row["figures"] == FIGURES_2026
    assert (row["new"], row["revised"], row["dropped"]) == (0, 1, 0)
    assert row["became_actual"] == ESTIMATES_2025
    assert row["origin"].startswith("def-exp-2026-09-en.xlsx (sha256 ")
    assert not userdata.user_path(home).exists()
    assert _nato_vintages() == ["2024-06", "2025-08", "2026-07"]


def test_update_adds_the_edition_then_vintages_and_diff_show_it(capsys, home, workbook):
    code, out, _ = run(capsys, "update", "--file", str(workbook))  # source told by the name
    assert code == 0
    assert "added" in out and "2026-09" in out and f"{ESTIMATES_2025:,}" in out
    assert f"Added 1 edition(s) to your editions in {home}" in " ".join(out.split())
    # the process's store is not stale: the new edition is read at once, and by default
    editions = api.vintages("nato").frame.set_index("vintage")
    assert editions["newest"].to_dict() == {
        "2024-06": False,
        "2025-08": False,
        "2026-07": False,
        "2026-09": True,
    }
    added = editions.loc["2026-09"]
    assert added["where"].startswith("added by you on 20")
    assert " from def-exp-2026-09-en.xlsx (sha256 " in added["where"]
    assert editions.loc["2026-07", "where"] == "embedded in milex"
    poland = api.latest("POL", "share_gdp", vintage="2026-09")
    assert poland["value"].tolist() == [4.68]  # 2026, still an estimate
    code, out, _ = run(capsys, "diff", "nato", "--country", "POL", "-i", "share_gdp", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["query"]["old"], doc["query"]["new"]) == ("2026-07", "2026-09")
    (revised,) = [r for r in doc["rows"] if r["kind"] == "revised"]
    assert (revised["year"], revised["old_value"], revised["new_value"]) == (2025, *POLAND_2025)
    assert revised["change"] == pytest.approx(4.48 - 4.25)  # +0.23 points
    assert revised["became_actual"] and revised["change_unit"] == "percentage points of GDP"
    # the same file again: held already, nothing added, still success
    code, out, _ = run(capsys, "update", "-s", "nato", "--file", str(workbook), "-f", "json")
    assert code == 0 and json.loads(out)["rows"][0]["action"] == "held already"
    assert len(userdata.manifest(home)) == 1


def test_progress_reports_each_reading_step(home, workbook):
    calls: list[tuple[int, int, str]] = []
    api.update("nato", workbook, dry_run=True, progress=lambda *c: calls.append(c))
    steps = {what for _, _, what in calls}
    assert {"Table 1", "Table 3"} <= steps  # the reader's steps (what it reads)
    assert all(done <= total for done, total, _ in calls if total)


def test_progress_bars_go_to_standard_error_and_json_stays_whole(tmp_path, workbook):
    """With a terminal forced, Rich draws the bars on standard error; standard output is the
    JSON envelope alone."""
    env = {**os.environ, "MILEX_HOME": str(tmp_path / "home"), "TTY_COMPATIBLE": "1"}
    args = ["update", "-s", "nato", "--file", str(workbook), "--dry-run", "-f", "json"]
    done = subprocess.run(
        [sys.executable, "-m", "milex", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"][0]["action"] == "would add"
    assert "Table 8a" in done.stderr  # the reading bar, at its last step


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "natoo"], "unknown source 'natoo' (did you mean nato?)"),
        (["-s", "nato", "--vintage", "2026-13"], "vintage '2026-13' is not a year and month"),
        (["--url", "https://example.org/x.xlsx"], "vintage and url apply to one source"),
        (["-s", "nato", "--file", "missing.xlsx"], "no such file: missing.xlsx"),
        (["-s", "nato", "--url", "ftp://example.org/x"], "url: got 'ftp://example.org/x'"),
        (["--file", "data.xlsx"], "cannot tell which source data.xlsx is from its name"),
    ],
)
def test_bad_usage_exits_2_in_one_line(capsys, home, args, message):
    code, out, err = run(capsys, "update", *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not home.exists() or not userdata.user_path(home).exists()


def test_a_bad_file_exits_1_and_changes_nothing(capsys, home, tmp_path, workbook):
    """The good NATO workbook is read first, then SIPRI's file is bad: every file is read
    before any edition is added, so none is."""
    bad = tmp_path / "SIPRI-Milex-data-1949-2026.xlsx"
    bad.write_bytes(b"not a workbook")
    code, _, err = run(capsys, "update", "--file", str(workbook), "--file", str(bad))
    assert code == 1 and "SIPRI-Milex-data-1949-2026.xlsx" in err and err.count("\n") == 1
    assert not userdata.user_path(home).exists()
    assert _nato_vintages() == ["2024-06", "2025-08", "2026-07"]


def test_one_source_that_cannot_be_downloaded_holds_back_none_of_the_others(
    capsys, home, monkeypatch, workbook, http_files
):
    """milex update (all sources): NATO's file is there; SIPRI's, the WEO's and the World
    Bank's addresses answer 404 (a file renamed, or not yet published). NATO's edition is
    added, each other source is "not updated" with its reason, and the exit code is 1."""
    from milex.store import update

    http_files.serve("def-exp-2026-09-en.xlsx", workbook.read_bytes())
    monkeypatch.setattr(
        update,
        "candidates",
        lambda meta, today=None: [
            http_files.url("def-exp-2026-09-en.xlsx" if meta["source"] == "nato" else "gone.xlsx")
        ],
    )
    code, out, err = run(capsys, "update", "-f", "json")
    assert code == 1
    doc = json.loads(out)
    actions = {row["source"]: row["action"] for row in doc["rows"]}
    assert actions == {
        "nato": "added",
        "sipri": "not updated",
        "weo": "not updated",
        "wdi": "not updated",
    }
    assert any(n.startswith("sipri not updated: the file is not at") for n in doc["notes"])
    assert _nato_vintages() == ["2024-06", "2025-08", "2026-07", "2026-09"]
    # none at all: the first reason, in one line, nothing changed
    monkeypatch.setattr(update, "candidates", lambda meta, today=None: [http_files.url("x")])
    code, out, err = run(capsys, "update")
    assert code == 1 and out == "" and err.startswith("error: the file is not at")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_exits_1_saying_nothing_was_changed(capsys, home, monkeypatch, workbook):
    """No answer at the address (the retries' pauses skipped): one line, nothing added."""
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the retries' pauses
    url = f"http://127.0.0.1:{_closed_port()}/def-exp-2026-09-en.xlsx"
    code, out, err = run(capsys, "update", "-s", "nato", "--url", url)
    assert code == 1 and out == ""
    assert "cannot reach 127.0.0.1" in err and "nothing was changed" in err
    assert err.count("\n") == 1
    assert not userdata.user_path(home).exists()
    assert _nato_vintages() == ["2024-06", "2025-08", "2026-07"]


def test_the_shipped_sipri_subset_is_measured_against_the_database(store):
    """The embedded SIPRI editions are subsets, measured against SIPRI's database (173
    countries in the April 2026 workbook, editions.toml)."""
    share = api.sipri_share(store=store)
    assert share["complete"] is False and share["within_limit"] is True
    assert share["embedded_countries"] == 10 and share["database_countries"] == 173


def test_a_full_sipri_workbook_replaces_the_subset_and_is_said_to_be_held(capsys, home, tmp_path):
    """SIPRI's workbook in its layout (the reader's fixture: published April 2026 figures of a
    few countries): a complete copy of the edition milex ships in part."""
    path = tmp_path / "SIPRI-Milex-data-1949-2025.xlsx"
    # the subset milex ships, and the reader's published figures of Poland, Kosovo ...
    with_shipped(path, data_dir(), countries=0, extra=(SIPRI_COUNTRIES, sipri_figures()))
    code, out, _ = run(capsys, "update", "--file", str(path), "-f", "json")
    assert code == 0
    (row,) = json.loads(out)["rows"]
    assert (row["source"], row["vintage"]) == ("sipri", "2026-04")
    assert row["action"] == "replaces the embedded subset" and row["compared_with"] == "2026-04"
    assert row["dropped"] == 0  # every figure milex ships is in the copy
    countries = ({iso3 for iso3, _, _ in SIPRI_EXPECTED} | set(SHIPPED_NAMES)) - {"WLD"}
    share = api.sipri_share()
    assert share["complete"] is True and share["within_limit"] is None
    assert share["embedded_countries"] == len(countries)
    assert share["embedded_figures"] == row["figures"]
    assert "held locally" in share["note"]
    code, out, _ = run(capsys, "sources")
    flat = " ".join(out.split())
    assert f"SIPRI 2026-04: the full database, {len(countries)} countries" in flat
    assert "The full SIPRI Military Expenditure Database is held locally" in flat
    where = api.vintages("sipri").frame.set_index("vintage").loc["2026-04", "where"]
    assert where.endswith("(replaces the subset milex ships)")
    assert "from SIPRI-Milex-data-1949-2025.xlsx (sha256 " in where
    # Poland, outside the shipped subset, now has SIPRI figures: 4.4969% of GDP in 2025
    poland = api.series("POL", "share_gdp", 2025, source="sipri")
    assert poland["value"].tolist() == [pytest.approx(4.4969)]
    result = api.compare("POL", "RUS", source="sipri")
    assert [s["vintage"] for s in result.extra["sides"]] == ["2026-04", "2026-04"]
    # the table shows SIPRI's share of government spending, which the full copy holds:
    # Poland 9.02% in 2025 (0.090178 in SIPRI's cell)
    code, out, _ = run(capsys, "compare", "POL", "RUS", "--source", "sipri")
    assert code == 0 and "Share of government spending (%)" in out and "9.02" in out


def test_a_weo_workbook_whose_projection_became_actual(home, tmp_path):
    """The IMF's October 2026 workbook in its layout: the April 2026 edition's figures
    (src/milex/data/observations/weo_2026-04.csv), Germany's 2026 growth (a 0.791% projection)
    made an actual 1.091%: one revision, one projection that became actual."""
    figures = published("weo_2026-04")
    germany = (figures["iso3"] == "DEU") & (figures["indicator"] == "gdp_real_growth")
    figures.loc[germany & figures["year"].isin([2025, 2026]), "status"] = "actual"
    figures.loc[germany & (figures["year"] == 2026), "value"] = 1.091
    path = write_weo_xlsx(tmp_path / "WEOOct2026all.xlsx", figures, vintage="2026-10")
    (row,) = api.update("weo", path).frame.to_dict("records")
    assert (row["vintage"], row["action"], row["compared_with"]) == ("2026-10", "added", "2026-04")
    assert (row["revised"], row["became_actual"], row["new"], row["dropped"]) == (1, 1, 0, 0)
    result = api.diff("weo", countries="DEU", indicators="gdp_real_growth")
    assert (result.query["old"], result.query["new"]) == ("2026-04", "2026-10")
    (revised,) = result.frame[result.frame["year"] == 2026].to_dict("records")
    assert (revised["old_value"], revised["new_value"]) == (0.791, 1.091)
    assert revised["change"] == pytest.approx(0.3)
    assert revised["change_unit"] == "percentage points"
    assert (revised["old_status"], revised["new_status"]) == ("projection", "actual")
    # 2025 went from unknown to actual, unchanged: not listed (unknown is no estimate)
    assert result.frame["year"].tolist() == [2026]
