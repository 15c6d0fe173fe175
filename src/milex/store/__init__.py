"""The DuckDB store: every observation, source, pledge and note milex knows, in one file.

The store is built from the package's data folder (``milex/data``) into a cache file under the
user's data directory (``platformdirs.user_data_dir("milex")``, or ``$MILEX_HOME``). The file
name carries a fingerprint of the data, so a changed data folder builds a new store and a warm
start only opens a file. A build validates every table first and writes to a temporary file that
replaces the old one in one step: a failed build leaves the existing store untouched.

Tables: ``observations`` (source, vintage, iso3, year, indicator, value, unit, status,
source_id), ``sources`` (one row per origin, with its edition's publisher, title, date, URL,
licence and citation), ``indicators``, ``entities`` (code, name, kind), ``notes`` (why figures
are missing, caveats), ``pledges``, ``munitions`` and ``meta``.

Modules: :mod:`.catalog` (where data lives), :mod:`.build` (load, validate, write),
:mod:`.schema` (pandera schemas), :mod:`.query` (the :class:`Store` and all its SQL).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import duckdb

from milex.catalog import data_dir, fingerprint, home
from milex.errors import MilexError
from milex.store.query import Store

__all__ = ["Store", "default_store", "home", "open_store"]
log = logging.getLogger("milex")


def open_store(folder: Path | None = None, cache_dir: Path | None = None) -> Store:
    """Open the store for a data folder, building it first if its cache file is missing."""
    folder = folder or data_dir()
    cache_dir = cache_dir or home()
    if cache_dir.exists() and not cache_dir.is_dir():
        raise MilexError(
            f"milex home {cache_dir} is a file, not a folder: point $MILEX_HOME at a folder"
        )
    target = cache_dir / f"store-{fingerprint(folder)}.duckdb"
    if target.exists():
        store = None
        try:
            store = Store(target)
            store.sql("SELECT fingerprint FROM meta")
            return store
        except duckdb.Error:
            if store is not None:
                store.close()
            log.warning("the cached store %s is damaged: building it again", target)
            target.unlink()
    from milex.store.build import build

    log.info("building the data store in %s (first run or changed data)", cache_dir)
    try:
        build(folder, target)
    except OSError as exc:
        raise MilexError(f"cannot write the data store in {cache_dir}: {exc.strerror}") from None
    for stale in cache_dir.glob("store-*.duckdb"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return Store(target)


@cache
def default_store() -> Store:
    """The store of the package's own data, opened once per process."""
    return open_store()
