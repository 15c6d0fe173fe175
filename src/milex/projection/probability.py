"""The chance that a spending plan meets its target when GDP growth and inflation are uncertain.

The plan is a path (:mod:`milex.projection.paths`) or fixed amounts; the Monte Carlo engine
(:mod:`milex.montecarlo`) draws GDP around the IMF's outlook.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from milex.errors import InputError
from milex.montecarlo import Uncertainty, simulate
from milex.projection.outlook import fetch
from milex.projection.paths import member_path
from milex.result import Result
from milex.store import Store
from milex.targets import TOTAL_SCOPE_CAVEAT, Target
from milex.vocab import PERCENT_GDP, PROBABILITY, money_unit


def check_amounts(
    amounts: dict[int, float], years: np.ndarray, gdp: np.ndarray, currency: str, most: float
) -> np.ndarray:
    """The planned amounts for ``years`` (million national currency, current prices), refusing
    years outside the plan, missing years, amounts that are not non-negative numbers and
    amounts above ``most`` percent of ``gdp`` (the central forecast, million, per year)."""
    span = f"{int(years[0])}-{int(years[-1])}"
    outside = sorted(int(y) for y in set(amounts) - {int(y) for y in years})
    if outside:
        raise InputError(
            f"amounts given for {', '.join(map(str, outside))}, outside the plan: give million "
            f"{currency} for each year {span} (after the base year, up to the target year)"
        )
    absent = [int(y) for y in years if y not in amounts]
    if absent:
        raise InputError(
            f"amounts missing for {', '.join(map(str, absent))}: give million "
            f"{currency} for every year {span}"
        )
    plan = np.array([_number(amounts[year]) for year in years])
    bad = [int(y) for y, a in zip(years, plan, strict=True) if not np.isfinite(a) or a < 0]
    if bad:
        raise InputError(
            f"amounts for {', '.join(map(str, bad))} are not a non-negative number: give "
            f"million {currency} at current prices, e.g. {int(years[0])}=150000"
        )
    share = 100 * plan / gdp
    huge = [int(y) for y, s in zip(years, share, strict=True) if s > most]
    if huge:
        raise InputError(
            f"amounts for {', '.join(map(str, huge))} reach {share.max():.3g}% of projected GDP, "
            f"above the {most:g}% limit of a share of GDP: give million {currency}, not "
            f"{currency} or thousand {currency} ({int(years[0])}={gdp[0] / 100:.0f} is 1% of GDP)"
        )
    return plan


def _number(value: object) -> float:
    """An amount as a float; NaN for what is not a number (True and False included)."""
    if isinstance(value, bool):
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def probability(
    store: Store,
    iso3: str,
    target: Target,
    draws: int = 100_000,
    seed: int | None = None,
    method: str = "linear",
    amounts: dict[int, float] | None = None,
    base_year: int | None = None,
    uncertainty: Uncertainty | None = None,
    dask_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    growth_after: float | None = None,
    inflation_after: float | None = None,
    weo_vintage: str | None = None,
    vintage: str | None = None,
) -> Result:
    """The chance that a spending plan meets ``target`` when GDP growth and inflation differ
    from the IMF's forecast (Monte Carlo, see :mod:`milex.montecarlo`).

    The plan is the path of ``method`` (fixed amounts in national currency once planned), or
    ``amounts``: million national currency, current prices, for every year after the base year
    up to ``target.by``. One row per year: ``amount`` (the plan, million), ``planned_share``
    (percent of GDP on the central forecast), ``median``, ``p05``, ``p95``, ``mean`` (percent
    of GDP) and ``prob_meet`` (probability that the share is at or above the target that year,
    0-1). ``extra``: ``name`` (the country's English name), ``probability`` (``prob_meet`` in
    the target year), ``draws``, ``seed``, ``resolution_pp``, ``uncertainty`` (where its sizes
    come from) and ``base``. ``vintage`` is NATO's edition the plan starts from,
    ``weo_vintage`` the WEO's (default: the newest); ``query`` names both.
    """
    inputs = fetch(store, [iso3], weo_vintage, vintage)
    planned = member_path(inputs, iso3, target, base_year, method, growth_after, inflation_after)
    start, table = planned.start, planned.table
    years = table["year"].to_numpy()[1:]
    if amounts is not None:
        most = store.indicator_table().set_index("indicator").at["share_gdp", "max"]
        gdp = table["gdp_current"].to_numpy()[1:]
        plan = check_amounts(amounts, years, gdp, start.currency, float(most))
    else:
        plan = table["spend_current"].to_numpy()[1:]
    result = simulate(
        plan[None, :],
        np.array([start.gdp]),
        table["gdp_real_growth"].to_numpy()[None, 1:],
        table["gdp_inflation"].to_numpy()[None, 1:],
        np.array([target.share]),
        draws=draws,
        seed=seed,
        uncertainty=uncertainty,
        dask_address=dask_address,
        progress=progress,
    )
    frame = pd.DataFrame(
        {
            "iso3": iso3,
            "year": years,
            "amount": plan,
            "planned_share": 100 * plan / table["gdp_current"].to_numpy()[1:],
            "median": result.median[0],
            "p05": result.p05[0],
            "p95": result.p95[0],
            "mean": result.mean[0],
            "prob_meet": result.prob_meet[0],
        }
    )
    notes = []
    if amounts is None and planned.held:
        notes.append(
            f"{iso3} is at {start.share:.2f}% of GDP, above the {target.share:g}% target: the "
            "plan holds that share, so it meets the target unless GDP outgrows it; to judge a "
            "government's plan, give its amounts (million national currency per year)."
        )
    elif amounts is None:
        notes.append(
            "The plan is a path that lands exactly on the target, so it has about even odds "
            "by construction; to judge a government's plan, give its amounts (million national "
            "currency per year)."
        )
    return Result(
        kind="simulate",
        frame=frame,
        units={
            "amount": money_unit(start.currency),
            **{c: PERCENT_GDP for c in ("planned_share", "median", "p05", "p95", "mean")},
            "prob_meet": PROBABILITY,
        },
        sources=store.origins(planned.source_ids),
        query={
            "country": iso3,
            "target": target.share,
            "by": target.by,
            "draws": result.draws,
            "seed": result.seed,
            "method": "amounts" if amounts is not None else method,
            "base_year": start.year,
            "weo_vintage": inputs.weo_vintage,
            "vintage": inputs.vintage,
        },
        notes=notes,
        caveats=[TOTAL_SCOPE_CAVEAT] if target.scope == "total" else [],
        extra={
            "name": store.names.get(iso3, iso3),
            "probability": float(result.prob_meet[0, -1]),
            "target": target.share,
            "draws": result.draws,
            "seed": result.seed,
            "resolution_pp": result.bin_width,
            "uncertainty": uncertainty.source if uncertainty is not None else "",
            "base": start,
        },
    )
