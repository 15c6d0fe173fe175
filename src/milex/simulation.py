"""Monte Carlo engine: the probability that planned spending meets a share-of-GDP target.

Pure numpy; it reads no store (the caller passes arrays).  The model, per country ``c`` and
projection year ``y`` (``y = 0`` is the first year after the base year):

* ``amounts[c, y]``: planned spending, national currency, current prices;
* nominal GDP, in the currency and units of ``gdp_base``, is uncertain::

      GDP[c, y] = gdp_base[c] * prod_{t <= y} (1 + g[c, t] / 100) * (1 + p[c, t] / 100)

  with real growth ``g`` and GDP-deflator inflation ``p`` in percent per year;
* draws: ``g = growth + growth_sd * e_g`` and ``p = inflation + inflation_sd * e_p`` (percent,
  sds in percentage points), where each standard-normal shock follows a stationary AR(1) over
  the years (``e_0 ~ N(0, 1)``, ``e_t = rho * e_{t-1} + sqrt(1 - rho**2) * u_t``) and ``e_g``,
  ``e_p`` have correlation ``corr`` in the same year (``corr * rho**|t - s|`` across years);
  countries are simulated independently (no cross-country correlation);
* the share of GDP is ``100 * amounts / GDP``: percent of GDP, never a fraction.

Per country-year :func:`simulate` reports the median, 5th and 95th percentiles and the mean of
the share (percent of GDP) and ``prob_meet = P(share >= target[c])`` (a probability in [0, 1]).

How it is computed (memory stays flat at any number of draws):

* Draws come in blocks of ``BLOCK`` (5,000).  A block is simulated one year at a time on
  ``[5,000, n_countries]`` float32 arrays; a chunk (``chunk_size`` draws, whole blocks) is one
  task for a worker and returns only a histogram, exact counts and per-block sums.
* Normal shocks: Box-Muller transform of float32 uniforms from numpy's ``SFC64`` generator
  (2.5x faster here than numpy's float32 ziggurat).  float32 uniforms cap ``|shock|`` at
  5.77 sd (a normal exceeds that with probability 8e-9), which changes no reported figure.
* Quantiles come from merged histograms on a fixed lattice: bins of ``bin_width`` percentage
  points of GDP (``BASE_BIN_WIDTH`` = 0.001 pp, raised on a 1-2-5 scale only if the histogram
  would exceed ``MAX_BINS`` bins).  Each country-year keeps the window of the lattice where its
  share can fall (the deterministic share times ``exp(+-10`` sds of log nominal GDP``)``, plus
  an underflow and an overflow bin).  Quantiles are interpolated linearly inside their bin, so
  they are exact to within ``bin_width`` for the draws made (Monte Carlo error comes on top).
  A quantile outside the window would be NaN; that takes 10-sd shocks, which the input checks
  and the 5.77-sd cap rule out.
* ``prob_meet`` counts draws exactly (the share is compared with the target in float32; a
  share within ~1e-6 relative of the target can fall either side of it).
* The mean sums the float32 shares pairwise within a block (relative error ~1e-6) and the
  block sums in float64, in block order.

Reproducibility: block ``i`` draws from ``numpy.random.SeedSequence(seed).spawn(n)[i]`` (built
directly as ``SeedSequence(seed, spawn_key=(i,))``).  Histograms and counts are integers and
block sums are folded in block order, so the same seed gives bit-identical results whatever the
chunk size, the number of workers, the order chunks finish in, or local versus Dask execution.
More draws with the same seed extend a run: its first blocks are the same.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import itertools
import math
import os
import threading
import tomllib
from collections.abc import Callable, Generator
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
"""Upper bound on histogram bins over all country-years (4 bytes each per chunk in flight,
8 in the total)."""

MAX_SD_RATIO = 10.0
"""A sd may be at most 1/10 of the distance of the central path from -100% (GDP wiped out)."""

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
        mean: mean share, percent of GDP (over the draws, to ~1e-6 relative).
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
    block: int  # draws per random-number block (BLOCK)
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
    lo_bins: np.ndarray  # [Y, C] float64, window start in bins (window start / bin_width)
    lo_m1: np.ndarray  # [Y, C] float32, lo_bins - 1 (bin 0 of a cell is its underflow)
    n_bins: np.ndarray  # [Y, C] int64, bins in the window (without under/overflow)
    top: np.ndarray  # [Y, C] float32, n_bins + 1 (the overflow bin)
    cell_start: np.ndarray  # [Y, C] intp, first bin of each cell in the flat histogram
    total_bins: int

    @property
    def n_blocks(self) -> int:
        return -(-self.draws // self.block)


@dataclass
class _ChunkResult:
    first_block: int
    hist: np.ndarray  # [total_bins] int32, draws per bin
    meet: np.ndarray  # [Y, C] int64, draws with share >= target
    block_sums: np.ndarray  # [n_blocks_in_chunk, Y, C] float64, sum of shares per block


def _colsum(x: np.ndarray) -> np.ndarray:
    """Column sums of ``x`` [rows, cols] by pairwise (tree) addition; overwrites ``x``.

    Much faster than ``x.sum(axis=0)`` for few columns, deterministic for a given shape, and
    as accurate as pairwise summation (relative error ~ log2(rows) float32 epsilons).
    """
    n = x.shape[0]
    while n > 1:
        h = n // 2
        np.add(x[:h], x[n - h : n], out=x[:h])
        n -= h
    return x[0]


def _scratch(plan: _Plan) -> list[np.ndarray]:
    """Work arrays for one block: eight float32 ``[block, countries]`` and one intp."""
    shape = (plan.block, plan.n_countries)
    return [np.empty(shape, _F32) for _ in range(8)] + [np.empty(shape, np.intp)]


def _run_chunk(
    plan: _Plan,
    first_block: int,
    n_blocks: int,
    scratch: list[np.ndarray] | None = None,
    hist: np.ndarray | None = None,
) -> _ChunkResult:
    """Simulate blocks ``first_block .. first_block + n_blocks - 1`` (a contiguous draw range).

    Each block of at most ``plan.block`` draws is simulated year by year on
    ``[block, countries]`` float32 arrays; only the histogram, the counts and the per-block
    sums outlive a block, so memory does not depend on the number of draws.  ``scratch``
    (from :func:`_scratch`) and ``hist`` (int32, ``plan.total_bins``; zeroed here) let a
    local worker reuse its buffers from chunk to chunk instead of reallocating them.
    """
    n_c, n_y, block = plan.n_countries, plan.n_years, plan.block
    # r: uniform, then the Box-Muller radius; z_p: uniform angle, then the inflation normal;
    # z_g: growth normal, then the met-target indicator; level: nominal GDP / base-year GDP.
    r, z_p, z_g, e_g, e_p, level, tmp, share, idx = scratch or _scratch(plan)
    if hist is None:
        hist = np.zeros(plan.total_bins, np.int32)  # a chunk holds < 2**31 draws
    else:
        hist.fill(0)
    meet = np.zeros((n_y, n_c), np.int64)
    block_sums = np.zeros((n_blocks, n_y, n_c), np.float64)

    rho = _F32(plan.rho)
    innov = _F32(math.sqrt(1.0 - plan.rho**2))
    corr0 = _F32(plan.corr)
    rest0 = _F32(math.sqrt(1.0 - plan.corr**2))
    corr1 = _F32(plan.corr * math.sqrt(1.0 - plan.rho**2))
    rest1 = _F32(math.sqrt(1.0 - plan.corr**2) * math.sqrt(1.0 - plan.rho**2))
    b_g, b_p = _F32(plan.b_g), _F32(plan.b_p)
    inv_bw = _F32(plan.inv_bw)
    one, zero, minus_two, two_pi = _F32(1.0), _F32(0.0), _F32(-2.0), _F32(2.0 * math.pi)
    one_count = np.int32(1)  # same dtype as hist: np.add.at is 20x slower if it must cast

    for j, b in enumerate(range(first_block, first_block + n_blocks)):
        m = min(block, plan.draws - b * block)
        gen = np.random.Generator(
            np.random.SFC64(np.random.SeedSequence(plan.entropy, spawn_key=(b,)))
        )
        rv, zpv, zgv, egv, epv = r[:m], z_p[:m], z_g[:m], e_g[:m], e_p[:m]
        lv, tv, sv, iv = level[:m], tmp[:m], share[:m], idx[:m]
        lv.fill(one)
        for t in range(n_y):
            # Two independent standard normals per draw and country: Box-Muller transform of
            # float32 uniforms (the order of the uniforms per block defines the random stream).
            gen.random(out=rv, dtype=_F32)
            gen.random(out=zpv, dtype=_F32)
            np.subtract(one, rv, out=rv)  # (0, 1], so the log is finite
            np.log(rv, out=rv)
            np.multiply(rv, minus_two, out=rv)
            np.sqrt(rv, out=rv)
            np.multiply(zpv, two_pi, out=zpv)
            np.cos(zpv, out=zgv)
            np.sin(zpv, out=zpv)
            np.multiply(zgv, rv, out=zgv)
            np.multiply(zpv, rv, out=zpv)
            if t == 0:  # stationary start: e ~ N(0, 1), corr(e_g, e_p) = corr
                egv[...] = zgv
                np.multiply(zgv, corr0, out=epv)
                np.multiply(zpv, rest0, out=tv)
                np.add(epv, tv, out=epv)
            else:  # AR(1): e_t = rho e_{t-1} + sqrt(1 - rho^2) u_t
                np.multiply(egv, rho, out=egv)
                np.multiply(zgv, innov, out=tv)
                np.add(egv, tv, out=egv)
                np.multiply(epv, rho, out=epv)
                np.multiply(zgv, corr1, out=tv)
                np.add(epv, tv, out=epv)
                np.multiply(zpv, rest1, out=tv)
                np.add(epv, tv, out=epv)
            # level *= (1 + g / 100) * (1 + p / 100)
            np.multiply(egv, b_g, out=tv)
            np.add(tv, plan.a_g[t], out=tv)
            np.multiply(lv, tv, out=lv)
            np.multiply(epv, b_p, out=tv)
            np.add(tv, plan.a_p[t], out=tv)
            np.multiply(lv, tv, out=lv)
            np.divide(plan.k[t], lv, out=sv)  # share of GDP, percent

            # Histogram: bin = floor(share / bw - lo) + 1 within the cell, limited to
            # 0 (underflow) .. n_bins + 1 (overflow); truncation is floor as values are >= 0.
            np.multiply(sv, inv_bw, out=tv)
            np.subtract(tv, plan.lo_m1[t], out=tv)
            np.minimum(tv, plan.top[t], out=tv)
            np.maximum(tv, zero, out=tv)
            iv[...] = tv
            np.add(iv, plan.cell_start[t], out=iv)
            np.add.at(hist, iv.ravel(), one_count)
            # Exact count of draws meeting the target (0/1 in float32; sums <= block exact).
            np.greater_equal(sv, plan.target, out=zgv, casting="unsafe")
            meet[t] += _colsum(zgv).astype(np.int64)
            block_sums[j, t] = _colsum(sv)  # destroys sv, no longer needed this year
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
        if total <= max(MAX_BINS, 8 * n_bins.size):  # >= 6 bins per cell whatever the width
            break
        width = _nice_ceil(width * total / MAX_BINS * 1.0001)
    lo_b, n_bins = lo_b.T, n_bins.T.astype(np.int64)  # [Y, C]
    cell_bins = (n_bins + 2).ravel()  # with under/overflow, cells in (year, country) order
    cell_start = (np.cumsum(cell_bins) - cell_bins).reshape(n_y, n_c).astype(np.intp)
    plan = _Plan(
        entropy=entropy,
        draws=draws,
        block=BLOCK,
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
        lo_bins=np.ascontiguousarray(lo_b),
        lo_m1=np.ascontiguousarray(lo_b - 1.0, dtype=_F32),
        n_bins=np.ascontiguousarray(n_bins),
        top=np.ascontiguousarray(n_bins + 1, dtype=_F32),
        cell_start=cell_start,
        total_bins=int(cell_bins.sum()),
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
) -> Generator[_ChunkResult, None, None]:
    if workers == 1 or len(chunks) == 1:
        scratch, hist = _scratch(plan), None
        for first, count in chunks:
            res = _run_chunk(plan, first, count, scratch, hist)
            yield res  # merged by the caller before the generator resumes
            hist = res.hist
        return
    executor: Executor
    if pool == "thread":
        from concurrent.futures import ThreadPoolExecutor

        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="milex-sim")
        # Reuse buffers across chunks (fresh large allocations per chunk let the C heap grow).
        local = threading.local()
        spares: collections.deque[np.ndarray] = collections.deque()

        def task(first: int, count: int) -> _ChunkResult:
            if not hasattr(local, "scratch"):
                local.scratch = _scratch(plan)
            hist = spares.pop() if spares else None
            return _run_chunk(plan, first, count, local.scratch, hist)

        def recycle(res: _ChunkResult) -> None:
            spares.append(res.hist)
    elif pool == "process":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        task = functools.partial(_run_chunk, plan)

        def recycle(res: _ChunkResult) -> None:
            pass
    else:
        raise InputError(f"pool must be 'thread' or 'process', got {pool!r}.")
    try:
        todo = iter(chunks)
        running: set[Future[_ChunkResult]] = set()
        limit = 2 * workers  # bounded in flight: memory does not grow with the draw count
        for first, count in todo:
            running.add(executor.submit(task, first, count))
            if len(running) >= limit:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                res = fut.result()
                yield res  # the caller has merged it when the generator resumes
                recycle(res)
                del res
                nxt = next(todo, None)
                if nxt is not None:
                    running.add(executor.submit(task, *nxt))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _run_dask(
    plan: _Plan, chunks: list[tuple[int, int]], address: str
) -> Generator[_ChunkResult, None, None]:
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
        queue = as_completed(first, loop=client.loop)
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
    start = plan.cell_start.astype(np.int64)  # [Y, C]
    before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0)
    out = []
    for q in qs:
        want = q * plan.draws
        need = max(1, math.ceil(round(want, 6)))  # 0.05 * 1000 is 50.000000000000004
        # first bin of the cell where the cumulative count reaches want (counts are integers)
        pos = np.searchsorted(cum, before + need, side="left")
        pos = np.minimum(pos, start + plan.n_bins + 1)
        j = pos - start  # 0 = underflow, n_bins + 1 = overflow
        count = hist[pos]
        below = cum[pos] - count - before
        frac = np.clip((want - below) / np.maximum(count, 1), 0.0, 1.0)
        value = (plan.lo_bins + (j - 1) + frac) * width
        value = np.where((j >= 1) & (j <= plan.n_bins), value, np.nan)
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
    pool: str = "thread",
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
        chunk_size: draws per task, rounded up to a multiple of ``BLOCK`` (5,000, the unit
            of the random streams); it sets how often ``progress`` is called, not the
            results or the memory.  Memory, whatever ``draws`` is: up to ``2 * workers``
            chunk histograms in flight (4 bytes per bin) and the total (8 bytes per bin;
            about 3.6 million bins for 32 countries x 11 years with the default uncertainty,
            at most ``MAX_BINS``), plus about 0.25 MB per country per worker.
        workers: local worker threads (numpy releases the GIL in most of the work; threads
            beat processes on the 2-core reference machine, see
            ``benchmarks/bench_simulation.py``); ``None`` = the CPUs available, 1 = run in
            the calling thread.  Ignored with ``dask_address``.
        dask_address: address of a running Dask scheduler (e.g. ``'tcp://127.0.0.1:8786'``);
            chunks then run as tasks on that cluster, whose workers must have milex installed.
        progress: called as ``progress(done_chunks, total_chunks)`` after each chunk finishes
            (in the calling thread).
        pool: kind of local pool, ``'thread'`` (default) or ``'process'`` (for benchmarks).

    Returns:
        :class:`SimulationResult`: median, p05, p95, mean (percent of GDP) and prob_meet
        (probability), each ``[n_countries, n_years]``.

    Raises:
        InputError: bad draws/seed/chunk_size/workers, shapes that do not match, NaN or
            infinite inputs, negative amounts, non-positive ``gdp_base``, growth or inflation
            <= -100, targets outside [0, 100], bad uncertainty parameters, or a sd so large
            that GDP could be wiped out (more than ``1/MAX_SD_RATIO`` of the distance of the
            central path from -100%).
    """
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
    for name, path, sd in (
        ("growth", arrays[2], uncertainty.growth_sd),
        ("inflation", arrays[3], uncertainty.inflation_sd),
    ):
        room = 100.0 + float(path.min())
        if sd * MAX_SD_RATIO >= room:
            raise InputError(
                f"{name}_sd = {sd} percentage points is too large for a central {name} path "
                f"that reaches {path.min():g}%: a {MAX_SD_RATIO:g}-sd shock would take {name} "
                f"to -100% or below (GDP wiped out), which this normal-shock model cannot "
                f"represent. Use {name}_sd < {room / MAX_SD_RATIO:g}."
            )
    entropy = np.random.SeedSequence(seed).entropy if seed is None else seed
    plan, width = _plan(*arrays, uncertainty, draws, int(entropy))
    chunk_blocks = min(-(-chunk_size // plan.block), (2**31 - 1) // plan.block)
    chunks = _chunks(plan, chunk_blocks)

    if dask_address is not None:
        results = _run_dask(plan, chunks, dask_address)
    else:
        results = _run_local(plan, chunks, workers or _default_workers(), pool)
    merger = _Merger(plan)
    with contextlib.closing(results):  # stops the pool/client even if progress() raises
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
