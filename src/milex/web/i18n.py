"""The interface in four languages: the words of the pages (``data/interface/<lang>.toml``, one
file per language with the same keys) and numbers formatted for the language with babel
(``3,75`` in Dutch, German and French, ``3.75`` in English).

A missing figure is never written as a number: :func:`number` gives the language's mark for a
missing value (``–``), and the page says why next to it where the result's notes give a reason.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from milex.catalog import read_toml
from milex.errors import InputError, shown
from milex.vocab import decimal

#: The languages of the interface, the first the default.
LANGUAGES = ("en", "nl", "de", "fr")
DEFAULT = LANGUAGES[0]


def check_lang(lang: str | None) -> str:
    """``lang`` if the interface speaks it (None: the default), else an InputError."""
    if lang is None:
        return DEFAULT
    if lang not in LANGUAGES:
        raise InputError(
            f"lang: got {shown(lang)}; the pages speak {', '.join(LANGUAGES)}, e.g. nl"
        )
    return lang


def words(lang: str) -> dict[str, Any]:
    """The interface words of ``lang`` (sections of ``data/interface/<lang>.toml``)."""
    return read_toml(f"interface/{check_lang(lang)}.toml")


def locale(lang: str) -> str:
    """The babel locale of a language (``nl`` -> ``nl_NL``)."""
    return words(lang)["locale"]


def missing(value: Any) -> bool:
    """Whether a figure is missing (None, NaN, pandas' NA)."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and not math.isfinite(value))
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        return True


def number(value: Any, lang: str, digits: int = 2) -> str:
    """A number for the language with at most ``digits`` decimals and thousands separators
    (``1.234,5`` in Dutch); a missing value is the language's missing mark, never 0."""
    if missing(value):
        return words(lang)["missing"]
    return decimal(value, locale(lang), digits)


def fixed(value: Any, lang: str, digits: int = 2) -> str:
    """A number with exactly ``digits`` decimals (``3,50``): shares of GDP in tables."""
    if missing(value):
        return words(lang)["missing"]
    return decimal(value, locale(lang), digits, exact=True)


def percent(value: Any, lang: str, digits: int = 0) -> str:
    """A probability (0-1) as a percentage in the language's own pattern, at most ``digits``
    decimals (``0.997`` -> ``99.7%``, ``99,7 %`` in German and French)."""
    if missing(value):
        return words(lang)["missing"]
    from babel.numbers import format_percent

    rounded = round(float(value), digits + 2)
    return format_percent(rounded, locale=locale(lang), decimal_quantization=False)


def yes_no(value: Any, lang: str) -> str:
    """A yes/no figure (a guideline met) in words; missing when it cannot be judged."""
    if missing(value):
        return words(lang)["missing"]
    return words(lang)["yes" if value else "no"]


def country_name(iso3: str, name: str, lang: str) -> str:
    """A country's name in the language (``DEU`` -> ``Duitsland``, ``RUS`` -> ``Russland``):
    the CLDR short name babel holds for its territory code; ``name`` (milex's English display
    name) in English, for aggregates and where neither has one."""
    if lang == DEFAULT:
        return name
    import pycountry

    entry = pycountry.countries.get(alpha_3=iso3)
    if entry is None:
        return words(lang)["aggregates"].get(iso3, name)
    return _territories(lang).get(entry.alpha_2, name)


@cache
def _territories(lang: str) -> dict[str, str]:
    """CLDR's territory names in ``lang`` by ISO 3166 alpha-2 code (babel)."""
    from babel import Locale

    return dict(Locale.parse(locale(lang)).territories)


@cache
def names(lang: str) -> dict[str, str]:
    """Every name a chart may show, in ``lang``, by code: the store's countries and NATO's
    aggregates (:func:`country_name`) and the munitions model's actors (``[aggregates]`` of
    the interface words), for :func:`milex.charts.spec`'s ``names``."""
    from milex import api

    known = api.countries()
    said = dict(zip(known["code"], known["name"], strict=True)) | words(DEFAULT)["aggregates"]
    return {code: country_name(code, name, lang) for code, name in said.items()}


def messages(lang: str) -> dict[str, Any]:
    """The claim checker's words of ``lang`` (``data/messages/<lang>.toml``): its verdicts
    and the statuses of figures, shared with the pages so that both say the same."""
    return read_toml(f"messages/{check_lang(lang)}.toml")
