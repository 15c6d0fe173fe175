"""The probability of meeting a target: a country's plan judged under uncertainty (small draw
counts). Expected values: NATO's 2026-07 edition, the WEO April 2026, the pledge registry, hand
arithmetic, or tolerances of a proportion written out."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from statistics import NormalDist

import numpy as np
import pytest

import milex
from milex.montecarlo import load_uncertainty
from milex.montecarlo.uncertainty import SETTINGS
from milex.projection.calibration import spending_errors
from milex.projection.probability import SETTING_WORDS, probability
from milex.targets import resolve_target

from .test_cli import run
from .test_projection import DEU_2026_SHARE, DEU_2026_SPEND, WEO_2025, deu_gdp, deu_gdp_2026

DRAWS = 20_000
YEARS = (2027, 2028, 2029)
NONE = load_uncertainty("none")
# Germany's plan (test_plans): EUR 153 bn in 2029, linear in money from NATO's 2026 estimate
GERMANY = {y: DEU_2026_SPEND + (153_000 - DEU_2026_SPEND) * k / 3 for k, y in enumerate(YEARS, 1)}
GERMANY_SHARE = {y: 100 * GERMANY[y] / deu_gdp_2026(y) for y in YEARS}  # 2.7948 .. 2.9871


def simulate(store, target, by=2029, iso3="DEU", **options):
    options.setdefault("sensitivity", False)
    return probability(store, iso3, resolve_target(target, by), draws=DRAWS, seed=1, **options)


def gdp_only(**settings):
    """The default GDP uncertainty with spending drawn exactly as planned."""
    return replace(load_uncertainty("default"), spend_sd=0.0, spend_bias=0.0, **settings)


def four_se(*probabilities: float) -> float:
    """Four standard errors of the difference of proportions of DRAWS draws each (an upper
    bound: common random numbers only make the difference less noisy)."""
    return 4 * math.sqrt(sum(p * (1 - p) / DRAWS for p in probabilities))


def test_without_uncertainty_germanys_plan_is_its_hand_arithmetic(store):
    """EUR 153 bn in 2029 is 2.9871% of the central GDP: 3.5% missed for certain, 2.95% met in
    2029 only (2028: 2.8930% < 2.95%)."""
    for target, expected in ((3.5, [0.0, 0.0, 0.0]), (2.95, [0.0, 0.0, 1.0])):
        result = simulate(store, target, uncertainty=NONE)
        frame = result.df.set_index("year")
        assert frame["amount"].tolist() == pytest.approx([GERMANY[y] for y in YEARS])
        assert frame["planned_share"].tolist() == pytest.approx([GERMANY_SHARE[y] for y in YEARS])
        width = result.extra["resolution_pp"]
        assert np.allclose(frame["median"], frame["planned_share"], atol=width)
        assert frame["prob_meet"].tolist() == expected
    assert result.extra["spending_error"] == {
        "bias_pct": 0.0,
        "sd_pct": 0.0,
        "basis": "uncertainty",
        "n": None,
    }
    assert (result.extra["method"], result.extra["basis"]) == ("plan", "money")
    assert "EUR 153 bn" in result.extra["plan"] and result.query["method"] == "plan"
    assert result.extra["pledges"]["target_amount"].tolist() == [153.0]


def test_a_spending_bias_scales_spending(store):
    """No GDP uncertainty, spending 5% below plan every year: 2.9871 x 0.95 = 2.8378% in 2029,
    so 2.83% is met and 2.85% missed, for certain."""
    under = replace(NONE, spend_bias=-5.0)
    assert simulate(store, 2.83, uncertainty=under).extra["probability"] == 1.0
    assert simulate(store, 2.85, uncertainty=under).extra["probability"] == 0.0
    assert GERMANY_SHARE[2029] * 0.95 == pytest.approx(2.8378, abs=1e-4)


def test_a_spending_sd_alone_gives_the_normal_tail(store):
    """No GDP uncertainty, spending sd 7% of plan: the 2029 share is 2.9871 x (1 + 0.07 z), so
    P(share >= 3.0) = P(z >= (3.0 / 2.9871 - 1) / 0.07) = 1 - Phi(0.0617) = 0.4754, within four
    standard errors of a proportion of 20,000 draws (0.0141)."""
    expected = 1 - NormalDist().cdf((3.0 / GERMANY_SHARE[2029] - 1) / 0.07)
    assert expected == pytest.approx(0.4754, abs=1e-3)
    got = simulate(store, 3.0, uncertainty=replace(NONE, spend_sd=7.0)).extra["probability"]
    assert abs(got - expected) < four_se(expected)


def test_a_share_plan_moves_with_gdp(store):
    """As a share, Germany's plan is 3.5% in 2029 (linear in share from 2.6943%): whatever GDP
    does, with spending exactly as planned the share is 3.5%, so 3.4% is met and 3.6% missed for
    certain; as money, the same amounts are uncertain shares."""
    uncertain_gdp = gdp_only(growth_sd=3.0)
    met = simulate(store, 3.4, basis="share", uncertainty=uncertain_gdp)
    assert met.extra["basis"] == "share"
    shares = [DEU_2026_SHARE + (3.5 - DEU_2026_SHARE) * k / 3 for k in (1, 2, 3)]
    assert met.df["planned_share"].tolist() == pytest.approx(shares)
    assert met.df["mean"].tolist() == pytest.approx(shares, abs=1e-4)  # float32 draws
    assert met.extra["probability"] == 1.0
    missed = simulate(store, 3.6, basis="share", uncertainty=uncertain_gdp)
    assert missed.extra["probability"] == 0.0
    money = simulate(store, 3.4, basis="share", method="linear", uncertainty=uncertain_gdp)
    assert money.extra["probability"] == 1.0  # a share basis asked for a path too
    fixed = simulate(store, 3.4, method="linear", uncertainty=uncertain_gdp)
    assert fixed.extra["basis"] == "money" and 0.5 < fixed.extra["probability"] < 1.0


def test_probability_rises_with_the_amounts_and_falls_with_the_target(store):
    """Hand-built amounts (million EUR): the same plan scaled by 0.97, 1.00 and 1.03, and the
    same plan against 3.3%, 3.4% and 3.5% (common random numbers: the order is exact)."""
    plan = {2027: 150_000.0, 2028: 160_000.0, 2029: 175_000.0}  # 3.41% of 2029's central GDP
    scaled = [
        simulate(store, 3.4, amounts={y: a * k for y, a in plan.items()}).extra["probability"]
        for k in (0.97, 1.0, 1.03)
    ]
    assert scaled[0] < scaled[1] < scaled[2]
    assert scaled[2] - scaled[0] > four_se(scaled[0], scaled[2])
    targets = [simulate(store, t, amounts=plan).extra["probability"] for t in (3.3, 3.4, 3.5)]
    assert targets[0] > targets[1] > targets[2]
    assert targets[0] - targets[2] > four_se(targets[0], targets[2])


def test_wider_gdp_uncertainty_moves_the_probability_toward_even(store):
    """Germany's plan (2.99% in 2029) against 3.2% (unlikely) and 2.8% (likely): doubling
    growth_sd brings both toward 0.5 by more than four standard errors."""
    for target in (3.2, 2.8):
        narrow = simulate(store, target, uncertainty=gdp_only()).extra["probability"]
        wide = simulate(store, target, uncertainty=gdp_only(growth_sd=3.16)).extra["probability"]
        assert abs(wide - 0.5) < abs(narrow - 0.5) - four_se(narrow, wide), (target, narrow, wide)


def test_the_spending_error_is_calibrated_unless_given(store):
    """The default uncertainty leaves the spending error to the calibration from NATO's
    editions up to the run's; the uncertainty's numbers win when it gives them."""
    result = simulate(store, 3.5)
    bias, sd, basis = spending_errors(store, "2026-07").for_country("DEU")
    error = result.extra["spending_error"]
    assert (error["bias_pct"], error["sd_pct"], error["basis"]) == (bias, sd, basis)
    assert error["n"] > 0
    given = simulate(store, 3.5, uncertainty=replace(load_uncertainty("default"), spend_sd=3.0))
    assert given.extra["spending_error"]["sd_pct"] == 3.0
    assert given.extra["spending_error"]["bias_pct"] == bias
    assert result.extra["uncertainty"]["name"] == "default"


def test_the_drivers_say_what_moves_germanys_answer(store):
    """Germany's plan, EUR 153 bn in 2029, is 2.99% of GDP on the central forecast, 0.51 points
    below the 3.5% announced in the same row: first the two forms and both chances, then the
    gap (GDP would have to end 1 - 2.9871 / 3.5 = 15% below the forecast), the spending error
    and where it comes from (Germany has 2 estimate-actual pairs: the pooled sd, its own bias
    shrunk toward the pooled one), the growth drift of the default (0.125 x -3 = 0.375 points a
    year below the forecast) and the tornado's largest rows. Its base run is the probability
    (same draws, same seed)."""
    result = simulate(store, 3.5, sensitivity=True)
    drivers = result.extra["drivers"]
    other = result.extra["other_basis"]
    assert drivers[0].startswith(
        "Announced as 3.5% of GDP in 2029, or EUR 153 bn; on the IMF's central forecast 153 bn "
        "is 2.99% of GDP. As the money announced, the chance is "
    )
    assert drivers[0].endswith(f"it is {other['probability']:.0%} (--basis share).")
    assert drivers[1].startswith(
        "The plan reaches 2.99% of GDP in 2029 on the IMF's central forecast, 0.51 points below "
        "the 3.5% target"
    )
    assert "15% or more below the forecast" in drivers[1]
    errors = spending_errors(store, "2026-07")
    assert errors.pooled_n == 60 and round(errors.pooled_bias_pct, 1) == -1.4
    assert (
        "(the sd pooled over all allies (60 pairs in NATO's editions), the bias Germany's own "
        "record (2 pairs) shrunk toward the pooled -1.4%)" in drivers[2]
    )
    assert 0.125 * -3.0 == -0.375
    assert drivers[3].startswith(
        "On average the draws put growth 0.38 points a year below the IMF's forecast (a "
        "recession year in 8, -3 points; docs/uncertainty.md)"
    )
    table = result.extra["sensitivity"]
    assert table.attrs["base"] == result.extra["probability"]
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert "country_corr" not in set(table["setting"])  # one country: nothing to co-move with
    top = table["setting"].iloc[0]
    label = SETTING_WORDS[top][0]
    assert drivers[4].startswith(f"What moves the answer most: {label} ({top}) from")
    assert set(SETTING_WORDS) == set(SETTINGS)  # every setting can be told
    assert result.extra["probability"] < 0.2


def test_a_plan_announced_in_two_forms_that_disagree_is_run_on_both(store):
    """No GDP uncertainty, spending sd 7% of plan, the same 20,000 draws and seed for both
    runs. As money EUR 153 bn is 2.9871% of GDP: P(2.9871 (1 + 0.07 z) >= 3.5) = 1 -
    Phi((3.5 / 2.9871 - 1) / 0.07) = 1 - Phi(2.453) = 0.0071; as the 3.5% share announced with
    it: P(3.5 (1 + 0.07 z) >= 3.5) = 0.5. Each within four standard errors of a proportion."""
    result = simulate(store, 3.5, uncertainty=replace(NONE, spend_sd=7.0))
    money = 1 - NormalDist().cdf((3.5 / GERMANY_SHARE[2029] - 1) / 0.07)
    assert money == pytest.approx(0.0071, abs=1e-4)
    got = result.extra["probability"]
    other = result.extra["other_basis"]
    assert abs(got - money) < four_se(money)
    assert other["basis"] == "share" and other["planned_share"] == pytest.approx(3.5)
    assert abs(other["probability"] - 0.5) < four_se(0.5)
    assert result.extra["drivers"][0].endswith(
        f"the chance is {got:.1%}; if the 3.5% promise is kept as a share of whatever GDP turns "
        f"out, it is {other['probability']:.0%} (--basis share)."
    )
    # without uncertainty: 0 as money, and 1 as the share against 3.4%
    exact = simulate(store, 3.4, uncertainty=NONE).extra
    assert (exact["probability"], exact["other_basis"]["probability"]) == (0.0, 1.0)
    # a plan whose rows agree (the share plan, the AP row) has no other basis
    assert "other_basis" not in simulate(store, 3.5, basis="share", uncertainty=NONE).extra


def test_a_plan_that_lands_on_the_target_is_near_even(store):
    """As a share, Germany's plan is 3.5% in 2029, the target: no "0% or more" in words. As
    amounts, EUR 3.5% x GDP(2029) x 1.001 lands within half a percent of plan of 3.5%."""
    share = simulate(store, 3.5, basis="share", uncertainty=NONE).extra["drivers"]
    assert "near even" in share[0] and "0%" not in share[0]
    at = 3.5 / 100 * deu_gdp_2026(2029) * 1.001
    amounts = {2027: GERMANY[2027], 2028: GERMANY[2028], 2029: at}
    money = simulate(store, 3.5, amounts=amounts, uncertainty=NONE).extra["drivers"]
    assert "lands on the target on the central forecast" in money[0]
    assert "0% or more" not in money[0]
    above = simulate(store, 3.2, amounts=amounts, uncertainty=NONE).extra["drivers"]
    # 3.5035% against 3.2%: missed only if nominal GDP ends 3.5035 / 3.2 - 1 = 9% above
    assert "nominal GDP ends 9% or more above the forecast" in above[0]


def test_the_spending_error_and_growth_drift_say_where_they_come_from(store):
    """spend_sd set, the bias calibrated: each is named; no recession and no growth bias: no
    drift sentence; a growth bias of 0.2 and a recession year in 10 of -4 points: 0.2 + 0.4 =
    0.60 points a year below the forecast."""
    given = replace(load_uncertainty("default"), spend_sd=3.0)
    drivers = simulate(store, 3.5, uncertainty=given).extra["drivers"]
    assert (
        "(the sd as set, the bias Germany's own record (2 pairs) shrunk toward the pooled"
        in (drivers[2])
    )
    calm = simulate(store, 3.5, uncertainty=NONE).extra["drivers"]
    assert "(both as set in the uncertainty)" in calm[2]
    assert not any("On average the draws" in d for d in calm)
    drift = replace(NONE, growth_bias=0.2, recession_prob=0.1, recession_growth=-4.0)
    told = simulate(store, 3.5, uncertainty=drift).extra["drivers"]
    assert (
        "On average the draws put growth 0.60 points a year below the IMF's forecast (growth "
        "forecasts +0.2 points too high a year; a recession year in 10, -4 points; "
        "docs/uncertainty.md): -u no-recession or --set growth_bias=... to change it."
    ) in told


def test_notes_say_what_kind_of_plan_is_judged(store):
    """Poland has no usable plan for 3.5% by 2030: it holds 100 x 37,515 / 802,068 = 4.68%.
    A linear path lands on the target: about even odds by construction, and only there."""
    poland = simulate(store, 3.5, 2030, iso3="POL", uncertainty=NONE)
    assert poland.extra["method"] == "hold"
    assert poland.df["planned_share"].tolist() == pytest.approx([100 * 37515 / 802068] * 4)
    assert poland.df["prob_meet"].tolist() == [1.0] * 4
    assert any("4.68%" in n and "holds" in n for n in poland.notes)
    assert "no usable plan of Poland" in poland.extra["plan"]
    linear = simulate(store, 3.5, method="linear")
    assert any("even odds" in n for n in linear.notes)
    plan = simulate(store, 3.5)
    assert not any("even odds" in n for n in plan.notes + poland.notes)
    assert plan.notes[0].startswith("Judged: Germany's plan: EUR 153 bn in 2029")


def test_fixed_amounts_are_shares_of_projected_gdp(store):
    """Germany's EUR 140, 145 and 160 bn in 2027-2029 against GDP grown from NATO's 2026
    figure with the WEO April 2025 (EUR 4,793,419 m, 4,955,430 m and 5,111,104 m, see
    deu_gdp): 2.9207%, 2.9261% and 3.1304% of GDP. With no uncertainty the probability of 3%
    is 0 in 2027 and 2028 and 1 in 2029."""
    amounts = {2027: 140_000, 2028: 145_000, 2029: 160_000}
    shares = [100 * amounts[y] / deu_gdp(y) for y in YEARS]
    assert shares == pytest.approx([2.9207, 2.9261, 3.1304], abs=1e-4)
    result = simulate(store, 3.0, amounts=amounts, uncertainty=NONE, weo_vintage=WEO_2025)
    sim = result.df.set_index("year")
    assert sim["amount"].tolist() == [140_000, 145_000, 160_000]
    assert sim["planned_share"].tolist() == pytest.approx(shares)
    assert sim["median"].tolist() == pytest.approx(shares, abs=result.extra["resolution_pp"])
    assert sim["prob_meet"].tolist() == [0.0, 0.0, 1.0]
    assert result.query["weo_vintage"] == WEO_2025 and result.query["method"] == "amounts"
    assert result.units["amount"] == "EUR million current"


def test_simulate_options_reach_the_plan(store):
    """A base year, a guideline with its scope caveat, growth after the WEO horizon: each
    reaches the plan. Germany from 2025 to 3.5% by 2029 (its 2029 plan of EUR 153 bn); The
    Hague's 5% (total scope) by 2035; 3% real growth and 2% inflation after 2031 make GDP, and
    so a linear plan's amounts, grow by the share's step times 1.03 x 1.02 from 2032 to 2033."""
    early = simulate(store, 3.5, base_year=2025, uncertainty=NONE)
    assert early.df["year"].tolist() == [2026, 2027, 2028, 2029]
    assert early.df["amount"].iloc[-1] == 153_000
    assert early.query["base_year"] == 2025 and early.extra["base"].year == 2025
    assert early.units["prob_meet"] == "probability (0-1)"
    assert early.units["median"] == "percent of GDP"
    hague = probability(store, "DEU", resolve_target("hague-5"), draws=1_000, seed=1)
    assert (hague.query["target"], hague.query["by"]) == (5.0, 2035)
    assert any("1.5" in c for c in hague.caveats) and early.caveats == []
    plan = simulate(
        store,
        3.5,
        2033,
        method="linear",
        uncertainty=NONE,
        growth_after=3.0,
        inflation_after=2.0,
    ).df.set_index("year")
    share = {y: DEU_2026_SHARE + (3.5 - DEU_2026_SHARE) * (y - 2026) / 7 for y in (2032, 2033)}
    assert plan.loc[2033, "amount"] / plan.loc[2032, "amount"] == pytest.approx(
        share[2033] / share[2032] * 1.03 * 1.02
    )


def test_amounts_must_cover_every_year(store):
    with pytest.raises(
        milex.InputError,
        match=r"amounts missing for 2028, 2029: give million EUR for every year 2027-2029",
    ):
        simulate(store, 3.5, amounts={2027: 1e5})
    with pytest.raises(
        milex.InputError,
        match=r"amounts for 2028 are not a non-negative number: .* e\.g\. 2027=150000",
    ):
        simulate(store, 3.5, amounts={2027: 1e5, 2028: -1.0, 2029: 1e5})
    # nothing at all in a year is a plan too: 0% of GDP that year
    zero = simulate(store, 3.5, amounts={2027: 0, 2028: 0.0, 2029: 1e5}, uncertainty=NONE)
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
    assert {"nato", "weo"} <= {s["source"] for s in doc["sources"]}


def test_simulate_cli_table_matches_the_api(capsys, store):
    code, out, _ = run(
        capsys, "simulate", "Duitsland", "--by", "2029", "--draws", "5000", "--seed", "1"
    )
    expected = milex.simulate("DEU", 3.5, 2029, draws=5000, seed=1, store=store)
    assert code == 0
    probability = expected.extra["probability"]
    # a probability under 10% is shown to one decimal (3.6%, not a rounded 4%)
    assert 0.001 < probability < 0.1
    assert f"Probability of at least 3.5% of GDP in 2029: {probability:.1%}" in out
    last = expected.df.iloc[-1]
    assert f"{last['p05']:.2f}-{last['p95']:.2f}" in out


def test_an_edition_with_no_later_actuals_draws_spending_as_planned_and_says_so(store):
    """NATO's June 2024 edition is the oldest held: none of its estimates has a later actual
    figure up to it, so no spending error can be calibrated; spending is drawn as planned and
    the notes and drivers say why."""
    old = simulate(store, 3.5, iso3="POL", vintage="2024-06")
    error = old.extra["spending_error"]
    assert (error["bias_pct"], error["sd_pct"], error["basis"], error["n"]) == (0.0, 0.0, "none", 0)
    assert any("cannot be calibrated" in n and "drawn as planned" in n for n in old.notes)
    assert "no estimate-actual pair in NATO's editions up to 2024-06" in old.extra["drivers"][1]
