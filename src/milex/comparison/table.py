"""A comparison's table: spending on each basis, share of GDP, real growth and its acceleration,
per capita, side by side for each year, as a :class:`milex.result.Result`.

The frame has one row per year, measure and basis: ``year, measure, basis, side_a, side_b,
a_to_b`` (side A over side B), ``unit``, ``how_a``/``how_b`` (how each figure was obtained) and
``missing_a``/``missing_b`` (what is missing and why). ``measure`` is ``spending`` (one row per
basis), ``share_gdp``, ``share_govt_spending`` (only where a side's edition has figures of it:
SIPRI's full database does, milex's embedded subset and NATO do not), ``real_growth``,
``acceleration``, ``per_capita`` or, in a race, ``spending_national``. A row holds one basis,
applied to both sides by :func:`milex.comparison.bases.on_basis`.
"""

from __future__ import annotations

import math

import pandas as pd

from milex.comparison.bases import ALL, BASES, Amount, on_basis, with_status
from milex.comparison.race import MEASURE_FUNCTIONS, MEASURES
from milex.comparison.sides import (
    STATUS_ORDER,
    Side,
    assemble,
    ppp_ids,
    resolve_side,
    side_vintages,
    weakest,
)
from milex.errors import InputError, shown
from milex.result import Result
from milex.store import Store

COLUMNS = [
    "year",
    "measure",
    "basis",
    "side_a",
    "side_b",
    "a_to_b",
    "unit",
    "status",
    "how_a",
    "how_b",
    "missing_a",
    "missing_b",
]
DEFINITIONS = (
    "NATO's figures (allies) and SIPRI's (other countries) differ in definition (NATO counts "
    "e.g. pensions and some paramilitary forces by its own rules; SIPRI by its own) and "
    "calendar (NATO's year is the calendar year holding most of a fiscal year; SIPRI's the "
    "calendar year): for a like-for-like comparison put both sides on SIPRI (source sipri)."
)


def compare(
    store: Store,
    side_a: str,
    side_b: str,
    span: tuple[int, int] | None,
    basis: str,
    source: str | None,
    *,
    kind: str = "compare",
    vintage: str | None = None,
) -> Result:
    """Two sides compared on ``basis`` (one of :data:`BASES`, or ``all``) over ``span``.

    ``vintage``: an edition of a side's source (e.g. SIPRI's ``2025-04``), used by each side
    on a source that holds it (see :func:`milex.comparison.sides.side_vintages`); the other
    side, and both by default, read their source's newest edition with spending figures.
    ``query["vintage"]`` is the edition asked for, ``query["editions"]`` those read."""
    if resolve_side(side_a) == resolve_side(side_b):
        raise InputError(
            f"side_a and side_b are the same ({shown(side_a)} and {shown(side_b)}): compare two "
            "different countries or groups, e.g. europe-canada and RUS"
        )
    (a, a_vintage), (b, b_vintage) = side_vintages(store, (side_a, side_b), source, vintage)
    sides = (
        assemble(store, side_a, a, None, a_vintage),
        assemble(store, side_b, b, None, b_vintage),
    )
    first, last = _years(sides, span)
    bases = ALL if basis == "all" else (basis,)
    estimates = store.defence_ppp_table()
    rows = []
    for year in range(first, last + 1):
        for name in bases:
            a, b = on_basis(name, sides, year, estimates)
            rows.append(_row(year, "spending", name, a, b, BASES[name].unit))
        if kind == "race":
            rows.append(_national(sides, year))
        for measure, func in MEASURE_FUNCTIONS.items():
            a, b = func(sides[0], year), func(sides[1], year)
            rows.append(_row(year, measure, None, a, b, MEASURES[measure][0]))
    rows, unheld = _held(rows, sides, first, last)
    weak = _weak_notes(rows, sides)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    shown_measures = set(frame["measure"])
    ids = sides[0].ids | sides[1].ids
    if {"ppp", "split"} & set(bases):
        ids |= ppp_ids(store, sides[0]) | ppp_ids(store, sides[1])
    used = estimates[
        estimates["actor"].isin([s.code for s in sides])
        & estimates["year"].between(first, last)
        & (estimates["basis"] == "defence-ppp")
    ]
    return Result(
        kind=kind,
        frame=frame,
        units={"side_a": "see unit", "side_b": "see unit", "a_to_b": "ratio (side A / side B)"},
        sources=store.origins(sorted(ids)),
        query={
            "side_a": sides[0].asked,
            "side_b": sides[1].asked,
            "years": [first, last],
            "basis": basis,
            "source": source,
            "vintage": vintage,
            "editions": [s.edition for s in sides],
        },
        notes=_notes(frame, sides) + weak,
        caveats=_caveats(sides, bases, estimates, first, last) + unheld,
        extra={
            "sides": [_describe(s) for s in sides],
            "bases": {name: BASES[name].explains for name in bases},
            "measures": {n: t for n, (_, t) in MEASURES.items() if n in shown_measures},
            "estimates": used.reset_index(drop=True),
        },
    )


def _years(sides: tuple[Side, Side], span: tuple[int, int] | None) -> tuple[int, int]:
    """The span asked for, refused outside the years both sides' editions have figures for;
    by default the latest such year."""
    spans = []
    for side in sides:
        years = side.figures.dropna(subset=["spend_usd_current"]).index.get_level_values("year")
        spans.append((int(years.min()), int(years.max()), side))
    low, high = max(s[0] for s in spans), min(s[1] for s in spans)
    if span is None:
        return high, high
    first, last = span
    if first < low or last > high:
        told = "; ".join(f"{s.label}: {s.edition} {a}-{b}" for a, b, s in spans)
        asked = f"year {first} is" if first == last else f"years {first}-{last} are"
        raise InputError(
            f"{asked} outside the figures of both sides ({told}): give years from {low} to "
            f"{high}, e.g. {high}"
        )
    return first, last


def _row(year: int, measure: str, basis: str | None, a: Amount, b: Amount, unit: str) -> dict:
    ratio = a.value / b.value if a.present and b.present and b.value else math.nan
    if measure in ("real_growth", "acceleration"):
        ratio = math.nan  # a ratio of growth rates means nothing
    return {
        "year": year,
        "measure": measure,
        "basis": basis,
        "side_a": a.value,
        "side_b": b.value,
        "a_to_b": ratio,
        "unit": unit,
        "status": weakest([a.status, b.status]),
        "weak": (a.weak_text(), b.weak_text()),
        "how_a": a.how,
        "how_b": b.how,
        "missing_a": a.missing_text(),
        "missing_b": b.missing_text(),
    }


#: Measures some editions hold and others not: shown only where a side has figures of them.
OPTIONAL = {"share_govt_spending": "Share of government spending"}


def _held(
    rows: list[dict], sides: tuple[Side, Side], first: int, last: int
) -> tuple[list[dict], list[str]]:
    """``rows`` without the :data:`OPTIONAL` measures neither side has a figure of from
    ``first`` to ``last``, and a caveat for each measure left out (naming the editions read)."""
    absent = [
        measure
        for measure in OPTIONAL
        if all(
            math.isnan(r["side_a"]) and math.isnan(r["side_b"])
            for r in rows
            if r["measure"] == measure
        )
    ]
    told = "; ".join(f"{s.label}: {s.edition}" for s in sides)
    when = f"{first}" + (f"-{last}" if last != first else "")
    caveats = [
        f"{OPTIONAL[m]}: neither side's edition has figures of it for {when} ({told}), so it "
        "is not shown (SIPRI publishes it, and a full SIPRI copy loaded with milex update holds "
        "it; NATO does not publish it)."
        for m in absent
    ]
    return [r for r in rows if r["measure"] not in absent], caveats


def _national(sides: tuple[Side, Side], year: int) -> dict:
    """Spending in national currency (a race's roubles): a group has no single currency."""
    amounts, units = [], []
    for side in sides:
        key = (side.code, year)
        if side.group or key not in side.figures.index:
            why = "a group has no single currency" if side.group else "no figure"
            amounts.append(Amount(math.nan, "", [], {side.code: why}))
            units.append("—")
            continue
        row = side.figures.loc[key]
        value = row["spend_national_current"]
        how = f"{side.edition} spend_national_current"
        weak = with_status(side, side.code, year, ["spend_national_current"])
        amounts.append(Amount(float(value), how, [side.code], weak=weak))
        units.append(f"{row['currency']} million current")
    row = _row(year, "spending_national", None, amounts[0], amounts[1], " / ".join(units))
    row["a_to_b"] = math.nan  # two currencies
    return row


def _describe(side: Side) -> dict:
    return {
        "asked": side.asked,
        "code": side.code,
        "name": side.label,
        "group": side.group,
        "source": side.source,
        "vintage": side.vintage,
        "ppp_source": f"weo {side.ppp_vintage}",
        "absent": side.absent,
    }


def _notes(frame: pd.DataFrame, sides: tuple[Side, Side]) -> list[str]:
    """What is missing, once per side and text, naming the figures and years it concerns."""
    notes = []
    for column, side in (("missing_a", sides[0]), ("missing_b", sides[1])):
        where: dict[str, dict[str, list[int]]] = {}
        for row in frame[frame[column] != ""].itertuples(index=False):
            what = f"{row.measure} ({row.basis})" if isinstance(row.basis, str) else row.measure
            where.setdefault(getattr(row, column), {}).setdefault(what, []).append(row.year)
        for text, whats in where.items():
            years = sorted({y for ys in whats.values() for y in ys})
            when = f"{years[0]}" + (f"-{years[-1]}" if years[-1] != years[0] else "")
            notes.append(f"{side.label}, {', '.join(whats)}, {when}: {text}")
    return notes


def _weak_notes(rows: list[dict], sides: tuple[Side, Side]) -> list[str]:
    """One note per side and set of inputs that are not actual (estimates, projections, or
    figures whose status the source does not give), naming the rows and years they enter."""
    notes = []
    for i, side in enumerate(sides):
        where: dict[str, dict[str, list[int]]] = {}
        for row in rows:
            text = row["weak"][i]
            if text:
                what = f"{row['measure']} ({row['basis']})" if row["basis"] else row["measure"]
                where.setdefault(text, {}).setdefault(what, []).append(row["year"])
        for text, whats in where.items():
            years = sorted({y for ys in whats.values() for y in ys})
            when = f"{years[0]}" + (f"-{years[-1]}" if years[-1] != years[0] else "")
            notes.append(
                f"{side.label}, {', '.join(whats)}, {when}: rests on figures that are not "
                f"actual ({'/'.join(STATUS_ORDER[1:])}): {text}"
            )
    return notes


def _caveats(
    sides: tuple[Side, Side], bases: tuple[str, ...], estimates: pd.DataFrame, first: int, last: int
) -> list[str]:
    told = "; ".join(f"{s.label}: {s.edition}" for s in sides)
    caveats = [f"Spending figures: {told}."]
    if sides[0].source != sides[1].source:
        caveats.append(DEFINITIONS)
    if "defence-ppp" in bases:
        beside = estimates[(estimates["basis"] == "mer") & estimates["year"].between(first, last)]
        for row in beside.itertuples(index=False):
            caveats.append(
                f"{row.source} sets a market-rate figure ({row.value_usd_bn:g} bn, {row.year}) "
                f"beside a defence-PPP one: {row.note}. milex shows each basis for both sides "
                "instead."
            )
    return caveats
