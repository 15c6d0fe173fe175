"""The monthly stock-flow model of artillery munitions.

Each month and actor: production = capacity (rounds per year) / 12; flows per day count the
month's days, per year a twelfth. The stock follows

    stock = stock before + production + imports - consumption - transfers

and never goes below zero: what cannot be met is the month's ``shortfall`` (reported in its
column and in the notes, never hidden), so that, summed over the months,

    stock = start + production + imports - consumption - transfers + shortfall.

Capacity comes from the embedded estimates (:mod:`.estimates`: low/central/high, held flat
between and after the published years) or from the scenario, then planned ramps (linear or
logistic, reaching their target at their end month, held there). Uncertainty bands: each of
``draws`` runs takes one uniform position between an actor's low and high estimates (numpy,
seeded by the scenario), kept for all its months (estimates disagree on the level); the bands
are the 5th and 95th percentiles of the runs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from milex.arsenal.estimates import (
    ACTORS,
    CAVEATS,
    SUMS,
    UNIT,
    YEAR_END_TARGET,
    capacity,
    citations,
    production_estimates,
    row_id,
)
from milex.arsenal.scenario import ActorPlan, Flow, Ramp, Scenario, load, parameters
from milex.errors import InputError, shown
from milex.result import CITATION_COLUMNS, Result
from milex.store import Store

#: Steepness of the logistic ramp (its slope at mid-ramp, in units of the ramp's length).
LOGISTIC_STEEPNESS = 10.0
#: Percentiles of the runs that bound the bands.
BAND = (5, 95)
FLOWS = ("imports", "consumption", "transfers")
_FLOW_COLUMN = {"import": "imports", "consumption": "consumption", "transfer": "transfers"}


def months(start: str, until: str) -> pd.PeriodIndex:
    """The months from ``start`` to ``until`` ("YYYY-MM"), both included."""
    return pd.period_range(start, until, freq="M")


def ramp_share(x: np.ndarray, shape: str) -> np.ndarray:
    """How far along a ramp is at ``x`` (0 at its start, 1 at its end; clipped outside):
    linear, or a logistic curve rescaled to pass exactly through 0 and 1."""
    x = np.clip(x, 0.0, 1.0)
    if shape == "linear":
        return x
    k = LOGISTIC_STEEPNESS
    s0, s1 = 1 / (1 + math.exp(k / 2)), 1 / (1 + math.exp(-k / 2))
    return (1 / (1 + np.exp(-k * (x - 0.5))) - s0) / (s1 - s0)


def apply_ramps(span: pd.PeriodIndex, base: np.ndarray, ramps: list[Ramp]) -> np.ndarray:
    """Capacity (rounds per year, shape ``(runs, months)``) after planned ramps: from the
    capacity at a ramp's start month to its target at its end month, held at the target after
    it (until a later ramp)."""
    out = np.array(base, dtype=float, copy=True)
    index = np.arange(len(span), dtype=float)
    first = span[0]
    for ramp in ramps:
        s = (pd.Period(ramp.start, "M") - first).n
        e = (pd.Period(ramp.end, "M") - first).n
        if e < 0:  # over before the scenario starts: its target holds from the start
            out[:, :] = ramp.target
            continue
        at = out[:, min(max(s, 0), len(span) - 1)][:, None] if s >= 0 else out[:, :1]
        at = np.nan_to_num(at)  # a ramp starting where the capacity is missing starts at 0
        share = ramp_share((index - s) / (e - s), ramp.shape)[None, :]
        ramped = at + (ramp.target - at) * share
        out = np.where(index[None, :] >= max(s, 0), ramped, out)
    return out


def flow_amounts(span: pd.PeriodIndex, flow: Flow) -> np.ndarray:
    """Rounds a flow moves in each month (per day times the month's days, per month, or per
    year divided by 12), zero outside its months."""
    inside = (span >= pd.Period(flow.start, "M")) & (span <= pd.Period(flow.end, "M"))
    if flow.per_day is not None:
        amount = flow.per_day * span.days_in_month.to_numpy(dtype=float)
    elif flow.per_month is not None:
        amount = np.full(len(span), float(flow.per_month))
    else:
        amount = np.full(len(span), flow.per_year / 12)
    return np.where(inside, amount, 0.0)


def run_stock(
    start_stock: float,
    production: np.ndarray,
    imports: np.ndarray,
    consumption: np.ndarray,
    transfers: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Stock at each month's end and the month's shortfall, for ``production`` of shape
    ``(runs, months)`` and flows of shape ``(months,)``: the stock never goes below zero, the
    demand it cannot meet is the shortfall."""
    runs, steps = production.shape
    stock = np.empty((runs, steps))
    shortfall = np.empty((runs, steps))
    level = np.full(runs, float(start_stock))
    for t in range(steps):
        level = level + production[:, t] + imports[t] - consumption[t] - transfers[t]
        shortfall[:, t] = np.maximum(-level, 0.0)
        level = np.maximum(level, 0.0)
        stock[:, t] = level
    return stock, shortfall


def lasts_days(stock: float, per_day: float) -> float:
    """Days a stock lasts at a consumption of ``per_day`` rounds a day (inf at zero use)."""
    return math.inf if per_day <= 0 else stock / per_day


def overtake(span: pd.PeriodIndex, rate_a: np.ndarray, rate_b: np.ndarray) -> dict:
    """When ``a``'s yearly output rate first exceeds ``b``'s: ``{"month", "status"}``, status
    ``overtakes``, ``ahead at start`` (month None) or ``not within the scenario``."""
    above = np.asarray(rate_a) > np.asarray(rate_b)
    if above[0]:
        return {"month": None, "status": "ahead at start"}
    if not above.any():
        return {"month": None, "status": "not within the scenario"}
    return {"month": str(span[int(np.argmax(above))]), "status": "overtakes"}


def _base(store: Store, code: str, plan: ActorPlan, span: pd.PeriodIndex, notes: list) -> tuple:
    """Low, central and high capacity per month before ramps, and the estimates used."""
    if plan.capacity != "estimates":
        value = np.full(len(span), float(plan.capacity))
        return value, value, value, pd.DataFrame()
    years = sorted(set(span.year))
    caps = {year: capacity(store, code, year, targets=False) for year in years}
    known = [y for y in years if not math.isnan(caps[y]["central"])]
    if not known:
        notes.append(
            f"{code}: no production estimate is embedded: its production is 0 unless the "
            "scenario gives a capacity or a ramp."
        )
        zero = np.zeros(len(span))
        return zero, zero, zero, pd.DataFrame()
    if years[0] < known[0]:
        notes.append(
            f"{code}: no production estimate before {known[0]}: its capacity and production "
            f"are missing (NaN) in {years[0]}-{known[0] - 1}, not back-filled; the stock counts "
            "no production in those months."
        )
    ends = [np.array([caps[y][key] for y in span.year]) for key in ("low", "central", "high")]
    used = pd.concat([production_estimates(store, code, y) for y in set(known)])
    used = used[used["role"] != YEAR_END_TARGET]
    return (*ends, used)


def _outside_span(code: str, plan: ActorPlan, span: pd.PeriodIndex, notes: list) -> None:
    """A note for each ramp or flow lying (partly) outside the scenario's months."""
    first, last = str(span[0]), str(span[-1])
    for what, items in (("ramps", plan.ramps), ("flows", plan.flows)):
        for i, item in enumerate(items):
            if item.start < first or item.end > last:
                part = "entirely" if item.end < first or item.start > last else "partly"
                notes.append(
                    f"{code}: {what}[{i}] ({item.start} to {item.end}) lies {part} outside the "
                    f"scenario's months ({first} to {last}); only its months inside count"
                    + (" (a ramp's target reached before the start holds from it)." if
                       what == "ramps" else ".")
                )  # fmt: skip


def _lasts(code, start_stock, span, production, flows, notes) -> dict:
    """How long the start stock lasts at the first month's drain (consumption and transfers
    net of production and imports): ``days``, ``months`` and ``status``."""
    drain = flows["consumption"][0] + flows["transfers"][0] - production[0] - flows["imports"][0]
    if drain <= 0:
        notes.append(f"{code}: at its first month's flows its stock does not run out.")
        return {"days": math.inf, "months": math.inf, "status": "does not run out"}
    days = lasts_days(start_stock, drain / span[0].days_in_month)
    months_ = start_stock / drain
    notes.append(
        f"{code}: its start stock lasts {days:,.0f} days ({months_:,.1f} months) at its first "
        f"month's consumption and transfers net of production and imports "
        f"({drain:,.0f} rounds)."
    )
    return {"days": float(days), "months": float(months_), "status": "runs out"}


def _param_citations(scenario: Scenario, file: str) -> pd.DataFrame:
    """One citation per parameter of the scenario (:func:`parameters`): its source text as the
    scenario gives it."""
    out = [
        {"id": f"scenario:{scenario.name}:{p['key']}", "source": "scenario",
         "vintage": scenario.name, "title": f"{p['key']} = {p['value']:g} ({p['label']})",
         "published": None, "url": None, "licence": None,
         "cite": p["source"] or f"assumption of scenario {scenario.name} ({file})"}
        for p in parameters(scenario)
    ]  # fmt: skip
    return pd.DataFrame(out, columns=CITATION_COLUMNS)


def _band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.percentile(values, BAND[0], axis=0), np.percentile(values, BAND[1], axis=0)


def simulate(store: Store, scenario: Scenario, file: str = "", until: str | None = None) -> Result:
    """Run a scenario month by month (see the module's documentation).

    The frame has one row per actor and month: ``actor, month, capacity`` (rounds per year,
    central; ``capacity_low``/``capacity_high`` the band), ``production, imports,
    consumption, transfers, shortfall`` (rounds in the month), ``stock`` (end of month;
    ``stock_low``/``stock_high``), ``cumulative_production`` (from the start;
    ``_low``/``_high``). NATO rows (USA + NATO_EUROPE) are added when both are in the scenario.
    ``extra``: ``annual`` (the months summed per actor and year, stock at the year's end),
    ``overtakes`` (per pair of ``scenario.pairs``), ``ratios`` (per pair and month: central
    and band of a's capacity over b's), ``runs_out`` (per actor: the first month of a
    shortfall, or None), ``lasts`` (per actor: ``days`` and ``months`` its start stock lasts
    at its first month's consumption and transfers net of production and imports, ``status``
    ``runs out`` or ``does not run out``), ``estimates`` (the estimates used, cited by
    ``source_id``). Flows between two actors of the scenario are booked on both sides.
    """
    span = months(scenario.start, until or scenario.until)
    rng = np.random.default_rng(scenario.seed)
    notes: list[str] = []
    frames, draws, used = [], {}, []
    staged = {}
    for code, plan in scenario.actors.items():
        low, central, high, estimates = _base(store, code, plan, span, notes)
        used.append(estimates)
        position = rng.uniform(size=(scenario.draws, 1))
        sampled = apply_ramps(span, low + position * (high - low), plan.ramps)
        cap = apply_ramps(span, central[None, :], plan.ramps)[0]
        staged[code] = (sampled, cap, {name: np.zeros(len(span)) for name in FLOWS})
        _outside_span(code, plan, span, notes)
    for code, plan in scenario.actors.items():
        for flow in plan.flows:
            amount = flow_amounts(span, flow)
            staged[code][2][_FLOW_COLUMN[flow.kind]] += amount
            other = flow.counterpart
            if other in scenario.actors:  # the other side of the same movement, same month
                staged[other][2]["transfers" if flow.kind == "import" else "imports"] += amount
                notes.append(
                    f"{code}: {flow.kind} {'from' if flow.kind == 'import' else 'to'} {other} "
                    f"({amount.sum():,.0f} rounds) is booked on both sides: "
                    f"{'a transfer out of' if flow.kind == 'import' else 'an import of'} {other}."
                )
            elif other:
                notes.append(
                    f"{code}: {flow.kind} {'from' if flow.kind == 'import' else 'to'} {other} "
                    f"({amount.sum():,.0f} rounds): {other} is an outside supplier, not modelled "
                    "(its stock is not tracked)."
                )
    lasts = {}
    for code, plan in scenario.actors.items():
        sampled, cap, flows = staged[code]
        production = np.nan_to_num(cap) / 12
        stock, short = run_stock(plan.start_stock, production[None, :], *flows.values())
        runs_stock, _ = run_stock(plan.start_stock, np.nan_to_num(sampled) / 12, *flows.values())
        draws[code] = (sampled, runs_stock)
        frames.append(_frame(code, span, cap, sampled, flows, stock[0], short[0], runs_stock))
        lasts[code] = _lasts(code, plan.start_stock, span, production, flows, notes)
        source = plan.start_stock_source or "an assumption of the scenario, not an estimate"
        notes.append(f"{code}: start stock {plan.start_stock:,.0f} rounds ({source}).")
        if short[0].any():
            first = str(span[int(np.argmax(short[0] > 0))])
            notes.append(
                f"{code}: the stock runs out in {first}; demand not met over the scenario: "
                f"{short[0].sum():,.0f} rounds (column shortfall: consumption or transfers to "
                "be drawn from a stock the scenario does not hold, or not made)."
            )
    if all(m in scenario.actors for m in SUMS["NATO"]):
        frames.append(_nato(span, frames, draws))
        notes.append("NATO rows are the sum of USA and NATO_EUROPE.")
    frame = pd.concat(frames, ignore_index=True)
    extra = {**_extras(scenario, span, frame, notes), "lasts": lasts}
    used_frame = pd.concat([u for u in used if len(u)] or [pd.DataFrame()], ignore_index=True)
    table = store.munitions_table()
    cited = table[table.apply(row_id, axis=1).isin(set(used_frame.get("source_id", [])))]
    sources = pd.concat(
        [citations(cited), _param_citations(scenario, file or scenario.name)], ignore_index=True
    )
    rounds = "rounds in the month"
    return Result(
        kind="munitions",
        frame=frame,
        units={
            **{c: UNIT for c in ("capacity", "capacity_low", "capacity_high")},
            **{c: rounds for c in ("production", *FLOWS, "shortfall")},
            **{c: "rounds (end of month)" for c in ("stock", "stock_low", "stock_high")},
            **{
                c: "rounds since the start"
                for c in (
                    "cumulative_production",
                    "cumulative_production_low",
                    "cumulative_production_high",
                )
            },
        },
        sources=sources,
        query={
            "scenario": scenario.name,
            "file": file,
            "start": str(span[0]),
            "until": str(span[-1]),
            "draws": scenario.draws,
            "seed": scenario.seed,
        },
        notes=notes,
        caveats=[
            "Bands (_low, _high) are the 5th and 95th percentiles of runs drawn uniformly "
            "between the lowest and highest published estimate: they show how far the "
            "estimates disagree, not a forecast's error.",
            "Start stocks, consumption, imports and transfers are scenario parameters, each "
            "with the source the scenario gives.",
            *CAVEATS,
        ],
        extra={**extra, "estimates": used_frame, "parameters": parameters(scenario)},
    )


def _frame(code, span, cap, sampled, flows, stock, short, runs_stock) -> pd.DataFrame:
    production = cap / 12
    cap_low, cap_high = _band(sampled)
    cum_low, cum_high = _band(np.nancumsum(sampled / 12, axis=1))
    stock_low, stock_high = _band(runs_stock)
    return pd.DataFrame(
        {
            "actor": code,
            "month": span.astype(str),
            "capacity": cap,
            "capacity_low": cap_low,
            "capacity_high": cap_high,
            "production": production,
            **flows,
            "shortfall": short,
            "stock": stock,
            "stock_low": stock_low,
            "stock_high": stock_high,
            "cumulative_production": np.nancumsum(production),
            "cumulative_production_low": cum_low,
            "cumulative_production_high": cum_high,
        }
    )


def _nato(span, frames, draws) -> pd.DataFrame:
    members = SUMS["NATO"]
    parts = [f for f in frames if f["actor"].iloc[0] in members]
    total = parts[0].drop(columns=["actor", "month"]).add(parts[1].drop(columns=["actor", "month"]))
    sampled = sum(draws[m][0] for m in members)
    stock = sum(draws[m][1] for m in members)
    total["capacity_low"], total["capacity_high"] = _band(sampled)
    total["stock_low"], total["stock_high"] = _band(stock)
    cum = np.cumsum(sampled / 12, axis=1)
    total["cumulative_production_low"], total["cumulative_production_high"] = _band(cum)
    total.insert(0, "month", span.astype(str))
    total.insert(0, "actor", "NATO")
    return total


def _extras(scenario: Scenario, span, frame: pd.DataFrame, notes: list) -> dict:
    frame = frame.assign(year=frame["month"].str[:4].astype(int))
    sums = ["production", *FLOWS, "shortfall"]
    annual = frame.groupby(["actor", "year"], sort=False)[sums].sum().reset_index()
    annual["stock"] = frame.groupby(["actor", "year"], sort=False)["stock"].last().to_numpy()
    overtakes, ratios = [], []
    for a, b in scenario.pairs:
        have = set(frame["actor"])
        if a not in have or b not in have:
            notes.append(f"pair {a}/{b}: {', '.join(sorted({a, b} - have))} not in the scenario.")
            continue
        fa, fb = (frame[frame["actor"] == x].reset_index(drop=True) for x in (a, b))
        found = overtake(span, fa["capacity"].to_numpy(), fb["capacity"].to_numpy())
        overtakes.append({"a": a, "b": b, **found})
        when = {"ahead at start": "it is ahead from the start", "overtakes": found["month"]}
        text = when.get(found["status"], "not within the scenario")
        notes.append(f"When {a}'s yearly output overtakes {b}'s (central estimates): {text}.")
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios.append(
                pd.DataFrame(
                    {
                        "a": a,
                        "b": b,
                        "month": fa["month"],
                        "ratio": fa["capacity"] / fb["capacity"],
                        "ratio_low": fa["capacity_low"] / fb["capacity_high"],
                        "ratio_high": fa["capacity_high"] / fb["capacity_low"],
                    }
                ).replace([np.inf, -np.inf], np.nan)
            )
    runs_out = {}
    for actor, rows in frame.groupby("actor", sort=False):
        short = rows[rows["shortfall"] > 0]
        runs_out[actor] = None if short.empty else short["month"].iloc[0]
    return {
        "annual": annual,
        "overtakes": overtakes,
        "ratios": pd.concat(ratios, ignore_index=True) if ratios else pd.DataFrame(),
        "runs_out": runs_out,
    }


#: The last year the model runs to: the estimates end in 2025, and a longer horizon would only
#: repeat them (and take seconds per decade with the bands).
LAST_YEAR = 2050


def munitions(
    store: Store,
    scenario: str = "default",
    until: int | None = None,
    changes: dict[str, float] | None = None,
) -> Result:
    """Load a scenario (a shipped name or a file's path) with ``changes`` made to its
    parameters (dotted key -> number, see :func:`milex.arsenal.scenario.change`) and run it,
    to the end of year ``until`` when given (else the scenario's own ``until``), at most to
    :data:`LAST_YEAR`. ``extra["parameters"]`` lists the parameters that can be changed, with
    their values as run."""
    loaded = load(scenario, changes)
    first = int(loaded.start[:4])
    if until is not None and (
        isinstance(until, bool) or not isinstance(until, int) or not first <= until <= LAST_YEAR
    ):
        raise InputError(
            f"until must be a year from the scenario's start ({first}) to {LAST_YEAR}, "
            f"not {shown(until)}"
        )
    if until is None and int(loaded.until[:4]) > LAST_YEAR:
        raise InputError(
            f"scenario {shown(scenario)} runs until {loaded.until}: the model runs to "
            f"{LAST_YEAR} at most; give an earlier until"
        )
    end = None if until is None else f"{until:04d}-12"
    file = scenario if isinstance(scenario, str) and "/" not in scenario else str(scenario)
    result = simulate(store, loaded, file=file, until=end)
    result.query["changes"] = dict(changes or {})
    return result


__all__ = ["ACTORS", "munitions", "simulate"]
