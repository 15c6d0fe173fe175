"""Claim-checking throughput: sentences per second on a long article in each language, next to
the time to split the same text into sentences alone (the baseline), in the same run.

    python benchmarks/bench_claims.py [--words 5000] [--repeats 3]

Each article is built from the labelled sentences of that language (tests/data/claims_eval.csv,
claims and sentences without one), shuffled with a fixed seed and repeated until it has at least
``--words`` words. Repetitions are interleaved (split, check, split, check ...) and the median
is reported with the min-max range.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import time
from pathlib import Path

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "claims_eval.csv"
LANGUAGES = ("nl", "en", "de", "fr")


def article(lang: str, words: int, seed: int = 0) -> str:
    """A text of at least ``words`` words from the language's labelled sentences."""
    with LABELS.open(encoding="utf-8", newline="") as handle:
        pool = [r["text"] for r in csv.DictReader(handle) if r["lang"] == lang]
    rng = random.Random(seed)
    out: list[str] = []
    count = 0
    while count < words:
        rng.shuffle(pool)
        for text in pool:
            out.append(text if text.rstrip()[-1:] in ".!?" else text + ".")
            count += len(text.split())
    return " ".join(out)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import milex
    from milex.claims import sentences

    milex.check("Polen geeft 4,1% van het bbp uit aan defensie.")  # warm: store, models
    rows = []
    print(
        f"{'lang':<5} {'words':>6} {'sentences':>9} {'split s':>8} {'check s (min-max)':>22} "
        f"{'sent/s':>7} {'x split':>8}"
    )
    for lang in LANGUAGES:
        text = article(lang, args.words)
        spans = sentences.split(text, lang)
        split_t, check_t = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            sentences.split(text, lang)
            split_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            milex.check(text)
            check_t.append(time.perf_counter() - start)
        split_m, check_m = statistics.median(split_t), statistics.median(check_t)
        row = {
            "lang": lang,
            "words": len(text.split()),
            "sentences": len(spans),
            "split_s": split_m,
            "check_s": check_m,
            "sentences_per_s": len(spans) / check_m,
            "ratio": check_m / split_m,
        }
        rows.append(row)
        print(
            f"{lang:<5} {row['words']:>6} {row['sentences']:>9} {split_m:>8.3f} "
            f"{check_m:>8.2f} ({min(check_t):.2f}-{max(check_t):.2f}) "
            f"{row['sentences_per_s']:>7.0f} {row['ratio']:>7.0f}x"
        )
    return rows


if __name__ == "__main__":
    main()
