"""The chance that a group of allies meets a target on its share of GDP (weighted by real GDP,
as NATO's aggregates), and how many of its members meet their own.

Each member's plan is :func:`milex.projection.plans.plan_for` from the group's base year
(:func:`milex.projection.paths.group_start`: NATO's latest year of one edition), so every member
has the same projection years. One Monte Carlo run (:func:`milex.montecarlo.simulate`) draws all
members at once: the common shock (``Uncertainty.country_corr``) and the common recession regime
move their economies together, so the group's band and the count of members meeting the target
carry that co-movement. A member without figures (Iceland) is left out and named.

Weights, as NATO weights its aggregates (and :func:`milex.projection.paths.group_path`):
spending at constant prices over GDP at constant prices, that is each member's share of GDP
weighted by its real GDP. A member's weight is its base-year GDP at NATO's 2021 prices and
exchange rates (``Base.gdp_usd_const``, million USD) times its real GDP relative to the base
year, drawn in each run (the engine's ``R[c, t]``), so in the base year the group's share is
NATO's published aggregate, and a member's inflation moves its own share but not its weight.
Weighted by GDP at current prices and fixed exchange rates instead, a member with high
inflation would take a growing part of the group (Türkiye, on the WEO's double-digit
inflation, would weigh about three times its base-year part of Europe and Canada by 2035);
every result gives that weighting too, for comparison (:func:`weighting`).

Spending errors per member (percent of planned spending): the uncertainty's ``spend_bias`` and
``spend_sd`` where it gives them, else calibrated from NATO's editions held
(:func:`milex.projection.calibration.spending_errors`: the ally's own where its history allows,
pooled otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from milex import geo
from milex.errors import InputError
from milex.montecarlo import SimulationResult, Uncertainty, load_uncertainty, simulate
from milex.projection.calibration import SpendingErrors, spending_errors
from milex.projection.outlook import Inputs, fetch
from milex.projection.paths import group_start
from milex.projection.plans import SpendingPlan, plan_for
from milex.projection.probability import drift_words, tornado_words
from milex.result import Result
from milex.store import Store
from milex.targets import TOTAL_SCOPE_CAVEAT, Target
from milex.vocab import PERCENT, PERCENT_GDP, PROBABILITY, money_unit

#: Draws of each run of a sensitivity table (a tornado runs the group about 20 times).
SENSITIVITY_DRAWS = 20_000


@dataclass(frozen=True, eq=False)
class GroupRun:
    """A group's simulation, prepared once (plans, weights, spending errors) and run as often
    as asked: :meth:`run` is what a sensitivity table (tornado) calls.

    Attributes:
        group: the group id (``europe-canada``).
        target: the target every member and the group are judged on.
        year: the base year; projections run from ``year + 1`` to ``target.by``.
        plans: one plan per member with figures, in ``codes`` order.
        missing: member -> why it is left out (no figures, not an ally in the base year).
        weights: [C] million USD at 2021 prices and exchange rates: each member's base-year GDP
            (NATO's ``gdp_usd_const``); the engine moves it with the member's drawn real GDP.
        spend_bias, spend_sd: [C] percent of planned spending: each member's mean relative
            spending error (outturn minus plan) and its sd.
        spend_basis: per member where they come from: ``uncertainty``, or the calibration's
            ``ally`` (its own history) or ``pooled``.
        uncertainty: the uncertainty asked for (its ``spend_*`` may be None: calibrated).
        inputs: NATO's and the WEO's figures read (their editions).
        errors_note: what the calibration said of its data ("" when none was needed).
        error_sources: store source ids of the editions the calibration compared.
        published: NATO's own share for the group in the base year (percent of GDP, from the
            edition read), None when NATO publishes no aggregate for the group.
        published_sources: store source ids of that figure.
    """

    group: str
    target: Target
    year: int
    plans: tuple[SpendingPlan, ...]
    missing: dict[str, str]
    weights: np.ndarray
    spend_bias: np.ndarray
    spend_sd: np.ndarray
    spend_basis: tuple[str, ...]
    uncertainty: Uncertainty
    inputs: Inputs
    errors_note: str
    error_sources: frozenset[str]
    published: float | None = None
    published_sources: frozenset[str] = frozenset()

    @property
    def codes(self) -> list[str]:
        """The members simulated, in the order of every array."""
        return [plan.iso3 for plan in self.plans]

    @property
    def source_ids(self) -> set[str]:
        """Store source ids of every figure behind the run: the plans' and the calibration's."""
        return set(self.error_sources | self.published_sources).union(
            *(plan.source_ids for plan in self.plans)
        )

    @property
    def years(self) -> np.ndarray:
        """The projection years (int), the same for every member."""
        return self.plans[0].years

    @cached_property
    def central_gdp(self) -> np.ndarray:
        """[C, Y] GDP on the central path, million national currency, current prices."""
        return np.array([_projected(plan, "gdp_current") for plan in self.plans])

    @cached_property
    def real_gdp(self) -> np.ndarray:
        """[C, Y] GDP on the central path, million USD at 2021 prices and exchange rates (the
        weights carried forward with real growth): each member's weight in each year."""
        growth = np.array([_projected(plan, "gdp_real_growth") for plan in self.plans])
        return self.weights[:, None] * np.cumprod(1 + growth / 100, axis=1)

    @property
    def usd_base(self) -> np.ndarray:
        """[C] base-year GDP, million USD at current prices and exchange rates."""
        return np.array([plan.base.gdp * plan.base.usd_per_unit for plan in self.plans])

    @property
    def usd_gdp(self) -> np.ndarray:
        """[C, Y] GDP on the central path, million USD at current prices and the base year's
        exchange rates (the weighting NATO does not use, for comparison)."""
        return (self.usd_base / self.gdp_base)[:, None] * self.central_gdp

    @property
    def planned_share(self) -> np.ndarray:
        """[Y] the group's share on the central path, percent of GDP: the members' planned
        shares weighted by their real GDP (:attr:`real_gdp`)."""
        return _weighted(self.real_gdp, self.shares)

    @property
    def shares(self) -> np.ndarray:
        """[C, Y] each member's planned share on the central path, percent of GDP."""
        return np.array([plan.shares for plan in self.plans])

    @property
    def target_shares(self) -> np.ndarray:
        """[C] each member's planned share in the target year, percent of GDP."""
        return self.shares[:, -1]

    @property
    def gdp_base(self) -> np.ndarray:
        """[C] base-year GDP, million national currency, current prices."""
        return np.array([plan.base.gdp for plan in self.plans])

    def resolved(self) -> Uncertainty:
        """The uncertainty asked for with numbers for ``spend_bias`` and ``spend_sd``: the
        members' own values averaged with the GDP weights (the uncertainty's own numbers where
        it gives them). A tornado starts from it (its ranges need numbers); run under it, each
        member keeps its own errors (:meth:`member_errors`)."""
        share = self.weights / self.weights.sum()
        return replace(
            self.uncertainty,
            spend_bias=float(share @ self.spend_bias),
            spend_sd=float(share @ self.spend_sd),
        )

    def member_errors(self, uncertainty: Uncertainty) -> tuple[np.ndarray, np.ndarray]:
        """[C] spending bias and sd (percent) for a run under ``uncertainty``.

        None keeps each member's own. A number moves every member alike, relative to the
        weighted average of :meth:`resolved`: the sd by the same factor, the bias by the same
        shift, so that :meth:`resolved` itself gives each member its own errors and a tornado's
        "half the sd" halves every member's. Where every member's sd is 0 a number is used as
        it is.
        """
        ref = self.resolved()
        bias, sd = self.spend_bias, self.spend_sd
        if uncertainty.spend_bias is not None:
            bias = bias + (uncertainty.spend_bias - ref.spend_bias)
        if uncertainty.spend_sd is not None:
            if ref.spend_sd > 0:
                sd = sd * (uncertainty.spend_sd / ref.spend_sd)
            else:
                sd = np.full_like(sd, uncertainty.spend_sd)
        return bias, sd

    def simulate(
        self,
        uncertainty: Uncertainty | None = None,
        draws: int = SENSITIVITY_DRAWS,
        seed: int | None = 1,
        dask_address: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SimulationResult:
        """One run of every member at once (``result.group`` is the group's share); None runs
        each member with its own spending errors (:meth:`resolved`)."""
        u = uncertainty or self.resolved()
        bias, sd = self.member_errors(u)
        return simulate(
            np.array([plan.amounts for plan in self.plans]),
            self.gdp_base,
            np.array([_projected(plan, "gdp_real_growth") for plan in self.plans]),
            np.array([_projected(plan, "gdp_inflation") for plan in self.plans]),
            np.full(len(self.plans), self.target.share),
            draws=draws,
            seed=seed,
            uncertainty=u,
            spend_bias=bias,
            spend_sd=sd,
            share_plan=np.array([plan.basis == "share" for plan in self.plans]),
            weights=self.weights,
            group_target=self.target.share,
            dask_address=dask_address,
            progress=progress,
        )

    def run(
        self, uncertainty: Uncertainty, draws: int = SENSITIVITY_DRAWS, seed: int | None = 1
    ) -> float:
        """The probability (0-1) that the group's share meets the target in the target year."""
        return float(self.simulate(uncertainty, draws, seed).group.prob_meet[-1])


def _weighted(weights: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """The weighted mean over members (axis 0) of ``shares`` (percent of GDP)."""
    return (weights * shares).sum(axis=0) / weights.sum(axis=0)


def _projected(plan: SpendingPlan, column: str) -> np.ndarray:
    """A column of a plan's central path for its projection years (its table has the base
    year too)."""
    table = plan.table.set_index("year")
    return table.loc[plan.years, column].to_numpy(dtype=float)


def prepare_group(
    store: Store,
    group: str,
    target: Target,
    *,
    method: str = "plan",
    basis: str | None = None,
    base_year: int | None = None,
    uncertainty: Uncertainty | str | None = None,
    weo_vintage: str | None = None,
    vintage: str | None = None,
    amounts: dict[int, float] | None = None,
) -> GroupRun:
    """Plans, weights and spending errors of ``group``'s members, ready to simulate.

    ``target``: the share (percent of GDP) and year every member and the group are judged on.
    ``method``, ``basis``: as in :func:`milex.projection.plans.plan_for`, for every member.
    ``uncertainty``: an :class:`Uncertainty`, a preset name, or None (``default``).
    ``vintage``: NATO's edition (one with GDP at 2021 prices; default: the newest),
    ``weo_vintage`` the WEO's. Refuses a group of which no member has figures, and
    ``amounts`` (one country's plan, which a caller may pass on for a country or a group).
    """
    geo.group_info(group)  # an unknown group is refused, naming the known ones
    if amounts is not None:
        raise InputError(
            f"amounts are one country's plan, not a group's: give a member of {group} "
            f"({' '.join(geo.members(group))}), or leave amounts out"
        )
    u = load_uncertainty(uncertainty or "default")  # an Uncertainty is returned as it is
    start = group_start(store, group, target, base_year, vintage)
    missing = dict(start.missing)
    inputs = fetch(store, start.codes, weo_vintage, start.vintage)
    plans, first_error = [], None
    for iso3 in start.codes:
        try:
            plans.append(plan_for(store, inputs, iso3, target, method, basis, base_year=start.year))
        except InputError as exc:  # a member without figures (Iceland) is left out, and said
            missing[iso3] = str(exc)
            first_error = first_error or exc
    if not plans:  # an unknown method fails for every member: its own message says it best
        raise first_error or InputError(f"no member of {group} was an ally in {start.year}")
    weights = np.array([plan.base.gdp_usd_const for plan in plans])
    bias, sd, basis_of, errors = _spending_errors(store, inputs.vintage, plans, u)
    published = _published(store, group, start.year, inputs.vintage)
    return GroupRun(
        group=group,
        target=target,
        year=start.year,
        plans=tuple(plans),
        missing=missing,
        weights=weights,
        spend_bias=bias,
        spend_sd=sd,
        spend_basis=basis_of,
        uncertainty=u,
        inputs=inputs,
        errors_note=errors.note if errors else "",
        error_sources=frozenset(errors.source_ids if errors else ()),
        published=None if published.empty else float(published["value"].iloc[0]),
        published_sources=frozenset(published["source_id"]),
    )


def _published(store: Store, group: str, year: int, vintage: str) -> pd.DataFrame:
    """NATO's own share of GDP for ``group`` in ``year`` (edition ``vintage``): one row, or
    none when NATO publishes no aggregate for the group (the Baltics)."""
    code = geo.group_info(group).get("aggregate")
    if code is None:
        return pd.DataFrame(columns=["value", "source_id"])
    rows = store.observations("nato", vintage, iso3=[code], indicators=["share_gdp"])
    return rows[rows["year"] == year]


def _spending_errors(
    store: Store, vintage: str, plans: list[SpendingPlan], u: Uncertainty
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], SpendingErrors | None]:
    """Each member's spending bias and sd (percent), where they come from, and the
    calibration (None when not needed): the uncertainty's numbers, or NATO's editions up to
    ``vintage``."""
    n = len(plans)
    if u.spend_bias is not None and u.spend_sd is not None:
        return np.full(n, u.spend_bias), np.full(n, u.spend_sd), ("uncertainty",) * n, None
    errors = spending_errors(store, vintage)
    own = [errors.for_country(plan.iso3) for plan in plans]
    bias = np.array([b for b, _, _ in own]) if u.spend_bias is None else np.full(n, u.spend_bias)
    sd = np.array([s for _, s, _ in own]) if u.spend_sd is None else np.full(n, u.spend_sd)
    return bias, sd, tuple(basis for _, _, basis in own), errors


def group_probability(
    store: Store,
    group: str,
    target: Target,
    *,
    draws: int = 100_000,
    seed: int | None = None,
    method: str = "plan",
    basis: str | None = None,
    base_year: int | None = None,
    uncertainty: Uncertainty | str | None = None,
    dask_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    weo_vintage: str | None = None,
    vintage: str | None = None,
    sensitivity: bool = True,
    amounts: dict[int, float] | None = None,
) -> Result:
    """The chance that ``group`` meets ``target`` on its GDP-weighted share, and how many of its
    members meet it on their own (see the module docstring for the model and the weights).

    One row per projection year: ``iso3`` (the group id), ``year``, ``planned_share`` (the
    group's share on the central path), ``median``, ``p05``, ``p95``, ``mean`` (percent of GDP,
    the members weighted by real GDP: GDP at 2021 prices and exchange rates, as NATO weights its
    aggregates) and ``prob_meet``
    (probability, 0-1, that the group's share is at or above the target).

    ``extra``: ``probability`` (``prob_meet`` in the target year), ``members`` (simulated),
    ``missing`` (member -> why left out), ``members_meeting`` (DataFrame ``year, members,
    probability``: the chance that exactly that many members meet the target on their own),
    ``expected_members`` (in the target year), ``members_band`` (``[low, high]``: the 5th
    and 95th percentiles of that count in the target year), ``member_table`` (``iso3, name,
    plan, method, basis, weight_usd`` (million USD at 2021 prices and exchange rates, base-year
    GDP), ``planned_share`` (percent of GDP, target year), ``prob_meet``, ``spend_bias_pct``,
    ``spend_sd_pct``, ``spend_basis``), ``weighting`` (the share weighted here against NATO's
    published aggregate in the base year, and against a weighting by GDP at current prices and
    fixed exchange rates: :func:`weighting`), ``uncertainty`` (name and source),
    ``country_corr``, ``draws``, ``seed``, ``resolution_pp``, ``drivers`` (sentences on what
    drives the answer: :func:`drivers`) and ``sensitivity`` (a tornado DataFrame, when asked:
    each run with :data:`SENSITIVITY_DRAWS` draws at most and this run's seed).
    """
    prepared = prepare_group(
        store,
        group,
        target,
        method=method,
        basis=basis,
        base_year=base_year,
        uncertainty=uncertainty,
        weo_vintage=weo_vintage,
        vintage=vintage,
        amounts=amounts,
    )
    result = prepared.simulate(None, draws, seed, dask_address, progress)
    years, u = prepared.years, prepared.uncertainty
    weighted = result.group
    frame = pd.DataFrame(
        {
            "iso3": group,
            "year": years,
            "planned_share": prepared.planned_share,
            "median": weighted.median,
            "p05": weighted.p05,
            "p95": weighted.p95,
            "mean": weighted.mean,
            "prob_meet": weighted.prob_meet,
        }
    )
    count = weighted.members_meeting
    meeting = pd.DataFrame(
        {
            "year": np.repeat(years, count.shape[1]),
            "members": np.tile(np.arange(count.shape[1]), len(years)),
            "probability": count.ravel(),
        }
    )
    extra = {
        "name": geo.group_info(group)["name"],
        "probability": float(weighted.prob_meet[-1]),
        "target": target.share,
        "members": prepared.codes,
        "missing": prepared.missing,
        "members_meeting": meeting,
        "expected_members": float(count[-1] @ np.arange(count.shape[1])),
        "members_band": count_band(count[-1]),
        "member_table": _member_table(store, prepared, result),
        "weighting": weighting(prepared),
        "uncertainty": {"name": u.name, "source": u.source},
        "country_corr": u.country_corr,
        "draws": result.draws,
        "seed": result.seed,
        "resolution_pp": result.bin_width,
    }
    if sensitivity:
        # imported here: the sensitivity module reaches groups through this one
        from milex.projection.sensitivity import tornado

        extra["sensitivity"] = tornado(
            lambda one: prepared.run(one, min(draws, SENSITIVITY_DRAWS), result.seed),
            prepared.resolved(),
        )
    extra["drivers"] = drivers(prepared, extra.get("sensitivity"))
    return Result(
        kind="simulate",
        frame=frame,
        units={
            **{
                column: f"{PERCENT_GDP} (members weighted by real GDP: GDP at 2021 prices and "
                "exchange rates, as NATO's aggregates)"
                for column in ("planned_share", "median", "p05", "p95", "mean")
            },
            "prob_meet": PROBABILITY,
            "weight_usd": f"{money_unit('USD', base_year=2021)} (GDP in {prepared.year}, at 2021 "
            "exchange rates)",
            "spend_bias_pct": f"{PERCENT} of planned spending",
            "spend_sd_pct": f"{PERCENT} of planned spending",
        },
        sources=store.origins(prepared.source_ids),
        query={
            "group": group,
            "target": target.share,
            "by": target.by,
            "draws": result.draws,
            "seed": result.seed,
            "method": method,
            "basis": basis,
            "base_year": prepared.year,
            "weo_vintage": prepared.inputs.weo_vintage,
            "vintage": prepared.inputs.vintage,
        },
        notes=_notes(prepared, extra),
        caveats=[TOTAL_SCOPE_CAVEAT] if target.scope == "total" else [],
        extra=extra,
    )


def weighting(prepared: GroupRun) -> dict[str, float | int | str | None]:
    """What the weights do: the group's share (percent of GDP) weighted as here, by real GDP
    (GDP at 2021 prices and exchange rates, as NATO's aggregates: ``base_share`` in the base
    year from NATO's figures, ``target_share`` in the target year on the plans' central path),
    NATO's published aggregate share in the base year (``base_published``, None where NATO
    publishes none) and the difference (``base_difference_pp``, percentage points, None
    likewise); the same shares weighted by GDP at current prices and the base year's exchange
    rates (``base_current_usd``, ``target_current_usd``; ``target_difference_pp`` = current
    minus real weighting), and the member whose weight the two weightings differ on most by the
    target year (``drift_iso3``, its share of the group's GDP, a fraction: ``drift_base`` and
    ``drift_target`` as weighted here, ``drift_current_usd`` at current prices and fixed
    exchange rates, where a member with high inflation weighs more each year)."""
    base = np.array([plan.base.share for plan in prepared.plans])
    real, nominal = prepared.real_gdp[:, -1], prepared.usd_gdp[:, -1]
    base_share = float(_weighted(prepared.weights, base))
    target_share = float(prepared.planned_share[-1])
    target_current = float(_weighted(nominal, prepared.target_shares))
    published = prepared.published
    most = int(np.argmax(np.abs(nominal / nominal.sum() - real / real.sum())))
    return {
        "base_year": prepared.year,
        "target_year": prepared.target.by,
        "base_share": base_share,
        "base_published": published,
        "base_difference_pp": None if published is None else base_share - published,
        "target_share": target_share,
        "base_current_usd": float(_weighted(prepared.usd_base, base)),
        "target_current_usd": target_current,
        "target_difference_pp": target_current - target_share,
        "drift_iso3": prepared.codes[most],
        "drift_base": float(prepared.weights[most] / prepared.weights.sum()),
        "drift_target": float(real[most] / real.sum()),
        "drift_current_usd": float(nominal[most] / nominal.sum()),
    }


def _member_table(store: Store, prepared: GroupRun, result: SimulationResult) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso3": prepared.codes,
            "name": [store.names.get(code, code) for code in prepared.codes],
            "plan": [plan.description for plan in prepared.plans],
            "method": [plan.method for plan in prepared.plans],
            "basis": [plan.basis for plan in prepared.plans],
            "weight_usd": prepared.weights,
            "planned_share": prepared.target_shares,
            "prob_meet": result.prob_meet[:, -1],
            "spend_bias_pct": prepared.spend_bias,
            "spend_sd_pct": prepared.spend_sd,
            "spend_basis": list(prepared.spend_basis),
        }
    )


def drivers(prepared: GroupRun, table: pd.DataFrame | None) -> list[str]:
    """Plain sentences on what drives a group's answer: where the members' plans take the
    group on the central forecast, the members that weigh most on its gap (each member's share
    of the group's real GDP in the target year times its distance to the target, percentage
    points of the group's GDP: they add up to the group's gap), how far the draws put growth
    below the forecast on average, and the settings that move the answer most (``table``: the
    tornado, or None), in the words of a country's drivers."""
    target, by = prepared.target, prepared.target.by
    share = float(prepared.planned_share[-1])
    gap = share - target.share
    real, planned = prepared.real_gdp[:, -1], prepared.target_shares
    pull = real / real.sum() * (planned - target.share)
    sentences = [
        f"The members' plans take the group to {share:.2f}% of GDP in {by} on the IMF's "
        f"central forecast, {abs(gap):.2f} points {'below' if gap < 0 else 'above'} the "
        f"{target.share:g}% target."
    ]
    order = np.argsort(pull)
    weighing = [i for i in order[:3] if pull[i] < -0.005]  # what rounds to -0.00 weighs nothing
    if weighing:
        named = ", ".join(
            f"{prepared.codes[i]} ({planned[i]:.2f}%, {pull[i]:+.2f} points)" for i in weighing
        )
        sentences.append(
            f"Most below the target, weighted by their GDP: {named}, of the group's "
            f"{-pull[pull < 0].sum():.2f} points below it; members above add "
            f"{pull[pull > 0].sum():.2f}."
        )
    drift = drift_words(prepared.uncertainty)
    if drift:
        sentences.append(drift)
    if table is not None and len(table):
        sentences += tornado_words(table)
    return sentences


def count_band(probability: np.ndarray) -> list[int]:
    """The 5th and 95th percentiles of a count, from the probability of each count 0..n: the
    smallest counts at which the cumulative probability reaches 0.05 and 0.95 (1e-9 spares the
    float sums' last bits)."""
    cumulative = np.cumsum(probability)
    return [int(np.searchsorted(cumulative, q - 1e-9)) for q in (0.05, 0.95)]


def _notes(prepared: GroupRun, extra: dict) -> list[str]:
    """What a reader needs next to the figures: the weights, who is left out, the count."""
    weights, (low, high) = extra["weighting"], extra["members_band"]
    base, by = prepared.year, prepared.target.by
    published = weights["base_published"]
    nato = (
        "NATO publishes no aggregate for this group"
        if published is None
        else f"NATO publishes {published:.2f}% ({weights['base_difference_pp']:+.2f} points)"
    )
    notes = [
        f"The group's share weights members by real GDP (GDP at 2021 prices and exchange rates, "
        f"as NATO's aggregates), so a member's inflation moves its share but not its weight: "
        f"in {base} the group is at {weights['base_share']:.2f}% of GDP, {nato}; the plans "
        f"take it to {weights['target_share']:.2f}% in {by}. Weighted by GDP at current prices "
        f"and {base} exchange rates it would be at {weights['base_current_usd']:.2f}% in "
        f"{base} and {weights['target_current_usd']:.2f}% in {by}: "
        f"{weights['drift_iso3']} would weigh {weights['drift_current_usd']:.1%} of the group's "
        f"GDP in {by} instead of {weights['drift_target']:.1%} ({weights['drift_base']:.1%} in "
        f"{base})."
    ]
    if prepared.missing:
        left = "; ".join(f"{code}: {why}" for code, why in prepared.missing.items())
        notes.append(f"Left out (no figures to simulate): {left}")
    notes.append(
        f"In {prepared.target.by} {extra['expected_members']:.1f} of {len(prepared.plans)} "
        f"members are expected to reach {prepared.target.share:g}% of GDP on their own, "
        f"{low} to {high} with 90% probability (common shock between members' economies: "
        f"correlation {prepared.uncertainty.country_corr:g})."
    )
    if prepared.errors_note:
        notes.append(f"Spending errors: {prepared.errors_note}")
    return notes
