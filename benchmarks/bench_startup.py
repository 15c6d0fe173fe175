"""Wall time of milex commands, cold (store built) and warm (store reused), as ratios against
baselines measured in the same run (median of N runs each):

* every data command, warm, against ``python -c "import pandas, duckdb"`` (aim: within 1.5x);
* ``milex --help`` and ``milex --version`` against importing the CLI libraries alone
  (``import typer, rich``; aim: within 2x).

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

#: Warm commands measured, each against the pandas + duckdb baseline.
COMMANDS = [
    ["status"],
    ["show", "DEU"],
    ["gap", "--group", "europe-canada"],
    ["path", "DEU", "--by", "2029"],
    ["path", "nato", "--target", "3.5", "--by", "2035"],
    ["pledges"],
    ["sources"],
]
#: Aims, as ratios to the baselines (issue 6).
WARM_AIM, HELP_AIM = 1.5, 2.0


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
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (median)")
    args = parser.parse_args(argv)
    home = tempfile.mkdtemp(prefix="milex-bench-warm-")
    env = {**os.environ, "MILEX_HOME": home}
    milex = [sys.executable, "-m", "milex"]
    subprocess.run([*milex, "status"], env=env, check=True, capture_output=True)  # warm store
    data_base = _median_seconds(
        [sys.executable, "-c", "import pandas, duckdb"], args.runs, env, False
    )
    cli_base = _median_seconds([sys.executable, "-c", "import typer, rich"], args.runs, env, False)
    rows = [
        {"name": "import pandas, duckdb (baseline)", "value": data_base, "ratio": 1.0, "aim": None},
        {
            "name": "milex status, cold",
            "value": _median_seconds([*milex, "status"], args.runs, env, True),
        },
    ]
    rows[-1].update(ratio=rows[-1]["value"] / data_base, aim=None)
    for command in COMMANDS:
        value = _median_seconds([*milex, *command], args.runs, env, False)
        rows.append(
            {
                "name": f"milex {' '.join(command)}, warm",
                "value": value,
                "ratio": value / data_base,
                "aim": WARM_AIM,
            }
        )
    rows.append(
        {"name": "import typer, rich (baseline)", "value": cli_base, "ratio": 1.0, "aim": None}
    )
    for command in (["--help"], ["--version"], ["path", "--help"]):
        value = _median_seconds([*milex, *command], args.runs, env, False)
        rows.append(
            {
                "name": f"milex {' '.join(command)}",
                "value": value,
                "ratio": value / cli_base,
                "aim": HELP_AIM,
            }
        )
    shutil.rmtree(home)
    for row in rows:
        aim = ""
        if row["aim"] is not None:
            aim = f"  (aim <= {row['aim']:g}x: {'met' if row['ratio'] <= row['aim'] else 'MISSED'})"
        print(f"{row['name']:<52} {row['value']:7.3f} s  x{row['ratio']:.2f}{aim}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print(
            "note: PYTHONDONTWRITEBYTECODE is set, so milex's modules are compiled on every run "
            "(the baselines' are cached); unset it to measure a normal install"
        )
    return rows


if __name__ == "__main__":
    main()
