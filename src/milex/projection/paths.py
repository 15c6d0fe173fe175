"""Paths to a spending target: year by year, for one ally or the sum of a group's members.

A path starts at NATO's latest figure (:func:`milex.projection.outlook.base`) of one edition
(the newest unless one is asked for) and grows GDP with the IMF's outlook. ``linear``: the
share rises by the same number of points each year; ``real-growth``: spending grows at one
constant real rate. An ally already above the target holds its share unless asked to converge
down to it (``above="converge"``), in a country's path and in a group's alike, and the result
says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from milex import geo
from milex.errors import InputError
from milex.projection.outlook import Base, Inputs, base, edition, fetch, outlook
from milex.result import Result
from milex.store import Store
from milex.targets import TOTAL_SCOPE_CAVEAT, Target, missing_reason
from milex.vocab import NATO_PRICE_YEAR, PERCENT, PERCENT_GDP, money_unit

METHODS = ("linear", "real-growth")
#: What a path does for an ally already above the target: keep its share, or come down to it.
ABOVE = ("hold", "converge")


@dataclass(frozen=True)
class MemberPath:
    """One ally's path (``table``, money in million national currency), where it started,
    whether it holds a share above the target, and the source ids behind it."""

    table: pd.DataFrame
    start: Base
    held: bool
    source_ids: tuple[str, ...]


def check_method(method: str, above: str = "hold") -> None:
    """Refuse an unknown path method or above-target rule, naming the accepted ones."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}: use {' or '.join(METHODS)}")
    if above not in ABOVE:
        raise InputError(
            f"unknown rule for allies above the target {above!r}: use hold or converge"
        )


def check_years(start: int, target: Target) -> None:
    """A path needs a target year after its base year; say what to give when it has none."""
    if not target.by:
        raise InputError("a path needs a target year (by), e.g. 2035")
    if target.by > start:
        return
    if target.guideline is not None:
        raise InputError(
            f"the deadline of {target.guideline} ({target.by}) has passed: the base year is "
            f"{start}; give a later target year (by), e.g. {start + 5}"
        )
    raise InputError(
        f"target year {target.by} is not after the base year {start}: give a later year "
        "(by), or an earlier base year (base_year)"
    )


def member_path(
    inputs: Inputs,
    iso3: str,
    target: Target,
    base_year: int | None = None,
    method: str = "linear",
    growth_after: float | None = None,
    inflation_after: float | None = None,
    above: str = "hold",
) -> MemberPath:
    """One ally's path to ``target.share`` percent of GDP in ``target.by``.

    One row per year from the base year: ``share_gdp`` (percent), ``spend_current`` (million
    national currency, current prices), ``spend_const`` (million, base-year prices),
    ``real_growth_pct`` (real growth of spending on the year before, percent), ``gdp_current``
    (million), ``extra_current`` and ``cumulative_extra_current`` (spending above holding the
    base year's share, million current), ``spend_usd_current`` (million USD at the base year's
    exchange rate), ``gdp_real_growth`` and ``gdp_inflation`` (the GDP outlook, percent) and
    ``basis``.
    """
    check_method(method, above)
    start = base(inputs, iso3, base_year)
    check_years(start.year, target)
    held = start.share > target.share and above == "hold"
    goal = start.share if held else target.share
    grow = outlook(inputs, iso3, start.year, target.by, growth_after, inflation_after)
    steps = np.arange(0, target.by - start.year + 1)
    real = np.concatenate([[1.0], grow.table["real_index"].to_numpy()])
    deflator = np.concatenate([[1.0], grow.table["deflator_index"].to_numpy()])
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
            "gdp_real_growth": np.concatenate([[np.nan], grow.table["real_growth"].to_numpy()]),
            "gdp_inflation": np.concatenate([[np.nan], grow.table["inflation"].to_numpy()]),
            "basis": [f"nato {start.vintage} {start.status}", *grow.table["basis"]],
        }
    )
    return MemberPath(table, start, held, (*start.source_ids, *grow.source_ids))


def _held_note(name: str, share: float, target: Target) -> str:
    return (
        f"{name} is at {share:.2f}% of GDP, above the {target.share:g}% target: its share is "
        "held (it converges to the target only when asked: above, converge)"
    )


def path(
    store: Store,
    iso3: str,
    target: Target,
    base_year: int | None = None,
    method: str = "linear",
    growth_after: float | None = None,
    inflation_after: float | None = None,
    above: str = "hold",
    weo_vintage: str | None = None,
    vintage: str | None = None,
) -> Result:
    """A path from NATO's latest figure to ``target`` for one ally (see :func:`member_path`
    for the columns); ``extra["base"]`` is where it starts (:class:`Base`). ``vintage`` is
    NATO's edition, ``weo_vintage`` the WEO's (default: the newest, see
    :func:`milex.projection.outlook.edition`); ``query`` names both."""
    inputs = fetch(store, [iso3], weo_vintage, vintage)
    one = member_path(inputs, iso3, target, base_year, method, growth_after, inflation_after, above)
    start, name = one.start, store.names.get(iso3, iso3)
    money = money_unit(start.currency)
    return Result(
        kind="path",
        frame=one.table,
        units={
            "share_gdp": PERCENT_GDP,
            "spend_current": money,
            "spend_const": money_unit(start.currency, base_year=start.year),
            "real_growth_pct": PERCENT,
            "gdp_current": money,
            "extra_current": money,
            "cumulative_extra_current": money,
            "spend_usd_current": f"{money_unit('USD')} (exchange rate of {start.year})",
            "gdp_real_growth": PERCENT,
            "gdp_inflation": f"{PERCENT} (GDP deflator)",
        },
        sources=store.origins(one.source_ids),
        query=_query(iso3, target, start.year, method, above, inputs),
        notes=[_held_note(name, start.share, target)] if one.held else [],
        caveats=[TOTAL_SCOPE_CAVEAT] if target.scope == "total" else [],
        extra={"name": name, "currency": start.currency, "base": start, "held": [iso3] * one.held},
    )


def _query(who: str, target: Target, year: int, method: str, above: str, inputs: Inputs) -> dict:
    return {
        "country": who,
        "target": target.share,
        "by": target.by,
        "method": method,
        "base_year": year,
        "above": above,
        "weo_vintage": inputs.weo_vintage,
        "vintage": inputs.vintage,
    }


@dataclass(frozen=True)
class GroupStart:
    """Where a group's projection starts: NATO's ``vintage``, the base ``year`` (every member's
    path starts in it), the members that were allies that year (``codes``) and those left out
    (``missing``: member -> why)."""

    vintage: str
    year: int
    codes: list[str]
    missing: dict[str, str]


def group_start(
    store: Store,
    group: str,
    target: Target,
    base_year: int | None = None,
    vintage: str | None = None,
) -> GroupStart:
    """The start shared by a group's members: NATO's edition ``vintage``, one with GDP at 2021
    prices (default: the newest), and its latest year with shares unless ``base_year`` is
    given; refuses a target year not after it (:func:`check_years`)."""
    vintage = edition(
        store, "nato", vintage, "gdp_usd_const", "a group's path weights its members by them"
    )
    latest = store.observations("nato", vintage, indicators=["share_gdp"])["year"].max()
    year = base_year or int(latest)
    check_years(year, target)
    allies = set(geo.members("nato", year))
    codes = geo.members(group, year)
    # as in a gap: members that were not yet allies in the base year (Sweden before 2024) are
    # left out, and said
    missing = {c: missing_reason(store, c, year, vintage) for c in codes if c not in allies}
    return GroupStart(vintage, year, [c for c in codes if c in allies], missing)


def group_path(
    store: Store,
    group: str,
    target: Target,
    base_year: int | None = None,
    method: str = "linear",
    growth_after: float | None = None,
    inflation_after: float | None = None,
    above: str = "hold",
    weo_vintage: str | None = None,
    vintage: str | None = None,
) -> Result:
    """The sum of each member's path (see :func:`member_path`), from two queries.

    Members below the target follow ``method`` to it; members above it hold their share
    (or converge to it with ``above="converge"``). The group's ``share_gdp`` weights members by
    GDP at NATO's 2021 prices and exchange rates, as NATO's aggregates do (in the base year it
    is NATO's aggregate share); ``spend_const`` is million USD at 2021 prices and exchange
    rates; ``spend_current``, ``gdp_current`` and the extra spending are million USD at current
    prices and the base year's exchange rates. ``extra``: ``members``, ``held`` (allies above
    the target), ``missing`` (member -> why it is left out). ``vintage``: NATO's edition, one
    with GDP at 2021 prices (default: the newest).
    """
    check_method(method, above)
    start = group_start(store, group, target, base_year, vintage)
    year, codes, missing = start.year, start.codes, start.missing
    inputs = fetch(store, codes, weo_vintage, start.vintage)
    paths, held, sources = [], [], set()
    for iso3 in codes:
        try:
            one = member_path(
                inputs, iso3, target, year, method, growth_after, inflation_after, above
            )
        except InputError as exc:  # a member without figures (Iceland) is left out, and said
            missing[iso3] = str(exc)
            continue
        held += [iso3] * one.held
        sources |= set(one.source_ids)
        table = one.table
        real_index = (1 + table["gdp_real_growth"].fillna(0) / 100).cumprod()
        table["gdp_const"] = one.start.gdp_usd_const * real_index
        table["spend_const"] = table["share_gdp"] / 100 * table["gdp_const"]
        for column in ("spend_current", "gdp_current", "extra_current"):
            table[column] = table[column] * one.start.usd_per_unit
        paths.append(table)
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
    money = f"{money_unit('USD')} (exchange rates of {year})"
    notes = []
    if held:
        notes.append(
            f"{', '.join(held)} above the {target.share:g}% target hold their share "
            "(they converge to the target only when asked: above, converge)"
        )
    return Result(
        kind="path",
        frame=table,
        units={
            "share_gdp": f"{PERCENT_GDP} (weighted by GDP at {NATO_PRICE_YEAR} prices)",
            "spend_current": money,
            "spend_const": money_unit("USD", base_year=NATO_PRICE_YEAR),
            "real_growth_pct": PERCENT,
            "gdp_current": money,
            "extra_current": money,
            "cumulative_extra_current": money,
            "spend_usd_current": money,
        },
        sources=store.origins(sources),
        query=_query(group, target, year, method, above, inputs),
        notes=notes,
        caveats=[TOTAL_SCOPE_CAVEAT] if target.scope == "total" else [],
        extra={
            "name": geo.group_info(group)["name"],
            "currency": "USD",
            "members": sorted(set(every["iso3"])),
            "held": held,
            "missing": missing,
        },
    )
