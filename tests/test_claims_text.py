"""The language layer of the claim checker: words, language, sentences, numbers, years and names
in Dutch, English, German and French (docs/claims.md). Expected values are written by hand."""

from __future__ import annotations

import datetime as dt
import itertools

import pycountry
import pytest

from milex import geo
from milex.claims.dates import years
from milex.claims.language import detect
from milex.claims.names import actors
from milex.claims.numbers import numbers
from milex.claims.sentences import split
from milex.claims.words import LANGUAGES, find, phrases, words
from milex.errors import InputError

TODAY = dt.date(2025, 6, 24)
GARBAGE = "\x00\xff\ud800\udfff\ufffe 3,5 % \u202f\u00a0 €€ $$ -- ++ 2025e 1.2.3.4 ,,, ... \x1b["

CUES = {
    "gdp", "spending", "pledge", "reach", "reached", "largest", "smallest", "spender",
    "growth_rising", "growth_rapid", "real", "doubling", "tripling", "nearly", "about",
    "at_least", "above", "below", "production", "months", "weeks", "month_period", "year_period",
    "times_as_much", "twice", "question", "artillery", "target", "forecast",
}  # fmt: skip


def _number(text: str, lang: str, index: int = 0) -> tuple:
    """The ``index``-th number of ``text``: its text and what was read."""
    n = numbers(text, lang)[index]
    return (
        text[n.start : n.end],
        n.value,
        n.stated,
        n.precision,
        n.scale,
        n.percent,
        n.points,
        n.currency,
        n.ordinal,
        n.year,
    )


# ------------------------------------------------------------------------------ language files


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_file_has_every_section_and_cue(lang):
    table = words(lang)
    assert set(table) == {
        "numbers", "scale", "percent", "currency", "dates", "sentences", "names", "inflection",
        "cues",
    }  # fmt: skip
    # every language has the cues the reading needs, and the same ones as English
    assert set(table["cues"]) >= CUES
    assert set(table["cues"]) == set(words("en")["cues"])
    assert all(table["cues"][key] for key in CUES)
    assert set(table["dates"]) == {"relative", "periods", "by", "since", "counted"}
    assert set(table["dates"]["counted"]) == {"ahead", "within", "next", "past", "ago"}
    assert set(table["percent"]) == {"words", "points"}
    assert table["sentences"]["abbreviations"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_file_codes_are_known(lang):
    table = words(lang)
    groups = set(geo.group_ids())
    for phrase, code in table["names"].items():
        assert code == "" or code in groups or geo.is_known_code(code), phrase
    for phrase, code in table["currency"].items():
        # "national": a word that fits several currencies (kroner) names the spender's own
        assert code == "national" or pycountry.currencies.get(alpha_3=code), phrase
    assert set(table["scale"].values()) <= {1e3, 1e6, 1e9, 1e12}


def test_unknown_language_is_refused():
    with pytest.raises(InputError, match="unknown language"):
        words("es")


# ------------------------------------------------------------------------------ find


def test_find_ignores_case_and_accents_and_maps_back_to_the_text():
    text = "Duitsland VERDUBBELT zijn Defensie-Uitgaven; zo’n 3 procent"
    assert find(text, "nl", "cues", "doubling") == [(10, 20, "verdubbel*")]
    assert find(text, "nl", "cues", "spending") == [(26, 43, "defensie-uitgaven")]
    assert find(text, "nl", "cues", "about") == [(45, 49, "zo'n")]
    text = "Die GRÖSSTE Armee und die größten Ausgaben"
    assert [text[s:e] for s, e, _ in find(text, "de", "cues", "largest")] == ["GRÖSSTE", "größten"]


def test_find_keeps_word_boundaries_and_the_longest_match():
    assert find("xbbpx en bbpjes", "nl", "cues", "gdp") == []
    text = "le budget de la défense et les budgets"
    assert [p for _, _, p in find(text, "fr", "cues", "spending")] == [
        "budget de la défense",
        "budget*",
    ]
    # hyphen, space or nothing: the same phrase
    for text in ["defensie-uitgaven", "defensie uitgaven", "defensieuitgaven"]:
        assert find(text, "nl", "cues", "spending") == [(0, len(text), "defensie-uitgaven")]


def test_phrases_of_a_list_and_of_a_table():
    assert "bbp" in phrases("nl", "cues", "gdp")
    assert "miljard" in phrases("nl", "scale")
    assert "volgend jaar" in phrases("nl", "dates", "relative")


# ------------------------------------------------------------------------------ language


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nl", "Duitsland geeft meer uit."),
        ("nl", "Polen haalt al 4 procent."),
        ("nl", "Hoeveel geeft Nederland uit?"),
        ("en", "Germany spends more."),
        ("en", "Poland already meets 4 percent."),
        ("en", "How much does the UK spend?"),
        ("de", "Deutschland gibt mehr aus."),
        ("de", "Polen erreicht bereits 4 Prozent."),
        ("de", "Wie viel gibt Frankreich aus?"),
        ("fr", "L'Allemagne dépense plus."),
        ("fr", "La Pologne atteint déjà 4 %."),
        ("fr", "Combien dépense la France ?"),
    ],
)
def test_detect_short_sentences(lang, text):
    assert detect(text) == lang


def test_detect_without_letters_is_english_and_never_raises():
    assert detect("") == "en"
    assert detect("3,5 % 2025 €") == "en"
    assert detect(GARBAGE) in LANGUAGES
    assert detect("\ud800" * 10 + " Deutschland gibt mehr aus.") == "de"


# ------------------------------------------------------------------------------ sentences


def _sentences(text: str, lang: str) -> list[str]:
    return [text[start:end] for start, end in split(text, lang)]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "nl",
            "Dat is ca. 20 mld. euro per jaar. Volgens dr. Jansen is dat veel!",
            ["Dat is ca. 20 mld. euro per jaar.", "Volgens dr. Jansen is dat veel!"],
        ),
        (
            "nl",
            "Het doel ligt in 2029. volgend jaar wordt het 2,1 procent. Klaar.",
            ["Het doel ligt in 2029. volgend jaar wordt het 2,1 procent.", "Klaar."],
        ),
        (
            "en",
            "Britain spent £60.2bn, i.e. 2.3% of GDP. The U.S. spent more.",
            ["Britain spent £60.2bn, i.e. 2.3% of GDP.", "The U.S. spent more."],
        ),
        (
            "de",
            "Das sind ca. 90 Mrd. Euro bzw. mehr. Der 2. Platz geht an Polen.",
            ["Das sind ca. 90 Mrd. Euro bzw. mehr.", "Der 2. Platz geht an Polen."],
        ),
        (
            "de",
            "Die Quote liegt bei 2,5. Das Ziel ist 2029. Die NATO will mehr.",
            ["Die Quote liegt bei 2,5.", "Das Ziel ist 2029.", "Die NATO will mehr."],
        ),
        (
            "fr",
            "La France dépense env. 3,5 Md. d'euros de plus. M. Macron l'a dit.",
            ["La France dépense env. 3,5 Md. d'euros de plus.", "M. Macron l'a dit."],
        ),
    ],
)
def test_split_joins_after_abbreviations_and_numbers(lang, text, expected):
    assert _sentences(text, lang) == expected


def test_split_spans_map_back_and_exclude_whitespace():
    text = "  Eerste zin.   Tweede zin!\n\n\tDerde zin?  "
    spans = split(text, "nl")
    assert [text[s:e] for s, e in spans] == ["Eerste zin.", "Tweede zin!", "Derde zin?"]
    assert spans == [(2, 13), (16, 27), (30, 40)]


def test_split_does_not_join_across_a_blank_line():
    text = "Het kost 20 mld.\n\nDe NAVO wil meer."
    assert _sentences(text, "nl") == ["Het kost 20 mld.", "De NAVO wil meer."]


def test_split_empty_and_garbage():
    assert split("", "en") == []
    assert split(" \n\t ", "de") == []
    for lang in LANGUAGES:
        for start, end in split(GARBAGE, lang):
            assert 0 <= start < end <= len(GARBAGE)
            assert GARBAGE[start:end] == GARBAGE[start:end].strip()


def test_split_a_megabyte():
    """Correctness only: a 1 MB text splits into its sentences (no timing assert)."""
    sentence = "Duitsland geeft ca. 90 mld. euro uit, 2,1 procent van het bbp in 2029. Klaar! "
    text = sentence * (1_000_000 // len(sentence) + 1)
    spans = split(text, "nl")
    count = len(text) // len(sentence)
    assert len(spans) == 2 * count
    assert text[spans[0][0] : spans[0][1]] == sentence.split(" Klaar")[0]
    assert text[spans[-1][0] : spans[-1][1]] == "Klaar!"
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))


# ------------------------------------------------------------------------------ numbers

# (text, lang, index) -> (covered, value, stated, precision, scale, percent, points, currency,
# ordinal, year)
NUMBERS = [
    # Dutch
    ("Nederland geeft 2,1 procent uit", "nl", 0,
     ("2,1 procent", 2.1, 2.1, 0.1, 1.0, True, False, None, False, False)),
    ("Dat kost 3,5 miljard euro", "nl", 0,
     ("3,5 miljard euro", 3.5e9, 3.5, 0.1, 1e9, False, False, "EUR", False, False)),
    ("Dat kost € 3,5 mld. per jaar", "nl", 0,
     ("€ 3,5 mld.", 3.5e9, 3.5, 0.1, 1e9, False, False, "EUR", False, False)),
    ("Er zijn 1.234 militairen", "nl", 0,
     ("1.234", 1234.0, 1234.0, 1.0, 1.0, False, False, None, False, False)),
    ("Polen zit op 3.5% van het bbp", "nl", 0,
     ("3.5%", 3.5, 3.5, 0.1, 1.0, True, False, None, False, False)),
    ("Dat duurt drie maanden", "nl", 0,
     ("drie", 3.0, 3.0, 1.0, 1.0, False, False, None, False, False)),
    ("Het is twee procent meer", "nl", 0,
     ("twee procent", 2.0, 2.0, 1.0, 1.0, True, False, None, False, False)),
    ("Het kost twintig miljard", "nl", 0,
     ("twintig miljard", 2e10, 20.0, 10.0, 1e9, False, False, None, False, False)),
    ("Het kost een miljard dollar", "nl", 0,
     ("een miljard dollar", 1e9, 1.0, 1.0, 1e9, False, False, "USD", False, False)),
    ("Een stijging van 0,2 procentpunt", "nl", 0,
     ("0,2 procentpunt", 0.2, 0.2, 0.1, 1.0, True, True, None, False, False)),
    ("Ruim 2,69 procent", "nl", 0,
     ("2,69 procent", 2.69, 2.69, 0.01, 1.0, True, False, None, False, False)),
    ("Het is de tweede grootste", "nl", 0,
     ("tweede", 2.0, 2.0, 1.0, 1.0, False, False, None, True, False)),
    ("Het is de op één na grootste", "nl", 0,
     ("op één na", 2.0, 2.0, 1.0, 1.0, False, False, None, True, False)),
    ("Het staat op de 2e plaats", "nl", 0,
     ("2e", 2.0, 2.0, 1.0, 1.0, False, False, None, True, False)),
    ("Het doel voor 2029 staat", "nl", 0,
     ("2029", 2029.0, 2029.0, 1.0, 1.0, False, False, None, False, True)),
    ("Uitgaven 2025e", "nl", 0,
     ("2025e", 2025.0, 2025.0, 1.0, 1.0, False, False, None, False, True)),
    ("Het is anderhalf procent", "nl", 0,
     ("anderhalf procent", 1.5, 1.5, 0.5, 1.0, True, False, None, False, False)),
    ("Het kost 2029 miljoen euro", "nl", 0,
     ("2029 miljoen euro", 2.029e9, 2029.0, 1.0, 1e6, False, False, "EUR", False, False)),
    ("Een stijging van +12%", "nl", 0,
     ("+12%", 12.0, 12.0, 1.0, 1.0, True, False, None, False, False)),
    ("Een daling van -3%", "nl", 0,
     ("-3%", -3.0, -3.0, 1.0, 1.0, True, False, None, False, False)),
    ("Het kost 1.234.567,89 euro", "nl", 0,
     ("1.234.567,89 euro", 1234567.89, 1234567.89, 0.01, 1.0, False, False, "EUR", False,
      False)),
    # English
    ("Germany spends $86bn", "en", 0,
     ("$86bn", 8.6e10, 86.0, 1.0, 1e9, False, False, "USD", False, False)),
    ("It spends €3.5 billion", "en", 0,
     ("€3.5 billion", 3.5e9, 3.5, 0.1, 1e9, False, False, "EUR", False, False)),
    ("That is 2.1% of GDP", "en", 0,
     ("2.1%", 2.1, 2.1, 0.1, 1.0, True, False, None, False, False)),
    ("It has 1,234 troops", "en", 0,
     ("1,234", 1234.0, 1234.0, 1.0, 1.0, False, False, None, False, False)),
    ("It spends 2,5 percent", "en", 0,
     ("2,5 percent", 2.5, 2.5, 0.1, 1.0, True, False, None, False, False)),
    ("It costs a billion dollars", "en", 0,
     ("a billion dollars", 1e9, 1.0, 1.0, 1e9, False, False, "USD", False, False)),
    ("It costs twenty-five billion euros", "en", 0,
     ("twenty-five billion euros", 2.5e10, 25.0, 1.0, 1e9, False, False, "EUR", False, False)),
    ("the second-largest spender", "en", 0,
     ("second", 2.0, 2.0, 1.0, 1.0, False, False, None, True, False)),
    ("it ranks 3rd", "en", 0,
     ("3rd", 3.0, 3.0, 1.0, 1.0, False, False, None, True, False)),
    ("Britain spends £50m more", "en", 0,
     ("£50m", 5e7, 50.0, 10.0, 1e6, False, False, "GBP", False, False)),
    ("a wall 50 m high", "en", 0,
     ("50", 50.0, 50.0, 10.0, 1.0, False, False, None, False, False)),
    ("up 0.5 percentage points", "en", 0,
     ("0.5 percentage points", 0.5, 0.5, 0.1, 1.0, True, True, None, False, False)),
    ("about two and a half percent", "en", 0,
     ("two and a half percent", 2.5, 2.5, 0.5, 1.0, True, False, None, False, False)),
    ("worth US$ 100 million", "en", 0,
     ("US$ 100 million", 1e8, 100.0, 100.0, 1e6, False, False, "USD", False, False)),
    ("some 150 billion", "en", 0,
     ("150 billion", 1.5e11, 150.0, 10.0, 1e9, False, False, None, False, False)),
    ("by mid-2025", "en", 0,
     ("2025", 2025.0, 2025.0, 1.0, 1.0, False, False, None, False, True)),
    # German
    ("Deutschland gibt fünfundzwanzig Milliarden Euro aus", "de", 0,
     ("fünfundzwanzig Milliarden Euro", 2.5e10, 25.0, 1.0, 1e9, False, False, "EUR", False,
      False)),
    ("Das sind 3,5 Prozent", "de", 0,
     ("3,5 Prozent", 3.5, 3.5, 0.1, 1.0, True, False, None, False, False)),
    ("Das sind 3.5 Prozent", "de", 0,
     ("3.5 Prozent", 3.5, 3.5, 0.1, 1.0, True, False, None, False, False)),
    ("Es sind 1.234 Soldaten", "de", 0,
     ("1.234", 1234.0, 1234.0, 1.0, 1.0, False, False, None, False, False)),
    ("Es kostet 90 Mrd. Euro", "de", 0,
     ("90 Mrd. Euro", 9e10, 90.0, 10.0, 1e9, False, False, "EUR", False, False)),
    ("Es kostet eine Milliarde Euro", "de", 0,
     ("eine Milliarde Euro", 1e9, 1.0, 1.0, 1e9, False, False, "EUR", False, False)),
    ("Es sind zweieinhalb Prozent", "de", 0,
     ("zweieinhalb Prozent", 2.5, 2.5, 0.5, 1.0, True, False, None, False, False)),
    ("Polen belegt den 2. Platz", "de", 0,
     ("2.", 2.0, 2.0, 1.0, 1.0, False, False, None, True, False)),
    ("Deutschland ist der zweitgrößte Geldgeber", "de", 0,
     ("zweitgrößte", 2.0, 2.0, 1.0, 1.0, False, False, None, True, False)),
    ("ein Plus von 0,3 Prozentpunkten", "de", 0,
     ("0,3 Prozentpunkten", 0.3, 0.3, 0.1, 1.0, True, True, None, False, False)),
    ("Es sind 100 Milliarden US-Dollar", "de", 0,
     ("100 Milliarden US-Dollar", 1e11, 100.0, 100.0, 1e9, False, False, "USD", False, False)),
    # French
    ("La France compte 150 000 soldats", "fr", 0,
     ("150 000", 150000.0, 150000.0, 10000.0, 1.0, False, False, None, False, False)),
    ("soit 150\u202f000 obus", "fr", 0,
     ("150\u202f000", 150000.0, 150000.0, 10000.0, 1.0, False, False, None, False, False)),
    ("soit 2\u00a0500 obus", "fr", 0,
     ("2\u00a0500", 2500.0, 2500.0, 100.0, 1.0, False, False, None, False, False)),
    ("soit 3,5\u00a0% du PIB", "fr", 0,
     ("3,5\u00a0%", 3.5, 3.5, 0.1, 1.0, True, False, None, False, False)),
    ("soit 50 milliards d'euros", "fr", 0,
     ("50 milliards d'euros", 5e10, 50.0, 10.0, 1e9, False, False, "EUR", False, False)),
    ("soit 500 M€", "fr", 0,
     ("500 M€", 5e8, 500.0, 100.0, 1e6, False, False, "EUR", False, False)),
    ("soit 3 Md€", "fr", 0,
     ("3 Md€", 3e9, 3.0, 1.0, 1e9, False, False, "EUR", False, False)),
    ("soit deux pour cent", "fr", 0,
     ("deux pour cent", 2.0, 2.0, 1.0, 1.0, True, False, None, False, False)),
    ("soit vingt-cinq milliards de dollars", "fr", 0,
     ("vingt-cinq milliards de dollars", 2.5e10, 25.0, 1.0, 1e9, False, False, "USD", False,
      False)),
    ("c'est le deuxième pays", "fr", 0,
     ("deuxième", 2.0, 2.0, 1.0, 1.0, False, False, None, True, False)),
    ("c'est le 1er pays", "fr", 0,
     ("1er", 1.0, 1.0, 1.0, 1.0, False, False, None, True, False)),
    ("soit un milliard d'euros", "fr", 0,
     ("un milliard d'euros", 1e9, 1.0, 1.0, 1e9, False, False, "EUR", False, False)),
    ("soit 0,5 point de PIB", "fr", 0,
     ("0,5 point de PIB", 0.5, 0.5, 0.1, 1.0, True, True, None, False, False)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "lang", "index", "expected"), NUMBERS)
def test_numbers(text, lang, index, expected):
    assert _number(text, lang, index) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("10-11 miljoen", "nl", [1e7, 1.1e7]),
        ("2 à 3 procent", "nl", [2.0, 3.0]),
        ("10-11 million", "en", [1e7, 1.1e7]),
        ("between 2 and 3 percent", "en", [2.0, 3.0]),
        ("von 70 auf 86 Milliarden Euro", "de", [7e10, 8.6e10]),
        ("de 2 à 3 %", "fr", [2.0, 3.0]),
    ],
)
def test_a_range_gives_both_ends_with_the_second_ends_unit(text, lang, expected):
    found = numbers(text, lang)
    assert [n.value for n in found] == pytest.approx(expected)
    assert found[0].scale == found[1].scale
    assert found[0].percent == found[1].percent
    assert found[0].currency == found[1].currency


def test_numbers_that_are_not_numbers():
    assert numbers("The F-35 and the Su-57", "en") == []
    assert numbers("the largest spender", "en") == []
    # an article is one only before a scale word
    assert numbers("een jaar", "nl") == [] and numbers("a year", "en") == []
    # amounts and percents are not years
    assert [n.year for n in numbers("2030 miljoen euro en 2030 procent in 2030", "nl")] == [
        False,
        False,
        True,
    ]


def test_numbers_are_in_text_order_without_overlaps():
    text = "In 2024 gaf Polen 4,1 procent uit, ruim 30 miljard euro, drie keer zoveel als in 2014."
    found = numbers(text, "nl")
    assert [text[n.start : n.end] for n in found] == [
        "2024",
        "4,1 procent",
        "30 miljard euro",
        "drie",
        "2014",
    ]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_numbers_empty_and_garbage():
    for lang in LANGUAGES:
        assert numbers("", lang) == []
        for n in numbers(GARBAGE, lang):
            assert 0 <= n.start < n.end <= len(GARBAGE)


# ------------------------------------------------------------------------------ years


def _years(text: str, lang: str) -> list[tuple]:
    return [
        (text[m.start : m.end], m.year, m.last, m.relative, m.by, m.since)
        for m in years(text, lang, TODAY)
    ]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("nl", "volgend jaar", ("volgend jaar", 2026, 2026, True, False, False)),
        ("nl", "komend jaar", ("komend jaar", 2026, 2026, True, False, False)),
        ("nl", "vorig jaar", ("vorig jaar", 2024, 2024, True, False, False)),
        ("nl", "het afgelopen jaar", ("afgelopen jaar", 2024, 2024, True, False, False)),
        ("nl", "dit jaar", ("dit jaar", 2025, 2025, True, False, False)),
        ("nl", "in de komende jaren", ("de komende jaren", 2026, 2030, True, False, False)),
        ("nl", "over twee jaar", ("over twee jaar", 2027, 2027, True, False, False)),
        ("nl", "binnen drie jaar", ("binnen drie jaar", 2028, 2028, True, True, False)),
        ("nl", "de komende vijf jaar", ("de komende vijf jaar", 2026, 2030, True, False, False)),
        ("nl", "tegen 2035", ("2035", 2035, 2035, False, True, False)),
        ("nl", "uiterlijk in 2035", ("2035", 2035, 2035, False, True, False)),
        ("nl", "in 2035", ("2035", 2035, 2035, False, False, False)),
        ("nl", "sinds 2014", ("2014", 2014, 2014, False, False, True)),
        ("nl", "in 2024-2026", ("2024-2026", 2024, 2026, False, False, False)),
        ("nl", "in 2025e", ("2025e", 2025, 2025, False, False, False)),
        ("en", "next year", ("next year", 2026, 2026, True, False, False)),
        ("en", "last year", ("last year", 2024, 2024, True, False, False)),
        ("en", "this year", ("this year", 2025, 2025, True, False, False)),
        ("en", "in the coming years", ("the coming years", 2026, 2030, True, False, False)),
        ("en", "in two years", ("in two years", 2027, 2027, True, False, False)),
        ("en", "over the past ten years", ("the past ten years", 2015, 2025, True, False, False)),
        ("en", "three years ago", ("three years ago", 2022, 2022, True, False, False)),
        ("en", "by 2035", ("2035", 2035, 2035, False, True, False)),
        ("en", "by the end of 2030", ("2030", 2030, 2030, False, True, False)),
        ("en", "since 2014", ("2014", 2014, 2014, False, False, True)),
        ("en", "in 2024/25", ("2024/25", 2024, 2025, False, False, False)),
        ("en", "in 2025 (est.)", ("2025", 2025, 2025, False, False, False)),
        ("de", "nächstes Jahr", ("nächstes Jahr", 2026, 2026, True, False, False)),
        ("de", "im nächsten Jahr", ("nächsten Jahr", 2026, 2026, True, False, False)),
        ("de", "letztes Jahr", ("letztes Jahr", 2024, 2024, True, False, False)),
        ("de", "im vergangenen Jahr", ("vergangenen Jahr", 2024, 2024, True, False, False)),
        ("de", "dieses Jahr", ("dieses Jahr", 2025, 2025, True, False, False)),
        ("de", "in diesem Jahr", ("diesem Jahr", 2025, 2025, True, False, False)),
        ("de", "in den kommenden Jahren", ("kommenden Jahren", 2026, 2030, True, False, False)),
        ("de", "in zwei Jahren", ("in zwei Jahren", 2027, 2027, True, False, False)),
        ("de", "bis 2035", ("2035", 2035, 2035, False, True, False)),
        ("de", "seit 2014", ("2014", 2014, 2014, False, False, True)),
        ("fr", "l'an prochain", ("l'an prochain", 2026, 2026, True, False, False)),
        ("fr", "l'année prochaine", ("l'année prochaine", 2026, 2026, True, False, False)),
        ("fr", "l'an dernier", ("l'an dernier", 2024, 2024, True, False, False)),
        ("fr", "l'année dernière", ("l'année dernière", 2024, 2024, True, False, False)),
        ("fr", "cette année", ("cette année", 2025, 2025, True, False, False)),
        ("fr", "dans les années à venir", ("les années à venir", 2026, 2030, True, False, False)),
        ("fr", "dans deux ans", ("dans deux ans", 2027, 2027, True, False, False)),
        (
            "fr",
            "au cours des cinq prochaines années",
            ("des cinq prochaines années", 2026, 2030, True, False, False),
        ),
        ("fr", "d'ici 2035", ("2035", 2035, 2035, False, True, False)),
        ("fr", "en 2035", ("2035", 2035, 2035, False, False, False)),
        ("fr", "depuis 2014", ("2014", 2014, 2014, False, False, True)),
    ],
)
def test_years(lang, text, expected):
    assert _years(text, lang) == [expected]


def test_a_duration_is_not_a_year():
    """ "in a year" is how long, not when (the reading sees it as a period word)."""
    assert _years("Russia makes in three months what NATO makes in a year.", "en") == []
    assert (
        _years("Russland produziert in einem Monat so viel wie die NATO in einem Jahr.", "de") == []
    )


def test_years_resolve_against_the_claims_date():
    assert years("volgend jaar", "nl", dt.date(2019, 12, 31))[0].year == 2020
    assert years("l'an dernier", "fr", dt.date(2030, 1, 1))[0].year == 2029


def test_amounts_and_percents_are_not_years():
    assert _years("Nederland geeft 2030 miljoen euro uit, 2025 procent meer", "nl") == []
    text = "Duitsland wil tegen 2029 3,5 procent halen, vorig jaar 2,1 procent."
    assert _years(text, "nl") == [
        ("2029", 2029, 2029, False, True, False),
        ("vorig jaar", 2024, 2024, True, False, False),
    ]


def test_years_empty_and_garbage():
    for lang in LANGUAGES:
        assert years("", lang, TODAY) == []
        for mention in years(GARBAGE, lang, TODAY):
            assert 0 <= mention.start < mention.end <= len(GARBAGE)


# ------------------------------------------------------------------------------ names


def _actors(text: str, lang: str) -> list[tuple[str, str]]:
    return [(text[a.start : a.end], a.code) for a in actors(text, lang)]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("nl", "Duitsland en Nederland", [("Duitsland", "DEU"), ("Nederland", "NLD")]),
        ("nl", "de VS en Amerika", [("VS", "USA"), ("Amerika", "USA")]),
        ("nl", "Rusland, Tsjechië, Turkije", [("Rusland", "RUS"), ("Tsjechië", "CZE"),
                                              ("Turkije", "TUR")]),
        ("nl", "de NAVO en het bondgenootschap", [("NAVO", "nato"),
                                                  ("het bondgenootschap", "nato")]),
        ("nl", "de bondgenoten", [("de bondgenoten", "nato")]),
        ("nl", "de Europese bondgenoten", [("Europese bondgenoten", "nato-europe")]),
        ("nl", "Europa", [("Europa", "nato-europe")]),
        ("nl", "de Baltische staten", [("Baltische staten", "baltics")]),
        ("nl", "de Noordse landen", [("Noordse landen", "nordics")]),
        ("nl", "de Europese Unie en de EU", [("Europese Unie", "eu"), ("EU", "eu")]),
        ("nl", "de Duitse defensie-uitgaven", [("Duitse", "DEU")]),
        ("nl", "de Poolse regering", [("Poolse", "POL")]),
        ("nl", "op de NAVO-top", [("NAVO", "nato")]),
        ("nl", "Ruslands oorlog", [("Ruslands", "RUS")]),
        ("en", "Germany's budget", [("Germany", "DEU")]),
        ("en", "the Netherlands", [("Netherlands", "NLD")]),
        ("en", "the US and America", [("US", "USA"), ("America", "USA")]),
        ("en", "the United States", [("United States", "USA")]),
        ("en", "Russia and Ukraine", [("Russia", "RUS"), ("Ukraine", "UKR")]),
        ("en", "Türkiye, formerly Turkey", [("Türkiye", "TUR"), ("Turkey", "TUR")]),
        ("en", "the UK and Britain", [("UK", "GBR"), ("Britain", "GBR")]),
        ("en", "Czechia and China", [("Czechia", "CZE"), ("China", "CHN")]),
        ("en", "NATO and the alliance", [("NATO", "nato"), ("the alliance", "nato")]),
        ("en", "the allies", [("the allies", "nato")]),
        ("en", "European allies", [("European allies", "nato-europe")]),
        ("en", "Europe", [("Europe", "nato-europe")]),
        ("en", "the European Union", [("European Union", "eu")]),
        ("en", "the Baltic states", [("Baltic states", "baltics")]),
        ("en", "the Nordic countries", [("Nordic countries", "nordics")]),
        ("en", "German defence spending", [("German", "DEU")]),
        ("en", "Polish troops", [("Polish", "POL")]),
        ("en", "North Korea", [("North Korea", "PRK")]),
        ("de", "Deutschland und die Niederlande", [("Deutschland", "DEU"),
                                                   ("Niederlande", "NLD")]),
        ("de", "die USA", [("USA", "USA")]),
        ("de", "Russland und die Türkei", [("Russland", "RUS"), ("Türkei", "TUR")]),
        ("de", "die NATO und die Verbündeten", [("NATO", "nato"), ("Verbündeten", "nato")]),
        ("de", "europäische Verbündete", [("europäische Verbündete", "nato-europe")]),
        ("de", "die baltischen Staaten", [("baltischen Staaten", "baltics")]),
        ("de", "die deutschen Verteidigungsausgaben", [("deutschen", "DEU")]),
        ("de", "die polnische Armee", [("polnische", "POL")]),
        ("de", "Deutschlands Ausgaben und Polens Ziel", [("Deutschlands", "DEU"),
                                                         ("Polens", "POL")]),
        ("de", "in den Niederlanden", [("Niederlanden", "NLD")]),
        ("de", "das Vereinigte Königreich", [("Vereinigte Königreich", "GBR")]),
        ("fr", "l'Allemagne et les Pays-Bas", [("Allemagne", "DEU"), ("Pays-Bas", "NLD")]),
        ("fr", "les États-Unis", [("États-Unis", "USA")]),
        ("fr", "la Russie et la Turquie", [("Russie", "RUS"), ("Turquie", "TUR")]),
        ("fr", "l'OTAN et les alliés", [("OTAN", "nato"), ("les alliés", "nato")]),
        ("fr", "les alliés européens", [("alliés européens", "nato-europe")]),
        ("fr", "l'Europe", [("Europe", "nato-europe")]),
        ("fr", "l'Union européenne", [("Union européenne", "eu")]),
        ("fr", "les pays baltes", [("pays baltes", "baltics")]),
        ("fr", "les dépenses françaises", [("françaises", "FRA")]),
        ("fr", "les armées polonaises", [("polonaises", "POL")]),
    ],
)  # fmt: skip
def test_actors(lang, text, expected):
    assert _actors(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Romania", [("Romania", "ROU")]),  # not Oman
        ("de", "Irland", [("Irland", "IRL")]),  # not Iran
        ("en", "Nigeria", [("Nigeria", "NGA")]),  # not Niger
        ("en", "a turkey for us", []),  # lower case: a bird and a pronoun
        ("en", "it is in the polish", []),  # codes (IT, IN) and lower case
        ("nl", "de minister is er", []),  # "de" and "is" are codes, not names
        ("nl", "Duitsland vs. Frankrijk", [("Duitsland", "DEU"), ("Frankrijk", "FRA")]),
        ("en", "Latin America", []),
        ("en", "$100bn in US dollars", []),
        ("nl", "90 miljard Amerikaanse dollar", []),
    ],
)
def test_actors_do_not_match_inside_words_or_lower_case(lang, text, expected):
    assert _actors(text, lang) == expected


def test_actor_groups_are_flagged():
    found = actors("Germany and NATO", "en")
    assert [(a.code, a.group) for a in found] == [("DEU", False), ("nato", True)]


def test_actors_empty_and_garbage():
    for lang in LANGUAGES:
        assert actors("", lang) == []
        for actor in actors(GARBAGE, lang):
            assert 0 <= actor.start < actor.end <= len(GARBAGE)
