"""Benchmark of milex.montecarlo.simulate: throughput against a plain numpy loop of the same
model and against Dask, peak memory, and the kernel's first-call compile time.

Workload: 32 allies x 11 years (2025-2035), synthetic but realistic inputs (GDP 20 to 25,000
billion national currency, defence at 2-5% of GDP rising 0-30% in real terms by 2035, ~1.5% real
growth, ~2% deflator inflation), the default uncertainty with a spending error of sd 5% and
bias -2% (benchmark settings, not calibrated), every third ally a share plan, and the group's
share weighted by real GDP with its members meeting.

Measured (throughput in ally-year-draws per second; one ally-year-draw is one country, one
year, one draw):

* interleaved repetitions (``--reps``) of: ``simulate`` on local threads (``--draws``), the
  same model written the plain numpy way (``numpy_baseline``: float64 ``default_rng``
  normals, ``[draws, countries]`` arrays year by year, every share kept and summarised with
  ``np.quantile``; on ``--baseline-draws`` draws), and ``simulate`` on a Dask LocalCluster on
  loopback (``--dask processes`` or ``threads``, or ``none``); each reported as the median
  with its min-max, and the ratios engine/numpy and Dask/threads computed per repetition;
* peak RSS of ``simulate`` at ``--draws / 10`` and ``--draws`` draws, each in a fresh Python
  process (its ``VmHWM``; memory should not grow with draws);
* the kernel's compile time: the first ``simulate`` in a fresh process with an empty numba
  cache (``NUMBA_CACHE_DIR`` a new temporary directory), against one with the cache filled.

Run ``python benchmarks/bench_simulation.py [--draws N] [--reps R]``; ``main(argv)`` returns
the rows (``name``, ``value``, ``unit``, ``ratio``): for a throughput the ratio is the speed-up
over the numpy loop (Dask: its time over local threads'), for peak memory at the small draw
count the fraction of the 2 GiB budget, at the full count its ratio to the small count's
(1.0 = flat), for compile time its ratio to the warm start.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

YEARS = list(range(2025, 2036))
N_COUNTRIES = 32
AIM_THROUGHPUT = 150e6  # ally-year-draws per second on the 2-core reference machine
AIM_OVER_NUMPY = 3.0
AIM_DASK = 1.1  # Dask's time at most 1.1x local threads'
MEMORY_BUDGET_MIB = 2048.0
SPEND_SD, SPEND_BIAS = 5.0, -2.0  # percent of planned spending: benchmark settings


def synthetic_inputs(seed: int = 0) -> dict[str, Any]:
    """Inputs for ``simulate``: 32 countries x 11 years, national currency and percent, with
    share plans (every third ally) and group weights (base-year GDP, as if in one currency)."""
    rng = np.random.default_rng(seed)
    n_y = len(YEARS)
    gdp_base = np.exp(rng.uniform(np.log(20.0), np.log(25_000.0), N_COUNTRIES))  # 2024 GDP
    growth = np.clip(rng.normal(1.5, 0.6, (N_COUNTRIES, 1)) + rng.normal(0, 0.3, (1, n_y)), 0, 4)
    inflation = np.clip(rng.normal(2.0, 0.4, (N_COUNTRIES, n_y)), 0.5, 4.0)
    nominal = gdp_base[:, None] * np.cumprod((1 + growth / 100) * (1 + inflation / 100), axis=1)
    share_2025 = rng.uniform(2.0, 5.0, (N_COUNTRIES, 1))
    real_rise = 1 + rng.uniform(0.0, 0.3, (N_COUNTRIES, 1)) * np.linspace(0, 1, n_y)
    amounts = nominal * share_2025 / 100 * real_rise
    return {
        "amounts": amounts,
        "gdp_base": gdp_base,
        "growth": growth,
        "inflation": inflation,
        "targets": np.full(N_COUNTRIES, 3.5),
        "share_plan": np.arange(N_COUNTRIES) % 3 == 0,
        "weights": gdp_base,
    }


def uncertainty():
    """The default uncertainty with the benchmark's spending error."""
    from milex.montecarlo import load_uncertainty

    return dataclasses.replace(load_uncertainty(), spend_sd=SPEND_SD, spend_bias=SPEND_BIAS)


def numpy_baseline(inputs: dict[str, Any], draws: int, seed: int = 0) -> dict[str, np.ndarray]:
    """The engine's model written the plain vectorised numpy way: float64 normals from
    ``default_rng``, ``[draws, countries]`` arrays year by year, every share kept
    (``[draws, countries, years]``) and summarised with ``np.quantile``."""
    unc = uncertainty()
    amounts, gdp_base = inputs["amounts"], inputs["gdp_base"]
    growth, inflation, targets = inputs["growth"], inputs["inflation"], inputs["targets"]
    share_plan, weights = inputs["share_plan"], inputs["weights"]
    n_c, n_y = amounts.shape
    rng = np.random.default_rng(seed)
    central = np.cumprod((1 + growth / 100) * (1 + inflation / 100), axis=1)
    k, rho, corr = unc.country_corr, unc.rho, unc.corr
    shares = np.empty((draws, n_c, n_y))
    group = np.empty((draws, n_y))
    members = np.empty((draws, n_y), dtype=np.int64)
    level = np.ones((draws, n_c))
    real = np.ones((draws, n_c))
    e_g = e_p = np.zeros((draws, n_c))
    for t in range(n_y):
        w_g = np.sqrt(k) * rng.standard_normal((draws, 1)) + np.sqrt(1 - k) * rng.standard_normal(
            (draws, n_c)
        )
        w_p = np.sqrt(k) * rng.standard_normal((draws, 1)) + np.sqrt(1 - k) * rng.standard_normal(
            (draws, n_c)
        )
        w_p = corr * w_g + np.sqrt(1 - corr**2) * w_p
        if t == 0:
            e_g, e_p = w_g, w_p
        else:
            e_g = rho * e_g + np.sqrt(1 - rho**2) * w_g
            e_p = rho * e_p + np.sqrt(1 - rho**2) * w_p
        widen = 1 + unc.horizon_slope * t
        recession = rng.random((draws, 1)) < unc.recession_prob
        g = growth[:, t] - unc.growth_bias + unc.growth_sd * widen * e_g
        g = g + unc.recession_growth * recession
        p = inflation[:, t] - unc.inflation_bias + unc.inflation_sd * widen * e_p
        level = level * (1 + g / 100) * (1 + p / 100)
        real = real * (1 + g / 100)
        error = 1 + (SPEND_BIAS + SPEND_SD * rng.standard_normal((draws, n_c))) / 100
        spend = amounts[:, t] * np.maximum(error, 0)
        spend = np.where(share_plan, spend * level / central[:, t], spend)
        share = 100 * spend / (gdp_base * level)
        shares[:, :, t] = share
        group[:, t] = (weights * real * share).sum(axis=1) / (weights * real).sum(axis=1)
        members[:, t] = (share >= targets).sum(axis=1)
    p05, median, p95 = np.quantile(shares, [0.05, 0.5, 0.95], axis=0)
    return {
        "median": median,
        "p05": p05,
        "p95": p95,
        "mean": shares.mean(axis=0),
        "prob_meet": (shares >= targets[:, None]).mean(axis=0),
        "group_median": np.median(group, axis=0),
        "group_prob": (group >= 3.5).mean(axis=0),
        "members": np.stack([np.bincount(members[:, t], minlength=n_c + 1) for t in range(n_y)])
        / draws,
    }


def _peak_kib() -> int:
    """This process's peak resident memory, KiB: VmHWM of /proc/self/status (ru_maxrss would
    carry the parent's peak over fork and exec), ru_maxrss where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(draws: int, seed: int) -> dict[str, Any]:
    """Runs in a fresh process: the first ``simulate`` (imports, compile or cache load), then
    a timed run; returns the seconds and the peak RSS."""
    start = time.perf_counter()
    from milex.montecarlo import simulate

    inputs, unc = synthetic_inputs(), uncertainty()
    simulate(**inputs, draws=1_000, seed=seed, uncertainty=unc)
    first = time.perf_counter() - start
    before = _peak_kib()
    start = time.perf_counter()
    simulate(**inputs, draws=draws, seed=seed, uncertainty=unc)
    return {
        "first_s": first,
        "seconds": time.perf_counter() - start,
        "rss_before_kib": before,
        "rss_self_kib": _peak_kib(),
    }


def run_child(draws: int, seed: int = 1, cache_dir: str | None = None) -> dict[str, Any]:
    """:func:`_child` in a fresh Python process (this file with ``--child``), so ``ru_maxrss``
    is that run's alone; ``cache_dir``: numba's cache directory (a new one = a cold start)."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(draws), str(seed)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cluster(kind: str):
    """A Dask LocalCluster on loopback: 'threads' (one worker, 2 threads, in this process) or
    'processes' (two worker processes of one thread)."""
    import distributed

    per = {"threads": (False, 1, 2), "processes": (True, 2, 1)}[kind]
    return distributed.LocalCluster(
        processes=per[0],
        n_workers=per[1],
        threads_per_worker=per[2],
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=":0",
    )


def _spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):,.1f} (min {min(values):,.1f}, max {max(values):,.1f})"
    )


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--baseline-draws", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dask", choices=("threads", "processes", "none"), default="threads")
    args = ap.parse_args(argv)
    from milex.montecarlo import simulate

    cells = N_COUNTRIES * len(YEARS)
    inputs, unc = synthetic_inputs(), uncertainty()
    simulate(**inputs, draws=1_000, seed=1, uncertainty=unc)  # compile or load the kernel
    cluster = None if args.dask == "none" else _cluster(args.dask)
    rates: dict[str, list[float]] = {"engine": [], "numpy": [], "dask": []}
    over_numpy, dask_ratio = [], []
    try:
        if cluster is not None:  # warm the workers (imports, kernel load)
            simulate(
                **inputs,
                draws=5_000,
                seed=1,
                uncertainty=unc,
                dask_address=cluster.scheduler_address,
            )
        for rep in range(args.reps):  # interleaved: one busy moment hits every contender
            start = time.perf_counter()
            res = simulate(**inputs, draws=args.draws, seed=rep, uncertainty=unc)
            engine_s = time.perf_counter() - start
            rates["engine"].append(args.draws * cells / engine_s / 1e6)
            start = time.perf_counter()
            base = numpy_baseline(inputs, args.baseline_draws, seed=rep)
            rates["numpy"].append(args.baseline_draws * cells / (time.perf_counter() - start) / 1e6)
            over_numpy.append(rates["engine"][-1] / rates["numpy"][-1])
            if cluster is not None:
                start = time.perf_counter()
                remote = simulate(
                    **inputs,
                    draws=args.draws,
                    seed=rep,
                    uncertainty=unc,
                    dask_address=cluster.scheduler_address,
                )
                dask_s = time.perf_counter() - start
                rates["dask"].append(args.draws * cells / dask_s / 1e6)
                dask_ratio.append(dask_s / engine_s)
                assert np.array_equal(remote.prob_meet, res.prob_meet), "Dask != local"
    finally:
        if cluster is not None:
            cluster.close()

    small_draws = max(1, args.draws // 10)
    small, full = run_child(small_draws), run_child(args.draws)
    with tempfile.TemporaryDirectory() as fresh:
        cold = run_child(1_000, cache_dir=fresh)
        warm = run_child(1_000, cache_dir=fresh)

    med = statistics.median
    rows = [
        {
            "name": "simulate, local threads",
            "value": med(rates["engine"]) * 1e6,
            "unit": "ally-year-draws/s",
            "ratio": med(over_numpy),
        },
        {
            "name": f"plain numpy loop ({args.baseline_draws:,} draws)",
            "value": med(rates["numpy"]) * 1e6,
            "unit": "ally-year-draws/s",
            "ratio": 1.0,
        },
    ]
    if dask_ratio:
        rows.append(
            {
                "name": f"simulate, Dask LocalCluster ({args.dask}, loopback)",
                "value": med(rates["dask"]) * 1e6,
                "unit": "ally-year-draws/s",
                "ratio": med(dask_ratio),
            }
        )
    small_mib, full_mib = small["rss_self_kib"] / 1024, full["rss_self_kib"] / 1024
    rows += [
        {
            "name": f"peak RSS, {small_draws:,} draws",
            "value": small_mib,
            "unit": "MiB",
            "ratio": small_mib / MEMORY_BUDGET_MIB,
        },
        {
            "name": f"peak RSS, {args.draws:,} draws",
            "value": full_mib,
            "unit": "MiB",
            "ratio": full_mib / small_mib,
        },
        {
            "name": "first simulate in a fresh process, empty numba cache",
            "value": cold["first_s"],
            "unit": "s",
            "ratio": cold["first_s"] / warm["first_s"],
        },
        {
            "name": "first simulate in a fresh process, cache filled",
            "value": warm["first_s"],
            "unit": "s",
            "ratio": 1.0,
        },
    ]

    print(
        f"workload: {N_COUNTRIES} allies x {len(YEARS)} years x {args.draws:,} draws, "
        f"{args.reps} interleaved repetitions (M ally-year-draws/s)"
    )
    print(f"  engine, local threads : {_spread(rates['engine'])}")
    print(f"  plain numpy loop      : {_spread(rates['numpy'])}")
    if dask_ratio:
        print(f"  engine, Dask ({args.dask:9s}): {_spread(rates['dask'])}")
    print(f"  engine / numpy        : {_spread(over_numpy)}")
    if dask_ratio:
        print(f"  Dask time / threads   : {_spread(dask_ratio)}")
    print(f"{'measure':55s} {'value':>16s} {'unit':18s} {'ratio':>9s}")
    for row in rows:
        print(f"{row['name']:55s} {row['value']:16,.2f} {row['unit']:18s} {row['ratio']:9.2f}")
    gap = np.abs(res.median - base["median"]).max()
    prob_gap = np.abs(res.prob_meet - base["prob_meet"]).max()
    print(
        "peak RSS after the imports and a 1,000-draw first run: "
        f"{full['rss_before_kib'] / 1024:.0f} MiB (numba and its compiler included)"
    )
    print(
        f"check: engine vs numpy loop ({args.baseline_draws:,} draws): medians within "
        f"{gap:.3f} pp of GDP, probabilities within {prob_gap:.3f}"
    )
    rate = med(rates["engine"]) * 1e6
    verdicts = [
        f"{AIM_THROUGHPUT / 1e6:.0f} M/s: {'met' if rate >= AIM_THROUGHPUT else 'missed'}",
        f"{AIM_OVER_NUMPY:g}x numpy: {'met' if med(over_numpy) >= AIM_OVER_NUMPY else 'missed'}",
    ]
    if dask_ratio:
        verdicts.append(
            f"Dask within {AIM_DASK}x: {'met' if med(dask_ratio) <= AIM_DASK else 'missed'}"
        )
    print("aims: " + "; ".join(verdicts))
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        main()
