"""Reading sentences into claims: the cases the labelled sets hold few of (negation, one-word
multipliers, ranking scopes, forecasts, currency words that fit several countries).

Each expected reading is written out by hand from the sentence.
"""

from __future__ import annotations

import datetime as dt

import pytest

import milex
from milex.claims.reading import read

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("sentence", "lang", "kind", "relation", "negated"),
    [
        # "does not reach 2%": below 2
        ("Canada haalt de norm van 2 procent van het bbp niet.", "nl", "reached", "below", True),
        # "nicht mehr als" is a relation of its own (at most), not a negated "mehr als"
        ("Polen gibt nicht mehr als 5 % des BIP aus.", "de", "share", "at_most", False),
        ("Poland does not spend more than 5% of GDP on defence.", "en", "share", "at_most",
         True),
        # "nog geen" is a relation of its own, not a negation of "2 procent"
        ("Spanje geeft nog geen 2 procent van het bbp uit aan defensie.", "nl", "share", "below",
         False),
        # a negated exact figure cannot be turned around: read, then not checkable
        ("La France ne consacre pas 3,5 % de son PIB à la défense.", "fr", "share", "equals",
         True),
    ],
)  # fmt: skip
def test_negation(sentence, lang, kind, relation, negated):
    reading = read(sentence, lang, TODAY)
    assert (reading.kind, reading.relation, reading.negated) == (kind, relation, negated)


def test_a_relation_word_binds_only_to_the_number_right_after_it():
    # "under" is a relation word, but here it names a government, not a bound
    reading = read("In 2024, under Tusk, Poland spent 3.75% of GDP on defence.", "en", TODAY)
    assert (reading.relation, reading.value) == ("equals", 3.75)
    reading = read("The US is spending more than $1 trillion on defence this year.", "en", TODAY)
    assert (reading.relation, reading.value) == ("above", 1e12)


def test_a_negated_figure_is_judged_on_the_turned_relation():
    # Poland 2026: 4.68% (NATO July 2026 edition): not more than 5% -> at most 5: supported
    result = milex.check("Polen gibt nicht mehr als 5 % des BIP aus.")
    assert result.frame["verdict"].tolist() == ["supported"]
    # "does not spend 3.5%": an exact figure denied is not checkable, and says why
    result = milex.check("La France ne consacre pas 3,5 % de son PIB à la défense.")
    assert result.frame["verdict"].tolist() == ["not checkable"]
    assert "nie" in result.frame["reason"].iloc[0]


def test_one_word_multiplier_and_periods():
    reading = read("Russland produzierte 2024 fünfmal so viel Artilleriemunition wie die NATO.",
                   "de", TODAY)  # fmt: skip
    assert (reading.kind, reading.actors, reading.value, reading.year) == (
        "ratio", ("RUS", "nato"), 5.0, 2024
    )  # fmt: skip
    # three times as much in three months as NATO in a year: 3 x 12 / 3 = 12
    reading = read("Russia makes three times as much ammunition in three months as NATO makes "
                   "in a year.", "en", TODAY)  # fmt: skip
    assert reading.value == 12.0


def test_ranking_scope_is_not_an_actor():
    reading = read("Unter den nordischen Ländern gibt Schweden am meisten für Verteidigung aus.",
                   "de", TODAY)  # fmt: skip
    assert (reading.kind, reading.actors, reading.scope, reading.value) == (
        "ranking", ("SWE",), "nordics", 1.0
    )  # fmt: skip


def test_a_forecast_is_no_pledge():
    reading = read("Laut Prognosen wird Ungarn 2030 2,5 % des BIP für Verteidigung ausgeben.",
                   "de", TODAY)  # fmt: skip
    assert (reading.kind, reading.year) == ("share", 2030)
    pledge = read("Ungarn will 2030 2,5 % des BIP für Verteidigung ausgeben.", "de", TODAY)
    assert pledge.kind == "pledge"


def test_kroner_are_the_spender_s_own_currency():
    reading = read("Norway's defence budget nearly doubled from 93 billion kroner in 2023 to "
                   "186 billion kroner in 2026.", "en", TODAY)  # fmt: skip
    assert (reading.kind, reading.relation, reading.unit) == ("change", "nearly_doubling",
                                                               "national")  # fmt: skip
    assert (reading.value_from, reading.value) == (93e9, 186e9)
    assert (reading.year_from, reading.year) == (2023, 2026)


def test_no_actor_or_no_metric_holds_no_claim():
    assert read("The summit lasted two days.", "en", TODAY) is None
    assert read("Germany hosted the meeting of defence ministers in Berlin.", "en", TODAY) is None


def test_a_sentence_in_the_past_without_a_year_is_about_the_year_before():
    # dated 1 August 2026 (July 2026 edition): Germany 2025 99,298 EUR million (estimate),
    # 2026 124,660; "99 billion" has tolerance max(0.5 bn, 2% of 99 bn = 1.98 bn)
    past = milex.check("Germany spent 99 billion euros on defence.", date="2026-08-01")
    assert past.extra["claims"][0]["reading"]["past"] is True
    assert (past.frame["year"].iloc[0], past.frame["verdict"].iloc[0]) == (2025, "supported")
    present = milex.check("Germany spends 99 billion euros on defence.", date="2026-08-01")
    assert (present.frame["year"].iloc[0], present.frame["verdict"].iloc[0]) == (
        2026,
        "contradicted",
    )
