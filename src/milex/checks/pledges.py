"""National plans checked: does a pledged amount equal the pledged share of projected GDP, and
is the plan on a path to the Hague guideline of its scope?

The rules (which guideline a scope is measured against, which amounts are not annual, the
tolerance) are in ``data/conventions.toml``. All inputs come from two queries.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from milex.catalog import read_toml
from milex.errors import InputError
from milex.projection.outlook import Inputs, base, fetch, nominal_gdp
from milex.result import Result
from milex.store import Store
from milex.targets import resolve_target
from milex.vocab import PERCENT_GDP, POINTS_GDP, rescale


def rules() -> dict:
    """The pledge rules of ``conventions.toml``: ``scope_guideline``, ``not_annual`` (a regular
    expression) and ``tolerance_pp`` (percentage points of GDP)."""
    return read_toml("conventions.toml")["pledges"]


def check_pledges(
    store: Store,
    pledges: pd.DataFrame,
    tolerance_pp: float | None = None,
    vintage: str | None = None,
) -> Result:
    """Check national plans (``pledges`` has the columns of ``pledges.csv``).

    Adds ``gdp`` (million national currency, the GDP of the pledge's year, see
    :func:`milex.projection.outlook.nominal_gdp`), ``currency`` (of that GDP),
    ``implied_share`` (the amount as percent of that GDP), ``implied_amount`` (the share of that
    GDP, billion national currency), ``difference_pp`` (implied minus pledged share),
    ``adds_up`` (within ``tolerance_pp``, default from ``conventions.toml``),
    ``hague_path_share`` (where a linear path from NATO's latest share to the guideline of the
    pledge's scope stands that year; held flat for an ally already above it), ``on_path`` and
    ``flag`` (the reasons, in words). ``vintage``: NATO's edition the GDP and the paths start
    from (default: the newest); ``query`` names it and the WEO's.
    """
    if tolerance_pp is None:
        tolerance_pp = rules()["tolerance_pp"]
    if not 0 <= tolerance_pp <= 5:
        raise InputError(
            f"tolerance_pp {tolerance_pp:g} is out of range: give percentage points of GDP "
            "from 0 to 5 (e.g. 0.1)"
        )
    codes = sorted(set(pledges["iso3"]) - {"NATO"})
    inputs = fetch(store, codes, vintage=vintage)
    rows, sources = [], set()
    for pledge in pledges.to_dict("records"):
        checked = _check_one(inputs, pledge, tolerance_pp)
        sources |= checked.pop("sources")
        rows.append({**pledge, **checked})
    table = pd.DataFrame(rows)
    if len(table):
        table["target_year"] = table["target_year"].astype("Int64")
    return Result(
        kind="pledges",
        frame=table,
        units={
            "target_share_gdp": PERCENT_GDP,
            "target_amount": "billion, in amount_currency (see amount_unit)",
            "gdp": "million national currency, current prices",
            "implied_share": PERCENT_GDP,
            "implied_amount": "billion national currency, current prices",
            "difference_pp": POINTS_GDP,
            "hague_path_share": PERCENT_GDP,
        },
        sources=store.origins(sources),
        query={
            "tolerance_pp": tolerance_pp,
            "weo_vintage": inputs.weo_vintage,
            "vintage": inputs.vintage,
        },
    )


def _check_one(inputs: Inputs, pledge: dict, tolerance_pp: float) -> dict:
    out: dict = {
        "gdp": np.nan,
        "currency": None,
        "implied_share": np.nan,
        "implied_amount": np.nan,
        "difference_pp": np.nan,
        "adds_up": None,
        "hague_path_share": np.nan,
        "on_path": None,
        "sources": set(),
    }
    flags = []
    iso3, year = pledge["iso3"], pledge["target_year"]
    share, amount = pledge["target_share_gdp"], pledge["target_amount"]
    if iso3 == "NATO" or pd.isna(year):
        out["flag"] = "alliance-wide commitment" if iso3 == "NATO" else "no target year given"
        return out
    year = int(year)
    outlook_gdp, out["sources"] = nominal_gdp(inputs, iso3, [year])
    gdp = outlook_gdp.iloc[0]
    out["gdp"], out["currency"] = gdp["gdp"], gdp["currency"]
    unit = pledge["amount_unit"] if isinstance(pledge["amount_unit"], str) else ""
    annual = unit.startswith("billion") and not re.search(rules()["not_annual"], unit)
    if pd.notna(amount) and not annual:
        flags.append(f"amount is {pledge['amount_unit']}, not an annual figure: not compared")
    elif pd.notna(amount) and pledge["amount_currency"] != gdp["currency"]:
        flags.append(f"amount in {pledge['amount_currency']}, GDP in {gdp['currency']}")
    elif pd.notna(amount):
        out["implied_share"] = 100 * rescale(amount, "billion", "million") / gdp["gdp"]
    if pd.notna(share):
        out["implied_amount"] = rescale(share / 100 * gdp["gdp"], "million", "billion")
    if pd.notna(share) and pd.notna(out["implied_share"]):
        out["difference_pp"] = out["implied_share"] - share
        out["adds_up"] = bool(abs(out["difference_pp"]) <= tolerance_pp)
        if not out["adds_up"]:
            flags.append(
                f"{amount:g} bn {pledge['amount_currency']} is {out['implied_share']:.2f}% of "
                f"projected GDP, not {share:g}%"
            )
    planned = share if pd.notna(share) else out["implied_share"]
    guideline = resolve_target(rules()["scope_guideline"][pledge["scope"]])
    try:
        start = base(inputs, iso3)
    except InputError:
        start = None
    if start is not None and pd.notna(planned) and start.year < year <= guideline.by:
        goal = max(start.share, guideline.share)  # an ally above the guideline holds its share
        steps = (year - start.year) / (guideline.by - start.year)
        out["hague_path_share"] = start.share + (goal - start.share) * steps
        out["on_path"] = bool(planned >= out["hague_path_share"] - 1e-9)
        if not out["on_path"]:
            where = f"{guideline.share:g}%" if goal == guideline.share else f"{goal:.2f}% (held)"
            flags.append(
                f"below a linear path to {where} by {guideline.by} "
                f"({out['hague_path_share']:.2f}% in {year})"
            )
    if pledge["scope"] == "national budget line":
        flags.append("national budget definition, not NATO's: comparison indicative")
    if pledge["scope"] == "total" and out["on_path"] is not None:
        flags.append("path starts from core spending only (the 1.5% is in no NATO table)")
    out["flag"] = "; ".join(flags)
    return out
