"""The chance that a country's spending plan meets its target when GDP and spending are
uncertain.

The plan is :func:`milex.projection.plans.plan_for` (by default the country's own plan from the
pledge registry); the Monte Carlo engine (:mod:`milex.montecarlo`) draws GDP around the IMF's
outlook and spending around the plan. A plan in money is a fixed nominal budget (its share
falls when GDP outgrows the forecast); a plan as a share moves with GDP, so only the spending
error moves its share. Spending errors (percent of planned spending): the uncertainty's
``spend_bias`` and ``spend_sd`` where it gives them, else calibrated from NATO's editions held
(:func:`milex.projection.calibration.spending_errors`: the ally's own where its history allows,
pooled otherwise). A plan announced both as money and as a share that disagree on the central
forecast is judged as money (the default) and also run as the share, with the same draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from milex.montecarlo import SimulationResult, Uncertainty, load_uncertainty, simulate
from milex.montecarlo.uncertainty import sensitivity_ranges
from milex.projection.calibration import SpendingErrors, spending_errors
from milex.projection.outlook import Inputs, fetch
from milex.projection.plans import SpendingPlan, disagreement, plan_for
from milex.result import Result
from milex.store import Store
from milex.targets import TOTAL_SCOPE_CAVEAT, Target
from milex.vocab import PERCENT, PERCENT_GDP, PROBABILITY, chance, money_unit

#: Most draws of each run of a sensitivity table (about 24 runs); fewer when fewer are asked.
SENSITIVITY_DRAWS = 100_000
#: Rows of the sensitivity table told in words among the drivers.
TOLD = 3
#: Each setting of the uncertainty in words, and the unit its values are told in.
SETTING_WORDS = {
    "growth_sd": ("the sd of real growth forecast errors", " points"),
    "inflation_sd": ("the sd of inflation forecast errors", " points"),
    "rho": ("the persistence of forecast errors from year to year", ""),
    "corr": ("the correlation of growth and inflation errors", ""),
    "horizon_slope": ("the growth of forecast errors with the horizon", " a year"),
    "growth_bias": ("the bias of growth forecasts", " points"),
    "inflation_bias": ("the bias of inflation forecasts", " points"),
    "recession_prob": ("the chance of a recession year", ""),
    "recession_growth": ("the depth of a recession year", " points"),
    "country_corr": ("the co-movement of allies' economies", ""),
    "spend_sd": ("the sd of the spending error", "% of plan"),
    "spend_bias": ("the mean spending error", "% of plan"),
}


@dataclass(frozen=True, eq=False)
class CountryRun:
    """One country's simulation, prepared once (plan, spending error) and run as often as
    asked: :meth:`run` is what a sensitivity table (tornado) calls.

    ``uncertainty`` has numbers for ``spend_bias`` and ``spend_sd`` (percent of planned
    spending): the ones asked for, or the calibration's; ``spending_error`` says which
    (``bias_pct``, ``sd_pct``, ``basis``: ``uncertainty``, ``ally`` or ``pooled``, ``n``: the
    estimate-actual pairs behind it, None when set, and ``note``); ``errors_sources``: store
    source ids of the editions the calibration read.
    """

    plan: SpendingPlan
    target: Target
    uncertainty: Uncertainty
    spending_error: dict
    inputs: Inputs
    errors_sources: frozenset

    def simulate(
        self,
        uncertainty: Uncertainty | None = None,
        draws: int = SENSITIVITY_DRAWS,
        seed: int | None = 1,
        dask_address: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SimulationResult:
        """One run of the plan under ``uncertainty`` (default: the prepared one)."""
        plan = self.plan
        table = plan.table.iloc[1:]
        return simulate(
            plan.amounts[None, :],
            np.array([plan.base.gdp]),
            table["gdp_real_growth"].to_numpy()[None, :],
            table["gdp_inflation"].to_numpy()[None, :],
            np.array([self.target.share]),
            draws=draws,
            seed=seed,
            uncertainty=uncertainty or self.uncertainty,
            share_plan=np.array([plan.basis == "share"]),
            dask_address=dask_address,
            progress=progress,
        )

    def run(
        self, uncertainty: Uncertainty, draws: int = SENSITIVITY_DRAWS, seed: int | None = 1
    ) -> float:
        """The probability (0-1) that the plan meets the target in the target year."""
        return float(self.simulate(uncertainty, draws, seed).prob_meet[0, -1])

    def ranges(self) -> dict[str, tuple[float, float, str]]:
        """The tornado's ranges (:func:`milex.montecarlo.uncertainty.sensitivity_ranges`)
        without ``country_corr``: one country has no other to move with."""
        ranges = sensitivity_ranges(self.uncertainty)
        ranges.pop("country_corr", None)
        return ranges


def prepare_country(
    store: Store,
    iso3: str,
    target: Target,
    *,
    method: str = "plan",
    basis: str | None = None,
    amounts: dict[int, float] | None = None,
    base_year: int | None = None,
    uncertainty: Uncertainty | str | None = None,
    growth_after: float | None = None,
    inflation_after: float | None = None,
    weo_vintage: str | None = None,
    vintage: str | None = None,
) -> CountryRun:
    """``iso3``'s plan (:func:`milex.projection.plans.plan_for`) and its spending error, ready
    to simulate. ``uncertainty``: an :class:`Uncertainty`, a preset name, or None
    (``default``)."""
    uncertainty = load_uncertainty(uncertainty or "default")  # an Uncertainty as it is
    inputs = fetch(store, [iso3], weo_vintage, vintage)
    plan = plan_for(
        store,
        inputs,
        iso3,
        target,
        method,
        basis,
        amounts,
        base_year,
        growth_after,
        inflation_after,
    )
    error, sources = spending_error(store, iso3, uncertainty, inputs.vintage)
    resolved = replace(uncertainty, spend_bias=error["bias_pct"], spend_sd=error["sd_pct"])
    return CountryRun(plan, target, resolved, error, inputs, frozenset(sources))


def spending_error(
    store: Store, iso3: str, uncertainty: Uncertainty, vintage: str
) -> tuple[dict, set]:
    """``iso3``'s spending error (see :class:`CountryRun`) and the source ids behind it: the
    uncertainty's numbers, else calibrated from NATO's editions up to ``vintage``."""
    bias, sd = uncertainty.spend_bias, uncertainty.spend_sd
    if bias is not None and sd is not None:
        return {
            "bias_pct": bias,
            "sd_pct": sd,
            "basis": "uncertainty",
            "n": None,
            "note": "",
            "source": "both as set in the uncertainty",
        }, set()
    errors = spending_errors(store, vintage)
    own_bias, own_sd, basis = errors.for_country(iso3)
    rows = errors.table[errors.table["iso3"] == iso3]
    own_n = int(rows["n"].iloc[0]) if len(rows) else 0
    n = own_n if basis == "ally" else int(errors.pooled_n)
    note = errors.note
    if not (np.isfinite(own_bias) and np.isfinite(own_sd)):  # no pair to calibrate from
        own_bias, own_sd, basis = 0.0, 0.0, "none"
        note += (
            "; spending is drawn as planned where the uncertainty does not set its error "
            "(spend_sd, spend_bias)"
        )
    calibrated = _calibrated_words(errors, iso3, basis, store.names.get(iso3, iso3), vintage)
    told = {
        "sd": "as set" if sd is not None else calibrated["sd"],
        "bias": "as set" if bias is not None else calibrated["bias"],
    }
    source = f"the sd {told['sd']}, the bias {told['bias']}"
    if told["sd"] == told["bias"]:
        source = calibrated["both"]
    error = {
        "bias_pct": own_bias if bias is None else bias,
        "sd_pct": own_sd if sd is None else sd,
        "basis": basis,
        "n": n,
        "note": note,
        "source": source,
    }
    return error, set(errors.source_ids)


def _calibrated_words(
    errors: SpendingErrors, iso3: str, basis: str, name: str, vintage: str
) -> dict[str, str]:
    """Where a calibrated spending error comes from, in words: for the ``sd``, the ``bias``,
    and ``both`` (said once when they come from the same place)."""
    rows = errors.table[errors.table["iso3"] == iso3]
    n = int(rows["n"].iloc[0]) if len(rows) else 0
    if basis == "none":
        nothing = f"no estimate-actual pair in NATO's editions up to {vintage}"
        return {"sd": f"0 ({nothing})", "bias": f"0 ({nothing})", "both": nothing}
    if basis == "ally":
        own = f"{name}'s own record ({n} pairs in NATO's editions)"
        return {"sd": own, "bias": own, "both": f"the sd and the bias {own}"}
    pooled = f"the pooled {errors.pooled_bias_pct:+.1f}%"
    sd = f"pooled over all allies ({errors.pooled_n} pairs in NATO's editions)"
    bias = (
        f"{name}'s own record ({n} pairs) shrunk toward {pooled}"
        if errors.shrink_weight.get(iso3, 0.0) > 0 and n
        else f"{pooled} of all allies"
    )
    return {"sd": sd, "bias": bias, "both": f"the sd {sd}, the bias {bias}"}


def probability(
    store: Store,
    iso3: str,
    target: Target,
    draws: int = 100_000,
    seed: int | None = None,
    method: str = "plan",
    basis: str | None = None,
    amounts: dict[int, float] | None = None,
    base_year: int | None = None,
    uncertainty: Uncertainty | str | None = None,
    dask_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    growth_after: float | None = None,
    inflation_after: float | None = None,
    weo_vintage: str | None = None,
    vintage: str | None = None,
    sensitivity: bool = True,
) -> Result:
    """The chance that ``iso3``'s plan meets ``target`` (Monte Carlo, see
    :mod:`milex.montecarlo`).

    The plan (:func:`milex.projection.plans.plan_for`): ``method`` ``plan`` (the country's
    own, from the pledge registry; else holding its latest share), ``hold``, ``linear``,
    ``real-growth``, or ``amounts`` (million national currency, current prices, for every
    year after the base year up to ``target.by``); ``basis`` ``money`` or ``share`` (None: as
    the plan is given). One row per year: ``amount`` (the plan, million), ``planned_share``
    (percent of GDP on the central forecast), ``median``, ``p05``, ``p95``, ``mean`` (percent
    of GDP) and ``prob_meet`` (probability that the share is at or above the target that year,
    0-1). ``extra``: ``name``, ``probability`` (``prob_meet`` in the target year), ``plan``
    (what is judged, in words), ``method`` and ``basis`` (of the plan judged), ``pledges``
    (the registry rows used), ``spending_error`` (``bias_pct``, ``sd_pct``, ``basis``, ``n``),
    ``uncertainty`` (``name``, ``source``), ``drivers`` (sentences: what moves the answer),
    ``other_basis`` (when the plan's rows give an amount and a share for a year that
    disagree by more than ``conventions.toml``'s ``[pledges] tolerance_pp`` on the central
    forecast: the same draws and seed on the other basis, ``basis``, ``probability`` and
    ``planned_share`` in the target year; the first driver tells both),
    ``sensitivity`` (with ``sensitivity=True``: the tornado of
    :func:`milex.projection.sensitivity.tornado`, each run with this run's seed and at most
    :data:`SENSITIVITY_DRAWS` draws), ``draws``, ``seed``, ``resolution_pp``, ``target`` and
    ``base``. ``vintage`` is NATO's edition the plan starts from, ``weo_vintage`` the WEO's
    (default: the newest); ``query`` names both.
    """
    prepared = prepare_country(
        store,
        iso3,
        target,
        method=method,
        basis=basis,
        amounts=amounts,
        base_year=base_year,
        uncertainty=uncertainty,
        growth_after=growth_after,
        inflation_after=inflation_after,
        weo_vintage=weo_vintage,
        vintage=vintage,
    )
    plan, u = prepared.plan, prepared.uncertainty
    result = prepared.simulate(None, draws, seed, dask_address, progress)
    frame = pd.DataFrame(
        {
            "iso3": iso3,
            "year": plan.years,
            "amount": plan.amounts,
            "planned_share": plan.shares,
            "median": result.median[0],
            "p05": result.p05[0],
            "p95": result.p95[0],
            "mean": result.mean[0],
            "prob_meet": result.prob_meet[0],
        }
    )
    table = None
    if sensitivity:
        # imported here: the sensitivity module reaches countries through this one
        from milex.projection.sensitivity import tornado

        table = tornado(
            lambda one: prepared.run(one, min(draws, SENSITIVITY_DRAWS), result.seed),
            u,
            prepared.ranges(),
        )
    said = drivers(prepared, table)
    mismatch = disagreement(plan) if plan.method == "plan" else None
    other = None
    if mismatch:
        other_basis = "share" if plan.basis == "money" else "money"
        twin = replace(
            prepared,
            plan=plan_for(
                store,
                prepared.inputs,
                iso3,
                target,
                "plan",
                other_basis,
                None,
                base_year,
                growth_after,
                inflation_after,
            ),
        )
        run = twin.simulate(None, draws, result.seed, dask_address)
        other = {
            "basis": other_basis,
            "probability": float(run.prob_meet[0, -1]),
            "planned_share": float(twin.plan.shares[-1]),
        }
        chances = {plan.basis: float(result.prob_meet[0, -1]), other_basis: other["probability"]}
        said.insert(0, _two_forms(mismatch, chances, plan.base.currency, other_basis))
    extra = {
        "name": store.names.get(iso3, iso3),
        "probability": float(result.prob_meet[0, -1]),
        "target": target.share,
        "plan": plan.description,
        "method": plan.method,
        "basis": plan.basis,
        "pledges": plan.pledges,
        "spending_error": {
            k: prepared.spending_error[k] for k in ("bias_pct", "sd_pct", "basis", "n")
        },
        "uncertainty": {"name": u.name, "source": u.source},
        "drivers": said,
        "draws": result.draws,
        "seed": result.seed,
        "resolution_pp": result.bin_width,
        "base": plan.base,
    }
    if table is not None:
        extra["sensitivity"] = table
    if other is not None:
        extra["other_basis"] = other
    asked = "amounts" if amounts is not None else method
    return Result(
        kind="simulate",
        frame=frame,
        units={
            "amount": money_unit(plan.base.currency),
            **{c: PERCENT_GDP for c in ("planned_share", "median", "p05", "p95", "mean")},
            "prob_meet": PROBABILITY,
            "spend_bias_pct": f"{PERCENT} of planned spending",
            "spend_sd_pct": f"{PERCENT} of planned spending",
        },
        sources=store.origins(plan.source_ids | prepared.errors_sources),
        query={
            "country": iso3,
            "target": target.share,
            "by": target.by,
            "draws": result.draws,
            "seed": result.seed,
            "method": asked,
            "basis": basis,
            "base_year": plan.base.year,
            "weo_vintage": prepared.inputs.weo_vintage,
            "vintage": prepared.inputs.vintage,
        },
        notes=_notes(prepared),
        caveats=[TOTAL_SCOPE_CAVEAT] if target.scope == "total" else [],
        extra=extra,
    )


def _two_forms(mismatch: dict, chances: dict[str, float], currency: str, other: str) -> str:
    """The sentence on a plan announced both as money and as a share that disagree
    (``mismatch``: :func:`milex.projection.plans.disagreement`; ``chances``: the probability
    on each basis; ``other``: the basis not judged by default)."""
    share, amount = f"{mismatch['share']:g}%", f"{mismatch['amount']:g} bn"
    return (
        f"Announced as {share} of GDP in {mismatch['year']}, or {currency} {amount}; on the "
        f"IMF's central forecast {amount} is {mismatch['implied']:.2f}% of GDP. As the money "
        f"announced, the chance is {chance(chances['money'])}; if the {share} promise is kept "
        f"as a share of whatever GDP turns out, it is {chance(chances['share'])} "
        f"(--basis {other})."
    )


def _notes(prepared: CountryRun) -> list[str]:
    """What is judged, and what that means for the odds."""
    plan, target = prepared.plan, prepared.target
    notes = [f"Judged: {plan.description}."]
    start = plan.base
    if plan.method == "hold" or (plan.method == "linear" and start.share > target.share):
        side = "above" if start.share >= target.share else "below"
        notes.append(
            f"{plan.iso3} is at {start.share:.2f}% of GDP, {side} the {target.share:g}% target: "
            "the plan holds that share; to judge a government's plan, give its amounts "
            "(million national currency per year)."
        )
    elif plan.method == "linear":
        notes.append(
            "The plan is a path that lands exactly on the target, so it has about even odds "
            "by construction (moved by the spending error's bias); to judge a government's "
            "plan, use the method plan or give its amounts (million national currency per year)."
        )
    error = prepared.spending_error
    if error["note"]:
        notes.append(f"Spending errors: {error['note']}.")
    return notes


def drivers(prepared: CountryRun, table: pd.DataFrame | None) -> list[str]:
    """Plain sentences on what drives the answer: where the plan stands against the target
    on the central forecast, what would close or open the gap, the spending error, and the
    settings that move the answer most (``table``: the tornado, or None)."""
    plan, target = prepared.plan, prepared.target
    share, by = float(plan.shares[-1]), target.by
    gap = share - target.share
    where = (
        f"The plan reaches {share:.2f}% of GDP in {by} on the IMF's central forecast, "
        f"{abs(gap):.2f} points {'below' if gap < 0 else 'above'} the {target.share:g}% target"
    )
    if abs(gap) < 0.005:
        where = (
            f"The plan reaches the {target.share:g}% target in {by} on the IMF's central "
            "forecast, exactly (to 0.005 points)"
        )
    if round(100 * abs(target.share / share - 1)) == 0:
        close = (
            "it lands on the target on the central forecast (to within 0.5% of plan), so the "
            "outcome is near even"
        )
    elif plan.basis == "money" and gap < 0:
        short, more = 1 - share / target.share, target.share / share - 1
        close = (
            f"as fixed budgets it gets there only if nominal GDP ends {short:.0%} or more below "
            f"the forecast, or spending runs {more:.0%} or more above plan"
        )
    elif plan.basis == "money":
        close = (
            f"as fixed budgets it misses only if nominal GDP ends {share / target.share - 1:.0%} "
            "or more above the forecast, or spending falls short of plan by about as much"
        )
    elif gap < 0:
        close = (
            "as a share of GDP it moves with GDP, so only spending "
            f"{target.share / share - 1:.0%} or more above plan would close the gap"
        )
    else:
        close = (
            "as a share of GDP it moves with GDP, so it misses only if spending falls "
            f"{1 - target.share / share:.0%} or more short of plan"
        )
    sentences = [f"{where}: {close}."]
    error = prepared.spending_error
    sentences.append(
        f"Spending is drawn around the plan with a mean error of {error['bias_pct']:+.1f}% and "
        f"an sd of {error['sd_pct']:.1f}% of planned spending ({error['source']})."
    )
    drift = drift_words(prepared.uncertainty)
    if drift:
        sentences.append(drift)
    if table is not None and len(table):
        sentences += tornado_words(table)
    return sentences


def drift_words(u: Uncertainty) -> str:
    """How far below (or above) the IMF's growth forecast the draws put growth on average,
    in words; "" when the uncertainty has no growth bias and no recession regime."""
    recession = u.recession_prob * u.recession_growth  # points a year, <= 0
    if recession == 0 and u.growth_bias == 0:
        return ""
    below = u.growth_bias - recession  # points a year below the forecast on average
    why = []
    if u.growth_bias:
        why.append(f"growth forecasts {u.growth_bias:+g} points too high a year")
    if recession:
        every = 1 / u.recession_prob
        often = (
            f"a recession year in {every:.0f}"
            if abs(every - round(every)) < 1e-9
            else f"a recession year with a chance of {u.recession_prob:.1%}"
        )
        why.append(f"{often}, {u.recession_growth:g} points")
    side = "below" if below >= 0 else "above"
    return (
        f"On average the draws put growth {abs(below):.2f} points a year {side} the IMF's "
        f"forecast ({'; '.join(why)}; docs/uncertainty.md): -u no-recession or --set "
        "growth_bias=... to change it."
    )


def tornado_words(table: pd.DataFrame) -> list[str]:
    """The top rows of a tornado in words, or that nothing moves the answer."""
    moving = table[table["swing"] > 0].head(TOLD)
    if moving.empty:
        return ["No setting of the uncertainty moves the answer within its range."]
    told = []
    for row in moving.itertuples():
        label, unit = SETTING_WORDS[row.setting]
        told.append(
            f"{label} ({row.setting}) from {row.low:.3g}{unit} to {row.high:.3g}{unit} moves "
            f"it from {chance(row.prob_low)} to {chance(row.prob_high)}"
        )
    return [f"What moves the answer most: {'; '.join(told)}."]
