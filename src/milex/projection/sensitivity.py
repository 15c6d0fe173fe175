"""Which assumption moves a probability most: a tornado table.

Each setting of the uncertainty (:data:`milex.montecarlo.uncertainty.SETTINGS`) is put at the
low and the high end of its range (``[sensitivity]`` of ``data/uncertainty.toml``, see
:func:`milex.montecarlo.uncertainty.sensitivity_ranges`), everything else at the base, and the
probability is run again with the same seed (common random numbers: the difference between two
runs is the setting's, not the draws'). Rows are sorted by swing, largest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from milex import geo
from milex.errors import InputError
from milex.montecarlo import Uncertainty
from milex.montecarlo.uncertainty import SETTINGS, sensitivity_ranges
from milex.projection.group_probability import prepare_group
from milex.projection.probability import prepare_country
from milex.result import Result
from milex.store import Store
from milex.targets import TOTAL_SCOPE_CAVEAT, Target
from milex.vocab import PROBABILITY

#: The columns of a tornado table.
COLUMNS = ["setting", "why", "low", "high", "prob_low", "prob_high", "swing"]


def tornado(
    run: Callable[[Uncertainty], float],
    base: Uncertainty,
    ranges: dict[str, tuple[float, float, str]] | None = None,
) -> pd.DataFrame:
    """The probability ``run`` gives with each setting at its low and its high end.

    ``run``: the probability (0-1) under an uncertainty; it should use the same seed every
    time. ``base``: the uncertainty every row starts from (``spend_sd`` and ``spend_bias`` as
    numbers). ``ranges``: setting -> (low, high, why) in the setting's units (default:
    :func:`milex.montecarlo.uncertainty.sensitivity_ranges` of ``base``). Columns: ``setting,
    why, low, high, prob_low, prob_high`` (probabilities 0-1) and ``swing``
    (``|prob_high - prob_low|``), sorted by swing, largest first (ties in the order of
    :data:`SETTINGS`); ``attrs["base"]`` is ``run(base)``. An uncertainty met twice (a bound
    equal to the base value) is run once.
    """
    ranges = sensitivity_ranges(base) if ranges is None else ranges
    unknown = sorted(set(ranges) - set(SETTINGS))
    if unknown:
        raise InputError(
            f"no setting named {', '.join(unknown)} in a sensitivity range: the settings are "
            f"{', '.join(SETTINGS)}"
        )
    runs: dict[Uncertainty, float] = {}

    def once(u: Uncertainty) -> float:
        if u not in runs:
            runs[u] = run(u)
        return runs[u]

    rows = []
    for setting in sorted(ranges, key=SETTINGS.index):
        low, high, why = ranges[setting]
        prob_low = once(replace(base, **{setting: low}))
        prob_high = once(replace(base, **{setting: high}))
        rows.append((setting, why, low, high, prob_low, prob_high, abs(prob_high - prob_low)))
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs["base"] = once(base)
    return table


def sensitivity(
    store: Store,
    who: str,
    target: Target,
    *,
    draws: int = 20_000,
    seed: int = 1,
    method: str = "plan",
    basis: str | None = None,
    amounts: dict[int, float] | None = None,
    base_year: int | None = None,
    uncertainty: Uncertainty | str | None = None,
    weo_vintage: str | None = None,
    vintage: str | None = None,
) -> Result:
    """The tornado (:func:`tornado`) of the probability that ``who`` (an ISO3 code, or a
    group id of ``groups.toml``: its GDP-weighted share) meets ``target``: one row per setting,
    ``draws`` draws a run, all with ``seed``. The plan options are those of
    :func:`milex.projection.probability.probability` (``amounts`` for a country only).
    A country's table leaves out ``country_corr`` (no other country to move with).
    ``extra``: ``probability`` (at the base), ``plan`` (a country's plan in words) or
    ``members``, ``uncertainty`` (name and source), ``draws``, ``seed``.
    """
    options = {
        "method": method,
        "basis": basis,
        "base_year": base_year,
        "uncertainty": uncertainty,
        "weo_vintage": weo_vintage,
        "vintage": vintage,
    }
    if who in geo.group_ids():
        group = prepare_group(store, who, target, amounts=amounts, **options)
        base = group.resolved()
        sources = group.source_ids  # the plans', the calibration's and the published ones
        about = {"members": group.codes, "missing": group.missing}
        inputs, year = group.inputs, group.year
        table = tornado(lambda u: group.run(u, draws, seed), base)
    else:
        country = prepare_country(store, who, target, amounts=amounts, **options)
        base = country.uncertainty
        sources = country.plan.source_ids | country.errors_sources
        about = {"plan": country.plan.description, "spending_error": country.spending_error}
        inputs, year = country.inputs, country.plan.base.year
        table = tornado(lambda u: country.run(u, draws, seed), base, country.ranges())
    return Result(
        kind="sensitivity",
        frame=table,
        units={
            "low": "the setting's unit (see docs/uncertainty.md)",
            "high": "the setting's unit (see docs/uncertainty.md)",
            "prob_low": PROBABILITY,
            "prob_high": PROBABILITY,
            "swing": PROBABILITY,
        },
        sources=store.origins(sources),
        query={
            "who": who,
            "target": target.share,
            "by": target.by,
            "draws": draws,
            "seed": seed,
            "method": "amounts" if amounts is not None else method,
            "basis": basis,
            "base_year": year,
            "weo_vintage": inputs.weo_vintage,
            "vintage": inputs.vintage,
        },
        notes=[
            "Each row runs the model with one setting at the low and the high end of its "
            "range, every other setting at the base, with the same draws (seed "
            f"{seed}); swing is the difference of the two probabilities."
        ],
        caveats=[TOTAL_SCOPE_CAVEAT] if target.scope == "total" else [],
        extra={
            "probability": table.attrs["base"],
            **about,
            "uncertainty": {"name": base.name, "source": base.source},
            "draws": draws,
            "seed": seed,
        },
    )
