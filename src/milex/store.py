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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
import tomllib
from functools import cache, cached_property
from pathlib import Path

import duckdb
import pandas as pd

from milex.datafiles import data_dir
from milex.errors import DataFileError, MilexError
from milex.sources.reference import read_table

SCHEMA_VERSION = "1"
log = logging.getLogger("milex")


def home() -> Path:
    """The user's milex folder: ``$MILEX_HOME`` or the platform's user data directory."""
    configured = os.environ.get("MILEX_HOME")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_data_dir("milex"))


def data_files(folder: Path) -> list[Path]:
    """The files of a data folder that go into a store, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in {".csv", ".toml"})


def fingerprint(folder: Path) -> str:
    """A hash of the names and bytes of a data folder's files (and the store schema)."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for path in data_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def year_span(text: str) -> tuple[int, int]:
    """``"2023-2026"`` -> (2023, 2026); ``"2025"`` -> (2025, 2025)."""
    first, _, last = text.partition("-")
    return int(first), int(last or first)


class Store:
    """A read-only connection to a built store file."""

    def __init__(self, path: Path):
        self.path = path
        self.con = duckdb.connect(str(path), read_only=True)

    def sql(self, query: str, params: list | None = None) -> pd.DataFrame:
        """Run a query and return its result as a DataFrame."""
        return self.con.execute(query, params or []).df()

    def observations(
        self,
        source: str | None = None,
        vintage: str | None = None,
        iso3: list[str] | None = None,
        indicators: list[str] | None = None,
        years: tuple[int, int] | None = None,
    ) -> pd.DataFrame:
        """Observations in the tidy shape, with each country's display name.

        ``vintage=None`` takes, for each series (source, country, indicator), the newest
        edition that has it, so that no series mixes two editions; ``vintage="all"`` keeps
        every edition; any other value selects that edition.
        """
        where, params = ["TRUE"], []
        for column, values in (("source", source), ("iso3", iso3), ("indicator", indicators)):
            if values is not None:
                values = [values] if isinstance(values, str) else list(values)
                where.append(f"o.{column} IN ({', '.join('?' * len(values))})")
                params += values
        if vintage not in (None, "all"):
            where.append("o.vintage = ?")
            params.append(vintage)
        if years is not None:
            where.append("o.year BETWEEN ? AND ?")
            params += list(years)
        latest = (
            "QUALIFY o.vintage = max(o.vintage) OVER (PARTITION BY o.source, o.iso3, o.indicator)"
            if vintage is None
            else ""
        )
        return self.sql(
            f"""SELECT o.iso3, e.name, o.year, o.indicator, o.value, o.unit, o.status,
                       o.source, o.vintage, o.source_id
                FROM observations o JOIN entities e ON e.code = o.iso3
                WHERE {" AND ".join(where)} {latest}
                ORDER BY o.source, o.iso3, o.indicator, o.vintage, o.year""",
            params,
        )

    @cached_property
    def note_rows(self) -> list[dict]:
        """The notes table as dicts (empty fields are None)."""
        notes = self.sql("SELECT * FROM notes")
        return notes.astype(object).where(notes.notna(), None).to_dict("records")

    @cached_property
    def names(self) -> dict[str, str]:
        """Display name of every code in the store (countries and aggregates)."""
        table = self.sql("SELECT code, name FROM entities")
        return dict(zip(table["code"], table["name"], strict=True))

    def exact_notes(self, kind: str, source: str, **fields) -> list[str]:
        """Texts of the notes whose fields are exactly as given (unlike :meth:`notes`, where an
        empty field matches anything). A value may be a set of accepted values; None means the
        field must be empty. ``exact_notes("missing", "nato", iso3=None, indicator=None)``: the
        notes about a whole edition or source."""
        accepted = {k: v if isinstance(v, set) else {v} for k, v in fields.items()}
        return [
            row["note"]
            for row in self.note_rows
            if row["kind"] == kind
            and row["source"] == source
            and all(row[field] in values for field, values in accepted.items())
        ]

    def notes(
        self,
        kind: str,
        source: str,
        vintage: str | None = None,
        iso3: str | None = None,
        indicator: str | None = None,
        year: int | None = None,
        only_country: bool = False,
    ) -> list[str]:
        """Texts of the notes of ``kind`` ("missing" or "caveat") that apply, most specific first.

        A note's empty field matches anything; its ``years`` is one year or ``first-last``.
        """
        wanted = {"vintage": vintage, "iso3": iso3, "indicator": indicator}
        keep = []
        for row in self.note_rows:
            if row["kind"] != kind or row["source"] != source:
                continue
            if any(row[f] is not None and v is not None and row[f] != v for f, v in wanted.items()):
                continue
            if only_country and row["iso3"] != iso3:
                continue
            if kind == "missing" and not only_country and row["indicator"] and not indicator:
                continue  # a gap in one indicator does not explain a whole missing row
            if row["years"] is not None and year is not None:
                first, last = year_span(row["years"])
                if not first <= year <= last:
                    continue
            keep.append((-sum(row[f] is not None for f in wanted), row["note"]))
        return [text for _, text in sorted(keep)]

    def close(self) -> None:
        self.con.close()


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


# --------------------------------------------------------------------------- building


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
    from milex.schema import observation_schema, validate

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
    from milex.schema import munitions_schema, validate

    path = folder / "munitions.csv"
    frame = validate(_read_csv(path), munitions_schema(), path)
    bounds = frame["value"].str.split("-", expand=True).astype(float)
    frame["value_low"] = bounds[0]
    frame["value_high"] = bounds[1].fillna(bounds[0]) if 1 in bounds else bounds[0]
    return frame


def _entities(observations: pd.DataFrame, pledges: pd.DataFrame) -> pd.DataFrame:
    from milex import geo

    codes = sorted(set(observations["iso3"]) | set(pledges["iso3"]))
    kinds = {row["code"]: row["kind"] for row in geo._rows("entities.csv")}
    return pd.DataFrame(
        {
            "code": codes,
            "name": [geo.name(c) for c in codes],
            "kind": [kinds.get(c, "country") for c in codes],
        }
    )


def load_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Read and validate every table of a data folder (raises :class:`DataFileError`)."""
    from milex.schema import notes_schema, pledge_schema, validate

    indicators = _read_csv(folder / "indicators.csv")
    indicators[["min", "max"]] = indicators[["min", "max"]].astype(float)
    sources = _sources(folder)
    observations = _observations(folder, sources, indicators)
    pledges = validate(_read_csv(folder / "pledges.csv"), pledge_schema(), folder / "pledges.csv")
    return {
        "sources": sources,
        "indicators": indicators,
        "observations": observations,
        "notes": validate(
            _read_csv(folder / "notes.csv"),
            notes_schema(indicators, sorted(set(sources["source"]))),
            folder / "notes.csv",
        ),
        "pledges": pledges,
        "munitions": _munitions(folder),
        "entities": _entities(observations, pledges),
    }


def build(folder: Path, target: Path) -> None:
    """Validate a data folder and write its store to ``target`` atomically."""
    tables = load_tables(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".building-", suffix=".duckdb", dir=target.parent)
    os.close(handle)
    os.unlink(tmp)
    try:
        con = duckdb.connect(tmp)
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
        con.execute(
            "CREATE TABLE meta AS SELECT ? AS fingerprint, ? AS built, ? AS schema_version",
            [fingerprint(folder), dt.datetime.now(dt.UTC).isoformat(), SCHEMA_VERSION],
        )
        con.close()
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
