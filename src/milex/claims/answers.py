"""Plain-language answers to citizens' questions, in the question's language.

:func:`ask` reads the question with the same pieces as a claim (:func:`milex.claims.reading.pieces`)
and answers three kinds: how much a country spends (in a year), which allies spend more than a
share of GDP, and who spends the most (in a group). The answer is a sentence built from the
messages file, with the figures behind it in the frame (tidy rows with source and edition). A
question it cannot answer says so and lists what it can answer, in the same language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from milex import geo
from milex.claims import language, wording
from milex.claims.figures import Figure, Figures
from milex.claims.judging import amount_figure, current_year
from milex.claims.reading import SCOPES, Pieces, pieces
from milex.result import Result
from milex.store import Store
from milex.vocab import rescale

#: The columns of an answer's frame: the fields of a figure (tidy, with its origin).
FIGURE_COLUMNS = [f.name for f in dataclasses.fields(Figure)]


def _rows(found: list[Figure]) -> pd.DataFrame:
    return pd.DataFrame([dataclasses.asdict(f) for f in found], columns=FIGURE_COLUMNS)


def _how_much(p: Pieces, figures: Figures, today: dt.date) -> tuple[str, list[Figure]] | None:
    code = next((a.code for a in p.actors if not a.group), None)
    if code is None or not p.has("spending"):
        return None
    year = next((y.year for y in p.years if not y.since), None)
    fig, value, _note, year = amount_figure(figures, code, "national", year, today)
    if fig is None or value is None:
        return None
    source = "nato" if figures.holds("nato", code) else "sipri"
    share = figures.get(source, "share_gdp", code, year)
    text = wording.messages(p.lang)["answers"]["amount"].format(
        actor=wording.name(code, p.lang),
        amount=wording.money(value, fig.unit[:3], p.lang),
        year=year,
        share=wording.number(share.value, p.lang) + "%" if share else "?",
        status=wording.messages(p.lang)["statuses"].get(fig.status, fig.status),
        source=fig.source.upper(),
        vintage=fig.vintage,
    )
    return text, [f for f in (fig, share) if f is not None]


def _above(p: Pieces, figures: Figures, today: dt.date) -> tuple[str, list[Figure]] | None:
    percent = next((n for n in p.numbers if n.percent), None)
    if percent is None or not p.has("spending", "gdp") or p.has("below", "at_most"):
        return None  # only "more than X%" is answered; "less than" would need its own words
    year = next((y.year for y in p.years if not y.since), None)
    year = year or current_year(figures, "nato", "share_gdp", "NATO_TOTAL", today)
    found = [figures.get("nato", "share_gdp", m, year) for m in geo.members("nato", year)]
    found = sorted((f for f in found if f is not None), key=lambda f: -f.value)
    if not found:  # no figures for that year: no answer, rather than "no ally"
        return None
    above = [f for f in found if f.value > percent.value]
    answers = wording.messages(p.lang)["answers"]
    vintage = found[0].vintage if found else ""
    params = {
        "year": year,
        "value": wording.number(percent.value, p.lang),
        "source": "NATO",
        "vintage": vintage,
        "count": len(above),
    }
    if not above:
        return answers["share_list_none"].format(**params), found[:1]
    listed = ", ".join(
        f"{wording.name(f.iso3, p.lang)} {wording.number(f.value, p.lang)}%" for f in above
    )
    return answers["share_list"].format(list=listed, **params), above


def _largest(p: Pieces, figures: Figures, today: dt.date) -> tuple[str, list[Figure]] | None:
    if not p.cue("largest") or not p.has("spending", "spender"):
        return None
    scope = next((a.code for a in p.actors if a.code in SCOPES), "nato")
    year = next((y.year for y in p.years if not y.since), None)
    indicator = "share_gdp" if p.has("gdp") else "spend_usd_current"  # "relative to GDP"
    year = year or current_year(figures, "nato", indicator, "USA", today)
    found = [figures.get("nato", indicator, m, year) for m in geo.members(scope, year)]
    found = sorted((f for f in found if f is not None), key=lambda f: -f.value)
    if not found:
        return None
    top = found[0]
    if indicator == "share_gdp":
        shown = wording.number(top.value, p.lang) + wording.messages(p.lang)["units"]["share"]
    else:
        shown = wording.money(rescale(top.value, "million", "unit"), "USD", p.lang)
    text = wording.messages(p.lang)["answers"]["largest"].format(
        scope=wording.name(scope, p.lang),
        year=year,
        actor=wording.name(top.iso3, p.lang),
        amount=shown,
        source="NATO",
        vintage=top.vintage,
    )
    return text, found[:3]


def ask(store: Store, question: str, lang: str | None = None) -> Result:
    """The answer to ``question`` (kind ``answer``): ``extra["answer"]`` the sentence in the
    question's language, the frame the figures behind it (tidy, with source and edition);
    ``extra["answered"]`` False, and ``extra["examples"]`` the questions it can answer, when it
    cannot."""
    lang = lang or language.detect(question)
    today = dt.date.today()
    figures = Figures(store)
    p = pieces(question[:1000], lang, today)
    found = None
    if p.cue("question") or question.rstrip().endswith("?"):
        for answer in (_largest, _above, _how_much):
            found = answer(p, figures, today)
            if found is not None:
                break
    answers = wording.messages(lang)["answers"]
    text, used = found if found else (answers["unknown"], [])
    ids = sorted({f.source_id for f in used})
    return Result(
        "answer",
        _rows(used),
        units={"value": "as in unit"},
        sources=store.origins(ids),
        query={"question": question[:1000], "lang": lang},
        extra={
            "answer": text,
            "answered": found is not None,
            "examples": [] if found else list(answers["examples"]),
        },
    )
