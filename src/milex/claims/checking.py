"""Checking a text: sentences -> readings -> verdicts, as one :class:`~milex.result.Result`.

:func:`check` is what ``milex check`` and ``milex.check`` run. Each claim row carries its
span, reading, verdict, reason (in the sentence's language), evidence with source and edition,
the tolerance used and, when the claim is dated, what the newest editions show where they
differ. A sentence longer than :data:`LONGEST` characters (no sentence of prose is) is not read,
and the result says how many were skipped, so that no input makes the check hang.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from milex.claims import language, sentences, wording
from milex.claims.claim import Claim, Evidence
from milex.claims.figures import Figures
from milex.claims.judging import Outcome, judge
from milex.claims.reading import read
from milex.result import CITATION_COLUMNS, Result
from milex.store import Store

#: Sentences longer than this (characters) are not read: a bounded time per sentence.
LONGEST = 2000
#: Sentences shorter than this take the language of the whole text, not their own detection.
SHORT = 40

COLUMNS = [
    "sentence",
    "start",
    "end",
    "text",
    "lang",
    "kind",
    "actors",
    "relation",
    "value",
    "unit",
    "year",
    "verdict",
    "reason",
    "tolerance",
    "editions",
    "later",
    "later_verdict",
]


def _later(claim: Claim, outcome: Outcome, newest: Outcome) -> None:
    """Say what the newest editions show when their figures differ from those used."""
    before = {(e.actor, e.year, e.indicator): e for e in outcome.evidence if e.value is not None}
    changed = [
        e
        for e in newest.evidence
        if e.value is not None
        and (e.actor, e.year, e.indicator) in before
        and e.vintage != before[(e.actor, e.year, e.indicator)].vintage
        and round(e.value, 6) != round(before[(e.actor, e.year, e.indicator)].value, 6)
    ]
    if not changed:
        return
    claim.later_verdict = newest.verdict
    claim.later = wording.say(
        "revised",
        {
            "figures": ", ".join(wording.figure(e, claim.lang) for e in changed),
            "vintage": changed[0].vintage,
            "verdict": wording.verdict(newest.verdict, claim.lang),
        },
        claim.lang,
    )


def _claim(
    index: int,
    span: tuple[int, int],
    text: str,
    lang: str,
    figures: Figures,
    newest: Figures | None,
    today: dt.date,
) -> tuple[Claim, pd.DataFrame | None] | None:
    """The claim of one sentence with the citations its outcome adds (None: no claim)."""
    start, end = span
    sentence = text[start:end]
    reading = read(sentence, lang, today)
    if reading is None:
        return None
    outcome = judge(reading, figures, today)
    judged = [e.year for e in outcome.evidence if e.year is not None]
    if reading.year is None:  # a present-tense claim is about the year it was judged on
        reading = dataclasses.replace(reading, year=max(judged) if judged else today.year)
    claim = Claim(index, start, end, sentence, lang, reading, outcome.verdict)
    claim.evidence = outcome.evidence
    currency = next((e.unit for e in outcome.evidence if len(e.unit) == 3), reading.unit)
    claim.tolerance = wording.tolerance(outcome.tolerance, outcome.tolerance_unit, lang, currency)
    claim.reason = wording.reason(claim, outcome.reasons)
    if newest is not None:
        _later(claim, outcome, judge(reading, newest, today))
    return claim, outcome.sources


def _row(claim: Claim) -> dict:
    r = claim.reading
    used = sorted({f"{e.source} {e.vintage}" for e in claim.evidence if e.vintage})
    return {
        "sentence": claim.sentence,
        "start": claim.start,
        "end": claim.end,
        "text": claim.text,
        "lang": claim.lang,
        "kind": r.kind,
        "actors": ";".join(r.actors),
        "relation": r.relation,
        "value": r.value,
        "unit": r.unit,
        "year": r.year,
        "verdict": claim.verdict,
        "reason": claim.reason,
        "tolerance": claim.tolerance,
        "editions": "; ".join(used),
        "later": claim.later,
        "later_verdict": claim.later_verdict,
    }


def _sources(store: Store, evidence: list[Evidence], cited: list[pd.DataFrame]) -> pd.DataFrame:
    """The citations of every figure used: the store's origins of the observations, and the
    citations an outcome brought (the munitions estimates), once each."""
    ids = sorted({i for e in evidence if e.source_id for i in e.source_id.split(";")})
    frames = [store.origins(ids) if ids else pd.DataFrame(columns=CITATION_COLUMNS), *cited]
    held = [f for f in frames if not f.empty]
    return pd.concat(held, ignore_index=True).drop_duplicates("id") if held else frames[0]


def check(store: Store, text: str, lang: str | None = None, date: dt.date | None = None) -> Result:
    """Every checkable claim of ``text`` with its verdict (kind ``check``; docs/claims.md).

    ``lang`` (nl, en, de, fr) or None to detect it per sentence; ``date`` the day the text was
    written: the figures are those published by then (None: the newest). ``extra["claims"]``
    holds each claim in full (reading, evidence); the frame has one row per claim
    (:data:`COLUMNS`).
    """
    today = date or dt.date.today()
    figures = Figures(store, date)
    newest = Figures(store, None) if date is not None else None
    text_lang = lang or language.detect(text[:5000])
    claims: list[Claim] = []
    cited: list[pd.DataFrame] = []
    spans = sentences.split(text, text_lang)
    skipped = 0
    for index, span in enumerate(spans):
        if span[1] - span[0] > LONGEST:
            skipped += 1
            continue
        sentence_lang = lang or text_lang
        if lang is None and span[1] - span[0] >= SHORT:
            sentence_lang = language.detect(text[span[0] : span[1]])
        found = _claim(index, span, text, sentence_lang, figures, newest, today)
        if found is not None:
            claims.append(found[0])
            if found[1] is not None:
                cited.append(found[1])
    notes = []
    if skipped:
        notes.append(
            f"{skipped} sentence(s) longer than {LONGEST} characters were not read "
            "(no sentence of prose is that long)"
        )
    evidence = [e for c in claims for e in c.evidence]
    frame = pd.DataFrame([_row(c) for c in claims], columns=COLUMNS)
    return Result(
        "check",
        frame,
        units={"value": "as in unit: percent of GDP, currency units, percent, ratio or rank"},
        sources=_sources(store, evidence, cited),
        query={
            "lang": lang or text_lang,
            "date": date.isoformat() if date else None,
            "sentences": len(spans),
            "claims": len(claims),
        },
        notes=notes,
        extra={"claims": [dataclasses.asdict(c) for c in claims]},
    )
