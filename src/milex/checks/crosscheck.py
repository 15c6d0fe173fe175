"""One country's figures across sources and editions, and why NATO and SIPRI differ.

NATO and SIPRI measure different things (see ``data/definitions.toml``); where both give a
figure in the same unit for the same year, :func:`differences` reports the gap and the reasons
that apply to that country.
"""

from __future__ import annotations

import pandas as pd

from milex import geo
from milex.catalog import read_toml
from milex.result import Result
from milex.store import Store
from milex.vocab import year_span


def comparable() -> list[str]:
    """Indicators whose NATO and SIPRI figures share a unit (``conventions.toml``)."""
    return list(read_toml("conventions.toml")["crosscheck"]["indicators"])


def pair() -> tuple[str, str]:
    """The two sources set side by side, ``("nato", "sipri")`` (``conventions.toml``)."""
    first, second = read_toml("conventions.toml")["crosscheck"]["pair"]
    return first, second


def side_by_side(obs: pd.DataFrame) -> pd.DataFrame:
    """Wide view of tidy observations of one indicator: a row per year, a column per
    ``source vintage`` (e.g. ``nato 2026-07``), values in the observations' unit."""
    labelled = obs.assign(edition=obs["source"] + " " + obs["vintage"])
    wide = labelled.pivot_table(index="year", columns="edition", values="value", aggfunc="first")
    wide.columns.name = None
    return wide.sort_index()


def reasons(iso3: str) -> pd.DataFrame:
    """Definitional reasons (id, label, text) why NATO and SIPRI figures differ for a country."""
    rows = [
        {"id": key, "label": item["label"], "text": item["text"]}
        for key, item in read_toml("definitions.toml").items()
        if "*" in item["applies_to"] or iso3 in item["applies_to"]
    ]
    return pd.DataFrame(rows, columns=["id", "label", "text"])


def differences(obs: pd.DataFrame) -> pd.DataFrame:
    """NATO minus SIPRI per year and comparable indicator, from tidy observations of one country.

    Uses each source's newest edition in ``obs``. Columns: ``indicator, year, unit, nato,
    sipri, difference`` (NATO minus SIPRI, in the unit) and ``relative_pct`` (difference as
    percent of the SIPRI figure). Empty when the two sources share no year.
    """
    obs = obs[obs["indicator"].isin(comparable()) & obs["source"].isin(pair())]
    newest = obs.groupby("source")["vintage"].transform("max")
    obs = obs[obs["vintage"] == newest]
    wide = obs.pivot_table(
        index=["indicator", "year", "unit"], columns="source", values="value", aggfunc="first"
    )
    if not {"nato", "sipri"} <= set(wide.columns):
        return pd.DataFrame(
            columns=["indicator", "year", "unit", "nato", "sipri", "difference", "relative_pct"]
        )
    wide = wide.dropna(subset=["nato", "sipri"]).reset_index()
    wide["difference"] = wide["nato"] - wide["sipri"]
    wide["relative_pct"] = 100 * wide["difference"] / wide["sipri"]
    wide.columns.name = None
    return wide[["indicator", "year", "unit", "nato", "sipri", "difference", "relative_pct"]]


def _applies(note: dict, iso3: str, rows: pd.DataFrame) -> bool:
    """Whether a note concerns the country and at least one of the figures shown."""
    if note["iso3"] not in (None, iso3):
        return False
    if note["indicator"] is not None:
        rows = rows[rows["indicator"] == note["indicator"]]
    if note["years"] is not None:
        rows = rows[rows["year"].between(*year_span(note["years"]))]
    return not rows.empty


def report(
    store: Store,
    iso3: str,
    obs: pd.DataFrame,
    everything: pd.DataFrame,
    query: dict,
) -> Result:
    """Everything ``milex show`` says about one country, from the figures shown (``obs``,
    tidy, every edition) and all the country's figures in the years asked (``everything``).

    The result's frame is ``obs``; its caveats the notes that apply to the editions shown, each
    prefixed with its edition. ``extra``: ``differences`` (NATO minus SIPRI, see
    :func:`differences`), ``reasons`` (why they differ), ``missing`` (notes on figures that
    are missing), ``no_comparison`` (why NATO and SIPRI cannot be set side by side, or None),
    ``available`` (when nothing was found: the indicators the country does have),
    ``absent_years`` (indicator -> the years asked for that no edition shown has).
    """
    source = query.get("source")
    diffs = differences(everything)
    why = reasons(iso3) if not diffs.empty else pd.DataFrame(columns=["id", "label", "text"])
    caveats, missing = [], []
    editions = obs[["source", "vintage"]].drop_duplicates().itertuples(index=False)
    for src, vintage in editions:
        shown = obs[(obs["source"] == src) & (obs["vintage"] == vintage)]
        for note in store.note_rows:
            if note["source"] != src or note["vintage"] not in (None, vintage):
                continue
            if note["kind"] == "caveat" and _applies(note, iso3, shown):
                caveats.append(f"[{src} {vintage}] {note['note']}")
            elif note["kind"] == "missing" and note["iso3"] == iso3:
                missing.append(f"[{src} {vintage}] {note['note']}")
    available: list[str] = []
    if obs.empty:
        available = sorted(set(everything["indicator"]))
        src = source or "nato"
        specific = store.notes("missing", src, iso3=iso3, exact=("iso3",))
        general = store.notes(
            "missing",
            src,
            iso3=None,
            vintage={None, store.newest_vintage(src)},  # about the source, or its newest
            indicator=None,
            exact=("iso3", "vintage", "indicator"),
        )
        missing = specific or general[:1]
    no_comparison = None
    first, second = pair()
    if diffs.empty and iso3 in geo.members("nato") and source in (None, first, second):
        if second in set(everything["source"]):
            no_comparison = "NATO and SIPRI share no year in the years asked."
        else:
            why_not = store.notes("missing", second, iso3=iso3)
            no_comparison = why_not[0] if why_not else "no SIPRI figures in the store."
    absent = {}
    if query.get("years") and len(obs):
        first, last = query["years"]
        for indicator, part in obs.groupby("indicator", sort=False):
            years = sorted(set(range(first, last + 1)) - set(part["year"]))
            if years:
                absent[indicator] = years
    return Result(
        kind="show",
        frame=obs,
        units=dict(obs.groupby("indicator")["unit"].first()) if len(obs) else {},
        sources=store.origins(obs["source_id"]),
        query=query,
        caveats=list(dict.fromkeys(caveats)),
        extra={
            "differences": diffs,
            "reasons": why,
            "missing": list(dict.fromkeys(missing)),
            "no_comparison": no_comparison,
            "available": available,
            "absent_years": absent,
        },
    )
