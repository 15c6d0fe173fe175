"""Building a store: read every table of a data folder through the source readers, validate it
(pandera, see :mod:`milex.store.schema`), add the user's own editions (see
:mod:`milex.store.userdata`) and write the DuckDB file atomically, with the row count and
checksum of each edition and table in its ``checksums`` table and the SHA-256 of its bytes
beside it (see :mod:`milex.store.files`).

Imported only when a store is (re)built, so a warm start pays for neither pandera nor the
readers.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from milex import catalog, geo
from milex.catalog import read_rows
from milex.errors import DataFileError
from milex.readers import read_table
from milex.store import files
from milex.store.digest import table_digests


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataFileError(f"{path.name}: file not found in {path.parent}")
    return read_table(path)


def _sources(folder: Path) -> pd.DataFrame:
    """sources.csv joined with the edition metadata of editions.toml."""
    try:
        editions = tomllib.loads((folder / "editions.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"editions.toml: {exc}") from None
    origins = _read_csv(folder / "sources.csv")
    rows = []
    for i, row in origins.iterrows():
        meta = editions.get(row["source"], {}).get(row["vintage"])
        if meta is None:
            raise DataFileError(
                f"sources.csv, line {i + 2}, field vintage: edition {row['source']} "
                f"{row['vintage']} is not described in editions.toml"
            )
        rows.append(
            {
                **row.to_dict(),
                **{k: meta.get(k) for k in ("publisher", "title", "edition", "published", "url")},
                "licence": meta.get("licence"),
                "cite": meta.get("cite"),
                "complete": bool(meta.get("complete", True)),
                "coverage_note": meta.get("coverage_note"),
            }
        )
    return pd.DataFrame(rows)


def _observations(folder: Path, sources: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    from milex.store.schema import observation_schema, validate

    frames = []
    for path in sorted((folder / "observations").glob("*.csv")):
        source, _, vintage = path.stem.partition("_")
        ids = sources.loc[
            (sources["source"] == source) & (sources["vintage"] == vintage), "id"
        ].tolist()
        if not ids:
            raise DataFileError(
                f"{path.name}: no source in sources.csv for {source} {vintage}; "
                "name observation files <source>_<vintage>.csv"
            )
        frame = validate(_read_csv(path), observation_schema(indicators, ids), path)
        frames.append(frame.assign(source=source, vintage=vintage))
    if not frames:
        raise DataFileError(f"no observation files in {folder / 'observations'}")
    return pd.concat(frames, ignore_index=True)[
        ["source", "vintage", "iso3", "year", "indicator", "value", "unit", "status", "source_id"]
    ]


def _munitions(folder: Path) -> pd.DataFrame:
    from milex.store.schema import munitions_schema, validate

    path = folder / "munitions.csv"
    frame = validate(_read_csv(path), munitions_schema(), path)
    bounds = frame["value"].str.split("-", expand=True).astype(float)
    frame["value_low"] = bounds[0]
    frame["value_high"] = bounds[1].fillna(bounds[0]) if 1 in bounds else bounds[0]
    return frame


def _defence_ppp(folder: Path) -> pd.DataFrame:
    from milex.store.schema import defence_ppp_schema, validate

    path = folder / "defence_ppp.csv"
    return validate(_read_csv(path), defence_ppp_schema(), path)


def _entities(observations: pd.DataFrame, pledges: pd.DataFrame) -> pd.DataFrame:
    codes = sorted(set(observations["iso3"]) | set(pledges["iso3"]))
    kinds = {row["code"]: row["kind"] for row in read_rows("entities.csv")}
    return pd.DataFrame(
        {
            "code": codes,
            "name": [geo.name(c) for c in codes],
            "kind": [kinds.get(c, "country") for c in codes],
        }
    )


def read_indicators(folder: Path) -> pd.DataFrame:
    """The indicators table of a data folder, with its valid range as floats."""
    indicators = _read_csv(folder / "indicators.csv")
    indicators[["min", "max"]] = indicators[["min", "max"]].astype(float)
    return indicators


def read_source_ids(folder: Path) -> set[str]:
    """The origin ids of a data folder's ``sources.csv``."""
    return set(_read_csv(folder / "sources.csv")["id"])


def _of(frame: pd.DataFrame, user: pd.DataFrame) -> np.ndarray:
    """Which rows of ``frame`` belong to an edition (source, vintage) of the user's rows."""
    editions = user[["source", "vintage"]].drop_duplicates()
    marked = frame.merge(editions, on=["source", "vintage"], how="left", indicator=True)
    return (marked["_merge"] == "both").to_numpy()


def _replaced(embedded: pd.DataFrame, user: pd.DataFrame) -> pd.DataFrame:
    """The embedded rows not of an edition the user's copy replaces (a subset milex ships,
    such as SIPRI's comparison countries, replaced by the user's full database)."""
    return embedded[~_of(embedded, user)].reset_index(drop=True)


def _subset_notes_dropped(notes: pd.DataFrame, user: pd.DataFrame) -> pd.DataFrame:
    """The notes, without those about what a subset milex ships leaves out (``missing`` notes
    about a whole edition) when the user's complete copy replaces that edition."""
    whole = (notes["kind"] == "missing") & notes["iso3"].isna() & notes["indicator"].isna()
    return notes[~(whole.to_numpy() & _of(notes, user))].reset_index(drop=True)


def load_tables(
    folder: Path, user: dict[str, pd.DataFrame] | None = None
) -> dict[str, pd.DataFrame]:
    """Read and validate every table of a data folder (raises :class:`DataFileError`), with
    the ``observations`` and ``sources`` of the user's editions (already validated) added."""
    from milex.store.schema import notes_schema, pledge_schema, validate

    indicators = read_indicators(folder)
    sources = _sources(folder)
    observations = _observations(folder, sources, indicators)
    if user:
        sources, observations = (
            _replaced(sources, user["sources"]),
            _replaced(observations, user["observations"]),
        )
        sources = pd.concat([sources, user["sources"]], ignore_index=True)
        observations = pd.concat([observations, user["observations"]], ignore_index=True)
    pledges = validate(_read_csv(folder / "pledges.csv"), pledge_schema(), folder / "pledges.csv")
    notes = validate(
        _read_csv(folder / "notes.csv"),
        notes_schema(indicators, sorted(set(sources["source"]))),
        folder / "notes.csv",
    )
    return {
        "sources": sources,
        "indicators": indicators,
        "observations": observations,
        "notes": _subset_notes_dropped(notes, user["sources"]) if user else notes,
        "pledges": pledges,
        "munitions": _munitions(folder),
        "defence_ppp": _defence_ppp(folder),
        "entities": _entities(observations, pledges),
    }


def build(
    folder: Path, target: Path, fingerprint: str, user: dict[str, pd.DataFrame] | None = None
) -> None:
    """Validate a data folder and write its store, with the user's editions, to ``target``
    atomically (call under the build lock: see :func:`milex.store.locks.build_lock`)."""
    tables = load_tables(folder, user)
    tmp = files.temp_path(target)
    try:
        con = duckdb.connect(str(tmp))
        try:
            _write(con, tables, fingerprint)
        finally:
            con.close()
        files.publish(tmp, target)
    finally:
        files.remove_build(tmp)


def _write(con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame], fp: str) -> None:
    """Write the tables, ``meta`` and the ``checksums`` of every edition and table."""
    for name, frame in tables.items():
        con.register("frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")
    con.execute(
        "CREATE TABLE meta AS SELECT ? AS fingerprint, ? AS built, ? AS schema_version",
        [fp, dt.datetime.now(dt.UTC).isoformat(), catalog.SCHEMA_VERSION],
    )
    con.execute(
        "CREATE TABLE checksums (table_name VARCHAR, source VARCHAR, vintage VARCHAR, "
        "figures BIGINT, digest VARCHAR)"
    )
    con.executemany("INSERT INTO checksums VALUES (?, ?, ?, ?, ?)", table_digests(con, [*tables]))
