"""The DuckDB store: every observation, source, pledge and note milex knows, in one file.

The store is built from the package's data folder (``milex/data``) plus the user's own editions
(``user.duckdb``, see :mod:`.userdata`) into a cache file in the user's milex home
(``platformdirs.user_data_dir("milex")``, or ``$MILEX_HOME``). The file name carries a
fingerprint of both, so changed data build a new store and a warm start only opens a file,
after checking its bytes against the SHA-256 recorded beside it (~2.5 ms for the embedded data).

Opening tells *busy* from *damaged*. A store another program holds for writing is waited for
(``$MILEX_LOCK_TIMEOUT`` seconds) and then reported, never deleted. A damaged store (cut off,
overwritten, edited, opened for writing) is only a cache: it is rebuilt, with a warning. Builds
run under a lock file in the home, so that of many processes starting at once one builds while
the others wait for it; the fast path takes no lock and works in a read-only home. A build
writes to a ``.building-*`` file moved into place in one step, so a failed or killed build leaves
the existing store untouched; its leftovers are removed by the next build.

Tables: ``observations`` (source, vintage, iso3, year, indicator, value, unit, status,
source_id), ``sources`` (one row per origin, with its edition's publisher, title, date, URL,
licence and citation), ``indicators``, ``entities`` (code, name, kind), ``notes`` (why figures
are missing, caveats), ``pledges``, ``munitions``, ``meta`` and ``checksums`` (rows and
SHA-256 per edition and table, checked by :mod:`.doctor`).

Modules: :mod:`milex.catalog` (where data lives), :mod:`.build` (load, validate, write),
:mod:`.schema` (pandera schemas), :mod:`.query` (the :class:`Store` and all its SQL),
:mod:`.files` (the files in the home), :mod:`.locks` (busy files, the build lock),
:mod:`.digest` (checksums of rows), :mod:`.userdata` (the user's editions), :mod:`.doctor`
(checks and repairs).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import duckdb

from milex import catalog
from milex.catalog import data_dir, embedded_editions, fingerprint, home
from milex.errors import MilexError, first_line
from milex.store import files, locks, userdata
from milex.store.query import Store

__all__ = ["Store", "default_store", "ensure_built", "home", "open_store", "store_fingerprint"]
log = logging.getLogger("milex")


def open_store(folder: Path | None = None, cache_dir: Path | None = None) -> Store:
    """Open the store of a data folder (and of the user's editions in ``cache_dir``), building
    it first when its cache file is missing or damaged."""
    folder = folder or data_dir()
    cache_dir = cache_dir or home()
    if cache_dir.exists() and not cache_dir.is_dir():
        raise MilexError(
            f"milex home {cache_dir} is a file, not a folder: point $MILEX_HOME at a folder"
        )
    fp = store_fingerprint(folder, cache_dir)
    store, _ = open_intact(files.store_path(cache_dir, fp), fp)
    return store or ensure_built(folder, cache_dir)


def store_fingerprint(folder: Path, cache_dir: Path) -> str:
    """The fingerprint naming the store of a data folder and a home's user editions."""
    return fingerprint(folder, userdata.stamp(cache_dir))


def open_intact(target: Path, fp: str) -> tuple[Store | None, str | None]:
    """The store at ``target`` when it is intact; else None and what is wrong with it (None
    when it is missing, or vanished while being checked: another install's build may prune a
    store it does not use). Raises :class:`~milex.store.locks.StoreBusy` when another program
    holds it for writing beyond the lock timeout."""
    if not target.exists():
        return None, None
    problem = files.file_problem(target)
    if problem:
        return None, _unless_gone(target, problem)
    try:
        store = Store(target, locks.connect(target))
    except duckdb.Error as exc:
        return None, _unless_gone(target, f"it does not open: {first_line(exc)}")
    try:
        row = store.con.execute("SELECT fingerprint, schema_version FROM meta").fetchone()
    except duckdb.Error as exc:
        row, problem = None, f"its meta table cannot be read: {first_line(exc)}"
    if row != (fp, catalog.SCHEMA_VERSION):
        store.close()
        return None, problem or "its meta table does not match its name"
    files.touch(target)
    return store, None


def _unless_gone(target: Path, problem: str) -> str | None:
    """``problem``, or None when ``target`` is gone: missing (built without a warning), not
    damaged."""
    return problem if target.exists() else None


def ensure_built(folder: Path, cache_dir: Path, *, force: bool = False) -> Store:
    """Under the build lock: migrate the user's editions if needed, then open the store of the
    current fingerprint, building it when missing or damaged (always with ``force``); remove
    leftovers of interrupted builds and prune stores unused for long."""
    with locks.build_lock(cache_dir):
        userdata.prepare(cache_dir)
        fp = store_fingerprint(folder, cache_dir)
        target = files.store_path(cache_dir, fp)
        store, problem = (None, None) if force else open_intact(target, fp)
        if store is not None:
            return store
        if target.exists():
            _refuse_if_held(target)
        if problem:
            log.warning(
                "the cached data store %s is damaged (%s): building it again", target, problem
            )
        _build(folder, cache_dir, target, fp)
        store, problem = open_intact(target, fp)
    if store is None:
        raise MilexError(f"the data store just built in {target} does not open: {problem}")
    return store


def _build(folder: Path, cache_dir: Path, target: Path, fp: str) -> None:
    """Remove leftovers, build the store with the intact user editions, prune stale stores."""
    from milex.store.build import build

    files.remove_leftovers(cache_dir)
    log.info("building the data store in %s (first run or changed data)", cache_dir)
    user = userdata.cache_tables(cache_dir, embedded_editions(folder) - userdata.subsets(folder))
    try:
        build(folder, target, fp, user)
    except (OSError, duckdb.Error) as exc:  # a full disk is a DuckDB error while writing
        raise locks.not_writable(cache_dir, exc) from None
    files.prune(cache_dir, keep=target)


def _refuse_if_held(target: Path) -> None:
    """Raise :class:`~milex.store.locks.StoreBusy` when another program holds ``target`` for
    writing: a lock is never damage, and a held store is never replaced."""
    try:
        locks.connect(target).close()
    except locks.StoreBusy:
        raise
    except duckdb.Error:
        pass  # it does not open: damaged, replaced by the build


@cache
def default_store() -> Store:
    """The store of the package's own data, opened once per process."""
    return open_store()
