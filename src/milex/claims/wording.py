"""Writing verdicts, reasons and answers in the text's language.

The words are data (``data/messages/<lang>.toml``); numbers and money are formatted for the
language's locale by babel (``3,75`` in Dutch, ``86,6 Mrd. €`` in German); country names come
from pycountry's translations, group names from the messages file.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache

from milex import geo
from milex.catalog import read_toml
from milex.claims.claim import UNCHECKABLE, Claim, Evidence, Reading
from milex.vocab import decimal, rescale

#: How many evidence figures a reason lists before "(+N)".
LISTED = 6


@cache
def messages(lang: str) -> dict:
    """The parsed ``data/messages/<lang>.toml``."""
    return read_toml(f"messages/{lang}.toml")


def locale(lang: str) -> str:
    return messages(lang)["locale"]


def number(value: float, lang: str, digits: int = 2) -> str:
    """A number for the language (``3,75`` in nl/de/fr), at most ``digits`` decimals."""
    return decimal(value, locale(lang), digits)


def money(value: float, currency: str, lang: str) -> str:
    """An amount in currency units, compact (``€86.6bn``, ``86,6 Mrd. €``)."""
    from babel.numbers import format_compact_currency

    return format_compact_currency(value, currency, locale=locale(lang), fraction_digits=1)


@cache
def _translation(lang: str) -> gettext.NullTranslations:
    import pycountry

    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def name(code: str, lang: str) -> str:
    """A country's or group's name in the language (``DEU`` -> ``Duitsland``)."""
    groups = messages(lang)["groups"]
    if code in groups:
        return groups[code]
    if code.lower() in groups:
        return groups[code.lower()]
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    if country is None or lang == "en":
        return geo.name(code)
    return _translation(lang).gettext(country.name)


def verdict(value: str, lang: str) -> str:
    """A verdict in the language (``contradicted`` -> ``klopt niet``)."""
    return messages(lang)["verdicts"][value]


def _value(evidence: Evidence, lang: str) -> str:
    """An evidence figure written for the language: a share, a change or an amount (in its
    currency; ``unit`` "EUR million current" is million, "EUR" currency units)."""
    units = messages(lang)["units"]
    if evidence.value is None:
        return messages(lang)["statuses"]["missing"]
    if evidence.unit == "percent of GDP":
        return number(evidence.value, lang) + units["share"]
    if evidence.indicator == "real_change_pct":
        return number(evidence.value, lang, 1) + units["percent"]
    if evidence.indicator.startswith("spend") or evidence.indicator == "pledge":
        value = evidence.value
        if "million" in evidence.unit:
            value = rescale(value, "million", "unit")
        return money(value, evidence.unit[:3], lang)
    return number(evidence.value, lang)


def figure(evidence: Evidence, lang: str) -> str:
    """One evidence figure in words: actor, year, value, status, source and edition."""
    text = messages(lang)
    if evidence.status == "pledge":
        return text["reasons"]["plan"].format(
            actor=name(evidence.actor, lang),
            value=_value(evidence, lang),
            year=evidence.year or "—",
            vintage=evidence.vintage if evidence.vintage not in ("", "nan", "None") else "—",
        )
    return text["reasons"]["figure"].format(
        actor=name(evidence.actor, lang) if "/" not in evidence.actor else evidence.actor,
        year=evidence.year,
        value=_value(evidence, lang),
        status=text["statuses"].get(evidence.status, evidence.status),
        source=evidence.source.upper(),
        vintage=evidence.vintage,
    )


def say(key: str, params: dict, lang: str) -> str:
    """The message ``key`` with its values written for the language."""
    shown = {}
    for field, value in params.items():
        if isinstance(value, bool) or value is None:
            shown[field] = "—" if value is None else str(value)
        elif isinstance(value, float):
            shown[field] = number(value, lang)
        elif isinstance(value, dt.date):
            shown[field] = value.isoformat()
        elif field in ("actor", "first", "scope", "a", "b"):
            shown[field] = name(str(value), lang)
        elif field == "actors":
            shown[field] = ", ".join(name(code, lang) for code in value)
        else:
            shown[field] = str(value)
    return messages(lang)["reasons"][key].format(**shown)


def tolerance(value: float | None, unit: str, lang: str, currency: str | None = None) -> str:
    """A tolerance in words (``0,05 procentpunt``; an amount's in its ``currency``: ``€1.7bn``)."""
    if value is None:
        return ""
    units = messages(lang)["units"]
    if unit == "points":
        shown = f"{number(value, lang)} {units['points']}"
    elif unit == "amount" and currency and len(currency) == 3:
        shown = money(value, currency, lang)
    else:
        shown = number(value, lang)
    return messages(lang)["reasons"]["tolerance"].format(tolerance=shown)


def stated(reading: Reading, lang: str) -> str:
    """What the sentence states, in words ("genoemd: meer dan 3%"); empty without a value."""
    if reading.value is None or reading.kind == "ranking":
        return ""
    text = messages(lang)
    units = text["units"]
    if reading.unit == "percent of GDP":
        value = number(reading.value, lang) + units["share"]
    elif reading.unit == "percent":
        value = number(reading.value, lang, 1) + units["percent"]
    elif reading.unit and len(reading.unit) == 3:
        value = money(reading.value, reading.unit, lang)
    else:
        value = number(reading.value, lang)
    relation = text["relations"].get(reading.relation, "")
    return text["reasons"]["stated"].format(relation=relation, value=value).replace("  ", " ")


def reason(claim: Claim, reasons: list[tuple[str, dict]]) -> str:
    """The whole reason of a claim: its evidence, the stated value and tolerance, and why."""
    lang = claim.lang
    # a ratio's range is said by its message; its central estimate is in the evidence
    made = [e for e in claim.evidence if e.value is not None and e.indicator != "production_ratio"]
    parts = [figure(e, lang) for e in made[:LISTED]]
    if len(made) > LISTED:
        parts[-1] += f" (+{len(made) - LISTED})"
    parts.append(stated(claim.reading, lang))
    parts += [say(key, params, lang) for key, params in reasons]
    if claim.tolerance and claim.verdict != UNCHECKABLE:
        parts.append(claim.tolerance)
    return "; ".join(dict.fromkeys(p for p in parts if p))
