"""The figures a claim is judged against, as published on the claim's date.

:class:`Figures` holds the observations of every edition (one query per check) and picks, for
a source and indicator, the newest edition **published on or before** the claim date that
holds the series (the August 2025 NATO edition, which holds shares of GDP only, never hides the
June 2024 edition's spending figures). A check judges again with ``date=None`` (the newest
editions) to say what later editions show.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

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


#: The index of each open store, dropped with the store.
_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _index(store: Store) -> tuple[dict, set]:
    """Every NATO and SIPRI figure of every edition of ``store``, indexed once per store:
    ``{(source, indicator, iso3): {vintage: {year: Figure}}}`` and the set of ``(source,
    iso3)`` held (plain dicts: a claim looks up a handful of figures, and a pandas lookup costs
    a millisecond each)."""
    if store in _INDEXES:
        return _INDEXES[store]
    obs = store.sql(
        "SELECT source, vintage, iso3, indicator, year, value, unit, status, source_id "
        "FROM observations WHERE source IN ('nato', 'sipri')"
    )
    index: dict = {}
    for row in obs.itertuples(index=False):
        figure = Figure(
            row.iso3,
            int(row.year),
            row.indicator,
            float(row.value),
            row.unit,
            row.status,
            row.source,
            row.vintage,
            row.source_id,
        )
        by_edition = index.setdefault((row.source, row.indicator, row.iso3), {})
        by_edition.setdefault(row.vintage, {})[figure.year] = figure
    _INDEXES[store] = index, {(source, iso3) for source, _indicator, iso3 in index}
    return _INDEXES[store]


class Figures:
    """The store's figures as of ``date`` (None: the newest editions)."""

    def __init__(self, store: Store, date: dt.date | None = None):
        self.store = store
        self.date = date
        self._once: dict = {}

    def once(self, key: tuple, func: Callable, *args: Any) -> Any:
        """``func(*args)``, computed once per check for ``key`` (a munitions ratio is asked for
        by every ratio claim of an article); an error is raised again each time."""
        if key not in self._once:
            try:
                self._once[key] = (True, func(*args))
            except Exception as exc:  # remembered and raised again: the same input fails alike
                self._once[key] = (False, exc)
        ok, value = self._once[key]
        if not ok:
            raise value
        return value

    @cached_property
    def _held(self) -> tuple[dict, set]:
        return _index(self.store)

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

    @cached_property
    def _usable(self) -> dict[str, list[str]]:
        """Per source, the editions usable on the claim date, newest first."""
        out: dict[str, list[str]] = {}
        for (source, vintage), day in self.published.items():
            if self.date is None or day <= self.date:
                out.setdefault(source, []).append(vintage)
        return {source: sorted(v, reverse=True) for source, v in out.items()}

    def usable(self, source: str) -> str | None:
        """The newest edition of ``source`` usable on the claim date (None: none yet)."""
        return next(iter(self._usable.get(source, [])), None)

    def series(self, source: str, indicator: str, iso3: str) -> dict[int, Figure]:
        """One country's series of ``indicator`` (year -> figure) in the newest usable edition
        that holds it; empty when none does."""
        if (source, indicator) in DERIVED:
            return self._change(source, iso3)
        editions = self._held[0].get((source, indicator, iso3), {})
        for vintage in self._usable.get(source, []):
            if vintage in editions:
                return editions[vintage]
        return {}

    def _change(self, source: str, iso3: str) -> dict[int, Figure]:
        """Real change (percent on the year before) from a source's constant-price series, for
        sources that publish no change of their own (SIPRI): each year's status and origin."""
        levels = self.series(source, DERIVED[(source, "real_change_pct")], iso3)
        return {
            year: replace(
                fig,
                indicator="real_change_pct",
                value=(fig.value / levels[year - 1].value - 1) * 100,
                unit="percent",
            )
            for year, fig in levels.items()
            if year - 1 in levels and levels[year - 1].value
        }

    def get(self, source: str, indicator: str, iso3: str, year: int) -> Figure | None:
        """The figure of ``iso3`` for ``year``, or None when the usable editions hold none."""
        return self.series(source, indicator, iso3).get(year)

    def in_edition(
        self, source: str, indicator: str, iso3: str, vintage: str, year: int
    ) -> Figure | None:
        """A figure of one given edition (None when it holds none)."""
        return self._held[0].get((source, indicator, iso3), {}).get(vintage, {}).get(year)

    def years(self, source: str, indicator: str, iso3: str, actual: bool = False) -> list[int]:
        """The years the usable edition holds for the series (only actuals with ``actual``)."""
        rows = self.series(source, indicator, iso3)
        return sorted(y for y, f in rows.items() if not actual or f.status == "actual")

    def holds(self, source: str, iso3: str) -> bool:
        """Whether any edition of ``source`` holds figures of ``iso3``."""
        return (source, iso3) in self._held[1]

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
