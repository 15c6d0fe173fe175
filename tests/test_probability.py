"""The probability of meeting a target, through the API and the CLI (small draw counts)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import milex

from .test_cli import run


def test_zero_variance_median_is_the_deterministic_path(store):
    path = milex.path("DEU", 3.5, 2029, store=store).set_index("year")
    sim = milex.simulate("DEU", 3.5, 2029, draws=5_000, seed=3, uncertainty="none", store=store)
    sim = sim.set_index("year")
    resolution = sim.attrs["resolution_pp"]
    assert np.allclose(sim["median"], path.loc[2027:, "share_gdp"], atol=resolution)
    assert np.allclose(sim["planned_share"], path.loc[2027:, "share_gdp"])
    # the linear plan is below 3.5% before 2029 and lands on it in 2029 (floating point aside)
    assert sim.loc[2027, "prob_meet"] == 0 and sim.loc[2028, "prob_meet"] == 0


def test_uncertain_plan_spreads_and_is_reproducible(store):
    one = milex.simulate("POL", 5.0, 2030, draws=20_000, seed=7, store=store)
    two = milex.simulate("POL", 5.0, 2030, draws=20_000, seed=7, store=store)
    assert one.equals(two)
    assert (one["p05"] < one["median"]).all() and (one["median"] < one["p95"]).all()
    widths = (one["p95"] - one["p05"]).to_numpy()
    assert (np.diff(widths) > 0).all()  # the band widens with the horizon
    assert 0.3 < one.attrs["probability"] < 0.7  # a plan on the target path: about even odds


def test_higher_fixed_amounts_raise_the_probability(store):
    path = milex.path("DEU", 3.5, 2029, store=store).set_index("year")
    low = {y: path.loc[y, "spend_current"] * 0.97 for y in (2027, 2028, 2029)}
    high = {y: path.loc[y, "spend_current"] * 1.03 for y in (2027, 2028, 2029)}
    p_low = milex.simulate("DEU", 3.5, 2029, draws=20_000, seed=1, amounts=low, store=store)
    p_high = milex.simulate("DEU", 3.5, 2029, draws=20_000, seed=1, amounts=high, store=store)
    assert p_low.attrs["probability"] < 0.5 < p_high.attrs["probability"]
    assert (p_high["prob_meet"] >= p_low["prob_meet"]).all()


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
    assert [r["year"] for r in doc["rows"]] == [2027, 2028, 2029]
    assert doc["probability"] == pytest.approx(doc["rows"][-1]["prob_meet"])
    assert {s["source"] for s in doc["sources"]} == {"nato", "weo"}


def test_simulate_cli_table_matches_the_api(capsys, store):
    code, out, _ = run(
        capsys, "simulate", "Duitsland", "--by", "2029", "--draws", "5000", "--seed", "1"
    )
    expected = milex.simulate("DEU", 3.5, 2029, draws=5000, seed=1, store=store)
    assert code == 0
    assert (
        f"Probability of at least 3.5% of GDP in 2029: {expected.attrs['probability']:.0%}" in out
    )
    last = expected.iloc[-1]
    assert f"{last['p05']:.2f}-{last['p95']:.2f}" in out
