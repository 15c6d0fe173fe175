"""The doctor: what is wrong with a milex home, its cache store and the user's editions, and
how to repair it (:func:`verify`), and the repair itself (:func:`repair`).

Each check is one row of the result's frame: ``check`` (what was checked), ``subject`` (the
file or edition), ``status`` (``ok``, ``warning``: works but needs attention, ``problem``:
broken), ``detail`` (what was found) and ``repair`` (what to do, empty when nothing).
The repair rebuilds the cache, removes leftovers of interrupted builds and prunes stores unused
for long; it never deletes or rewrites ``user.duckdb``.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from milex import catalog
from milex.catalog import data_dir, embedded_editions, home
from milex.errors import first_line
from milex.result import Result
from milex.store import ensure_built, files, locks, store_fingerprint, userdata
from milex.store.digest import table_digests

COLUMNS = ["check", "subject", "status", "detail", "repair"]
REBUILD = "repair rebuilds it from milex's data and the user's editions"
Row = tuple[str, str, str, str, str]


def verify(folder: Path | None = None, cache_dir: Path | None = None) -> Result:
    """Check the milex home ``cache_dir`` (default: the user's) for the data folder ``folder``
    (default: the package's). Returns a ``doctor`` result: one row per check (see the module),
    ``extra`` ``problems`` and ``warnings`` (counts), ``query`` the home and data folder."""
    folder = folder or data_dir()
    cache_dir = cache_dir or home()
    rows = list(_home(cache_dir))
    if cache_dir.is_dir():
        building = locks.build_lock_held(cache_dir)
        target = files.store_path(cache_dir, store_fingerprint(folder, cache_dir))
        rows += [
            *_build_lock(building),
            *_cache(target),
            *_leftovers(cache_dir, building),
            *_other_stores(cache_dir, target),
            *_user(cache_dir, embedded_editions(folder) - userdata.subsets(folder)),
            *_backups(cache_dir),
        ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return Result(
        kind="doctor",
        frame=frame,
        query={"home": str(cache_dir), "data": str(folder)},
        extra={
            "problems": int((frame["status"] == "problem").sum()),
            "warnings": int((frame["status"] == "warning").sum()),
        },
    )


def repair(folder: Path | None = None, cache_dir: Path | None = None) -> Result:
    """Rebuild the cache store, remove leftovers of interrupted builds and prune stale stores
    (under the build lock; ``user.duckdb`` is only read). Returns :func:`verify` after the
    repair, with what was done in its ``notes``. Raises :class:`~milex.errors.MilexError` when
    the home is read-only or the store is held for writing by another program."""
    folder = folder or data_dir()
    cache_dir = cache_dir or home()
    before = files.leftovers(cache_dir) + files.stores(cache_dir)
    ensure_built(folder, cache_dir, force=True).close()
    result = verify(folder, cache_dir)
    target = files.store_path(cache_dir, store_fingerprint(folder, cache_dir))
    removed = [p.name for p in before if not p.exists()]
    result.notes = [f"rebuilt {target.name}"] + [f"removed {name}" for name in removed]
    return result


# ------------------------------------------------------------------ the checks


def _home(cache_dir: Path) -> Iterator[Row]:
    subject = str(cache_dir)
    if not cache_dir.exists():
        yield ("home", subject, "ok", "not made yet: milex makes it on first use", "")
    elif not cache_dir.is_dir():
        yield ("home", subject, "problem", "a file, not a folder", "point MILEX_HOME at a folder")
    elif not _writable(cache_dir):
        yield (
            "home",
            subject,
            "warning",
            "read-only: a store can be read but not built or rebuilt here",
            "set MILEX_HOME to a writable folder",
        )
    else:
        yield ("home", subject, "ok", "a writable folder", "")


def _writable(folder: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".doctor-"):
            return True
    except OSError:
        return False


def _build_lock(building: bool | None) -> Iterator[Row]:
    if building:
        detail = "another milex process is building the store now"
        yield ("build lock", locks.BUILD_LOCK, "warning", detail, "wait for it to finish")
    elif building is False:
        yield ("build lock", locks.BUILD_LOCK, "ok", "free", "")


def _cache(target: Path) -> Iterator[Row]:
    """The store of the current data: its bytes, whether it opens, its meta and checksums."""
    subject = target.name
    if not target.exists():
        detail = "not built yet for the current data (it is built on first use)"
        yield ("cache store", subject, "warning", detail, "repair builds it")
        return
    problem = files.file_problem(target)
    if problem:
        yield ("cache store", subject, "problem", problem, REBUILD)
    try:
        con = locks.connect(target, timeout=0)
    except locks.StoreBusy as exc:
        yield ("cache store", subject, "warning", str(exc), "close that program")
        return
    except locks.LockFailed as exc:
        yield ("cache store", subject, "problem", str(exc), "set MILEX_HOME to a local folder")
        return
    except duckdb.Error as exc:
        yield ("cache store", subject, "problem", f"does not open: {first_line(exc)}", REBUILD)
        return
    try:
        yield from _meta(con, target, problem is None)
        yield from _checksums(con, subject)
    except (duckdb.Error, TypeError, ValueError) as exc:  # a damaged meta or checksums table
        detail = f"cannot be read: {first_line(exc)}"
        yield ("cache store", subject, "problem", detail, REBUILD)
    finally:
        con.close()


def _meta(con: duckdb.DuckDBPyConnection, target: Path, bytes_ok: bool) -> Iterator[Row]:
    rows = con.execute("SELECT fingerprint, schema_version, built FROM meta").fetchall()
    if len(rows) != 1:
        detail = f"its meta table holds {len(rows)} rows, not one"
        yield ("cache store", target.name, "problem", detail, REBUILD)
        return
    fp, version, built = rows[0]
    if version != catalog.SCHEMA_VERSION:
        detail = f"schema version {version}, this milex writes {catalog.SCHEMA_VERSION}"
        yield ("cache store", target.name, "problem", detail, REBUILD)
    elif not isinstance(fp, str) or target.name != files.store_path(target.parent, fp).name:
        yield ("cache store", target.name, "problem", f"built for data {fp}", REBUILD)
    elif not isinstance(built, str):
        detail = "its meta table does not say when it was built"
        yield ("cache store", target.name, "problem", detail, REBUILD)
    elif bytes_ok:
        yield ("cache store", target.name, "ok", f"opens; built {built[:19]} UTC", "")


def _checksums(con: duckdb.DuckDBPyConnection, store: str) -> Iterator[Row]:
    """Each edition's and table's rows against the counts and checksums of the build."""
    rows = con.execute(
        "SELECT table_name, source, vintage, figures, digest FROM checksums"
    ).fetchall()
    if not rows:
        detail = "its checksums table is empty: its rows cannot be checked"
        yield ("cache store", store, "problem", detail, REBUILD)
        return
    recorded = {(t, s, v): (n, d) for t, s, v, n, d in rows}
    tables = sorted({key[0] for key in recorded})
    found = {(t, s, v): (n, d) for t, s, v, n, d in table_digests(con, tables)}
    subjects: dict[str, list[str]] = {}
    for key in sorted(recorded.keys() | found.keys(), key=str):
        table, source, vintage = key
        subject = f"{source} {vintage}" if source else "other tables"
        was, now = recorded.get(key, (0, None)), found.get(key, (0, None))
        if was != now:
            change = f"{was[0]} rows recorded, {now[0]} found" if was[0] != now[0] else "changed"
            subjects.setdefault(subject, []).append(f"{table}: {change}")
        else:
            subjects.setdefault(subject, [])
    for subject, changes in subjects.items():
        if changes:
            yield ("cache edition", subject, "problem", "; ".join(changes), REBUILD)
        else:
            yield ("cache edition", subject, "ok", "rows and checksums as built", "")


def _leftovers(cache_dir: Path, building: bool | None) -> Iterator[Row]:
    for path in files.leftovers(cache_dir):
        if building and path.name.startswith(files.BUILDING_PREFIX):
            yield ("leftover", path.name, "ok", "a build in progress", "")
        else:
            detail = f"left by an interrupted build ({_size(path)})"
            yield ("leftover", path.name, "warning", detail, "repair removes it")


def _other_stores(cache_dir: Path, target: Path) -> Iterator[Row]:
    stale = set(files.stale_stores(cache_dir, target))
    for store in files.stores(cache_dir):
        if store == target:
            continue
        days = (time.time() - files.last_used(store)) / 86400
        detail = f"a store of other data, last used {days:.0f} days ago ({_size(store)})"
        if store in stale:
            yield ("other store", store.name, "warning", detail, "repair removes it")
        else:
            yield ("other store", store.name, "ok", detail + "; kept", "")


def _user(cache_dir: Path, embedded: set[tuple[str, str]]) -> Iterator[Row]:
    """``user.duckdb``: opens, layout version, each edition against its manifest."""
    path = userdata.user_path(cache_dir)
    if not path.exists():
        yield ("user editions", path.name, "ok", "none added", "")
        return
    keep = "milex never deletes it: restore a copy from backups, or move it aside"
    try:
        con = locks.connect(path, timeout=0)
    except locks.StoreBusy as exc:
        yield ("user editions", path.name, "warning", str(exc), "close that program")
        return
    except locks.LockFailed as exc:
        yield ("user editions", path.name, "problem", str(exc), "set MILEX_HOME to a local folder")
        return
    except duckdb.Error as exc:
        detail = f"does not open: {first_line(exc)}"
        yield ("user editions", path.name, "problem", detail, keep)
        return
    try:
        yield from _user_editions(con, path, embedded, keep)
    except (duckdb.Error, TypeError, ValueError) as exc:
        detail = f"cannot be read: {first_line(exc)}"
        yield ("user editions", path.name, "problem", detail, keep)
    finally:
        con.close()


def _user_editions(
    con: duckdb.DuckDBPyConnection, path: Path, embedded: set[tuple[str, str]], keep: str
) -> Iterator[Row]:
    found = userdata.version(con)
    if found > userdata.USER_SCHEMA_VERSION:
        yield ("user editions", path.name, "problem", userdata.newer_message(path, found), "")
        return
    if found < userdata.USER_SCHEMA_VERSION:
        detail = f"layout version {found}: the next build copies it to backups and migrates it"
        yield ("user editions", path.name, "warning", detail, "")
        return
    editions = userdata.check_editions(con)
    yield ("user editions", path.name, "ok", f"version {found}, {len(editions)} edition(s)", "")
    for edition in editions:
        subject = f"{edition['source']} {edition['vintage']}"
        if not edition["intact"]:
            detail = f"{userdata.change(edition)}: left out of the data"
            yield ("user edition", subject, "problem", detail, keep)
        elif (edition["source"], edition["vintage"]) in embedded:
            detail = "part of milex's own data now: that one is used"
            yield ("user edition", subject, "warning", detail, "")
        else:
            yield ("user edition", subject, "ok", f"{edition['found']} figures as added", "")


def _backups(cache_dir: Path) -> Iterator[Row]:
    copies = sorted((cache_dir / userdata.BACKUPS).glob("*.duckdb"))
    if not copies:
        yield ("backups", userdata.BACKUPS, "ok", "none (made before a migration)", "")
    for copy in copies:
        yield ("backups", f"{userdata.BACKUPS}/{copy.name}", "ok", _size(copy), "")


def _size(path: Path) -> str:
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"
    return "size unknown"
