"""Sensitivity (tornado) tables: which setting of the uncertainty moves a probability most."""

from __future__ import annotations

import pytest

import milex
from milex.montecarlo import load_uncertainty
from milex.projection.probability import probability
from milex.projection.sensitivity import COLUMNS, sensitivity, tornado
from milex.targets import resolve_target

from .test_projection import deu_gdp_2026

DRAWS = 20_000
BASE = load_uncertainty("none")


def test_a_tornado_ranks_by_swing_and_runs_each_uncertainty_once():
    """A made-up model: probability = 0.2 + 0.1 x growth_sd - 0.01 x spend_bias, rho without
    effect. growth_sd 1 -> 3 swings 0.2, spend_bias -2 -> 2 swings 0.04, rho 0 (last). The
    base (every setting 0) is 0.2; rho's low end is the base, run once."""
    calls = []

    def run(u):
        calls.append(u)
        return 0.2 + 0.1 * u.growth_sd - 0.01 * u.spend_bias

    ranges = {
        "rho": (0.0, 0.6, "no effect"),
        "spend_bias": (-2.0, 2.0, "spending"),
        "growth_sd": (1.0, 3.0, "growth"),
    }
    table = tornado(run, BASE, ranges)
    assert list(table.columns) == COLUMNS
    assert table["setting"].tolist() == ["growth_sd", "spend_bias", "rho"]
    assert table["swing"].tolist() == pytest.approx([0.2, 0.04, 0.0])
    assert table["swing"].iloc[-1] == 0.0
    assert table.loc[0, ["prob_low", "prob_high"]].tolist() == pytest.approx([0.3, 0.5])
    assert table.loc[1, ["prob_low", "prob_high"]].tolist() == pytest.approx([0.22, 0.18])
    assert table.attrs["base"] == pytest.approx(0.2)
    assert len(calls) == len(set(calls)) == 6  # 3 settings x 2 ends, the base among them once


def test_a_tornado_refuses_an_unknown_setting():
    with pytest.raises(milex.InputError, match=r"no setting named growth .* the settings are"):
        tornado(lambda u: 0.5, BASE, {"growth": (0.0, 1.0, "")})


def test_germanys_deterministic_tornado(store):
    """No uncertainty, Germany's plan (EUR 153 bn = 2.9871% of the central GDP in 2029)
    against 2.99%: missed. Spending 2% above plan makes 2.9871 x 1.02 = 3.0468% (met), 2% below
    2.9274% (missed): swing 1. Growth forecasts 0.5 points too high a year make GDP lower and
    the share 2.9871 / prod(1 + (g - 0.5) / 100) / (1 + g / 100) = 3.032% (met): swing 1, as
    for inflation. Every sd, correlation and the recession settings (no recession depth, no
    recession chance in this base) change nothing: swing exactly 0, ranked last."""
    share = 100 * 153_000 / deu_gdp_2026(2029)
    assert share * 1.02 > 2.99 > share > share * 0.98
    growth = {2027: 1.183, 2028: 1.196, 2029: 0.944}  # WEO April 2026, Germany
    slower = 1.0
    for g in growth.values():
        slower *= (1 + (g - 0.5) / 100) / (1 + g / 100)
    assert share / slower > 2.99 > share * slower
    result = sensitivity(store, "DEU", resolve_target(2.99, 2029), draws=1_000, uncertainty="none")
    table = result.df
    assert result.kind == "sensitivity" and result.extra["probability"] == 0.0
    top = table.iloc[:3]
    assert set(top["setting"]) == {"growth_bias", "inflation_bias", "spend_bias"}
    assert top["swing"].tolist() == [1.0, 1.0, 1.0]
    assert top["prob_low"].tolist() == [0.0, 0.0, 0.0]  # low bias: growth above forecast
    rest = table.iloc[3:]
    assert rest["swing"].tolist() == [0.0] * len(rest)
    assert {"growth_sd", "rho", "recession_prob", "recession_growth"} <= set(rest["setting"])
    assert "country_corr" not in set(table["setting"])
    assert "EUR 153 bn" in result.extra["plan"]


def test_a_countrys_sensitivity_starts_from_its_probability(store):
    """The same draws and seed: the tornado's base is the probability itself."""
    target = resolve_target(3.5, 2029)
    alone = probability(store, "DEU", target, draws=DRAWS, seed=1, sensitivity=False)
    table = sensitivity(store, "DEU", target, draws=DRAWS, seed=1)
    assert table.extra["probability"] == alone.extra["probability"]
    assert table.df.attrs["base"] == alone.extra["probability"]
    assert list(table.df["swing"]) == sorted(table.df["swing"], reverse=True)
    assert (table.df["swing"] > 0).any()
    assert table.query["who"] == "DEU" and table.units["swing"] == "probability (0-1)"


def test_a_groups_sensitivity(store):
    """The Baltic states' GDP-weighted share: the common shock is among the settings."""
    result = sensitivity(store, "baltics", resolve_target(3.5, 2029), draws=5_000)
    assert sorted(result.extra["members"]) == ["EST", "LTU", "LVA"]
    assert "country_corr" in set(result.df["setting"])
    assert result.df.attrs["base"] == result.extra["probability"]
    # the spending errors are calibrated on NATO's June 2024 estimates (against the 2026-07
    # actuals): that edition is among the sources, as are the plans' editions
    editions = {source.rsplit("-", 1)[0] for source in result.sources["id"]}
    assert {"nato-2024-06", "nato-2026-07", "weo-2026-04"} <= editions
    with pytest.raises(milex.InputError, match="amounts are one country's plan"):
        sensitivity(store, "baltics", resolve_target(3.5, 2029), amounts={2027: 1.0})
