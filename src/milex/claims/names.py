"""The countries and groups a sentence names.

Country names are those :mod:`milex.geo` resolves (pycountry's names and their Dutch, German and
French translations, and ``data/aliases.csv``), in any of the four languages, also with the
suffixes of the language file's ``[inflection] names`` ("Deutschlands", "Ruslands"). The
language file's ``[names]`` adds groups ("de NAVO", "the Baltic states", "l'Europe"), inflected
forms ("den Niederlanden") and the adjectives and demonyms that name a spender ("Duitse",
"polnischen", "françaises"). An entry mapped to ``""`` names nobody and hides the shorter names
inside it ("Latin America", "US dollars").

Case matters as it does in print: a name written with a capital needs one in the text ("Turkey",
not "turkey"; "Polish", not "polish"); a short all-capital name needs all its capitals ("US",
"VS", "EU": not "us", "vs", "eu"); a name written in lower case (German and French adjectives,
"the alliance") matches in any case. Codes are not names ("de", "it", "be" name nobody).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from milex import geo
from milex.catalog import read_rows
from milex.claims.words import candidates, canonical, longest, words

#: A name of this many letters or fewer, all capitals, matches only in capitals ("US").
SHORT = 3


@dataclass(frozen=True)
class Actor:
    """A country or group named in a sentence: ``start``/``end`` are character offsets, ``code``
    an ISO3 code ("DEU") or a group key of ``groups.toml`` ("nato", "baltics"), ``group`` true
    for a group."""

    start: int
    end: int
    code: str
    group: bool


def actors(sentence: str, lang: str) -> list[Actor]:
    """The countries and groups ``sentence`` names, in text order, without overlaps (the longest
    name wins)."""
    if not sentence:
        return []
    table = _table(lang)
    found = [
        match
        for match in candidates(sentence, tuple(table))
        if _written_so(sentence[match[0] : match[1]], match[2])
    ]
    groups = set(geo.group_ids())
    return [
        Actor(start, end, table[phrase], table[phrase] in groups)
        for start, end, phrase in longest(found)
        if table[phrase]
    ]


def _written_so(text: str, phrase: str) -> bool:
    """Whether ``text`` has the capitals the name ``phrase`` asks for."""
    letters = [char for char in phrase.removesuffix("*") if char.isalpha()]
    if letters and all(char.isupper() for char in letters) and len(letters) <= SHORT:
        return [char for char in text if char.isalpha()] == letters
    return not letters[0].isupper() or text[:1].isupper()


@cache
def _table(lang: str) -> dict[str, str]:
    """Each name as written (geo's names as their key, capitalised) -> its code, one entry per
    canonical form: the language file's entries override the aliases, the aliases geo's names,
    and a name as written overrides another one's inflected form."""
    import pycountry

    codes = {c.alpha_2.casefold() for c in pycountry.countries}
    codes |= {c.alpha_3.casefold() for c in pycountry.countries}
    countries = {
        canonical(key): (key[:1].upper() + key[1:], code)
        for key, code in geo._index().items()
        if key not in codes and not geo.is_aggregate(code)
    }
    countries |= {
        canonical(row["alias"]): (row["alias"], row["iso3"]) for row in read_rows("aliases.csv")
    }
    table = {
        canonical(name + suffix): (name + suffix, code)
        for suffix in words(lang)["inflection"]["names"]
        for name, code in countries.values()
    }
    table |= countries
    table |= {canonical(phrase): (phrase, code) for phrase, code in words(lang)["names"].items()}
    return dict(table.values())
