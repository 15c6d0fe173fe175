"""The words milex reads, per language, and finding them in a text.

Each language's words live in ``data/language/<lang>.toml`` (scale, percent, currency, dates,
sentence abbreviations, names, cue lists); this module reads them and finds phrases in a text
**case- and accent-insensitively, at word boundaries** (a boundary is a letter next to a
non-letter, so "bn" matches in "3.5bn" but "Oman" does not match in "Romania"). In a phrase, a
space matches any run of whitespace and a hyphen matches a hyphen, whitespace or nothing
("defensie-uitgaven", "defensie uitgaven", "defensieuitgaven"); a phrase ending in ``*`` matches
as a word prefix ("verdubbel*" matches "verdubbelt"). Where matches overlap, the longest wins.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from milex.catalog import read_toml
from milex.errors import InputError, shown

LANGUAGES = ("nl", "en", "de", "fr")

#: Letters without a Unicode decomposition, and typographic variants, as the key spells them.
_SPECIAL = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ı": "i",
    "æ": "ae",
    "œ": "oe",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "‐": "-",
    "‑": "-",
}

#: A letter (a word character that is not a digit or an underscore).
LETTER = r"[^\W\d_]"

_SURROGATE = re.compile("[\ud800-\udfff]")

#: A match: (start, end, phrase) with the phrase as the data file spells it.
Match = tuple[int, int, str]


def words(lang: str) -> dict[str, Any]:
    """The parsed ``data/language/<lang>.toml`` (cached; do not modify it)."""
    if lang not in LANGUAGES:
        raise InputError(f"unknown language {shown(lang)}: use one of {', '.join(LANGUAGES)}")
    return read_toml(f"language/{lang}.toml")


def phrases(lang: str, section: str, key: str | None = None) -> list[str]:
    """The phrases of one list of a language file: ``phrases("nl", "cues", "spending")``.

    A table (``[scale]``: phrase -> multiplier) gives its phrases; without ``key``, the section
    itself is the list or table (``phrases("nl", "scale")``).
    """
    value = words(lang)[section]
    if key is not None:
        value = value[key]
    return list(value)


def find(text: str, lang: str, section: str, key: str | None = None) -> list[Match]:
    """``(start, end, phrase)`` of each phrase of one list found in ``text``, in text order,
    without overlaps (the longest match wins)."""
    return scan(text, tuple(phrases(lang, section, key)))


def scan(text: str, entries: tuple[str, ...]) -> list[Match]:
    """The matches of ``entries`` in ``text``: longest first, without overlaps, in text order."""
    return longest(candidates(text, entries))


def candidates(text: str, entries: tuple[str, ...]) -> list[Match]:
    """Every match of ``entries`` in ``text``, overlapping ones included (the longest phrase at
    each start position), for a caller that filters them before :func:`longest`."""
    if not text or not entries:
        return []
    folded, offsets = fold(text)
    matcher = _matcher(entries)
    found = []
    for pattern in matcher.patterns:
        for m in pattern.finditer(folded):
            start, end = m.span(1)
            phrase = matcher.phrase(folded[start:end])
            if phrase is not None:
                found.append((_original(offsets, start), _original(offsets, end - 1) + 1, phrase))
    return found


def longest(found: Iterable[Match]) -> list[Match]:
    """The longest matches that do not overlap a longer one (ties: the earlier), in text order."""
    chosen: list[Match] = []  # sorted by start, never overlapping
    for match in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        at = bisect.bisect(chosen, match[:1])
        if (at == 0 or chosen[at - 1][1] <= match[0]) and (
            at == len(chosen) or chosen[at][0] >= match[1]
        ):
            chosen.insert(at, match)
    return chosen


@lru_cache(maxsize=64)
def fold(text: str) -> tuple[str, list[int] | None]:
    """The lookup form of ``text`` (case-folded, accents removed, typographic apostrophes and
    hyphens plain) and, for each of its characters, the index of the character of ``text`` it
    comes from (``None`` when the two align one to one, as for ASCII)."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        parts.append(piece)
        offsets.extend([index] * len(piece))
    return "".join(parts), offsets


def without_surrogates(text: str) -> str:
    """``text`` with lone surrogates (not encodable, refused by sentencex and text2num) replaced
    by U+FFFD, character for character, so that spans stay valid."""
    return _SURROGATE.sub("\ufffd", text)


def canonical(phrase: str) -> str:
    """The form two spellings of a phrase share: folded, without whitespace and hyphens
    ("Pays-Bas" and "pays bas" -> "paysbas")."""
    return re.sub(r"[\s\-]+", "", fold(phrase)[0])


@cache
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(_SPECIAL.get(c, c) for c in decomposed if not unicodedata.combining(c))


def _original(offsets: list[int] | None, index: int) -> int:
    return index if offsets is None else offsets[index]


class _Matcher:
    """Compiled patterns of a list of phrases and the way back from a match to its phrase."""

    def __init__(self, entries: tuple[str, ...]) -> None:
        self.exact: dict[str, str] = {}
        self.prefixes: list[tuple[str, str]] = []
        groups: dict[tuple[bool, bool], list[str]] = {}
        for entry in entries:
            star = entry.endswith("*")
            core = fold(entry.removesuffix("*"))[0].strip()
            if star:
                self.prefixes.append((canonical(core), entry))
            else:
                self.exact.setdefault(canonical(core), entry)
            bounds = (core[0].isalpha(), star or core[-1].isalpha())
            groups.setdefault(bounds, []).append(_body(core, star))
        self.prefixes.sort(key=lambda p: -len(p[0]))
        self.patterns = [
            re.compile(
                "(?=("
                + (f"(?<!{LETTER})" if left else "")
                + "(?:"
                + "|".join(sorted(bodies, key=len, reverse=True))
                + ")"
                + (f"(?!{LETTER})" if right else "")
                + "))"
            )
            for (left, right), bodies in groups.items()
        ]

    def phrase(self, matched: str) -> str | None:
        """The phrase a matched piece of folded text stands for."""
        key = canonical(matched)
        if key in self.exact:
            return self.exact[key]
        return next((entry for stem, entry in self.prefixes if key.startswith(stem)), None)


def _body(core: str, star: bool) -> str:
    """The regular expression of one folded phrase (spaces and hyphens flexible)."""
    pieces = re.split(r"(\s+|-)", core)
    body = "".join(
        r"\s+" if piece.isspace() else r"[-\s]?" if piece == "-" else re.escape(piece)
        for piece in pieces
        if piece
    )
    return body + (f"{LETTER}*" if star else "")


@cache
def _matcher(entries: tuple[str, ...]) -> _Matcher:
    return _Matcher(entries)
