"""What a probability judges: a spending plan, year by year, on the central GDP path.

A plan starts at NATO's latest figure (:func:`milex.projection.outlook.base`) and runs to the
target year. Its ``method``:

- ``plan``: the country's own plan from the pledge registry (``data/pledges.csv``). Rows count
  when their scope is measured against a guideline of the target's scope (``conventions.toml``,
  ``[pledges] scope_guideline``): NATO's definition first (``core`` for 3.5%, ``total`` for
  5%); a ``national budget line`` (a national definition, not NATO's) only when no row of
  NATO's definition is usable, and the description says so. A row is usable with an annual
  amount (``amount_unit`` starting "billion", not matching ``not_annual``, in the currency of
  the country's GDP) or a share, for a year after the base year up to the target year. Where
  rows give the same year the latest announced wins; among rows announced the same day the
  one in the plan's form (an amount, unless ``basis="share"``), then the first in the
  registry; the others are named in the description. A national budget line's amount is not
  judged (a national definition in money is not comparable with NATO's figures: France's
  EUR 64 bn line for 2027 leaves out pensions NATO counts); its shares are. Between the base
  year and a plan year the plan is linear in money (a money plan) or in share (a share plan);
  after its last year the share of GDP reached in that year on the central path is held (a
  money plan: that share of central GDP, still fixed nominal budgets once planned). Without a
  usable row the plan holds the latest share, and says so.
- ``hold``: the latest share, every year; ``linear`` and ``real-growth``: the paths of
  :func:`milex.projection.paths.member_path`; ``amounts``: the amounts given.

``basis``: ``money`` (fixed nominal budgets: a share that falls when GDP outgrows the forecast)
or ``share`` (a share of GDP: spending moves with GDP). None takes the plan as given: a
national plan with an amount is money, one with only shares is a share; ``hold`` is a share;
``linear``, ``real-growth`` and ``amounts`` are money (budgets fixed once planned). A plan in
one form is converted to the other on the central GDP path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from milex.catalog import read_toml
from milex.errors import InputError
from milex.projection.outlook import Base, Inputs, base
from milex.projection.paths import member_path
from milex.store import Store
from milex.targets import Target, resolve_target
from milex.vocab import rescale

#: How a plan is made (see the module docstring).
METHODS = ("plan", "hold", "linear", "real-growth", "amounts")
#: How planned spending moves when GDP differs from the forecast.
BASES = ("money", "share")
#: The basis of each method's plan as given (``plan``: from its rows).
GIVEN_BASIS = {"hold": "share", "linear": "money", "real-growth": "money", "amounts": "money"}
#: The scope of NATO's own definition (what NATO's tables measure), by target scope.
NATIONAL_SCOPE = "national budget line"


@dataclass(frozen=True)
class SpendingPlan:
    """A plan for the years after the base year up to the target year.

    ``amounts``: million national currency, current prices, on the central GDP path;
    ``shares``: percent of GDP on that path; ``basis``: ``money`` (fixed nominal budgets) or
    ``share`` (moves with GDP); ``description``: what is judged, in one sentence;
    ``pledges``: the registry rows used (empty if none), with their ``source``; ``base``: where
    the plan starts; ``table``: the central path, one row per year from the base year
    (``year, gdp_current`` million, ``gdp_real_growth, gdp_inflation`` percent, ``amount``
    million, ``share_gdp`` percent, ``basis``: where GDP comes from); ``source_ids``: store
    source ids of NATO's and the WEO's figures used.
    """

    iso3: str
    method: str
    basis: str
    years: np.ndarray
    amounts: np.ndarray
    shares: np.ndarray
    description: str
    pledges: pd.DataFrame
    base: Base
    table: pd.DataFrame
    source_ids: set


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


def annual(unit: object) -> bool:
    """Whether a pledge's ``amount_unit`` is one year's spending in billions (``conventions.toml``,
    ``[pledges] not_annual`` lists the words that say it is not)."""
    text = unit if isinstance(unit, str) else ""
    return text.startswith("billion") and not re.search(_rules()["not_annual"], text)


def _rules() -> dict:
    return read_toml("conventions.toml")["pledges"]


def _check(method: str, basis: str | None, amounts: dict | None) -> str:
    """The method to run (``amounts`` when amounts are given), refusing what does not fit."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}: use {', '.join(METHODS)}")
    if basis is not None and basis not in BASES:
        raise InputError(
            f"unknown basis {basis!r}: use money (fixed nominal budgets) or share (a share of "
            "GDP, moving with GDP)"
        )
    if amounts is not None and method not in ("plan", "amounts"):
        raise InputError(
            f"amounts were given with method {method!r}: amounts are their own plan; give "
            "method amounts (or leave method out)"
        )
    if amounts is None and method == "amounts":
        raise InputError("method amounts needs amounts: million national currency per year")
    return "amounts" if amounts is not None else method


def plan_for(
    store: Store,
    inputs: Inputs,
    iso3: str,
    target: Target,
    method: str = "plan",
    basis: str | None = None,
    amounts: dict[int, float] | None = None,
    base_year: int | None = None,
    growth_after: float | None = None,
    inflation_after: float | None = None,
) -> SpendingPlan:
    """``iso3``'s plan to ``target.by`` (see the module docstring). ``inputs`` from
    :func:`milex.projection.outlook.fetch` for (at least) ``iso3``; ``amounts``: million
    national currency, current prices, for every year after the base year up to the target
    year (``method`` ``amounts``, or left at ``plan``)."""
    method = _check(method, basis, amounts)
    start = base(inputs, iso3, base_year)
    kind = method if method in ("linear", "real-growth") else "linear"
    goal = target if kind == method else replace(target, share=start.share)
    path = member_path(inputs, iso3, goal, start.year, kind, growth_after, inflation_after)
    table, name = path.table, store.names.get(iso3, iso3)
    years = table["year"].to_numpy()[1:]
    gdp = table["gdp_current"].to_numpy()[1:]
    gdp_by_year = table.set_index("year")["gdp_current"]
    national = "" if method != "plan" else _national(store, start, target, gdp_by_year, basis, name)
    if not isinstance(national, str):
        basis, points, rows, text = national
        values = np.interp(years, points.index.to_numpy(), points.to_numpy())
        planned = values if basis == "money" else values / 100 * gdp
        after = years > points.index.max()  # held as the share reached in the last plan year
        planned[after] = planned[~after][-1] / gdp[~after][-1] * gdp[after]
    else:
        run = "hold" if method == "plan" else method
        basis = basis or GIVEN_BASIS[run]
        planned = table["spend_current"].to_numpy()[1:]
        if run == "amounts":
            most = store.indicator_table().set_index("indicator").at["share_gdp", "max"]
            planned = check_amounts(amounts, years, gdp, start.currency, float(most))
        text = _describe(run, name, start, target, path.held, basis, planned)
        if method == "plan":
            text = (
                f"the pledge registry has no usable plan of {name} for {_target_words(target)} "
                f"({national}), so {text}"
            )
        method, rows = run, store.pledge_table().iloc[:0]
    shares = 100 * planned / gdp
    central = table[["year", "gdp_current", "gdp_real_growth", "gdp_inflation", "basis"]].copy()
    central.insert(1, "amount", np.concatenate([[start.spend], planned]))
    central.insert(2, "share_gdp", np.concatenate([[start.share], shares]))
    return SpendingPlan(
        iso3=iso3,
        method=method,
        basis=basis,
        years=years,
        amounts=planned,
        shares=shares,
        description=text[0].upper() + text[1:],
        pledges=rows,
        base=start,
        table=central,
        source_ids=set(path.source_ids),
    )


def disagreement(plan: SpendingPlan) -> dict | None:
    """Where a plan's rows give both an amount and a share for a year that disagree on the
    central GDP path by more than ``conventions.toml``'s ``[pledges] tolerance_pp``: the last
    such year's ``year``, ``amount`` (billion national currency), ``share`` (percent of GDP
    announced) and ``implied`` (percent: the amount over central GDP); None when they agree."""
    gdp = plan.table.set_index("year")["gdp_current"]
    rows = plan.pledges
    if rows.empty:
        return None
    found = None
    for row in rows.sort_values("target_year").itertuples():
        both = pd.notna(row.target_amount) and pd.notna(row.target_share_gdp)
        money = annual(row.amount_unit) and row.amount_currency == plan.base.currency
        if not (both and money and row.scope != NATIONAL_SCOPE):
            continue
        implied = 100 * rescale(row.target_amount, "billion", "million") / gdp[int(row.target_year)]
        if abs(implied - row.target_share_gdp) > _rules()["tolerance_pp"]:
            found = {
                "year": int(row.target_year),
                "amount": float(row.target_amount),
                "share": float(row.target_share_gdp),
                "implied": float(implied),
            }
    return found


def _target_words(target: Target) -> str:
    scope = "NATO's definition" if target.scope == "core" else "total (core + 1.5%)"
    return f"{target.share:g}% of GDP ({scope}) by {target.by}"


def _basis_words(basis: str) -> str:
    if basis == "money":
        return "fixed nominal budgets (their share falls when GDP outgrows the forecast)"
    return "a share of GDP (spending moves with GDP)"


def _start_words(start: Base) -> str:
    return (
        f"NATO's {start.year} {start.status} ({start.currency} {start.spend / 1000:,.1f} bn, "
        f"{start.share:.2f}% of GDP, edition {start.vintage})"
    )


def _describe(
    method: str,
    name: str,
    start: Base,
    target: Target,
    held: bool,
    basis: str,
    planned: np.ndarray,
) -> str:
    """One sentence on a plan that is not the country's own."""
    if method == "hold" or held:
        what = f"holding {name}'s share of {_start_words(start)} every year to {target.by}"
        if held:
            what += f", above the {target.share:g}% target (a path, not a government's plan)"
    elif method == "amounts":
        what = (
            f"the amounts given ({start.currency} {planned[0]:,.0f} m in {start.year + 1} to "
            f"{planned[-1]:,.0f} m in {target.by}) from {_start_words(start)}"
        )
    else:
        how = "linear in share" if method == "linear" else "at one constant real growth rate"
        what = (
            f"a path {how} from {_start_words(start)} to {target.share:g}% of GDP in "
            f"{target.by} (a path that lands on the target, not a government's plan)"
        )
    return f"{what}; {_basis_words(basis)}"


def _scopes(target: Target) -> list[str]:
    """Pledge scopes measured against a guideline of the target's scope: NATO's own first."""
    fitting = [
        scope
        for scope, guideline in _rules()["scope_guideline"].items()
        if resolve_target(guideline).scope == target.scope
    ]
    return sorted(fitting, key=lambda scope: scope != target.scope)


def _national(
    store: Store, start: Base, target: Target, gdp: pd.Series, basis: str | None, name: str
) -> tuple[str, pd.Series, pd.DataFrame, str] | str:
    """The country's plan from the registry: its basis, the plan's points (base year first;
    million national currency or percent of GDP), the rows used and its description; or, when
    no row is usable, why not."""
    registry = store.pledge_table()
    rows = registry[registry["iso3"] == start.iso3].reset_index(drop=True)
    year = rows["target_year"].astype("float")
    rows = rows.assign(
        order=np.arange(len(rows)),
        when=rows["announced"].fillna(""),
        has_amount=rows["target_amount"].notna().to_numpy()
        & np.array([annual(unit) for unit in rows["amount_unit"]], dtype=bool)
        & (rows["amount_currency"] == start.currency).fillna(False).to_numpy(dtype=bool)
        & (rows["scope"] != NATIONAL_SCOPE).to_numpy(),
        has_share=rows["target_share_gdp"].notna().to_numpy(),
        inside=(year > start.year) & (year <= target.by),
    )
    scopes = _scopes(target)
    for scope in scopes:
        fits = rows[rows["scope"] == scope]
        usable = fits[fits["inside"] & (fits["has_amount"] | fits["has_share"])]
        if not usable.empty:
            break
    else:
        unused = _unused(rows[rows["scope"].isin(scopes)], start, target)
        return f"its rows in the registry: {unused}" if unused else "it has no row in the registry"
    prefer = "has_share" if basis == "share" else "has_amount"
    ranked = usable.sort_values(
        ["target_year", "when", prefer, "order"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    chosen = ranked.groupby("target_year").head(1)
    basis = basis or ("money" if chosen["has_amount"].any() else "share")
    points = {start.year: start.spend if basis == "money" else start.share}
    for row in chosen.itertuples():
        at = int(row.target_year)
        if basis == "money":
            amount = rescale(row.target_amount, "billion", "million")
            points[at] = amount if row.has_amount else row.target_share_gdp / 100 * gdp[at]
        else:
            points[at] = (
                row.target_share_gdp
                if row.has_share
                else 100 * rescale(row.target_amount, "billion", "million") / gdp[at]
            )
    last = max(points)
    held = points[last] if basis == "share" else 100 * points[last] / gdp[last]
    text = _plan_words(name, start, target, (scope, basis, held), (chosen, ranked, fits), gdp)
    used = chosen.drop(columns=["order", "when", "has_amount", "has_share", "inside"])
    return basis, pd.Series(points), used.reset_index(drop=True), text


def _unused(rows: pd.DataFrame, start: Base, target: Target) -> str:
    """Why each of ``rows`` (not usable) is not used: "4.7% of GDP in 2025: not after NATO's
    base year 2026"; "" for no rows."""
    told = []
    for row in rows.itertuples():
        figure = _figure(row, start.currency)
        if pd.isna(row.target_year):
            told.append(f"{figure}: no year")
            continue
        figure += f" in {int(row.target_year)}"
        if row.target_year <= start.year:
            told.append(f"{figure}: not after NATO's base year {start.year}")
        elif row.target_year > target.by:
            told.append(f"{figure}: after the target year {target.by}")
        elif row.scope == NATIONAL_SCOPE and annual(row.amount_unit):
            told.append(
                f"{figure}: not judged: national definition in money, not comparable with "
                f"NATO's {start.currency} {start.spend / 1000:,.1f} bn for {start.year}"
            )
        else:
            told.append(f"{figure}: not one year's spending in {start.currency}")
    return "; ".join(told)


def _figure(row, currency: str) -> str:
    """A pledge's figures in words: "EUR 153 bn, 3.5% of GDP"."""
    parts = []
    if pd.notna(row.target_amount):
        unit = "bn" if annual(row.amount_unit) else f"bn ({row.amount_unit})"
        parts.append(f"{row.amount_currency or currency} {row.target_amount:g} {unit}")
    if pd.notna(row.target_share_gdp):
        parts.append(f"{row.target_share_gdp:g}% of GDP")
    return ", ".join(parts)


def _point(row, basis: str, currency: str, gdp: float) -> str:
    """One year of a plan in words: the figure used, who gave it, and the figure in the other
    form on the central GDP path (``gdp``: million, that year)."""
    money = f"{currency} {row.target_amount:g} bn"
    share = f"{row.target_share_gdp:g}% of GDP"
    implied = (
        f"{100 * rescale(row.target_amount, 'billion', 'million') / gdp:.2f}% of GDP on the "
        "IMF's central forecast"
        if row.has_amount
        else ""
    )
    if basis == "money" and not row.has_amount:
        head, more = (
            share,
            [
                f"{currency} {row.target_share_gdp / 100 * gdp / 1000:,.1f} bn on "
                "the IMF's central forecast"
            ],
        )
    elif basis == "share" and row.has_share:
        head, more = share, [f"announced with {money}, {implied}"] if row.has_amount else []
    else:
        head, more = money, [implied] + ([f"announced as {share}"] if row.has_share else [])
    return f"{head} in {int(row.target_year)} ({'; '.join([_cited(row), *more])})"


def _cited(row) -> str:
    """Who said it, and when: the source's first words and the announcement date."""
    who = re.split(r"[,;(]", str(row.source))[0].strip()
    when = pd.Timestamp(row.announced).strftime("%-d %b %Y") if row.when else "undated"
    if row.when and len(row.when) == 7:
        when = pd.Timestamp(row.announced).strftime("%b %Y")
    return f"{who}, {when}"


def _plan_words(
    name: str,
    start: Base,
    target: Target,
    how: tuple[str, str, float],
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    gdp: pd.Series,
) -> str:
    """The sentence that says what is judged (``how``: the rows' scope, the plan's basis and
    the share of GDP held after its last year on the central path, percent; ``frames``: the
    rows chosen, all usable rows ranked, all rows of the scope), what is not and why."""
    (scope, basis, held), (chosen, ranked, fits) = how, frames
    currency = start.currency
    points = [
        _point(row, basis, currency, gdp[int(row.target_year)]) for row in chosen.itertuples()
    ]
    last = int(chosen["target_year"].max())
    how = "linear in money" if basis == "money" else "linear in share"
    text = f"{name}'s plan: {'; '.join(points)}, {how} from {_start_words(start)}"
    if last < target.by:
        text += f", held at {held:.2f}% of GDP from {last + 1} to {target.by}"
    text += f"; {_basis_words(basis)}"
    if scope != target.scope:
        text += (
            f"; scope {scope} (a national definition, not NATO's: it may leave out what NATO "
            "counts, such as pensions or special funds), used as the registry has no usable "
            "plan on NATO's definition: indicative"
        )
        same = fits[(fits["target_year"] == start.year) & fits["target_amount"].notna()]
        if len(same):
            row = same.sort_values(["when", "order"], ascending=[False, True]).iloc[0]
            text += (
                f" ({start.year}: {currency} {row['target_amount']:g} bn on this line, "
                f"{currency} {start.spend / 1000:,.1f} bn by NATO's definition)"
            )
    passed = ranked.drop(chosen.index)
    if len(passed):
        listed = "; ".join(
            f"{_figure(r, currency)} in {int(r.target_year)} ({_cited(r)})"
            for r in passed.itertuples()
        )
        text += (
            f"; not judged: {listed} (per year the latest announced wins, then a figure in the "
            "plan's form, then the registry's order)"
        )
    unused = _unused(fits.drop(ranked.index), start, target)
    if unused:
        text += f"; unused: {unused}"
    return text
