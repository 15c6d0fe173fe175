"""Monte Carlo engine: the probability that planned spending meets a share-of-GDP target.

Pure numpy; it reads no store (the caller passes arrays).  The model, per country ``c`` and
projection year ``y`` (``y = 0`` is the first year after the base year):

* ``amounts[c, y]`` is planned spending, national currency, current prices (not rescaled);
* nominal GDP, in the same currency and units as ``gdp_base``, is uncertain::

      GDP[c, y] = gdp_base[c] * prod_{t <= y} (1 + g[c, t] / 100) * (1 + p[c, t] / 100)

  with real growth ``g`` and GDP-deflator inflation ``p`` in percent;
* draws: ``g = growth + growth_sd * e_g`` and ``p = inflation + inflation_sd * e_p``, where the
  standard-normal shocks follow a stationary AR(1) over years (``e_0 ~ N(0, 1)``,
  ``e_t = rho * e_{t-1} + sqrt(1 - rho**2) * u_t``) and ``e_g``, ``e_p`` have correlation
  ``corr`` within a year (and ``corr * rho**|t - s|`` across years);
* the share of GDP is ``100 * amounts / GDP``, in percent (never a fraction).

Per country-year :func:`simulate` reports the median, 5th and 95th percentiles and mean of the
share (percent of GDP) and ``prob_meet = P(share >= target[c])`` (a probability in [0, 1]).

How it is computed, so memory stays flat at any draw count:

* draws are processed in chunks; per chunk only ``chunk_size x countries`` float32 arrays exist
  (one year at a time), and a chunk returns a histogram, exact counts and sums;
* quantiles come from merged fixed-grid histograms of the share.  The grid is the lattice of
  multiples of ``bin_width`` percentage points (0.001 pp unless the spread is so wide that the
  histogram would exceed ``MAX_BINS`` bins in all, when the width is raised on a 1-2-5 scale);
  each country-year keeps only the window of that lattice where its share can plausibly fall
  (the deterministic share times ``exp(+-10`` standard deviations of log nominal GDP``)``)
  plus an underflow and an overflow bin.  Quantiles are interpolated linearly inside the bin
  that holds them, so they are accurate to ``bin_width`` (plus Monte Carlo error); one that
  falls outside the window is reported as NaN (this takes shocks of about 10 standard
  deviations, so it does not happen with sensible inputs);
* ``prob_meet`` is an exact count of draws (share compared with the target in float32);
* the mean is an exact float64 sum of the float32 shares, accumulated in a fixed order.

Reproducibility: the random numbers come in blocks of ``BLOCK`` draws; block ``i`` uses
``numpy.random.SeedSequence(seed).spawn(...)[i]`` (that is ``SeedSequence(seed,
spawn_key=(i,))``).  Chunks are whole blocks, histograms and counts are integers and the block
sums are folded in block order, so the same seed gives bit-identical results whatever the chunk
size, the number of workers, the order chunks finish in, or whether they run locally or on Dask.
"""

from __future__ import annotations

import itertools
import math
import os
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np

from milex.errors import DataFileError, InputError

__all__ = [
    "BLOCK",
    "MAX_BINS",
    "SimulationResult",
    "Uncertainty",
    "load_uncertainty",
    "simulate",
]

BLOCK = 5_000
"""Draws per random-number block: the unit of reproducibility (chunks hold whole blocks)."""

MAX_BINS = 8_000_000
"""Upper bound on histogram bins over all country-years (8 bytes each per accumulator)."""

BASE_BIN_WIDTH = 0.001
"""Finest share resolution, percentage points of GDP."""

_WINDOW_SDS = 10.0  # half-width of each country-year's histogram window, in sds of log GDP
_MAX_LOG_SPAN = math.log(1000.0)  # the window never spans more than 1000x the central share
_F32 = np.float32


# --------------------------------------------------------------------------------------------
# Uncertainty parameters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Uncertainty:
    """How uncertain the GDP path is.

    Attributes:
        growth_sd: percentage points; standard deviation of the error of a real GDP growth
            forecast (percent per year), the same for every projection year.
        inflation_sd: percentage points; standard deviation of the error of a GDP-deflator
            inflation forecast (percent per year).
        rho: year-to-year autocorrelation of the standardised shocks, in [0, 1).
        corr: correlation of the growth and inflation shocks in the same year, in (-1, 1).
        source: where the numbers come from (free text, shown to users).

    Raises:
        InputError: a value is not a finite number or outside its range.
    """

    growth_sd: float
    inflation_sd: float
    rho: float
    corr: float
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("growth_sd", "inflation_sd", "rho", "corr"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise InputError(
                    f"Uncertainty.{name} must be a number, got {value!r}; "
                    f"pass a float such as {name}=0.5."
                )
            if not math.isfinite(float(value)):
                raise InputError(
                    f"Uncertainty.{name} is {value!r}; it must be a finite number: "
                    "replace NaN/inf with a value (see milex/data/uncertainty.toml for defaults)."
                )
            object.__setattr__(self, name, float(value))
        for name in ("growth_sd", "inflation_sd"):
            if getattr(self, name) < 0:
                raise InputError(
                    f"Uncertainty.{name} is {getattr(self, name)} but a standard deviation "
                    "(percentage points) must be >= 0; use 0 for no uncertainty."
                )
        if not 0.0 <= self.rho < 1.0:
            raise InputError(
                f"Uncertainty.rho is {self.rho}; the year-to-year autocorrelation must be in "
                "[0, 1) (0 = independent years, e.g. 0.3); for a permanent shock use 0.99."
            )
        if not -1.0 < self.corr < 1.0:
            raise InputError(
                f"Uncertainty.corr is {self.corr}; the growth-inflation correlation must be "
                "strictly between -1 and 1, e.g. 0.25; use +-0.99 for near-perfect co-movement."
            )
        if not isinstance(self.source, str):
            raise InputError(f"Uncertainty.source must be text, got {self.source!r}.")


def load_uncertainty(name: str = "default") -> Uncertainty:
    """Read the named table of ``milex/data/uncertainty.toml`` (shipped with the package).

    ``growth_sd`` and ``inflation_sd`` are percentage points; ``rho`` and ``corr`` are
    correlations.  The file documents where each default comes from and which are judgement.

    Raises:
        InputError: no table of that name (the message lists the tables there are).
        DataFileError: the table lacks a field or has a bad value.
    """
    resource = files("milex") / "data" / "uncertainty.toml"
    try:
        tables = tomllib.loads(resource.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"milex/data/uncertainty.toml cannot be read: {exc}") from exc
    if name not in tables or not isinstance(tables[name], dict):
        known = ", ".join(sorted(k for k, v in tables.items() if isinstance(v, dict)))
        raise InputError(
            f"no uncertainty setting named {name!r}; known: {known}. "
            "Use load_uncertainty('default') or build Uncertainty(...) yourself."
        )
    table = tables[name]
    fields = ("growth_sd", "inflation_sd", "rho", "corr", "source")
    missing = [f for f in fields if f not in table]
    if missing:
        raise DataFileError(
            f"milex/data/uncertainty.toml [{name}] lacks {', '.join(missing)}; "
            f"each table needs {', '.join(fields)}."
        )
    try:
        return Uncertainty(**{f: table[f] for f in fields})
    except InputError as exc:
        raise DataFileError(f"milex/data/uncertainty.toml [{name}]: {exc}") from exc


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulationResult:
    """Distribution of the share of GDP per country and projection year.

    Every array is ``[n_countries, n_years]``, countries and years in the order of the inputs.

    Attributes:
        median, p05, p95: quantiles of the share, percent of GDP, accurate to ``bin_width``
            percentage points plus Monte Carlo error (NaN in the never-seen case that a
            quantile falls outside the histogram window, see the module docstring).
        mean: mean share, percent of GDP (exact over the draws).
        prob_meet: probability in [0, 1] that the share is >= the country's target (exact
            fraction of the draws).
        draws: number of Monte Carlo draws.
        seed: the seed used; when ``simulate`` was called with ``seed=None`` this is the fresh
            entropy it drew, so passing it back reproduces the run.
        bin_width: resolution of the quantiles, percentage points of GDP.
    """

    median: np.ndarray
    p05: np.ndarray
    p95: np.ndarray
    mean: np.ndarray
    prob_meet: np.ndarray
    draws: int
    seed: int | None
    bin_width: float


# --------------------------------------------------------------------------------------------
# Plan: everything a chunk needs, small and picklable (it travels to Dask workers)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    entropy: int
    draws: int
    n_countries: int
    n_years: int
    a_g: np.ndarray  # [Y, C] float32, 1 + growth / 100
    a_p: np.ndarray  # [Y, C] float32, 1 + inflation / 100
    b_g: float  # growth_sd / 100
    b_p: float  # inflation_sd / 100
    rho: float
    corr: float
    k: np.ndarray  # [Y, C] float32, 100 * amounts / gdp_base (share when GDP stays at base)
    target: np.ndarray  # [C] float32, percent
    inv_bw: float  # 1 / bin_width
    lo_bins: np.ndarray  # [Y, C] float32, window start in bins (window start / bin_width)
    n_bins: np.ndarray  # [Y, C] float32, bins in the window (without under/overflow)
    cell_off: np.ndarray  # [Y, C] intp, first bin of each cell relative to its year's start
    year_start: np.ndarray  # [Y + 1] int64, first bin of each year in the flat histogram

    @property
    def total_bins(self) -> int:
        return int(self.year_start[-1])

    @property
    def n_blocks(self) -> int:
        return -(-self.draws // BLOCK)


@dataclass
class _ChunkResult:
    first_block: int
    hist: np.ndarray  # [total_bins] int64
    meet: np.ndarray  # [Y, C] int64, draws with share >= target
    block_sums: np.ndarray  # [n_blocks_in_chunk, Y, C] float64, sum of shares per block


def _run_chunk(plan: _Plan, first_block: int, n_blocks: int) -> _ChunkResult:
    """Simulate blocks ``first_block .. first_block + n_blocks - 1`` (a contiguous draw range).

    Works one projection year at a time on ``[draws_in_chunk, countries]`` float32 arrays, so
    the working set is about ten such arrays whatever the total number of draws.
    """
    n_c, n_y = plan.n_countries, plan.n_years
    starts = [b * BLOCK for b in range(first_block, first_block + n_blocks)]
    sizes = [min(BLOCK, plan.draws - s) for s in starts]
    n = sum(sizes)
    base = starts[0]
    slices = [slice(s - base, s - base + m) for s, m in zip(starts, sizes, strict=True)]
    gens = [
        np.random.Generator(np.random.SFC64(np.random.SeedSequence(plan.entropy, spawn_key=(b,))))
        for b in range(first_block, first_block + n_blocks)
    ]
    shape = (n, n_c)
    u_g = np.empty(shape, _F32)
    u_p = np.empty(shape, _F32)
    e_g = np.empty(shape, _F32)
    e_p = np.empty(shape, _F32)
    level = np.ones(shape, _F32)  # GDP relative to the base year
    tmp = np.empty(shape, _F32)
    share = np.empty(shape, _F32)
    idx = np.empty(shape, np.intp)
    mask = np.empty(shape, np.bool_)
    hist = np.zeros(plan.total_bins, np.int64)
    meet = np.zeros((n_y, n_c), np.int64)
    block_sums = np.zeros((n_blocks, n_y, n_c), np.float64)

    rho, corr = _F32(plan.rho), _F32(plan.corr)
    innov = _F32(math.sqrt(1.0 - plan.rho**2))
    c_g = _F32(corr * innov)  # weight of u_g in the inflation innovation
    c_p = _F32(math.sqrt(1.0 - plan.corr**2) * innov)  # weight of u_p
    c_p0 = _F32(math.sqrt(1.0 - plan.corr**2))
    b_g, b_p = _F32(plan.b_g), _F32(plan.b_p)
    inv_bw = _F32(plan.inv_bw)
    one = _F32(1.0)
    zero = _F32(0.0)

    for t in range(n_y):
        # Fixed call order per block (year, then growth before inflation) defines the streams.
        for gen, sl in zip(gens, slices, strict=True):
            gen.standard_normal(out=u_g[sl], dtype=_F32)
            gen.standard_normal(out=u_p[sl], dtype=_F32)
        if t == 0:  # stationary start: e_g ~ N(0,1), e_p = corr e_g + sqrt(1-corr^2) u_p
            e_g[...] = u_g
            np.multiply(u_g, corr, out=e_p)
            np.multiply(u_p, c_p0, out=tmp)
            e_p += tmp
        else:
            e_g *= rho
            np.multiply(u_g, innov, out=tmp)
            e_g += tmp
            e_p *= rho
            np.multiply(u_g, c_g, out=tmp)
            e_p += tmp
            np.multiply(u_p, c_p, out=tmp)
            e_p += tmp
        # level *= (1 + g/100) * (1 + p/100)
        np.multiply(e_g, b_g, out=tmp)
        tmp += plan.a_g[t]
        level *= tmp
        np.multiply(e_p, b_p, out=tmp)
        tmp += plan.a_p[t]
        level *= tmp
        np.divide(plan.k[t], level, out=share)

        np.greater_equal(share, plan.target, out=mask)
        meet[t] += np.count_nonzero(mask, axis=0)
        for j, sl in enumerate(slices):
            block_sums[j, t] = share[sl].sum(axis=0, dtype=np.float64)

        # Histogram: bin = floor(share / bw - lo) + 1, clipped to [0, n_bins + 1] (under/overflow)
        np.multiply(share, inv_bw, out=tmp)
        tmp -= plan.lo_bins[t]
        tmp += one
        np.clip(tmp, zero, plan.n_bins[t] + one, out=tmp)
        idx[...] = tmp  # truncation == floor, all values are >= 0 here
        idx += plan.cell_off[t]
        y0, y1 = int(plan.year_start[t]), int(plan.year_start[t + 1])
        hist[y0:y1] += np.bincount(idx.ravel(), minlength=y1 - y0)
    return _ChunkResult(first_block, hist, meet, block_sums)


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _array(name: str, value: Any, ndim: int, unit: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{name} must be numbers ({unit}); it could not be read as numbers ({exc}). "
            "Pass a numpy array or nested lists of floats."
        ) from exc
    if arr.ndim != ndim:
        want = "[n_countries]" if ndim == 1 else "[n_countries, n_years]"
        raise InputError(
            f"{name} has shape {arr.shape} but must be {ndim}-D, {want} ({unit}). "
            "Reshape it, e.g. np.asarray(x).reshape(n_countries, n_years)."
        )
    if arr.size and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0].tolist()
        what = "NaN" if np.isnan(arr).any() else "an infinite value"
        raise InputError(
            f"{name} contains {what} (first at index {bad}); every entry must be a finite "
            f"number ({unit}). Fill or drop the gap before simulating, e.g. carry the last "
            "WEO value forward."
        )
    return arr


def _check_int(name: str, value: Any, *, minimum: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(
            f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__}). "
            f"{hint}"
        )
    if value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value}. {hint}")
    return int(value)


def _validate(
    amounts: Any,
    gdp_base: Any,
    growth: Any,
    inflation: Any,
    targets: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    amounts_a = _array("amounts", amounts, 2, "national currency, current prices")
    n_c, n_y = amounts_a.shape
    if n_c == 0 or n_y == 0:
        raise InputError(
            f"amounts has shape {amounts_a.shape}; it needs at least one country and one "
            "projection year ([n_countries, n_years])."
        )
    gdp_a = _array("gdp_base", gdp_base, 1, "base-year nominal GDP, same currency as amounts")
    growth_a = _array("growth", growth, 2, "real GDP growth, percent per year")
    infl_a = _array("inflation", inflation, 2, "GDP-deflator inflation, percent per year")
    targets_a = np.asarray(targets, dtype=object)
    if targets_a.ndim == 0:
        targets_a = _array("targets", [targets], 1, "percent of GDP").repeat(n_c)
    else:
        targets_a = _array("targets", targets, 1, "percent of GDP")
    for name, arr, want in (
        ("gdp_base", gdp_a, (n_c,)),
        ("growth", growth_a, (n_c, n_y)),
        ("inflation", infl_a, (n_c, n_y)),
        ("targets", targets_a, (n_c,)),
    ):
        if arr.shape != want:
            raise InputError(
                f"{name} has shape {arr.shape} but amounts is {amounts_a.shape} "
                f"([n_countries, n_years]), so {name} must be {want}. "
                "Align all inputs on the same countries and years, in the same order."
            )
    if (amounts_a < 0).any():
        bad = np.argwhere(amounts_a < 0)[0].tolist()
        raise InputError(
            f"amounts has a negative value at {bad} ({amounts_a[tuple(bad)]}); planned "
            "spending must be >= 0 (national currency). Check the sign or the units."
        )
    if (gdp_a <= 0).any():
        bad = int(np.argmax(gdp_a <= 0))
        raise InputError(
            f"gdp_base[{bad}] is {gdp_a[bad]}; base-year GDP must be > 0 (national currency, "
            "same units as amounts). Check for a missing figure coded as 0."
        )
    for name, arr in (("growth", growth_a), ("inflation", infl_a)):
        if (arr <= -100).any():
            bad = np.argwhere(arr <= -100)[0].tolist()
            raise InputError(
                f"{name} is {arr[tuple(bad)]} at {bad}; it is a percent change and must be "
                "> -100 (percent, not a fraction: 2.5 means 2.5%)."
            )
    if ((targets_a < 0) | (targets_a > 100)).any():
        bad = int(np.argmax((targets_a < 0) | (targets_a > 100)))
        raise InputError(
            f"targets[{bad}] is {targets_a[bad]}; a target is a share of GDP in percent and "
            "must be between 0 and 100 (3.5 means 3.5% of GDP, not 0.035 or 350)."
        )
    return amounts_a, gdp_a, growth_a, infl_a, targets_a


# --------------------------------------------------------------------------------------------
# Planning the histogram grid
# --------------------------------------------------------------------------------------------


def _nice_ceil(x: float) -> float:
    """Smallest number of the form {1, 2, 5} x 10^k that is >= x."""
    exp = math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        v = m * 10.0**exp
        if v >= x * (1 - 1e-12):
            return float(f"{v:.12g}")
    raise AssertionError("unreachable")


def _log_gdp_sd(unc: Uncertainty, n_years: int) -> np.ndarray:
    """Upper bound on the sd of log nominal GDP at each horizon, [n_years] (linearised model).

    Uses ``corr = 1`` (the widest case) so the bound holds for any correlation.
    """
    per_year = (unc.growth_sd + unc.inflation_sd) / 100.0
    lags = np.abs(np.subtract.outer(np.arange(n_years), np.arange(n_years)))
    cov = unc.rho**lags
    s = np.array([cov[: y + 1, : y + 1].sum() for y in range(n_years)])
    return per_year * np.sqrt(s)


def _plan(
    amounts: np.ndarray,
    gdp_base: np.ndarray,
    growth: np.ndarray,
    inflation: np.ndarray,
    targets: np.ndarray,
    unc: Uncertainty,
    draws: int,
    entropy: int,
) -> tuple[_Plan, float]:
    n_c, n_y = amounts.shape
    k = 100.0 * amounts / gdp_base[:, None]  # [C, Y]
    a_g = 1.0 + growth / 100.0
    a_p = 1.0 + inflation / 100.0
    central = k / np.cumprod(a_g * a_p, axis=1)  # deterministic share path, percent
    span = np.minimum(_WINDOW_SDS * _log_gdp_sd(unc, n_y), _MAX_LOG_SPAN)[None, :] + 1e-3
    lo = central * np.exp(-span)
    hi = central * np.exp(span)
    width = BASE_BIN_WIDTH
    while True:
        lo_b = np.floor(lo / width) - 2.0
        lo_b = np.maximum(lo_b, 0.0)
        hi_b = np.ceil(hi / width) + 2.0
        n_bins = hi_b - lo_b
        total = float((n_bins + 2).sum())
        if total <= MAX_BINS:
            break
        width = _nice_ceil(width * total / MAX_BINS * 1.0001)
    cell_bins = (n_bins + 2).T.astype(np.int64)  # [Y, C] with under/overflow
    per_year = cell_bins.sum(axis=1)
    year_start = np.concatenate([[0], np.cumsum(per_year)]).astype(np.int64)
    cell_off = (np.cumsum(cell_bins, axis=1) - cell_bins).astype(np.intp)
    plan = _Plan(
        entropy=entropy,
        draws=draws,
        n_countries=n_c,
        n_years=n_y,
        a_g=np.ascontiguousarray(a_g.T, dtype=_F32),
        a_p=np.ascontiguousarray(a_p.T, dtype=_F32),
        b_g=unc.growth_sd / 100.0,
        b_p=unc.inflation_sd / 100.0,
        rho=unc.rho,
        corr=unc.corr,
        k=np.ascontiguousarray(k.T, dtype=_F32),
        target=targets.astype(_F32),
        inv_bw=1.0 / width,
        lo_bins=np.ascontiguousarray(lo_b.T, dtype=_F32),
        n_bins=np.ascontiguousarray(n_bins.T, dtype=_F32),
        cell_off=cell_off,
        year_start=year_start,
    )
    return plan, width


# --------------------------------------------------------------------------------------------
# Running chunks
# --------------------------------------------------------------------------------------------


class _Merger:
    """Adds chunk results; folds block sums strictly in block order (bit-reproducible mean)."""

    def __init__(self, plan: _Plan) -> None:
        self.hist = np.zeros(plan.total_bins, np.int64)
        self.meet = np.zeros((plan.n_years, plan.n_countries), np.int64)
        self.total = np.zeros((plan.n_years, plan.n_countries), np.float64)
        self._next = 0
        self._pending: dict[int, np.ndarray] = {}

    def add(self, res: _ChunkResult) -> None:
        self.hist += res.hist
        self.meet += res.meet
        self._pending[res.first_block] = res.block_sums
        while self._next in self._pending:
            sums = self._pending.pop(self._next)
            for row in sums:
                self.total += row
            self._next += len(sums)


def _chunks(plan: _Plan, chunk_blocks: int) -> list[tuple[int, int]]:
    n = plan.n_blocks
    return [(b, min(chunk_blocks, n - b)) for b in range(0, n, chunk_blocks)]


def _run_local(
    plan: _Plan,
    chunks: list[tuple[int, int]],
    workers: int,
    pool: str,
) -> Iterator[_ChunkResult]:
    if workers == 1 or len(chunks) == 1:
        for first, count in chunks:
            yield _run_chunk(plan, first, count)
        return
    executor: Executor
    if pool == "thread":
        from concurrent.futures import ThreadPoolExecutor

        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="milex-sim")
    elif pool == "process":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
    else:
        raise InputError(f"pool must be 'thread' or 'process', got {pool!r}.")
    try:
        todo = iter(chunks)
        running: set[Future[_ChunkResult]] = set()
        limit = 2 * workers  # bounded in flight: memory does not grow with the draw count
        for first, count in todo:
            running.add(executor.submit(_run_chunk, plan, first, count))
            if len(running) >= limit:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
                nxt = next(todo, None)
                if nxt is not None:
                    running.add(executor.submit(_run_chunk, plan, *nxt))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _run_dask(plan: _Plan, chunks: list[tuple[int, int]], address: str) -> Iterator[_ChunkResult]:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError(
            "dask_address was given but dask.distributed is not installed; "
            "install it with `pip install 'milex[dask]'` or drop dask_address."
        ) from exc
    try:
        client = Client(address, set_as_default=False, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise InputError(
            f"cannot reach a Dask scheduler at {address!r} ({exc}); start one (e.g. "
            "`dask scheduler`) or pass its address, such as 'tcp://127.0.0.1:8786'."
        ) from exc
    try:
        plan_future = client.scatter(plan, broadcast=True)
        limit = max(2, 2 * sum(client.nthreads().values()))
        todo = iter(chunks)
        first = [
            client.submit(_run_chunk, plan_future, b, n, pure=False)
            for b, n in itertools.islice(todo, limit)
        ]
        queue = as_completed(first)
        for fut in queue:
            res = fut.result()
            fut.release()
            yield res
            nxt = next(todo, None)
            if nxt is not None:
                queue.add(client.submit(_run_chunk, plan_future, *nxt, pure=False))
    finally:
        client.close()


def _quantiles(
    hist: np.ndarray, plan: _Plan, width: float, qs: tuple[float, ...]
) -> list[np.ndarray]:
    """Linear interpolation inside the bin where the cumulative count reaches q * draws."""
    cum = np.cumsum(hist)
    cell_start = (plan.year_start[:-1, None] + plan.cell_off).astype(np.int64)  # [Y, C]
    before = np.where(cell_start > 0, cum[np.maximum(cell_start - 1, 0)], 0)
    n_bins = plan.n_bins.astype(np.int64)
    out = []
    for q in qs:
        want = q * plan.draws
        pos = np.searchsorted(cum, before + want, side="left")  # [Y, C]
        pos = np.minimum(pos, cell_start + n_bins + 1)
        j = pos - cell_start  # 0 = underflow, n_bins + 1 = overflow
        count = hist[pos]
        below = cum[pos] - count - before
        frac = np.clip((want - below) / np.maximum(count, 1), 0.0, 1.0)
        edge = (plan.lo_bins.astype(np.float64) + (j - 1)) * width
        value = edge + frac * width
        value = np.where((j >= 1) & (j <= n_bins), value, np.nan)
        out.append(value.T.copy())
    return out


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def simulate(
    amounts: Any,
    gdp_base: Any,
    growth: Any,
    inflation: Any,
    targets: Any,
    *,
    draws: int,
    seed: int | None = None,
    uncertainty: Uncertainty | None = None,
    chunk_size: int = 25_000,
    workers: int | None = None,
    dask_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Monte Carlo distribution of defence spending as a share of nominal GDP.

    Args:
        amounts: ``[n_countries, n_years]`` planned spending, national currency, current
            prices, for the years after the base year (column 0 = base year + 1).
        gdp_base: ``[n_countries]`` nominal GDP in the base year, same currency and units as
            ``amounts`` (> 0).
        growth: ``[n_countries, n_years]`` central real GDP growth path, percent per year
            (2.0 means 2%), e.g. the IMF WEO forecast.
        inflation: ``[n_countries, n_years]`` central GDP-deflator inflation path, percent per
            year.
        targets: ``[n_countries]`` (or one number for all) target share, percent of GDP, in
            [0, 100] (3.5 means 3.5%).
        draws: number of Monte Carlo draws (a positive int); memory does not depend on it.
        seed: non-negative int for a reproducible run; ``None`` draws fresh entropy (reported
            in the result's ``seed``).
        uncertainty: shock sizes and correlations; ``None`` uses ``load_uncertainty()``.
        chunk_size: draws per task; rounded up to a multiple of ``BLOCK`` (5,000 draws, the
            unit of the random streams).  Peak memory is about
            ``workers * 2 * (45 * chunk_size * n_countries + 8 * histogram_bins)`` bytes.
        workers: parallel local workers (threads); ``None`` = the CPUs available, 1 = run in
            the calling thread.  Ignored with ``dask_address``.
        dask_address: address of a running Dask scheduler (e.g. ``'tcp://127.0.0.1:8786'``);
            chunks then run as tasks on that cluster, whose workers must have milex installed.
        progress: called as ``progress(done_chunks, total_chunks)`` after each chunk finishes
            (in the calling thread).

    Returns:
        :class:`SimulationResult`: median, p05, p95, mean (percent of GDP) and prob_meet
        (probability), each ``[n_countries, n_years]``.

    Raises:
        InputError: bad draws/seed/chunk_size/workers, shapes that do not match, NaN or
            infinite inputs, negative amounts, non-positive ``gdp_base``, growth or inflation
            <= -100, targets outside [0, 100], or bad uncertainty parameters.
    """
    return _simulate(
        amounts,
        gdp_base,
        growth,
        inflation,
        targets,
        draws=draws,
        seed=seed,
        uncertainty=uncertainty,
        chunk_size=chunk_size,
        workers=workers,
        dask_address=dask_address,
        progress=progress,
    )


def _simulate(
    amounts: Any,
    gdp_base: Any,
    growth: Any,
    inflation: Any,
    targets: Any,
    *,
    draws: int,
    seed: int | None,
    uncertainty: Uncertainty | None,
    chunk_size: int,
    workers: int | None,
    dask_address: str | None,
    progress: Callable[[int, int], None] | None,
    pool: str = "thread",
) -> SimulationResult:
    """:func:`simulate` with the local pool kind selectable (``'thread'`` or ``'process'``)."""
    draws = _check_int(
        "draws", draws, minimum=1, hint="Pass a positive whole number, e.g. draws=100_000."
    )
    if seed is not None:
        seed = _check_int(
            "seed", seed, minimum=0, hint="Pass a non-negative int, or None for a fresh seed."
        )
    chunk_size = _check_int(
        "chunk_size", chunk_size, minimum=1, hint="Use the default 25_000 unless memory is tight."
    )
    if workers is not None:
        workers = _check_int(
            "workers", workers, minimum=1, hint="Pass None to use every available CPU."
        )
    if dask_address is not None and not (isinstance(dask_address, str) and dask_address):
        raise InputError(
            f"dask_address must be a scheduler address such as 'tcp://127.0.0.1:8786', "
            f"got {dask_address!r}; pass None to run locally."
        )
    if uncertainty is None:
        uncertainty = load_uncertainty()
    elif not isinstance(uncertainty, Uncertainty):
        raise InputError(
            f"uncertainty must be an Uncertainty, got {type(uncertainty).__name__}; "
            "use load_uncertainty() or Uncertainty(growth_sd=..., inflation_sd=..., rho=..., "
            "corr=..., source=...)."
        )
    arrays = _validate(amounts, gdp_base, growth, inflation, targets)
    entropy = np.random.SeedSequence(seed).entropy if seed is None else seed
    plan, width = _plan(*arrays, uncertainty, draws, int(entropy))
    chunk_blocks = -(-chunk_size // BLOCK)
    chunks = _chunks(plan, chunk_blocks)

    if dask_address is not None:
        results = _run_dask(plan, chunks, dask_address)
    else:
        results = _run_local(plan, chunks, workers or _default_workers(), pool)
    merger = _Merger(plan)
    for done, res in enumerate(results, start=1):
        merger.add(res)
        del res
        if progress is not None:
            progress(done, len(chunks))

    median, p05, p95 = _quantiles(merger.hist, plan, width, (0.5, 0.05, 0.95))
    return SimulationResult(
        median=median,
        p05=p05,
        p95=p95,
        mean=(merger.total / draws).T.copy(),
        prob_meet=(merger.meet / draws).T.copy(),
        draws=draws,
        seed=int(entropy),
        bin_width=width,
    )
