"""milex ask: plain-language answers in the question's language, with the figures behind them.

Expected figures are NATO's July 2026 edition as published (nato_2026-07.csv): the Netherlands
2026 27,900 EUR million and 2.58% of GDP (estimates); Germany 2025 99,298 EUR million and 2.22%;
shares above 3.5% in 2026: Lithuania 5.33, Estonia 5.10, Latvia 4.92, Poland 4.68, Greece 3.65;
the largest spender in 2026: the United States, 1,032,849 USD million.
"""

from __future__ import annotations

import pytest

import milex
from tests.test_cli import run


def plain(text: str) -> str:
    """Babel writes no-break spaces between number and unit; compare with plain spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def figures(result):
    return {(r.iso3, r.year, r.indicator): r.value for r in result.frame.itertuples()}


def test_how_much_does_the_netherlands_spend_in_dutch():
    result = milex.ask("Hoeveel geeft Nederland uit aan defensie?")
    assert result.query["lang"] == "nl" and result.extra["answered"]
    assert figures(result) == {
        ("NLD", 2026, "spend_national_current"): 27_900.0,
        ("NLD", 2026, "share_gdp"): 2.58,
    }
    answer = plain(result.extra["answer"])
    assert "Nederland" in answer and "27,9" in answer and "2,58%" in answer
    assert "NATO 2026-07" in answer
    assert set(result.sources["vintage"]) == {"2026-07"}


def test_which_allies_spend_more_than_3_5_percent():
    result = milex.ask("Which allies spend more than 3.5%?")
    assert set(r.iso3 for r in result.frame.itertuples()) == {"LTU", "EST", "LVA", "POL", "GRC"}
    assert "Allies spending more than 3.5% of GDP in 2026: 5" in result.extra["answer"]
    assert "Lithuania 5.33%" in result.extra["answer"]


def test_how_much_does_germany_spend_in_2025_in_german():
    result = milex.ask("Wie viel gibt Deutschland 2025 aus?")
    assert figures(result)[("DEU", 2025, "spend_national_current")] == 99_298.0
    answer = plain(result.extra["answer"])
    assert "99,3 Mrd. €" in answer and "2,22%" in answer and "Schätzung" in answer


def test_which_country_spends_the_most_in_french():
    result = milex.ask("Quel pays dépense le plus ?")
    assert result.query["lang"] == "fr"
    top = result.frame.iloc[0]
    assert (top.iso3, top.value) == ("USA", 1_032_849.0)
    assert "États-Unis" in result.extra["answer"]


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Wat is de hoofdstad van Frankrijk?", "nl"),
        ("What is the weather like?", "en"),
        ("Wie spät ist es?", "de"),
        ("Quelle heure est-il ?", "fr"),
    ],
)
def test_a_question_it_cannot_answer_says_so_and_shows_examples(question, lang):
    result = milex.ask(question)
    assert not result.extra["answered"]
    assert result.frame.empty
    assert len(result.extra["examples"]) == 4
    # the examples are in the question's language, and each of them is answered
    for example in result.extra["examples"]:
        assert milex.ask(example, lang=lang).extra["answered"], example


def test_cli_ask_prints_the_answer_and_exits_1_when_it_cannot(capsys):
    code, out, _ = run(capsys, "ask", "Hoeveel geeft Nederland uit aan defensie?")
    assert code == 0 and "2,58%" in out and "Source: NATO" in out
    code, out, _ = run(capsys, "ask", "Wat is de hoofdstad van Frankrijk?")
    assert code == 1 and "kan ik niet beantwoorden" in out
