"""The backtest: band coverage where the truth is known (outcomes drawn from the model itself),
and the real editions' tests run with the counts the embedded CSVs give."""

from __future__ import annotations

import dataclasses
import math
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from milex.errors import InputError
from milex.montecarlo import load_uncertainty, simulate
from milex.projection.backtest import THIN, Cases, backtest, band_positions, coverage_row

OBS = Path(files("milex") / "data" / "observations")  # type: ignore[arg-type]
N = 400  # synthetic outcomes
# Binomial standard errors of the shares inside at n = 400: sqrt(0.5 * 0.5 / 400) = 0.025 and
# sqrt(0.9 * 0.1 / 400) = 0.015; the band edges' own Monte Carlo error with 20,000 draws,
# sqrt(0.05 * 0.95 / 20000) = 0.0015, is negligible. Tolerance: 4 standard errors.
TOL_50 = 4 * math.sqrt(0.25 / N)
TOL_90 = 4 * math.sqrt(0.09 / N)
MODEL = dataclasses.replace(load_uncertainty(), spend_bias=-1.5, spend_sd=6.0)


def _drawn_from_the_model(n: int) -> pd.DataFrame:
    """n cases whose outcome is one draw of the model itself (GDP errors with the default
    settings incl. the recession regime, and the spending error): the engine run with one draw
    and its own seed per case, so outcomes are independent of each other and of the band's
    seed (1)."""
    rng = np.random.default_rng(20)
    growth, inflation = rng.uniform(0, 3, n), rng.uniform(1, 4, n)
    amount = rng.uniform(1, 4, n)
    outcome = [
        simulate(
            [[a]],
            [100.0],
            [[g]],
            [[i]],
            [1.0],
            draws=1,
            seed=1000 + k,
            uncertainty=MODEL,
            workers=1,
        ).mean[0, 0]
        for k, (a, g, i) in enumerate(zip(amount, growth, inflation, strict=True))
    ]
    return pd.DataFrame(
        {
            "iso3": [f"C{k:03d}" for k in range(n)],
            "year": 2030,
            "amount": amount,
            "gdp_base": 100.0,
            "growth": growth,
            "inflation": inflation,
            "outcome": outcome,
        }
    )


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return _drawn_from_the_model(N)


def test_bands_hold_their_share_when_the_model_is_true(synthetic):
    cases = Cases("synthetic", "model draws", synthetic, MODEL)
    row = coverage_row(cases, band_positions(cases, draws=20_000, seed=1))
    assert row["n"] == N
    assert abs(row["inside_50"] - 0.5) < TOL_50
    assert abs(row["inside_90"] - 0.9) < TOL_90
    assert abs(row["below_90"] - 0.05) < 4 * math.sqrt(0.05 * 0.95 / N)
    assert "binomial standard error 0.025 (50% band), 0.015 (90% band)" in row["note"]


def test_a_band_too_narrow_is_caught(synthetic):
    """The same outcomes judged by a model with every sd halved: far fewer inside."""
    narrow = dataclasses.replace(
        MODEL,
        growth_sd=MODEL.growth_sd / 2,
        inflation_sd=MODEL.inflation_sd / 2,
        spend_sd=MODEL.spend_sd / 2,
        recession_prob=0.0,
    )
    cases = Cases("narrow", "model draws", synthetic, narrow)
    row = coverage_row(cases, band_positions(cases, draws=20_000, seed=1))
    assert row["inside_90"] < 0.9 - TOL_90
    assert row["inside_50"] < 0.5 - TOL_50


def test_too_thin_is_said():
    frame = pd.DataFrame(
        {"iso3": ["A"], "year": [1], "amount": [1.0], "gdp_base": [100.0], "growth": [0.0]}
        | {"inflation": [0.0], "outcome": [1.0]}
    )
    cases = Cases("tiny", "x", frame, load_uncertainty("none"))
    row = coverage_row(cases, band_positions(cases, draws=1_000, seed=1))
    assert row["n"] == 1 and f"too thin: 1 cases (fewer than {THIN})" in row["note"]


# ---------------------------------------------------------------------------- real editions


@pytest.fixture(scope="module")
def real(store):
    return backtest(store, draws=20_000, seed=1)


def _counts() -> dict[str, int]:
    """The cases each test should have, from the embedded CSVs."""
    old = pd.read_csv(OBS / "nato_2024-06.csv")
    new = pd.read_csv(OBS / "nato_2026-07.csv")

    def pairs(indicator: str, years: list[int], edition: pd.DataFrame = old) -> pd.DataFrame:
        e = edition[
            (edition.indicator == indicator)
            & (edition.status == "estimate")
            & edition.year.isin(years)
            & (edition.iso3.str.len() == 3)  # countries, not NATO's aggregates
        ]
        a = new[(new.indicator == indicator) & (new.status == "actual")]
        return e.merge(a, on=["iso3", "year"], suffixes=("_e", "_a"))

    spend = pairs("spend_national_current", [2023, 2024])
    aug25 = pd.read_csv(OBS / "nato_2025-08.csv")
    weo_old = pd.read_csv(OBS / "weo_2025-04.csv")
    weo_new = pd.read_csv(OBS / "weo_2026-04.csv")
    allies = set(new[new.indicator == "share_gdp"].iso3)
    gdp = [
        w[(w.indicator == "gdp_national_current") & (w.year == 2025) & w.iso3.isin(allies)]
        for w in (weo_old, weo_new)
    ]
    weo = gdp[0].merge(gdp[1], on="iso3")
    return {
        "spending": int((spend.unit_e == spend.unit_a).sum()),
        "share of GDP (2024-06)": len(pairs("share_gdp", [2024])),
        "share of GDP (2025-08)": len(pairs("share_gdp", [2024], aug25)),
        "nominal GDP": int((weo.unit_x == weo.unit_y).sum()),
        "real growth": len(weo),  # a growth rate has no currency: Bulgaria's euro is no matter
    }


def test_the_real_tests_run_with_their_counts(real):
    table = real.frame.set_index("test")
    assert real.kind == "backtest"
    assert table["n"].to_dict() == _counts()
    assert _counts() == {
        "spending": 60,
        "share of GDP (2024-06)": 31,
        "share of GDP (2025-08)": 31,
        "nominal GDP": 30,
        "real growth": 31,
    }
    cases = real.extra["cases"]
    for test, row in table.iterrows():
        mine = cases[cases.test == test]
        assert row["inside_50"] == mine["inside_50"].mean()
        assert row["inside_90"] == mine["inside_90"].mean()
        assert row["inside_50"] <= row["inside_90"]
        assert row["inside_90"] + row["below_90"] + row["above_90"] == pytest.approx(1.0)
    assert set(real.sources["vintage"]) >= {"2024-06", "2026-07", "2025-04", "2026-04"}
    assert "unit changed, not compared: BGR" in table.loc["nominal GDP", "note"]
    assert "one year's evidence, thin" in table.loc["real growth", "note"]
    assert any(note.startswith("Too thin to check: errors beyond the first") for note in real.notes)


def test_an_allys_own_errors_never_set_its_band(real):
    """Albania's 2024 spending: its band centred on the other allies' pooled bias, with their
    pooled sd (from the CSVs), so its -31.6% lies far below it."""
    old = pd.read_csv(OBS / "nato_2024-06.csv")
    new = pd.read_csv(OBS / "nato_2026-07.csv")
    keep = ["iso3", "year", "value", "unit"]
    e = old[(old.indicator == "spend_national_current") & (old.status == "estimate")][keep]
    a = new[(new.indicator == "spend_national_current") & (new.status == "actual")][keep]
    both = e.merge(a, on=["iso3", "year"], suffixes=("_e", "_a"))
    both = both[(both.unit_e == both.unit_a) & (both.iso3 != "ALB")]
    err = 100 * (both.value_a - both.value_e) / both.value_e
    bias, sd = err.mean(), err.std(ddof=1)
    # P(drawn >= outcome) for the normal N(bias, sd): outcome -31.62% is (31.62 + bias) / sd
    # standard deviations below the centre
    z = (-31.6219 - bias) / sd
    expected = 1 - 0.5 * math.erfc(-z / math.sqrt(2))
    cases = real.extra["cases"].set_index(["test", "iso3", "year"])
    assert cases.loc[("spending", "ALB", 2024), "p_above"] == pytest.approx(expected, abs=0.005)
    assert not cases.loc[("spending", "ALB", 2024), "inside_90"]


def test_given_spending_settings_are_used_as_given(store):
    wide = dataclasses.replace(load_uncertainty(), spend_bias=0.0, spend_sd=100.0)
    table = backtest(store, draws=5_000, seed=2, uncertainty=wide).frame.set_index("test")
    assert table.loc["spending", "inside_90"] == 1.0  # every error is well within +-164%
    assert "spending error as given" in table.loc["spending", "note"]


def test_bad_uncertainty_is_refused(store):
    with pytest.raises(InputError, match="uncertainty must be an Uncertainty, got str"):
        backtest(store, uncertainty="default")  # type: ignore[arg-type]


def test_band_edges_by_hand():
    """Only a spending error of sd 10% around a planned 1% of GDP: P(share >= outcome) is
    P(z >= (outcome - 1) / 0.1). Normal quantiles: z = 0.772 leaves 0.22 above (outside the
    50% band, 0.25-0.75), z = 0.583 leaves 0.28 (inside), z = 1.476 leaves 0.07 (inside the 90%
    band, 0.05-0.95, not the 50%), z = 1.881 leaves 0.03 (above the 90% band); mirrored below.
    With 20,000 draws p is within 0.003 (1 sd) of these, 10 sd from each band's edge."""
    z = [0.772, 0.583, 1.476, 1.881, -0.772, -1.881]
    frame = pd.DataFrame(
        {
            "iso3": [f"C{k}" for k in range(len(z))],
            "year": 2030,
            "amount": 1.0,
            "gdp_base": 100.0,
            "growth": 0.0,
            "inflation": 0.0,
            "outcome": [1 + 0.1 * v for v in z],
        }
    )
    spending_only = dataclasses.replace(load_uncertainty("none"), spend_sd=10.0)
    cases = Cases("edges", "by hand", frame, spending_only)
    got = band_positions(cases, draws=20_000, seed=1)
    assert got["p_above"].tolist() == pytest.approx([0.22, 0.28, 0.07, 0.03, 0.78, 0.97], abs=0.012)
    assert got["inside_50"].tolist() == [False, True, False, False, False, False]
    assert got["inside_90"].tolist() == [True, True, True, False, True, False]
    assert got["above_90"].tolist() == [False, False, False, True, False, False]
    assert got["below_90"].tolist() == [False, False, False, False, False, True]
