"""The figures a claim is judged against, as published on the claim's date.

:class:`Figures` holds the observations of every edition (one query per check) and picks, for
a source and indicator, the newest edition **published on or before** the claim date that
holds the series (the August 2025 NATO edition, which holds shares of GDP only, never hides the
June 2024 edition's spending figures). It also finds the newest edition of all, so that a
verdict can say what later editions show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from milex.store import Store

#: Series computed from another of the same edition: (source, indicator) -> the level series.
#: SIPRI publishes no real change; it follows from its constant-price spending.
DERIVED = {("sipri", "real_change_pct"): "spend_usd_const"}


@dataclass(frozen=True)
class Figure:
    """One published figure: ``value`` in ``unit`` (e.g. 3.75 "percent of GDP", 86638.0 "EUR
    million current"), with its status (actual/estimate), source, edition and origin id."""

    iso3: str
    year: int
    indicator: str
    value: float
    unit: str
    status: str
    source: str
    vintage: str
    source_id: str


class Figures:
    """The store's figures as of ``date`` (None: the newest editions)."""

    def __init__(self, store: Store, date: dt.date | None = None):
        self.store = store
        self.date = date

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Every NATO and SIPRI observation of every edition (tidy)."""
        obs = self.store.sql(
            "SELECT source, vintage, iso3, indicator, year, value, unit, status, source_id "
            "FROM observations WHERE source IN ('nato', 'sipri')"
        )
        return obs.set_index(["source", "indicator", "iso3"]).sort_index()

    @cached_property
    def published(self) -> dict[tuple[str, str], dt.date]:
        """Publication date of each edition held: (source, vintage) -> date."""
        table = self.store.edition_table()
        return {
            (row.source, row.vintage): dt.date.fromisoformat(str(row.published)[:10])
            for row in table.itertuples()
        }

    def first_edition(self, source: str) -> tuple[str, dt.date] | None:
        """The oldest edition of ``source`` held and its publication date."""
        held = sorted((d, v) for (s, v), d in self.published.items() if s == source)
        return (held[0][1], held[0][0]) if held else None

    def editions(self, source: str, newest: bool = False) -> list[str]:
        """Editions of ``source`` usable on the claim date (all with ``newest``), newest first."""
        usable = [
            v
            for (s, v), d in self.published.items()
            if s == source and (newest or self.date is None or d <= self.date)
        ]
        return sorted(usable, reverse=True)

    def series(self, source: str, indicator: str, iso3: str, newest: bool = False) -> pd.DataFrame:
        """One country's series of ``indicator`` in the newest usable edition that holds it
        (columns ``year, value, unit, status, vintage, source_id``); empty when none does."""
        if (source, indicator) in DERIVED:
            return self._change(source, iso3, newest)
        try:
            rows = self.frame.loc[(source, indicator, iso3)]
        except KeyError:
            return pd.DataFrame(columns=["year", "value", "unit", "status", "vintage"])
        for vintage in self.editions(source, newest):
            found = rows[rows["vintage"] == vintage]
            if not found.empty:
                return found.sort_values("year")
        return rows.iloc[0:0]

    def _change(self, source: str, iso3: str, newest: bool) -> pd.DataFrame:
        """Real change (percent on the year before) from a source's constant-price series, for
        sources that publish no change of their own (SIPRI): each year's status and origin."""
        levels = self.series(source, DERIVED[(source, "real_change_pct")], iso3, newest)
        levels = levels.sort_values("year").reset_index(drop=True)
        follows = levels["year"].diff() == 1
        change = (levels["value"] / levels["value"].shift() - 1) * 100
        out = levels[follows].assign(value=change[follows], unit="percent")
        return out

    def get(
        self, source: str, indicator: str, iso3: str, year: int, newest: bool = False
    ) -> Figure | None:
        """The figure of ``iso3`` for ``year``, or None when the usable editions hold none."""
        rows = self.series(source, indicator, iso3, newest)
        rows = rows[rows["year"] == year]
        if rows.empty:
            return None
        row = rows.iloc[0]
        return Figure(
            iso3,
            int(year),
            indicator,
            float(row["value"]),
            str(row["unit"]),
            str(row["status"]),
            source,
            str(row["vintage"]),
            str(row["source_id"]),
        )

    def years(self, source: str, indicator: str, iso3: str, actual: bool = False) -> list[int]:
        """The years the usable edition holds for the series (only actuals with ``actual``)."""
        rows = self.series(source, indicator, iso3)
        if actual:
            rows = rows[rows["status"] == "actual"]
        return sorted(int(y) for y in rows["year"])

    def holds(self, source: str, iso3: str) -> bool:
        """Whether any edition of ``source`` holds figures of ``iso3``."""
        return iso3 in set(self.frame.loc[source].index.get_level_values("iso3"))

    @cached_property
    def pledges(self) -> pd.DataFrame:
        """The pledge registry, limited to pledges announced by the claim date. A month
        (``2025-04``) counts from its last day; a pledge without a date only when no date is
        given (it cannot be shown to have been made by then)."""
        table = self.store.pledge_table()
        if self.date is None:
            return table
        return table[[_announced(text) <= self.date for text in table["announced"]]]


def _announced(text: object) -> dt.date:
    """The day a pledge is known from: a day as written, a month's last day, else never."""
    value = str(text) if isinstance(text, str) else ""
    try:
        if len(value) == 7:
            return (pd.Period(value, freq="M").end_time).date()
        return dt.date.fromisoformat(value)
    except ValueError:
        return dt.date.max
