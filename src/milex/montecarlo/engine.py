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
* ``prob_meet`` counts draws exactly. The share is computed in float32 (relative error about
  1e-6 after a decade of yearly products), so a share within ``MEET_TOLERANCE_PP``
  (0.0001 points) below the target counts as meeting it: a plan that lands exactly on the
  target with no uncertainty meets it with probability 1.
* The mean sums the float32 shares pairwise within a block (relative error ~1e-6) and the
  block sums in float64, in block order.

Reproducibility: block ``i`` draws from ``numpy.random.SeedSequence(seed).spawn(n)[i]`` (built
directly as ``SeedSequence(seed, spawn_key=(i,))``).  Histograms and counts are integers and
block sums are folded in block order, so the same seed gives bit-identical results whatever the
chunk size, the number of workers, the order chunks finish in, or local versus Dask execution.
More draws with the same seed extend a run: its first blocks are the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from milex.errors import InputError
from milex.montecarlo.uncertainty import Uncertainty

BLOCK = 5_000
"""Draws per random-number block: the unit of reproducibility (chunks hold whole blocks)."""

MAX_BINS = 8_000_000
"""Upper bound on histogram bins over all country-years (4 bytes each per chunk in flight,
8 in the total)."""

MAX_SD_RATIO = 10.0
"""A sd may be at most 1/10 of the distance of the central path from -100% (GDP wiped out)."""

MEET_TOLERANCE_PP = 1e-4
"""A share this many percentage points of GDP below the target still meets it (float32 error
is about 1e-6 relative, 3.5e-6 points at 3.5%; published shares have two decimals)."""

MAX_SHARE_PCT = 1000.0
"""Largest planned spending accepted, percent of GDP on the central path (a share beyond it is
a unit mistake, and would overflow the histogram lattice)."""

BASE_BIN_WIDTH = 0.001
"""Finest share resolution, percentage points of GDP."""

_WINDOW_SDS = 10.0  # half-width of each country-year's histogram window, in sds of log GDP
_MAX_LOG_SPAN = math.log(1000.0)  # the window never spans more than 1000x the central share
_F32 = np.float32


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
class Plan:
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
    target: np.ndarray  # [C] float32, percent, less MEET_TOLERANCE_PP
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
class ChunkResult:
    first_block: int
    hist: np.ndarray  # [total_bins] int32, draws per bin
    meet: np.ndarray  # [Y, C] int64, draws with share >= target
    block_sums: np.ndarray  # [n_blocks_in_chunk, Y, C] float64, sum of shares per block


def colsum(x: np.ndarray) -> np.ndarray:
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


def make_scratch(plan: Plan) -> list[np.ndarray]:
    """Work arrays for one block: eight float32 ``[block, countries]`` and one intp."""
    shape = (plan.block, plan.n_countries)
    return [np.empty(shape, _F32) for _ in range(8)] + [np.empty(shape, np.intp)]


def run_chunk(
    plan: Plan,
    first_block: int,
    n_blocks: int,
    scratch: list[np.ndarray] | None = None,
    hist: np.ndarray | None = None,
) -> ChunkResult:
    """Simulate blocks ``first_block .. first_block + n_blocks - 1`` (a contiguous draw range).

    Each block of at most ``plan.block`` draws is simulated year by year on
    ``[block, countries]`` float32 arrays; only the histogram, the counts and the per-block
    sums outlive a block, so memory does not depend on the number of draws.  ``scratch``
    (from :func:`make_scratch`) and ``hist`` (int32, ``plan.total_bins``; zeroed here) let a
    local worker reuse its buffers from chunk to chunk instead of reallocating them.
    """
    n_c, n_y, block = plan.n_countries, plan.n_years, plan.block
    # r: uniform, then the Box-Muller radius; z_p: uniform angle, then the inflation normal;
    # z_g: growth normal, then the met-target indicator; level: nominal GDP / base-year GDP.
    r, z_p, z_g, e_g, e_p, level, tmp, share, idx = scratch or make_scratch(plan)
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
            meet[t] += colsum(zgv).astype(np.int64)
            block_sums[j, t] = colsum(sv)  # destroys sv, no longer needed this year
    return ChunkResult(first_block, hist, meet, block_sums)


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


def check_int(name: str, value: Any, *, minimum: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(
            f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__}). "
            f"{hint}"
        )
    if value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value}. {hint}")
    return int(value)


def validate_inputs(
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
    growth_factor = np.cumprod((1 + growth_a / 100) * (1 + infl_a / 100), axis=1)
    share = 100 * amounts_a / gdp_a[:, None] / growth_factor  # on the central path
    if (share > MAX_SHARE_PCT).any():
        bad = np.argwhere(share > MAX_SHARE_PCT)[0].tolist()
        raise InputError(
            f"amounts at {bad} is {share[tuple(bad)]:.3g}% of GDP on the central path; planned "
            f"spending must be at most {MAX_SHARE_PCT:g}% of GDP. Check the units (amounts and "
            "gdp_base in the same currency and scale)."
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


def plan_grid(
    amounts: np.ndarray,
    gdp_base: np.ndarray,
    growth: np.ndarray,
    inflation: np.ndarray,
    targets: np.ndarray,
    unc: Uncertainty,
    draws: int,
    entropy: int,
) -> tuple[Plan, float]:
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
    plan = Plan(
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
        target=(targets - MEET_TOLERANCE_PP).astype(_F32),
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
# Merging chunks and reading quantiles
# --------------------------------------------------------------------------------------------


class Merger:
    """Adds chunk results; folds block sums strictly in block order (bit-reproducible mean)."""

    def __init__(self, plan: Plan) -> None:
        self.hist = np.zeros(plan.total_bins, np.int64)
        self.meet = np.zeros((plan.n_years, plan.n_countries), np.int64)
        self.total = np.zeros((plan.n_years, plan.n_countries), np.float64)
        self._next = 0
        self._pending: dict[int, np.ndarray] = {}

    def add(self, res: ChunkResult) -> None:
        self.hist += res.hist
        self.meet += res.meet
        self._pending[res.first_block] = res.block_sums
        while self._next in self._pending:
            sums = self._pending.pop(self._next)
            for row in sums:
                self.total += row
            self._next += len(sums)


def split_chunks(plan: Plan, chunk_blocks: int) -> list[tuple[int, int]]:
    n = plan.n_blocks
    return [(b, min(chunk_blocks, n - b)) for b in range(0, n, chunk_blocks)]


def quantiles(
    hist: np.ndarray, plan: Plan, width: float, qs: tuple[float, ...]
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
