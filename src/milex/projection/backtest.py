"""Does the model's band hold what happened? Coverage of the 50% and 90% bands on what the
editions held allow.

Each test puts a figure known at one edition (an estimate or a forecast) into the Monte Carlo
engine as the central path of one projection year (``t = 0``), draws the model's distribution
around it, and asks where the later edition's figure fell: ``p = P(drawn >= outcome)`` (the
engine's ``prob_meet`` with the outcome as the target). The outcome is inside the central 90%
band when ``0.05 <= p <= 0.95`` and inside the 50% band when ``0.25 <= p <= 0.75``. For a model
that is right, the shares inside are 0.5 and 0.9 up to the binomial standard error
``sqrt(q (1 - q) / n)``.

Tests (see :func:`backtest`):

* ``spending``: NATO 2024-06 estimates of spending (national currency, current prices) against
  the 2026-07 actuals: the spending error alone, each ally's band calibrated without its own
  pairs (leave-one-out).
* ``share of GDP (2024-06)``: NATO 2024-06 estimates of the share of GDP for 2024 against the
  2026-07 actual share: spending and GDP errors together (the GDP of a year half gone is drawn
  with the model's first-year sd).
* ``share of GDP (2025-08)``: the same for the 2025-08 edition's estimates of 2024, made when
  the year was over (a revision test: the model's band should be too wide for it).
* ``nominal GDP``: IMF WEO April 2025 forecasts of 2025 nominal GDP (national currency) against
  the April 2026 figure: the GDP model's first year.
* ``real growth``: the same editions' real GDP growth of 2025: the growth part alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from milex.montecarlo import Uncertainty, load_uncertainty, simulate
from milex.montecarlo.uncertainty import checked
from milex.projection.calibration import error_statistics, estimate_actual_pairs
from milex.result import Result
from milex.store import Store

#: Fewer cases than this and a test's shares are called too thin: at n = 20 the binomial
#: standard error of a 90% share is sqrt(0.9 * 0.1 / 20) = 0.067, so 2 standard errors span
#: 0.77-1.0 and the test cannot tell a right band from one half again too wide.
THIN = 20

#: The editions compared (estimate or forecast edition, outcome edition).
NATO_PAIR = ("2024-06", "2026-07")
WEO_PAIR = ("2025-04", "2026-04")

#: What the editions held cannot check, said with every backtest.
TOO_THIN = (
    "Too thin to check: errors beyond the first projection year (horizon_slope), the recession "
    "regime and the common shock across allies; the editions held give one pair of NATO "
    "editions with spending figures, share estimates of one year (2024) and one WEO year "
    "(2025), so these settings rest on the literature and judgement."
)

#: The unit of the shares in the result's frame.
SHARE_OF_CASES = "share of the cases (0-1)"

#: The columns of the result's frame.
COLUMNS = ["test", "compares", "n", "inside_50", "inside_90", "below_90", "above_90", "note"]


@dataclass(frozen=True)
class Cases:
    """One test's cases, one per ally (and year): the engine's inputs for one projection year
    and the outcome.

    Attributes:
        test: the test's name.
        compares: what against what, in words.
        frame: ``iso3, year, amount, gdp_base, growth, inflation, outcome``: the amount and the
            base-year GDP in one unit per row, growth and inflation in percent (the central path
            of year ``t = 0``), the outcome in percent of GDP (same scale as
            ``100 * amount / GDP``).
        uncertainty: the model drawn (spending settings numbers or per-row below).
        spend_bias, spend_sd: percent of the amount, per row (None: the uncertainty's).
        source_ids: store ids of the figures.
        note: what to keep in mind.
    """

    test: str
    compares: str
    frame: pd.DataFrame
    uncertainty: Uncertainty
    spend_bias: np.ndarray | None = None
    spend_sd: np.ndarray | None = None
    source_ids: frozenset[str] = frozenset()
    note: str = ""


def band_positions(cases: Cases, draws: int, seed: int) -> pd.DataFrame:
    """Each case's ``p = P(drawn share >= outcome)`` under the model, and whether the outcome is
    inside the 50% and 90% bands, below or above the 90% band (one engine run per test)."""
    f = cases.frame
    res = simulate(
        f["amount"].to_numpy(float)[:, None],
        f["gdp_base"].to_numpy(float),
        f["growth"].to_numpy(float)[:, None],
        f["inflation"].to_numpy(float)[:, None],
        f["outcome"].to_numpy(float),
        draws=draws,
        seed=seed,
        uncertainty=cases.uncertainty,
        spend_bias=cases.spend_bias,
        spend_sd=cases.spend_sd,
        workers=1,
    )
    p = res.prob_meet[:, 0]
    return f.assign(
        p_above=p,
        inside_50=(p >= 0.25) & (p <= 0.75),
        inside_90=(p >= 0.05) & (p <= 0.95),
        below_90=p > 0.95,  # the outcome is below the 5th percentile
        above_90=p < 0.05,
    )


def coverage_row(cases: Cases, positions: pd.DataFrame) -> dict[str, object]:
    """One row of the backtest table: n, shares inside the bands (0-1), and the note."""
    n = len(positions)
    row: dict[str, object] = {"test": cases.test, "compares": cases.compares, "n": n}
    for column in ("inside_50", "inside_90", "below_90", "above_90"):
        row[column] = float(positions[column].mean()) if n else math.nan
    notes = [cases.note] if cases.note else []
    if n < THIN:
        notes.append(f"too thin: {n} cases (fewer than {THIN}) cannot tell a right band")
    elif n:
        se50, se90 = math.sqrt(0.25 / n), math.sqrt(0.09 / n)
        notes.append(f"binomial standard error {se50:.3f} (50% band), {se90:.3f} (90% band)")
    row["note"] = "; ".join(notes)
    return row


def _nato(store: Store, indicator: str, vintage: str, status: str) -> pd.DataFrame:
    """One NATO edition's figures of ``indicator`` with ``status``, countries only (no
    aggregates such as NATO Europe and Canada)."""
    entities = store.entity_table()
    countries = set(entities.loc[entities["kind"] == "country", "code"])
    obs = store.observations("nato", vintage, indicators=[indicator])
    return obs[(obs["status"] == status) & obs["iso3"].isin(countries)]


def _spending_errors_without(pairs: pd.DataFrame, iso3: list[str]) -> tuple[np.ndarray, ...]:
    """Per ally, the pooled bias and sd (percent) of the other allies' pairs: an ally's own
    errors never set its band."""
    bias, sd = [], []
    for code in iso3:
        stats = error_statistics(pairs[pairs["iso3"] != code])
        bias.append(stats.pooled_bias_pct)
        sd.append(stats.pooled_sd_pct)
    return np.array(bias), np.array(sd)


def _spending_settings(
    u: Uncertainty, pairs: pd.DataFrame, iso3: list[str]
) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """The spending bias and sd per case: the uncertainty's when it gives numbers, else the
    leave-one-out calibration, and a note saying which."""
    if u.calibrated:
        return None, None, "spending error as given by the uncertainty"
    bias, sd = _spending_errors_without(pairs, iso3)
    if u.spend_bias is not None:
        bias = np.full(len(iso3), u.spend_bias)
    if u.spend_sd is not None:
        sd = np.full(len(iso3), u.spend_sd)
    return bias, sd, "spending error calibrated leave-one-out (each ally from the others' pairs)"


def spending_cases(store: Store, u: Uncertainty) -> Cases:
    """NATO 2024-06 spending estimates against the 2026-07 actuals: the spending error only."""
    pairs, _ = estimate_actual_pairs(store)
    pairs = pairs[
        (pairs["estimate_vintage"] == NATO_PAIR[0]) & (pairs["actual_vintage"] == NATO_PAIR[1])
    ].reset_index(drop=True)
    iso3 = pairs["iso3"].tolist()
    bias, sd, how = _spending_settings(u, pairs, iso3)
    frame = pd.DataFrame(
        {
            "iso3": pairs["iso3"],
            "year": pairs["year"],
            "amount": 1.0,  # the estimate as 1% of a fixed GDP of 100
            "gdp_base": 100.0,
            "growth": 0.0,
            "inflation": 0.0,
            "outcome": pairs["actual"] / pairs["estimate"],
        }
    )
    none = load_uncertainty("none")
    spend = replace(none, spend_bias=u.spend_bias or 0.0, spend_sd=u.spend_sd or 0.0)
    return Cases(
        test="spending",
        compares=(
            f"NATO {NATO_PAIR[0]} estimates of spending (national currency, current prices; "
            f"{', '.join(map(str, sorted(set(pairs['year']))))}) vs {NATO_PAIR[1]} actuals"
        ),
        frame=frame,
        uncertainty=spend,
        spend_bias=bias,
        spend_sd=sd,
        source_ids=frozenset(pairs["source_id_estimate"]) | frozenset(pairs["source_id_actual"]),
        note=f"{how}; spending error only (GDP fixed)",
    )


def share_cases(store: Store, u: Uncertainty, vintage: str, year: int, when: str) -> Cases:
    """NATO ``vintage``'s share-of-GDP estimates of ``year`` against the 2026-07 actual shares;
    ``when`` says how much of the year had gone when it was estimated (for the note)."""
    est = _nato(store, "share_gdp", vintage, "estimate")
    act = _nato(store, "share_gdp", NATO_PAIR[1], "actual")
    both = est[est["year"] == year].merge(act, on=["iso3", "year"], suffixes=("_e", "_a"))
    pairs, _ = estimate_actual_pairs(store)
    bias, sd, how = _spending_settings(u, pairs, both["iso3"].tolist())
    frame = pd.DataFrame(
        {
            "iso3": both["iso3"],
            "year": both["year"],
            "amount": both["value_e"],  # the estimated share, of a GDP of 100
            "gdp_base": 100.0,
            "growth": 0.0,
            "inflation": 0.0,
            "outcome": both["value_a"],
        }
    ).reset_index(drop=True)
    return Cases(
        test=f"share of GDP ({vintage})",
        compares=f"NATO {vintage} estimates of the {year} share of GDP vs {NATO_PAIR[1]}",
        frame=frame,
        uncertainty=u,
        spend_bias=bias,
        spend_sd=sd,
        source_ids=frozenset(both["source_id_e"]) | frozenset(both["source_id_a"]),
        note=(
            f"{how}; GDP drawn with the first-year sd although {when} when estimated (expect "
            "more than 90% inside)"
        ),
    )


def _weo(store: Store, vintage: str, allies: set[str]) -> pd.DataFrame:
    obs = store.observations(
        "weo", vintage, indicators=["gdp_national_current", "gdp_deflator", "gdp_real_growth"]
    )
    return obs[obs["iso3"].isin(allies)]


def weo_cases(store: Store, u: Uncertainty) -> tuple[Cases, Cases]:
    """IMF WEO April 2025 forecasts of 2025 against the April 2026 figures: nominal GDP (level,
    national currency) and real growth."""
    allies = set(_nato(store, "share_gdp", NATO_PAIR[1], "actual")["iso3"])
    old, new = (_weo(store, v, allies) for v in WEO_PAIR)
    year = int(WEO_PAIR[0][:4])

    def wide(obs: pd.DataFrame, y: int, suffix: str) -> pd.DataFrame:
        one = obs[obs["year"] == y]
        values = one.pivot(index="iso3", columns="indicator", values="value")
        gdp = one[one["indicator"] == "gdp_national_current"].set_index("iso3")
        return values.join(gdp[["unit", "source_id"]]).add_suffix(suffix)

    forecast, outcome = wide(old, year, ""), wide(new, year, "_out")
    real_table = forecast.join(outcome, how="inner").dropna(
        subset=["gdp_real_growth", "gdp_real_growth_out"]
    )
    table = (
        forecast.join(wide(old, year - 1, "_base"))
        .join(outcome, how="inner")
        .dropna(subset=[f"gdp_national_current{s}" for s in ("", "_base", "_out")])
    )
    changed = sorted(table.index[table["unit"] != table["unit_out"]])
    table = table[table["unit"] == table["unit_out"]]
    growth = table["gdp_real_growth"]
    inflation = 100 * (table["gdp_deflator"] / table["gdp_deflator_base"] - 1)
    central = table["gdp_national_current_base"] * (1 + growth / 100) * (1 + inflation / 100)
    gdp_only = replace(u, spend_bias=0.0, spend_sd=0.0)
    compares = f"IMF WEO {WEO_PAIR[0]} forecasts of {year} vs the {WEO_PAIR[1]} figures"

    def one_year(n: int) -> str:
        return (
            f"one year ({year}): the allies share its common shock, so the {n} cases are not "
            "independent: one year's evidence, thin"
        )

    skipped = f"; unit changed, not compared: {', '.join(changed)}" if changed else ""
    nominal = pd.DataFrame(
        {
            "iso3": table.index,
            "year": year,
            "amount": central / 100,  # 1% of the forecast GDP
            "gdp_base": table["gdp_national_current_base"],
            "growth": growth,
            "inflation": inflation,
            "outcome": 100 * (central / 100) / table["gdp_national_current_out"],
        }
    ).reset_index(drop=True)
    forecast_growth = real_table["gdp_real_growth"]
    real = pd.DataFrame(
        {
            "iso3": real_table.index,
            "year": year,
            "amount": 1 + forecast_growth / 100,  # 1% of the forecast real GDP (base 100)
            "gdp_base": 100.0,
            "growth": forecast_growth,
            "inflation": 0.0,
            "outcome": (1 + forecast_growth / 100) / (1 + real_table["gdp_real_growth_out"] / 100),
        }
    ).reset_index(drop=True)
    growth_only = replace(gdp_only, inflation_sd=0.0, inflation_bias=0.0, corr=0.0)
    return (
        Cases(
            test="nominal GDP",
            compares=f"{compares} (nominal GDP, national currency)",
            frame=nominal,
            uncertainty=gdp_only,
            source_ids=frozenset(table["source_id"]) | frozenset(table["source_id_out"]),
            note=f"the GDP model's first year; {one_year(len(nominal))}{skipped}",
        ),
        Cases(
            test="real growth",
            compares=f"{compares} (real GDP growth)",
            frame=real,
            uncertainty=growth_only,
            source_ids=frozenset(real_table["source_id"]) | frozenset(real_table["source_id_out"]),
            note=f"growth errors alone (inflation fixed); {one_year(len(real))}",
        ),
    )


def backtest(
    store: Store, draws: int = 20_000, seed: int = 1, uncertainty: Uncertainty | None = None
) -> Result:
    """Coverage of the model's 50% and 90% bands on what the editions held allow.

    Args:
        store: the store.
        draws: Monte Carlo draws per test (20,000 puts the band edges within about 0.005 of
            their probability).
        seed: the seed of every test's run (reproducible).
        uncertainty: the model to check; None = the ``default`` preset. Spending settings left
            None are calibrated leave-one-out (an ally's own errors never set its band).

    Returns:
        Result of kind ``backtest``: one row per test: ``test, compares, n, inside_50,
        inside_90`` (shares of the outcomes inside the bands, 0-1; right = 0.5 and 0.9),
        ``below_90, above_90`` (shares below the 5th and above the 95th percentile), ``note``
        (what to keep in mind; "too thin" under 20 cases; the binomial standard errors).
        ``extra["cases"]``: every case (``test, iso3, year, outcome, p_above, inside_50,
        inside_90``); ``extra["uncertainty"]``: the preset's name and source.

    Raises:
        InputError: ``uncertainty`` is not an Uncertainty, or bad draws/seed (from the engine).
    """
    uncertainty = checked(uncertainty)
    tests = [
        spending_cases(store, uncertainty),
        share_cases(store, uncertainty, NATO_PAIR[0], 2024, "the year was half gone"),
        share_cases(store, uncertainty, "2025-08", 2024, "the year was over"),
    ]
    tests += weo_cases(store, uncertainty)
    rows, cases, ids = [], [], set()
    for test in tests:
        positions = band_positions(test, draws, seed) if len(test.frame) else test.frame
        rows.append(coverage_row(test, positions))
        if len(test.frame):
            cases.append(positions.assign(test=test.test))
        ids |= test.source_ids
    frame = pd.DataFrame(rows, columns=COLUMNS)
    keep = ["test", "iso3", "year", "outcome", "p_above", "inside_50", "inside_90"]
    return Result(
        kind="backtest",
        frame=frame,
        units={c: SHARE_OF_CASES for c in COLUMNS[3:7]},
        sources=store.origins(ids),
        query={"draws": draws, "seed": seed, "uncertainty": uncertainty.name or "custom"},
        notes=[
            *(f"{row['test']}: {row['note']}" for row in rows if "too thin" in str(row["note"])),
            TOO_THIN,
        ],
        caveats=[
            "Every test covers the first projection year only: the editions held span one "
            "year, so the growth of errors with the horizon is not checked.",
            "The NATO tests calibrate the spending error on the same pair of editions "
            "(leave-one-out across allies, not out of sample in time).",
        ],
        extra={
            "cases": pd.concat(cases, ignore_index=True)[keep] if cases else pd.DataFrame(),
            "uncertainty": {"name": uncertainty.name, "source": uncertainty.source},
        },
    )
