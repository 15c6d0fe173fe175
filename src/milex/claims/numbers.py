"""The numbers of a sentence: digits in the language's conventions, written-out numbers, and
what is attached to them (scale, percent, currency, ordinal suffix).

**Digits** are read with babel in the locale of the language file (``[numbers] locale``:
"3,5" is 3.5 and "1.234" is 1234 in Dutch and German, "3.5" is 3.5 and "1,234" is 1234 in
English). Where the locale's reading fails, babel's reading in the other convention
(``fallback_locale``) is taken: "3.5%" in a Dutch or German text is 3.5 (a thousands point
needs three digits behind it), "2,5 percent" in an English text is 2.5. A group of exactly three
digits behind a single separator follows the locale ("1.234" is 1234 in German, 1.234 in
English). A no-break or narrow no-break space groups thousands in any language, a plain space
only where ``space_groups`` is true (French "150 000"). Digits glued to a letter and a hyphen
("F-35", "Su-57") are a name, not a number, unless they are a year ("mid-2025").

**Written-out numbers** are read by text2num (``find_numbers``), below a million: "million",
"miljard", "Milliarden" ... are scale words read here, so "twintig miljard" is 20 scaled by
1e9. An article ("een", "a", "ein", "un") counts as one only before a scale word
("een miljard"). ``[numbers.words]`` adds halves ("anderhalf", "zweieinhalb") and
``[numbers.ordinals]`` ranks text2num does not read ("op één na", "zweitgrößte").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from typing import Any

from milex.claims.words import Match, canonical, fold, scan, without_surrogates, words

#: The plausible years (4 digits, inclusive), as in vocab's year range.
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: Scale words from this multiplier up are read here, not by text2num.
SCALE_WORDS_FROM = 1e6

_SPACES = "\u00a0\u202f"
_SIGNS = {"+": 1, "-": -1, "−": -1}
_LETTERS = re.compile(r"[^\W\d_]+")
_POINT_WORD = re.compile(r"\.\s+[^\W\d_]")


@dataclass(frozen=True)
class Number:
    """A number as written in a sentence, with what is attached to it.

    ``start``/``end`` are character offsets in the sentence, covering sign, currency, digits or
    words, scale and percent. ``value`` is the full value in units (``"3,5 miljard euro"`` ->
    3.5e9; ``"3,5 procent"`` -> 3.5, in percent); ``stated`` the number before its scale (3.5);
    ``precision`` the unit of the last significant digit of ``stated`` (3.5 -> 0.1, 70 -> 10,
    a year -> 1); ``scale`` the multiplier (1, 1e3, 1e6, 1e9, 1e12); ``currency`` an ISO 4217
    code; ``ordinal`` a rank ("second", "2e", "2."); ``year`` a plausible year (4 digits,
    1900-2100, nothing attached).
    """

    start: int
    end: int
    value: float
    stated: float
    precision: float
    scale: float
    percent: bool
    points: bool
    currency: str | None
    ordinal: bool
    year: bool


@dataclass(frozen=True)
class _Core:
    """The number itself, before what is attached to it."""

    start: int
    end: int
    stated: Decimal
    precision: Decimal
    ordinal: bool = False
    plain: bool = False  # digits only: may be a year


def numbers(sentence: str, lang: str) -> list[Number]:
    """The numbers of ``sentence`` in text order, without overlaps."""
    if not sentence:
        return []
    marks = _Marks(sentence, lang)
    cores = _digits(sentence, lang)
    cores += _listed(sentence, lang, cores)
    cores += _written(sentence, lang, cores, marks)
    found = [_attach(sentence, core, marks) for core in sorted(cores, key=lambda c: c.start)]
    return _ranges(sentence, lang, found)


# ------------------------------------------------------------------------------ digits


@cache
def _digit_pattern(space_groups: bool) -> re.Pattern[str]:
    spaces = _SPACES + (" " if space_groups else "")
    return re.compile(
        r"(?<![\w.,])(?P<sign>[+\-−](?=\d))?"
        r"(?P<digits>\d{1,3}(?:[" + spaces + r"]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)*)"
    )


def _digits(sentence: str, lang: str) -> list[_Core]:
    """The numbers written in digits, with a sign and an ordinal or year suffix glued on."""
    config = words(lang)["numbers"]
    cores = []
    for m in _digit_pattern(config["space_groups"]).finditer(sentence):
        digits = m.group("digits")
        plain = digits.isdigit()
        if _in_name(sentence, m.start()) and not (plain and _is_year(Decimal(digits))):
            continue
        stated = _parse(digits, config["locale"], config["fallback_locale"])
        if stated is None:
            continue
        sign = _SIGNS[m.group("sign")] if m.group("sign") else 1
        end, ordinal, plain = _suffix(sentence, m.end(), stated, plain and sign == 1, config)
        cores.append(_Core(m.start(), end, sign * stated, _precision(stated), ordinal, plain))
    return cores


def _in_name(sentence: str, start: int) -> bool:
    """Digits glued to a letter by a hyphen ("F-35")."""
    return start >= 2 and sentence[start - 1] in "-‐‑" and sentence[start - 2].isalpha()


@cache
def _parse(digits: str, locale: str, fallback: str) -> Decimal | None:
    """Digits read in the language's locale, else in the other convention, else ``None``."""
    from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal

    for each in (locale, fallback):
        text = re.sub(f"[ {_SPACES}]", get_group_symbol(each), digits)
        try:
            return parse_decimal(text, each, strict=True)
        except (NumberFormatError, ArithmeticError):  # ArithmeticError: beyond 28 digits
            continue
    return None


def _suffix(
    sentence: str, end: int, stated: Decimal, plain: bool, config: dict[str, Any]
) -> tuple[int, bool, bool]:
    """``(end, ordinal, plain)`` after an ordinal suffix ("2nd", "2e", "2.") or a year's
    estimate suffix ("2025e") glued to the digits."""
    letters = _LETTERS.match(sentence, end)
    glued = letters.group() if letters else ""
    if plain and _is_year(stated):
        if fold(glued)[0] in _folded(tuple(config["year_suffixes"])):
            return end + len(glued), False, True
        return end, False, True
    if plain and glued and fold(glued)[0] in _folded(tuple(config["ordinal_suffixes"])):
        return end + len(glued), True, False
    point_ordinal = "." in config["ordinal_suffixes"] and _POINT_WORD.match(sentence, end)
    if plain and not glued and point_ordinal:
        return end + 1, True, False
    return end, False, plain


@cache
def _folded(entries: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(entry)[0] for entry in entries)


def _is_year(stated: Decimal) -> bool:
    return FIRST_YEAR <= stated <= LAST_YEAR and stated == stated.to_integral_value()


def _precision(stated: Decimal) -> Decimal:
    """The unit of the last significant digit: 3.5 -> 0.1, 4 -> 1, 70 -> 10, 2.69 -> 0.01
    (trailing zeros of a whole number are not significant; zero -> 1)."""
    exponent = stated.as_tuple().exponent
    if isinstance(exponent, int) and exponent < 0:
        return Decimal(1).scaleb(exponent)
    whole = int(stated)
    zeros = len(str(abs(whole))) - len(str(abs(whole)).rstrip("0")) if whole else 0
    return Decimal(10) ** zeros


# ------------------------------------------------------------------------------ words


def _listed(sentence: str, lang: str, taken: list[_Core]) -> list[_Core]:
    """Numbers and ranks of the language file (``[numbers.words]``, ``[numbers.ordinals]``)."""
    config = words(lang)["numbers"]
    cores = []
    for start, end, phrase in scan(sentence, tuple(config["words"])):
        value, precision = config["words"][phrase]
        cores.append(_Core(start, end, Decimal(str(value)), Decimal(str(precision))))
    for start, end, phrase in scan(sentence, tuple(config["ordinals"])):
        cores.append(_Core(start, end, Decimal(config["ordinals"][phrase]), Decimal(1), True))
    covered = _covered(taken)
    return [core for core in cores if not _overlaps(core.start, core.end, covered)]


class _Token:
    """A word or a punctuation mark as text2num reads it."""

    def __init__(self, text: str, blocked: bool) -> None:
        self._text = text
        self._blocked = blocked

    def text(self) -> str:
        return self._text

    def nt_separated(self, previous: _Token) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return self._blocked


def _written(sentence: str, lang: str, taken: list[_Core], marks: _Marks) -> list[_Core]:
    """Written-out numbers (text2num), and an article before a scale word ("a billion")."""
    from text_to_num import find_numbers

    clean = without_surrogates(sentence)
    spans = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", clean)]
    big = {
        start
        for start, _, phrase in marks.scale.values()
        if marks.scales[phrase] >= SCALE_WORDS_FROM
    }
    covered = _covered(taken)
    tokens = [
        _Token(
            clean[s:e],
            s in big or any(c.isdigit() for c in sentence[s:e]) or _overlaps(s, e, covered),
        )
        for s, e in spans
    ]
    articles = {article.casefold() for article in words(lang)["numbers"]["articles"]}
    cores = []
    for occurrence in find_numbers(tokens, lang, 0):
        start, end = spans[occurrence.start][0], spans[occurrence.end - 1][1]
        if sentence[start:end].casefold() in articles:
            continue
        stated = Decimal(int(occurrence.value))
        ordinal = bool(occurrence.is_ordinal)
        precision = Decimal(1) if ordinal else _precision(stated)
        cores.append(_Core(start, end, stated, precision, ordinal))
    for s, e in spans:
        after = _skip_space(sentence, e)
        if sentence[s:e].casefold() in articles and after in big and not _overlaps(s, e, covered):
            cores.append(_Core(s, e, Decimal(1), Decimal(1)))
    return cores


def _covered(cores: list[_Core]) -> list[tuple[int, int]]:
    """The character spans the cores cover, merged, in text order."""
    merged: list[tuple[int, int]] = []
    for core in sorted(cores, key=lambda c: c.start):
        if merged and core.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], core.end))
        else:
            merged.append((core.start, core.end))
    return merged


def _overlaps(start: int, end: int, covered: list[tuple[int, int]]) -> bool:
    """Whether ``start:end`` overlaps one of the merged spans ``covered``."""
    at = bisect.bisect_left(covered, (end,))
    return at > 0 and covered[at - 1][1] > start


# ------------------------------------------------------------------------------ attached


class _Marks:
    """Where the sentence's scale, percent, currency and link words are."""

    def __init__(self, sentence: str, lang: str) -> None:
        table = words(lang)
        self.sentence = sentence
        self.scales: dict[str, float] = table["scale"]
        self.currencies: dict[str, str] = table["currency"]
        self.scale = {m[0]: m for m in scan(sentence, tuple(self.scales))}
        self.points = {m[0]: m for m in scan(sentence, tuple(table["percent"]["points"]))}
        self.percent = {m[0]: m for m in scan(sentence, tuple(table["percent"]["words"]))}
        currency = scan(sentence, tuple(self.currencies))
        self.currency = {m[0]: m for m in currency}
        self.currency_ends = {m[1]: m for m in currency}
        self.links = {m[0]: m for m in scan(sentence, tuple(table["numbers"]["currency_links"]))}

    def currency_before(self, position: int) -> Match | None:
        """A currency symbol or code ("€", "US$", "EUR", not a word) ending just before
        ``position`` (whitespace between)."""
        while position > 0 and self.sentence[position - 1].isspace():
            position -= 1
        match = self.currency_ends.get(position)
        if match is None or any(char.islower() for char in match[2]):
            return None
        return match


def _attach(sentence: str, core: _Core, marks: _Marks) -> Number:
    """The number with the scale, percent or currency written around it."""
    start, end = core.start, core.end
    scale, percent, points, currency = Decimal(1), False, False, None
    if not core.ordinal:
        before = marks.currency_before(core.start)
        if before is not None:
            start, currency = before[0], marks.currencies[before[2]]
        found = marks.scale.get(_skip_space(sentence, end))
        if found is not None and _scale_fits(end, found, marks):
            scale, end = Decimal(marks.scales[found[2]]), found[1]
        after = _skip_space(sentence, end)
        unit = marks.points.get(after) or marks.percent.get(after)
        if unit is not None:
            percent, points, end = True, after in marks.points, unit[1]
        elif currency is None:
            currency, end = _currency_after(sentence, end, scale != 1, marks)
    year = core.plain and not (percent or currency or scale != 1) and _is_year(core.stated)
    return Number(
        start=start,
        end=end,
        value=float(core.stated * scale),
        stated=float(core.stated),
        precision=1.0 if year or core.ordinal else float(core.precision),
        scale=float(scale),
        percent=percent,
        points=points,
        currency=currency,
        ordinal=core.ordinal,
        year=year,
    )


def _scale_fits(end: int, found: Match, marks: _Marks) -> bool:
    """A one-letter scale ("m", "M") counts glued to the number or followed by a currency
    symbol ("€500m", "500 M€"); longer ones after any space."""
    if len(found[2]) > 1:
        return True
    return found[0] == end or found[1] in marks.currency


def _currency_after(sentence: str, end: int, scaled: bool, marks: _Marks) -> tuple[str | None, int]:
    """``(code, end)`` of a currency written after the number (after a scale word also behind
    a link word: "milliards d'euros")."""
    position = _skip_space(sentence, end)
    link = marks.links.get(position)
    if scaled and link is not None:
        position = _skip_space(sentence, link[1])
    found = marks.currency.get(position)
    if found is None:
        return None, end
    return marks.currencies[found[2]], found[1]


def _skip_space(sentence: str, position: int) -> int:
    while position < len(sentence) and sentence[position].isspace():
        position += 1
    return position


# ------------------------------------------------------------------------------ ranges


def _ranges(sentence: str, lang: str, found: list[Number]) -> list[Number]:
    """Both ends of a range: "10-11 million", "2 à 3 procent", "von 70 auf 86 Milliarden" (the
    first end takes the scale, percent and currency of the second)."""
    connectors = {canonical(c) for c in words(lang)["numbers"]["ranges"]}
    out = list(found)
    for index in range(len(out) - 1):
        first, second = out[index], out[index + 1]
        between = sentence[first.end : second.start].strip()
        bare = not (first.scale != 1 or first.percent or first.currency or first.year)
        marked = second.scale != 1 or second.percent or second.currency
        if bare and marked and not first.ordinal and between and canonical(between) in connectors:
            out[index] = replace(
                first,
                value=float(Decimal(str(first.stated)) * Decimal(second.scale)),
                scale=second.scale,
                percent=second.percent,
                points=second.points,
                currency=second.currency,
            )
    return out
