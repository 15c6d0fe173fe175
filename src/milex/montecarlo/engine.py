"""Monte Carlo engine: the probability that planned spending meets a share-of-GDP target.

Pure numpy; it reads no store (the caller passes arrays).  Units: amounts and GDP in million
national currency at current prices (any one unit per country, the same for both); growth,
inflation and their sds and biases in percent per year / percentage points (2.5 means 2.5%);
spending errors in percent of the planned amount; shares of GDP in percent (3.5 means 3.5%),
never fractions; probabilities in [0, 1].

The model, per draw, country ``c`` and projection year ``t`` (``t = 0`` is the first year after
the base year):

* Shocks.  Standard normals ``u_g[c, t]``, ``u_p[c, t]`` of each country and, per draw and
  year, common factors ``f_g[t]``, ``f_p[t]`` shared by all countries.  With ``k =
  country_corr`` the yearly innovations are ``w_g = sqrt(k) f_g + sqrt(1 - k) u_g`` (and
  ``w_p'`` alike), then ``w_p = corr w_g + sqrt(1 - corr**2) w_p'``: two countries' growth (or
  inflation) shocks have correlation ``k``, a country's growth and inflation ``corr``.  The
  standardised errors follow a stationary AR(1) over the years: ``e_0 = w_0``,
  ``e_t = rho e_{t-1} + sqrt(1 - rho**2) w_t``.
* Recession regime: ``R[t]`` is 1 with probability ``recession_prob``, one Bernoulli per draw
  and year, common to every country of the run (0 otherwise).
* Growth and inflation, percent per year, with sds that widen with the horizon::

      g[c, t] = growth[c, t] - growth_bias + growth_sd * (1 + horizon_slope * t) * e_g[c, t]
                + recession_growth * R[t]
      p[c, t] = inflation[c, t] - inflation_bias + inflation_sd * (1 + horizon_slope * t)
                * e_p[c, t]

* Nominal GDP relative to the base year, drawn and central (no shocks, no bias)::

      L[c, t] = prod_{s <= t} (1 + g[c, s] / 100) (1 + p[c, s] / 100)
      L0[c, t] = prod_{s <= t} (1 + growth[c, s] / 100) (1 + inflation[c, s] / 100)

* Spending.  ``amounts`` are planned on the central GDP path.  A money plan (``share_plan``
  False) is a fixed nominal budget; a share plan moves with GDP (``amount * L / L0``).  Either
  is then missed or revised by a relative error, independent over countries, years and draws::

      spend[c, t] = plan[c, t] * max(0, 1 + (spend_bias[c] + spend_sd[c] * z[c, t]) / 100)

* The share of GDP, percent: ``share = 100 * spend / (gdp_base * L)``; a share plan's share
  is thus ``100 * amount / (gdp_base * L0)`` times the spending error, whatever GDP does.
* A group (``weights`` ``w_c``: each member's base-year GDP at constant prices and exchange
  rates, in one common currency, e.g. NATO's million USD at 2021 prices) is judged as NATO
  judges its aggregates: spending at constant prices over GDP at constant prices, that is the
  members' shares weighted by their drawn REAL GDP::

      R[c, t] = prod_{s <= t} (1 + g[c, s] / 100)      (real GDP relative to the base year)
      group[t] = sum_c w_c R[c, t] share[c, t] / sum_c w_c R[c, t]      (percent of GDP)

  (each member's spending deflated by its own GDP deflator, as NATO does, so its share is the
  same at current and constant prices).  A member's inflation moves its own share but not its
  weight: at fixed exchange rates a high-inflation member's nominal GDP would outgrow the
  others' and take over the group.  ``members_meeting[t, m]`` is the probability that
  exactly ``m`` members meet their own target that year.

Per country-year :func:`simulate` reports the median, 5th and 95th percentiles and the mean of
the share (percent of GDP) and ``prob_meet = P(share >= target[c])`` (a probability in [0, 1]),
and the same for the group.

How it is computed (memory stays flat at any number of draws):

* Draws come in blocks of ``BLOCK`` (1,000): a block is simulated by the compiled kernel
  (:mod:`milex.montecarlo.kernel`, numba, cached on disk after the first compilation) year by
  year and, within a year, country by country, so the state (``[countries, BLOCK]`` float64)
  and the histogram bins in use stay in the core's cache; a chunk (``chunk_size`` draws, whole
  blocks, one kernel call) is one task for a worker and returns exact counts and per-block
  sums.  A local thread keeps its histogram to the end of the run and hands it over once; a
  process or Dask task returns only the non-zero bins of its histogram (indices and counts),
  and Dask tasks are made larger (a few per worker thread) to pay for that less often.
* Random numbers: xoshiro256** generators, one per kind of draw (own growth, own inflation,
  common factors, recession, spending), so changing one setting leaves the others' numbers
  alone (common random numbers for sensitivity runs) and a setting at 0 costs no draws;
  normals by the 256-layer ziggurat (two per 64-bit draw, 23-bit resolution: |shock| can
  exceed any bound, through the exact tail).
* Quantiles come from merged histograms on a fixed lattice: bins of ``bin_width`` percentage
  points of GDP (``BASE_BIN_WIDTH`` = 0.001 pp, raised on a 1-2-5 scale only if the histogram
  would exceed ``MAX_BINS`` bins).  Each country-year keeps the window of the lattice where its
  share can fall (the central share times ``exp(+-10`` sds of log nominal GDP and the largest
  drift of the biases and recessions``)`` times the spending factor at +-10 sds, plus an
  underflow and an overflow bin).  Quantiles are interpolated linearly inside their bin, so
  they are exact to within ``bin_width`` for the draws made (Monte Carlo error comes on top).
* ``prob_meet`` counts draws exactly.  The share is computed in float64, and a share within
  ``MEET_TOLERANCE_PP`` (0.0001 points) below the target counts as meeting it: a plan that
  lands exactly on the target with no uncertainty meets it with probability 1 whatever the
  rounding of the inputs.
* The mean adds the shares in float64, in a fixed order within a block and block by block.

Reproducibility: block ``i`` seeds its five streams from ``SeedSequence(seed, spawn_key=(i,))``.
Histograms and counts are integers and block sums are folded in block order, so the same seed
gives bit-identical results whatever the chunk size, the number of workers, the order chunks
finish in, or local versus Dask execution.  More draws with the same seed extend a run.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from milex.errors import InputError
from milex.montecarlo.uncertainty import Uncertainty

BLOCK = 1_000
"""Draws per random-number block: the unit of reproducibility (chunks hold whole blocks)."""

MAX_BINS = 8_000_000
"""Upper bound on histogram bins over all country-years (4 bytes each per worker, 8 in the
total)."""

MAX_SD_RATIO = 10.0
"""A sd may be at most 1/10 of the distance of the central path from -100% (GDP wiped out)."""

MEET_TOLERANCE_PP = 1e-4
"""A share this many percentage points of GDP below the target still meets it (a plan built to
land on the target may miss it by rounding; published shares have two decimals)."""

MAX_SHARE_PCT = 1000.0
"""Largest planned spending accepted, percent of GDP on the central path (a share beyond it is
a unit mistake, and would overflow the histogram lattice)."""

BASE_BIN_WIDTH = 0.001
"""Finest share resolution, percentage points of GDP."""

_WINDOW_SDS = 10.0  # half-width of each country-year's histogram window, in sds
_MAX_LOG_SPAN = math.log(1000.0)  # the GDP part of a window never spans more than 1000x


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupResult:
    """Distribution of a group's share of GDP, weighted by its members' drawn real GDP (as
    NATO's aggregates: see the module docstring), per projection year.

    Attributes:
        median, p05, p95, mean: ``[n_years]``, percent of GDP (quantiles to ``bin_width``).
        prob_meet: ``[n_years]``, probability that the group's share is >= the group target.
        members_meeting: ``[n_years, n_countries + 1]``, probability that exactly ``m``
            members meet their own target that year (each row sums to 1).
    """

    median: np.ndarray
    p05: np.ndarray
    p95: np.ndarray
    mean: np.ndarray
    prob_meet: np.ndarray
    members_meeting: np.ndarray


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
        group: the group's share weighted by real GDP when ``weights`` were given, else None.
    """

    median: np.ndarray
    p05: np.ndarray
    p95: np.ndarray
    mean: np.ndarray
    prob_meet: np.ndarray
    draws: int
    seed: int | None
    bin_width: float
    group: GroupResult | None = None


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
    a_g: np.ndarray  # [Y, C] float64, 1 + (growth - growth_bias) / 100
    a_p: np.ndarray  # [Y, C] float64, 1 + (inflation - inflation_bias) / 100
    s_g: np.ndarray  # [Y] float64, growth sd in year t / 100
    s_p: np.ndarray  # [Y] float64, inflation sd in year t / 100
    rho: float
    corr: float
    country_corr: float
    recession_prob: float
    recession_drop: float  # recession_growth / 100 (<= 0)
    k: np.ndarray  # [Y, C] float64, 100 * amounts / gdp_base (/ L0 for a share plan)
    by_share: np.ndarray  # [C] bool, a share plan (its share does not depend on GDP)
    spend_mu: np.ndarray  # [C] float64, 1 + spend_bias / 100
    spend_s: np.ndarray  # [C] float64, spend_sd / 100
    weights: np.ndarray | None  # [C] float64, base-year real-GDP weights summing to 1 (None:
    #                           no group)
    target: np.ndarray  # [C + G] float64, percent, less MEET_TOLERANCE_PP (group last)
    inv_bw: float  # 1 / bin_width
    lo_bins: np.ndarray  # [Y, C + G] float64, window start in bins (window start / bin_width)
    lo_m1: np.ndarray  # [Y, C + G] float64, lo_bins - 1 (bin 0 of a cell is its underflow)
    n_bins: np.ndarray  # [Y, C + G] int64, bins in the window (without under/overflow)
    top: np.ndarray  # [Y, C + G] float64, n_bins + 1 (the overflow bin)
    cell_start: np.ndarray  # [Y, C + G] intp, first bin of each cell in the flat histogram
    total_bins: int

    @property
    def n_blocks(self) -> int:
        return -(-self.draws // self.block)

    @property
    def n_cells(self) -> int:
        """Cells per year: the countries, and the group when there is one."""
        return self.n_countries + (self.weights is not None)


@dataclass
class ChunkResult:
    first_block: int
    bins: np.ndarray | None  # int32, the histogram bins the chunk's draws fell in (ascending);
    #                          None: kept in the local worker's histogram (see ``dense``)
    counts: np.ndarray | None  # int32, draws in each of those bins
    meet: np.ndarray  # [Y, C + G] int64, draws with share >= target
    members: np.ndarray | None  # [Y, C + 1] int64, draws in which m members met their target
    block_sums: np.ndarray  # [n_blocks_in_chunk, Y, C + G] float64, sum of shares per block
    dense: list[np.ndarray] = field(default_factory=list)  # local workers' whole histograms
    #                          (int32), handed over with the run's last chunk


class Scratch:
    """Work arrays of one worker for one block, reused from chunk to chunk (fresh large
    allocations per chunk would let the C heap grow), and its histogram (int32, all zero
    between chunks: a chunk holds fewer than 2**31 draws)."""

    def __init__(self, plan: Plan) -> None:
        b, n_c = plan.block, plan.n_countries
        self.state = np.empty((4, n_c, b))  # AR(1) errors of growth and inflation, nominal
        # and real GDP levels
        self.noise = np.empty((3, b * n_c))  # a year's normals: growth, inflation, spending
        self.per_draw = np.empty((7, b))  # common factors, recession, group sums, bins
        self.hist = np.zeros(plan.total_bins, np.int32)
        self.kept = 0  # draws whose bins are in hist (a local run keeps them till its end)


_WORKER = threading.local()  # the scratch of a Dask or process-pool worker thread


def _worker_scratch(plan: Plan) -> Scratch:
    """The calling thread's :class:`Scratch` for ``plan``'s shapes, kept between chunks (a
    Dask or process-pool task gets no scratch of its own: a fresh one per chunk would fault in
    its histogram's pages every time)."""
    key = (plan.block, plan.n_countries, plan.total_bins)
    if getattr(_WORKER, "key", None) != key:
        _WORKER.scratch, _WORKER.key = Scratch(plan), key
    return _WORKER.scratch


def _streams(plan: Plan, block: int) -> np.ndarray:
    """The block's five xoshiro256** states [5, 4] (own growth, own inflation, common
    factors, recession, spending) from ``SeedSequence(seed, spawn_key=(block,))``."""
    seq = np.random.SeedSequence(plan.entropy, spawn_key=(block,))
    return seq.generate_state(20, np.uint64).reshape(5, 4)


def run_chunk(
    plan: Plan,
    first_block: int,
    n_blocks: int,
    scratch: Scratch | None = None,
    keep: bool = False,
) -> ChunkResult:
    """Simulate blocks ``first_block .. first_block + n_blocks - 1`` (a contiguous draw range)
    with the compiled kernel (:mod:`milex.montecarlo.kernel`, imported on first use).

    Only the histogram's non-zero bins, the counts and the per-block sums outlive a block, so
    memory does not depend on the number of draws.  ``scratch`` (a :class:`Scratch`) lets a
    local worker reuse its buffers from chunk to chunk; without it the calling thread keeps
    one (:func:`_worker_scratch`).  The histogram is left all zero, unless ``keep``: a local
    worker then leaves the counts in ``scratch.hist`` (``bins`` None), to be handed over once
    at the end of the run (taking the non-zero bins costs a pass over the whole histogram,
    ~4% of a 25,000-draw chunk), while its ``kept`` draws stay below 2**31 (int32 counts).
    """
    from milex.montecarlo.kernel import ZIGGURAT, simulate_chunk, take_nonzero

    s = scratch or _worker_scratch(plan)
    n_y, n_c = plan.n_years, plan.n_countries
    counts = np.zeros((n_y, plan.n_cells + n_c + 1), np.int64)
    block_sums = np.zeros((n_blocks, n_y, plan.n_cells), np.float64)
    shocks = np.array(
        [
            plan.rho,
            math.sqrt(1.0 - plan.rho**2),
            plan.corr,
            math.sqrt(1.0 - plan.corr**2),
            math.sqrt(plan.country_corr),
            math.sqrt(1.0 - plan.country_corr),
            plan.recession_prob,
        ]
    )
    weights = np.zeros(1) if plan.weights is None else plan.weights
    blocks = range(first_block, first_block + n_blocks)
    sizes = np.array([min(plan.block, plan.draws - b * plan.block) for b in blocks], np.int64)
    simulate_chunk(
        np.stack([_streams(plan, b) for b in blocks]),
        sizes,
        plan.a_g,
        plan.a_p,
        plan.s_g,
        plan.s_p,
        shocks,
        plan.recession_drop,
        plan.k,
        ~plan.by_share,
        plan.spend_mu,
        plan.spend_s,
        weights,
        plan.target,
        plan.inv_bw,
        plan.lo_m1,
        plan.top,
        plan.cell_start,
        s.hist,
        counts,
        block_sums,
        s.state,
        s.noise,
        s.per_draw,
        ZIGGURAT,
    )
    s.kept += int(sizes.sum())
    bins = hits = None
    if not keep or s.kept > 2**31 - 1 - plan.block * n_blocks:  # room for one more such chunk
        # at most one bin per draw and cell; indices < MAX_BINS: 4 bytes are enough
        bins, hits = take_nonzero(s.hist, s.kept * n_y * plan.n_cells)
        s.kept = 0
    members = counts[:, plan.n_cells :] if plan.weights is not None else None
    return ChunkResult(first_block, bins, hits, counts[:, : plan.n_cells], members, block_sums)


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


def _per_country(name: str, value: Any, n_c: int, unit: str) -> np.ndarray:
    """A number or ``[n_countries]`` numbers as a float64 ``[n_countries]`` array."""
    if np.ndim(value) == 0:
        return _array(name, [value], 1, unit).repeat(n_c)
    arr = _array(name, value, 1, unit)
    if arr.shape != (n_c,):
        raise InputError(
            f"{name} has shape {arr.shape} but there are {n_c} countries, so {name} must be "
            f"one number or ({n_c},) ({unit}), in the order of the countries of amounts."
        )
    return arr


@dataclass(frozen=True)
class Options:
    """The spending and group settings of a run, checked (see :func:`validate_options`)."""

    spend_bias: np.ndarray  # [C] percent of the planned amount
    spend_sd: np.ndarray  # [C] percent of the planned amount
    share_plan: np.ndarray  # [C] bool
    weights: np.ndarray | None  # [C] > 0, base-year GDP at constant prices, one currency
    group_target: float | None  # percent of GDP


def validate_options(
    unc: Uncertainty,
    targets: np.ndarray,
    spend_bias: Any,
    spend_sd: Any,
    share_plan: Any,
    weights: Any,
    group_target: Any,
) -> Options:
    """Checks the spending error, the share plans and the group of :func:`simulate`.

    ``spend_bias`` / ``spend_sd`` None take the uncertainty's, and 0 where that is None too.
    """
    n_c = targets.shape[0]
    unit = "percent of the planned amount"
    if spend_bias is None:
        spend_bias = 0.0 if unc.spend_bias is None else unc.spend_bias
    if spend_sd is None:
        spend_sd = 0.0 if unc.spend_sd is None else unc.spend_sd
    bias = _per_country("spend_bias", spend_bias, n_c, unit)
    sd = _per_country("spend_sd", spend_sd, n_c, unit)
    if (bias <= -100).any():
        bad = int(np.argmax(bias <= -100))
        raise InputError(
            f"spend_bias[{bad}] is {bias[bad]}; the mean spending error is a percent of the "
            "planned amount and must be > -100 (-5 means 5% under-spent)."
        )
    if (sd < 0).any() or (sd > 100).any():
        bad = int(np.argmax((sd < 0) | (sd > 100)))
        raise InputError(
            f"spend_sd[{bad}] is {sd[bad]}; the sd of the spending error is a percent of the "
            "planned amount and must be between 0 and 100 (e.g. 3 for 3%)."
        )
    if share_plan is None:
        by_share = np.zeros(n_c, np.bool_)
    else:
        by_share = np.asarray(share_plan)
        if by_share.dtype != np.bool_ or by_share.shape not in ((), (n_c,)):
            raise InputError(
                f"share_plan must be None, True/False or {n_c} True/False values (True: the "
                f"plan is a share of GDP and moves with it), got {share_plan!r}."
            )
        by_share = np.broadcast_to(by_share, (n_c,)).copy()
    weights_a = None
    if weights is not None:
        weights_a = _per_country(
            "weights", weights, n_c, "base-year GDP at constant prices, one common currency"
        )
        if np.ndim(weights) == 0 or (weights_a <= 0).any():
            raise InputError(
                f"weights must be {n_c} numbers > 0 (each member's base-year GDP at constant "
                f"prices in one common currency), got {weights!r}."
            )
        if group_target is None:
            if (targets != targets[0]).any():
                raise InputError(
                    f"the members' targets differ ({sorted(set(targets.tolist()))}); give the "
                    "group's own target as group_target (percent of GDP), e.g. 3.5."
                )
            group_target = float(targets[0])
        group_target = float(_array("group_target", [group_target], 1, "percent of GDP")[0])
        if not 0 <= group_target <= 100:
            raise InputError(
                f"group_target is {group_target}; it is a share of GDP in percent and must be "
                "between 0 and 100 (3.5 means 3.5% of GDP)."
            )
    elif group_target is not None:
        raise InputError(
            "group_target was given without weights; pass weights (each member's base-year "
            "GDP at constant prices in one common currency) to judge a group, or drop "
            "group_target."
        )
    return Options(bias, sd, by_share, weights_a, group_target)


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


def yearly_sds(unc: Uncertainty, n_years: int) -> tuple[np.ndarray, np.ndarray]:
    """The sds of growth and of inflation in each projection year, percentage points [Y]."""
    widen = 1.0 + unc.horizon_slope * np.arange(n_years)
    return unc.growth_sd * widen, unc.inflation_sd * widen


def _log_gdp_span(unc: Uncertainty, n_years: int) -> np.ndarray:
    """Half-width of the window of log nominal GDP around its central path at each horizon
    [n_years]: ``_WINDOW_SDS`` sds of the linearised model (with ``corr = 1``, the widest
    case) plus the largest drift the biases and the recessions can add."""
    s_g, s_p = yearly_sds(unc, n_years)
    per_year = (s_g + s_p) / 100.0
    lags = np.abs(np.subtract.outer(np.arange(n_years), np.arange(n_years)))
    cov = np.outer(per_year, per_year) * unc.rho**lags
    sd = np.sqrt([cov[: y + 1, : y + 1].sum() for y in range(n_years)])
    drift = abs(unc.growth_bias) + abs(unc.inflation_bias) + abs(unc.recession_growth)
    drifts = -np.log(1.0 - min(drift, 99.0) / 100.0) * np.arange(1, n_years + 1)
    return np.minimum(_WINDOW_SDS * sd + drifts, _MAX_LOG_SPAN) + 1e-3


def plan_grid(
    amounts: np.ndarray,
    gdp_base: np.ndarray,
    growth: np.ndarray,
    inflation: np.ndarray,
    targets: np.ndarray,
    unc: Uncertainty,
    opts: Options,
    draws: int,
    entropy: int,
) -> tuple[Plan, float]:
    n_c, n_y = amounts.shape
    central_level = np.cumprod((1 + growth / 100.0) * (1 + inflation / 100.0), axis=1)
    k = 100.0 * amounts / gdp_base[:, None]  # [C, Y]
    central = k / central_level  # planned share on the central path, percent
    k = np.where(opts.share_plan[:, None], central, k)
    span = _log_gdp_span(unc, n_y)[None, :]
    low_f = np.maximum(1 + (opts.spend_bias - _WINDOW_SDS * opts.spend_sd) / 100.0, 0.0)
    high_f = 1 + (opts.spend_bias + _WINDOW_SDS * opts.spend_sd) / 100.0
    lo = central * np.exp(-span) * low_f[:, None]
    hi = central * np.exp(span) * high_f[:, None]
    target = targets
    if opts.weights is not None:  # a weighted mean of the members' shares lies among them
        lo = np.vstack([lo, lo.min(axis=0)])
        hi = np.vstack([hi, hi.max(axis=0)])
        target = np.append(targets, opts.group_target)
    width = BASE_BIN_WIDTH
    while True:
        lo_b = np.maximum(np.floor(lo / width) - 2.0, 0.0)
        hi_b = np.ceil(hi / width) + 2.0
        n_bins = hi_b - lo_b
        total = float((n_bins + 2).sum())
        if total <= max(MAX_BINS, 8 * n_bins.size):  # >= 6 bins per cell whatever the width
            break
        width = _nice_ceil(width * total / MAX_BINS * 1.0001)
    lo_b, n_bins = lo_b.T, n_bins.T.astype(np.int64)  # [Y, C + G]
    cell_bins = (n_bins + 2).ravel()  # with under/overflow, cells in (year, cell) order
    cell_start = (np.cumsum(cell_bins) - cell_bins).reshape(n_bins.shape).astype(np.intp)
    s_g, s_p = yearly_sds(unc, n_y)
    weights = None if opts.weights is None else opts.weights / opts.weights.sum()
    plan = Plan(
        entropy=entropy,
        draws=draws,
        block=BLOCK,
        n_countries=n_c,
        n_years=n_y,
        a_g=np.ascontiguousarray(1.0 + (growth.T - unc.growth_bias) / 100.0),
        a_p=np.ascontiguousarray(1.0 + (inflation.T - unc.inflation_bias) / 100.0),
        s_g=(s_g / 100.0),
        s_p=(s_p / 100.0),
        rho=unc.rho,
        corr=unc.corr,
        country_corr=unc.country_corr,
        recession_prob=unc.recession_prob,
        recession_drop=unc.recession_growth / 100.0,
        k=np.ascontiguousarray(k.T),
        by_share=opts.share_plan,
        spend_mu=(1.0 + opts.spend_bias / 100.0),
        spend_s=(opts.spend_sd / 100.0),
        weights=None if weights is None else weights,
        target=(target - MEET_TOLERANCE_PP),
        inv_bw=1.0 / width,
        lo_bins=np.ascontiguousarray(lo_b),
        lo_m1=np.ascontiguousarray(lo_b - 1.0),
        n_bins=np.ascontiguousarray(n_bins),
        top=np.ascontiguousarray(n_bins + 1),
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
        self.meet = np.zeros((plan.n_years, plan.n_cells), np.int64)
        self.members = np.zeros((plan.n_years, plan.n_countries + 1), np.int64)
        self.total = np.zeros((plan.n_years, plan.n_cells), np.float64)
        self._next = 0
        self._pending: dict[int, np.ndarray] = {}

    def add(self, res: ChunkResult) -> None:
        from milex.montecarlo.kernel import add_sparse

        if res.bins is not None:
            add_sparse(self.hist, res.bins, res.counts)  # the bins of a chunk are distinct
        for hist in res.dense:
            self.hist += hist
        self.meet += res.meet
        if res.members is not None:
            self.members += res.members
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


def build_result(merger: Merger, plan: Plan, width: float, entropy: int) -> SimulationResult:
    """The :class:`SimulationResult` of a merged run."""
    draws, n_c = plan.draws, plan.n_countries
    median, p05, p95 = quantiles(merger.hist, plan, width, (0.5, 0.05, 0.95))
    mean = (merger.total / draws).T
    prob = (merger.meet / draws).T
    group = None
    if plan.weights is not None:
        group = GroupResult(
            median=median[n_c].copy(),
            p05=p05[n_c].copy(),
            p95=p95[n_c].copy(),
            mean=mean[n_c].copy(),
            prob_meet=prob[n_c].copy(),
            members_meeting=merger.members / draws,
        )
    return SimulationResult(
        median=median[:n_c].copy(),
        p05=p05[:n_c].copy(),
        p95=p95[:n_c].copy(),
        mean=mean[:n_c].copy(),
        prob_meet=prob[:n_c].copy(),
        draws=draws,
        seed=entropy,
        bin_width=width,
        group=group,
    )
