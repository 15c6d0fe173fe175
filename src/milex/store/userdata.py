"""The user's own editions: ``user.duckdb`` in the milex home, durable, outside the cache.

Editions a user brings in (NATO, SIPRI or WEO editions downloaded later than the package) live
here, never only in a cache store, so that rebuilding the cache can never lose them: every cache
build reads the package's data folder plus the intact editions of this file, and the cache's
fingerprint includes this file's size and mtime (:func:`stamp`). Nothing in milex deletes or
rewrites this file except :func:`add_edition` and a migration, and a migration first copies it
to ``backups/user-v<old>-<timestamp>.duckdb``. An edition whose rows no longer match its
manifest is left out of the cache with a warning, never deleted.

Tables:
    ``meta`` (user_schema_version, created);
    ``editions``, the manifest: source, vintage, publisher, title, edition, published, url,
    licence, cite, complete, coverage_note, reader (what read the files), origin (the file or
    address read), added (UTC timestamp), figures (row count), checksum (SHA-256 of the
    edition's observation and source rows, see :mod:`milex.store.digest`);
    ``observations`` (the columns of the store's observations table);
    ``sources`` (rows like ``sources.csv``: id, source, vintage, citation).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
import shutil
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from milex import catalog
from milex.errors import InputError, MilexError, first_line
from milex.store.digest import rows_digest
from milex.store.files import wal_path
from milex.store.locks import build_lock, connect

log = logging.getLogger("milex")

#: Version of the layout of ``user.duckdb``; a file of an older version is migrated.
USER_SCHEMA_VERSION = 1
#: ``MIGRATIONS[i]`` brings a user file from version ``i + 1`` to ``i + 2``; each runs in one
#: transaction, after the file was copied to ``backups/``. Version 1 is the first: none yet.
MIGRATIONS: list[Callable[[duckdb.DuckDBPyConnection], None]] = []
USER_FILE = "user.duckdb"
BACKUPS = "backups"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (user_schema_version INTEGER NOT NULL, created VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS editions (
    source VARCHAR NOT NULL, vintage VARCHAR NOT NULL, publisher VARCHAR NOT NULL,
    title VARCHAR NOT NULL, edition VARCHAR, published VARCHAR NOT NULL, url VARCHAR NOT NULL,
    licence VARCHAR NOT NULL, cite VARCHAR NOT NULL, complete BOOLEAN NOT NULL,
    coverage_note VARCHAR, reader VARCHAR NOT NULL, origin VARCHAR, added VARCHAR NOT NULL,
    figures BIGINT NOT NULL, checksum VARCHAR NOT NULL, PRIMARY KEY (source, vintage));
CREATE TABLE IF NOT EXISTS observations (
    source VARCHAR NOT NULL, vintage VARCHAR NOT NULL, iso3 VARCHAR NOT NULL,
    year BIGINT NOT NULL, indicator VARCHAR NOT NULL, value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL, status VARCHAR NOT NULL, source_id VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, vintage VARCHAR NOT NULL,
    citation VARCHAR NOT NULL);
"""
_TEXT = (r".*\S.*", "some text")
#: Required fields of an edition: (pattern, what it must be, in words).
REQUIRED = {
    "source": (r"[a-z][a-z0-9]*", "a lower-case word such as nato"),
    "vintage": (r"\d{4}-\d{2}", "a year and month YYYY-MM"),
    "publisher": _TEXT,
    "title": _TEXT,
    "published": (r"\d{4}-\d{2}(-\d{2})?", "a date YYYY-MM-DD"),
    "url": (r"https?://\S+", "a web address starting with http"),
    "licence": _TEXT,
    "cite": _TEXT,
    "reader": _TEXT,
}
#: Optional text fields of an edition (``complete``, a yes/no, is optional too: yes).
OPTIONAL = ("edition", "coverage_note", "origin")
_MANIFEST = [*REQUIRED, *OPTIONAL, "complete"]


def user_path(home: Path) -> Path:
    """The user's editions file in a milex home."""
    return home / USER_FILE


def stamp(home: Path) -> str:
    """What the cache's fingerprint takes from the user's editions: the layout version and
    the size and mtime (ns) of ``user.duckdb`` and its write-ahead log."""
    parts = [f"user-v{USER_SCHEMA_VERSION}"]
    for path in (user_path(home), wal_path(user_path(home))):
        with contextlib.suppress(OSError):
            st = path.stat()
            parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def version(con: duckdb.DuckDBPyConnection) -> int:
    """The layout version of an open user file (a DuckDB error when it has none)."""
    found = con.execute("SELECT max(user_schema_version) FROM meta").fetchone()[0]
    if found is None:
        raise duckdb.InvalidInputException("its meta table holds no version")
    return int(found)


def newer_message(path: Path, found: int) -> str:
    """Why a user file of a newer layout is refused."""
    return (
        f"{path} was written by a newer milex (user data version {found}; this milex knows up "
        f"to {USER_SCHEMA_VERSION}): it is left untouched and its editions are not used; "
        "upgrade milex to use them"
    )


# ------------------------------------------------------------------ migrations and backups


def backup(home: Path, old: int) -> Path:
    """Copy ``user.duckdb`` (and its log) to ``backups/user-v<old>-<UTC timestamp>.duckdb``."""
    source = user_path(home)
    folder = home / BACKUPS
    folder.mkdir(exist_ok=True)
    when = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = folder / f"user-v{old}-{when}.duckdb"
    if wal_path(source).exists():
        shutil.copyfile(wal_path(source), wal_path(target))
    partial = folder / f".copying-{target.name}"
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    return target


def prepare(home: Path) -> None:
    """Migrate an older ``user.duckdb`` to :data:`USER_SCHEMA_VERSION`, after a backup (call
    under the build lock). A missing, unreadable or newer file is left as it is."""
    path = user_path(home)
    if not path.exists():
        return
    try:
        con = connect(path)
        try:
            found = version(con)
        finally:
            con.close()
    except duckdb.Error:
        return  # unreadable: left out of the cache with a warning, reported by the doctor
    if found >= USER_SCHEMA_VERSION:
        return
    kept = backup(home, found)
    con = connect(path, read_only=False)
    try:
        for step in range(found, USER_SCHEMA_VERSION):
            _migrate(con, step, path, kept)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    log.warning(
        "the user editions in %s were migrated from version %d to %d; the file before is kept "
        "as %s",
        path,
        found,
        USER_SCHEMA_VERSION,
        kept,
    )


def _migrate(con: duckdb.DuckDBPyConnection, step: int, path: Path, kept: Path) -> None:
    """Run the migration from version ``step`` to ``step + 1`` in one transaction."""
    con.begin()
    try:
        MIGRATIONS[step - 1](con)
        con.execute("UPDATE meta SET user_schema_version = ?", [step + 1])
        con.commit()
    except duckdb.Error as exc:
        con.rollback()
        raise MilexError(
            f"migrating {path} from version {step} failed ({first_line(exc)}); the file "
            f"before migration is kept as {kept}"
        ) from None


# ------------------------------------------------------------------ adding an edition


def edition_info(edition: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest fields of an edition, checked (raises :class:`InputError`)."""
    unknown = set(edition) - set(_MANIFEST)
    if unknown:
        raise InputError(
            f"edition: unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(_MANIFEST)}"
        )
    info: dict[str, Any] = {}
    for name, (pattern, words) in REQUIRED.items():
        value = edition.get(name)
        if not isinstance(value, str) or not re.fullmatch(pattern, value.strip()):
            raise InputError(f"edition field {name}: {value!r} is not {words}")
        info[name] = value.strip()
    for name in OPTIONAL:
        value = edition.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError(f"edition field {name}: {value!r} is not text")
        info[name] = (value or "").strip() or None
    complete = edition.get("complete", True)
    if not isinstance(complete, bool):
        raise InputError(f"edition field complete: {complete!r} is not true or false")
    info["complete"] = complete
    return info


def subsets(folder: Path) -> set[tuple[str, str]]:
    """The editions a data folder embeds only in part (``complete = false`` in its
    ``editions.toml``, e.g. SIPRI's, of which milex ships the comparison countries): a complete
    copy the user adds replaces the subset."""
    import tomllib

    try:
        registry = tomllib.loads((folder / "editions.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return set()
    found = {
        (source, vintage)
        for source, editions in registry.items()
        for vintage, meta in editions.items()
        if meta.get("complete") is False
    }
    return found & catalog.embedded_editions(folder)


def refuse_embedded(info: Mapping[str, Any], folder: Path, observations: pd.DataFrame) -> None:
    """Refuse an edition milex embeds already, unless milex holds only a subset of it and
    ``info`` is complete (a user's full copy of SIPRI's database replaces the shipped subset);
    a copy that lacks any figure of the subset it would replace is not complete: refused."""
    key = (info["source"], info["vintage"])
    if key not in catalog.embedded_editions(folder):
        return
    if key not in subsets(folder):
        raise InputError(f"edition {key[0]} {key[1]} is part of milex's own data already")
    if not info["complete"]:
        raise InputError(
            f"edition {key[0]} {key[1]} is part of milex's own data already, in part: only a "
            "complete copy replaces it"
        )
    shipped = pd.read_csv(
        folder / "observations" / f"{key[0]}_{key[1]}.csv", usecols=["iso3", "year", "indicator"]
    )
    given = pd.MultiIndex.from_frame(observations[["iso3", "year", "indicator"]])
    lacking = shipped[~pd.MultiIndex.from_frame(shipped).isin(given)]
    if not lacking.empty:
        first = lacking.iloc[0]
        raise InputError(
            f"edition {key[0]} {key[1]}: this copy lacks {len(lacking):,} of the {len(shipped):,} "
            f"figures milex ships of it (e.g. {first['iso3']} {first['year']} "
            f"{first['indicator']}), so it is not the whole edition and cannot replace them; "
            "load the publisher's own file, unchanged"
        )


def validated(
    info: dict[str, Any],
    observations: pd.DataFrame,
    origins: pd.DataFrame,
    folder: Path,
    name: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The edition's observations and origins, validated against the data folder's
    indicators and codes (raises :class:`DataFileError` naming the file ``name`` the figures
    were read from, the figure and the field)."""
    from milex.store.build import read_indicators, read_source_ids
    from milex.store.schema import observation_schema, origin_schema, validate

    source, vintage = info["source"], info["vintage"]
    # messages name lines as in a CSV file of the frame, or figures of the file read
    name = name or Path(f"{source}_{vintage}.csv")
    observations, origins = observations.reset_index(drop=True), origins.reset_index(drop=True)
    origins = validate(origins, origin_schema(source, vintage), name.with_suffix(".sources"))
    taken = sorted(set(origins["id"]) & read_source_ids(folder))
    if taken:
        raise InputError(f"origin id {taken[0]} is used by milex's own data already: rename it")
    if observations.empty:
        raise InputError(f"edition {source} {vintage} has no figures: nothing to add")
    schema = observation_schema(read_indicators(folder), origins["id"].tolist())
    observations = validate(observations, schema, name)
    return observations.assign(source=source, vintage=vintage), origins


def add_edition(
    edition: Mapping[str, Any],
    observations: pd.DataFrame,
    origins: pd.DataFrame,
    *,
    folder: Path | None = None,
    cache_dir: Path | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """Add one dataset edition to the user's editions, all or nothing.

    ``edition`` holds the manifest fields (:data:`REQUIRED`, :data:`OPTIONAL`, ``complete``);
    ``observations`` the figures in the columns of an embedded observation file (``source_id,
    iso3, year, indicator, value, unit, status``); ``origins`` one row per ``source_id`` (``id,
    source, vintage, citation``). Everything is validated first, then written in one
    transaction. An edition embedded in milex or added already is refused, except that a
    complete edition replaces one milex embeds only in part (:func:`subsets`). With
    ``replace``, an edition the user added before is replaced by this one in the same
    transaction (a corrected file). The next store opened includes the edition. Returns the
    manifest row written.

    ``user.duckdb`` is first read without writing: a file of a newer milex, or one that does
    not read back whole, is refused (:class:`~milex.errors.MilexError`) and left byte for byte
    as it was; an existing file that lacks tables is copied to ``backups/`` before they are
    created.
    """
    folder = folder or catalog.data_dir()
    home = cache_dir or catalog.home()
    info = edition_info(edition)
    source, vintage = info["source"], info["vintage"]
    refuse_embedded(info, folder, observations)
    observations, origins = validated(info, observations, origins, folder)
    path = user_path(home)
    with build_lock(home):
        prepare(home)
        found, missing = inspect_file(path)
        if missing and found is not None:
            backup(home, found)
        try:
            con = connect(path, read_only=False)
        except duckdb.Error as exc:
            raise MilexError(_damaged(path, exc)) from None
        try:
            if missing:
                _create(con)
            if not replace:
                _refuse_duplicate(con, info, origins)
            manifest = _insert(con, info, observations, origins, replace)
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            raise MilexError(
                f"cannot add edition {source} {vintage} to {path} ({first_line(exc)}): nothing "
                "was added; run milex doctor"
            ) from None
        finally:
            con.close()
    log.info("added edition %s %s (%d figures) to %s", source, vintage, len(observations), home)
    return manifest


def inspect_file(path: Path) -> tuple[int | None, list[str]]:
    """Read the user file without writing it: its layout version (None when it is missing or
    holds no table yet) and the tables of :data:`_SCHEMA` it lacks. Raises
    :class:`~milex.errors.MilexError` when it is of a newer milex, or damaged: it does not
    open, its meta table holds no version, a table's columns are not the expected ones, or a
    table does not read back whole."""
    expected = expected_tables()
    if not path.exists():
        return None, list(expected)
    try:
        con = connect(path)
    except duckdb.Error as exc:
        raise MilexError(_damaged(path, exc)) from None
    try:
        present = tables(con)
        if not present:  # a first add_edition killed before its commit
            return None, list(expected)
        found = version(con)
        if found > USER_SCHEMA_VERSION:
            raise MilexError(newer_message(path, found))
        if found < USER_SCHEMA_VERSION:
            raise duckdb.InvalidInputException(f"its layout version {found} was not migrated")
        for name, columns in expected.items():
            if name in present and present[name] != columns:
                raise duckdb.InvalidInputException(
                    f"table {name} has the columns {', '.join(present[name])}, not "
                    f"{', '.join(columns)}"
                )
            if name in present:
                con.execute(f"SELECT * FROM {name}").fetchall()  # every block read: checksummed
        return found, [name for name in expected if name not in present]
    except (duckdb.Error, TypeError, ValueError) as exc:
        raise MilexError(_damaged(path, exc)) from None
    finally:
        con.close()


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The tables of an open database file with their columns, in order."""
    rows = con.execute(
        """SELECT table_name, column_name FROM information_schema.columns
           WHERE table_catalog = current_database() AND table_schema = 'main'
           ORDER BY table_name, ordinal_position"""
    ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


@cache
def expected_tables() -> dict[str, list[str]]:
    """The tables of the current layout (:data:`_SCHEMA`) with their columns."""
    con = duckdb.connect()
    try:
        con.execute(_SCHEMA)
        return tables(con)
    finally:
        con.close()


def _create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the missing tables of the user file, and its meta row, in one transaction."""
    con.begin()
    try:
        con.execute(_SCHEMA)
        con.execute(
            "INSERT INTO meta SELECT ?, ? WHERE NOT EXISTS (SELECT * FROM meta)",
            [USER_SCHEMA_VERSION, dt.datetime.now(dt.UTC).isoformat()],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _refuse_duplicate(
    con: duckdb.DuckDBPyConnection, info: dict[str, Any], origins: pd.DataFrame
) -> None:
    """Refuse an edition added already, or origin ids another added edition uses."""
    source, vintage = info["source"], info["vintage"]
    added = con.execute(
        "SELECT added FROM editions WHERE source = ? AND vintage = ?", [source, vintage]
    ).fetchone()
    if added:
        raise InputError(f"edition {source} {vintage} was added already (on {added[0][:10]})")
    taken = con.execute(
        "SELECT min(id) FROM sources WHERE list_contains(?, id)", [origins["id"].tolist()]
    ).fetchone()[0]
    if taken:
        raise InputError(f"origin id {taken} is used by an edition added before: rename it")


def _insert(
    con: duckdb.DuckDBPyConnection,
    info: dict[str, Any],
    observations: pd.DataFrame,
    origins: pd.DataFrame,
    replace: bool = False,
) -> dict[str, Any]:
    """Write the rows and the manifest in one transaction (first removing the rows of the same
    edition with ``replace``); returns the manifest row."""
    con.begin()
    try:
        if replace:
            for table in ("observations", "sources", "editions"):
                con.execute(
                    f"DELETE FROM {table} WHERE source = ? AND vintage = ?",
                    [info["source"], info["vintage"]],
                )
        con.register("new_observations", observations)
        con.execute(
            "INSERT INTO observations SELECT source, vintage, iso3, year, indicator, value, "
            "unit, status, source_id FROM new_observations"
        )
        con.register("new_origins", origins)
        con.execute("INSERT INTO sources SELECT id, source, vintage, citation FROM new_origins")
        figures, checksum = edition_checksum(con, info["source"], info["vintage"])
        manifest = {
            **info,
            "added": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "figures": figures,
            "checksum": checksum,
        }
        names = list(manifest)
        con.execute(
            f"INSERT INTO editions ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [manifest[n] for n in names],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("new_observations")
        con.unregister("new_origins")
    return manifest


# ------------------------------------------------------------------ reading for the cache


def held_editions(home: Path) -> set[tuple[str, str]]:
    """The ``(source, vintage)`` editions in the user's file (empty when there is none or it
    cannot be read: adding then says why)."""
    held = manifest(home)
    return set(zip(held["source"], held["vintage"], strict=True))


#: The columns of :func:`manifest`.
MANIFEST_COLUMNS = ["source", "vintage", "added", "origin", "complete", "figures"]


def manifest(home: Path) -> pd.DataFrame:
    """The user's editions as their manifest records them: ``source, vintage, added`` (UTC
    timestamp), ``origin`` (the file or address read), ``complete``, ``figures``; no rows when
    there is no user file or it cannot be read (adding, and milex doctor, say why)."""
    path = user_path(home)
    empty = pd.DataFrame(columns=MANIFEST_COLUMNS)
    if not path.exists():
        return empty
    try:
        con = connect(path)
    except duckdb.Error:
        return empty
    try:
        columns = ", ".join(MANIFEST_COLUMNS)
        return con.execute(f"SELECT {columns} FROM editions ORDER BY source, vintage").df()
    except duckdb.Error:
        return empty
    finally:
        con.close()


def edition_checksum(con: duckdb.DuckDBPyConnection, source: str, vintage: str) -> tuple[int, str]:
    """Number of figures and SHA-256 of one user edition's observation and source rows."""
    figures, observed = rows_digest(con, "observations", source, vintage)
    _, cited = rows_digest(con, "sources", source, vintage)
    return figures, hashlib.sha256(f"{observed}|{cited}".encode()).hexdigest()


def check_editions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each edition of the manifest with ``recorded`` and ``found`` figures and ``intact``
    (its rows still match the manifest's count and checksum)."""
    checked = []
    manifest = con.execute(
        "SELECT source, vintage, figures, checksum FROM editions ORDER BY source, vintage"
    ).fetchall()
    for source, vintage, recorded, checksum in manifest:
        found, actual = edition_checksum(con, source, vintage)
        checked.append(
            {
                "source": source,
                "vintage": vintage,
                "recorded": recorded,
                "found": found,
                "intact": (found, actual) == (recorded, checksum),
            }
        )
    return checked


def change(edition: dict[str, Any]) -> str:
    """How a checked edition differs from its manifest, in words."""
    if edition["recorded"] != edition["found"]:
        return f"{edition['recorded']} figures recorded, {edition['found']} found"
    return "its figures were changed"


def cache_tables(home: Path, embedded: set[tuple[str, str]]) -> dict[str, pd.DataFrame]:
    """The ``observations`` and ``sources`` rows (sources with their edition's metadata, as
    the store holds them) of the intact user editions not in ``embedded`` (the editions milex
    ships whole; one it ships in part is replaced by the user's copy, see :func:`subsets`); an
    empty dict when there are none. Editions left out are named in a warning; the file is only
    read."""
    path = user_path(home)
    if not path.exists():
        return {}
    try:
        con = connect(path)
    except duckdb.Error as exc:
        log.warning(_unreadable(path, exc))
        return {}
    try:
        return _intact_rows(con, path, embedded)
    except duckdb.Error as exc:
        log.warning(_unreadable(path, exc))
        return {}
    finally:
        con.close()


def _intact_rows(
    con: duckdb.DuckDBPyConnection, path: Path, embedded: set[tuple[str, str]]
) -> dict[str, pd.DataFrame]:
    found = version(con)
    if found != USER_SCHEMA_VERSION:
        log.warning(newer_message(path, found))
        return {}
    frames: dict[str, list[pd.DataFrame]] = {"observations": [], "sources": []}
    for edition in check_editions(con):
        name = f"{edition['source']} {edition['vintage']}"
        if (edition["source"], edition["vintage"]) in embedded:
            log.warning("user edition %s is part of milex's own data now: that one is used", name)
            continue
        if not edition["intact"]:
            log.warning(
                "user edition %s in %s no longer matches its manifest (%s): it is left out; "
                "run milex doctor",
                name,
                path,
                change(edition),
            )
            continue
        key = [edition["source"], edition["vintage"]]
        frames["observations"].append(
            con.execute("SELECT * FROM observations WHERE source = ? AND vintage = ?", key).df()
        )
        frames["sources"].append(
            con.execute(
                """SELECT s.id, s.source, s.vintage, s.citation, e.publisher, e.title,
                          e.edition, e.published, e.url, e.licence, e.cite, e.complete,
                          e.coverage_note
                   FROM sources s JOIN editions e USING (source, vintage)
                   WHERE s.source = ? AND s.vintage = ? ORDER BY s.id""",
                key,
            ).df()
        )
    if not frames["observations"]:
        return {}
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}


def _unreadable(path: Path, exc: Exception) -> str:
    return (
        f"the user editions in {path} cannot be read ({first_line(exc)}): they are left out "
        "and the file is left untouched; run milex doctor"
    )


def _damaged(path: Path, exc: Exception) -> str:
    return (
        f"the user editions in {path} cannot be read ({first_line(exc)}): nothing was added "
        "and the file is left untouched; run milex doctor"
    )
