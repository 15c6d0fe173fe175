"""The store tells damaged from busy: a damaged cache is rebuilt, a locked one waited for and
never deleted, and the user's own editions survive every rebuild, migration and damage."""

from __future__ import annotations

import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from milex import catalog
from milex.errors import DataFileError, InputError, MilexError
from milex.store import files, locks, open_store, userdata
from milex.store.doctor import repair, verify
from milex.store.userdata import add_edition, user_path

#: NATO 2026-07 edition, Germany 2024, share of GDP (observations/nato_2026-07.csv).
EMBEDDED_DEU_2024 = 2.0
EDIT_DEU = (
    "UPDATE observations SET value = 99 WHERE source = 'nato' AND vintage = '2026-07' "
    "AND iso3 = 'DEU' AND year = 2024 AND indicator = 'share_gdp'"
)


def share(store, vintage: str = "2026-07", iso3: str = "DEU", year: int = 2024) -> float:
    """One share-of-GDP figure of a NATO edition."""
    obs = store.observations("nato", vintage, [iso3], ["share_gdp"], (year, year))
    assert len(obs) == 1, f"expected one figure for {iso3} {year} in nato {vintage}"
    return float(obs["value"].iloc[0])


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A store of the embedded data, built once for this module (closed)."""
    store = open_store(catalog.data_dir(), tmp_path_factory.mktemp("pristine"))
    store.close()
    return store.path


@pytest.fixture
def built(data_copy: Path, home: Path, pristine: Path) -> Path:
    """The path of the store of the data copy in ``home`` (a copy of :func:`pristine`: the
    copy's files have the same bytes, hence the same fingerprint)."""
    home.mkdir()
    for path in (pristine, files.digest_path(pristine)):
        shutil.copy2(path, home / path.name)
    store = open_store(data_copy, home)
    assert store.path == home / pristine.name  # opened, not built again
    store.close()
    return store.path


def test_embedded_figure_is_the_one_expected():
    obs = pd.read_csv(catalog.data_dir() / "observations" / "nato_2026-07.csv")
    row = obs[(obs["iso3"] == "DEU") & (obs["year"] == 2024) & (obs["indicator"] == "share_gdp")]
    assert row["value"].tolist() == [EMBEDDED_DEU_2024]


# ------------------------------------------------------------------ damage is rebuilt


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _random_bytes(offset_of):
    def damage(path: Path) -> None:
        data = bytearray(path.read_bytes())
        at = offset_of(len(data))
        data[at : at + 4096] = random.Random(at).randbytes(4096)
        path.write_bytes(bytes(data))

    return damage


def _sql(statement: str):
    def damage(path: Path) -> None:
        con = duckdb.connect(str(path))
        con.execute(statement)
        con.close()

    return damage


DAMAGE = {
    "truncated to half": _truncate,
    "random bytes at 0": _random_bytes(lambda size: 0),
    "random bytes at 4 KiB": _random_bytes(lambda size: 4096),
    "random bytes at 8 KiB": _random_bytes(lambda size: 8192),
    "random bytes in the middle": _random_bytes(lambda size: size // 2),
    "random bytes near the end": _random_bytes(lambda size: size - 8192),
    "table dropped": _sql("DROP TABLE observations"),
    "observations emptied": _sql("DELETE FROM observations"),
    "value edited": _sql(EDIT_DEU),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_cache_is_rebuilt_with_a_warning(data_copy, home, built, damage, caplog):
    damage(built)
    with caplog.at_level(logging.WARNING, logger="milex"):
        store = open_store(data_copy, home)
    assert store.path == built
    assert share(store) == EMBEDDED_DEU_2024  # never the edited 99
    assert store.sql("SELECT count(*) n FROM observations")["n"].iloc[0] > 15000
    store.close()
    assert any("is damaged" in r.getMessage() for r in caplog.records)
    assert files.file_problem(built) is None
    assert not list(home.glob(".building-*"))


def test_an_edit_left_in_a_write_ahead_log_is_damage(data_copy, home, built):
    """DuckDB replays a log beside the file even read-only: a log means the store was written."""
    before = built.read_bytes()
    code = (
        "import duckdb, os, signal, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        f"con.execute({EDIT_DEU!r})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(built)], timeout=60)
    assert done.returncode == -signal.SIGKILL
    assert built.read_bytes() == before and files.wal_path(built).exists()
    store = open_store(data_copy, home)
    assert share(store) == EMBEDDED_DEU_2024
    store.close()
    assert not files.wal_path(built).exists()


# ------------------------------------------------------------------ a lock is not damage

HOLD = (
    "import duckdb, sys, time\n"
    "from pathlib import Path\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "if len(sys.argv) > 3:\n"
    "    Path(sys.argv[3]).touch()\n"
    "con.close()\n"
)


def hold(path: Path, seconds: float, releasing: Path | None = None) -> subprocess.Popen:
    """A process holding a DuckDB file for writing for ``seconds``; it creates the file
    ``releasing`` (when given) just before it lets go."""
    extra = [str(releasing)] if releasing else []
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds), *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_store_held_for_writing_is_waited_for_then_reported_never_deleted(
    data_copy, home, built, monkeypatch
):
    monkeypatch.setenv("MILEX_LOCK_TIMEOUT", "1")
    before, digest = built.read_bytes(), files.digest_path(built).read_bytes()
    listing = sorted(p.name for p in home.iterdir())
    holder = hold(built, 60)
    try:
        start = time.monotonic()
        with pytest.raises(MilexError) as info:
            open_store(data_copy, home)
        waited = time.monotonic() - start
        message = str(info.value)
        assert "another program (python" in message and f"PID {holder.pid}" in message
        assert "MILEX_LOCK_TIMEOUT" in message and "\n" not in message
        assert 1.0 <= waited < 60  # the timeout, never forever
        doctor = verify(data_copy, home).frame.set_index("check")
        assert doctor.loc["cache store", "status"] == "warning"
        assert f"PID {holder.pid}" in doctor.loc["cache store", "detail"]
    finally:
        holder.kill()
        holder.wait()
    assert built.read_bytes() == before
    assert files.digest_path(built).read_bytes() == digest
    assert sorted(p.name for p in home.iterdir()) == listing


def test_a_short_lock_is_waited_out_without_rebuilding(
    data_copy, home, built, monkeypatch, tmp_path, caplog
):
    """No timing bound: the open must return only after the holder began to let go (it
    creates ``releasing`` before closing), and must not have rebuilt anything."""
    monkeypatch.setenv("MILEX_LOCK_TIMEOUT", "120")
    before, mtime = built.read_bytes(), built.stat().st_mtime_ns
    releasing = tmp_path / "releasing"
    holder = hold(built, 3.0, releasing)
    try:
        with caplog.at_level(logging.INFO, logger="milex"):
            store = open_store(data_copy, home)
        assert releasing.exists()  # it did wait for the lock
        assert share(store) == EMBEDDED_DEU_2024
        store.close()
    finally:
        holder.kill()
        holder.wait(timeout=30)
    said = [r.getMessage() for r in caplog.records]
    assert not [m for m in said if "building" in m or "damaged" in m]
    assert built.read_bytes() == before and built.stat().st_mtime_ns == mtime


def test_lock_errors_are_told_from_damage():
    busy = duckdb.IOException(
        'IO Error: Could not set lock on file "/x/store.duckdb": Conflicting lock is held in '
        "/usr/bin/python3.11 (PID 4242). See also https://duckdb.org/docs"
    )
    damaged = duckdb.IOException("IO Error: Could not read enough bytes from file")
    assert locks.is_lock_error(busy) and not locks.is_lock_error(damaged)
    assert locks.holder(busy) == "another program (python3.11, PID 4242)"
    assert locks.holder(duckdb.IOException("Conflicting lock")) == "another program"


@pytest.mark.parametrize("text", ["soon", "-1", "nan"])
def test_a_bad_lock_timeout_is_refused(monkeypatch, text):
    monkeypatch.setenv("MILEX_LOCK_TIMEOUT", text)
    with pytest.raises(MilexError, match="MILEX_LOCK_TIMEOUT must be a number of seconds"):
        locks.lock_timeout()


# ------------------------------------------------------------------ a read-only home

READ = """
import sys
from pathlib import Path
from milex.errors import MilexError
from milex.store import open_store
folder, home = map(Path, sys.argv[1:3])
try:
    (home / "probe").write_text("x")
    print("WRITABLE")
except OSError:
    pass
try:
    store = open_store(folder, home)
except MilexError as exc:
    print("ERROR", exc)
else:
    obs = store.observations("nato", "2026-07", ["DEU"], ["share_gdp"], (2024, 2024))
    print("SHARE", obs["value"].iloc[0])
"""
RO_MOUNT = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


def run_read_only(home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run :data:`READ` with ``home`` read-only: by its mode for a normal user; as root, whom
    modes do not stop, in a private mount namespace where ``home`` is mounted read-only."""
    command = [sys.executable, "-c", READ, *args]
    if os.geteuid() != 0:
        mode = home.stat().st_mode
        home.chmod(0o555)
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=120)
        finally:
            home.chmod(mode)
    wrap = ["unshare", "-m", "sh", "-c", RO_MOUNT, "sh", str(home)]
    if shutil.which("unshare") is None or subprocess.run([*wrap, "true"]).returncode:
        pytest.skip("running as root without mount namespaces: no way to make a read-only home")
    return subprocess.run([*wrap, *command], capture_output=True, text=True, timeout=120)


def test_read_only_home_with_a_store_serves_it(data_copy, home, built):
    before = sorted(p.name for p in home.iterdir())
    done = run_read_only(home, str(data_copy), str(home))
    assert done.returncode == 0, done.stderr
    assert "WRITABLE" not in done.stdout
    assert done.stdout.split() == ["SHARE", str(EMBEDDED_DEU_2024)]
    assert sorted(p.name for p in home.iterdir()) == before


def test_read_only_home_without_a_store_says_so_in_one_line(data_copy, home):
    home.mkdir()
    done = run_read_only(home, str(data_copy), str(home))
    assert done.returncode == 0, done.stderr
    assert "WRITABLE" not in done.stdout and "Traceback" not in done.stderr
    assert done.stdout.strip() == (
        f"ERROR cannot write the data store in {home}: read-only; "
        "set MILEX_HOME to a writable folder"
    )
    assert list(home.iterdir()) == []


# ------------------------------------------------------------------ the user's editions


def edition(
    folder: Path, vintage: str = "2027-06", deu_2024: float = 2.5
) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """A user edition of NATO figures (Germany and Poland, from the 2026-07 file), with
    Germany's 2024 share set to ``deu_2024``."""
    obs = pd.read_csv(folder / "observations" / "nato_2026-07.csv")
    obs = obs[obs["iso3"].isin(["DEU", "POL"])].assign(source_id=f"nato-{vintage}-1")
    deu = (obs["iso3"] == "DEU") & (obs["year"] == 2024) & (obs["indicator"] == "share_gdp")
    obs.loc[deu, "value"] = deu_2024
    origins = pd.DataFrame(
        [{"id": f"nato-{vintage}-1", "source": "nato", "vintage": vintage, "citation": "test"}]
    )
    meta = {
        "source": "nato",
        "vintage": vintage,
        "publisher": "NATO Public Diplomacy Division",
        "title": "Defence Expenditure of NATO Countries (test)",
        "published": f"{vintage}-15",
        "url": "https://www.nato.int/test.xlsx",
        "licence": "NATO: reuse permitted with credit to NATO",
        "cite": "NATO (test edition)",
        "reader": "test",
        "origin": "test.xlsx",
    }
    return meta, obs, origins


def editions_of(store) -> set[tuple[str, str]]:
    return set(store.editions().itertuples(index=False, name=None))


def test_added_edition_is_served_and_survives_every_rebuild(data_copy, home, monkeypatch):
    manifest = add_edition(*edition(data_copy), folder=data_copy, cache_dir=home)
    assert (manifest["figures"], manifest["source"], manifest["vintage"]) == (
        286,
        "nato",
        "2027-06",
    )
    kept = user_path(home).read_bytes()

    def served() -> float:
        store = open_store(data_copy, home)
        try:
            assert ("nato", "2027-06") in editions_of(store)
            assert share(store, vintage=None) == 2.5  # the newest edition by default
            assert share(store, vintage="2026-07") == EMBEDDED_DEU_2024
            return share(store, vintage="2027-06")
        finally:
            store.close()

    assert served() == 2.5
    for path in home.glob("store-*"):  # the cache deleted
        path.unlink()
    assert served() == 2.5
    (store_file,) = home.glob("store-*.duckdb")
    _truncate(store_file)  # the cache damaged
    assert served() == 2.5
    monkeypatch.setattr(catalog, "SCHEMA_VERSION", "999")  # the store's layout changed
    assert served() == 2.5
    assert user_path(home).read_bytes() == kept


def test_an_edition_is_validated_first_and_refused_twice(data_copy, home):
    meta, obs, origins = edition(data_copy)
    bad = obs.copy()
    bad.iloc[3, bad.columns.get_loc("value")] = -5.0
    with pytest.raises(DataFileError, match=r"nato_2027-06\.csv, line 5, field value: -5\.0 fails"):
        add_edition(meta, bad, origins, folder=data_copy, cache_dir=home)
    assert not user_path(home).exists()
    with pytest.raises(InputError, match="edition field vintage: '2027' is not a year and month"):
        add_edition({**meta, "vintage": "2027"}, obs, origins, folder=data_copy, cache_dir=home)
    embedded = edition(data_copy, vintage="2026-07")
    with pytest.raises(InputError, match="nato 2026-07 is part of milex's own data already"):
        add_edition(*embedded, folder=data_copy, cache_dir=home)
    add_edition(meta, obs, origins, folder=data_copy, cache_dir=home)
    kept = user_path(home).read_bytes()
    with pytest.raises(InputError, match="edition nato 2027-06 was added already"):
        add_edition(meta, obs, origins, folder=data_copy, cache_dir=home)
    reused = edition(data_copy, vintage="2027-09")
    with pytest.raises(InputError, match="origin id nato-2027-06-1 is used by an edition added"):
        add_edition(
            reused[0], obs, origins.assign(vintage="2027-09"), folder=data_copy, cache_dir=home
        )
    assert user_path(home).read_bytes() == kept


def test_a_damaged_user_edition_is_left_out_never_deleted(data_copy, home, caplog):
    add_edition(*edition(data_copy, "2027-06"), folder=data_copy, cache_dir=home)
    add_edition(*edition(data_copy, "2027-09", 2.7), folder=data_copy, cache_dir=home)
    con = duckdb.connect(str(user_path(home)))
    con.execute("UPDATE observations SET value = 9.9 WHERE vintage = '2027-06' AND iso3 = 'DEU'")
    con.close()
    kept = user_path(home).read_bytes()
    with caplog.at_level(logging.WARNING, logger="milex"):
        store = open_store(data_copy, home)
    held = editions_of(store)
    assert ("nato", "2027-09") in held and ("nato", "2027-06") not in held
    assert share(store, vintage=None) == 2.7
    store.close()
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1 and "user edition nato 2027-06" in warned[0]
    assert "its figures were changed" in warned[0] and "left out" in warned[0]
    assert "milex doctor" in warned[0]
    assert user_path(home).read_bytes() == kept
    rows = verify(data_copy, home).frame.set_index(["check", "subject"])
    assert rows.loc[("user edition", "nato 2027-06"), "status"] == "problem"
    assert rows.loc[("user edition", "nato 2027-06"), "detail"] == (
        "its figures were changed: left out of the data"
    )
    assert rows.loc[("user edition", "nato 2027-09"), "status"] == "ok"
    repair(data_copy, home)
    assert user_path(home).read_bytes() == kept


def test_unreadable_user_file_is_left_out_and_untouched(data_copy, home, caplog):
    home.mkdir()
    user_path(home).write_bytes(b"not a database" * 1000)
    with caplog.at_level(logging.WARNING, logger="milex"):
        store = open_store(data_copy, home)
    assert share(store) == EMBEDDED_DEU_2024
    store.close()
    assert any("cannot be read" in r.getMessage() for r in caplog.records)
    assert user_path(home).read_bytes() == b"not a database" * 1000
    rows = verify(data_copy, home).frame.set_index("check")
    assert rows.loc["user editions", "status"] == "problem"


def test_user_file_is_backed_up_before_a_migration(data_copy, home, monkeypatch):
    add_edition(*edition(data_copy), folder=data_copy, cache_dir=home)
    before = user_path(home).read_bytes()
    ran = []

    def add_a_note_column(con: duckdb.DuckDBPyConnection) -> None:
        ran.append(con.execute("SELECT user_schema_version FROM meta").fetchone()[0])
        con.execute("ALTER TABLE editions ADD COLUMN note VARCHAR")

    monkeypatch.setattr(userdata, "USER_SCHEMA_VERSION", 2)
    monkeypatch.setattr(userdata, "MIGRATIONS", [add_a_note_column])
    store = open_store(data_copy, home)
    assert share(store, vintage="2027-06") == 2.5
    store.close()
    (backup,) = (home / "backups").glob("user-v1-*.duckdb")
    assert backup.read_bytes() == before
    con = duckdb.connect(str(user_path(home)), read_only=True)
    assert userdata.version(con) == 2
    assert "note" in con.execute("SELECT * FROM editions").df().columns
    con.close()
    store = open_store(data_copy, home)  # migrated once, backed up once
    store.close()
    assert ran == [1] and len(list((home / "backups").glob("*.duckdb"))) == 1


def test_a_newer_user_file_is_refused_and_left_untouched(data_copy, home, caplog):
    add_edition(*edition(data_copy), folder=data_copy, cache_dir=home)
    con = duckdb.connect(str(user_path(home)))
    con.execute("UPDATE meta SET user_schema_version = 99")
    con.close()
    kept = user_path(home).read_bytes()
    with pytest.raises(MilexError, match=r"written by a newer milex \(user data version 99"):
        add_edition(*edition(data_copy, "2027-09"), folder=data_copy, cache_dir=home)
    with caplog.at_level(logging.WARNING, logger="milex"):
        store = open_store(data_copy, home)
    assert ("nato", "2027-06") not in editions_of(store)
    assert share(store, vintage=None) == EMBEDDED_DEU_2024
    store.close()
    assert any("newer milex" in r.getMessage() for r in caplog.records)
    rows = verify(data_copy, home).frame.set_index("check")
    assert rows.loc["user editions", "status"] == "problem"
    assert user_path(home).read_bytes() == kept
    assert not (home / "backups").exists()


# ------------------------------------------------------------------ doctor and repair


def test_doctor_finds_a_healthy_home_healthy(data_copy, home, built):
    result = verify(data_copy, home)
    assert result.kind == "doctor"
    assert list(result.frame.columns) == ["check", "subject", "status", "detail", "repair"]
    assert result.extra == {"problems": 0, "warnings": 0}
    frame = result.frame.set_index(["check", "subject"])
    assert frame.loc[("cache store", built.name), "status"] == "ok"
    assert frame.loc[("cache edition", "nato 2026-07"), "detail"] == "rows and checksums as built"


def test_doctor_names_the_damaged_edition_and_repair_rebuilds(data_copy, home, built):
    _sql(EDIT_DEU)(built)
    rows = verify(data_copy, home).frame.set_index(["check", "subject"])
    assert rows.loc[("cache store", built.name), "status"] == "problem"
    assert "bytes differ" in rows.loc[("cache store", built.name), "detail"]
    assert rows.loc[("cache edition", "nato 2026-07"), "detail"] == "observations: changed"
    assert rows.loc[("cache edition", "nato 2025-08"), "status"] == "ok"
    result = repair(data_copy, home)
    assert result.extra["problems"] == 0 and result.notes == [f"rebuilt {built.name}"]
    store = open_store(data_copy, home)
    assert share(store) == EMBEDDED_DEU_2024
    store.close()


def test_repair_removes_leftovers_and_stale_stores_never_user_data(data_copy, home, built):
    add_edition(*edition(data_copy), folder=data_copy, cache_dir=home)
    kept = user_path(home).read_bytes()
    leftover = home / ".building-store-0123456789abcdef-00ff00ff.duckdb"
    leftover.write_bytes(b"x" * 5000)
    files.wal_path(leftover).write_bytes(b"x")
    month_ago = time.time() - 60 * 86400
    old = files.store_path(home, "0" * 16)
    old.write_bytes(b"old store")
    files.digest_path(old).write_text("0")
    os.utime(files.digest_path(old), (month_ago, month_ago))
    rows = verify(data_copy, home).frame.set_index(["check", "subject"])
    assert rows.loc[("leftover", leftover.name), "status"] == "warning"
    assert rows.loc[("other store", old.name), "repair"] == "repair removes it"
    assert rows.loc[("other store", built.name), "status"] == "ok"  # used just now: kept
    result = repair(data_copy, home)
    assert f"removed {leftover.name}" in result.notes and f"removed {old.name}" in result.notes
    assert not leftover.exists() and not files.wal_path(leftover).exists() and not old.exists()
    assert built.exists() and user_path(home).read_bytes() == kept
    assert result.extra == {"problems": 0, "warnings": 0}


def test_stores_of_other_data_are_kept_while_recent_and_few(tmp_path):
    now = time.time()
    ages = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 40}  # days since last use
    for name, days in ages.items():
        store = files.store_path(tmp_path, name * 16)
        store.write_bytes(b"")
        files.digest_path(store).write_text("")
        os.utime(files.digest_path(store), (now - days * 86400,) * 2)
    current = files.store_path(tmp_path, "f" * 16)
    stale = files.stale_stores(tmp_path, current, now)
    assert sorted(p.name[6] for p in stale) == ["d", "e"]  # beyond the 3 most recent, or old
    assert files.prune(tmp_path, current) == stale
    assert sorted(p.name[6] for p in tmp_path.glob("*.duckdb")) == ["a", "b", "c"]
    assert len(list(tmp_path.glob("*.sha256"))) == 3


# ------------------------------------------------------------------ defects found in review


def test_a_damaged_checksum_file_is_rebuilt(data_copy, home, built, caplog):
    digest = files.digest_path(built)
    digest.write_bytes(random.Random(7).randbytes(64) + b"\xff\xfe")  # not ASCII
    with caplog.at_level(logging.WARNING, logger="milex"):
        store = open_store(data_copy, home)
    assert share(store) == EMBEDDED_DEU_2024
    store.close()
    assert any("is damaged" in r.getMessage() for r in caplog.records)
    assert files.file_problem(built) is None
    assert digest.read_text(encoding="ascii").strip() == files.file_sha256(built)


META_DAMAGE = {
    "meta emptied": "DELETE FROM meta",
    "meta built NULL": "UPDATE meta SET built = NULL",
    "meta doubled": "INSERT INTO meta SELECT * FROM meta",
    "meta column dropped": "ALTER TABLE meta DROP COLUMN built",
    "checksums emptied": "DELETE FROM checksums",
    "checksums column dropped": "ALTER TABLE checksums DROP COLUMN digest",
    "checksums figures NULL": "UPDATE checksums SET figures = NULL",
}


@pytest.mark.parametrize("statement", META_DAMAGE.values(), ids=META_DAMAGE.keys())
def test_doctor_reports_a_damaged_meta_or_checksums_table(data_copy, home, built, statement):
    _sql(statement)(built)
    result = verify(data_copy, home)  # no exception
    rows = result.frame
    problems = rows[rows["check"].str.startswith("cache") & (rows["status"] == "problem")]
    assert len(problems) >= 2, rows.to_string()  # the bytes, and the table
    assert result.extra["problems"] >= 2
    assert all("\n" not in detail for detail in rows["detail"])


def test_doctor_reports_a_damaged_table_even_with_intact_bytes(data_copy, home, built):
    """The meta checks themselves, without the byte check (digest recorded after the edit)."""
    _sql("DELETE FROM checksums")(built)
    files.digest_path(built).write_text(files.file_sha256(built) + "\n", encoding="ascii")
    rows = verify(data_copy, home).frame
    (detail,) = rows.loc[rows["status"] == "problem", "detail"]
    assert "checksums table is empty" in detail
    assert repair(data_copy, home).extra == {"problems": 0, "warnings": 0}


def newer_user_file(home: Path, only_meta: bool) -> None:
    home.mkdir(exist_ok=True)
    con = duckdb.connect(str(user_path(home)))
    con.execute("CREATE TABLE meta (user_schema_version INTEGER NOT NULL, created VARCHAR)")
    con.execute("INSERT INTO meta VALUES (?, 'later')", [userdata.USER_SCHEMA_VERSION + 1])
    if not only_meta:
        con.execute("CREATE TABLE editions (something_new VARCHAR)")
    con.close()


@pytest.mark.parametrize("only_meta", [True, False], ids=["only meta", "other tables"])
def test_a_newer_user_file_is_never_written(data_copy, home, only_meta):
    newer_user_file(home, only_meta)
    kept, listing = user_path(home).read_bytes(), sorted(p.name for p in home.iterdir())
    with pytest.raises(MilexError, match="written by a newer milex") as info:
        add_edition(*edition(data_copy), folder=data_copy, cache_dir=home)
    assert "left untouched" in str(info.value) and "\n" not in str(info.value)
    assert user_path(home).read_bytes() == kept
    listing_after = sorted(p.name for p in home.iterdir() if p.name != locks.BUILD_LOCK)
    assert listing_after == [n for n in listing if n != locks.BUILD_LOCK]  # no log, no backup


def _user_damage(kind: str):
    def damage(path: Path) -> None:
        if kind == "not a database":
            path.write_bytes(b"not a database" * 1000)
        elif kind == "truncated":
            _truncate(path)
        elif kind == "random header":
            _random_bytes(lambda size: 0)(path)
        else:
            _sql(kind)(path)

    return damage


USER_DAMAGE = {
    "not a database": "not a database",
    "truncated": "truncated",
    "random header": "random header",
    "meta emptied": "DELETE FROM meta",
    "meta dropped": "DROP TABLE meta",
    "observations column dropped": "ALTER TABLE observations DROP COLUMN status",
    "version NULL": "ALTER TABLE meta ALTER user_schema_version DROP NOT NULL; "
    "UPDATE meta SET user_schema_version = NULL",
}


@pytest.mark.parametrize("kind", USER_DAMAGE.values(), ids=USER_DAMAGE.keys())
def test_a_damaged_user_file_refuses_a_new_edition_untouched(data_copy, home, kind):
    add_edition(*edition(data_copy), folder=data_copy, cache_dir=home)
    _user_damage(kind)(user_path(home))
    kept = user_path(home).read_bytes()
    with pytest.raises(MilexError) as info:
        add_edition(*edition(data_copy, "2027-09"), folder=data_copy, cache_dir=home)
    message = str(info.value)
    assert type(info.value) is MilexError  # not a raw DuckDB error
    assert "run milex doctor" in message and "left untouched" in message
    assert "\n" not in message
    assert user_path(home).read_bytes() == kept
    assert not files.wal_path(user_path(home)).exists()
    assert not (home / "backups").exists()


def test_a_user_file_lacking_tables_is_backed_up_before_they_are_made(data_copy, home):
    home.mkdir()
    con = duckdb.connect(str(user_path(home)))
    con.execute(
        "CREATE TABLE meta (user_schema_version INTEGER NOT NULL, created VARCHAR NOT NULL)"
    )
    con.execute("INSERT INTO meta VALUES (?, 'earlier')", [userdata.USER_SCHEMA_VERSION])
    con.close()
    before = user_path(home).read_bytes()
    add_edition(*edition(data_copy), folder=data_copy, cache_dir=home)
    (copy,) = (home / "backups").glob(f"user-v{userdata.USER_SCHEMA_VERSION}-*.duckdb")
    assert copy.read_bytes() == before
    store = open_store(data_copy, home)
    assert share(store, vintage="2027-06") == 2.5
    store.close()
    add_edition(*edition(data_copy, "2027-09"), folder=data_copy, cache_dir=home)
    assert len(list((home / "backups").iterdir())) == 1  # nothing lacking: no second copy


def test_an_empty_user_file_from_a_killed_first_add_is_completed(data_copy, home):
    home.mkdir()
    duckdb.connect(str(user_path(home))).close()  # the file exists, no table yet
    add_edition(*edition(data_copy), folder=data_copy, cache_dir=home)
    assert not (home / "backups").exists()  # nothing in it to keep
    store = open_store(data_copy, home)
    assert share(store, vintage="2027-06") == 2.5
    store.close()


FULL_DISK = 'mount -t tmpfs -o size="$2" tmpfs "$1" && shift 2 && exec "$@"'
FULL = """
import os, sys
from pathlib import Path
from milex.errors import MilexError
from milex.store import open_store
folder, home = map(Path, sys.argv[1:3])
try:
    open_store(folder, home)
    print("OPENED")
except MilexError as exc:
    print("ERROR", exc)
print("LISTING", *sorted(os.listdir(home)))
"""


@pytest.mark.parametrize("size", ["1m", "4m"])  # DuckDB's write fails / the digest's does
def test_a_full_disk_during_a_build_says_so_and_leaves_nothing(data_copy, home, size):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a small tmpfs needs root and unshare (simulated in the next test)")
    home.mkdir()
    wrap = ["unshare", "-m", "sh", "-c", FULL_DISK, "sh", str(home), size]
    if subprocess.run([*wrap, "true"]).returncode:
        pytest.skip("no private mount namespace here (simulated in the next test)")
    command = [sys.executable, "-c", FULL, str(data_copy), str(home)]
    done = subprocess.run([*wrap, *command], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    error, listing = done.stdout.strip().splitlines()
    assert error == (
        f"ERROR cannot write the data store in {home}: no space left on device; "
        "free some space or set MILEX_HOME to another folder"
    )
    assert listing.split() == ["LISTING", locks.BUILD_LOCK]


def test_a_full_disk_simulated_says_so_and_leaves_nothing(data_copy, home, monkeypatch):
    from milex.store import build

    real_write = build._write

    def write_then_fail(con, tables, fp):
        real_write(con, tables, fp)
        (path,) = con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchone()
        raise duckdb.IOException(
            f'IO Error: Could not write file "{path}.wal": No space left on device'
        )

    monkeypatch.setattr(build, "_write", write_then_fail)
    with pytest.raises(MilexError) as info:
        open_store(data_copy, home)
    assert str(info.value) == (
        f"cannot write the data store in {home}: no space left on device; "
        "free some space or set MILEX_HOME to another folder"
    )
    assert sorted(p.name for p in home.iterdir()) == [locks.BUILD_LOCK]


def test_another_duckdb_write_error_never_names_the_temporary_file(tmp_path):
    exc = duckdb.IOException('IO Error: Could not write file "/h/.building-store-1.duckdb": odd')
    message = str(locks.not_writable(tmp_path, exc))
    assert ".building" not in message and message.startswith("cannot write the data store in")


NO_LOCKS = (
    'IO Error: Could not set lock on file "{path}": No locks available. See also '
    "https://duckdb.org/docs/stable/connect/concurrency"
)


def test_a_lock_that_cannot_be_taken_is_not_busy(data_copy, home, built, monkeypatch):
    assert not locks.is_lock_error(duckdb.IOException(NO_LOCKS.format(path="/x")))
    windows = 'IO Error: Could not set lock on file "C:\\\\x": The process cannot access the file '
    windows += "because it is being used by another process."
    assert locks.is_lock_error(duckdb.IOException(windows))
    before, listing = built.read_bytes(), sorted(p.name for p in home.iterdir())
    real_connect = duckdb.connect

    def no_locks(database=":memory:", *args, **kwargs):
        if str(database).endswith(built.name):
            raise duckdb.IOException(NO_LOCKS.format(path=database))
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", no_locks)
    monkeypatch.setenv("MILEX_LOCK_TIMEOUT", "30")
    start = time.monotonic()
    with pytest.raises(locks.LockFailed) as info:
        open_store(data_copy, home)
    assert time.monotonic() - start < 10  # not waited for as if busy
    message = str(info.value)
    assert message == (
        f"cannot lock {built}: No locks available. See also "
        "https://duckdb.org/docs/stable/connect/concurrency; milex needs working file locks: "
        "set MILEX_HOME to a folder on a local disk"
    )
    assert "held for writing" not in message
    rows = verify(data_copy, home).frame.set_index(["check", "subject"])
    assert rows.loc[("cache store", built.name), "status"] == "problem"
    monkeypatch.undo()
    assert built.read_bytes() == before and sorted(p.name for p in home.iterdir()) == listing


def test_a_store_pruned_while_being_opened_is_missing_not_damaged(
    data_copy, home, built, monkeypatch, caplog
):
    """Another install's build may prune this store between its check and its open."""
    import milex.store as store_module

    real_problem = files.file_problem

    def pruned_meanwhile(path: Path) -> str | None:
        files.remove_file(path)
        return real_problem(path)

    with monkeypatch.context() as patch:
        patch.setattr(files, "file_problem", pruned_meanwhile)
        fp = built.stem.removeprefix(files.STORE_PREFIX)
        assert store_module.open_intact(built, fp) == (None, None)
    with caplog.at_level(logging.WARNING, logger="milex"):
        store = open_store(data_copy, home)  # built again, without a warning
    assert share(store) == EMBEDDED_DEU_2024
    store.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
