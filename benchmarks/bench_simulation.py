"""Benchmark of milex.montecarlo.simulate: throughput, speed-up over pandas, peak memory.

Workload: 32 allies x 11 years (2025-2035), synthetic but realistic inputs (GDP 20 to 25,000
billion national currency, defence at 2-5% of GDP rising 0-30% in real terms by 2035, ~1.5% real
growth, ~2% deflator inflation), the default uncertainty, 1,000,000 draws.

Measured, each engine run in its own fresh Python process (this file run with ``--child``),
so the RSS high-water mark belongs to that run alone (``resource.getrusage(RUSAGE_SELF)
.ru_maxrss``; ``RUSAGE_CHILDREN`` for the workers of the process pool):

* throughput of ``simulate`` in ally-year-draws per second with the default thread pool, with
  a process pool, and with one worker;
* the same model written the straightforward pandas way (a DataFrame per draw, loop over
  draws, groupby at the end), run on ``--baseline-draws`` draws in this process and scaled;
* peak RSS at ``--draws / 10`` and ``--draws`` draws (memory should not grow with draws).

Run ``python benchmarks/bench_simulation.py [--draws N]``; ``main(argv)`` returns the rows
(``name``, ``value``, ``unit``, ``ratio``).  ``ratio`` is: for a throughput, the speed-up over
the pandas baseline; for peak memory at the small draw count, the fraction of the 2 GiB budget;
for peak memory at the full draw count, its ratio to the small-count peak (1.0 = flat).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

YEARS = list(range(2025, 2036))
N_COUNTRIES = 32
AIM_THROUGHPUT = 50e6  # ally-year-draws per second on the 2-core reference machine
MEMORY_BUDGET_MIB = 2048.0


def synthetic_inputs(seed: int = 0) -> dict[str, Any]:
    """Inputs for ``simulate``: 32 countries x 11 years, national currency and percent."""
    rng = np.random.default_rng(seed)
    n_y = len(YEARS)
    gdp_base = np.exp(rng.uniform(np.log(20.0), np.log(25_000.0), N_COUNTRIES))  # 2024 GDP
    growth = np.clip(rng.normal(1.5, 0.6, (N_COUNTRIES, 1)) + rng.normal(0, 0.3, (1, n_y)), 0, 4)
    inflation = np.clip(rng.normal(2.0, 0.4, (N_COUNTRIES, n_y)), 0.5, 4.0)
    nominal = gdp_base[:, None] * np.cumprod((1 + growth / 100) * (1 + inflation / 100), axis=1)
    share_2025 = rng.uniform(2.0, 5.0, (N_COUNTRIES, 1))
    real_rise = 1 + rng.uniform(0.0, 0.3, (N_COUNTRIES, 1)) * np.linspace(0, 1, n_y)
    amounts = nominal * share_2025 / 100 * real_rise
    targets = np.full(N_COUNTRIES, 3.5)
    return {
        "amounts": amounts,
        "gdp_base": gdp_base,
        "growth": growth,
        "inflation": inflation,
        "targets": targets,
    }


def pandas_baseline(inputs: dict[str, Any], draws: int, seed: int = 0):
    """The model written plainly with pandas: one DataFrame per draw, then a groupby."""
    import pandas as pd

    from milex.montecarlo import load_uncertainty

    unc = load_uncertainty()
    countries = [f"C{i:02d}" for i in range(N_COUNTRIES)]
    frame = lambda a: pd.DataFrame(a, index=countries, columns=YEARS)  # noqa: E731
    amounts, growth, inflation = (frame(inputs[k]) for k in ("amounts", "growth", "inflation"))
    gdp_base = pd.Series(inputs["gdp_base"], index=countries)
    targets = pd.Series(inputs["targets"], index=countries)
    rng = np.random.default_rng(seed)
    innov = np.sqrt(1 - unc.rho**2)
    shares = []
    for _ in range(draws):
        u_g = frame(rng.standard_normal((N_COUNTRIES, len(YEARS))))
        u_p = unc.corr * u_g + np.sqrt(1 - unc.corr**2) * frame(
            rng.standard_normal((N_COUNTRIES, len(YEARS)))
        )
        e_g, e_p = u_g.copy(), u_p.copy()
        for prev, year in itertools.pairwise(YEARS):
            e_g[year] = unc.rho * e_g[prev] + innov * u_g[year]
            e_p[year] = unc.rho * e_p[prev] + innov * u_p[year]
        g = growth + unc.growth_sd * e_g
        p = inflation + unc.inflation_sd * e_p
        gdp = ((1 + g / 100) * (1 + p / 100)).cumprod(axis=1).mul(gdp_base, axis=0)
        shares.append((100 * amounts / gdp).stack())
    long = pd.concat(shares, keys=range(draws), names=["draw", "country", "year"])
    by_cell = long.groupby(level=["country", "year"])
    meets = long >= targets.reindex(long.index.get_level_values("country")).to_numpy()
    return pd.DataFrame(
        {
            "median": by_cell.median(),
            "p05": by_cell.quantile(0.05),
            "p95": by_cell.quantile(0.95),
            "mean": by_cell.mean(),
            "prob_meet": meets.groupby(level=["country", "year"]).mean(),
        }
    )


def _engine_child(draws: int, pool: str, workers: int | None, seed: int) -> dict[str, Any]:
    """Runs in a fresh process: one warm-up, one timed run; returns seconds and peak RSS."""
    from milex.montecarlo import simulate

    inputs = synthetic_inputs()
    imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    opts = dict(
        uncertainty=None,
        chunk_size=25_000,
        workers=workers,
        dask_address=None,
        progress=None,
        pool=pool,
    )
    simulate(**inputs, draws=10_000, seed=seed, **opts)  # warm-up: imports, page faults
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    res = simulate(**inputs, draws=draws, seed=seed, **opts)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rss_imports_kib": imports,
        "rss_before_kib": before,
        "rss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "rss_children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "median_2035": res.median[:, -1].tolist(),
        "prob_2035": res.prob_meet[:, -1].tolist(),
    }


def run_engine(draws: int, pool: str = "thread", workers: int | None = None, seed: int = 1):
    """``simulate`` in a fresh Python process (this file with ``--child``); its measurements.

    A separate process makes ``ru_maxrss`` the high-water mark of that run alone.
    """
    spec = json.dumps({"draws": draws, "pool": pool, "workers": workers, "seed": seed})
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", spec],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--baseline-draws", type=int, default=200)
    ap.add_argument("--skip-variants", action="store_true", help="only the default thread pool")
    args = ap.parse_args(argv)
    cells = N_COUNTRIES * len(YEARS)
    mib = 1 / 1024

    t0 = time.perf_counter()
    baseline = pandas_baseline(synthetic_inputs(), args.baseline_draws)
    pandas_s = time.perf_counter() - t0
    pandas_rate = args.baseline_draws * cells / pandas_s

    small = run_engine(max(1, args.draws // 10))
    full = run_engine(args.draws)
    rate = args.draws * cells / full["seconds"]
    variants = {}
    if not args.skip_variants:
        variants["processes"] = run_engine(args.draws, pool="process")
        variants["1 worker"] = run_engine(args.draws, workers=1)

    rows = [
        {
            "name": "simulate throughput (threads, default)",
            "value": rate,
            "unit": "ally-year-draws/s",
            "ratio": rate / pandas_rate,
        }
    ]
    for label, out in variants.items():
        r = args.draws * cells / out["seconds"]
        rows.append(
            {
                "name": f"simulate throughput ({label})",
                "value": r,
                "unit": "ally-year-draws/s",
                "ratio": r / pandas_rate,
            }
        )
    rows.append(
        {
            "name": f"pandas loop over draws ({args.baseline_draws} draws, scaled)",
            "value": pandas_rate,
            "unit": "ally-year-draws/s",
            "ratio": 1.0,
        }
    )
    small_mib = small["rss_self_kib"] * mib
    full_mib = full["rss_self_kib"] * mib
    rows.append(
        {
            "name": f"peak RSS, {max(1, args.draws // 10):,} draws",
            "value": small_mib,
            "unit": "MiB",
            "ratio": small_mib / MEMORY_BUDGET_MIB,
        }
    )
    rows.append(
        {
            "name": f"peak RSS, {args.draws:,} draws",
            "value": full_mib,
            "unit": "MiB",
            "ratio": full_mib / small_mib,
        }
    )

    print(f"workload: {N_COUNTRIES} allies x {len(YEARS)} years x {args.draws:,} draws")
    print(f"{'measure':48s} {'value':>16s} {'unit':18s} {'ratio':>9s}")
    for row in rows:
        print(f"{row['name']:48s} {row['value']:16,.1f} {row['unit']:18s} {row['ratio']:9.2f}")
    print(
        f"simulate: {full['seconds']:.2f} s for {args.draws:,} draws; pandas: {pandas_s:.2f} s "
        f"for {args.baseline_draws} draws = {pandas_s * args.draws / args.baseline_draws:,.0f} s "
        f"scaled to {args.draws:,}"
    )
    print(
        f"peak RSS after imports (numpy, milex and what milex/__init__ pulls in): "
        f"{full['rss_imports_kib'] * mib:.0f} MiB; after a 10,000-draw warm-up: "
        f"{full['rss_before_kib'] * mib:.0f} MiB; so the timed runs added "
        f"{(small['rss_self_kib'] - small['rss_imports_kib']) * mib:.0f} / "
        f"{(full['rss_self_kib'] - full['rss_imports_kib']) * mib:.0f} MiB over imports"
    )
    if "processes" in variants:
        print(
            "process pool: each worker process peaked at "
            f"{variants['processes']['rss_children_kib'] * mib:.0f} MiB"
        )
    spread = np.abs(np.array(full["median_2035"]) - baseline["median"].xs(YEARS[-1], level=1))
    print(
        f"check: 2035 medians, engine vs pandas ({args.baseline_draws} draws), "
        f"max difference {spread.max():.3f} pp of GDP"
    )
    verdict = "meets" if rate >= AIM_THROUGHPUT else "misses"
    print(f"aim {AIM_THROUGHPUT / 1e6:.0f} M ally-year-draws/s: {verdict} ({rate / 1e6:.1f} M/s)")
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_engine_child(**json.loads(sys.argv[2]))))
    else:
        main()
