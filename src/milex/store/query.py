"""Reading the store: the :class:`Store` connection, its tidy queries, and the notes matcher.

Every SQL statement milex runs against a built store lives here (the build's in
:mod:`milex.store.build`), so that analysis modules ask for frames, never write SQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd

from milex.vocab import TIDY_COLUMNS, year_span


class Store:
    """A read-only connection to a built store file (``con``: one opened already).

    A store can be shared by threads (a web server's): a DuckDB connection must not run two
    queries at once, so each thread other than the one that opened the store queries through
    a cursor of its own (``con.cursor()``, a connection to the same database), made on its
    first query and closed when its thread ends or the store is closed.
    """

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection | None = None):
        self.path = path
        self.con = con if con is not None else duckdb.connect(str(path), read_only=True)
        self._owner = threading.get_ident()
        self._local = threading.local()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """The connection this thread queries through (see the class's documentation)."""
        if threading.get_ident() == self._owner:
            return self.con
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self.con.cursor()
        return cursor

    def sql(self, query: str, params: list | None = None) -> pd.DataFrame:
        """Run a query and return its result as a DataFrame."""
        return self._connection().execute(query, params or []).df()

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
            f"""SELECT {", ".join(("e." if c == "name" else "o.") + c for c in TIDY_COLUMNS)}
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

    def notes(
        self,
        kind: str,
        source: str,
        *,
        exact: Iterable[str] = (),
        year: int | None = None,
        **fields: str | set | None,
    ) -> list[str]:
        """Texts of the notes of ``kind`` (``missing`` or ``caveat``) about ``source`` that
        apply, the most specific first. The one note matcher of milex.

        ``fields`` are ``vintage``, ``iso3`` and ``indicator``, each a value, a set of accepted
        values or None. A note applies when each field it fills agrees with the query (a field
        the query leaves None does not constrain), and its ``years`` (one year or
        ``first-last``) holds ``year`` when one is given. Fields named in ``exact`` must be as
        given, an empty note field matching only None: ``notes("missing", "nato", iso3=None,
        indicator=None, exact=("iso3", "indicator"))`` are the notes about a whole edition. A
        ``missing`` note about one indicator never explains a query for no indicator.
        """
        wanted = {f: fields.get(f) for f in ("vintage", "iso3", "indicator")}
        unknown = set(fields) - set(wanted)
        if unknown:
            raise TypeError(f"unknown note field(s): {', '.join(sorted(unknown))}")
        keep = []
        for row in self.note_rows:
            if row["kind"] != kind or row["source"] != source:
                continue
            if kind == "missing" and row["indicator"] and wanted["indicator"] is None:
                continue
            if not all(_agrees(row[f], value, f in exact) for f, value in wanted.items()):
                continue
            if row["years"] is not None and year is not None:
                first, last = year_span(row["years"])
                if not first <= year <= last:
                    continue
            keep.append((-sum(row[f] is not None for f in wanted), row["note"]))
        return list(dict.fromkeys(text for _, text in sorted(keep)))

    # ------------------------------------------------------------------ catalogue queries

    def editions(self) -> pd.DataFrame:
        """One row per dataset edition held: ``source, vintage`` (sorted)."""
        return self.sql("SELECT DISTINCT source, vintage FROM sources ORDER BY ALL")

    def newest_vintage(self, source: str, indicator: str | None = None) -> str | None:
        """The newest edition of ``source`` held (editions are named YYYY-MM), or with
        ``indicator`` the newest that has figures of it; None when there is none."""
        found = self.sql(
            "SELECT max(vintage) v FROM observations WHERE source = ? "
            "AND (? IS NULL OR indicator = ?)",
            [source, indicator, indicator],
        )["v"].iloc[0]
        return None if pd.isna(found) else str(found)

    def indicator_table(self) -> pd.DataFrame:
        """The indicators: name, label, unit pattern, valid range and description."""
        return self.sql("SELECT * FROM indicators ORDER BY indicator")

    def entity_table(self) -> pd.DataFrame:
        """Every code in the store: ``code, name, kind`` (countries, then aggregates)."""
        return self.sql("SELECT * FROM entities ORDER BY kind DESC, code")

    def pledge_table(self) -> pd.DataFrame:
        """The pledges registry, one row per pledge (columns of ``pledges.csv``), by country,
        year and date of announcement, ties in the registry's order (a plan's rule)."""
        return self.sql("SELECT * FROM pledges ORDER BY iso3, target_year, announced, rowid")

    def munitions_table(self) -> pd.DataFrame:
        """The munitions estimates (columns of ``munitions.csv`` plus ``value_low`` and
        ``value_high``, the ends of a range such as ``"1-1.5"``; equal for a single value), in
        the unit of each row (e.g. "artillery rounds/year")."""
        return self.sql("SELECT * FROM munitions ORDER BY actor, metric, year")

    def defence_ppp_table(self) -> pd.DataFrame:
        """Published military-specific PPP estimates (columns of ``defence_ppp.csv``: ``actor,
        year, basis, value_usd_bn, compare_mer_usd_bn, source, note``), billion dollars as
        published, each row with its source."""
        return self.sql("SELECT * FROM defence_ppp ORDER BY actor, year, basis, source")

    def edition_table(self) -> pd.DataFrame:
        """One row per dataset edition: publisher, title, edition, date, URL, licence,
        citation, whether complete, a coverage note and the number of figures."""
        return self.sql(
            """SELECT s.source, s.vintage, any_value(s.publisher) publisher,
                      any_value(s.title) title, any_value(s.edition) edition,
                      any_value(s.published) published, any_value(s.url) url,
                      any_value(s.licence) licence, any_value(s.cite) cite,
                      bool_and(s.complete) complete, any_value(s.coverage_note) coverage_note,
                      (SELECT count(*) FROM observations o
                        WHERE o.source = s.source AND o.vintage = s.vintage) figures
               FROM sources s GROUP BY s.source, s.vintage ORDER BY s.source, s.vintage"""
        )

    def origins(self, ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The origins behind ``source_id`` values: ``id, source, vintage, title, published,
        url, licence, cite`` (how to cite the edition) and ``citation`` (how the figures were
        obtained, verbatim); every origin when ``ids`` is None."""
        query = (
            "SELECT id, source, vintage, title, published, url, licence, cite, citation "
            "FROM sources"
        )
        if ids is None:
            return self.sql(query + " ORDER BY id")
        ids = sorted(set(ids))
        return self.sql(f"{query} WHERE list_contains(?, id) ORDER BY id", [ids])

    def coverage(self, source: str | None = None) -> pd.DataFrame:
        """Per source, vintage and indicator: countries covered (aggregates not counted), first
        and last year, number of figures."""
        return self.sql(
            """SELECT source, vintage, indicator,
                      count(DISTINCT iso3) FILTER (WHERE iso3 NOT IN (SELECT code FROM entities
                            WHERE kind <> 'country')) countries,
                      min(year) first_year, max(year) last_year, count(*) figures
               FROM observations WHERE ? IS NULL OR source = ?
               GROUP BY ALL ORDER BY ALL""",
            [source, source],
        )

    def counts(self, source: str, vintage: str) -> tuple[int, int]:
        """How many figures and distinct codes one edition holds."""
        row = self.sql(
            "SELECT count(*) n, count(DISTINCT iso3) c FROM observations "
            "WHERE source = ? AND vintage = ?",
            [source, vintage],
        ).iloc[0]
        return int(row["n"]), int(row["c"])

    def close(self) -> None:
        """Close the store's connection and with it every thread's cursor."""
        self.con.close()


def _agrees(note_value: str | None, asked: str | set | None, exact: bool) -> bool:
    """Whether a note's field fits the query's value (see :meth:`Store.notes`)."""
    accepted = asked if isinstance(asked, set) else {asked}
    if exact:
        return note_value in accepted
    return note_value is None or asked is None or note_value in accepted
