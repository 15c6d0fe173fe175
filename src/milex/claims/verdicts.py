"""The arithmetic of a verdict: tolerances, acceptance intervals and combining checks.

Pure functions on numbers (docs/claims.md, limits in ``data/claims.toml``): a stated value
``s`` with the unit of its last significant digit ``precision`` gets a tolerance ``t`` (half the
precision, bounded per kind of value); a relation turns ``s`` and ``t`` into an interval; a
figure inside it supports the claim, within ``t`` outside it partly supports it, farther
contradicts it.
"""

from __future__ import annotations

import math

from milex.catalog import read_toml
from milex.claims.claim import CONTRADICTED, PARTLY, SUPPORTED, UNCHECKABLE


def settings() -> dict:
    """The judging settings of ``data/claims.toml``."""
    return read_toml("claims.toml")


def tolerance(scale: str, stated: float, precision: float | None) -> float:
    """Tolerance for a stated value: half its precision, bounded by ``claims.toml``.

    ``scale`` is ``share`` (percentage points of GDP), ``amount`` (returned in the amount's
    own units: the bounds are fractions of ``stated``) or ``growth`` (percentage points).
    """
    limits = settings()["tolerance"]
    half = (precision if precision else 0.0) / 2
    low, high = limits[f"{scale}_min"], limits[f"{scale}_max"]
    if scale == "amount":
        return min(max(half, low * abs(stated)), high * abs(stated))
    return min(max(half, low), high)


def interval(relation: str, stated: float, tol: float) -> tuple[float, float, bool]:
    """``(low, high, open)``: the figures that support ``relation`` to ``stated``; ``open``
    means the ends themselves are excluded (``above``, ``below``)."""
    match relation:
        case "equals":
            return stated - tol, stated + tol, False
        case "about":
            return stated - 2 * tol, stated + 2 * tol, False
        case "nearly":
            return stated - 2 * tol, stated + tol, False
        case "at_least" | "reached":
            return stated, math.inf, False
        case "above":
            return stated, math.inf, True
        case "below":
            return -math.inf, stated, True
        case "at_most":
            return -math.inf, stated, False
    raise ValueError(f"no interval for relation {relation!r}")


def judge(figure: float, low: float, high: float, margin: float, open_: bool = False) -> str:
    """Supported inside [low, high] (strictly inside when ``open_``), partly supported within
    ``margin`` outside it, contradicted beyond."""
    inside = low < figure < high if open_ else low <= figure <= high
    if inside:
        return SUPPORTED
    distance = low - figure if figure <= low else figure - high
    return PARTLY if distance <= margin + 1e-9 else CONTRADICTED


def against(figure: float, relation: str, stated: float, tol: float) -> str:
    """The verdict of ``figure`` on a claim that it has ``relation`` to ``stated``."""
    low, high, open_ = interval(relation, stated, tol)
    return judge(figure, low, high, tol, open_)


def doubling(ratio: float, word: str) -> str:
    """The verdict of a ratio end / start on ``word`` (``doubling``, ``nearly_doubling``,
    ``tripling``)."""
    table = settings()["doubling"]
    low, high = table[word]
    return judge(ratio, low, high, table["margin"])


def growth(change_pct: float, relation: str) -> str:
    """The verdict of a real change (percent) on a qualitative claim: ``rapid`` or ``rising``."""
    if change_pct <= 0:
        return CONTRADICTED
    if relation == "rising":
        return SUPPORTED
    return SUPPORTED if change_pct >= settings()["growth"]["rapid_growth_pct"] else PARTLY


def ratio(stated: float, low: float, high: float) -> str:
    """The verdict of a stated production ratio on the estimates' range [low, high]."""
    if low <= stated <= high:
        return SUPPORTED
    factor = settings()["ratio"]["partly_factor"]
    return PARTLY if low / factor <= stated <= high * factor else CONTRADICTED


def combine(verdicts: list[str]) -> str:
    """One verdict from several checks (group members, a change's ends): supported when all
    are, contradicted when none is supported or partly supported, partly supported otherwise;
    checks that could not be made are left out, and none made is not checkable."""
    made = [v for v in verdicts if v != UNCHECKABLE]
    if not made:
        return UNCHECKABLE
    if all(v == SUPPORTED for v in made):
        return SUPPORTED
    if all(v == CONTRADICTED for v in made):
        return CONTRADICTED
    return PARTLY
