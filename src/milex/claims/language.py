"""Which of milex's four languages a text is written in."""

from __future__ import annotations

from functools import cache
from typing import Any

from milex.claims.words import LANGUAGES, without_surrogates

#: Characters py3langid reads of a long text (its guess is settled long before).
SAMPLE = 20_000


def detect(text: str) -> str:
    """The language of ``text``, one of :data:`~milex.claims.words.LANGUAGES`, by py3langid's
    model restricted to the four; ``"en"`` for a text with no letters."""
    sample = text[:SAMPLE]
    if not any(char.isalpha() for char in sample):
        return "en"
    return _identifier().classify(without_surrogates(sample))[0]


@cache
def _identifier() -> Any:
    """py3langid's identifier restricted to nl, en, de and fr (the model loads in ~0.6 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(LANGUAGES))
    return identifier
