"""Tests for milex.montecarlo: worked numbers, model structure, reproducibility, input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import milex.montecarlo.engine as sim
from milex.errors import InputError
from milex.montecarlo import SimulationResult, Uncertainty, load_uncertainty, simulate

NONE = Uncertainty(growth_sd=0.0, inflation_sd=0.0, rho=0.0, corr=0.0, source="test: none")
SOME = Uncertainty(growth_sd=1.9, inflation_sd=1.6, rho=0.3, corr=0.25, source="test")


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _panel(n_c: int = 3, n_y: int = 4, seed: int = 0):
    """Synthetic inputs: GDP in national currency, 2-5% shares, ~1.5% growth, ~2% inflation."""
    rng = np.random.default_rng(seed)
    gdp = rng.uniform(50.0, 5000.0, n_c)
    growth = rng.uniform(0.5, 2.5, (n_c, n_y))
    inflation = rng.uniform(1.5, 3.0, (n_c, n_y))
    path = np.cumprod((1 + growth / 100) * (1 + inflation / 100), axis=1)
    shares = rng.uniform(2.0, 5.0, (n_c, 1)) * np.linspace(1.0, 1.2, n_y)
    amounts = gdp[:, None] * path * shares / 100
    targets = np.full(n_c, 3.5)
    return amounts, gdp, growth, inflation, targets


def _central(amounts, gdp, growth, inflation) -> np.ndarray:
    """Deterministic share path, percent of GDP, computed the obvious way in float64."""
    path = np.cumprod((1 + growth / 100) * (1 + inflation / 100), axis=1)
    return 100 * amounts / (gdp[:, None] * path)


def _run(*args, **kw) -> SimulationResult:
    kw.setdefault("uncertainty", SOME)
    kw.setdefault("seed", 7)
    return simulate(*args, **kw)


# ---------------------------------------------------------------------------- worked numbers


def test_zero_variance_matches_hand_computed_path():
    # GDP 100, growth 2%, inflation 3%, amount 4 => 4 / (100 * 1.02 * 1.03) * 100 = 3.8073...
    # Year 2: growth 1%, inflation 2%, amount 4.2 => 4.2 / (100 * 1.02 * 1.03 * 1.01 * 1.02) * 100
    share1 = 4 / (100 * 1.02 * 1.03) * 100
    share2 = 4.2 / (100 * 1.02 * 1.03 * 1.01 * 1.02) * 100
    assert share1 == pytest.approx(3.8073482, abs=1e-7)
    assert share2 == pytest.approx(3.8805238, abs=1e-7)
    res = simulate(
        [[4.0, 4.2]],
        [100.0],
        [[2.0, 1.0]],
        [[3.0, 2.0]],
        [3.7],
        draws=1_000,
        seed=1,
        uncertainty=NONE,
    )
    expected = np.array([[share1, share2]])
    assert res.bin_width == 0.001
    for q in (res.median, res.p05, res.p95):
        np.testing.assert_allclose(q, expected, atol=res.bin_width)
    np.testing.assert_allclose(res.mean, expected, rtol=1e-6)
    np.testing.assert_array_equal(res.prob_meet, [[1.0, 1.0]])  # 3.807 and 3.881 >= 3.7
    args = ([[4.0, 4.2]], [100.0], [[2.0, 1.0]], [[3.0, 2.0]], [3.85])
    res_high = simulate(*args, draws=500, seed=1, uncertainty=NONE)
    np.testing.assert_array_equal(res_high.prob_meet, [[0.0, 1.0]])  # 3.807 < 3.85 <= 3.881


def test_zero_variance_prob_meet_is_zero_or_one():
    amounts, gdp, growth, inflation, _ = _panel(5, 11, seed=3)
    central = _central(amounts, gdp, growth, inflation)
    targets = np.array([2.0, 3.0, 3.5, 4.0, 5.0])
    assert np.abs(central - targets[:, None]).min() > 1e-4  # no knife-edge cases
    res = simulate(amounts, gdp, growth, inflation, targets, draws=2_000, seed=3, uncertainty=NONE)
    assert set(np.unique(res.prob_meet)) <= {0.0, 1.0}
    np.testing.assert_array_equal(res.prob_meet, (central >= targets[:, None]).astype(float))
    np.testing.assert_allclose(res.median, central, atol=res.bin_width)


def test_reaching_the_target_exactly_counts_as_meeting_it():
    # GDP 200 with 0% growth and inflation, amount 7 => share exactly 3.5 (also in float32)
    args = ([[7.0, 7.0]], [200.0], [[0.0, 0.0]], [[0.0, 0.0]], [3.5])
    res = simulate(*args, draws=100, seed=1, uncertainty=NONE)
    np.testing.assert_array_equal(res.prob_meet, [[1.0, 1.0]])
    np.testing.assert_allclose(res.median, [[3.5, 3.5]], atol=res.bin_width)


def test_meeting_tolerance_is_a_ten_thousandth_of_a_point():
    """Float32 shares get MEET_TOLERANCE_PP (0.0001 points): 3.49995% meets 3.5%, 3.4998% not.

    GDP 100 with no growth or inflation, so the share is the amount: 3.49995 is 0.00005 points
    below the target (within the tolerance), 3.4998 is 0.0002 below (outside it)."""
    args = ([[3.49995, 3.4998]], [100.0], [[0.0, 0.0]], [[0.0, 0.0]], [3.5])
    res = simulate(*args, draws=100, seed=1, uncertainty=NONE)
    np.testing.assert_array_equal(res.prob_meet, [[1.0, 0.0]])


def test_year_one_probability_matches_normal_formula():
    # Only growth is uncertain and there is one year, so
    # P(share >= T) = P(g <= 100 * (100 * A / (T * GDP0 * (1 + p/100)) - 1)) = Phi((g* - growth)/sd)
    unc = Uncertainty(growth_sd=2.0, inflation_sd=0.0, rho=0.0, corr=0.0, source="test")
    amount, gdp0, growth, infl, target = 3.6, 100.0, 1.5, 2.0, 3.5
    g_star = 100 * (100 * amount / (target * gdp0 * (1 + infl / 100)) - 1)
    expected = _phi((g_star - growth) / unc.growth_sd)
    assert expected == pytest.approx(0.3708, abs=1e-4)
    draws = 60_000
    res = simulate(
        [[amount]], [gdp0], [[growth]], [[infl]], [target], draws=draws, seed=11, uncertainty=unc
    )
    se = math.sqrt(expected * (1 - expected) / draws)
    assert abs(res.prob_meet[0, 0] - expected) < 4 * se
    # the median share is the share at the median growth (monotone transform)
    median = 100 * amount / (gdp0 * (1 + growth / 100) * (1 + infl / 100))
    assert res.median[0, 0] == pytest.approx(median, abs=0.01)


def _width(res: SimulationResult) -> np.ndarray:
    return np.log(res.p95) - np.log(res.p05)


def test_autocorrelation_widens_year_two_as_the_model_says():
    # log GDP_2 - log GDP_1 ~ sum of two shocks: sd ratio sqrt(2 + 2 rho) (linearised).
    args = ([[4.0, 4.0]], [100.0], [[1.5, 1.5]], [[2.0, 2.0]], [3.5])
    for rho in (0.0, 0.6):
        unc = Uncertainty(growth_sd=2.0, inflation_sd=0.0, rho=rho, corr=0.0, source="test")
        w = _width(simulate(*args, draws=100_000, seed=5, uncertainty=unc))[0]
        assert w[1] / w[0] == pytest.approx(math.sqrt(2 + 2 * rho), rel=0.02)


def test_growth_inflation_correlation_sets_the_spread():
    # One year: sd of log nominal GDP ~ sqrt(sg^2 + sp^2 + 2 corr sg sp) / 100.
    args = ([[4.0]], [100.0], [[1.5]], [[2.0]], [3.5])
    widths = {}
    for corr in (-0.8, 0.0, 0.8):
        unc = Uncertainty(growth_sd=1.5, inflation_sd=1.5, rho=0.0, corr=corr, source="test")
        widths[corr] = _width(simulate(*args, draws=100_000, seed=9, uncertainty=unc))[0, 0]
    for corr in (-0.8, 0.8):
        assert widths[corr] / widths[0.0] == pytest.approx(math.sqrt(1 + corr), rel=0.02)
    assert widths[0.0] == pytest.approx(2 * 1.6449 * 1.5 * math.sqrt(2) / 100, rel=0.03)


def test_matches_independent_float64_reference():
    amounts, gdp, growth, inflation, targets = _panel(2, 3, seed=4)
    targets = np.array([3.0, 4.0])
    draws = 40_000
    res = _run(amounts, gdp, growth, inflation, targets, draws=draws)
    # Straightforward reference: float64, numpy's default generator, explicit AR(1) loop.
    rng = np.random.default_rng(123)
    u = SOME
    n_c, n_y = amounts.shape
    zg = rng.standard_normal((draws, n_c, n_y))
    zp = rng.standard_normal((draws, n_c, n_y))
    zp = u.corr * zg + math.sqrt(1 - u.corr**2) * zp
    eg, ep = zg.copy(), zp.copy()
    for t in range(1, n_y):
        eg[..., t] = u.rho * eg[..., t - 1] + math.sqrt(1 - u.rho**2) * zg[..., t]
        ep[..., t] = u.rho * ep[..., t - 1] + math.sqrt(1 - u.rho**2) * zp[..., t]
    g = growth + u.growth_sd * eg
    p = inflation + u.inflation_sd * ep
    gdp_path = gdp[:, None] * np.cumprod((1 + g / 100) * (1 + p / 100), axis=-1)
    share = 100 * amounts / gdp_path
    ref_prob = (share >= targets[:, None]).mean(axis=0)
    tol = 5 * math.sqrt(2 * 0.25 / draws)
    np.testing.assert_allclose(res.prob_meet, ref_prob, atol=tol)
    np.testing.assert_allclose(res.median, np.median(share, axis=0), rtol=0.004)
    np.testing.assert_allclose(res.p05, np.quantile(share, 0.05, axis=0), rtol=0.006)
    np.testing.assert_allclose(res.p95, np.quantile(share, 0.95, axis=0), rtol=0.006)
    np.testing.assert_allclose(res.mean, share.mean(axis=0), rtol=0.004)


def test_spread_ordering_and_growth_with_horizon():
    amounts, gdp, growth, inflation, targets = _panel(4, 11, seed=2)
    res = _run(amounts, gdp, growth, inflation, targets, draws=20_000)
    assert res.median.shape == res.p05.shape == res.p95.shape == (4, 11)
    assert res.mean.shape == res.prob_meet.shape == (4, 11)
    assert np.isfinite(res.median).all() and np.isfinite(res.p05).all()
    assert (res.p05 < res.median).all() and (res.median < res.p95).all()
    assert (np.diff(_width(res), axis=1) > 0).all()  # relative spread grows every year
    assert ((res.prob_meet >= 0) & (res.prob_meet <= 1)).all()
    assert res.draws == 20_000 and res.seed == 7


def test_bin_width_coarsens_when_the_histogram_would_be_too_big(monkeypatch):
    amounts, gdp, growth, inflation, targets = _panel(3, 4, seed=1)
    fine = _run(amounts, gdp, growth, inflation, targets, draws=5_000)
    monkeypatch.setattr(sim, "MAX_BINS", 100)
    res = simulate(amounts, gdp, growth, inflation, targets, draws=1_000, seed=1, uncertainty=NONE)
    central = _central(amounts, gdp, growth, inflation)
    assert res.bin_width in (0.002, 0.005, 0.01)
    np.testing.assert_allclose(res.median, central, atol=res.bin_width)
    monkeypatch.setattr(sim, "MAX_BINS", 5_000)
    coarse = _run(amounts, gdp, growth, inflation, targets, draws=5_000)
    assert coarse.bin_width == 0.02 and fine.bin_width == 0.001
    for name in ("median", "p05", "p95"):
        diff = np.abs(getattr(coarse, name) - getattr(fine, name))
        assert (diff <= coarse.bin_width + fine.bin_width).all(), name
    for name in ("mean", "prob_meet"):  # not from the histogram: unaffected by the bins
        np.testing.assert_array_equal(getattr(coarse, name), getattr(fine, name))


# ---------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_c=st.integers(1, 3),
    n_y=st.integers(1, 4),
    data_seed=st.integers(0, 10_000),
    scale=st.floats(1.0, 3.0),
    target=st.floats(1.0, 8.0),
)
def test_prob_meet_never_falls_when_amounts_rise(n_c, n_y, data_seed, scale, target):
    amounts, gdp, growth, inflation, _ = _panel(n_c, n_y, seed=data_seed)
    targets = np.full(n_c, target)
    base = _run(amounts, gdp, growth, inflation, targets, draws=2_000, workers=1)
    more = _run(amounts * scale, gdp, growth, inflation, targets, draws=2_000, workers=1)
    assert (more.prob_meet >= base.prob_meet).all()
    assert (more.median >= base.median - base.bin_width).all()


# ---------------------------------------------------------------------------- reproducibility


def _same(a: SimulationResult, b: SimulationResult) -> None:
    for name in ("median", "p05", "p95", "mean", "prob_meet"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.bin_width == b.bin_width and a.draws == b.draws


def test_same_seed_same_result_whatever_the_chunking_and_workers():
    panel = _panel(3, 5, seed=8)
    ref = _run(*panel, draws=23_000, chunk_size=25_000, workers=1)  # one chunk, partial block
    _same(ref, _run(*panel, draws=23_000, chunk_size=5_000, workers=2))
    _same(ref, _run(*panel, draws=23_000, chunk_size=7_000, workers=3))  # rounded to 8,000
    _same(ref, _run(*panel, draws=23_000, chunk_size=1, workers=2))
    other = _run(*panel, draws=23_000, seed=8)
    assert not np.array_equal(ref.prob_meet, other.prob_meet)


def test_seed_none_reports_a_seed_that_reproduces_the_run():
    panel = _panel(2, 3, seed=5)
    first = _run(*panel, draws=3_000, seed=None)
    assert isinstance(first.seed, int)
    _same(first, _run(*panel, draws=3_000, seed=first.seed))


def test_progress_is_called_once_per_chunk():
    calls = []
    _run(*_panel(2, 3), draws=12_000, chunk_size=4_000, progress=lambda d, n: calls.append((d, n)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.network
def test_dask_cluster_gives_the_local_result():
    distributed = pytest.importorskip("distributed")
    panel = _panel(3, 4, seed=6)
    local = _run(*panel, draws=12_000, chunk_size=4_000)
    done = []
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        remote = _run(
            *panel,
            draws=12_000,
            chunk_size=4_000,
            dask_address=cluster.scheduler_address,
            progress=lambda d, n: done.append(d),
        )
    _same(local, remote)
    assert sorted(done) == [1, 2, 3]


@pytest.mark.network
def test_a_scheduler_on_loopback_tcp_is_recognised(monkeypatch):
    """The check that a Dask scheduler answers (before dask's Client, which would wait without
    end for something that is not one) lets a real one through."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("MILEX_DASK_TIMEOUT", "5")
    panel = _panel(2, 3, seed=7)
    local = _run(*panel, draws=10_000, chunk_size=5_000)
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=":0",
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = _run(
            *panel, draws=10_000, chunk_size=5_000, dask_address=cluster.scheduler_address
        )
    _same(local, remote)


# ---------------------------------------------------------------------------- input errors

GOOD = {
    "amounts": [[4.0, 4.2]],
    "gdp_base": [100.0],
    "growth": [[2.0, 1.0]],
    "inflation": [[3.0, 2.0]],
    "targets": [3.5],
}


def _call(**changes):
    args = {**GOOD}
    kw = {"draws": 100, "seed": 1, "uncertainty": SOME}
    for key, value in changes.items():
        (args if key in args else kw)[key] = value
    return simulate(**args, **kw)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"draws": 0}, r"draws must be an integer >= 1, got 0"),
        ({"draws": -5}, r"draws must be an integer >= 1"),
        ({"draws": 2.5}, r"draws must be an integer .* \(float\)"),
        ({"draws": 1e6}, r"draws must be an integer"),
        ({"draws": "1000"}, r"draws must be an integer"),
        ({"draws": True}, r"draws must be an integer"),
        ({"seed": -1}, r"seed must be an integer >= 0"),
        ({"chunk_size": 0}, r"chunk_size must be an integer >= 1"),
        ({"workers": 0}, r"workers must be an integer >= 1"),
        ({"gdp_base": [100.0, 200.0]}, r"gdp_base has shape \(2,\) .* must be \(1,\)"),
        ({"growth": [[2.0, 1.0, 1.0]]}, r"growth has shape \(1, 3\) .* must be \(1, 2\)"),
        ({"inflation": [[3.0], [2.0]]}, r"inflation has shape \(2, 1\)"),
        ({"targets": [3.5, 2.0]}, r"targets has shape \(2,\)"),
        ({"amounts": [4.0, 4.2]}, r"amounts has shape \(2,\) but must be 2-D"),
        ({"amounts": [[]]}, r"at least one country and one projection year"),
        ({"amounts": [["a", "b"]]}, r"amounts must be numbers"),
        ({"amounts": [[4.0, float("nan")]]}, r"amounts contains NaN \(first at index \[0, 1\]\)"),
        ({"growth": [[2.0, float("nan")]]}, r"growth contains NaN"),
        ({"inflation": [[float("inf"), 2.0]]}, r"inflation contains an infinite value"),
        ({"gdp_base": [float("nan")]}, r"gdp_base contains NaN"),
        ({"targets": [float("nan")]}, r"targets contains NaN"),
        ({"targets": [-0.5]}, r"targets\[0\] is -0.5; .* between 0 and 100"),
        ({"targets": [350.0]}, r"targets\[0\] is 350.0"),
        ({"gdp_base": [0.0]}, r"gdp_base\[0\] is 0.0; base-year GDP must be > 0"),
        ({"gdp_base": [-3.0]}, r"gdp_base\[0\] is -3.0"),
        ({"amounts": [[4.0, -1.0]]}, r"amounts has a negative value"),
        ({"growth": [[2.0, -100.0]]}, r"growth is -100.0 at \[0, 1\]; .* must be > -100"),
        ({"uncertainty": "default"}, r"uncertainty must be an Uncertainty"),
        (
            {"uncertainty": Uncertainty(15.0, 1.0, 0.0, 0.0, "x")},
            r"growth_sd = 15 percentage points \(in the last year.*\) is too large",
        ),
        ({"dask_address": ""}, r"Dask scheduler address must be text such as 'tcp://"),
    ],
)
def test_bad_input_raises_input_error(changes, message):
    with pytest.raises(InputError, match=message) as info:
        _call(**changes)
    assert isinstance(info.value, ValueError)


def test_scalar_target_is_broadcast():
    args = ([[4.0], [2.0]], [100.0, 100.0], [[2.0], [2.0]], [[3.0], [3.0]], 3.0)
    res = simulate(*args, draws=200, seed=1, uncertainty=NONE)
    np.testing.assert_array_equal(res.prob_meet, [[1.0], [0.0]])


def test_a_shock_that_could_wipe_out_gdp_is_refused_with_the_ways_out():
    """Growth of -95% leaves 5 points to -100%: a growth_sd of 1.9 points in the first year
    (no-recession: no recession to add to the drop) is more than 1/10 of that room (0.5
    points): refused, naming the limit and the other ways out."""
    u = load_uncertainty("no-recession")
    with pytest.raises(InputError) as caught:
        simulate([[1.0]], [100.0], [[-95.0]], [[2.0]], 1.0, draws=10, seed=1, uncertainty=u)
    message = str(caught.value)
    assert "growth_sd = 1.9 percentage points" in message and "would take growth" in message
    assert "Use growth_sd < 0.5, a smaller horizon_slope (0.1 now), or a nearer target" in message
