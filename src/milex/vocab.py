"""milex's vocabulary: the tidy columns, the statuses, the unit grammar and the year spans.

One place for the words every layer shares (as pyam's ``utils.IAMC_IDX``):

* a figure is one row of :data:`TIDY_COLUMNS`;
* ``status`` is one of :data:`STATUSES`;
* a unit is ``percent of GDP``, ``percent of defence expenditure``, ``percent`` or money,
  written ``<CUR> <scale> <prices>``: ``USD million current``, ``EUR million constant 2021``
  (see :func:`money_unit`); amounts change scale only through :func:`rescale`;
* years are one year or a span ``first-last`` (:func:`parse_years`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from milex.errors import InputError

#: The tidy shape of an observation, in column order.
TIDY_COLUMNS = [
    "iso3",
    "name",
    "year",
    "indicator",
    "value",
    "unit",
    "status",
    "source",
    "vintage",
    "source_id",
]
#: What a figure is: published as final, a publisher's estimate, a forecast, or not said.
STATUSES = ("actual", "estimate", "projection", "unknown")

PERCENT_GDP = "percent of GDP"
PERCENT_DEFENCE = "percent of defence expenditure"
POINTS_GDP = "percentage points of GDP"
POINTS_DEFENCE = "percentage points of defence expenditure"
PERCENT = "percent"
PROBABILITY = "probability (0-1)"

#: Powers of ten behind the scale words of money units.
SCALES = {"unit": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
#: NATO's price base year in its 2025 and 2026 editions (constant 2021 prices).
NATO_PRICE_YEAR = 2021

_MONEY = re.compile(r"^(?P<currency>[A-Z]{3}) (?P<scale>[a-z]+) (?P<prices>current|constant \d{4})")

Years = int | tuple[int, int] | str | Iterable[int] | None


def money_unit(currency: str, scale: str = "million", base_year: int | None = None) -> str:
    """The unit of an amount: ``money_unit("USD")`` -> ``"USD million current"``;
    ``money_unit("EUR", base_year=2021)`` -> ``"EUR million constant 2021"``."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: use {', '.join(SCALES)}")
    prices = "current" if base_year is None else f"constant {base_year}"
    return f"{currency} {scale} {prices}"


def currency_of(unit: str) -> str:
    """The currency code at the start of a money unit (``"PLN million current"`` -> ``"PLN"``)."""
    found = _MONEY.match(unit)
    if found is None:
        raise ValueError(f"{unit!r} is not a money unit (e.g. 'USD million current')")
    return found["currency"]


def rescale(value, source: str, target: str):
    """An amount (number or array) from one scale word to another: ``rescale(1.5, "billion",
    "million")`` is 1500.0. The one place where milex multiplies by powers of ten."""
    return value * (SCALES[source] / SCALES[target])


def year_span(text: str) -> tuple[int, int]:
    """``"2023-2026"`` -> (2023, 2026); ``"2025"`` -> (2025, 2025) (as written in data files)."""
    first, dash, last = text.strip().partition("-")
    if dash and not last:
        raise ValueError(f"{text!r} has no last year")
    return int(first), int(last or first)


def parse_years(years: Years) -> tuple[int, int] | None:
    """The span of years asked for: ``2024``, ``(2014, 2024)``, ``"2014-2024"``, ``"2024"`` or
    an iterable of years; ``None`` for all years. Raises :class:`InputError` on anything else."""
    if years is None:
        return None
    if isinstance(years, bool):
        raise InputError(f"invalid years {years!r}: use a year (2024) or a range (2014-2024)")
    if isinstance(years, int):
        return (years, years)
    if isinstance(years, str):
        try:
            span = year_span(years)
        except ValueError:
            raise InputError(
                f"invalid years {years!r}: use a year (2024) or a range (2014-2024)"
            ) from None
    else:
        try:
            values = sorted(int(y) for y in years)
        except (TypeError, ValueError):
            raise InputError(
                f"invalid years {years!r}: use a year (2024), a range (2014-2024) or a list "
                "of years"
            ) from None
        if not values:
            raise InputError("empty list of years: give at least one year")
        span = (values[0], values[-1])
    if span[0] > span[1]:
        raise InputError(
            f"invalid years {years!r}: the first year comes after the last "
            f"(did you mean {span[1]}-{span[0]}?)"
        )
    return span
