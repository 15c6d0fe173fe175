"""The bases a comparison converts spending on, and the one function that applies a basis.

Every amount of a comparison comes from :func:`on_basis`, which takes ONE basis and applies it
to both sides: there is no way to ask for one side at PPP and the other at market rates. A
member's amount is either a figure with how it was obtained, or missing with why (a missing
PPP factor or equipment share is said, never filled). A group's amount is the sum of its
members' amounts, with the missing members listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from milex.comparison.sides import Side, input_status, weakest


@dataclass(frozen=True)
class Basis:
    """A basis: the unit of its amounts and one line on what it means."""

    unit: str
    explains: str


#: The bases, in the order a comparison shows them (market rates through GDP-PPP to defence PPP).
BASES: dict[str, Basis] = {
    "mer": Basis(
        "USD million current",
        "market exchange rates: what the money buys on world markets; understates countries "
        "with low domestic prices (Russia's soldiers, fuel and domestic kit cost less in "
        "roubles than their dollar value suggests).",
    ),
    "ppp": Basis(
        "international dollar million current",
        "GDP purchasing-power parity: national-currency spending / the IMF's PPP conversion "
        "factor; raises Russia's figure because a rouble buys more at home than at market "
        "rates, but uses whole-economy prices, so it overstates equipment bought on world "
        "markets (imported parts, arms at world prices).",
    ),
    "defence-ppp": Basis(
        "USD million at defence-specific PPP (as published)",
        "published military-specific PPP estimates (IISS, CNA/Connolly), each cited with its "
        "year; none exist for most countries and years, and their methods are not fully "
        "published.",
    ),
    "split": Basis(
        "dollar million (personnel and operations at PPP, equipment at market rates)",
        "personnel and operations at GDP-PPP, equipment at market rates, weighted by each "
        "side's published equipment share (NATO publishes them for allies; SIPRI does not, "
        "so split is missing for SIPRI sides).",
    ),
}
#: What ``basis="all"`` shows.
ALL = tuple(BASES)
#: The figures of a side each basis rests on (their statuses flag the amount; defence-PPP
#: figures are published estimates, cited, and carry no status of the side's source).
INPUTS = {
    "mer": ["spend_usd_current"],
    "ppp": ["spend_national_current", "ppp_conversion"],
    "defence-ppp": [],
    "split": ["spend_usd_current", "spend_national_current", "ppp_conversion", "equipment_share"],
}


@dataclass(frozen=True)
class Amount:
    """One side's figure for one year on one basis (or measure): ``value`` (NaN when missing),
    how it was obtained, the members counted and the missing ones with why; ``status``: the
    weakest status of the figures it rests on (actual < unknown < estimate < projection) and
    ``weak``: those figures that are not actual, ``{input: status}``."""

    value: float
    how: str
    counted: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    weak: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return weakest(self.weak.values())

    def weak_text(self) -> str:
        """The inputs that are not actual in one line, by input and status ("" when none)."""
        by_input: dict[tuple[str, str], list[str]] = {}
        for key, status in self.weak.items():
            what, _, code = key.rpartition(" [")
            by_input.setdefault((what, status), []).append(code.rstrip("]"))
        parts = []
        for (what, status), codes in sorted(by_input.items()):
            many = len(codes) > 1 and set(codes) == set(self.counted)
            whom = f"all {len(codes)} members counted" if many else ", ".join(sorted(codes))
            parts.append(f"{what} {status} ({whom})")
        return "; ".join(parts)

    @property
    def present(self) -> bool:
        return not math.isnan(self.value)

    def missing_text(self) -> str:
        """The missing members in one line, grouped by reason ("" when none)."""
        if not self.missing:
            return ""
        by_reason: dict[str, list[str]] = {}
        for code, why in self.missing.items():
            by_reason.setdefault(why, []).append(code)
        of = len(self.counted) + len(self.missing)
        parts = [f"{', '.join(codes)}: {why}" for why, codes in by_reason.items()]
        return f"{len(self.missing)} of {of} missing: " + "; ".join(parts)


def on_basis(
    basis: str, sides: tuple[Side, Side], year: int, estimates: pd.DataFrame
) -> tuple[Amount, Amount]:
    """Both sides' amounts in ``year`` on ``basis``: the one basis applied to both sides (the
    only way a comparison converts money)."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    first, second = sides
    return side_amount(basis, first, year, estimates), side_amount(basis, second, year, estimates)


def side_amount(basis: str, side: Side, year: int, estimates: pd.DataFrame) -> Amount:
    """A side's amount: the member's, or the sum of a group's members (missing ones listed)."""
    found, missing, weak = {}, {}, {}
    for code in side.members(year):
        value, how = member_amount(basis, side, code, year, estimates)
        if value is None:
            missing[code] = how
        else:
            found[code] = (value, how)
            weak.update(with_status(side, code, year, INPUTS[basis]))
    if not side.group:
        if found:
            value, how = found[side.code]
            return Amount(value, how, [side.code], weak=weak)
        return Amount(math.nan, "", [], missing)
    total = math.fsum(v for v, _ in found.values()) if found else math.nan
    how = f"sum of {len(found)} members on the same basis ({side.edition})" if found else ""
    return Amount(total, how, sorted(found), missing, weak)


def with_status(side: Side, code: str, year: int, columns: list[str]) -> dict[str, str]:
    """``{"<input> [<member>]": status}`` of a member's inputs in ``year`` that are not actual."""
    weak = input_status(side, code, year, columns)
    return {f"{what} {year} [{code}]": status for what, status in weak.items()}


def member_amount(
    basis: str, side: Side, code: str, year: int, estimates: pd.DataFrame
) -> tuple[float | None, str]:
    """``(value, how)`` of one member, or ``(None, why missing)``."""
    if basis == "defence-ppp":
        return _defence_ppp(code, year, estimates)
    row = _row(side, code, year)
    if row is None:
        return None, side.absent.get(code) or f"no {side.edition} figures for {year}"
    mer = row["spend_usd_current"]
    if basis == "mer":
        if pd.isna(mer):
            return None, f"no spending in USD in {side.edition} for {year}"
        return float(mer), f"USD {mer:,.1f} m ({side.edition})"
    ppp, how = _ppp(side, row, year)
    if basis == "ppp" or ppp is None:
        return ppp, how
    share = row["equipment_share"]
    if pd.isna(share):
        if side.source == "sipri":
            return None, "SIPRI publishes no equipment share, so no split"
        return None, f"{side.edition} gives no equipment share for {year}, so no split"
    if pd.isna(mer):
        return None, f"no spending in USD in {side.edition} for {year}"
    equipment = share / 100
    value = equipment * mer + (1 - equipment) * ppp
    return float(value), f"{share:g}% equipment x USD {mer:,.1f} m + rest x int$ {ppp:,.1f} m"


def _row(side: Side, code: str, year: int) -> pd.Series | None:
    key = (code, year)
    return side.figures.loc[key] if key in side.figures.index else None


def _ppp(side: Side, row: pd.Series, year: int) -> tuple[float | None, str]:
    national, factor = row["spend_national_current"], row["ppp_conversion"]
    if pd.isna(national):
        return None, f"no spending in national currency in {side.edition} for {year}"
    if pd.isna(factor):
        return None, f"no PPP conversion factor in weo {side.ppp_vintage} for {year} (not filled)"
    if row["currency"] != row["ppp_currency"]:
        return None, (
            f"spending in {row['currency']} but the PPP factor in {row['ppp_currency']} "
            f"(weo {side.ppp_vintage}): not converted"
        )
    value = national / factor
    cur = row["currency"]
    return float(value), (
        f"{cur} {national:,.1f} m / {factor:g} {cur} per int$ ({side.edition}; "
        f"weo {side.ppp_vintage} ppp_conversion)"
    )


def _defence_ppp(code: str, year: int, estimates: pd.DataFrame) -> tuple[float | None, str]:
    mine = estimates[estimates["actor"] == code]
    hit = mine[(mine["year"] == year) & (mine["basis"] == "defence-ppp")]
    if len(hit) > 1:
        # several published estimates: none is picked over the others; each is cited
        each = "; ".join(
            f"{row.source}: {row.value_usd_bn:g} bn" for row in hit.itertuples(index=False)
        )
        low, high = hit["value_usd_bn"].min(), hit["value_usd_bn"].max()
        return None, (
            f"{len(hit)} published defence-specific PPP estimates for {year} "
            f"({low:g}-{high:g} bn), none picked over the others: {each}"
        )
    if not hit.empty:
        row = hit.iloc[0]
        mer = row["compare_mer_usd_bn"]
        beside = f"; {mer:g} bn at market rates" if pd.notna(mer) else ""
        how = f"{row['source']}: {row['value_usd_bn']:g} bn{beside}"
        return float(row["value_usd_bn"]) * 1000, how
    known = mine.loc[mine["basis"] == "defence-ppp", "year"].tolist()
    held = f" (estimates embedded for {', '.join(map(str, known))})" if known else ""
    why = f"no published defence-specific PPP estimate for {year}{held}"
    spread = mine[(mine["year"] == year) & mine["basis"].str.startswith("range")]
    if len(spread) == 2:
        low, high = sorted(spread["value_usd_bn"])
        why += (
            f"; {spread['source'].iloc[0]} gives a spread of {low:g}-{high:g} bn, a range "
            "across methods rather than a PPP figure"
        )
    return None, why
