"""Evaluate the claim checker on the labelled sentences (tests/data/claims_eval.csv).

    python tools/claims_eval.py [--csv PATH] [--show-errors]

Prints, per language and per kind: detection precision and recall (does a sentence hold a
claim), reading accuracy (kind, actors, value and year all as labelled, over the claims found)
and verdict accuracy (over the labelled claims; a missed claim counts as wrong), and the number
of invented verdicts (a decided verdict where the label says the data cannot decide). The
labels were written by hand from the published figures (docs/claims.md, "Evaluation");
tests/test_claims_eval.py holds the thresholds.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "claims_eval.csv"


@dataclass
class Tally:
    """Counts behind the scores of one language or kind."""

    tp: int = 0  # labelled claim, claim found
    fp: int = 0  # no claim labelled, claim found
    fn: int = 0  # labelled claim, none found
    read_ok: int = 0
    verdict_ok: int = 0
    claims: int = 0  # labelled claims
    sentences: int = 0
    invented: int = 0
    errors: list[str] = field(default_factory=list)

    def scores(self) -> dict[str, float]:
        found = self.tp + self.fp
        return {
            "precision": self.tp / found if found else 1.0,
            "recall": self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0,
            "reading": self.read_ok / self.tp if self.tp else 1.0,
            "verdict": self.verdict_ok / self.claims if self.claims else 1.0,
        }


def _same_value(expected: str, got: object) -> bool:
    if not expected.strip():
        return True
    if got is None or (isinstance(got, float) and math.isnan(got)):
        return False
    want = float(expected)
    return math.isclose(float(got), want, rel_tol=1e-6, abs_tol=1e-9)


def _same_year(expected: str, got: object) -> bool:
    if not expected.strip():
        return True
    return (
        got is not None
        and not (isinstance(got, float) and math.isnan(got))
        and int(got) == int(expected)
    )


def _reading_errors(row: dict, claim: dict) -> list[str]:
    reading = claim["reading"]
    wrong = []
    if reading["kind"] != row["kind"]:
        wrong.append(f"kind {reading['kind']} != {row['kind']}")
    if sorted(reading["actors"]) != sorted(a for a in row["actors"].split(";") if a):
        wrong.append(f"actors {';'.join(reading['actors'])} != {row['actors']}")
    if not _same_value(row["value"], reading["value"]):
        wrong.append(f"value {reading['value']} != {row['value']}")
    if not _same_year(row["year"], reading["year"]):
        wrong.append(f"year {reading['year']} != {row['year']}")
    return wrong


def evaluate(path: Path = LABELS) -> dict[str, dict[str, Tally]]:
    """Run ``milex.check`` on every labelled sentence: tallies per language and per kind (and
    ``all``)."""
    import milex

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    tallies: dict[str, dict[str, Tally]] = {"lang": defaultdict(Tally), "kind": defaultdict(Tally)}
    for row in rows:
        date = dt.date.fromisoformat(row["date"]) if row["date"].strip() else None
        result = milex.check(row["text"], date=date)
        claims = result.extra["claims"]
        labelled = row["claim"].strip() == "1"
        claim = claims[0] if claims else None
        keys = [("lang", row["lang"]), ("lang", "all")]
        keys += [("kind", row["kind"] or "(none)")] if labelled else [("kind", "(none)")]
        for axis, key in keys:
            tally = tallies[axis][key]
            tally.sentences += 1
            where = f"{row['id']}: {row['text'][:70]}"
            if labelled:
                tally.claims += 1
                if claim is None:
                    tally.fn += 1
                    tally.errors.append(f"{where} | missed ({row['kind']})")
                    continue
                tally.tp += 1
                wrong = _reading_errors(row, claim)
                tally.read_ok += not wrong
                if wrong:
                    tally.errors.append(f"{where} | reading: {', '.join(wrong)}")
                if claim["verdict"] == row["verdict"]:
                    tally.verdict_ok += 1
                else:
                    tally.errors.append(
                        f"{where} | verdict {claim['verdict']} != {row['verdict']}: "
                        f"{claim['reason'][:160]}"
                    )
                    if row["verdict"] == "not checkable":
                        tally.invented += 1
            elif claim is not None:
                tally.fp += 1
                tally.errors.append(f"{where} | found a {claim['reading']['kind']} claim")
    return tallies


def report(tallies: dict[str, dict[str, Tally]], show_errors: bool = False) -> str:
    lines = []
    for axis in ("lang", "kind"):
        lines.append(
            f"{axis:<10} {'sentences':>9} {'claims':>6} {'precision':>9} {'recall':>6} "
            f"{'reading':>7} {'verdict':>7} {'invented':>8}"
        )
        for key, tally in sorted(tallies[axis].items(), key=lambda kv: (kv[0] == "all", kv[0])):
            s = tally.scores()
            lines.append(
                f"{key:<10} {tally.sentences:>9} {tally.claims:>6} {s['precision']:>9.1%} "
                f"{s['recall']:>6.1%} {s['reading']:>7.1%} {s['verdict']:>7.1%} "
                f"{tally.invented:>8}"
            )
        lines.append("")
    if show_errors:
        lines += ["Errors:", *tallies["lang"]["all"].errors]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=LABELS, help="the labelled sentences")
    parser.add_argument("--show-errors", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    print(report(evaluate(args.csv), args.show_errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
