"""Artillery production estimates per actor and year, with low, central and high figures.

The embedded munitions table (``Store.munitions_table``) holds published claims, one a row.
Here the rows that estimate an actor's yearly output are put on one unit (rounds per year):

- the production family is ``annual_production``, ``monthly_production`` (times 12),
  ``planned_production`` (rows of one source and year summed over calibres: RUSI's 1.3 m 152mm
  plus 0.8 m 122mm is one estimate of 2.1 m) and ``annual_production_forecast`` (a forecast of
  that year's output, published earlier);
- rows of one source (its text before the first parenthesis) giving the same yearly figure
  count once (NATO's "250,000 a month" and "3 million a year" via CNN are one estimate);
- the central figure is the median of an actor's estimates for the year, low and high the
  smallest and largest figure including the ends of a published range;
- one rule for a year: the published estimates of that year if there are any; else the
  estimates of the latest earlier year, marked ``carried_from`` (output held flat, never
  extrapolated); a forecast (``annual_production_forecast``) counts only where no estimate
  exists for that year or any earlier one. Years before the first figure have none (missing);
- a row whose note says output is "expected to reach" a figure "by the end of" the year
  (Rutte's 2 m for European NATO in 2025) is a year-end target, not the year's output: it is
  left out of the estimates and only raises the high end of its year (and of the later years
  that carry earlier estimates), with :data:`TARGET_CAVEAT`; scenarios model it as a ramp;
- NATO is formed as the sum USA + NATO_EUROPE (low + low, central + central, high + high);
  the EU's rows are capacity targets and statements of the Commission, kept apart.

Targets (``target_production``), consumption and deliveries are not production estimates:
scenarios use them as parameters, each citing its row.
"""

from __future__ import annotations

import hashlib
import re
import weakref

import numpy as np
import pandas as pd

from milex.errors import InputError, shown
from milex.result import CITATION_COLUMNS
from milex.store import Store

#: Actors a scenario or a ratio may name; NATO is a sum (see :data:`SUMS`).
ACTORS = {
    "RUS": "Russia",
    "USA": "United States",
    "NATO_EUROPE": "European NATO allies",
    "EU": "European Union (capacity statements)",
    "NATO": "NATO (USA + NATO_EUROPE)",
    "UKR": "Ukraine",
    "PRK": "North Korea (supplier to Russia)",
    "IRN": "Iran (supplier to Russia)",
}
#: Actors formed as the sum of others.
SUMS = {"NATO": ("USA", "NATO_EUROPE")}
#: Metrics that estimate an actor's output, and the factor to rounds per year.
PRODUCTION = {
    "annual_production": 1,
    "monthly_production": 12,
    "planned_production": 1,
    "annual_production_forecast": 1,
}
FORECAST = "annual_production_forecast"
#: The metric given to production rows that state a year-end target (see the module's rules).
YEAR_END_TARGET = "year_end_target"
_YEAR_END = re.compile(r"expected to reach .* by the end of", re.IGNORECASE)
TARGET_CAVEAT = (
    "A year-end target (e.g. NATO's Secretary General: European output 'expected to reach 2 "
    "million rounds by the end of this year', Aug 2025) is not the year's output: it counts only "
    "as the high end of that year, the central and low ends carry the latest published output."
)
UNIT = "rounds/year"
#: Columns of :func:`production_estimates`.
ESTIMATE_COLUMNS = [
    "actor", "year", "estimate", "role", "metric", "unit_published", "value_published", "source",
    "note", "carried_from", "source_id",
]  # fmt: skip
CAVEATS = [
    "Russian 'production' figures mix new production and refurbishment of Soviet stocks "
    "(Estonian intelligence: 'produced or refurbished').",
    "Western figures mix projectiles (metal parts) and complete rounds: the US made 40,000 "
    "155mm projectiles a month in Sep 2024 but only 18,000 propellant charges.",
    "Some estimates cover one calibre only (152mm for Russia, 155mm for the US and Europe) and "
    "are kept as published: they pull the low end down.",
    "EU figures are capacity statements and targets, not output.",
    "North Korean deliveries are container counts converted by Seoul at an assumed 152mm load: "
    "upper bounds.",
]
_URL = re.compile(r"https?://[^\s)]+")


def actor_code(name: object) -> str:
    """An actor's code (case-insensitive), refusing unknown ones with the list of known ones."""
    code = name.strip().upper() if isinstance(name, str) else None
    if code not in ACTORS:
        raise InputError(f"unknown munitions actor {shown(name)}: give one of {', '.join(ACTORS)}")
    return code


def source_key(text: str) -> str:
    """The part of a source text that names who said it (before the first parenthesis)."""
    return text.split("(")[0].strip().rstrip(",")


def row_id(row: dict | pd.Series) -> str:
    """The citation id of a munitions row: ``munitions:<actor>:<metric>:<year>:<value>:<h>``
    (``h``: the first 6 hex digits of the SHA-1 of its source text)."""
    digest = hashlib.sha1(row["source"].encode()).hexdigest()[:6]
    return f"munitions:{row['actor']}:{row['metric']}:{row['year']}:{row['value']}:{digest}"


def citations(rows: pd.DataFrame) -> pd.DataFrame:
    """The citation frame (``CITATION_COLUMNS``) of munitions rows: the row's source text is
    the citation, its URL (where the text holds one) the address."""
    out = []
    for row in rows.to_dict("records"):
        found = _URL.search(row["source"])
        out.append(
            {
                "id": row_id(row),
                "source": "munitions",
                "vintage": str(row["year"]),
                "title": f"{row['actor']} {row['metric']} {row['year']}: {row['value']} "
                f"{row['unit']}" + (f" ({row['note']})" if row.get("note") else ""),
                "published": None,
                "url": found.group(0) if found else None,
                "licence": "quoted from the source named",
                "cite": row["source"],
            }
        )
    frame = pd.DataFrame(out, columns=CITATION_COLUMNS)
    return frame.drop_duplicates("id").reset_index(drop=True)


#: production_rows per store (a store's tables never change while it is open).
_PRODUCTION_ROWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def production_rows(store: Store) -> pd.DataFrame:
    """The munitions rows of the production family, each with ``low`` and ``high`` in rounds
    per year (the published figure times 12 for monthly rows). Worked out once per store (a
    scenario asks ~60 times); callers select from it and never change it."""
    if store not in _PRODUCTION_ROWS:
        _PRODUCTION_ROWS[store] = _production_rows(store)
    return _PRODUCTION_ROWS[store]


def _production_rows(store: Store) -> pd.DataFrame:
    table = store.munitions_table()
    rows = table[table["metric"].isin(PRODUCTION)].copy()
    factor = rows["metric"].map(PRODUCTION).astype(float)
    rows["low"] = rows["value_low"] * factor
    rows["high"] = rows["value_high"] * factor
    notes = rows["note"].fillna("").astype(str)
    rows["role"] = np.where(notes.str.contains(_YEAR_END), YEAR_END_TARGET, rows["metric"])
    return rows.reset_index(drop=True)


def last_published_year(store: Store, actor: str) -> int | None:
    """The last year of any production-family row (estimates, forecasts, year-end targets) of
    an actor; for a sum actor the earliest of its members' last years."""
    rows = production_rows(store)
    years = [rows.loc[rows["actor"] == m, "year"] for m in SUMS.get(actor, (actor,))]
    return min(int(y.max()) for y in years) if all(len(y) for y in years) else None


def _estimates_of_year(rows: pd.DataFrame, actor: str, year: int) -> list[dict]:
    """One estimate per source and figure for an actor's year (see the module's rules)."""
    mine = rows[(rows["actor"] == actor) & (rows["year"] == year)]
    found: dict[tuple, dict] = {}
    for row in mine.to_dict("records"):
        key = (source_key(row["source"]), row["metric"], row["low"], row["high"])
        if row["metric"] == "planned_production":  # calibres of one source add up
            key = (source_key(row["source"]), row["metric"])
            if key in found:
                found[key]["low"] += row["low"]
                found[key]["high"] += row["high"]
                found[key]["rows"].append(row)
                continue
        elif any(k[0] == key[0] and k[2:] == key[2:] for k in found):  # same source, figure
            match = next(k for k in found if k[0] == key[0] and k[2:] == key[2:])
            found[match]["rows"].append(row)
            continue
        found[key] = {"low": row["low"], "high": row["high"], "rows": [row]}
    return list(found.values())


def production_estimates(store: Store, actor: str, year: int) -> pd.DataFrame:
    """An actor's production estimates for a year, one row per estimate and published figure
    (``ESTIMATE_COLUMNS``; ``estimate`` numbers the estimates, ``low``/``high`` in rounds per
    year). NATO's rows are those of its members. Empty when nothing is published up to that
    year."""
    rows = production_rows(store)
    targets = rows[rows["role"] == YEAR_END_TARGET]
    rows = rows[rows["role"] != YEAR_END_TARGET]
    members = SUMS.get(actor, (actor,))
    out = []
    for member in members:
        mine = rows[(rows["actor"] == member) & (rows["year"] <= year)]
        estimates = mine[mine["metric"] != FORECAST]
        carried_from = None
        if not len(estimates):  # forecasts only where no estimate exists at all
            estimates = mine
        if len(estimates) and int(estimates["year"].max()) < year:
            carried_from = int(estimates["year"].max())
        used_year = carried_from or year
        own = [
            {**e, "carried": carried_from, "role": "estimate"}
            for e in _estimates_of_year(estimates, member, used_year)
        ]
        if own:
            late = targets[
                (targets["actor"] == member)
                & (targets["year"] <= year)
                & (targets["year"] >= used_year)
            ]
            own += [
                {"low": t["high"], "high": t["high"], "rows": [t], "carried": None,
                 "role": YEAR_END_TARGET}
                for t in late.to_dict("records")
            ]  # fmt: skip
        for number, est in enumerate(own, 1):
            for row in est["rows"]:
                out.append(
                    {
                        "actor": member,
                        "year": year,
                        "estimate": number,
                        "role": est["role"],
                        "low": est["low"],
                        "high": est["high"],
                        "metric": row["metric"],
                        "unit_published": row["unit"],
                        "value_published": row["value"],
                        "source": row["source"],
                        "note": row["note"],
                        "carried_from": est.get("carried"),
                        "source_id": row_id(row),
                    }
                )
    columns = [*ESTIMATE_COLUMNS[:3], "low", "high", *ESTIMATE_COLUMNS[3:]]
    frame = pd.DataFrame(out, columns=columns)
    frame["carried_from"] = frame["carried_from"].astype("Int64")
    return frame


def summary(estimates: pd.DataFrame) -> dict[str, float]:
    """Low, central and high rounds per year of one actor's estimates for one year: the
    median of the estimates (a range counts by its middle), the smallest low end and the
    largest high end. NaN when there are none."""
    each = estimates.drop_duplicates("estimate")
    targets = each[each["role"] == YEAR_END_TARGET] if "role" in each else each.iloc[0:0]
    each = each.drop(targets.index)
    if each.empty:
        return {"low": np.nan, "central": np.nan, "high": np.nan, "estimates": 0}
    return {
        "low": float(each["low"].min()),
        "central": float(np.median((each["low"] + each["high"]) / 2)),
        "high": float(max(each["high"].max(), targets["high"].max() if len(targets) else 0)),
        "estimates": len(each),
    }


def capacity(store: Store, actor: str, year: int, targets: bool = True) -> dict[str, float]:
    """Low, central and high output of an actor in a year, rounds per year; a sum actor
    (NATO) adds its members' figures end by end (NaN when a member has no estimate). With
    ``targets=False`` year-end targets do not raise the high end (scenarios ramp to them)."""
    frame = production_estimates(store, actor, year)
    if not targets:
        frame = frame[frame["role"] != YEAR_END_TARGET]
    parts = [summary(frame[frame["actor"] == m]) for m in SUMS.get(actor, (actor,))]
    return {
        key: float(sum(p[key] for p in parts)) for key in ("low", "central", "high", "estimates")
    }


def estimate_table(store: Store, actors: list[str], years: range) -> pd.DataFrame:
    """Low/central/high rounds per year for each actor and year (``actor, year, low,
    central, high, estimates``), NaN where nothing is published up to that year."""
    out = [
        {"actor": actor, "year": year, **capacity(store, actor, year)}
        for actor in actors
        for year in years
    ]
    return pd.DataFrame(out, columns=["actor", "year", "low", "central", "high", "estimates"])
