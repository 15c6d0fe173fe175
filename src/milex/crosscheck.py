"""One country's figures across sources and editions, and why NATO and SIPRI differ.

NATO and SIPRI measure different things (see ``data/definitions.toml``); where both give a
figure in the same unit for the same year, :func:`differences` reports the gap and the reasons
that apply to that country.
"""

from __future__ import annotations

import pandas as pd

from milex.datafiles import read_toml

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
