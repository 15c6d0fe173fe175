"""Spending errors calibrated from NATO's editions: hand-checked figures from the embedded
CSVs, the rule (own / pooled, shrinkage), and recovery of known errors from synthetic histories
(tolerances derived from the standard errors)."""

from __future__ import annotations

import math
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from milex.errors import InputError
from milex.projection.calibration import MIN_PAIRS, error_statistics, spending_errors

OBS = Path(files("milex") / "data" / "observations")  # type: ignore[arg-type]


def _csv_pairs() -> pd.DataFrame:
    """The 2024-06 estimates and 2026-07 actuals, straight from the embedded CSVs."""
    cols = ["iso3", "year", "value", "unit"]
    old = pd.read_csv(OBS / "nato_2024-06.csv")
    new = pd.read_csv(OBS / "nato_2026-07.csv")
    old = old[(old.indicator == "spend_national_current") & (old.status == "estimate")][cols]
    new = new[(new.indicator == "spend_national_current") & (new.status == "actual")][cols]
    both = old.merge(new, on=["iso3", "year"], suffixes=("_e", "_a"))
    return both[both.unit_e == both.unit_a]


def synthetic(allies: int, per_ally: int, bias, sd: float, seed: int) -> pd.DataFrame:
    """Pairs drawn with known relative errors: estimate 200, actual 200 * (1 + e / 100),
    e ~ N(bias, sd^2) (bias a number or one per ally), percent."""
    rng = np.random.default_rng(seed)
    n = allies * per_ally
    mean = np.repeat(np.broadcast_to(np.asarray(bias, float), (allies,)), per_ally)
    e = mean + sd * rng.standard_normal(n)
    return pd.DataFrame(
        {
            "iso3": np.repeat([f"A{i:02d}" for i in range(allies)], per_ally),
            "year": np.tile(np.arange(2000, 2000 + per_ally), allies),
            "estimate": 200.0,
            "actual": 200.0 * (1 + e / 100),
        }
    )


# ---------------------------------------------------------------------------- real editions


@pytest.fixture(scope="module")
def real(store):
    return spending_errors(store)


def test_hand_checked_pairs(real):
    """Poland and Albania, 2024-06 estimate vs 2026-07 actual (PLN / ALL million current)."""
    err = real.errors.set_index(["iso3", "year"])["error_pct"]
    # Poland 2024: 151,241 estimated, 137,176 actual: (137176 - 151241) / 151241 = -9.2997%
    assert err["POL", 2024] == pytest.approx(100 * (137176 - 151241) / 151241)
    assert err["POL", 2024] == pytest.approx(-9.2997, abs=5e-5)
    # Poland 2023: 111,226 -> 111,224
    assert err["POL", 2023] == pytest.approx(100 * (111224 - 111226) / 111226)
    # Albania 2024: 49,842 -> 34,081 = -31.62%; 2023: 40,256 -> 30,547 = -24.12%
    assert err["ALB", 2024] == pytest.approx(-31.6219, abs=5e-5)
    assert err["ALB", 2023] == pytest.approx(-24.1181, abs=5e-5)
    # Germany 2024: 90,586 -> 86,638 = -4.36%; 2023 unchanged (67,621)
    assert err["DEU", 2024] == pytest.approx(100 * (86638 - 90586) / 90586)
    assert err["DEU", 2023] == 0.0


def test_pooled_figures_match_the_csvs(real):
    csv = _csv_pairs()
    e = 100 * (csv.value_a - csv.value_e) / csv.value_e
    assert real.pooled_n == len(csv) == 60  # 30 allies x 2024-06's two estimate years
    assert real.pooled_bias_pct == pytest.approx(e.mean())
    assert real.pooled_sd_pct == pytest.approx(e.std(ddof=1))
    assert real.pairs == [("2024-06", "2026-07")]
    assert real.source_ids == {"nato-2024-06-1", "nato-2026-07-9"}


def test_unit_change_is_not_compared(real):
    """Bulgaria reports in BGN in 2024-06 and in EUR in 2026-07: never subtracted."""
    assert "BGR" not in set(real.table["iso3"])
    assert "BGR: unit BGN million current in 2024-06 but EUR million current" in real.note


def test_two_pairs_per_ally_is_too_thin_for_its_own_sd(real):
    assert set(real.table["n"]) == {2} and set(real.table["basis"]) == {"pooled"}
    assert "2 pairs per ally" in real.note and "too thin for an ally's own sd" in real.note
    assert (real.table["sd_pct"] == real.pooled_sd_pct).all()
    # Poland's bias lies between its own mean (-9.2997 - 0.0018) / 2 = -4.65 and the pooled one
    own = (-9.2997 + 100 * (111224 - 111226) / 111226) / 2
    bias, sd, basis = real.for_country("POL")
    w = real.shrink_weight["POL"]
    assert 0 < w < 1 and basis == "pooled" and sd == real.pooled_sd_pct
    assert bias == pytest.approx(w * own + (1 - w) * real.pooled_bias_pct, abs=1e-4)
    # an ally without pairs gets the pooled figures
    assert real.for_country("ISL") == (real.pooled_bias_pct, real.pooled_sd_pct, "pooled")


def test_editions_up_to_a_vintage(store):
    early = spending_errors(store, "2025-08")
    assert early.pooled_n == 0 and early.table.empty and early.pairs == []
    assert "cannot be calibrated" in early.note
    bias, sd, basis = early.for_country("DEU")
    assert math.isnan(bias) and math.isnan(sd) and basis == "none"
    with pytest.raises(InputError, match=r"vintage must be a NATO edition such as '2026-07'"):
        spending_errors(store, "2026")


# ---------------------------------------------------------------------------- the statistics


def test_synthetic_history_recovers_bias_and_sd():
    """240 pairs with bias -2% and sd 5%: the pooled mean within 4 standard errors
    (5 / sqrt(240) = 0.32), the sd within 4 of its standard errors (sd / sqrt(2 (n - 1)) =
    5 / sqrt(478) = 0.23)."""
    n, bias, sd = 240, -2.0, 5.0
    stats = error_statistics(synthetic(40, 6, bias, sd, seed=11))
    assert stats.pooled_n == n
    assert abs(stats.pooled_bias_pct - bias) < 4 * sd / math.sqrt(n)
    assert abs(stats.pooled_sd_pct - sd) < 4 * sd / math.sqrt(2 * (n - 1))


def test_allies_with_enough_pairs_get_their_own_figures():
    """Two allies, 400 pairs each, biases -5% and +3%, sd 2%: each its own (basis ally), within
    4 standard errors (2 / sqrt(400) = 0.1 for a mean, 2 / sqrt(798) = 0.071 for an sd)."""
    stats = error_statistics(synthetic(2, 400, [-5.0, 3.0], 2.0, seed=5))
    table = stats.table.set_index("iso3")
    assert (table["basis"] == "ally").all() and (table["n"] == 400).all()
    assert abs(table.loc["A00", "bias_pct"] + 5.0) < 4 * 0.1
    assert abs(table.loc["A01", "bias_pct"] - 3.0) < 4 * 0.1
    assert (abs(table["sd_pct"] - 2.0) < 4 * 2.0 / math.sqrt(798)).all()
    assert "each ally has its own bias and sd" in stats.note


def test_the_threshold_sets_the_basis():
    frame = synthetic(3, MIN_PAIRS, -1.0, 2.0, seed=2)
    assert set(error_statistics(frame).table["basis"]) == {"ally"}
    assert set(error_statistics(frame, min_pairs=MIN_PAIRS + 1).table["basis"]) == {"pooled"}
    thin = frame.groupby("iso3").head(MIN_PAIRS - 1)
    assert set(error_statistics(thin).table["basis"]) == {"pooled"}


def test_shrinkage_follows_the_spread_between_allies():
    """Same bias for all (no spread): the weight goes to the pooled mean; biases 20 sd apart:
    the allies keep nearly their own means."""
    same = error_statistics(synthetic(30, 2, -1.0, 3.0, seed=3))
    apart = error_statistics(synthetic(30, 2, np.linspace(-30, 30, 30), 3.0, seed=3))
    assert max(same.shrink_weight.values()) < 0.5
    assert min(apart.shrink_weight.values()) > 0.95
    own = apart.errors.groupby("iso3")["error_pct"].mean()
    table = apart.table.set_index("iso3")
    assert (abs(table["bias_pct"] - own) < 0.05 * 60).all()


def test_one_pair_per_ally_pools_the_bias():
    stats = error_statistics(synthetic(10, 1, [-10.0] * 5 + [10.0] * 5, 1.0, seed=4))
    assert (stats.table["bias_pct"] == stats.pooled_bias_pct).all()
    assert "no ally has two pairs" in stats.note
    assert "fewer than 20 pairs in all" in stats.note


def test_bad_pairs_are_refused():
    with pytest.raises(InputError, match=r"lack the column\(s\) actual"):
        error_statistics(pd.DataFrame({"iso3": ["A"], "year": [1], "estimate": [1.0]}))
    frame = pd.DataFrame({"iso3": ["A"], "year": [1], "estimate": [0.0], "actual": [1.0]})
    with pytest.raises(InputError, match="every estimate must be a positive amount"):
        error_statistics(frame)


def test_the_data_file_quotes_the_calibration_it_describes(real):
    """uncertainty.toml's calibration (e) quotes the figures of the editions shipped."""
    text = (files("milex") / "data" / "uncertainty.toml").read_text("utf-8")
    assert f"{real.pooled_n} pairs, 30 allies, 2 pairs each" in text
    assert f"pooled bias {real.pooled_bias_pct:.2f}%" in text
    assert f"pooled sd {real.pooled_sd_pct:.2f}%" in text


def test_the_shrinkage_weight_by_hand():
    """Three allies, two pairs each, errors (percent) A: 0, -4; B: 2, 6; C: 10, 14.
    Own means -2, 4, 12; pooled mean 14/3 = 4.6667; within: each ally's pair is 2 from its
    mean: s2_within = 6 * 4 / (6 - 3) = 8. Between: sum n_i (m_i - m)^2 = 2 * (44.444 + 0.4444
    + 53.778) = 197.33; tau2 = (197.33 - 2 * 8) / (6 - 12 / 6) = 45.333;
    w = 45.333 / (45.333 + 8 / 2) = 0.91892. A's bias: 0.91892 * -2 + 0.08108 * 4.6667."""
    errors = {"A": (0.0, -4.0), "B": (2.0, 6.0), "C": (10.0, 14.0)}
    frame = pd.DataFrame(
        [
            {"iso3": iso3, "year": 2000 + i, "estimate": 100.0, "actual": 100.0 + e}
            for iso3, pair in errors.items()
            for i, e in enumerate(pair)
        ]
    )
    stats = error_statistics(frame)
    w = 45.333333 / (45.333333 + 8 / 2)
    assert stats.shrink_weight["A"] == pytest.approx(w, abs=1e-6)
    assert stats.shrink_weight["A"] == pytest.approx(0.91892, abs=1e-5)
    bias, sd, basis = stats.for_country("A")
    assert bias == pytest.approx(w * -2 + (1 - w) * 14 / 3, abs=1e-5)
    assert basis == "pooled" and sd == pytest.approx(np.std([0, -4, 2, 6, 10, 14], ddof=1))


def test_five_pairs_make_an_allys_own_figures():
    # docs/uncertainty.md: an ally needs 5 pairs for its own sd (2 give an sd within 0.06-1.96
    # of the true value with 90% probability, 5 within 0.42-1.54)
    frame = synthetic(3, 5, -1.0, 2.0, seed=2)
    assert set(error_statistics(frame).table["basis"]) == {"ally"}
    assert set(error_statistics(frame.groupby("iso3").head(4)).table["basis"]) == {"pooled"}
