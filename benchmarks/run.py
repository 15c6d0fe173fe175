"""Run every benchmark: `python benchmarks/run.py`. Each prints its figures as ratios against
a baseline measured in the same run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_simulation  # noqa: E402
import bench_startup  # noqa: E402

if __name__ == "__main__":
    for bench in (bench_startup, bench_simulation):
        print(f"== {bench.__name__}")
        bench.main([])
