"""milex.check and milex.ask on hostile input: empty text, a 1 MB article, binary garbage, mixed
languages, random strings (hypothesis), wrong argument types; and the CLI's four formats.

Each gives a result or one clear error, never a crash or a hang (a sentence longer than
``checking.LONGEST`` characters is not read, and the result says so).
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import milex
from milex.claims import checking
from tests.test_cli import run

#: Random strings per run: 2,000 by default, the issue's 10,000 in CI (.ci/run sets it; about
#: 2.5 minutes on 2 cores).
FUZZ_EXAMPLES = int(os.environ.get("MILEX_CLAIM_FUZZ", "2000"))
POLAND = "Polen gaf in 2024 4,1 procent van het bbp uit aan defensie."


def test_empty_and_blank_texts_hold_no_claims():
    for text in ("", "   ", "\n\n\t"):
        result = milex.check(text)
        assert result.frame.empty
        assert result.query["claims"] == 0


def test_binary_garbage_is_read_as_text_without_claims():
    garbage = bytes(range(256)).decode("latin-1") * 40
    result = milex.check(garbage)
    assert result.frame.empty


def test_a_one_megabyte_article_is_checked_in_bounded_time():
    aside = " Dat zei de minister gisteren in Den Haag, na afloop van het overleg. "
    text = (POLAND + aside) * 9000
    assert len(text) > 1_000_000
    result = milex.check(text, lang="nl")
    # every copy of the Polish claim is found and judged the same way
    assert len(result.frame) == 9000
    assert set(result.frame["verdict"]) == {"contradicted"}  # 3.75 (2026 edition) vs 4.1


def test_a_sentence_too_long_to_be_prose_is_skipped_and_said():
    text = "x" * (checking.LONGEST + 1)
    result = milex.check(text)
    assert result.frame.empty
    assert "not read" in result.notes[0]


def test_mixed_languages_are_read_per_sentence():
    text = (
        "Polen gaf in 2024 4,1 procent van het bruto binnenlands product uit aan defensie. "
        "Germany spent 86 billion euros on defence in 2024. "
        "La Pologne a consacré 4,1 % de son PIB à la défense en 2024."
    )
    result = milex.check(text)
    assert list(result.frame["lang"]) == ["nl", "en", "fr"]


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=5000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.text(max_size=300) | st.from_regex(r"[0-9., ]{20,400}( %| euro| billion)?"))
def test_random_strings_never_crash(text):
    result = milex.check(text)
    assert set(result.frame["verdict"]) <= {
        "supported",
        "partly supported",
        "contradicted",
        "not checkable",
    }
    json.loads(result.to_json())


@settings(max_examples=200, deadline=5000, derandomize=True)
@given(st.text(max_size=200))
def test_random_questions_get_an_answer_or_examples(text):
    result = milex.ask(text)
    assert result.extra["answer"]
    assert result.extra["answered"] or result.extra["examples"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": None}, "text"),
        ({"text": b"bytes"}, "text"),
        ({"text": "x", "lang": "es"}, "nl, en, de, fr"),
        ({"text": "x", "date": "24-06-2025"}, "YYYY-MM-DD"),
        ({"text": "x", "date": "2025-02-30"}, "YYYY-MM-DD"),
        ({"text": "x", "date": 2025}, "YYYY-MM-DD"),
        ({"text": "x" * 5_000_001}, "5,000,000"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(kwargs, message):
    with pytest.raises(milex.InputError) as caught:
        milex.check(**kwargs)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text and len(text) < 300


def test_cli_formats(capsys, tmp_path):
    code, out, _ = run(capsys, "check", POLAND, "--format", "json")
    assert code == 0
    envelope = json.loads(out)
    assert envelope["schema"] == "milex.check.v1"
    assert envelope["rows"][0]["verdict"] == "contradicted"
    code, out, _ = run(capsys, "check", POLAND, "--format", "claimreview")
    review = json.loads(out)[0]
    assert review["@type"] == "ClaimReview"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["reviewRating"]["alternateName"] == "klopt niet"
    code, out, _ = run(capsys, "check", POLAND, "--format", "markdown")
    assert out.startswith("# milex check") and "**klopt niet**" in out
    article = tmp_path / "artikel.txt"
    article.write_text(POLAND, encoding="utf-8")
    code, out, _ = run(capsys, "check", "--file", str(article), "--date", "2024-07-01")
    assert code == 0 and "klopt" in out


def test_cli_refuses_a_file_that_is_not_text(capsys, tmp_path):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    code, _out, err = run(capsys, "check", "--file", str(binary))
    assert code == 2
    assert "is not UTF-8 text" in err


def test_cli_needs_text_or_file(capsys):
    code, _out, err = run(capsys, "check")
    assert code == 2
    assert "give the text to check" in err
