"""Parse time of SIPRI's full workbook layout: milex's reader next to
``pandas.read_excel(path, sheet_name=None, engine="openpyxl")`` (the baseline) on the same
file, in the same run (issue 11: aim at least 3x faster).

    python benchmarks/bench_parse.py [--repeats 5] [--countries 175]

The file is written by tests/sipri_workbook.py into a temporary folder: SIPRI's layout at full
size (175 countries x 77 years in each of the six data sheets, plus the financial-year sheet and
the regional totals), with estimates in blue and red. The baseline only loads the cells into
frames; the reader also finds the headers, resolves the names, reads the font colours and
converts every figure. Repetitions are interleaved (pandas, milex, pandas ...); medians with the
min-max range. Where ../shared/data/official holds SIPRI's real April 2026 workbook, it is
measured the same way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL = ROOT.parent / "shared/data/official/SIPRI-Milex-data-1949-2025_v1.2.xlsx"
#: Aim, as the baseline's time over the reader's (issue 11).
AIM = 3.0


def _timed(function, path: Path) -> float:
    start = time.perf_counter()
    function(path)
    return time.perf_counter() - start


def measure(name: str, path: Path, repeats: int) -> dict:
    """Interleaved timings of pandas and the reader on ``path``."""
    import pandas as pd

    from milex.readers import sipri

    def with_pandas(file: Path) -> None:
        pd.read_excel(file, sheet_name=None, engine="openpyxl")

    def with_milex(file: Path) -> None:
        sipri.read([file])

    with_milex(path)  # warm: imports, the name index, babel's data
    base, ours = [], []
    for _ in range(repeats):
        base.append(_timed(with_pandas, path))
        ours.append(_timed(with_milex, path))
    row = {
        "name": name,
        "pandas_s": statistics.median(base),
        "milex_s": statistics.median(ours),
        "pandas_range": (min(base), max(base)),
        "milex_range": (min(ours), max(ours)),
    }
    row["ratio"] = row["pandas_s"] / row["milex_s"]
    verdict = "met" if row["ratio"] >= AIM else "MISSED"
    print(
        f"{name:<34} pandas {row['pandas_s']:6.3f} s ({min(base):.3f}-{max(base):.3f})  "
        f"milex {row['milex_s']:6.3f} s ({min(ours):.3f}-{max(ours):.3f})  "
        f"x{row['ratio']:.1f} faster (aim >= {AIM:g}x: {verdict})"
    )
    return row


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each (median)")
    parser.add_argument("--countries", type=int, default=175)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.sipri_workbook import full_size

    rows = []
    with tempfile.TemporaryDirectory(prefix="milex-bench-parse-") as folder:
        path = full_size(Path(folder) / "SIPRI-Milex-data-1949-2025.xlsx", args.countries)
        size = path.stat().st_size / 1e6
        rows.append(
            measure(f"fixture, {args.countries} countries ({size:.1f} MB)", path, args.repeats)
        )
    if OFFICIAL.is_file():
        rows.append(measure("SIPRI's April 2026 workbook", OFFICIAL, args.repeats))
    else:
        print(f"(SIPRI's real workbook not measured: {OFFICIAL} is absent)")
    return rows


if __name__ == "__main__":
    main()
