"""The issue-12 model of milex.montecarlo.simulate: its properties, worked numbers and errors.

Expected values are hand arithmetic written out here, closed forms of the model (normal
probabilities, a Poisson-binomial convolution) or statistical properties whose tolerances are
derived here from standard errors (4 standard errors unless said otherwise).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from milex.errors import InputError
from milex.montecarlo import SimulationResult, Uncertainty, load_uncertainty, simulate

NONE = load_uncertainty("none")
# Only real growth is uncertain, independent years: the simplest model with a closed form.
GROWTH_ONLY = Uncertainty(growth_sd=2.0, inflation_sd=0.0, rho=0.0, corr=0.0, source="test")
# Every part of the model switched on.
FULL = Uncertainty(
    growth_sd=1.6,
    inflation_sd=1.4,
    rho=0.3,
    corr=0.25,
    source="test",
    horizon_slope=0.1,
    growth_bias=0.3,
    inflation_bias=-0.2,
    recession_prob=0.15,
    recession_growth=-3.0,
    country_corr=0.3,
    spend_sd=4.0,
    spend_bias=-1.5,
)
DRAWS = 20_000


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _se(p: float, n: int = DRAWS) -> float:
    """Standard error of a proportion p estimated from n draws."""
    return math.sqrt(max(p * (1 - p), 1e-12) / n)


def _panel(n_c: int = 4, n_y: int = 3, share: float = 3.5, seed: int = 0):
    """Inputs whose central share is ``share`` percent of GDP every year."""
    rng = np.random.default_rng(seed)
    gdp = rng.uniform(50.0, 5000.0, n_c)
    growth = rng.uniform(0.5, 2.5, (n_c, n_y))
    inflation = rng.uniform(1.5, 3.0, (n_c, n_y))
    level = np.cumprod((1 + growth / 100) * (1 + inflation / 100), axis=1)
    amounts = gdp[:, None] * level * share / 100
    return amounts, gdp, growth, inflation


def _central(amounts, gdp, growth, inflation) -> np.ndarray:
    level = np.cumprod((1 + growth / 100) * (1 + inflation / 100), axis=1)
    return 100 * amounts / (gdp[:, None] * level)


def _run(*args, **kw) -> SimulationResult:
    kw.setdefault("draws", DRAWS)
    kw.setdefault("seed", 3)
    kw.setdefault("uncertainty", FULL)
    return simulate(*args, **kw)


# ---------------------------------------------------------------------------- properties


def test_probability_rises_with_the_amounts_and_falls_with_the_target():
    amounts, gdp, growth, inflation = _panel()
    group = {"weights": gdp, "share_plan": np.array([False, True, False, False])}
    base = _run(amounts, gdp, growth, inflation, 3.5, **group)
    more = _run(amounts * 1.04, gdp, growth, inflation, 3.5, **group)
    higher = _run(amounts, gdp, growth, inflation, 3.7, **group)
    # same seed, so the same draws: a share can only rise with the amount (never by chance)
    assert (more.prob_meet >= base.prob_meet).all()
    assert (higher.prob_meet <= base.prob_meet).all()
    assert (more.group.prob_meet >= base.group.prob_meet).all()
    assert (higher.group.prob_meet <= base.group.prob_meet).all()
    # and by much more than sampling error: +4% of spending is ~0.14 pp at a 3.5% share
    four_se = 4 * math.sqrt(2) * 0.5 / math.sqrt(DRAWS)
    assert (more.prob_meet - base.prob_meet > four_se).all()
    assert (base.prob_meet - higher.prob_meet > four_se).all()


@pytest.mark.parametrize("share", [3.2, 3.8])
def test_wider_uncertainty_moves_probabilities_toward_one_half(share):
    amounts, gdp, growth, inflation = _panel(n_c=2, n_y=2, share=share)
    narrow = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=FULL)
    wide_u = dataclasses.replace(
        FULL, growth_sd=3.2, inflation_sd=2.8, spend_sd=8.0, horizon_slope=0.2
    )
    wide = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=wide_u)
    # 4 standard errors of the difference of two proportions (at most 0.5 * 0.5 each)
    tol = 4 * math.sqrt(2 * 0.25 / DRAWS)
    assert (np.abs(narrow.prob_meet - 0.5) - np.abs(wide.prob_meet - 0.5) > tol).all()
    assert ((wide.prob_meet - 0.5) * (share - 3.5) > 0).all()  # still on the same side


def test_none_reproduces_the_deterministic_path_exactly():
    amounts, gdp, growth, inflation = _panel(n_c=5, n_y=4, share=3.5)
    amounts = amounts * np.array([0.9, 0.99, 1.01, 1.2, 1.0])[:, None]
    targets = np.array([3.5, 3.5, 3.5, 3.5, 3.5])
    central = _central(amounts, gdp, growth, inflation)
    res = _run(
        amounts,
        gdp,
        growth,
        inflation,
        targets,
        uncertainty=NONE,
        draws=3_000,
        weights=gdp,
        share_plan=np.array([True, False, True, False, False]),
    )
    np.testing.assert_array_equal(res.prob_meet, (central >= targets[:, None] - 1e-9) * 1.0)
    for name in ("median", "p05", "p95", "mean"):
        np.testing.assert_allclose(getattr(res, name), central, atol=res.bin_width, rtol=0)
    # members meeting: 1.01 x, 1.2 x and exactly 1.0 x the target meet it, every draw
    expected = np.zeros((4, 6))
    expected[:, 3] = 1.0
    np.testing.assert_array_equal(res.group.members_meeting, expected)
    # the group: each member's share weighted by its real GDP, weight x real level
    real = gdp[:, None] * np.cumprod(1 + growth / 100, axis=1)
    group = (real * central).sum(axis=0) / real.sum(axis=0)
    np.testing.assert_allclose(res.group.median, group, atol=res.bin_width, rtol=0)
    np.testing.assert_array_equal(res.group.prob_meet, (group >= 3.5) * 1.0)


def _poisson_binomial(probs) -> np.ndarray:
    """P(exactly m of independent events happen), m = 0..len(probs): repeated convolution."""
    dist = np.array([1.0])
    for p in probs:
        dist = np.convolve(dist, [1 - p, p])
    return dist


def _one_year_group(country_corr: float, draws: int = DRAWS):
    """Four countries, one year, only growth uncertain: each meets 3.5% when its growth is at
    most g* = 100 * (100 A / (3.5 GDP0 (1 + p / 100)) - 1), so P = Phi((g* - growth) / sd)."""
    amounts = np.array([[3.6], [3.5], [3.45], [3.7]])
    gdp = np.array([100.0, 100.0, 100.0, 100.0])
    growth = np.full((4, 1), 1.5)
    inflation = np.full((4, 1), 2.0)
    g_star = 100 * (100 * amounts[:, 0] / (3.5 * gdp * 1.02) - 1)
    probs = [_phi((g - 1.5) / 2.0) for g in g_star]
    unc = dataclasses.replace(GROWTH_ONLY, country_corr=country_corr)
    res = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=unc, weights=gdp, draws=draws)
    return res, probs


def test_members_meeting_without_correlation_is_the_convolution_of_independent_members():
    res, probs = _one_year_group(0.0)
    for got, p in zip(res.prob_meet[:, 0], probs, strict=True):
        assert abs(got - p) < 4 * _se(p)
    expected = _poisson_binomial(probs)
    got = res.group.members_meeting[0]
    assert got.sum() == pytest.approx(1.0, abs=1e-12)
    for m, q in enumerate(expected):
        assert abs(got[m] - q) < 4 * _se(q), m


def test_a_common_shock_widens_the_distribution_of_members_meeting():
    res, probs = _one_year_group(0.6)
    got = res.group.members_meeting[0]
    m = np.arange(5)
    variance = (got * m**2).sum() - (got * m).sum() ** 2
    independent = sum(p * (1 - p) for p in probs)  # variance of a Poisson-binomial count
    # sample variance of a count in [0, 4]: its se is below sqrt(E[(m - mean)^4] / n) <= 4 / sqrt(n)
    assert variance - independent > 4 * 4 / math.sqrt(DRAWS)
    # each member's own probability is unchanged by the correlation
    for got_p, p in zip(res.prob_meet[:, 0], probs, strict=True):
        assert abs(got_p - p) < 4 * _se(p)


def test_a_share_plan_without_spending_error_meets_its_share_whatever_gdp_does():
    amounts, gdp, growth, inflation = _panel(n_c=2, n_y=3, share=3.5)
    unc = dataclasses.replace(FULL, spend_sd=0.0, spend_bias=0.0)
    res = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=unc, share_plan=[True, False])
    np.testing.assert_array_equal(res.prob_meet[0], [1.0, 1.0, 1.0])
    for name in ("median", "p05", "p95"):
        np.testing.assert_allclose(getattr(res, name)[0], 3.5, atol=res.bin_width, rtol=0)
    assert (res.prob_meet[1] < 0.9).all()  # the money plan's share moves with GDP


# ---------------------------------------------------------------------------- worked numbers


def test_biases_shift_the_path_by_the_hand_computed_amount():
    # GDP 100, growth 2% then 1%, inflation 3% then 2%, amount 4 then 4.2; forecasts too high
    # by 1 pp (growth) and 0.5 pp (inflation), so the drawn path is 1%/0% growth, 2.5%/1.5%.
    unc = dataclasses.replace(NONE, growth_bias=1.0, inflation_bias=0.5)
    args = ([[4.0, 4.2]], [100.0], [[2.0, 1.0]], [[3.0, 2.0]], 3.5)
    res = _run(*args, uncertainty=unc, draws=1_000)
    share1 = 100 * 4.0 / (100 * 1.01 * 1.025)  # 3.8638...
    share2 = 100 * 4.2 / (100 * 1.01 * 1.025 * 1.00 * 1.015)  # 3.9970...
    np.testing.assert_allclose(res.median[0], [share1, share2], atol=res.bin_width, rtol=0)
    np.testing.assert_array_equal(res.prob_meet[0], [1.0, 1.0])


def test_growth_bias_shifts_the_median_of_an_uncertain_path():
    # One year, only growth uncertain: the median share is the share at the median growth,
    # growth - bias = 1.5 - 1 = 0.5%: 100 * 3.6 / (100 * 1.005 * 1.02) = 3.5119...
    unc = dataclasses.replace(GROWTH_ONLY, growth_bias=1.0)
    res = _run([[3.6]], [100.0], [[1.5]], [[2.0]], 3.5, uncertainty=unc)
    median = 100 * 3.6 / (100 * 1.005 * 1.02)
    # se of a sample median: sqrt(pi / 2) sd / sqrt(n); sd of the share ~ median * 2 / 100.5
    se = math.sqrt(math.pi / 2) * median * 2 / 100.5 / math.sqrt(DRAWS)
    assert abs(res.median[0, 0] - median) < 4 * se + res.bin_width
    # and P(meet) = P(g <= g*) with g centred on 0.5
    g_star = 100 * (100 * 3.6 / (3.5 * 100 * 1.02) - 1)
    p = _phi((g_star - 0.5) / 2.0)
    assert abs(res.prob_meet[0, 0] - p) < 4 * _se(p)


def test_spending_bias_scales_the_share():
    # deterministic GDP, spending 5% under plan on average and no spread: 0.95 x the plan
    res = _run([[4.0]], [100.0], [[0.0]], [[0.0]], 3.5, uncertainty=NONE, spend_bias=-5.0)
    assert res.mean[0, 0] == pytest.approx(4.0 * 0.95, rel=1e-6)
    assert res.prob_meet[0, 0] == 1.0  # 3.8 >= 3.5


def test_a_recession_every_year_is_growth_lowered_by_its_depth():
    # recession_prob must stay below 1; at 1 - 1e-12 a year without recession has probability
    # 1e-12 (none in 2 x 20,000 draw-years, and float32 uniforms are all below it).
    always = dataclasses.replace(FULL, recession_prob=1 - 1e-12, recession_growth=-3.0)
    amounts, gdp, growth, inflation = _panel(n_c=2, n_y=2)
    res = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=always)
    lower = dataclasses.replace(FULL, recession_prob=0.0, recession_growth=0.0)
    ref = _run(amounts, gdp, growth - 3.0, inflation, 3.5, uncertainty=lower)
    # the same draws; float32 rounding moves a share by ~1e-6 relative, which can flip only a
    # draw within that distance of the target (a handful at most)
    assert np.abs(res.prob_meet - ref.prob_meet).max() <= 5 / DRAWS
    np.testing.assert_allclose(res.median, ref.median, atol=2 * res.bin_width, rtol=0)
    np.testing.assert_allclose(res.mean, ref.mean, rtol=1e-5)


def test_horizon_slope_widens_later_years_by_the_hand_computed_factor():
    # Two years, only growth uncertain, independent years (rho = 0): log GDP in year 2 sums two
    # shocks of sd s and s (1 + h), so its sd is s sqrt(1 + (1 + h)^2) against s in year 1.
    draws = 50_000
    args = ([[4.0, 4.0]], [100.0], [[1.5, 1.5]], [[2.0, 2.0]], 3.5)
    for h in (0.0, 0.5):
        unc = dataclasses.replace(GROWTH_ONLY, horizon_slope=h)
        res = _run(*args, uncertainty=unc, draws=draws)
        width = np.log(res.p95[0]) - np.log(res.p05[0])
        # se of a 5% / 95% quantile: sqrt(0.05 * 0.95 / n) / phi(1.645) sds; the width has
        # sqrt(2) of that, over 3.29 sds; the ratio of two widths sqrt(2) more; 4 se, plus
        # 0.005 for the linearisation (log(1 + g) is not g)
        se_q = math.sqrt(0.05 * 0.95 / draws) / 0.10314
        rel = 4 * math.sqrt(2) * math.sqrt(2) * se_q / 3.29 + 0.005
        assert width[1] / width[0] == pytest.approx(math.sqrt(1 + (1 + h) ** 2), rel=rel)


def test_spending_error_gives_the_hand_computed_sd_of_the_share():
    # GDP fixed (no growth, no inflation, no uncertainty), plan 4% of GDP, spending error sd
    # 10%: the share is 4 (1 + 0.1 z), so p05, p95 = 4 (1 -+ 0.1 x 1.6449) = 3.342, 4.658
    res = _run([[4.0]], [100.0], [[0.0]], [[0.0]], 3.5, uncertainty=NONE, spend_sd=10.0)
    se_q = math.sqrt(0.05 * 0.95 / DRAWS) / 0.10314 * 0.4  # se of the quantile, pp of GDP
    assert abs(res.p05[0, 0] - 4 * (1 - 0.1 * 1.6449)) < 4 * se_q + res.bin_width
    assert abs(res.p95[0, 0] - 4 * (1 + 0.1 * 1.6449)) < 4 * se_q + res.bin_width
    p = _phi((4.0 - 3.5) / 0.4)  # P(4 + 0.4 z >= 3.5)
    assert abs(res.prob_meet[0, 0] - p) < 4 * _se(p)
    # per country: the second country has no spending error
    two = _run(
        [[4.0], [4.0]],
        [100.0, 100.0],
        [[0.0], [0.0]],
        [[0.0], [0.0]],
        3.5,
        uncertainty=NONE,
        spend_sd=[10.0, 0.0],
    )
    assert two.p05[1, 0] == pytest.approx(4.0, abs=two.bin_width)
    assert two.prob_meet[1, 0] == 1.0


def test_group_share_weights_members_by_real_gdp_not_by_inflation():
    # Two members, one year, weights (base-year GDP at constant prices) 300 and 100.
    # A: GDP 200 (national), growth 2%, inflation 3%, spends 7.56432 = 3.6% of 200 x 1.0506;
    # B: GDP 50, growth 1%, inflation 40%, spends 1.414 = 2.0% of 50 x 1.01 x 1.4.
    # Weighted by real GDP (NATO's constant prices): (300 x 1.02 x 3.6 + 100 x 1.01 x 2.0)
    # / (300 x 1.02 + 100 x 1.01) = 1303.6 / 407 = 3.20295%. Weighted by nominal GDP at fixed
    # exchange rates B's 40% inflation would raise its weight: (300 x 1.0506 x 3.6 + 100 x
    # 1.414 x 2.0) / (300 x 1.0506 + 100 x 1.414) = 1417.448 / 456.58 = 3.10449%.
    kw = {"uncertainty": NONE, "weights": [300.0, 100.0], "draws": 1_000}
    args = ([[7.56432], [1.414]], [200.0, 50.0], [[2.0], [1.0]], [[3.0], [40.0]], 3.5)
    res = _run(*args, **kw)
    group = 1303.6 / 407
    assert group == pytest.approx(3.20295, abs=1e-5)
    nominal = 1417.448 / 456.58
    assert nominal == pytest.approx(3.10449, abs=1e-5)
    assert res.group.median[0] == pytest.approx(group, abs=res.bin_width)
    assert res.group.mean[0] == pytest.approx(group, rel=1e-5)
    assert res.group.prob_meet[0] == 0.0
    # A at 3.6% meets 3.5%, B at 2.0% does not: one member meets it in every draw
    np.testing.assert_array_equal(res.group.members_meeting, [[0.0, 1.0, 0.0]])
    # a group target of 3.2 is met (it would not be at nominal weights), 3.21 is not
    assert nominal < 3.2 < group < 3.21
    assert _run(*args, group_target=3.2, **kw).group.prob_meet[0] == 1.0
    assert _run(*args, group_target=3.21, **kw).group.prob_meet[0] == 0.0
    # B at 1% inflation, spending 2.0% of 50 x 1.01 x 1.01 = 1.0201: the same group share
    calm = _run([[7.56432], [1.0201]], *args[1:3], [[3.0], [1.0]], 3.5, **kw)
    assert calm.group.mean[0] == pytest.approx(group, rel=1e-5)


def test_drawn_inflation_leaves_the_group_weights_alone():
    """Only inflation is uncertain: real GDP, hence each member's weight, is the same in every
    draw, so the group's mean share is the fixed-weight average of the members' mean shares
    (linearity of the mean; float sums only: 1e-9 relative). Weighted by nominal GDP the
    weights would move with the shares (a member with high inflation has a low share and a
    high weight) and the two would differ by about the variance of log GDP, ~1e-3 relative."""
    amounts, gdp, growth, inflation = _panel(n_c=3, n_y=3, share=3.5)
    amounts = amounts * np.array([0.8, 1.0, 1.3])[:, None]
    unc = Uncertainty(growth_sd=0.0, inflation_sd=3.0, rho=0.5, corr=0.0, source="test")
    res = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=unc, weights=gdp, draws=5_000)
    real = gdp[:, None] * np.cumprod(1 + growth / 100, axis=1)
    fixed = (real * res.mean).sum(axis=0) / real.sum(axis=0)
    np.testing.assert_allclose(res.group.mean, fixed, rtol=1e-9)
    assert (res.p95 - res.p05 > 0.1).all()  # the shares do move with the drawn inflation


# ---------------------------------------------------------------------------- reproducibility


def test_same_seed_same_full_model_result_whatever_the_chunks_and_workers():
    amounts, gdp, growth, inflation = _panel(n_c=3, n_y=4)
    kw = {"weights": gdp, "share_plan": [True, False, False], "draws": 13_000}
    ref = _run(amounts, gdp, growth, inflation, 3.5, workers=1, chunk_size=50_000, **kw)
    for chunk, workers in ((2_000, 2), (6_000, 3)):
        other = _run(amounts, gdp, growth, inflation, 3.5, workers=workers, chunk_size=chunk, **kw)
        for name in ("median", "p05", "p95", "mean", "prob_meet"):
            np.testing.assert_array_equal(getattr(ref, name), getattr(other, name))
            np.testing.assert_array_equal(getattr(ref.group, name), getattr(other.group, name))
        np.testing.assert_array_equal(ref.group.members_meeting, other.group.members_meeting)


def test_a_setting_at_zero_leaves_the_other_draws_alone():
    # common random numbers: turning the spending error on does not change the GDP draws,
    # so under a share plan (GDP does not matter) and a money plan alike the growth-only
    # part is the same; with spend_sd = 0 the spending stream is not even drawn
    amounts, gdp, growth, inflation = _panel(n_c=2, n_y=2)
    a = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=GROWTH_ONLY)
    b = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=GROWTH_ONLY, spend_sd=0.0)
    np.testing.assert_array_equal(a.prob_meet, b.prob_meet)
    c = _run(amounts, gdp, growth, inflation, 3.5, uncertainty=GROWTH_ONLY, spend_sd=1e-6)
    assert np.abs(a.prob_meet - c.prob_meet).max() <= 5 / DRAWS


# ---------------------------------------------------------------------------- input errors


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"spend_sd": -1.0}, r"spend_sd\[0\] is -1.0; .* between 0 and 100"),
        ({"spend_sd": [1.0, 2.0, 3.0]}, r"spend_sd has shape \(3,\) but there are 2 countries"),
        ({"spend_bias": -100.0}, r"spend_bias\[0\] is -100.0; .* must be > -100"),
        ({"spend_bias": float("nan")}, r"spend_bias contains NaN"),
        ({"share_plan": [1, 0]}, r"share_plan must be None, True/False or 2 True/False"),
        ({"share_plan": [True]}, r"share_plan must be"),
        ({"weights": [1.0, 0.0]}, r"weights must be 2 numbers > 0"),
        ({"weights": 5.0}, r"weights must be 2 numbers > 0"),
        ({"group_target": 3.5}, r"group_target was given without weights"),
        ({"weights": [1.0, 2.0], "group_target": 350.0}, r"group_target is 350.0"),
        ({"weights": [1.0, 2.0], "targets": [3.5, 2.0]}, r"the members' targets differ"),
    ],
)
def test_bad_model_options_raise_input_error(changes, message):
    args = {
        "amounts": [[4.0], [3.0]],
        "gdp_base": [100.0, 100.0],
        "growth": [[2.0], [2.0]],
        "inflation": [[2.0], [2.0]],
        "targets": 3.5,
    }
    kw = {"draws": 100, "seed": 1, "uncertainty": NONE}
    for key, value in changes.items():
        (args if key in args else kw)[key] = value
    with pytest.raises(InputError, match=message):
        simulate(**args, **kw)


def test_a_recession_that_could_wipe_out_gdp_is_refused():
    unc = dataclasses.replace(
        GROWTH_ONLY, growth_sd=9.0, recession_prob=0.1, recession_growth=-20.0
    )
    with pytest.raises(InputError, match=r"growth_sd = 9 percentage points .* too large"):
        _run([[4.0]], [100.0], [[1.0]], [[2.0]], 3.5, uncertainty=unc)


# ---------------------------------------------------------------------------- the generator


def test_the_kernel_normals_are_standard_normal():
    """The compiled ziggurat against the normal distribution: the empirical CDF at 13 points
    within 4 standard errors of a proportion, the variance within 4 se (sqrt(2 / n)), and the
    tail beyond the ziggurat's R = 3.654 (drawn by a separate path) at its rate."""
    from milex.montecarlo.kernel import ZIGGURAT, fill_normals

    n = 400_000
    z = np.empty(n)
    fill_normals(np.random.SeedSequence(5).generate_state(4, np.uint64), z, ZIGGURAT)
    for x in (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        p = _phi(x)
        assert abs((z <= x).mean() - p) < 4 * _se(p, n), x
    assert abs(z.mean()) < 4 / math.sqrt(n)
    assert abs(z.var() - 1.0) < 4 * math.sqrt(2 / n)
    r = 3.6541528853610088
    tail = 2 * (1 - _phi(r))  # 2.58e-4: ~103 of 400,000
    beyond = np.abs(z)[np.abs(z) > r]
    assert abs(beyond.size / n - tail) < 4 * _se(tail, n)
    # beyond R, a normal is a truncated normal: mean lam = phi(R) / (1 - Phi(R)) (the inverse
    # Mills ratio, 3.897), variance 1 + R lam - lam^2
    lam = math.exp(-r * r / 2) / math.sqrt(2 * math.pi) / (1 - _phi(r))
    sd = math.sqrt(1 + r * lam - lam**2)
    assert abs(beyond.mean() - lam) < 4 * sd / math.sqrt(beyond.size)
    # the same state gives the same numbers; the state advances
    state = np.random.SeedSequence(5).generate_state(4, np.uint64)
    again = np.empty(n)
    fill_normals(state, again, ZIGGURAT)
    np.testing.assert_array_equal(z, again)
    fill_normals(state, again, ZIGGURAT)
    assert not np.array_equal(z, again)


def test_a_recession_strikes_every_country_of_a_draw_at_once():
    """Two identical countries, no other uncertainty, a recession year with probability 1/2
    taking 10 points off growth. Share 1% of GDP without (amount 1, GDP 100, growth and
    inflation 0); 1 / 0.9 = 1.111% in a recession. A target of 1.05% is met only in a
    recession: both countries meet it or neither does, never one alone (if each drew its own
    recession, one alone would meet it in half the draws)."""
    u = dataclasses.replace(NONE, recession_prob=0.5, recession_growth=-10.0)
    res = simulate(
        [[1.0], [1.0]],
        [100.0, 100.0],
        [[0.0], [0.0]],
        [[0.0], [0.0]],
        [1.05, 1.05],
        draws=20_000,
        seed=3,
        uncertainty=u,
        weights=[1.0, 1.0],
    )
    none, one, both = res.group.members_meeting[0]
    assert one == 0.0
    # 4 standard errors of a proportion of 1/2 at 20,000 draws: 4 * sqrt(0.25 / 20000) = 0.014
    assert both == pytest.approx(0.5, abs=0.014) and none + both == pytest.approx(1.0)
    assert res.median.max() <= 100 / 90 + res.bin_width
