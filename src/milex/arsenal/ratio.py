"""The production ratio between two actors in a year ("three months against a year"), as a
range across the published estimates, never one number."""

from __future__ import annotations

import math

import pandas as pd

from milex.arsenal.estimates import (
    ACTORS,
    CAVEATS,
    FORECAST,
    SUMS,
    TARGET_CAVEAT,
    UNIT,
    YEAR_END_TARGET,
    actor_code,
    capacity,
    citations,
    last_published_year,
    production_estimates,
    row_id,
)
from milex.errors import InputError, shown
from milex.result import Result
from milex.store import Store

RATIO_METRIC = "production_ratio_vs_NATO"
#: How many years after the last published figure a ratio may carry it.
CARRY_YEARS = 2


def _months(ratio: float) -> float:
    return 12 / ratio if ratio > 0 else math.inf


def ratio(store: Store, a: str = "RUS", b: str = "NATO", year: int = 2025) -> Result:
    """Actor ``a``'s yearly artillery output against ``b``'s in ``year``.

    The frame has one row per side (``side`` a or b, ``actor``, ``low``, ``central``,
    ``high`` in rounds per year, ``estimates``) and one row ``ratio`` (``low`` = a's low / b's
    high, ``central`` = a's central / b's central, ``high`` = a's high / b's low) and one row
    ``months`` (12 / ratio: the months ``a`` needs to make what ``b`` makes in a year; its low
    end from the high ratio). ``extra``: ``estimates`` (every estimate used, cited by
    ``source_id``), ``published_ratios`` (ratios stated by officials, not used in the
    computation) and ``sentence``.
    """
    a, b = actor_code(a), actor_code(b)
    if a == b:
        raise InputError(f"a ratio needs two different actors, not {a} twice")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InputError(f"year must be a whole year from 2000 to 2100, not {shown(year)}")
    lasts = {x: last_published_year(store, x) for x in (a, b)}
    if all(v is not None for v in lasts.values()):
        latest = min(lasts.values()) + CARRY_YEARS
        if year > latest:
            raise InputError(
                f"no ratio {a}/{b} for {year}: the last published figures are of "
                f"{min(lasts.values())}, carried at most {CARRY_YEARS} years: give a year up "
                f"to {latest}"
            )
    sides = {"a": (a, capacity(store, a, year)), "b": (b, capacity(store, b, year))}
    used = pd.concat(
        [production_estimates(store, a, year), production_estimates(store, b, year)],
        ignore_index=True,
    )
    notes = []
    for _side, (code, cap) in sides.items():
        if not cap["estimates"] or math.isnan(cap["central"]):
            missing = [m for m in SUMS.get(code, (code,)) if used[used["actor"] == m].empty]
            raise InputError(
                f"no production estimate of {', '.join(missing) or code} is embedded for "
                f"{year} or an earlier year, so no ratio {a}/{b} can be given"
            )
    for member, carried in used.dropna(subset=["carried_from"]).groupby("actor")["carried_from"]:
        notes.append(
            f"{member}: no production estimate is published for {year}; its "
            f"{int(carried.iloc[0])} estimates are carried forward (output held flat; rule: "
            "a year's own estimates if any, else the latest earlier year's, forecasts only "
            "where no estimate exists at all)."
        )
    rows_all = store.munitions_table()
    for member in {m for x in (a, b) for m in SUMS.get(x, (x,))}:
        unused = rows_all[
            (rows_all["actor"] == member)
            & (rows_all["year"] == year)
            & (rows_all["metric"] == FORECAST)
        ]
        if len(unused) and not (used["metric"] == FORECAST).any():
            notes.append(
                f"{member}: the forecast for {year} ({', '.join(unused['value'].astype(str))}, "
                f"{unused['source'].iloc[0].split(' (')[0]}) is not used: estimates of an "
                "earlier year exist."
            )
    targeted = used[used["role"] == YEAR_END_TARGET]
    for row in targeted.to_dict("records"):
        notes.append(
            f"{row['actor']}: {row['value_published']} rounds/year is a year-end target "
            f"({row['source'].split(' (')[0]}): it is only the high end; the "
            "low and central ends are the latest published output."
        )
    ca, cb = sides["a"][1], sides["b"][1]
    low, central, high = (
        ca["low"] / cb["high"],
        ca["central"] / cb["central"],
        ca["high"] / cb["low"],
    )
    rows = [
        {"side": side, "actor": code, **{k: cap[k] for k in ("low", "central", "high")},
         "estimates": int(cap["estimates"])}
        for side, (code, cap) in sides.items()
    ]  # fmt: skip
    rows.append({"side": "ratio", "actor": f"{a}/{b}", "low": low, "central": central,
                 "high": high, "estimates": None})  # fmt: skip
    rows.append({"side": "months", "actor": f"{a} months per {b} year", "low": _months(high),
                 "central": _months(central), "high": _months(low), "estimates": None})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["estimates"] = frame["estimates"].astype("Int64")
    na, nb = (ACTORS[x].split(" (")[0] for x in (a, b))
    sentence = (
        f"{na}'s annual artillery output in {year} is between {low:.1f} and {high:.1f} "
        f"times {nb}'s (central {central:.1f}), so {na} produces in about "
        f"{_months(central):.1f} months ({_months(high):.1f} to {_months(low):.1f}) what "
        f"{nb} produces in a year."
    )
    table = store.munitions_table()
    published = table[(table["metric"] == RATIO_METRIC) & (table["year"] == year)]
    if a == "RUS" and b == "NATO" and len(published):
        stated = ", ".join(sorted({f"{v:g}" for v in published["value_low"]}))
        notes.append(
            f"Ratios stated by NATO's Secretary General for {year}: {stated} (not used here; "
            "his statements are inconsistent with each other)."
        )
    if "NATO" in (a, b):
        notes.append("NATO is formed as the sum of USA and NATO_EUROPE, end by end.")
    rows_used = table[table.apply(row_id, axis=1).isin(used["source_id"])]
    shown_ratios = published if a == "RUS" and b == "NATO" else published.iloc[0:0]
    return Result(
        kind="munitions_ratio",
        frame=frame,
        units={
            "low": f"{UNIT} (ratio and months rows: ratio, months)",
            "central": UNIT,
            "high": UNIT,
        },
        sources=citations(pd.concat([rows_used, shown_ratios])),
        query={"a": a, "b": b, "year": year},
        notes=[sentence, *notes],
        caveats=[
            "The range runs from the lowest estimate of one side against the highest of the "
            "other: it spans what the published estimates allow, not a statistical interval.",
            *CAVEATS,
            *([TARGET_CAVEAT] if len(targeted) else []),
        ],
        extra={
            "sentence": sentence,
            "estimates": used,
            "published_ratios": shown_ratios[["year", "value", "unit", "source", "note"]],
        },
    )
