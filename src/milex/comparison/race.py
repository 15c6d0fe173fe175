"""Measures beside the bases: share of GDP, share of government spending, real growth and its
acceleration, per capita.

Real growth is that of spending at constant prices (each source's own constant-price series:
NATO 2021 prices, SIPRI 2024 prices), year on year, over the members counted in both years; its
acceleration is the change of that growth in percentage points. A group's share of GDP is its
members' spending over their GDP (GDP implied by each member's spending and share, both from
the side's source), and its share of government spending likewise (SIPRI publishes it, NATO does
not; milex does not embed it, a full SIPRI copy loaded with ``milex update`` holds it); its per
capita figure divides by the population implied by NATO's per capita figures (SIPRI's embedded
figures carry no population).
"""

from __future__ import annotations

import math

from milex.comparison.bases import Amount, with_status
from milex.comparison.sides import Side

#: The measures, their units and one line each.
MEASURES = {
    "share_gdp": ("percent of GDP", "spending as a share of GDP (the side's own source)"),
    "share_govt_spending": (
        "percent of government spending",
        "spending as a share of general government spending (SIPRI's figures)",
    ),
    "real_growth": ("percent", "real growth of spending on the year before (constant prices)"),
    "acceleration": ("percentage points", "change of real growth on the year before"),
    "per_capita": ("USD constant 2021", "spending per head (NATO's per capita figures)"),
}


def _values(side: Side, year: int, columns: list[str]) -> tuple[dict, dict]:
    """``({code: row}, {code: why missing})`` of the members counted in ``year`` that have
    all ``columns``."""
    found, missing = {}, {}
    for code in side.members(year):
        key = (code, year)
        if key not in side.figures.index:
            missing[code] = side.absent.get(code) or f"no {side.edition} figures for {year}"
            continue
        row = side.figures.loc[key]
        if row[columns].isna().any():
            missing[code] = f"no {' or '.join(columns)} in {side.edition} for {year}"
        else:
            found[code] = row
    return found, missing


def _amount(
    side: Side, value: float, how: str, found: dict, missing: dict, year: int, columns: list[str]
) -> Amount:
    if not found:
        return Amount(math.nan, "", [], missing)
    weak = {}
    for code in found:
        weak.update(with_status(side, code, year, columns))
    return Amount(value, how, sorted(found), missing, weak)


def _share(side: Side, year: int, share: str, whole: str) -> Amount:
    """Spending as a share (percent) of ``whole``: the country's published ``share``, or a
    group's summed spending over the sum of each member's ``whole`` implied by its spending and
    share (both from the side's source; a member whose share is 0 implies none, so it is
    listed missing)."""
    columns = [share, "spend_usd_current"]
    found, missing = _values(side, year, columns)
    if not side.group:
        value = found[side.code][share] if found else math.nan
        return _amount(side, value, f"{side.edition} {share}", found, missing, year, columns)
    for code in [c for c, r in found.items() if r[share] == 0]:
        del found[code]  # Iceland: no armed forces, a share of 0 implies no whole
        missing[code] = f"{share} is 0 in {side.edition} for {year}: it implies no {whole}"
    spend = math.fsum(r["spend_usd_current"] for r in found.values())
    total = math.fsum(r["spend_usd_current"] * 100 / r[share] for r in found.values())
    how = f"sum of spending / sum of {whole} implied by each member's share ({side.edition})"
    value = 100 * spend / total if total else math.nan
    return _amount(side, value, how, found, missing, year, columns)


def share_gdp(side: Side, year: int) -> Amount:
    """Spending as a share of GDP, percent (not a fraction)."""
    return _share(side, year, "share_gdp", "GDP")


def share_govt_spending(side: Side, year: int) -> Amount:
    """Spending as a share of general government spending, percent (not a fraction); missing
    where the side's edition has no such figure (NATO publishes none)."""
    if side.source == "nato":
        why = "NATO publishes no share of government spending"
        return Amount(math.nan, "", [], {c: why for c in side.members(year)})
    return _share(side, year, "share_govt_spending", "government spending")


def real_growth(side: Side, year: int) -> Amount:
    """Growth of constant-price spending from ``year - 1`` to ``year``, percent, over the members
    counted in ``year`` with figures in both years."""
    now, missing = _values(side, year, ["spend_usd_const"])
    before = {}
    for code in list(now):
        key = (code, year - 1)
        if key in side.figures.index and not math.isnan(side.figures.loc[key, "spend_usd_const"]):
            before[code] = side.figures.loc[key, "spend_usd_const"]
        else:
            missing[code] = f"no spend_usd_const in {side.edition} for {year - 1}"
            del now[code]
    total_now = math.fsum(r["spend_usd_const"] for r in now.values())
    total_before = math.fsum(before.values())
    value = 100 * (total_now / total_before - 1) if total_before else math.nan
    how = f"constant-price spending {year} / {year - 1} - 1 ({side.edition})"
    amount = _amount(side, value, how, now, missing, year, ["spend_usd_const"])
    for code in now:
        amount.weak.update(with_status(side, code, year - 1, ["spend_usd_const"]))
    return amount


def acceleration(side: Side, year: int) -> Amount:
    """Real growth in ``year`` minus real growth in ``year - 1``, percentage points."""
    now, before = real_growth(side, year), real_growth(side, year - 1)
    if not (now.present and before.present):
        missing = {**before.missing, **now.missing} or {side.code: "no growth for both years"}
        return Amount(math.nan, "", [], missing)
    how = f"real growth {year} - real growth {year - 1} ({side.edition})"
    weak = {**before.weak, **now.weak}
    return Amount(now.value - before.value, how, now.counted, now.missing, weak)


def per_capita(side: Side, year: int) -> Amount:
    if side.source != "nato":
        why = "SIPRI's embedded figures carry no population or per capita figures"
        return Amount(math.nan, "", [], {c: why for c in side.members(year)})
    found, missing = _values(side, year, ["spend_usd_const", "per_capita_usd_const"])
    spend = math.fsum(r["spend_usd_const"] for r in found.values())
    people = math.fsum(
        r["spend_usd_const"] * 1e6 / r["per_capita_usd_const"] for r in found.values()
    )
    value = spend * 1e6 / people if people else math.nan
    how = (
        f"{side.edition} per_capita_usd_const"
        if not side.group
        else f"sum of spending / sum of population implied by per capita figures ({side.edition})"
    )
    return _amount(
        side, value, how, found, missing, year, ["spend_usd_const", "per_capita_usd_const"]
    )


MEASURE_FUNCTIONS = {
    "share_gdp": share_gdp,
    "share_govt_spending": share_govt_spending,
    "real_growth": real_growth,
    "acceleration": acceleration,
    "per_capita": per_capita,
}
