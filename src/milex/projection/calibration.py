"""How far NATO's spending estimates land from the actual figures: the spending error of the
Monte Carlo model (``Uncertainty.spend_bias`` and ``spend_sd``), calibrated from the editions
held.

An *estimate* is a figure with status ``estimate`` in one NATO edition (the budget of the year
of the edition, or a preliminary outturn of the year before); its *actual* is the figure of the
same ally, year and unit with status ``actual`` in the newest later edition held. The relative
error, in percent of the estimate, is ``100 * (actual - estimate) / estimate``: outturn minus
plan, negative = less was spent (or reported) than estimated. Indicator: defence expenditure in
national currency, current prices (``spend_national_current``).

The rule (see :func:`error_statistics`): an ally with at least :data:`MIN_PAIRS` pairs gets its
own bias and sd (basis ``ally``); with fewer, the pooled sd and its own mean shrunk toward the
pooled mean by an empirical-Bayes weight (basis ``pooled``). Written up in docs/uncertainty.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from milex.errors import InputError
from milex.store import Store

#: The indicator compared: defence expenditure, million national currency, current prices.
INDICATOR = "spend_national_current"

#: Pairs an ally needs for its own sd (and unshrunk bias). A sample sd from n pairs has n - 1
#: degrees of freedom; with 4 (n = 5) the 90% interval of s / sigma is
#: sqrt(chi2_4(0.05) / 4) = sqrt(0.711 / 4) = 0.42 to sqrt(chi2_4(0.95) / 4) = sqrt(9.488 / 4)
#: = 1.54; with 2 pairs (1 df) it is 0.06 to 1.96, which says next to nothing about one ally.
MIN_PAIRS = 5

#: Fewer pooled pairs than this and the pooled figures are flagged as thin in the note: the
#: standard error of a pooled sd is about sd / sqrt(2 (n - 1)), a third of it at n = 5, and a
#: sixth at n = 20 (the margin the note calls enough).
THIN_POOLED = 20

#: The columns of :attr:`SpendingErrors.table`.
TABLE_COLUMNS = ["iso3", "n", "bias_pct", "sd_pct", "basis"]


@dataclass(frozen=True)
class SpendingErrors:
    """NATO's spending estimates against the actual figures of later editions.

    Attributes:
        table: one row per ally with pairs: ``iso3``, ``n`` (pairs), ``bias_pct`` (percent of
            the estimate, the mean error used for the ally: own or shrunk), ``sd_pct`` (percent,
            own or pooled), ``basis`` (``ally`` | ``pooled``).
        pooled_bias_pct: percent; mean relative error over every pair (NaN without pairs).
        pooled_sd_pct: percent; sample sd (ddof 1) over every pair (NaN with fewer than 2).
        pooled_n: pairs in all.
        pairs: the edition pairs compared, (estimate vintage, actual vintage).
        source_ids: the store's source ids of the figures compared.
        note: in words: what was compared, the rule, and what is too thin.
        errors: the pairs themselves: ``iso3, year, estimate_vintage, actual_vintage,
            estimate, actual, unit, error_pct`` (million national currency, current prices;
            percent).
        shrink_weight: per ally (basis ``pooled``) the weight of its own mean in its bias, in
            [0, 1].
    """

    table: pd.DataFrame
    pooled_bias_pct: float
    pooled_sd_pct: float
    pooled_n: int
    pairs: list[tuple[str, str]] = field(default_factory=list)
    source_ids: set[str] = field(default_factory=set)
    note: str = ""
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)
    shrink_weight: dict[str, float] = field(default_factory=dict)

    def for_country(self, iso3: str) -> tuple[float, float, str]:
        """(bias_pct, sd_pct, basis) for ``iso3``: its row, or the pooled figures (basis
        ``pooled``) for an ally without pairs; ``(nan, nan, "none")`` when nothing could be
        calibrated (no pairs, or fewer than 2 for a pooled sd)."""
        row = self.table[self.table["iso3"] == iso3]
        if not row.empty:
            first = row.iloc[0]
            return float(first["bias_pct"]), float(first["sd_pct"]), str(first["basis"])
        if math.isnan(self.pooled_sd_pct):
            return math.nan, math.nan, "none"
        return self.pooled_bias_pct, self.pooled_sd_pct, "pooled"


def relative_errors(frame: pd.DataFrame) -> pd.Series:
    """Percent: ``100 * (actual - estimate) / estimate`` of a frame with those columns."""
    return 100.0 * (frame["actual"] - frame["estimate"]) / frame["estimate"]


def error_statistics(frame: pd.DataFrame, min_pairs: int = MIN_PAIRS) -> SpendingErrors:
    """The statistics of estimate-actual pairs: pure, no store (tests feed synthetic histories).

    Args:
        frame: one row per pair: ``iso3``, ``year``, ``estimate``, ``actual`` (any positive
            amounts in one unit per row; other columns are kept in ``errors``).
        min_pairs: pairs an ally needs for its own bias and sd.

    The rule. ``e`` = relative error (percent); pooled bias = mean of all ``e``, pooled sd =
    their sample sd. For an ally with ``n >= min_pairs``: its own mean and sd (``ally``). For
    fewer: the pooled sd, and its mean shrunk toward the pooled mean with the weight
    ``w = tau2 / (tau2 + s2_within / n)`` (``pooled``), where ``s2_within`` is the pooled
    variance of the errors around each ally's own mean and ``tau2`` the variance of the allies'
    true biases, by the one-way analysis-of-variance moment estimator
    ``tau2 = max(0, (sum n_i (m_i - m)^2 - (k - 1) s2_within) / (N - sum n_i^2 / N))``. With no
    ally-to-ally spread beyond noise, ``w = 0``: the pooled bias. When no ally has two pairs
    ``s2_within`` is unknown and ``w = 0``.

    Raises:
        InputError: a column is missing, or an estimate is not a positive number.
    """
    missing = [c for c in ("iso3", "year", "estimate", "actual") if c not in frame.columns]
    if missing:
        raise InputError(
            f"the pairs lack the column(s) {', '.join(missing)}; give iso3, year, estimate "
            "and actual (one row per estimate and its later actual figure)."
        )
    estimate = pd.to_numeric(frame["estimate"], errors="coerce")
    if len(frame) and not (estimate > 0).all():
        raise InputError(
            "every estimate must be a positive amount (the error is relative to it); "
            "drop the pairs with a zero, negative or missing estimate."
        )
    errors = frame.assign(error_pct=relative_errors(frame)).reset_index(drop=True)
    e = errors["error_pct"].to_numpy(float)
    n_all = len(e)
    pooled_bias = float(e.mean()) if n_all else math.nan
    pooled_sd = float(e.std(ddof=1)) if n_all >= 2 else math.nan
    groups = errors.groupby("iso3", sort=True)["error_pct"]
    n_i, m_i, s_i = groups.size(), groups.mean(), groups.std(ddof=1)
    k = len(n_i)
    s2_within = (
        float(((errors["error_pct"] - groups.transform("mean")) ** 2).sum() / (n_all - k))
        if n_all > k
        else math.nan
    )
    tau2 = 0.0
    if n_all > k and k > 1:
        spread = float((n_i * (m_i - pooled_bias) ** 2).sum()) - (k - 1) * s2_within
        tau2 = max(0.0, spread / (n_all - float((n_i**2).sum()) / n_all))
    rows, weights = [], {}
    for iso3 in n_i.index:
        n = int(n_i[iso3])
        if n >= min_pairs:
            rows.append((iso3, n, float(m_i[iso3]), float(s_i[iso3]), "ally"))
            continue
        w = tau2 / (tau2 + s2_within / n) if tau2 > 0 else 0.0
        weights[iso3] = w
        bias = w * float(m_i[iso3]) + (1 - w) * pooled_bias
        rows.append((iso3, n, bias, pooled_sd, "pooled"))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    table["n"] = table["n"].astype(int)
    note = _note(n_i, n_all, min_pairs, tau2, s2_within)
    return SpendingErrors(
        table=table,
        pooled_bias_pct=pooled_bias,
        pooled_sd_pct=pooled_sd,
        pooled_n=n_all,
        note=note,
        errors=errors,
        shrink_weight=weights,
    )


def _note(n_i: pd.Series, n_all: int, min_pairs: int, tau2: float, s2_within: float) -> str:
    """The note of :func:`error_statistics`: pairs, basis, shrinkage, thinness."""
    if n_all == 0:
        return "no estimate with a later actual figure: spending errors cannot be calibrated"
    if n_all < 2:
        return "1 pair in all: too thin for any sd; spending errors cannot be calibrated"
    own = int((n_i >= min_pairs).sum())
    counts = sorted(set(n_i.tolist()))
    per_ally = (
        f"{counts[0]} pairs per ally" if len(counts) == 1 else f"{counts[0]}-{counts[-1]} pairs"
    )
    parts = [f"{n_all} pairs from {len(n_i)} allies ({per_ally})"]
    if own == len(n_i):
        parts.append(f"each ally has its own bias and sd (>= {min_pairs} pairs)")
    elif own == 0:
        parts.append(
            f"too thin for an ally's own sd (needs {min_pairs}): pooled sd, each ally's bias "
            "shrunk toward the pooled one"
        )
    else:
        parts.append(
            f"{own} allies with >= {min_pairs} pairs have their own bias and sd; the others the "
            "pooled sd and a bias shrunk toward the pooled one"
        )
    if math.isnan(s2_within):
        parts.append("no ally has two pairs, so no bias of its own (pooled bias for all)")
    elif tau2 == 0.0:
        parts.append("allies differ no more than noise: the pooled bias for all")
    if n_all < THIN_POOLED:
        parts.append(f"fewer than {THIN_POOLED} pairs in all: the pooled sd itself is thin")
    return "; ".join(parts)


def estimate_actual_pairs(
    store: Store, vintage: str | None = None, indicator: str = INDICATOR
) -> tuple[pd.DataFrame, list[str]]:
    """Every NATO estimate of ``indicator`` in an edition up to ``vintage`` with the actual
    figure of the newest later edition up to ``vintage`` (same ally, year and unit).

    Returns:
        (pairs, skipped): pairs with columns ``iso3, year, estimate_vintage, actual_vintage,
        estimate, actual, unit, source_id_estimate, source_id_actual``; skipped: one sentence
        per ally whose unit changed between the editions (never compared).
    """
    obs = store.observations("nato", vintage="all", indicators=[indicator])
    if vintage is not None:
        obs = obs[obs["vintage"] <= vintage]
    keys = ["iso3", "year"]
    estimates = obs[obs["status"] == "estimate"]
    actuals = obs[obs["status"] == "actual"].sort_values("vintage")
    both = estimates.merge(actuals, on=keys, suffixes=("_e", "_a"))
    both = both[both["vintage_a"] > both["vintage_e"]]
    both = both.groupby(["iso3", "year", "vintage_e"], as_index=False).last()  # newest actual
    changed = both[both["unit_e"] != both["unit_a"]]
    skipped = [
        f"{iso3}: unit {g['unit_e'].iloc[0]} in {g['vintage_e'].iloc[0]} but "
        f"{g['unit_a'].iloc[0]} in {g['vintage_a'].iloc[0]}, not compared"
        for iso3, g in changed.groupby("iso3")
    ]
    both = both[both["unit_e"] == both["unit_a"]]
    pairs = pd.DataFrame(
        {
            "iso3": both["iso3"],
            "year": both["year"].astype(int),
            "estimate_vintage": both["vintage_e"],
            "actual_vintage": both["vintage_a"],
            "estimate": both["value_e"].astype(float),
            "actual": both["value_a"].astype(float),
            "unit": both["unit_e"],
            "source_id_estimate": both["source_id_e"],
            "source_id_actual": both["source_id_a"],
        }
    ).reset_index(drop=True)
    return pairs, skipped


def spending_errors(store: Store, vintage: str | None = None) -> SpendingErrors:
    """NATO's spending estimates (national currency, current prices) against the actual
    figures of later editions, by ally where the history allows, pooled otherwise.

    Args:
        store: the store.
        vintage: use only NATO editions up to this one (``YYYY-MM``); None = all held.

    Returns:
        :class:`SpendingErrors` (percent of the estimate; see :func:`error_statistics`).

    Raises:
        InputError: ``vintage`` is not a ``YYYY-MM`` text.
    """
    if vintage is not None and (
        not isinstance(vintage, str) or len(vintage) != 7 or vintage[4] != "-"
    ):
        raise InputError(
            f"vintage must be a NATO edition such as '2026-07' (YYYY-MM), got {vintage!r}; "
            "see `milex vintages`."
        )
    pairs, skipped = estimate_actual_pairs(store, vintage)
    stats = error_statistics(pairs)
    edition_pairs = sorted(
        set(zip(pairs["estimate_vintage"], pairs["actual_vintage"], strict=True))
    )
    used = ", ".join(f"{e} estimates vs {a} actuals" for e, a in edition_pairs) or "no pairs"
    note = f"NATO defence expenditure, national currency, current prices: {used}; {stats.note}"
    if skipped:
        note += "; " + "; ".join(skipped)
    ids = set(pairs["source_id_estimate"]) | set(pairs["source_id_actual"])
    return SpendingErrors(
        table=stats.table,
        pooled_bias_pct=stats.pooled_bias_pct,
        pooled_sd_pct=stats.pooled_sd_pct,
        pooled_n=stats.pooled_n,
        pairs=[(str(e), str(a)) for e, a in edition_pairs],
        source_ids={str(i) for i in ids},
        note=note,
        errors=stats.errors,
        shrink_weight=stats.shrink_weight,
    )
