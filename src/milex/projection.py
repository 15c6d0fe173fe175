"""GDP outlooks, paths to a spending target, and checks of national plans.

GDP: a year with a NATO figure uses the GDP behind that figure (:func:`milex.targets.gdp_behind`),
so that a path starts exactly at NATO's number. Later years grow it with the IMF WEO's real GDP
growth and GDP-deflator inflation up to the WEO horizon (2030 in April 2025), then at
``growth_after`` / ``inflation_after`` percent a year (default: the WEO's rates for its last
year). A country without NATO figures (Russia) uses the WEO's nominal GDP. All money is in
million national currency unless a column says otherwise; shares are percent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from milex import geo
from milex.errors import InputError
from milex.store import Store
from milex.targets import (
    GAP_INDICATORS,
    TOTAL_SCOPE_CAVEAT,
    Target,
    gdp_behind,
    missing_reason,
    resolve_target,
)

#: IMF WEO edition used for growth and inflation (the newest complete one embedded).
WEO_VINTAGE = "2025-04"
METHODS = ("linear", "real-growth")
#: Accepted range for growth and inflation after the WEO horizon, percent a year.
RATE_RANGE = (-50.0, 100.0)


@dataclass(frozen=True)
class Base:
    """A country's starting point: NATO's figures for ``year``. ``spend`` and ``gdp`` are
    million national currency at current prices, ``share`` their ratio in percent (NATO's
    share unrounded: it agrees with the printed two decimals), ``gdp_usd_const`` NATO's GDP
    in million USD at 2021 prices and exchange rates, ``usd_per_unit`` that year's exchange rate."""

    iso3: str
    year: int
    share: float
    spend: float
    gdp: float
    gdp_usd_const: float
    currency: str
    usd_per_unit: float
    status: str
    vintage: str
    source_ids: tuple[str, ...]


def _nato_years(store: Store, iso3: str, vintage: str | None = None):
    """NATO's figures for a country, one row per year with every GAP indicator, and the rows."""
    obs = store.observations("nato", vintage, [iso3], GAP_INDICATORS)
    wide = obs.pivot_table(index="year", columns="indicator", values="value")
    wide = wide.reindex(columns=GAP_INDICATORS)
    wide = wide.dropna(subset=["share_gdp", "spend_national_current", "spend_usd_current"])
    return wide, obs


def base(store: Store, iso3: str, year: int | None = None, vintage: str | None = None) -> Base:
    """NATO's share of GDP and spending of ``iso3`` in ``year`` (default: its latest year)."""
    wide, obs = _nato_years(store, iso3, vintage)
    if wide.empty:
        raise InputError(f"no NATO figures for {iso3}: {missing_reason(store, iso3)}")
    year = int(wide.index.max()) if year is None else year
    if year not in wide.index:
        raise InputError(
            f"no NATO figures for {iso3} in {year}: base years with figures are "
            f"{wide.index.min()}-{wide.index.max()}"
        )
    row = wide.loc[year]
    gdp = float(gdp_behind(wide.loc[[year]])["gdp_national_current"].iloc[0])
    used = obs[obs["year"] == year]
    unit = used.loc[used["indicator"] == "spend_national_current", "unit"].iloc[0]
    return Base(
        iso3=iso3,
        year=year,
        share=float(100 * row["spend_national_current"] / gdp),
        spend=float(row["spend_national_current"]),
        gdp=gdp,
        gdp_usd_const=float(row["gdp_usd_const"]),
        currency=unit.split()[0],
        usd_per_unit=float(row["spend_usd_current"] / row["spend_national_current"]),
        status="estimate" if (used["status"] == "estimate").any() else "actual",
        vintage=str(used["vintage"].iloc[0]),
        source_ids=tuple(sorted(used["source_id"].unique())),
    )


def _check_rate(name: str, value: float | None) -> None:
    low, high = RATE_RANGE
    if value is not None and not low < value <= high:
        raise InputError(
            f"{name} {value:g}% a year is out of range: give percent a year between {low:g} "
            f"and {high:g} (e.g. 1.2 for 1.2%)"
        )


def outlook(
    store: Store,
    iso3: str,
    first: int,
    last: int,
    growth_after: float | None = None,
    inflation_after: float | None = None,
    weo_vintage: str = WEO_VINTAGE,
) -> pd.DataFrame:
    """Real growth and deflator inflation (percent) for the years ``first+1 .. last``.

    Columns: ``year, real_growth, inflation, basis`` (``weo <vintage>`` or ``extrapolated``),
    ``real_index`` and ``deflator_index`` (1.0 in ``first``: cumulative growth since ``first``).
    """
    _check_rate("growth after the IMF horizon", growth_after)
    _check_rate("inflation after the IMF horizon", inflation_after)
    weo = store.observations(
        "weo", weo_vintage, [iso3], ["gdp_real_growth", "gdp_deflator"], (first, last)
    )
    wide = weo.pivot_table(index="year", columns="indicator", values="value")
    if wide.empty or first not in wide.index:
        raise InputError(f"no IMF WEO {weo_vintage} outlook for {iso3} from {first}")
    wide["inflation"] = 100 * wide["gdp_deflator"] / wide["gdp_deflator"].shift() - 100
    wide = wide.rename(columns={"gdp_real_growth": "real_growth"}).dropna()
    horizon = int(wide.index.max()) if len(wide) else first
    years = np.arange(first + 1, last + 1)
    table = wide.reindex(years)[["real_growth", "inflation"]]
    table["basis"] = np.where(years <= horizon, f"weo {weo_vintage}", "extrapolated")
    if len(wide):
        table["real_growth"] = table["real_growth"].fillna(
            wide["real_growth"].iloc[-1] if growth_after is None else growth_after
        )
        table["inflation"] = table["inflation"].fillna(
            wide["inflation"].iloc[-1] if inflation_after is None else inflation_after
        )
    table["real_index"] = (1 + table["real_growth"] / 100).cumprod()
    table["deflator_index"] = (1 + table["inflation"] / 100).cumprod()
    table.index.name = "year"
    table = table.reset_index()
    table.attrs["sources"] = sorted(weo["source_id"].unique())
    return table


def _check_path_years(start: int, target: Target) -> None:
    if not target.by:
        raise InputError("a path needs a target year: add --by YEAR (e.g. --by 2035)")
    if target.by <= start:
        raise InputError(
            f"target year {target.by} is not after the base year {start}: give a later year "
            "with --by, or an earlier base year"
        )


def path(
    store: Store,
    iso3: str,
    target: Target,
    base_year: int | None = None,
    method: str = "linear",
    growth_after: float | None = None,
    inflation_after: float | None = None,
    end_share: float | None = None,
) -> pd.DataFrame:
    """A path from NATO's latest figure to ``target.share`` percent of GDP in ``target.by``.

    ``linear``: the share rises by the same number of points each year. ``real-growth``:
    spending grows at one constant real rate that lands on the target. One row per year from
    the base year: ``share_gdp`` (percent), ``spend_current`` (million national currency,
    current prices), ``spend_const`` (million, base-year prices), ``real_growth_pct`` (real
    growth of spending on the year before, percent), ``gdp_current`` (million), ``extra_current``
    and ``cumulative_extra_current`` (spending above holding the base year's share, million
    current), ``spend_usd_current`` (million USD at the base year's exchange rate),
    ``gdp_real_growth`` and ``gdp_inflation`` (the GDP outlook assumed, percent) and ``basis``.
    ``end_share`` overrides where the path ends (a group holds allies above the target).
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}: use {' or '.join(METHODS)}")
    start = base(store, iso3, base_year)
    _check_path_years(start.year, target)
    goal = target.share if end_share is None else end_share
    grow = outlook(store, iso3, start.year, target.by, growth_after, inflation_after)
    steps = np.arange(0, target.by - start.year + 1)
    real = np.concatenate([[1.0], grow["real_index"].to_numpy()])
    deflator = np.concatenate([[1.0], grow["deflator_index"].to_numpy()])
    gdp_const = start.gdp * real
    if method == "linear":
        share = start.share + (goal - start.share) * steps / steps[-1]
        spend_const = share / 100 * gdp_const
    else:
        rate = ((goal * real[-1]) / start.share) ** (1 / steps[-1])
        spend_const = start.spend * rate**steps
        share = 100 * spend_const / gdp_const
    spend_current = spend_const * deflator
    gdp_current = gdp_const * deflator
    extra = spend_current - start.share / 100 * gdp_current
    real_growth = 100 * (spend_const[1:] / spend_const[:-1] - 1)
    table = pd.DataFrame(
        {
            "iso3": iso3,
            "year": start.year + steps,
            "method": method,
            "share_gdp": share,
            "spend_current": spend_current,
            "spend_const": spend_const,
            "real_growth_pct": np.concatenate([[np.nan], real_growth]),
            "gdp_current": gdp_current,
            "extra_current": extra,
            "cumulative_extra_current": extra.cumsum(),
            "spend_usd_current": spend_current * start.usd_per_unit,
            "gdp_real_growth": np.concatenate([[np.nan], grow["real_growth"].to_numpy()]),
            "gdp_inflation": np.concatenate([[np.nan], grow["inflation"].to_numpy()]),
            "basis": [f"nato {start.vintage} {start.status}", *grow["basis"]],
        }
    )
    money = f"{start.currency} million current"
    table.attrs.update(
        name=store.names.get(iso3, iso3),
        currency=start.currency,
        target=target.share,
        base=start,
        units={
            "share_gdp": "percent of GDP",
            "spend_current": money,
            "spend_const": f"{start.currency} million constant {start.year}",
            "real_growth_pct": "percent",
            "gdp_current": money,
            "extra_current": money,
            "cumulative_extra_current": money,
            "spend_usd_current": f"USD million current (exchange rate of {start.year})",
            "gdp_real_growth": "percent",
            "gdp_inflation": "percent (GDP deflator)",
        },
        sources=[*start.source_ids, *grow.attrs["sources"]],
    )
    if target.scope == "total":
        table.attrs["caveat"] = TOTAL_SCOPE_CAVEAT
    return table


def group_path(
    store: Store,
    group: str,
    target: Target,
    base_year: int | None = None,
    method: str = "linear",
    growth_after: float | None = None,
    inflation_after: float | None = None,
) -> pd.DataFrame:
    """The sum of each member's path (see :func:`path`).

    Members below the target follow ``method`` to it; members above it hold their share. The
    group's ``share_gdp`` weights members by GDP at NATO's 2021 prices and exchange rates, as
    NATO's aggregates do (in the base year it is NATO's aggregate share); ``spend_const`` is
    million USD at 2021 prices and exchange rates; ``spend_current``, ``gdp_current`` and the
    extra spending are million USD at current prices and the base year's exchange rates.
    """
    latest = store.observations("nato", None, indicators=["share_gdp"])["year"].max()
    year = base_year or int(latest)
    paths, missing, held = [], {}, []
    for iso3 in geo.members(group, year):
        try:
            start = base(store, iso3, year)
        except InputError as exc:
            missing[iso3] = str(exc)
            continue
        goal = max(start.share, target.share)
        if start.share > target.share:
            held.append(iso3)
        one = path(store, iso3, target, year, method, growth_after, inflation_after, goal)
        real_index = (1 + one["gdp_real_growth"].fillna(0) / 100).cumprod()
        one["gdp_const"] = start.gdp_usd_const * real_index
        one["spend_const"] = one["share_gdp"] / 100 * one["gdp_const"]
        for column in ("spend_current", "gdp_current", "extra_current"):
            one[column] = one[column] * start.usd_per_unit
        paths.append(one)
    if not paths:
        raise InputError(f"no member of {group} has NATO figures for {year}")
    every = pd.concat(paths)
    sums = every.groupby("year")[
        ["spend_current", "spend_const", "gdp_current", "gdp_const", "extra_current"]
    ].sum()
    table = pd.DataFrame(
        {
            "iso3": group,
            "year": sums.index,
            "method": method,
            "share_gdp": 100 * sums["spend_const"] / sums["gdp_const"],
            "spend_current": sums["spend_current"],
            "spend_const": sums["spend_const"],
            "real_growth_pct": 100 * sums["spend_const"].pct_change(),
            "gdp_current": sums["gdp_current"],
            "extra_current": sums["extra_current"],
            "cumulative_extra_current": sums["extra_current"].cumsum(),
            "spend_usd_current": sums["spend_current"],
            "basis": every.groupby("year")["basis"].first().to_numpy(),
        }
    ).reset_index(drop=True)
    money = f"USD million current (exchange rates of {year})"
    table.attrs.update(
        name=geo.group_info(group)["name"],
        currency="USD",
        target=target.share,
        held=held,
        members=sorted(set(every["iso3"])),
        missing=missing,
        units={
            "share_gdp": "percent of GDP (weighted by GDP at 2021 prices)",
            "spend_current": money,
            "spend_const": "USD million constant 2021",
            "real_growth_pct": "percent",
            "gdp_current": money,
            "extra_current": money,
            "cumulative_extra_current": money,
            "spend_usd_current": money,
        },
        sources=sorted({s for p in paths for s in p.attrs["sources"]}),
    )
    if target.scope == "total":
        table.attrs["caveat"] = TOTAL_SCOPE_CAVEAT
    return table


def nominal_gdp(
    store: Store,
    iso3: str,
    years: list[int],
    growth_after: float | None = None,
    inflation_after: float | None = None,
) -> pd.DataFrame:
    """Nominal GDP (million national currency, current prices) for ``years``.

    Years with a NATO figure take the GDP behind it; later years grow the last one with the
    WEO outlook (:func:`outlook`). A country without NATO figures takes the WEO's nominal GDP
    (billion, converted to million) and grows its last WEO year. Columns: ``year, gdp,
    currency, basis``; ``attrs["sources"]`` the source ids used.
    """
    wide, obs = _nato_years(store, iso3)
    if not wide.empty:
        known = gdp_behind(wide)["gdp_national_current"]
        unit = obs.loc[obs["indicator"] == "spend_national_current", "unit"].iloc[0]
        label = f"nato {obs['vintage'].iloc[0]}"
    else:
        obs = store.observations("weo", WEO_VINTAGE, [iso3], ["gdp_national_current"])
        if obs.empty:
            raise InputError(f"no GDP for {iso3} in NATO's tables or the IMF WEO {WEO_VINTAGE}")
        known = obs.set_index("year")["value"] * 1000
        unit = obs["unit"].iloc[0]
        label = f"weo {WEO_VINTAGE}"
    sources = set(obs["source_id"])
    last = int(known.index.max())
    rows = []
    later = [y for y in years if y > last]
    grow = outlook(store, iso3, last, max(later), growth_after, inflation_after) if later else None
    if grow is not None:
        sources |= set(grow.attrs["sources"])
    for year in years:
        if year in known.index:
            rows.append((year, float(known[year]), label))
        elif year > last:
            step = grow.set_index("year").loc[year]
            value = known[last] * step["real_index"] * step["deflator_index"]
            rows.append((year, float(value), f"projected from {last} ({step['basis']})"))
        else:
            rows.append((year, float("nan"), "no figure"))
    table = pd.DataFrame(rows, columns=["year", "gdp", "basis"])
    table["currency"] = unit.split()[0]
    table.attrs["sources"] = sorted(sources)
    return table


#: Words in a pledge's ``amount_unit`` that mark an amount as not one year's spending.
NOT_ANNUAL = re.compile(r"cumulative|combined|additional|over \d+ years|loan")
#: Pledge scopes and the Hague guideline each is measured against.
SCOPE_GUIDELINE = {"core": "hague-3.5", "total": "hague-5", "national budget line": "hague-3.5"}


def check_pledges(store: Store, pledges: pd.DataFrame, tolerance_pp: float = 0.1) -> pd.DataFrame:
    """Check national plans: does a pledged amount equal the pledged share of GDP, and is the
    plan on a linear path from today's share to the Hague guideline?

    ``pledges`` has the columns of ``pledges.csv``. Adds ``gdp`` (million national currency,
    the GDP of the pledge's year, see :func:`nominal_gdp`), ``implied_share`` (the amount as
    percent of that GDP), ``implied_amount`` (the share of that GDP, in the pledge's unit),
    ``difference_pp`` (implied minus pledged share), ``adds_up`` (within ``tolerance_pp``),
    ``hague_path_share`` (where a linear path from NATO's latest share to the guideline of the
    pledge's scope stands that year), ``on_path`` and ``flag`` (the reason, in words).
    """
    rows, sources = [], set()
    for pledge in pledges.to_dict("records"):
        checked = _check_one(store, pledge, tolerance_pp)
        sources |= checked.pop("sources")
        rows.append({**pledge, **checked})
    table = pd.DataFrame(rows)
    if len(table):
        table["target_year"] = table["target_year"].astype("Int64")
    table.attrs["sources"] = sorted(sources)
    table.attrs["units"] = {
        "target_share_gdp": "percent of GDP",
        "target_amount": "billion, in amount_currency (see amount_unit)",
        "gdp": "million national currency, current prices",
        "implied_share": "percent of GDP",
        "implied_amount": "billion national currency, current prices",
        "difference_pp": "percentage points of GDP",
        "hague_path_share": "percent of GDP",
    }
    return table


def _check_one(store: Store, pledge: dict, tolerance_pp: float) -> dict:
    out: dict = {
        "gdp": np.nan,
        "implied_share": np.nan,
        "implied_amount": np.nan,
        "difference_pp": np.nan,
        "adds_up": None,
        "hague_path_share": np.nan,
        "on_path": None,
        "sources": set(),
    }
    flags = []
    iso3, year = pledge["iso3"], pledge["target_year"]
    share, amount = pledge["target_share_gdp"], pledge["target_amount"]
    if iso3 == "NATO" or pd.isna(year):
        out["flag"] = "alliance-wide commitment" if iso3 == "NATO" else "no target year given"
        return out
    year = int(year)
    outlook_gdp = nominal_gdp(store, iso3, [year])
    out["sources"] = set(outlook_gdp.attrs["sources"])
    gdp = outlook_gdp.iloc[0]
    out["gdp"] = gdp["gdp"]
    unit = pledge["amount_unit"] if isinstance(pledge["amount_unit"], str) else ""
    annual = unit.startswith("billion") and not NOT_ANNUAL.search(unit)
    if pd.notna(amount) and not annual:
        flags.append(f"amount is {pledge['amount_unit']}, not an annual figure: not compared")
    elif pd.notna(amount) and pledge["amount_currency"] != gdp["currency"]:
        flags.append(f"amount in {pledge['amount_currency']}, GDP in {gdp['currency']}")
    elif pd.notna(amount):
        out["implied_share"] = 100 * amount * 1000 / gdp["gdp"]
    out["currency"] = gdp["currency"]
    if pd.notna(share):
        out["implied_amount"] = share / 100 * gdp["gdp"] / 1000
    if pd.notna(share) and pd.notna(out["implied_share"]):
        out["difference_pp"] = out["implied_share"] - share
        out["adds_up"] = bool(abs(out["difference_pp"]) <= tolerance_pp)
        if not out["adds_up"]:
            flags.append(
                f"{amount:g} bn {pledge['amount_currency']} is {out['implied_share']:.2f}% of "
                f"projected GDP, not {share:g}%"
            )
    planned = share if pd.notna(share) else out["implied_share"]
    guideline = resolve_target(SCOPE_GUIDELINE[pledge["scope"]])
    try:
        start = base(store, iso3)
    except InputError:
        start = None
    if start is not None and pd.notna(planned) and start.year < year <= guideline.by:
        steps = (year - start.year) / (guideline.by - start.year)
        out["hague_path_share"] = start.share + (guideline.share - start.share) * steps
        out["on_path"] = bool(planned >= out["hague_path_share"] - 1e-9)
        if not out["on_path"]:
            flags.append(
                f"below a linear path to {guideline.share:g}% by {guideline.by} "
                f"({out['hague_path_share']:.2f}% in {year})"
            )
    if pledge["scope"] == "national budget line":
        flags.append("national budget definition, not NATO's: comparison indicative")
    if pledge["scope"] == "total" and out["on_path"] is not None:
        flags.append("path starts from core spending only (the 1.5% is in no NATO table)")
    out["flag"] = "; ".join(flags)
    return out


def probability(
    store: Store,
    iso3: str,
    target: Target,
    draws: int = 100_000,
    seed: int | None = None,
    method: str = "linear",
    amounts: dict[int, float] | None = None,
    base_year: int | None = None,
    uncertainty=None,
    dask_address: str | None = None,
    progress=None,
    growth_after: float | None = None,
    inflation_after: float | None = None,
) -> pd.DataFrame:
    """The chance that a spending plan meets ``target`` when GDP growth and inflation differ
    from the IMF's forecast (Monte Carlo, see :mod:`milex.simulation`).

    The plan is the path of ``method`` (fixed amounts in national currency once planned), or
    ``amounts``: million national currency, current prices, for every year after the base year
    up to ``target.by``. One row per year: ``planned_share`` (percent of GDP on the central
    forecast), ``median``, ``p05``, ``p95`` (percent of GDP), ``prob_meet`` (probability that the
    share is at or above the target that year, 0-1) and ``amount`` (the plan, million).
    ``attrs["probability"]`` is ``prob_meet`` in the target year.
    """
    from milex.simulation import simulate

    planned = path(store, iso3, target, base_year, method, growth_after, inflation_after)
    start = planned.attrs["base"]
    years = planned["year"].to_numpy()[1:]
    if amounts is not None:
        absent = [int(y) for y in years if y not in amounts]
        if absent:
            raise InputError(
                f"amounts missing for {', '.join(map(str, absent))}: give million "
                f"{start.currency} for every year {years[0]}-{years[-1]}"
            )
        plan = np.array([float(amounts[y]) for y in years])
        bad = [int(y) for y, a in zip(years, plan, strict=True) if not np.isfinite(a) or a < 0]
        if bad:
            raise InputError(
                f"amounts for {', '.join(map(str, bad))} are not a non-negative number: give "
                f"million {start.currency} at current prices, e.g. {int(years[0])}=150000"
            )
    else:
        plan = planned["spend_current"].to_numpy()[1:]
    result = simulate(
        plan[None, :],
        np.array([start.gdp]),
        planned["gdp_real_growth"].to_numpy()[None, 1:],
        planned["gdp_inflation"].to_numpy()[None, 1:],
        np.array([target.share]),
        draws=draws,
        seed=seed,
        uncertainty=uncertainty,
        dask_address=dask_address,
        progress=progress,
    )
    gdp_central = planned["gdp_current"].to_numpy()[1:]
    table = pd.DataFrame(
        {
            "iso3": iso3,
            "year": years,
            "amount": plan,
            "planned_share": 100 * plan / gdp_central,
            "median": result.median[0],
            "p05": result.p05[0],
            "p95": result.p95[0],
            "mean": result.mean[0],
            "prob_meet": result.prob_meet[0],
        }
    )
    table.attrs.update(
        probability=float(result.prob_meet[0, -1]),
        target=target.share,
        **({"caveat": TOTAL_SCOPE_CAVEAT} if target.scope == "total" else {}),
        draws=result.draws,
        seed=result.seed,
        resolution_pp=result.bin_width,
        uncertainty=(uncertainty.source if uncertainty is not None else ""),
        base=start,
        units={
            "amount": f"{start.currency} million current",
            "planned_share": "percent of GDP",
            "median": "percent of GDP",
            "p05": "percent of GDP",
            "p95": "percent of GDP",
            "mean": "percent of GDP",
            "prob_meet": "probability (0-1)",
        },
        sources=planned.attrs["sources"],
    )
    return table
