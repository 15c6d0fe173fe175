"""The probability of meeting a target, through the API and the CLI (small draw counts)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import milex
from milex.montecarlo import load_uncertainty
from milex.projection.probability import probability
from milex.targets import resolve_target

from .test_cli import run
from .test_projection import DEU_2026_SHARE, WEO_2025, deu_gdp


def test_zero_variance_median_is_the_deterministic_path(store):
    path = milex.path("DEU", 3.5, 2029, store=store).df.set_index("year")
    result = milex.simulate("DEU", 3.5, 2029, draws=5_000, seed=3, uncertainty="none", store=store)
    sim = result.df.set_index("year")
    resolution = result.extra["resolution_pp"]
    assert resolution == 0.001
    assert np.allclose(sim["median"], path.loc[2027:, "share_gdp"], atol=resolution)
    assert np.allclose(sim["planned_share"], path.loc[2027:, "share_gdp"])
    # the linear plan is below 3.5% before 2029 and lands on it in 2029: met for certain
    assert sim["prob_meet"].tolist() == [0.0, 0.0, 1.0]
    assert result.extra["probability"] == 1.0


@pytest.mark.parametrize("iso3", ["ITA", "DEU", "ESP", "BEL"])
@pytest.mark.parametrize("target", [3.5, 5.0])
def test_a_plan_landing_on_the_target_meets_it_without_uncertainty(store, iso3, target):
    """With no uncertainty a path that lands exactly on the target meets it (probability 1 in
    the target year; it was 0 for Italy at 3.5% because float32 shares fell a hair short), and
    a target a hundredth of a point (or a thousandth) above the path's end is missed."""
    for by in (2029, 2031, 2033, 2035):
        sim = milex.simulate(iso3, target, by, draws=1_000, seed=1, uncertainty="none", store=store)
        assert sim.df["prob_meet"].iloc[-1] == 1.0, (iso3, target, by)
        assert sim.extra["probability"] == 1.0
        assert (sim.df["prob_meet"].iloc[:-1] == 0.0).all()  # below the target before
    plan = milex.path(iso3, target, 2031, store=store).df.set_index("year")["spend_current"]
    amounts = {year: plan[year] for year in range(2027, 2032)}
    for above in (0.01, 0.001):
        sim = milex.simulate(
            iso3,
            target + above,
            2031,
            draws=1_000,
            seed=1,
            amounts=amounts,
            uncertainty="none",
            store=store,
        )
        assert sim.df["planned_share"].iloc[-1] == pytest.approx(target)
        assert sim.extra["probability"] == 0.0, (iso3, target, above)


def test_uncertain_plan_spreads_and_is_reproducible(store):
    one = milex.simulate("POL", 5.0, 2030, draws=20_000, seed=7, store=store)
    two = milex.simulate("POL", 5.0, 2030, draws=20_000, seed=7, store=store)
    assert one.df.equals(two.df)
    assert (one["p05"] < one["median"]).all() and (one["median"] < one["p95"]).all()
    widths = (one["p95"] - one["p05"]).to_numpy()
    assert (np.diff(widths) > 0).all()  # the band widens with the horizon
    assert 0.3 < one.extra["probability"] < 0.7  # a plan on the target path: about even odds
    assert one.query["seed"] == 7 and one.extra["draws"] == 20_000


def test_a_path_plan_says_it_has_even_odds_and_that_amounts_can_be_given(store):
    path_plan = milex.simulate("DEU", 3.5, 2029, draws=1_000, seed=1, store=store)
    assert any("even odds" in n and "amounts" in n for n in path_plan.notes)
    amounts = {2027: 140_000, 2028: 150_000, 2029: 160_000}
    own = milex.simulate("DEU", 3.5, 2029, draws=1_000, seed=1, amounts=amounts, store=store)
    assert not any("even odds" in n for n in own.notes)
    assert own.query["method"] == "amounts"


def test_an_ally_above_the_target_is_simulated_holding_its_share(store):
    """Poland 2026: 100 x 37,515 / 802,068 = 4.6773% of GDP, above 3.5%: the plan holds that
    share, which meets 3.5% every year when nothing is uncertain, and the note says so rather
    than promising even odds."""
    share = 100 * 37515 / 802068
    result = milex.simulate("POL", 3.5, 2030, draws=1_000, seed=1, uncertainty="none", store=store)
    assert result.df["planned_share"].tolist() == pytest.approx([share] * 4)
    assert result.df["prob_meet"].tolist() == [1.0] * 4
    assert not any("even odds" in n for n in result.notes)
    assert any("4.68%" in n and "holds" in n and "amounts" in n for n in result.notes)


def test_simulate_options_reach_the_plan(store):
    """A base year, a guideline with its scope caveat, growth after the WEO horizon: each
    reaches the plan. Germany from 2025 (NATO 2026-07 edition) to 3.5% by 2029; The Hague's
    5% (total scope) by 2035; 3% real growth and 2% inflation after 2031 make GDP, and so a
    linear plan's amounts, grow by the share's step times 1.03 x 1.02 from 2032 to 2033."""
    early = milex.simulate(
        "DEU", 3.5, 2029, draws=1_000, seed=1, base_year=2025, uncertainty="none", store=store
    )
    assert early.df["year"].tolist() == [2026, 2027, 2028, 2029]
    assert early.query["base_year"] == 2025 and early.extra["base"].year == 2025
    assert early.query["method"] == "linear"
    assert early.units["prob_meet"] == "probability (0-1)"
    assert early.units["median"] == "percent of GDP"
    assert early.units["amount"] == "EUR million current"
    hague = milex.simulate("DEU", "hague-5", draws=1_000, seed=1, store=store)
    assert (hague.query["target"], hague.query["by"]) == (5.0, 2035)
    assert any("1.5" in c for c in hague.caveats)
    assert early.caveats == []
    plan = probability(
        store,
        "DEU",
        resolve_target(3.5, 2033),
        draws=1_000,
        seed=1,
        uncertainty=load_uncertainty("none"),
        growth_after=3.0,
        inflation_after=2.0,
    ).df.set_index("year")
    share = {y: DEU_2026_SHARE + (3.5 - DEU_2026_SHARE) * (y - 2026) / 7 for y in (2032, 2033)}
    assert plan.loc[2033, "amount"] / plan.loc[2032, "amount"] == pytest.approx(
        share[2033] / share[2032] * 1.03 * 1.02
    )


def test_fixed_amounts_are_shares_of_projected_gdp(store):
    """Germany's EUR 140, 145 and 160 bn in 2027-2029 against GDP grown from NATO's 2026
    figure with the WEO April 2025 (EUR 4,793,419 m, 4,955,430 m and 5,111,104 m, see
    deu_gdp): 2.9207%, 2.9261% and 3.1304% of GDP. With no uncertainty the probability of 3%
    is 0 in 2027 and 2028 and 1 in 2029."""
    amounts = {2027: 140_000, 2028: 145_000, 2029: 160_000}
    shares = [100 * amounts[y] / deu_gdp(y) for y in (2027, 2028, 2029)]
    assert shares == pytest.approx([2.9207, 2.9261, 3.1304], abs=1e-4)
    result = milex.simulate(
        "DEU",
        3.0,
        2029,
        draws=1_000,
        seed=2,
        amounts=amounts,
        uncertainty="none",
        weo_vintage=WEO_2025,
        store=store,
    )
    sim = result.df.set_index("year")
    assert sim["amount"].tolist() == [140_000, 145_000, 160_000]
    assert sim["planned_share"].tolist() == pytest.approx(shares)
    assert sim["median"].tolist() == pytest.approx(shares, abs=result.extra["resolution_pp"])
    assert sim["prob_meet"].tolist() == [0.0, 0.0, 1.0]
    assert result.query["weo_vintage"] == WEO_2025
    assert result.units["amount"] == "EUR million current"


def test_higher_fixed_amounts_raise_the_probability(store):
    path = milex.path("DEU", 3.5, 2029, store=store).df.set_index("year")
    low = {y: path.loc[y, "spend_current"] * 0.97 for y in (2027, 2028, 2029)}
    high = {y: path.loc[y, "spend_current"] * 1.03 for y in (2027, 2028, 2029)}
    p_low = milex.simulate("DEU", 3.5, 2029, draws=20_000, seed=1, amounts=low, store=store)
    p_high = milex.simulate("DEU", 3.5, 2029, draws=20_000, seed=1, amounts=high, store=store)
    assert p_low.extra["probability"] < 0.5 < p_high.extra["probability"]
    assert (p_high["prob_meet"] >= p_low["prob_meet"]).all()


def test_amounts_must_cover_every_year(store):
    with pytest.raises(
        milex.InputError,
        match=r"amounts missing for 2028, 2029: give million EUR for every year 2027-2029",
    ):
        milex.simulate("DEU", 3.5, 2029, draws=1_000, amounts={2027: 1e5}, store=store)
    with pytest.raises(
        milex.InputError,
        match=r"amounts for 2028 are not a non-negative number: .* e\.g\. 2027=150000",
    ):
        milex.simulate(
            "DEU",
            3.5,
            2029,
            draws=1_000,
            amounts={2027: 1e5, 2028: -1.0, 2029: 1e5},
            store=store,
        )
    # nothing at all in a year is a plan too: 0% of GDP that year
    zero = milex.simulate(
        "DEU",
        3.5,
        2029,
        draws=1_000,
        amounts={2027: 0, 2028: 0.0, 2029: 1e5},
        uncertainty="none",
        store=store,
    )
    assert zero.df["planned_share"].tolist()[:2] == [0.0, 0.0]
    assert zero.df["prob_meet"].tolist() == [0.0, 0.0, 0.0]


def test_simulate_cli_json(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "DEU",
        "--target",
        "3.5",
        "--by",
        "2029",
        "--draws",
        "10000",
        "--seed",
        "5",
        "--format",
        "json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "milex.simulate.v1"
    assert doc["seed"] == 5 and doc["draws"] == 10000
    assert doc["query"]["weo_vintage"] == "2026-04"
    assert [r["year"] for r in doc["rows"]] == [2027, 2028, 2029]
    assert doc["probability"] == pytest.approx(doc["rows"][-1]["prob_meet"])
    assert {s["source"] for s in doc["sources"]} == {"nato", "weo"}


def test_simulate_cli_table_matches_the_api(capsys, store):
    code, out, _ = run(
        capsys, "simulate", "Duitsland", "--by", "2029", "--draws", "5000", "--seed", "1"
    )
    expected = milex.simulate("DEU", 3.5, 2029, draws=5000, seed=1, store=store)
    assert code == 0
    probability = expected.extra["probability"]
    assert f"Probability of at least 3.5% of GDP in 2029: {probability:.0%}" in out
    last = expected.df.iloc[-1]
    assert f"{last['p05']:.2f}-{last['p95']:.2f}" in out
