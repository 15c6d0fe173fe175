"""Splitting a text into sentences: sentencex's boundaries, joined again after abbreviations of
the language file ("mld.", "Mrd.", "ca.", "bzw.") and after a number's point followed by lower
case ("in 2029. volgend" is one sentence) or, where the point marks ordinals ("der 2. Platz"),
after a point behind one to three digits."""

from __future__ import annotations

import re

from milex.claims.words import scan, without_surrogates, words

#: How much of a piece's end is searched for an abbreviation (characters).
TAIL = 24

_NUMBER_POINT = re.compile(r"\d\.$")
_ORDINAL_POINT = re.compile(r"(?<![\d.,])\d{1,3}\.$")
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")


def split(text: str, lang: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``, without leading and
    trailing whitespace and without empty ones, in text order. Linear in the text's length."""
    import sentencex

    spans: list[tuple[int, int]] = []
    clean = without_surrogates(text)
    for piece in sentencex.get_sentence_boundaries(lang, clean):
        start, end = _strip(clean, piece["start_index"], piece["end_index"])
        if start == end:
            continue
        if spans and _continues(clean, spans[-1], start, lang):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without its leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _continues(text: str, previous: tuple[int, int], start: int, lang: str) -> bool:
    """Whether the piece at ``start`` continues the sentence ``previous``: no blank line
    between, and the previous piece ends in an abbreviation (one that may end a sentence only
    before lower case or a digit), in a digit and a point before lower case, or in an ordinal's
    point ("2." where the language writes ordinals so)."""
    if _PARAGRAPH.search(text, previous[1], start):
        return False
    tail_start = max(previous[0], previous[1] - TAIL)
    tail = text[tail_start : previous[1]]
    lower_next = text[start].islower() or text[start].isdigit()
    ending = [m for m in scan(tail, _abbreviations(lang)) if m[1] == len(tail)]
    if ending:
        return ending[0][2] not in words(lang)["sentences"]["final"] or lower_next
    if "." in words(lang)["numbers"]["ordinal_suffixes"] and _ORDINAL_POINT.search(tail):
        return True
    return lower_next and _NUMBER_POINT.search(tail) is not None


def _abbreviations(lang: str) -> tuple[str, ...]:
    return tuple(words(lang)["sentences"]["abbreviations"])
