"""Where projections start and how GDP grows: NATO's base figures and the IMF's outlook.

GDP: a year with a NATO figure uses the GDP behind that figure (:func:`milex.money.gdp_behind`),
so that a path starts exactly at NATO's number. Later years grow it with the IMF WEO's real GDP
growth and GDP-deflator inflation up to the WEO horizon, then at ``growth_after`` /
``inflation_after`` percent a year (default: the WEO's rates for its last year). NATO's
edition is the newest with spending in national currency and the WEO's the newest with
deflators, unless others are asked for (:func:`edition`); every result says which. A country
without NATO figures (Russia) uses the WEO's nominal GDP.

All inputs for a set of countries come from two queries (:func:`fetch`); everything else here is
arithmetic on them. Money is million national currency unless a name says otherwise; shares and
rates are percent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from milex.catalog import read_toml
from milex.errors import InputError
from milex.money import GAP_INDICATORS, gdp_behind
from milex.store import Store
from milex.targets import missing_reason
from milex.vocab import currency_of, rescale

#: Accepted range for growth and inflation after the WEO horizon, percent a year.
RATE_RANGE = (-50.0, 100.0)
#: WEO indicators an outlook reads.
WEO_INDICATORS = ["gdp_real_growth", "gdp_deflator", "gdp_national_current"]


@dataclass(frozen=True)
class Base:
    """A country's starting point: NATO's figures for ``year``. ``spend`` and ``gdp`` are
    million national currency at current prices, ``share`` their ratio in percent (NATO's
    share unrounded: it agrees with the printed two decimals), ``gdp_usd_const`` NATO's GDP
    in million USD at 2021 prices and exchange rates, ``usd_per_unit`` that year's exchange rate."""

    iso3: str
    year: int
    share: float
    spend: float
    gdp: float
    gdp_usd_const: float
    currency: str
    usd_per_unit: float
    status: str
    vintage: str
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class Inputs:
    """What projections read for a set of countries: one NATO edition's figures (``vintage``,
    tidy) and one WEO edition's growth, deflator and nominal GDP (``weo_vintage``, tidy)."""

    store: Store
    nato: pd.DataFrame
    weo: pd.DataFrame
    weo_vintage: str
    vintage: str

    @cached_property
    def nato_rows(self) -> dict[str, pd.DataFrame]:
        """NATO's tidy rows by country (computed once: a group or the pledge registry asks
        for each country several times)."""
        return dict(tuple(self.nato.groupby("iso3", sort=False)))

    @cached_property
    def nato_wide(self) -> pd.DataFrame:
        """NATO's figures, one row per country and year (years with a share, national and USD
        spending), the GAP indicators as columns; one pivot for every country."""
        wide = self.nato.pivot_table(index=["iso3", "year"], columns="indicator", values="value")
        wide = wide.reindex(columns=GAP_INDICATORS)
        return wide.dropna(subset=["share_gdp", "spend_national_current", "spend_usd_current"])

    @cached_property
    def weo_rows(self) -> dict[str, pd.DataFrame]:
        """The WEO's tidy rows by country."""
        return dict(tuple(self.weo.groupby("iso3", sort=False)))


@dataclass(frozen=True)
class Growth:
    """A GDP outlook for the years after ``first``: ``table`` has ``year, real_growth,
    inflation`` (percent), ``basis`` (``weo <vintage>`` or ``extrapolated``), ``real_index``
    and ``deflator_index`` (growth since ``first``, 1.0 = none); ``source_ids`` the WEO
    figures used."""

    table: pd.DataFrame
    source_ids: tuple[str, ...]


def outlook_source() -> str:
    """The source of GDP outlooks (``conventions.toml``: the IMF WEO)."""
    return read_toml("conventions.toml")["outlook"]["source"]


def edition(
    store: Store, source: str, vintage: str | None, indicator: str, purpose: str = ""
) -> str:
    """The edition of ``source`` to read: ``vintage`` when the store holds it with figures of
    ``indicator``, or (None) the newest edition that has them. Anything else is refused
    (InputError) naming the editions held, or those with ``indicator`` and why they are needed
    (``purpose``, e.g. "projections start from them")."""
    label, why = source.upper(), f" ({purpose})" if purpose else ""
    if vintage is None:
        newest = store.newest_vintage(source, indicator)
        if newest is None:
            raise InputError(f"the store holds no {label} edition with {indicator} figures{why}")
        return newest
    held = store.editions().query("source == @source")["vintage"].tolist()
    if vintage not in held:
        raise InputError(f"unknown {label} edition {vintage!r}: known are {', '.join(held)}")
    coverage = store.coverage(source).query("indicator == @indicator")
    having = coverage["vintage"].tolist()
    if vintage not in having:
        raise InputError(
            f"{label} edition {vintage} has no {indicator} figures{why}: editions with them "
            f"are {', '.join(having)}"
        )
    return vintage


def fetch(
    store: Store, codes: list[str], weo_vintage: str | None = None, vintage: str | None = None
) -> Inputs:
    """NATO's and the WEO's figures for ``codes``, in two queries. ``vintage`` picks NATO's
    edition (default: the newest with spending in national currency), ``weo_vintage`` the
    WEO's (default: the newest with GDP deflators); see :func:`edition`."""
    source = outlook_source()
    weo_vintage = edition(store, source, weo_vintage, "gdp_deflator", "GDP grows with them")
    vintage = edition(
        store, "nato", vintage, "spend_national_current", "projections start from them"
    )
    nato = store.observations("nato", vintage, codes, GAP_INDICATORS)
    weo = store.observations(source, weo_vintage, codes, WEO_INDICATORS)
    return Inputs(store, nato, weo, weo_vintage, vintage)


def nato_years(inputs: Inputs, iso3: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """NATO's figures for one country: one row per year with every GAP indicator (years with
    a share, national and USD spending), and the tidy rows behind them."""
    obs = inputs.nato_rows.get(iso3, inputs.nato.iloc[:0])
    if iso3 not in inputs.nato_wide.index.get_level_values("iso3"):
        return inputs.nato_wide.iloc[:0].droplevel("iso3"), obs
    return inputs.nato_wide.xs(iso3, level="iso3"), obs


def base(inputs: Inputs, iso3: str, year: int | None = None) -> Base:
    """NATO's share of GDP and spending of ``iso3`` in ``year`` (default: its latest year)."""
    wide, obs = nato_years(inputs, iso3)
    if wide.empty:
        why = missing_reason(inputs.store, iso3, vintage=inputs.vintage)
        raise InputError(f"no NATO figures for {iso3}: {why}")
    year = int(wide.index.max()) if year is None else year
    if year not in wide.index:
        raise InputError(
            f"no NATO figures for {iso3} in {year}: base years with figures are "
            f"{wide.index.min()}-{wide.index.max()} (nato {inputs.vintage})"
        )
    row = wide.loc[year]
    gdp = float(gdp_behind(wide.loc[[year]])["gdp_national_current"].iloc[0])
    used = obs[obs["year"] == year]
    unit = used.loc[used["indicator"] == "spend_national_current", "unit"].iloc[0]
    return Base(
        iso3=iso3,
        year=year,
        share=float(100 * row["spend_national_current"] / gdp),
        spend=float(row["spend_national_current"]),
        gdp=gdp,
        gdp_usd_const=float(row["gdp_usd_const"]),
        currency=currency_of(unit),
        usd_per_unit=float(row["spend_usd_current"] / row["spend_national_current"]),
        status="estimate" if (used["status"] == "estimate").any() else "actual",
        vintage=str(used["vintage"].iloc[0]),
        source_ids=tuple(sorted(used["source_id"].unique())),
    )


def check_rate(name: str, value: float | None) -> None:
    """Refuse a growth or inflation rate (percent a year) outside :data:`RATE_RANGE`."""
    low, high = RATE_RANGE
    if value is not None and not low < value <= high:
        raise InputError(
            f"{name} {value:g}% a year is out of range: give percent a year between {low:g} "
            f"and {high:g} (e.g. 1.2 for 1.2%)"
        )


def outlook(
    inputs: Inputs,
    iso3: str,
    first: int,
    last: int,
    growth_after: float | None = None,
    inflation_after: float | None = None,
) -> Growth:
    """Real growth and deflator inflation (percent) for the years ``first+1 .. last``."""
    check_rate("growth_after", growth_after)
    check_rate("inflation_after", inflation_after)
    # the year before ``first`` gives ``first``'s inflation: an outlook starting at the WEO's
    # last year (a country without NATO figures, grown past the horizon) still has rates
    rows = inputs.weo_rows.get(iso3, inputs.weo.iloc[:0])
    weo = rows[
        rows["indicator"].isin(["gdp_real_growth", "gdp_deflator"])
        & rows["year"].between(first - 1, last)
    ]
    wide = weo.pivot_table(index="year", columns="indicator", values="value")
    if wide.empty or first not in wide.index or "gdp_deflator" not in wide:
        raise InputError(f"no IMF WEO {inputs.weo_vintage} outlook for {iso3} from {first}")
    wide["inflation"] = 100 * wide["gdp_deflator"] / wide["gdp_deflator"].shift() - 100
    wide = wide.rename(columns={"gdp_real_growth": "real_growth"}).dropna()
    wide = wide[wide.index >= first]
    horizon = int(wide.index.max()) if len(wide) else first
    years = np.arange(first + 1, last + 1)
    table = wide.reindex(years)[["real_growth", "inflation"]]
    table["basis"] = np.where(years <= horizon, f"weo {inputs.weo_vintage}", "extrapolated")
    if len(wide):
        table["real_growth"] = table["real_growth"].fillna(
            wide["real_growth"].iloc[-1] if growth_after is None else growth_after
        )
        table["inflation"] = table["inflation"].fillna(
            wide["inflation"].iloc[-1] if inflation_after is None else inflation_after
        )
    table["real_index"] = (1 + table["real_growth"] / 100).cumprod()
    table["deflator_index"] = (1 + table["inflation"] / 100).cumprod()
    table.index.name = "year"
    return Growth(table.reset_index(), tuple(sorted(weo["source_id"].unique())))


def nominal_gdp(
    inputs: Inputs,
    iso3: str,
    years: list[int],
    growth_after: float | None = None,
    inflation_after: float | None = None,
) -> tuple[pd.DataFrame, set[str]]:
    """Nominal GDP (million national currency, current prices) for ``years``, and the source
    ids used.

    Years with a NATO figure take the GDP behind it; later years grow the last one with the
    WEO outlook (:func:`outlook`). A country without NATO figures takes the WEO's nominal GDP
    (billion, converted to million) and grows its last WEO year. Columns: ``year, gdp, basis,
    currency``.
    """
    wide, obs = nato_years(inputs, iso3)
    if not wide.empty:
        known = gdp_behind(wide)["gdp_national_current"]
        unit = obs.loc[obs["indicator"] == "spend_national_current", "unit"].iloc[0]
        label = f"nato {obs['vintage'].iloc[0]}"
    else:
        rows = inputs.weo_rows.get(iso3, inputs.weo.iloc[:0])
        obs = rows[rows["indicator"] == "gdp_national_current"]
        if obs.empty:
            raise InputError(
                f"no GDP for {iso3} in NATO's tables or the IMF WEO {inputs.weo_vintage}"
            )
        unit = obs["unit"].iloc[0]
        known = rescale(obs.set_index("year")["value"], unit.split()[1], "million")
        label = f"weo {inputs.weo_vintage}"
    sources = set(obs["source_id"])
    last = int(known.index.max())
    later = [y for y in years if y > last]
    grow = None
    if later:
        grow = outlook(inputs, iso3, last, max(later), growth_after, inflation_after)
        sources |= set(grow.source_ids)
        steps = grow.table.set_index("year")
    rows = []
    for year in years:
        if year in known.index:
            rows.append((year, float(known[year]), label))
        elif year > last:
            step = steps.loc[year]
            value = known[last] * step["real_index"] * step["deflator_index"]
            rows.append((year, float(value), f"projected from {last} ({step['basis']})"))
        else:
            rows.append((year, float("nan"), "no figure"))
    table = pd.DataFrame(rows, columns=["year", "gdp", "basis"])
    table["currency"] = currency_of(unit)
    return table, sources
