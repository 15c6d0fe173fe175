"""The years a sentence speaks of: years in digits ("2035", "2025e", "2024-2026", "2024/25")
and relative phrases resolved against the claim's date ("volgend jaar", "in the coming years",
"in zwei Jahren", "dans les cinq prochaines années"), each flagged as a deadline ("by 2035",
"tegen 2035", "bis 2035", "d'ici 2035") or a start ("since 2014", "sinds", "seit", "depuis").

The phrases are data (``[dates]`` of the language file): ``relative`` (phrase -> offset in
years), ``periods`` (phrase -> first and last offset), ``by`` and ``since`` (the words just
before a year), and ``counted`` (a number of years between words: ``ahead`` "over twee jaar"
+n, ``within`` "binnen twee jaar" +n as a deadline, ``next`` "de komende vijf jaar" +1 .. +n,
``past`` "de afgelopen vijf jaar" -n .. 0, ``ago`` "drie jaar geleden" -n).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from milex.claims.numbers import LAST_YEAR, Number, numbers
from milex.claims.words import find, longest, scan, words

#: The most years a counted phrase may span ("de komende 30 jaar").
MAX_COUNT = 100

_PERIOD_END = re.compile(r"\s*[-–—/]\s*(\d{4}|\d{2})(?![\d\w])")


@dataclass(frozen=True)
class YearMention:
    """A year (or a span of years) a sentence speaks of.

    ``start``/``end`` are character offsets in the sentence; ``year`` the (first) year and
    ``last`` the last (equal to ``year`` unless a period); ``relative`` for a phrase resolved
    against the claim's date; ``by`` for a deadline ("by 2035"); ``since`` for a start
    ("since 2014").
    """

    start: int
    end: int
    year: int
    last: int
    relative: bool
    by: bool
    since: bool


def years(sentence: str, lang: str, today: dt.date) -> list[YearMention]:
    """The years ``sentence`` speaks of, in text order, without overlaps (the longest phrase
    wins), relative phrases resolved against ``today`` (the claim's date)."""
    if not sentence:
        return []
    found = numbers(sentence, lang)
    mentions = _absolute(sentence, found)
    mentions += _relative(sentence, lang, today.year)
    mentions += _counted(sentence, lang, today.year, found)
    chosen = [mentions[int(i)] for _, _, i in longest(_spans(mentions))]
    by = {end: start for start, end, _ in find(sentence, lang, "dates", "by")}
    since = {end: start for start, end, _ in find(sentence, lang, "dates", "since")}
    return [
        replace(
            mention,
            by=mention.by or _ending_at(sentence, by, mention.start) is not None,
            since=_ending_at(sentence, since, mention.start) is not None,
        )
        for mention in chosen
    ]


def _spans(mentions: list[YearMention]) -> list[tuple[int, int, str]]:
    """The mentions as matches ``(start, end, index)``, for :func:`longest`."""
    return [(m.start, m.end, str(index)) for index, m in enumerate(mentions)]


def _absolute(sentence: str, found: list[Number]) -> list[YearMention]:
    """Years written in digits, and periods "2024-2026", "2024/25"."""
    mentions = []
    for number in found:
        if not number.year:
            continue
        year = int(number.value)
        last, end = _period_end(sentence, number.end, year)
        mentions.append(YearMention(number.start, end, year, last, False, False, False))
    return mentions


def _period_end(sentence: str, end: int, year: int) -> tuple[int, int]:
    """``(last year, end)`` of a period written after a year ("-2026", "/25"), else the year."""
    m = _PERIOD_END.match(sentence, end)
    if m is None:
        return year, end
    digits = m.group(1)
    last = int(digits) if len(digits) == 4 else year // 100 * 100 + int(digits)
    if year < last <= LAST_YEAR:
        return last, m.end()
    return year, end


def _relative(sentence: str, lang: str, this_year: int) -> list[YearMention]:
    """Relative phrases ("volgend jaar") and periods ("in de komende jaren")."""
    dates = words(lang)["dates"]
    mentions = []
    for start, end, phrase in find(sentence, lang, "dates", "relative"):
        year = this_year + dates["relative"][phrase]
        mentions.append(YearMention(start, end, year, year, True, False, False))
    for start, end, phrase in find(sentence, lang, "dates", "periods"):
        first, last = dates["periods"][phrase]
        mentions.append(
            YearMention(start, end, this_year + first, this_year + last, True, False, False)
        )
    return mentions


def _counted(sentence: str, lang: str, this_year: int, found: list[Number]) -> list[YearMention]:
    """A number of years between words ("over twee jaar", "de komende vijf jaar")."""
    mentions = []
    for kind, words_around in words(lang)["dates"]["counted"].items():
        before = {end: start for start, end, _ in scan(sentence, tuple(words_around["before"]))}
        after = {start: end for start, end, _ in scan(sentence, tuple(words_around["after"]))}
        for number in found:
            count = _count(number)
            if count is None:
                continue
            start = _ending_at(sentence, before, number.start)
            end = _starting_at(sentence, after, number.end)
            if end is None or (words_around["before"] and start is None):
                continue
            first, last = _span(kind, this_year, count)
            start = number.start if start is None else start
            mentions.append(YearMention(start, end, first, last, True, kind == "within", False))
    return mentions


def _count(number: Number) -> int | None:
    """A whole number of years, 1 to :data:`MAX_COUNT`, with nothing attached."""
    bare = not (number.percent or number.currency or number.ordinal or number.scale != 1)
    if bare and number.value.is_integer() and 1 <= number.value <= MAX_COUNT:
        return int(number.value)
    return None


def _span(kind: str, this_year: int, count: int) -> tuple[int, int]:
    """First and last year of a counted phrase of ``kind``."""
    spans = {
        "ahead": (count, count),
        "within": (count, count),
        "next": (1, count),
        "past": (-count, 0),
        "ago": (-count, -count),
    }
    first, last = spans[kind]
    return this_year + first, this_year + last


def _ending_at(sentence: str, ends: dict[int, int], position: int) -> int | None:
    """The start of a match (``ends``: end -> start) that ends just before ``position``
    (whitespace between)."""
    while position > 0 and sentence[position - 1].isspace():
        position -= 1
    return ends.get(position)


def _starting_at(sentence: str, starts: dict[int, int], position: int) -> int | None:
    """The end of a match (``starts``: start -> end) that starts just after ``position``
    (whitespace between)."""
    while position < len(sentence) and sentence[position].isspace():
        position += 1
    return starts.get(position)
