"""What changed between two editions of a source: new, dropped and revised figures, estimates
that became actuals, and units that changed.

Both editions are tidy rows (``iso3, year, indicator, value, unit, status``; other columns are
ignored); a figure is one ``(iso3, year, indicator)`` and each edition holds it at most once.
:func:`compare` returns one row per figure of either edition with its ``kind``:

* ``new``: only the newer edition has it; ``dropped``: only the older one;
* ``unit changed``: both have it in different units (constant 2015 against constant 2021
  prices, BGN against EUR). Such figures are never subtracted: ``change`` and ``relative``
  stay missing;
* ``revised``: the value moved by at least ``threshold`` of the old value;
* ``unchanged``: the same value, or a move smaller than ``threshold``.

``became_actual`` says that the old edition's estimate (or projection) is an actual figure in
the new one, whatever happened to its value. ``listed`` marks the rows a report of the changes
shows: every kind but ``unchanged``, and the unchanged figures that became actual.

The threshold is a fraction of the old value (``0.05`` = 5%) compared with the absolute
relative change, rounded to 12 decimals so that a change of exactly 5% is 5% (floating point
makes 1.00 -> 1.05 a change of 0.050000000000000044). An old value of exactly zero has no
relative change (``relative`` missing): any move away from zero is listed as revised, whatever
the threshold. Figures are compared at the precision of the coarser edition: for each
indicator, the most decimals any of an edition's values is written with (NATO's shares 2, the
reference compilation's SIPRI shares 4; SIPRI's own workbook stores 15 digits), so that a full
copy of an edition does not "revise" the rounded subset milex ships, while 4.12 -> 3.75 is a
revision: a figure moved when it differs by more than half a unit of that last decimal (the
largest difference rounding can make). Values equal to a relative 1e-9 (a reader's arithmetic
noise) are unchanged too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from milex.errors import InputError

#: The figure a row is about, and the columns read from each edition.
KEY = ["iso3", "year", "indicator"]
COLUMNS = [*KEY, "value", "unit", "status"]
#: The kinds of :func:`compare`, in the order reports show them.
KINDS = ("revised", "new", "dropped", "unit changed", "unchanged")
#: Statuses that are not yet actual figures (NATO's and SIPRI's estimates, the IMF's
#: projections).
PROVISIONAL = ("estimate", "projection")
#: The columns of :func:`compare`'s frame.
CHANGE_COLUMNS = [
    *KEY,
    "kind",
    "became_actual",
    "listed",
    "moved",
    "old_value",
    "new_value",
    "change",
    "change_unit",
    "relative",
    "old_unit",
    "new_unit",
    "old_status",
    "new_status",
]
#: Relative difference below which two values are the same figure (floating-point noise).
SAME = 1e-9
#: Decimals the relative change is rounded to before it meets the threshold.
DECIMALS = 12
#: The most decimals a figure is taken to be written with (beyond: floating-point noise).
MAX_DECIMALS = 12


def compare(old: pd.DataFrame, new: pd.DataFrame, threshold: float = 0.0) -> pd.DataFrame:
    """Every figure of the ``old`` and ``new`` editions with what happened to it (see the
    module's documentation for the kinds and the rules).

    ``threshold`` is the smallest relative change listed as a revision, a fraction from 0
    (0.05 = 5%). Columns (:data:`CHANGE_COLUMNS`): ``iso3, year, indicator``; ``kind``;
    ``became_actual``, ``listed`` and ``moved`` (yes/no; moved: beyond the coarser
    edition's precision, whatever the threshold); ``old_value`` and ``new_value`` in their units
    ``old_unit`` and ``new_unit``; ``change`` (new minus old) in ``change_unit`` (the
    figure's unit; percentage points for a share in percent); ``relative`` (the change as a
    fraction of the absolute old value: -0.09 = 9% lower); ``old_status`` and ``new_status``.
    Sorted by country, indicator and year. Raises :class:`InputError` for a missing column,
    a figure held twice in one edition or a threshold below zero.
    """
    if not threshold >= 0:
        raise InputError(f"threshold: got {threshold}; give a fraction from 0 (0.05 = 5%)")
    both = _edition(old, "old").merge(_edition(new, "new"), on=KEY, how="outer")
    has_old, has_new = both["old_value"].notna(), both["new_value"].notna()
    same_unit = both["old_unit"] == both["new_unit"]
    # rounded to 10 decimals: 1.86 - 1.88 is -0.02, not -0.019999999999999796
    change = (both["new_value"] - both["old_value"]).where(same_unit).round(10)
    base = both["old_value"].abs()
    relative = (change / base).where(base > 0)
    scale = 10.0 ** np.minimum(_precision(both, "old"), _precision(both, "new"))
    # beyond the rounding of the coarser edition (half its last decimal, which rounding either
    # way may take), and beyond floating-point noise
    beyond = (change.abs() * scale).round(6) > 0.5
    moved = beyond & (change.abs() > SAME * np.maximum(base, both["new_value"].abs()))
    large = relative.abs().round(DECIMALS) >= threshold
    both["kind"] = np.select(
        [~has_old, ~has_new, ~same_unit, moved & (large | relative.isna())],
        ["new", "dropped", "unit changed", "revised"],
        "unchanged",
    )
    both["change"] = change.where(has_old & has_new)
    both["change_unit"] = (
        both["old_unit"].where(both["change"].notna()).map(change_unit, na_action="ignore")
    )
    both["relative"] = relative.round(DECIMALS)
    both["moved"] = moved.fillna(False).astype(bool)
    both["became_actual"] = both["old_status"].isin(PROVISIONAL) & (both["new_status"] == "actual")
    both["listed"] = (both["kind"] != "unchanged") | both["became_actual"]
    both = both.sort_values(["iso3", "indicator", "year"], ignore_index=True)
    return both[CHANGE_COLUMNS]


def _precision(both: pd.DataFrame, side: str) -> pd.Series:
    """For each row, the decimals ``side``'s edition writes its indicator with: the most
    decimals of any of its values of that indicator in their shortest exact form (3.75 -> 2,
    1500.0 -> 0), at most :data:`MAX_DECIMALS`."""

    def count(value: float) -> int:
        text = np.format_float_positional(value, trim="-")
        return min(len(text.partition(".")[2]), MAX_DECIMALS)

    values = both[f"{side}_value"]
    distinct = values.dropna().unique()
    decimals = values.map(dict(zip(distinct, map(count, distinct), strict=True)))
    return decimals.groupby(both["indicator"]).transform("max").fillna(MAX_DECIMALS)


def _edition(frame: pd.DataFrame, side: str) -> pd.DataFrame:
    """One edition's figures, their value, unit and status columns prefixed with ``side``."""
    absent = [c for c in COLUMNS if c not in frame.columns]
    if absent:
        raise InputError(f"the {side} edition has no {', '.join(absent)} column")
    rows = frame[COLUMNS].astype({"year": "int64", "value": "float64"})
    twice = rows[rows.duplicated(KEY)]
    if not twice.empty:
        first = twice.iloc[0]
        raise InputError(
            f"the {side} edition holds {first['iso3']} {first['year']} {first['indicator']} "
            "more than once: give one edition of one source"
        )
    return rows.rename(columns={c: f"{side}_{c}" for c in ("value", "unit", "status")})


def listed(changes: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`compare` a report shows (``listed``), renumbered."""
    return changes[changes["listed"]].reset_index(drop=True)


def summary(changes: pd.DataFrame) -> dict[str, int]:
    """How many figures of :func:`compare`'s frame are ``new``, ``dropped``, ``revised``,
    ``unit_changed``, ``unchanged`` (equal at the coarser edition's precision, or moved less
    than the threshold: ``below_threshold`` of them) and ``became_actual`` (counted whatever
    their kind); ``figures`` in all."""
    kinds = changes["kind"].value_counts()
    unchanged = changes[changes["kind"] == "unchanged"]
    return {
        "figures": len(changes),
        "new": int(kinds.get("new", 0)),
        "dropped": int(kinds.get("dropped", 0)),
        "revised": int(kinds.get("revised", 0)),
        "unit_changed": int(kinds.get("unit changed", 0)),
        "unchanged": len(unchanged),
        "below_threshold": int(unchanged["moved"].sum()),
        "became_actual": int(changes["became_actual"].sum()),
    }


def change_unit(unit: str) -> str:
    """The unit of a change of a figure in ``unit``: percentage points for a percentage
    ("percent of GDP" -> "percentage points of GDP"), else the unit itself."""
    if unit.startswith("percent"):
        return "percentage points" + unit.removeprefix("percent")
    return unit
