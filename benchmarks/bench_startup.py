"""Wall time of `milex status`, cold (store built) and warm (store reused), against the time
to import pandas and duckdb alone, measured in the same run (median of N runs each).

    python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def _median_seconds(command: list[str], runs: int, env: dict, fresh_home: bool) -> float:
    times = []
    for _ in range(runs):
        home = tempfile.mkdtemp(prefix="milex-bench-") if fresh_home else env["MILEX_HOME"]
        start = time.perf_counter()
        subprocess.run(command, env={**env, "MILEX_HOME": home}, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        if fresh_home:
            shutil.rmtree(home)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    home = tempfile.mkdtemp(prefix="milex-bench-warm-")
    env = {**os.environ, "MILEX_HOME": home}
    status = [sys.executable, "-m", "milex", "status"]
    subprocess.run(status, env=env, check=True, capture_output=True)  # build the warm store
    baseline = _median_seconds(
        [sys.executable, "-c", "import pandas, duckdb"], args.runs, env, False
    )
    cold = _median_seconds(status, args.runs, env, True)
    warm = _median_seconds(status, args.runs, env, False)
    shutil.rmtree(home)
    rows = [
        {"name": "import pandas, duckdb (baseline)", "value": baseline, "unit": "s", "ratio": 1.0},
        {"name": "milex status, cold", "value": cold, "unit": "s", "ratio": cold / baseline},
        {"name": "milex status, warm", "value": warm, "unit": "s", "ratio": warm / baseline},
    ]
    for row in rows:
        print(f"{row['name']:<34} {row['value']:7.3f} {row['unit']}  x{row['ratio']:.2f}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print(
            "note: PYTHONDONTWRITEBYTECODE is set, so milex's modules are compiled on every run "
            "(the baseline's are cached); unset it to measure a normal install"
        )
    return rows


if __name__ == "__main__":
    main()
