"""Run every benchmark: `python benchmarks/run.py`. Each prints its figures as ratios against
a baseline measured in the same run."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCHMARKS = [
    "bench_startup",
    "bench_simulation",
    "bench_claims",
    "bench_web",
    "bench_parse",
    "bench_store",
]

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    for name in BENCHMARKS:
        print(f"== {name}")
        importlib.import_module(name).main([])
