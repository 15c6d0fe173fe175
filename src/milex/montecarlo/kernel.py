"""The compiled kernel of the Monte Carlo engine (numba): one block of draws, the whole model.

Imported on first use only (numba takes ~0.7 s to import), by :func:`engine.run_chunk`.
The model is the one in :mod:`milex.montecarlo.engine`'s docstring; this module only computes
it fast:

* Random numbers: xoshiro256** (Blackman & Vigna 2018), one generator per kind of draw (own
  growth, own inflation, common factors, recession, spending) seeded from the block's
  ``SeedSequence``, so a setting at 0 draws nothing and leaves the other streams alone.
* Normals: the 256-layer ziggurat of Marsaglia & Tsang (2000, Journal of Statistical Software
  5(8)) in the float32 layout numpy uses (8 bits pick the layer, 1 the sign, 23 the
  abscissa), with Marsaglia's exact tail (1964); 99% of normals cost one 64-bit draw, a
  multiply and a compare.
* The arithmetic is float64 (scalar code: it costs no more than float32), the shares are
  binned straight into the worker's histogram and the sums are added in a fixed order.
* Within a block the loop runs year by year over ``[draws, countries]`` state (AR(1) errors,
  nominal and real GDP levels), so the histogram bins of one year (a few hundred KB) stay in
  the core's cache.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# ---------------------------------------------------------------------------- ziggurat tables

_ZIG_R = 3.6541528853610088  # start of the tail of the 256-layer ziggurat
_ZIG_V = 0.00492867323399  # area of each layer (the normal density unnormalised, exp(-x^2/2))
_ZIG_SCALE = float(2**23)  # the abscissa has 23 random bits
_LOW32 = np.uint64(0xFFFFFFFF)


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ki (accept if the 23-bit abscissa is below), wi (its scale), fi (density at the layer
    edge), as in Marsaglia & Tsang's zigset with 256 layers; wi is returned signed, 512
    entries indexed by the layer and the sign bit (``bits & 0x1FF``: -wi for a set sign bit,
    so a candidate costs one product; ``rabs * -w`` is exactly ``-(rabs * w)``)."""
    ki = np.zeros(256, np.int64)
    wi = np.zeros(256, np.float64)
    fi = np.zeros(256, np.float64)
    dn = tn = _ZIG_R
    q = _ZIG_V / math.exp(-0.5 * dn * dn)
    ki[0] = int(dn / q * _ZIG_SCALE)
    wi[0] = q / _ZIG_SCALE
    wi[255] = dn / _ZIG_SCALE
    fi[0] = 1.0
    fi[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(_ZIG_V / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = int(dn / tn * _ZIG_SCALE)
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / _ZIG_SCALE
    return ki, np.concatenate([wi, -wi]), fi


ZIGGURAT = _ziggurat_tables()
"""(ki, signed wi, fi): passed to the kernels (faster than global constants)."""


# ---------------------------------------------------------------------------- random numbers


@numba.njit(inline="always")
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@numba.njit(inline="always")
def _step(s0: np.uint64, s1: np.uint64, s2: np.uint64, s3: np.uint64) -> tuple:
    """xoshiro256**: the next 64 random bits and the new state (kept in local variables by
    the callers: a state in an array would be reloaded after every store)."""
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@numba.njit(inline="always")
def _to_unit(r: np.uint64) -> float:
    """Uniform on [0, 1) from the top 53 bits."""
    return float(r >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True, inline="never")
def _rare(bits: int, s0: np.uint64, s1: np.uint64, s2: np.uint64, s3: np.uint64, zig: tuple):
    """A candidate beyond its layer's rectangle (1.5%): the tail beyond R (Marsaglia 1964) or
    the wedge between two layers (kept under the density only).  Returns the normal, whether
    it is kept, and the state after the further draws (out of line: the common path stays
    small)."""
    _, wis, fi = zig
    idx = bits & 0xFF
    x = ((bits >> 9) & 0x7FFFFF) * wis[bits & 0x1FF]
    if idx == 0:
        while True:
            u, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
            xx = -math.log1p(-_to_unit(u)) / _ZIG_R
            u, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
            if -2.0 * math.log1p(-_to_unit(u)) > xx * xx:
                break
        return (1.0 - 2.0 * ((bits >> 8) & 1)) * (_ZIG_R + xx), True, s0, s1, s2, s3
    u, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
    keep = (fi[idx - 1] - fi[idx]) * _to_unit(u) + fi[idx] < math.exp(-0.5 * x * x)
    return x, keep, s0, s1, s2, s3


@numba.njit(cache=True, nogil=True)
def fill_normals(state: np.ndarray, out: np.ndarray, zig: tuple) -> None:
    """Fill ``out`` with standard normals: xoshiro256** ``state`` [4] uint64 (advanced) and
    the ziggurat tables ``zig`` = :data:`ZIGGURAT`.  Each 64-bit draw gives two 32-bit
    candidates (its high half first): 8 bits pick the layer, 1 the sign (in the signed scale
    table: no branch, which would be mispredicted half the time), 23 the abscissa; 98.5% are
    accepted at once, the rest go through the wedge or the tail test (:func:`_rare`), with
    further draws.  The last draw's low half is tested even when ``out`` is full, so the
    state after a fill does not depend on where the array ends within a draw."""
    ki, wis, _ = zig
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    i = 0
    n = out.size
    while i < n:
        r, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
        bits = np.int64(r >> np.uint64(32))
        rabs = (bits >> 9) & 0x7FFFFF
        x = rabs * wis[bits & 0x1FF]
        keep = True
        if rabs >= ki[bits & 0xFF]:
            x, keep, s0, s1, s2, s3 = _rare(bits, s0, s1, s2, s3, zig)
        if keep:
            out[i] = x
            i += 1
        bits = np.int64(r & _LOW32)
        rabs = (bits >> 9) & 0x7FFFFF
        x = rabs * wis[bits & 0x1FF]
        keep = True
        if rabs >= ki[bits & 0xFF]:
            x, keep, s0, s1, s2, s3 = _rare(bits, s0, s1, s2, s3, zig)
        if keep and i < n:
            out[i] = x
            i += 1
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3


@numba.njit(cache=True, nogil=True)
def fill_uniforms(state: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` with uniforms on [0, 1) (53 bits) from the xoshiro256** ``state``."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    for i in range(out.size):
        r, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
        out[i] = _to_unit(r)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3


# ---------------------------------------------------------------------------- the block


@numba.njit(cache=True, nogil=True, error_model="numpy")
def simulate_block(
    streams: np.ndarray,  # [5, 4] uint64: own growth, own inflation, common, recession, spending
    m: int,  # draws in the block
    a_g: np.ndarray,  # [Y, C] 1 + (growth - growth_bias) / 100
    a_p: np.ndarray,  # [Y, C] 1 + (inflation - inflation_bias) / 100
    s_g: np.ndarray,  # [Y] growth sd / 100
    s_p: np.ndarray,  # [Y] inflation sd / 100
    shocks: np.ndarray,  # [7]: rho, sqrt(1 - rho^2), corr, sqrt(1 - corr^2), sqrt(k),
    #                     sqrt(1 - k) with k = country_corr, recession_prob
    recession_drop: float,  # recession_growth / 100
    k: np.ndarray,  # [Y, C] 100 * amount / gdp_base (/ L0 for a share plan)
    money: np.ndarray,  # [C] bool, a money plan (its share is divided by the drawn GDP)
    spend_mu: np.ndarray,  # [C] 1 + spend_bias / 100
    spend_s: np.ndarray,  # [C] spend_sd / 100
    weights: np.ndarray,  # [C] base-year real-GDP weights summing to 1 ([0] without a group)
    target: np.ndarray,  # [cells] percent, less the tolerance
    inv_bw: float,
    lo_m1: np.ndarray,  # [Y, cells] window start in bins, less 1
    top: np.ndarray,  # [Y, cells] n_bins + 1
    cell_start: np.ndarray,  # [Y, cells] first bin of each cell
    hist: np.ndarray,  # [total_bins] int32, added to
    counts: np.ndarray,  # [Y, cells + C + 1] int64: met, then members meeting; added to
    sums: np.ndarray,  # [Y, cells] float64, sum of the shares; added to
    state: np.ndarray,  # [4, C, >= m] float64: e_g, e_p, nominal and real GDP level
    noise: np.ndarray,  # [3, >= m * C] float64: this year's normals (growth, inflation, spend)
    per_draw: np.ndarray,  # [7, >= m] float64: common factors (2), recession uniform,
    #                        group numerator and denominator (real-GDP weighted), members
    #                        meeting, shares
    zig: tuple,  # ZIGGURAT
) -> None:
    n_y, n_c = a_g.shape
    cells = target.shape[0]
    group = cells > n_c
    rho, innov, corr, rest, sq_k, sq_1k, rec_p = shocks
    spend = (spend_s > 0.0).any()
    e_g, e_p, level, real = state[0], state[1], state[2], state[3]
    u_g, u_p, u_s = noise[0, : m * n_c], noise[1, : m * n_c], noise[2, : m * n_c]
    f_g, f_p, rec = per_draw[0, :m], per_draw[1, :m], per_draw[2, :m]
    num, den, met, shr = per_draw[3, :m], per_draw[4, :m], per_draw[5, :m], per_draw[6, :m]
    # The loop over draws below has no branch, so that it is vectorised (with
    # error_model="numpy": no ZeroDivisionError check either): a setting at 0 multiplies
    # zeros that are never drawn, and year 0 starts from e = 0, level = 1.
    if sq_k == 0.0:
        f_g[:] = 0.0
        f_p[:] = 0.0
    if rec_p == 0.0:
        rec[:] = 1.0  # never below a recession probability of 0
    if not spend:
        u_s[:] = 0.0
    e_g[:, :m] = 0.0
    e_p[:, :m] = 0.0
    level[:, :m] = 1.0
    real[:, :m] = 1.0
    for t in range(n_y):
        # this year's random numbers, one stream per kind; normal (c, i) is at c * m + i
        fill_normals(streams[0], u_g, zig)
        fill_normals(streams[1], u_p, zig)
        if sq_k > 0.0:
            fill_normals(streams[2], f_g, zig)
            fill_normals(streams[2], f_p, zig)
        if rec_p > 0.0:
            fill_uniforms(streams[3], rec)
        if spend:
            fill_normals(streams[4], u_s, zig)
        num[:] = 0.0
        den[:] = 0.0
        met[:] = 0.0
        sg, sp = s_g[t], s_p[t]
        keep, new = (rho, innov) if t > 0 else (0.0, 1.0)  # AR(1); stationary start
        # country by country: the histogram bins in use are those of one cell (cache)
        for c in range(n_c):
            ag, ap, kc, mu, ss, wc, tc = (
                a_g[t, c],
                a_p[t, c],
                k[t, c],
                spend_mu[c],
                spend_s[c],
                weights[c % weights.size],
                target[c],
            )
            lo, hi, start = lo_m1[t, c], top[t, c], cell_start[t, c]
            by_gdp = 1.0 if money[c] else 0.0
            n_met = 0
            total = 0.0
            for i in range(m):
                j = c * m + i
                w_g, w_p = u_g[j], u_p[j]
                w_g = sq_k * f_g[i] + sq_1k * w_g
                w_p = sq_k * f_p[i] + sq_1k * w_p
                w_p = corr * w_g + rest * w_p
                eg = keep * e_g[c, i] + new * w_g
                ep = keep * e_p[c, i] + new * w_p
                drop = recession_drop * (rec[i] < rec_p)
                gr = ag + sg * eg + drop
                rl = real[c, i] * gr
                lv = level[c, i] * (gr * (ap + sp * ep))
                e_g[c, i], e_p[c, i], level[c, i], real[c, i] = eg, ep, lv, rl
                share = kc * max(mu + ss * u_s[j], 0.0) / (by_gdp * lv + (1.0 - by_gdp))
                hit = share >= tc  # counted without a branch (mispredicted near p = 0.5)
                n_met += hit
                shr[i] = share
                num[i] += wc * share * rl  # weighted by real GDP; wc = 0 without a group
                den[i] += wc * rl
                met[i] += hit
            # histogram: bin = floor(share / bw - lo) + 1 in the cell, limited to 0
            # (underflow) .. n_bins + 1 (overflow); a loop of its own so the one above
            # is vectorised
            for i in range(m):
                total += shr[i]
                hist[start + int(min(max(shr[i] * inv_bw - lo, 0.0), hi))] += 1
            counts[t, c] += n_met
            sums[t, c] += total
        if group:
            lo, hi, start, tc = lo_m1[t, n_c], top[t, n_c], cell_start[t, n_c], target[n_c]
            n_met = 0
            total = 0.0
            for i in range(m):
                share = num[i] / den[i]
                n_met += share >= tc
                total += share
                hist[start + int(min(max(share * inv_bw - lo, 0.0), hi))] += 1
                counts[t, cells + int(met[i])] += 1
            counts[t, n_c] += n_met
            sums[t, n_c] += total


@numba.njit(cache=True, nogil=True, error_model="numpy")
def simulate_chunk(
    streams: np.ndarray,  # [n_blocks, 5, 4] uint64: each block's streams (see simulate_block)
    sizes: np.ndarray,  # [n_blocks] int64: draws in each block
    a_g: np.ndarray,
    a_p: np.ndarray,
    s_g: np.ndarray,
    s_p: np.ndarray,
    shocks: np.ndarray,
    recession_drop: float,
    k: np.ndarray,
    money: np.ndarray,
    spend_mu: np.ndarray,
    spend_s: np.ndarray,
    weights: np.ndarray,
    target: np.ndarray,
    inv_bw: float,
    lo_m1: np.ndarray,
    top: np.ndarray,
    cell_start: np.ndarray,
    hist: np.ndarray,
    counts: np.ndarray,
    block_sums: np.ndarray,  # [n_blocks, Y, cells] float64: each block's sums; added to
    state: np.ndarray,
    noise: np.ndarray,
    per_draw: np.ndarray,
    zig: tuple,
) -> None:
    """:func:`simulate_block` for each block of a chunk in turn, in one call (a call per block
    would cost a Python dispatch each, and the garbage collector's visits)."""
    for b in range(sizes.size):
        simulate_block(
            streams[b],
            sizes[b],
            a_g,
            a_p,
            s_g,
            s_p,
            shocks,
            recession_drop,
            k,
            money,
            spend_mu,
            spend_s,
            weights,
            target,
            inv_bw,
            lo_m1,
            top,
            cell_start,
            hist,
            counts,
            block_sums[b],
            state,
            noise,
            per_draw,
            zig,
        )


@numba.njit(cache=True, nogil=True)
def take_nonzero(hist: np.ndarray, most: int) -> tuple:
    """The non-zero bins of ``hist`` (int32) in ascending order and their counts (int32), at
    most ``most`` of them (the draws times the cells of the chunk bound them); ``hist`` is left
    all zero.  One pass over the histogram."""
    bins = np.empty(min(most, hist.size), np.int32)
    hits = np.empty(bins.size, np.int32)
    n = 0
    for i in range(hist.size):
        h = hist[i]
        if h != 0:
            bins[n] = i
            hits[n] = h
            hist[i] = 0
            n += 1
    return bins[:n].copy(), hits[:n].copy()


@numba.njit(cache=True, nogil=True)
def add_sparse(total: np.ndarray, bins: np.ndarray, hits: np.ndarray) -> None:
    """``total[bins] += hits`` (int64 total; the bins are distinct)."""
    for i in range(bins.size):
        total[bins[i]] += hits[i]
