"""One country's figures across sources and editions, and why NATO and SIPRI differ.

NATO and SIPRI measure different things (see ``data/definitions.toml``); where both give a
figure in the same unit for the same year, :func:`differences` reports the gap and the reasons
that apply to that country.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from milex import geo
from milex.datafiles import read_toml
from milex.store import Store, year_span

#: Indicators whose NATO and SIPRI figures share a unit and can be set side by side.
COMPARABLE = ["share_gdp", "spend_usd_current"]


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
    obs = obs[obs["indicator"].isin(COMPARABLE) & obs["source"].isin(["nato", "sipri"])]
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


@dataclass
class Report:
    """Everything ``milex show`` says about one country: the figures of every edition
    (tidy ``obs``), NATO minus SIPRI (``differences``) and its ``reasons``, the notes that
    apply to the editions shown (``caveats``, ``missing``, each prefixed with its edition), why
    there is no NATO-SIPRI comparison (``no_comparison``) and, when nothing was found, which
    indicators the country does have (``available``)."""

    iso3: str
    obs: pd.DataFrame
    differences: pd.DataFrame
    reasons: pd.DataFrame
    caveats: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    no_comparison: str | None = None
    available: list[str] = field(default_factory=list)


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
    source: str | None,
) -> Report:
    """Assemble the :class:`Report` of ``iso3`` from the figures shown (``obs``) and all the
    country's figures in the years asked (``everything``, any indicator and edition)."""
    diffs = differences(everything)
    why = reasons(iso3) if not diffs.empty else pd.DataFrame(columns=["id", "label", "text"])
    result = Report(iso3, obs, diffs, why)
    editions = obs[["source", "vintage"]].drop_duplicates().itertuples(index=False)
    for src, vintage in editions:
        shown = obs[(obs["source"] == src) & (obs["vintage"] == vintage)]
        for note in store.note_rows:
            if note["source"] != src or note["vintage"] not in (None, vintage):
                continue
            if note["kind"] == "caveat" and _applies(note, iso3, shown):
                result.caveats.append(f"[{src} {vintage}] {note['note']}")
            elif note["kind"] == "missing" and note["iso3"] == iso3:
                result.missing.append(f"[{src} {vintage}] {note['note']}")
    result.caveats = list(dict.fromkeys(result.caveats))
    result.missing = list(dict.fromkeys(result.missing))
    if obs.empty:
        result.available = sorted(set(everything["indicator"]))
        src = source or "nato"
        specific = store.notes("missing", src, iso3=iso3, only_country=True)
        general = store.exact_notes("missing", src, iso3=None, vintage=None, indicator=None)
        result.missing = specific or general[:1]
    if diffs.empty and iso3 in geo.members("nato") and source in (None, "nato", "sipri"):
        if "sipri" in set(everything["source"]):
            result.no_comparison = "NATO and SIPRI share no year in the years asked."
        else:
            why = store.notes("missing", "sipri", iso3=iso3)
            result.no_comparison = why[0] if why else "no SIPRI figures in the store."
    return result
