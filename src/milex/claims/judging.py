"""Judging a reading against the figures held as of the claim's date (docs/claims.md).

:func:`judge` dispatches on the claim's kind. Every outcome carries its verdict, the evidence
(each figure with source and edition, and the check's own verdict on it) and the reason as
message keys with parameters, which :mod:`milex.claims.wording` writes in the text's language.
No figure is made up: a check that cannot be made is ``not checkable`` with its reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from milex import geo
from milex.catalog import read_toml
from milex.claims import verdicts
from milex.claims.claim import (
    CONTRADICTED,
    NATIONAL,
    NEGATED,
    PARTLY,
    SUPPORTED,
    UNCHECKABLE,
    Evidence,
    Reading,
)
from milex.claims.figures import Figure, Figures
from milex.errors import MilexError
from milex.vocab import rescale

#: A message: its key in ``data/messages/<lang>.toml`` and the values it names.
Message = tuple[str, dict]


@dataclass
class Outcome:
    """A verdict with the reasons (message keys) and evidence behind it; ``tolerance`` in the
    unit ``tolerance_unit`` (``points``, ``percent`` of the stated amount, or empty)."""

    verdict: str
    reasons: list[Message] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    tolerance: float | None = None
    tolerance_unit: str = ""
    #: citations of figures that are not observations (the munitions estimates)
    sources: pd.DataFrame | None = None


def _units(actors: tuple[str, ...], year: int | None, aggregate: bool = True) -> list[str]:
    """The codes judged for the named actors: countries as named, a group with an aggregate of
    its own (NATO, NATO Europe and Canada) as that aggregate when ``aggregate``, other groups
    expanded to their members in ``year``."""
    out: list[str] = []
    for actor in actors:
        if actor in geo.group_ids():
            code = geo.group_info(actor).get("aggregate")
            out += [code] if aggregate and code else geo.members(actor, year)
        else:
            out.append(actor)
    return list(dict.fromkeys(out))


def _source(figures: Figures, code: str) -> str | None:
    """NATO's figures for an ally or NATO aggregate, SIPRI's for others; None when neither."""
    return next((s for s in ("nato", "sipri") if figures.holds(s, code)), None)


def current_year(
    figures: Figures, source: str, indicator: str, code: str, today: dt.date, past: bool = False
) -> int | None:
    """The year a claim without one is about: today's year (the year before for a sentence in
    the simple past, "spent") if the usable edition holds it, else the latest year before."""
    held = figures.years(source, indicator, code)
    if not held:
        return None
    meant = today.year - 1 if past else today.year
    before = [y for y in held if y <= meant]
    return max(before) if before else min(held)


def _evidence(
    fig: Figure, verdict: str, note: str = "", value: float | None = None, unit: str | None = None
) -> Evidence:
    """Evidence from a published figure; ``value`` and ``unit`` when it was rescaled or
    converted (amounts are given in currency units: ``unit`` "EUR")."""
    return Evidence(
        fig.iso3,
        fig.year,
        fig.indicator,
        fig.value if value is None else value,
        fig.unit if unit is None else unit,
        fig.status,
        fig.source,
        fig.vintage,
        fig.source_id,
        verdict,
        note,
    )


def _currency(fig: Figure, note: str) -> str:
    """The currency of an amount after :func:`amount_figure` (EUR when converted)."""
    return "EUR" if note.startswith("EUR/USD") else fig.unit[:3]


def _missing(code: str, year: int | None, indicator: str, source: str | None) -> Evidence:
    return Evidence(code, year, indicator, None, "", "missing", source or "", "", None, UNCHECKABLE)


def _why_missing(
    figures: Figures, code: str, year: int | None, indicator: str, source: str | None
) -> Message:
    """Why a figure is missing: a year after the last one published, the edition's own note
    (Iceland has no armed forces), or that milex holds no figures of the actor."""
    if source is None:
        if code in geo.members("nato"):  # an ally NATO publishes no figures for
            note = figures.store.notes(
                "missing", "nato", iso3=code, indicator=indicator, exact=("iso3",)
            )
            if note:
                return ("no_figure_note", {"actor": code, "year": year, "note": note[0]})
        return ("not_held", {"actor": code})
    if figures.usable(source) is None:  # dated before the source's first edition
        first = figures.first_edition(source)
        return ("before_first", {"date": figures.date, "first": first[1] if first else None})
    held = figures.years(source, indicator, code)
    if held and year is not None and year > max(held):
        return ("future", {"actor": code, "year": year, "last": max(held)})
    note = figures.store.notes(
        "missing",
        source,
        vintage=figures.usable(source),
        iso3=code,
        indicator=indicator,
        year=year,
    )
    if note:
        return ("no_figure_note", {"actor": code, "year": year, "note": note[0]})
    return ("no_figure", {"actor": code, "year": year, "source": source})


# ---------------------------------------------------------------- figures against a value


def _per_unit(
    reading: Reading,
    figures: Figures,
    today: dt.date,
    indicator: str,
    check,
    aggregate: bool = True,
) -> Outcome:
    """Judge each unit's figure of ``indicator`` with ``check(figure) -> (verdict, value,
    note)`` and combine (docs/claims.md, groups and lists)."""
    outcome = Outcome(UNCHECKABLE)
    for code in _units(reading.actors, reading.year, aggregate):
        source = _source(figures, code)
        year = reading.year
        if source is not None and year is None:
            year = current_year(figures, source, indicator, code, today, reading.past)
        fig = figures.get(source, indicator, code, year) if source and year else None
        if fig is None:
            outcome.evidence.append(_missing(code, year, indicator, source))
            outcome.reasons.append(_why_missing(figures, code, year, indicator, source))
            continue
        verdict, value, note = check(fig)
        outcome.evidence.append(_evidence(fig, verdict, note, value))
    outcome.verdict = verdicts.combine([e.verdict for e in outcome.evidence])
    misses = [e.actor for e in outcome.evidence if e.verdict in (PARTLY, CONTRADICTED)]
    if outcome.verdict == PARTLY and len(outcome.evidence) > 1 and misses:
        outcome.reasons.append(("group_misses", {"actors": misses}))
    return outcome


def _share(reading: Reading, figures: Figures, today: dt.date) -> Outcome:
    tol = verdicts.tolerance("share", reading.value, reading.precision)
    relation = reading.relation

    def check(fig: Figure) -> tuple[str, float, str]:
        return verdicts.against(fig.value, relation, reading.value, tol), fig.value, ""

    outcome = _per_unit(reading, figures, today, "share_gdp", check)
    outcome.tolerance, outcome.tolerance_unit = tol, "points"
    return outcome


def _euro_rate(figures: Figures, fig: Figure) -> float | None:
    """EUR per USD in the figure's edition and year (the euro reference ally's own figures)."""
    ref = read_toml("conventions.toml")["money"]["euro_reference"]
    nat, usd = (
        figures.in_edition("nato", indicator, ref, fig.vintage, fig.year)
        for indicator in ("spend_national_current", "spend_usd_current")
    )
    return nat.value / usd.value if nat and usd and usd.value else None


def amount_figure(
    figures: Figures,
    code: str,
    currency: str,
    year: int | None,
    today: dt.date,
    past: bool = False,
) -> tuple[Figure | None, float | None, str, int | None]:
    """The spending figure of ``code`` in ``currency`` (million), converted when needed:
    ``(figure, value in units, note, year)``."""
    source = _source(figures, code)
    if source is None:
        return None, None, "", year
    indicator = "spend_usd_current" if currency == "USD" else "spend_national_current"
    if source == "sipri" and currency != NATIONAL:
        indicator = "spend_usd_current"
    elif currency not in ("USD", NATIONAL):
        held = list(figures.series(source, indicator, code).values())
        if not held or not held[0].unit.startswith(currency):
            indicator = "spend_usd_current"
    if year is None:
        year = current_year(figures, source, indicator, code, today, past)
    fig = figures.get(source, indicator, code, year) if year else None
    if fig is None:
        return None, None, indicator, year
    if currency == NATIONAL or fig.unit.startswith(currency):
        return fig, rescale(fig.value, "million", "unit"), "", year
    if currency == "EUR" and fig.unit.startswith("USD"):
        rate = _euro_rate(figures, fig)
        if rate is not None:
            return fig, rescale(fig.value * rate, "million", "unit"), f"EUR/USD {rate:.4f}", year
    return fig, None, f"currency {currency}", year


def _amount(reading: Reading, figures: Figures, today: dt.date) -> Outcome:
    tol = verdicts.tolerance("amount", reading.value, reading.precision)
    outcome = Outcome(UNCHECKABLE, tolerance=tol, tolerance_unit="amount")
    currency = reading.unit or ""
    for code in _units(reading.actors, reading.year):
        fig, value, note, year = amount_figure(
            figures, code, currency, reading.year, today, reading.past
        )
        if fig is None:
            source = _source(figures, code)
            outcome.evidence.append(_missing(code, year, "spend_national_current", source))
            outcome.reasons.append(
                _why_missing(figures, code, year, "spend_national_current", source)
            )
            continue
        if value is None:
            outcome.evidence.append(_evidence(fig, UNCHECKABLE, note))
            outcome.reasons.append(("currency", {"actor": code, "currency": currency}))
            continue
        verdict = verdicts.against(value, reading.relation, reading.value, tol)
        outcome.evidence.append(_evidence(fig, verdict, note, value, _currency(fig, note)))
    outcome.verdict = verdicts.combine([e.verdict for e in outcome.evidence])
    return outcome


def _growth(reading: Reading, figures: Figures, today: dt.date) -> Outcome:
    if reading.nominal:
        return Outcome(UNCHECKABLE, [("nominal", {})])
    numeric = reading.value is not None
    tol = verdicts.tolerance("growth", reading.value, reading.precision) if numeric else None

    def check(fig: Figure) -> tuple[str, float, str]:
        if numeric:
            return verdicts.against(fig.value, reading.relation, reading.value, tol), fig.value, ""
        return verdicts.growth(fig.value, reading.relation), fig.value, ""

    outcome = _per_unit(reading, figures, today, "real_change_pct", check)
    outcome.tolerance, outcome.tolerance_unit = tol, "points" if numeric else ""
    return outcome


# ---------------------------------------------------------------- pledges and plans


def _plans(figures: Figures, code: str, metric: str, currency: str | None) -> pd.DataFrame:
    """The actor's pledges announced by the claim date, for a share (``target_share_gdp``) or
    an annual amount in ``currency`` (``value`` in units), one row each."""
    table = figures.pledges
    rows = table[table["iso3"] == code].copy()
    if metric == "share":
        rows = rows[rows["target_share_gdp"].notna()]
        rows["value"] = rows["target_share_gdp"]
        return rows
    not_annual = read_toml("conventions.toml")["pledges"]["not_annual"]
    unit = rows["amount_unit"].fillna("")
    annual = unit.str.startswith("billion") & ~unit.str.contains(not_annual, regex=True)
    same = (rows["amount_currency"] == currency) | (currency == NATIONAL)
    rows = rows[rows["target_amount"].notna() & annual & same]
    rows["value"] = rescale(rows["target_amount"], "billion", "unit")
    return rows


def _plan_code(actor: str) -> str:
    """The registry's code of an actor: groups with a pledge of their own are keyed in upper
    case (``NATO``)."""
    return actor.upper() if actor in geo.group_ids() else actor


def _plan_evidence(row: pd.Series, verdict: str, unit: str) -> Evidence:
    """Evidence from the pledge registry: a share (``unit`` percent of GDP) or an amount in
    currency units (its own currency)."""
    if unit != "percent of GDP":
        unit = str(row["amount_currency"])
    return Evidence(
        str(row["iso3"]),
        int(row["target_year"]) if pd.notna(row["target_year"]) else None,
        "pledge",
        float(row["value"]),
        unit,
        "pledge",
        str(row["source"]),
        str(row["announced"]),
        None,
        verdict,
    )


def _pledge(reading: Reading, figures: Figures, today: dt.date) -> Outcome:
    metric = "share" if reading.unit == "percent of GDP" else "amount"
    tol = verdicts.tolerance(metric, reading.value, reading.precision)
    outcome = Outcome(
        UNCHECKABLE, tolerance=tol, tolerance_unit="points" if metric == "share" else "amount"
    )
    for actor in reading.actors:
        code = _plan_code(actor)
        plans = _plans(figures, code, metric, reading.unit)
        if plans.empty:
            outcome.reasons.append(("no_pledge", {"actor": code}))
            continue
        # a pledge without a target year ("3.5%", no date) matches any year
        year_ok = (
            (plans["target_year"] == reading.year) | plans["target_year"].isna()
            if reading.year
            else True
        )
        close = [
            verdicts.against(v, reading.relation, reading.value, tol) == SUPPORTED
            for v in plans["value"]
        ]
        match = plans[year_ok & pd.Series(close, index=plans.index)]
        unit = "percent of GDP" if metric == "share" else reading.unit or ""
        if not match.empty:
            outcome.evidence.append(_plan_evidence(match.iloc[0], SUPPORTED, unit))
            outcome.reasons += _path(figures, code, reading, today)
        else:
            outcome.evidence += [_plan_evidence(r, CONTRADICTED, unit) for _, r in plans.iterrows()]
            outcome.reasons.append(("pledge_differs", {"actor": code}))
    outcome.verdict = (
        verdicts.combine([e.verdict for e in outcome.evidence]) if outcome.evidence else UNCHECKABLE
    )
    return outcome


def _path(figures: Figures, code: str, reading: Reading, today: dt.date) -> list[Message]:
    """The path that reaches a pledged share: from the latest figure, points a year needed."""
    if reading.unit != "percent of GDP" or not reading.year or not figures.holds("nato", code):
        return []
    year = current_year(figures, "nato", "share_gdp", code, today)
    fig = figures.get("nato", "share_gdp", code, year) if year else None
    if fig is None or reading.year <= fig.year:
        return []
    step = (reading.value - fig.value) / (reading.year - fig.year)
    if step <= 0:  # already there: no path to give
        return []
    return [
        (
            "path",
            {
                "actor": code,
                "from": fig.value,
                "from_year": fig.year,
                "to": reading.value,
                "year": reading.year,
                "step": step,
            },
        )
    ]


# ---------------------------------------------------------------- changes


def _plan_end(
    figures: Figures,
    reading: Reading,
    code: str,
    value: float,
    precision: float | None,
    year: int | None,
) -> tuple[Evidence | None, Message | None, float | None]:
    """A change's end in the future, judged on the actor's plans announced by the claim date
    (those for ``year`` when it is stated): the plan nearest the stated value."""
    metric = "amount" if reading.unit != "percent of GDP" else "share"
    plans = _plans(figures, _plan_code(code), metric, reading.unit)
    if year is not None:
        plans = plans[plans["target_year"] == year]
    if plans.empty:
        return None, ("no_pledge", {"actor": code}), None
    row = plans.loc[(plans["value"] - value).abs().idxmin()]
    tol = verdicts.tolerance(metric, value, precision)
    verdict = verdicts.against(float(row["value"]), "equals", value, tol)
    return _plan_evidence(row, verdict, reading.unit or ""), None, float(row["value"])


def _end(
    figures: Figures,
    reading: Reading,
    code: str,
    value: float | None,
    precision: float | None,
    year: int | None,
    today: dt.date,
    start: bool,
) -> tuple[Evidence | None, Message | None, float | None]:
    """One end of a change: ``(evidence, reason, figure in units or percent)``. The start
    without a year is the latest actual figure; the end without a year is today's figure, or,
    when that is not near the stated value (more than two tolerances away), a plan."""
    metric = "amount" if reading.unit != "percent of GDP" else "share"
    source = _source(figures, code)
    indicator = "share_gdp" if metric == "share" else "spend_national_current"
    if source is None:
        return None, ("not_held", {"actor": code}), None
    last = max(figures.years(source, indicator, code) or [0])
    if not start and value is not None and year is not None and year > last:
        return _plan_end(figures, reading, code, value, precision, year)
    if year is None and start:
        actual = figures.years(source, indicator, code, actual=True)
        year = max(actual) if actual else None
    if year is None:
        year = current_year(figures, source, indicator, code, today)
    if metric == "amount":
        fig, figure, note, year = amount_figure(figures, code, reading.unit, year, today)
    else:
        fig = figures.get(source, indicator, code, year) if year else None
        figure, note = (fig.value if fig else None), ""
    if fig is None or figure is None:
        return None, _why_missing(figures, code, year, indicator, source), None
    unit = _currency(fig, note) if metric == "amount" else None
    if value is None:
        return _evidence(fig, SUPPORTED, note, figure, unit), None, figure
    tol = verdicts.tolerance(metric, value, precision)
    if not start and reading.year is None and abs(figure - value) > 2 * tol:
        return _plan_end(figures, reading, code, value, precision, None)
    verdict = verdicts.against(figure, "equals", value, tol)
    return _evidence(fig, verdict, note, figure, unit), None, figure


def _change_of(
    reading: Reading, figures: Figures, today: dt.date, code: str
) -> tuple[list[Evidence], list[Message], str]:
    """One actor's change: the evidence of both ends, the reasons, and the combined verdict
    of its checks (the ends, and the ratio for a doubling word)."""
    evidence, reasons, ends = [], [], []
    for start, value, precision, year in (
        (True, reading.value_from, reading.precision_from, reading.year_from),
        (False, reading.value, reading.precision, reading.year),
    ):
        found, reason, figure = _end(figures, reading, code, value, precision, year, today, start)
        if found is not None:  # an end without a stated value is evidence, not a check
            evidence.append(found if value is not None else replace(found, verdict=UNCHECKABLE))
        if reason is not None:
            reasons.append(reason)
        ends.append(figure)
    checks = [e.verdict for e in evidence]
    if reading.relation in ("doubling", "nearly_doubling", "tripling"):
        if None not in ends and ends[0]:
            ratio = ends[1] / ends[0]
            checks.append(verdicts.doubling(ratio, reading.relation))
            reasons.append(("ratio_of_figures", {"actor": code, "ratio": ratio}))
        else:
            reasons.append(("no_ratio", {"actor": code}))
    return evidence, reasons, verdicts.combine(checks)


def _change(reading: Reading, figures: Figures, today: dt.date) -> Outcome:
    """A change from one figure to another, for each actor named (a group per member)."""
    if reading.value_from is None and reading.year_from is None:
        # "has doubled", with no start: from when is not said
        return Outcome(UNCHECKABLE, [("no_start", {})])
    units = _units(reading.actors, reading.year or reading.year_from)
    if not units:
        return Outcome(UNCHECKABLE, [("not_held", {"actor": ", ".join(reading.actors)})])
    outcome = Outcome(UNCHECKABLE)
    per_actor = []
    for code in units:
        evidence, reasons, verdict = _change_of(reading, figures, today, code)
        outcome.evidence += evidence
        outcome.reasons += reasons
        per_actor.append((code, verdict))
    outcome.verdict = verdicts.combine([v for _c, v in per_actor])
    misses = [c for c, v in per_actor if v in (PARTLY, CONTRADICTED)]
    if len(per_actor) > 1 and outcome.verdict == PARTLY and misses:
        outcome.reasons.append(("group_misses", {"actors": misses}))
    return outcome


# ---------------------------------------------------------------- rankings and ratios


def _ranking(reading: Reading, figures: Figures, today: dt.date) -> Outcome:
    scope = reading.scope or "nato"
    indicator = "share_gdp" if reading.metric == "share" else "spend_usd_current"
    code = reading.actors[0]
    year = reading.year or current_year(figures, "nato", indicator, code, today)
    if year is None or not figures.holds("nato", code):
        return Outcome(
            UNCHECKABLE, [_why_missing(figures, code, year, indicator, _source(figures, code))]
        )
    rows = [figures.get("nato", indicator, m, year) for m in geo.members(scope, year)]
    held = sorted(
        (f for f in rows if f is not None),
        key=lambda f: f.value,
        reverse=reading.relation != "smallest",
    )
    mine = next((f for f in held if f.iso3 == code), None)
    if mine is None:
        return Outcome(UNCHECKABLE, [_why_missing(figures, code, year, indicator, "nato")])
    rank = held.index(mine) + 1
    verdict = SUPPORTED if rank == int(reading.value or 1) else CONTRADICTED
    outcome = Outcome(
        verdict,
        [
            (
                "rank",
                {
                    "actor": code,
                    "rank": rank,
                    "count": len(held),
                    "scope": scope,
                    "first": held[0].iso3,
                },
            )
        ],
    )
    outcome.evidence = [_evidence(mine, verdict, f"rank {rank} of {len(held)}")]
    if held[0] is not mine:
        outcome.evidence.append(_evidence(held[0], verdict, "rank 1"))
    return outcome


def _ratio(reading: Reading, figures: Figures, today: dt.date) -> Outcome:
    from milex.arsenal import ratio as arsenal_ratio

    actors = read_toml("claims.toml")["ratio"]["actors"]
    a, b = (actors.get(x, x) for x in reading.actors[:2])
    year = reading.year or today.year
    try:
        result = figures.once(("ratio", a, b, year), arsenal_ratio.ratio, figures.store, a, b, year)
    except MilexError as exc:
        return Outcome(UNCHECKABLE, [("no_ratio_estimates", {"a": a, "b": b, "why": str(exc)})])
    row = result.frame.set_index("side").loc["ratio"]
    low, high = float(row["low"]), float(row["high"])
    verdict = verdicts.ratio(reading.value, low, high)
    evidence = Evidence(
        f"{a}/{b}",
        year,
        "production_ratio",
        float(row["central"]),
        "ratio (central estimate)",
        "estimate",
        "munitions",
        "estimates",
        None,
        verdict,
        f"range {low:.2f}-{high:.2f}",
    )
    return Outcome(
        verdict,
        [("ratio_range", {"low": low, "high": high, "year": year})],
        [evidence],
        sources=result.sources,
    )


JUDGES = {
    "share": _share,
    "reached": _share,
    "amount": _amount,
    "growth": _growth,
    "pledge": _pledge,
    "change": _change,
    "ranking": _ranking,
    "ratio": _ratio,
}


def judge(reading: Reading, figures: Figures, today: dt.date) -> Outcome:
    """The verdict on ``reading`` with the figures usable on the claim date ``today``."""
    if figures.date is not None:
        first = figures.first_edition("nato")
        if first and reading.kind not in ("ratio", "pledge") and figures.date < first[1]:
            return Outcome(
                UNCHECKABLE, [("before_first", {"date": figures.date, "first": first[1]})]
            )
    if reading.negated and reading.relation not in NEGATED.values():
        return Outcome(UNCHECKABLE, [("negated", {"kind": reading.kind})])
    if reading.kind in ("share", "reached", "amount", "pledge") and reading.value is None:
        return Outcome(UNCHECKABLE, [("no_value", {})])
    return JUDGES[reading.kind](reading, figures, today)
