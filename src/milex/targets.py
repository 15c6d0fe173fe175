"""NATO's spending guidelines (``data/guidelines.toml``) and who meets them.

Shares are percent (2.0 means 2% of GDP), never fractions.
"""

from __future__ import annotations

import pandas as pd

from milex import geo
from milex.datafiles import read_toml
from milex.errors import InputError
from milex.store import Store

#: Indicators shown by :func:`status`, in column order.
STATUS_INDICATORS = ["share_gdp", "spend_usd_current", "equipment_share", "real_change_pct"]
#: Guidelines checked by :func:`status`.
STATUS_GUIDELINES = ["wales-2", "hague-3.5", "wales-equipment-20"]


def guidelines() -> pd.DataFrame:
    """The guidelines of ``data/guidelines.toml``: id, label, indicator, threshold (percent),
    deadline year (``by``), scope (``core`` NATO definition or ``total`` incl. the 1.5%), source."""
    rows = [{"id": key, **value} for key, value in read_toml("guidelines.toml").items()]
    return pd.DataFrame(rows)


def meets_column(guideline_id: str) -> str:
    """Column name of a guideline's check in :func:`status` ("hague-3.5" -> "meets_hague_3_5")."""
    return "meets_" + guideline_id.replace("-", "_").replace(".", "_")


def _latest_year(store: Store, source: str, vintage: str | None) -> int:
    obs = store.observations(source, vintage, indicators=["share_gdp"])
    if obs.empty:
        raise InputError(f"no share-of-GDP figures for source {source!r} (vintage {vintage})")
    return int(obs["year"].max())


def _rows_for(source: str, year: int, obs: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Entities listed by status: NATO's members that year then its aggregates; else the data's."""
    if source == "nato":
        allies = sorted(geo.members("nato", year), key=lambda c: names.get(c, c))
        return [*allies, "NATO_EUROPE_CANADA", "NATO_TOTAL"]
    return sorted(set(obs["iso3"]), key=lambda c: (c == "WLD", names.get(c, c)))


def status(store: Store, year: int | None = None, source: str = "nato", vintage: str | None = None):
    """One row per country (for NATO: per ally that year, then the two aggregates).

    Columns: ``iso3, name, kind, year``, the figures of :data:`STATUS_INDICATORS`
    (``share_gdp`` percent of GDP; ``spend_usd_current`` USD million, current prices;
    ``equipment_share`` percent of defence expenditure; ``real_change_pct`` percent on the year
    before), one boolean ``meets_*`` column per guideline of :data:`STATUS_GUIDELINES` (missing
    where the figure is missing), ``status`` (estimate if any figure is one), ``source``,
    ``vintage`` and ``note`` (why a figure is missing). ``attrs["units"]`` holds the units.
    """
    if year is None:
        year = _latest_year(store, source, vintage)
    obs = store.observations(source, vintage, indicators=STATUS_INDICATORS, years=(year, year))
    if obs.empty:
        span = store.observations(source, vintage, indicators=["share_gdp"])["year"]
        known = f"{span.min()}-{span.max()}" if len(span) else "none"
        raise InputError(f"no {source} figures for {year}: years with figures: {known}")
    names = store.names
    codes = _rows_for(source, year, obs, names)
    wide = obs.pivot_table(index="iso3", columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(index=codes, columns=STATUS_INDICATORS)
    info = obs.groupby("iso3").agg(
        vintage=("vintage", "max"),
        status=("status", lambda s: "estimate" if (s == "estimate").any() else "actual"),
    )
    table = pd.DataFrame({"iso3": codes})
    table["name"] = [names.get(c) or geo.name(c) for c in codes]
    table["kind"] = ["aggregate" if "_" in c or c == "WLD" else "country" for c in codes]
    table["year"] = year
    table = table.join(wide, on="iso3")
    rules = guidelines().set_index("id")
    for gid in STATUS_GUIDELINES:
        rule = rules.loc[gid]
        values = table[rule["indicator"]]
        table[meets_column(gid)] = (
            (values >= rule["threshold"]).astype("boolean").mask(values.isna())
        )
    table = table.join(info, on="iso3")
    table["status"] = table["status"].fillna("missing")
    table["source"] = source
    published = [i for i in STATUS_INDICATORS if i in set(obs["indicator"])]
    table["note"] = [
        _missing_note(store, source, vintage, row, published) for row in table.itertuples()
    ]
    table.attrs["units"] = dict(obs.groupby("indicator")["unit"].first())
    table.attrs["sources"] = sorted(obs["source_id"].unique())
    return table


def _missing_note(
    store: Store, source: str, vintage: str | None, row, published: list[str]
) -> str | None:
    """Why a row lacks some of the ``published`` figures (None when nothing is missing)."""
    absent = [i for i in published if pd.isna(getattr(row, i))]
    if not absent:
        return None
    edition = vintage or (row.vintage if isinstance(row.vintage, str) else None)
    for indicator in absent:
        found = store.notes("missing", source, edition, row.iso3, indicator, row.year)
        if found:
            return found[0]
    return "not published in this edition: " + ", ".join(absent)
