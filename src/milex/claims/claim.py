"""What a claim is: its structured reading, the evidence and the verdict (docs/claims.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The kinds of claims milex reads.
KINDS = ("share", "amount", "change", "pledge", "reached", "ranking", "growth", "ratio")
#: The verdicts, from best to worst; ``not checkable`` is no judgement at all.
VERDICTS = ("supported", "partly supported", "contradicted", "not checkable")
SUPPORTED, PARTLY, CONTRADICTED, UNCHECKABLE = VERDICTS
#: A negated relation ("does not reach", "niet meer dan"); other negated claims are not read.
NEGATED = {"at_least": "below", "above": "at_most", "below": "at_least", "at_most": "above"}
#: The unit of a change read without numbers: the national currency of the figures.
NATIONAL = "national"


@dataclass(frozen=True)
class Reading:
    """A claim read into numbers (units in docs/claims.md).

    ``value`` is percent of GDP (share, reached, pledge), an amount in currency **units** (not
    million), percent (growth), a production ratio of actor 1 to actor 2 (ratio) or a rank, 1 the
    largest (ranking); ``value_from`` is a change's stated start. ``precision`` is the unit of
    the stated value's last significant digit (3.5 -> 0.1, 70 -> 10). ``negated``: the
    sentence denies the claim; its relation is already turned around where that is possible
    ("does not reach 2%": below 2), else the claim is not checkable. ``metric`` says what a
    change or ranking is about (``share`` or ``amount``); ``scope`` is a ranking's group.
    ``real``: the sentence says "in real terms" (growth is judged on real change either way);
    ``nominal``: it says "in nominal terms" (not checkable: milex holds real change only);
    ``past``: the sentence is in the simple past ("spent", "gaf"): without a year it is about
    the year before the claim date, not the current one;
    ``year_stated``: the year is written in the sentence (else it is the claim date's year or
    the latest year held, filled in once judged).
    """

    kind: str
    actors: tuple[str, ...]
    relation: str = "equals"
    value: float | None = None
    precision: float | None = None
    unit: str | None = None
    year: int | None = None
    value_from: float | None = None
    precision_from: float | None = None
    year_from: int | None = None
    metric: str = "share"
    scope: str | None = None
    real: bool = False
    nominal: bool = False
    past: bool = False
    year_stated: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Evidence:
    """One figure a verdict rests on: ``value`` in ``unit`` as published (or converted, said in
    ``note``), for ``actor`` and ``year``, from ``source``'s edition ``vintage``, with the check's
    own verdict on it (a group claim has one per member)."""

    actor: str
    year: int | None
    indicator: str
    value: float | None
    unit: str
    status: str
    source: str
    vintage: str
    source_id: str | None
    verdict: str
    note: str = ""


@dataclass
class Claim:
    """One checkable claim of a text: where it is, how it reads, and the verdict with its
    reason (in the text's language), evidence, tolerance and what later editions show."""

    sentence: int
    start: int
    end: int
    text: str
    lang: str
    reading: Reading
    verdict: str = "not checkable"
    reason: str = ""
    tolerance: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    later: str = ""
    later_verdict: str | None = None
