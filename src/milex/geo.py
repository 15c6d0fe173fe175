"""Country names and codes to ISO3, and country groups with dated memberships.

Names resolve through pycountry (ISO 3166 names, official and common names) and its gettext
translations in Dutch, German and French, plus the aliases in ``data/aliases.csv``
(``UK``, ``Turkey``, ``Czech Republic`` ...). Groups come from ``data/groups.toml`` and the dated
memberships in ``data/groups.csv``. Matching ignores case and accents.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gettext
import unicodedata
from collections.abc import Iterable
from functools import cache

from milex.catalog import read_rows, read_toml
from milex.errors import InputError, shown

LANGUAGES = ("nl", "de", "fr")


def _key(text: str) -> str:
    """Case- and accent-insensitive lookup key ("Türkiye" -> "turkiye")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _entities() -> dict[str, dict[str, str]]:
    """Non-country codes used in the data (aggregates such as NATO_TOTAL, WLD)."""
    return {row["code"]: row for row in read_rows("entities.csv")}


@cache
def _index() -> dict[str, str]:
    """Lookup key -> code, for every name, code and alias milex knows."""
    import pycountry

    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in LANGUAGES
    ]
    index: dict[str, str] = {}
    for country in pycountry.countries:
        names = [country.alpha_3, country.alpha_2, country.name]
        names += [getattr(country, a, None) for a in ("common_name", "official_name")]
        for name in [n for n in names if n]:
            index.setdefault(_key(name), country.alpha_3)
            for tr in translations:
                index.setdefault(_key(tr.gettext(name)), country.alpha_3)
    for row in read_rows("aliases.csv"):
        index[_key(row["alias"])] = row["iso3"]
    for code, row in _entities().items():
        index[_key(code)] = code
        index[_key(row["name"])] = code
    return index


def is_known_code(code: str) -> bool:
    """True for an ISO3 country code or an aggregate code of ``entities.csv``."""
    import pycountry

    return code in _entities() or pycountry.countries.get(alpha_3=code) is not None


def resolve(text: str) -> str:
    """Return the ISO3 (or aggregate) code for a name or code in en/nl/de/fr.

    >>> resolve("Duitsland")
    'DEU'

    Raises :class:`InputError` naming the closest known names when nothing matches.
    """
    code = _index().get(_key(text))
    if code is not None:
        return code
    close = difflib.get_close_matches(_key(text), list(_index()), n=4, cutoff=0.6)
    codes = dict.fromkeys(_index()[key] for key in close)
    hint = ", ".join(f"{name(code)} ({code})" for code in codes) or "none"
    raise InputError(
        f"unknown country {shown(text)}: closest matches: {hint}. "
        "Use an ISO3 code (DEU), an English, Dutch, German or French name, or a group "
        f"({', '.join(group_ids())})."
    )


def name(code: str) -> str:
    """English display name for a code ("RUS" -> "Russia")."""
    import pycountry

    if code in _entities():
        return _entities()[code]["name"]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    short = {row["iso3"]: row["name"] for row in read_rows("display_names.csv")}
    return short.get(code) or getattr(country, "common_name", None) or country.name


def is_aggregate(code: str) -> bool:
    """True for the aggregates and alliances of ``entities.csv`` (NATO_TOTAL, WLD, NATO ...);
    False for countries, including those it lists because ISO 3166-1 has no code for them
    (Kosovo XKX, former states such as the USSR SUN)."""
    return _entities().get(code, {}).get("kind", "country") != "country"


def group_of(code: str) -> str | None:
    """The group an aggregate code stands for (NATO_TOTAL -> nato), if any."""
    return (_entities().get(code) or {}).get("group") or None


def group_ids() -> list[str]:
    """Identifiers of the country groups (``nato``, ``europe-canada``, ``eu`` ...)."""
    return list(read_toml("groups.toml"))


def group_info(group: str) -> dict:
    """The metadata of one group from ``groups.toml`` (name, aggregate code, description)."""
    groups = read_toml("groups.toml")
    if group not in groups:
        raise InputError(f"unknown group {shown(group)}: known groups are {', '.join(groups)}")
    return groups[group]


def _year_of(date: str) -> int | None:
    return dt.date.fromisoformat(date).year if date else None


def memberships(group: str) -> list[tuple[str, int | None, int | None]]:
    """``(iso3, first year, year left)`` for each member; ``None`` means no date applies."""
    info = group_info(group)
    if "members" in info:
        return [(code, None, None) for code in info["members"]]
    if "base" in info:
        return [m for m in memberships(info["base"]) if m[0] not in info.get("exclude", [])]
    return [
        (row["iso3"], _year_of(row["joined"]), _year_of(row["left"]))
        for row in read_rows("groups.csv")
        if row["group"] == group
    ]


def members(group: str, year: int | None = None) -> list[str]:
    """ISO3 codes of a group's members, sorted; with ``year``, those counted in that year.

    A country counts from the year it joined (Sweden, joined 7 March 2024, counts in NATO's
    2024 totals, as in NATO's own aggregates) up to the year before it left (the United
    Kingdom, out of the EU on 31 January 2020, counts in the EU from 1973 to 2019).
    """
    out = [
        code
        for code, joined, left in memberships(group)
        if year is None or ((joined is None or joined <= year) and (left is None or left > year))
    ]
    return sorted(out)


def expand(items: Iterable[str] | str, year: int | None = None) -> list[str]:
    """Resolve names, codes and group ids to a list of codes (groups expand to members)."""
    if isinstance(items, str):
        items = [items]
    codes: list[str] = []
    for item in items:
        if item.lower() in read_toml("groups.toml"):
            codes += members(item.lower(), year)
        else:
            codes.append(resolve(item))
    return list(dict.fromkeys(codes))
