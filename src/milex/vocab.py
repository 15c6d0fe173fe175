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

import operator
import re
from collections.abc import Iterable, Mapping

from milex.errors import InputError, shown

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
#: The years milex accepts in a query: the data start after 1945 and outlooks end before 2100.
FIRST_YEAR, LAST_YEAR = 1900, 2100

_MONEY = re.compile(r"^(?P<currency>[A-Z]{3}) (?P<scale>[a-z]+) (?P<prices>current|constant \d{4})")

Years = int | tuple[int, int] | str | Iterable[int] | None

_SPAN = re.compile(r"\s*([0-9]{1,9})\s*(?:-\s*([0-9]{1,9}))?\s*")
_YEARS_FORMS = "give a year (2024), a range (2014-2024) or a list of years"


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


def chance(probability: float) -> str:
    """A probability (0-1) as an English percentage: one decimal under 10% and over 90%, whole
    points between, and "<0.1%" / ">99.9%" rather than a rounded 0% or 100% when some draws
    went the other way (0% and 100% mean none did). The drivers and the CLI both write it."""
    if probability in (0, 1):
        return f"{probability:.0%}"
    if 0 < probability < 0.001:
        return "<0.1%"
    if 0.999 < probability < 1:
        return ">99.9%"
    return f"{probability:.1%}" if probability < 0.1 or probability > 0.9 else f"{probability:.0%}"


def decimal(value: float, locale: str, digits: int = 2, *, exact: bool = False) -> str:
    """``value`` written the way ``locale`` (a babel locale, ``nl_NL``) writes numbers, with
    thousands separators and at most ``digits`` decimals (exactly ``digits`` with ``exact``:
    ``3,50``): the one number formatter of the claims, the charts and the pages. Rounded
    first, so a value rounding to zero is written 0, never -0."""
    from babel.numbers import format_decimal

    pattern = "#,##0." + ("0" if exact else "#") * digits if digits else "#,##0"
    return format_decimal(round(float(value), digits) + 0.0, format=pattern, locale=locale)


def year_span(text: str) -> tuple[int, int]:
    """``"2023-2026"`` -> (2023, 2026); ``"2025"`` -> (2025, 2025) (as written in data files).
    Raises ValueError on anything else (``"2014--2020"``, ``"2014-"``)."""
    found = _SPAN.fullmatch(text)
    if found is None:
        raise ValueError(f"{shown(text)} is not a year or a range of years (2014-2024)")
    first, last = found.groups()
    return int(first), int(last or first)


def _year(value: object, years: Years) -> int:
    """One year of a query, a whole number from :data:`FIRST_YEAR` to :data:`LAST_YEAR`."""
    if isinstance(value, bool | str | bytes):
        raise InputError(f"invalid years {shown(years)}: {_YEARS_FORMS}")
    try:
        year = operator.index(value)
    except TypeError:
        raise InputError(f"invalid years {shown(years)}: {_YEARS_FORMS}") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError(
            f"invalid years {shown(years)}: out of range, give years from {FIRST_YEAR} to "
            f"{LAST_YEAR}"
        )
    return year


def parse_years(years: Years) -> tuple[int, int] | None:
    """The span of years asked for, each year from :data:`FIRST_YEAR` to :data:`LAST_YEAR`:

    * ``2024`` or ``"2024"``: one year;
    * ``"2014-2024"`` or the pair ``(2014, 2024)`` (a tuple of two years): a range, first year
      first; ``"2024-2014"`` and ``(2024, 2014)`` are refused alike (did you mean 2014-2024?);
    * any other iterable of years, such as the list ``[2024, 2014]``: the years from the
      earliest to the latest, in any order;
    * ``None``: all years.

    Raises :class:`InputError` on anything else, naming the accepted forms."""
    if years is None:
        return None
    if isinstance(years, str):
        try:
            first, last = year_span(years)
        except ValueError:
            raise InputError(f"invalid years {shown(years)}: {_YEARS_FORMS}") from None
        _in_order(first, last, years)
        return _year(first, years), _year(last, years)
    if isinstance(years, Mapping | bytes | bytearray) or not isinstance(years, Iterable):
        year = _year(years, years)  # one year (an int or a numpy integer), else an error
        return year, year
    if isinstance(years, tuple) and len(years) == 2:  # a pair: a range, as "first-last"
        first, last = (_year(value, years) for value in years)
        _in_order(first, last, years)
        return first, last
    values = [_year(value, years) for value in years]
    if not values:
        raise InputError("empty list of years: give at least one year")
    return min(values), max(values)


def _in_order(first: int, last: int, years: Years) -> None:
    """A range (``"first-last"`` or a pair) gives its first year first."""
    if first > last:
        raise InputError(
            f"invalid years {shown(years)}: the first year comes after the last "
            f"(did you mean {last}-{first}?)"
        )
