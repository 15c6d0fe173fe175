"""A group's chance of meeting a target on its GDP-weighted share, and how many members meet it
(small draw counts; expected values from hand arithmetic and published NATO aggregates)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from milex.errors import InputError
from milex.montecarlo import load_uncertainty
from milex.montecarlo.uncertainty import SETTINGS
from milex.projection.group_probability import (
    count_band,
    group_probability,
    prepare_group,
    weighting,
)
from milex.projection.outlook import fetch
from milex.projection.plans import plan_for
from milex.targets import resolve_target

DRAWS = 20_000
#: The Nordic allies with figures: Iceland has none (no armed forces).
NORDICS = ["DNK", "FIN", "NOR", "SWE"]


def _spend(u, bias=0.0, sd=0.0):
    """``u`` with a spending error given (no calibration): bias and sd in percent."""
    return replace(u, spend_bias=bias, spend_sd=sd)


def test_without_uncertainty_the_group_share_is_the_weighted_share_of_the_plans(store):
    """Nordics, linear plans to 3.5% by 2030 (each member below 3.5% lands on it; none is
    above): the group's share is the members' planned shares (spending / GDP) weighted by real
    GDP, NATO's GDP at 2021 prices and exchange rates times the WEO's real growth since 2026,
    computed here from the plans; met only in 2030, by all four members."""
    target = resolve_target(3.5, 2030)
    result = group_probability(
        store,
        "nordics",
        target,
        draws=1_000,
        seed=1,
        method="linear",
        uncertainty="none",
        sensitivity=False,
    )
    inputs = fetch(store, NORDICS)
    plans = [plan_for(store, inputs, code, target, "linear", base_year=2026) for code in NORDICS]
    const = np.array([plan.base.gdp_usd_const for plan in plans])
    growth = np.array([plan.table["gdp_real_growth"].to_numpy()[1:] for plan in plans])
    real = const[:, None] * np.cumprod(1 + growth / 100, axis=1)
    shares = 100 * np.array(
        [plan.amounts / plan.table["gdp_current"].to_numpy()[1:] for plan in plans]
    )
    hand = (real * shares).sum(axis=0) / real.sum(axis=0)
    frame = result.df
    assert frame["year"].tolist() == [2027, 2028, 2029, 2030]
    assert np.allclose(frame["planned_share"], hand, rtol=1e-12)
    resolution = result.extra["resolution_pp"]
    assert np.allclose(frame["median"], hand, atol=resolution)
    assert np.allclose(frame["mean"], hand, rtol=1e-5)
    assert frame["prob_meet"].tolist() == [0.0, 0.0, 0.0, 1.0]
    assert result.extra["probability"] == 1.0
    meeting = result.extra["members_meeting"].query("year == 2030")
    assert meeting["members"].tolist() == [0, 1, 2, 3, 4]
    assert meeting["probability"].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert result.extra["expected_members"] == 4.0
    assert result.extra["members_band"] == [4, 4]
    assert f"group to {hand[-1]:.2f}% of GDP in 2030" in result.extra["drivers"][0]
    before = result.extra["members_meeting"].query("year == 2027")
    assert before["probability"].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]  # all below 3.5%


def test_iceland_is_named_not_silently_dropped(store):
    result = group_probability(
        store,
        "nordics",
        resolve_target(3.5, 2030),
        draws=1_000,
        seed=1,
        method="hold",
        uncertainty="none",
        sensitivity=False,
    )
    assert result.extra["members"] == NORDICS
    assert list(result.extra["missing"]) == ["ISL"]
    assert "Iceland" in result.extra["missing"]["ISL"]
    assert any("Left out" in note and "ISL" in note for note in result.notes)
    assert result.extra["member_table"]["iso3"].tolist() == NORDICS
    assert result.extra["members_meeting"].groupby("year").size().tolist() == [5] * 4


def _poisson_binomial(p: np.ndarray) -> np.ndarray:
    """P(exactly m successes), m = 0..len(p), of independent trials with probabilities p."""
    out = np.array([1.0])
    for q in p:
        out = np.convolve(out, [1 - q, q])
    return out


def _members_run(store, country_corr: float):
    """Nordics on linear plans to 3.5% by 2030 (every member lands on it: interior odds), no
    recession (it is common to all members, so it would tie them), no spending error."""
    u = replace(_spend(load_uncertainty()), country_corr=country_corr, recession_prob=0.0)
    prepared = prepare_group(
        store, "nordics", resolve_target(3.5, 2030), method="linear", uncertainty=u
    )
    return prepared.simulate(u, DRAWS, seed=11)


def test_uncorrelated_members_meet_their_targets_independently(store):
    """With country_corr = 0 the count of members meeting 3.5% in 2030 is Poisson-binomial in
    the members' own probabilities. Tolerance per count m: 4 standard errors of the observed
    frequency, sqrt(P(1 - P) / N), plus 4 times the error the estimated member probabilities
    carry into the Poisson-binomial (linear propagation: sum over members of
    |dP_m / dp_c| * sqrt(p_c (1 - p_c) / N), dP_m / dp_c = P_others(m - 1) - P_others(m))."""
    result = _members_run(store, 0.0)
    p = result.prob_meet[:, -1]
    assert ((p > 0.2) & (p < 0.8)).all()  # a test of the count needs interior odds
    observed = result.group.members_meeting[-1]
    expected = _poisson_binomial(p)
    se_freq = np.sqrt(expected * (1 - expected) / DRAWS)
    se_p = np.sqrt(p * (1 - p) / DRAWS)
    spread = np.zeros_like(expected)
    for c in range(len(p)):
        others = np.concatenate([_poisson_binomial(np.delete(p, c)), [0.0]])
        slope = np.abs(np.concatenate([[0.0], others[:-1]]) - others)
        spread += slope * se_p[c]
    tolerance = 4 * se_freq + 4 * spread
    assert np.all(np.abs(observed - expected) <= tolerance), (observed, expected, tolerance)
    # the same check has the power to see a common shock: at 0.9 the counts are far off
    tied = _members_run(store, 0.9)
    gap = np.abs(tied.group.members_meeting[-1] - _poisson_binomial(tied.prob_meet[:, -1]))
    assert gap.max() > 5 * tolerance.max()


def test_a_common_shock_widens_the_count_of_members_meeting(store):
    """The variance of the number of members meeting the target grows with country_corr; the
    margin is 4 standard errors of a sample variance, sqrt((mu4 - var**2) / N), of each."""
    counts = np.arange(5)

    def moments(probability):
        mean = probability @ counts
        var = probability @ (counts - mean) ** 2
        mu4 = probability @ (counts - mean) ** 4
        return var, np.sqrt((mu4 - var**2) / DRAWS)

    var0, se0 = moments(_members_run(store, 0.0).group.members_meeting[-1])
    var9, se9 = moments(_members_run(store, 0.9).group.members_meeting[-1])
    assert var9 > var0 + 4 * (se0 + se9), (var0, var9)


def test_the_probability_falls_with_the_target(store):
    """Plans that hold each member's share do not depend on the target; with the same seed the
    group's share is the same draw by draw, so the chance of meeting a higher target is lower
    (strictly across this range: the Nordics' share is about 3%)."""
    u = _spend(load_uncertainty("default"), bias=-1.0, sd=3.0)
    odds = [
        group_probability(
            store,
            "nordics",
            resolve_target(share, 2030),
            draws=DRAWS,
            seed=5,
            method="hold",
            uncertainty=u,
            sensitivity=False,
        ).extra["probability"]
        for share in (2.8, 3.0, 3.2, 3.4)
    ]
    assert odds[0] > odds[1] > odds[2] > odds[3], odds
    assert odds[0] > 0.9 and odds[-1] < 0.1


@pytest.mark.parametrize(
    ("group", "published"),
    # NATO's 2026-07 edition, share_gdp of 2026 (nato_2026-07.csv): NATO_EUROPE_CANADA 2.53,
    # NATO_TOTAL 2.86
    [("europe-canada", 2.53), ("nato", 2.86)],
)
def test_base_year_share_is_natos_published_aggregate(store, group, published):
    """Weighted by GDP at 2021 prices and exchange rates, as NATO weights its aggregates, the
    base-year share rounds to NATO's published two decimals (half a hundredth, plus float
    noise). Weighted by GDP at current prices and 2026 exchange rates it would not round to
    it for Europe and Canada (2.55: relative prices and exchange rates moved since 2021)."""
    prepared = prepare_group(store, group, resolve_target(3.5, 2035), uncertainty="none")
    shares = weighting(prepared)
    assert (shares["base_year"], shares["target_year"]) == (2026, 2035)
    assert shares["base_published"] == published
    assert abs(shares["base_share"] - published) <= 0.005 + 1e-9
    assert shares["base_difference_pp"] == pytest.approx(shares["base_share"] - published)
    if group == "europe-canada":
        assert abs(shares["base_current_usd"] - published) > 0.005


def test_inflation_does_not_move_a_members_weight(store):
    """By 2035 at fixed 2026 exchange rates Türkiye's GDP would grow with its double-digit WEO
    inflation, more than doubling its part of Europe and Canada's GDP; weighted by real GDP its
    part moves only with its real growth relative to the others' (within a third of its 2026
    part over nine years)."""
    prepared = prepare_group(store, "europe-canada", resolve_target(3.5, 2035), uncertainty="none")
    shares = weighting(prepared)
    assert shares["drift_iso3"] == "TUR"
    assert shares["drift_current_usd"] > 2 * shares["drift_base"]
    assert abs(shares["drift_target"] - shares["drift_base"]) < shares["drift_base"] / 3
    assert shares["target_difference_pp"] == pytest.approx(
        shares["target_current_usd"] - shares["target_share"]
    )


def test_a_group_without_a_nato_aggregate_says_so(store):
    prepared = prepare_group(store, "baltics", resolve_target(3.5, 2030), uncertainty="none")
    shares = weighting(prepared)
    assert shares["base_published"] is None and shares["base_difference_pp"] is None


def test_the_runner_scales_every_members_spending_error_alike(store):
    """``run`` at ``resolved()`` is the run of each member's own errors; doubling the sd
    doubles every member's, shifting the bias shifts every member's by the same points."""
    prepared = prepare_group(
        store,
        "baltics",
        resolve_target(5.0, 2030),
        method="hold",
        uncertainty=_spend(load_uncertainty()),
    )
    prepared = replace(
        prepared, spend_bias=np.array([-1.0, 0.0, 2.0]), spend_sd=np.array([1.0, 2.0, 4.0])
    )
    base = prepared.resolved()
    weights = prepared.weights / prepared.weights.sum()
    assert base.spend_sd == pytest.approx(weights @ [1.0, 2.0, 4.0])
    bias, sd = prepared.member_errors(replace(base, spend_sd=2 * base.spend_sd))
    assert np.allclose(sd, [2.0, 4.0, 8.0]) and np.allclose(bias, [-1.0, 0.0, 2.0])
    bias, sd = prepared.member_errors(replace(base, spend_bias=base.spend_bias - 0.5))
    assert np.allclose(bias, [-1.5, -0.5, 1.5]) and np.allclose(sd, [1.0, 2.0, 4.0])
    own = prepared.simulate(None, DRAWS, seed=2).group.prob_meet[-1]
    assert prepared.run(base, DRAWS, seed=2) == pytest.approx(own, abs=1 / DRAWS)


def test_bad_groups_and_methods_are_refused_clearly(store):
    with pytest.raises(InputError, match=r"unknown group 'nordic'.*nordics"):
        prepare_group(store, "nordic", resolve_target(3.5, 2030))
    with pytest.raises(InputError, match="unknown method 'flat'"):
        prepare_group(store, "baltics", resolve_target(3.5, 2030), method="flat")


def test_a_group_result_says_what_it_weighs_and_who_meets(store):
    result = group_probability(
        store,
        "baltics",
        resolve_target("hague-3.5"),
        draws=DRAWS,
        seed=3,
        uncertainty=_spend(load_uncertainty("default"), -1.0, 3.0),
        sensitivity=False,
    )
    assert result.kind == "simulate" and result.query["group"] == "baltics"
    assert result.df["year"].tolist() == list(range(2027, 2036))
    assert "weighted by real GDP: GDP at 2021 prices" in result.units["median"]
    assert any(
        "weights members by real GDP" in note and "NATO publishes no aggregate" in note
        for note in result.notes
    )
    table = result.extra["member_table"]
    assert table["iso3"].tolist() == ["EST", "LTU", "LVA"]
    count = result.extra["members_meeting"].query("year == 2035")["probability"].to_numpy()
    assert count.sum() == pytest.approx(1.0)
    # the expected count is the sum of the members' own probabilities (linearity of the mean)
    assert result.extra["expected_members"] == pytest.approx(table["prob_meet"].sum())


def test_the_sensitivity_table_starts_from_the_run_it_explains(store):
    """The tornado's base run is the headline run (each member's own spending errors, the same
    draws and seed), and it has one row per setting of the uncertainty."""
    result = group_probability(
        store,
        "nordics",
        resolve_target(3.2, 2030),
        draws=DRAWS,
        seed=4,
        method="hold",
        uncertainty="default",
    )
    table = result.extra["sensitivity"]
    assert 0.05 < result.extra["probability"] < 0.95  # interior: the settings can move it
    assert table.attrs["base"] == result.extra["probability"]
    assert set(table["setting"]) == set(SETTINGS)


def test_the_band_of_the_count_is_its_5th_and_95th_percentile():
    """Cumulative probabilities 0.02, 0.05, 0.55, 0.95, 1: 0.05 is reached at one member, 0.95
    at three; a 0.949 at three would move the top to four."""
    assert count_band(np.array([0.02, 0.03, 0.5, 0.4, 0.05])) == [1, 3]
    assert count_band(np.array([0.02, 0.03, 0.5, 0.399, 0.051])) == [1, 4]
    assert count_band(np.array([0.0, 0.0, 1.0])) == [2, 2]


def test_a_groups_drivers_say_how_far_the_draws_put_growth_below_the_forecast(store):
    # default: a recession year in 8 (recession_prob 0.125) taking 3 points: 0.125 * 3 = 0.375
    result = group_probability(
        store,
        "baltics",
        resolve_target("hague-3.5", 2030),
        draws=2_000,
        seed=1,
        sensitivity=False,
    )
    assert any(
        "growth 0.38 points a year below the IMF's forecast" in d for d in result.extra["drivers"]
    )
    calm = group_probability(
        store,
        "baltics",
        resolve_target("hague-3.5", 2030),
        draws=2_000,
        seed=1,
        sensitivity=False,
        uncertainty="no-recession",
    )
    assert not any("points a year below" in d for d in calm.extra["drivers"])
