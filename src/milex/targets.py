"""NATO's spending guidelines (``data/guidelines.toml``) and who meets them.

Shares are percent (2.0 means 2% of GDP), never fractions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from milex import geo
from milex.datafiles import read_toml
from milex.errors import InputError
from milex.store import Store

#: Indicators shown by :func:`status`, in column order.
STATUS_INDICATORS = ["share_gdp", "spend_usd_current", "equipment_share", "real_change_pct"]
#: Guidelines checked by :func:`status`.
STATUS_GUIDELINES = ["wales-2", "hague-3.5", "wales-equipment-20"]


def guidelines() -> pd.DataFrame:
    """The guidelines of ``data/guidelines.toml``: id, label, indicator, threshold (percent),
    deadline year (``by``), scope (``core`` NATO definition or ``total`` incl. the 1.5%), source."""
    rows = [{"id": key, **value} for key, value in read_toml("guidelines.toml").items()]
    return pd.DataFrame(rows)


def meets_column(guideline_id: str) -> str:
    """Column name of a guideline's check in :func:`status` ("hague-3.5" -> "meets_hague_3_5")."""
    return "meets_" + guideline_id.replace("-", "_").replace(".", "_")


def _latest_year(store: Store, source: str, vintage: str | None) -> int:
    obs = store.observations(source, vintage, indicators=["share_gdp"])
    if obs.empty:
        edition = f" edition {vintage}" if vintage else ""
        raise InputError(f"{source}{edition} has no share-of-GDP figures: use source nato or sipri")
    return int(obs["year"].max())


def _rows_for(source: str, year: int, obs: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Entities listed by status: NATO's members that year then its aggregates; else the data's."""
    if source == "nato":
        allies = sorted(geo.members("nato", year), key=lambda c: names.get(c, c))
        return [*allies, "NATO_EUROPE_CANADA", "NATO_TOTAL"]
    return sorted(set(obs["iso3"]), key=lambda c: (c == "WLD", names.get(c, c)))


def status(store: Store, year: int | None = None, source: str = "nato", vintage: str | None = None):
    """One row per country (for NATO: per ally that year, then the two aggregates).

    Columns: ``iso3, name, kind, year``, the figures of :data:`STATUS_INDICATORS`
    (``share_gdp`` percent of GDP; ``spend_usd_current`` USD million, current prices;
    ``equipment_share`` percent of defence expenditure; ``real_change_pct`` percent on the year
    before), one boolean ``meets_*`` column per guideline of :data:`STATUS_GUIDELINES` (missing
    where the figure is missing), ``status`` (estimate if any figure is one), ``source``,
    ``vintage`` and ``note`` (why a figure is missing). ``attrs["units"]`` holds the units.
    """
    if year is None:
        year = _latest_year(store, source, vintage)
    obs = store.observations(source, vintage, indicators=STATUS_INDICATORS, years=(year, year))
    if obs.empty:
        raise _year_error(store, source, vintage, year)
    names = store.names
    codes = _rows_for(source, year, obs, names)
    wide = obs.pivot_table(index="iso3", columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(index=codes, columns=STATUS_INDICATORS)
    estimated = set(obs.loc[obs["status"] == "estimate", "iso3"])
    info = obs.groupby("iso3")[["vintage"]].max()
    info["status"] = ["estimate" if c in estimated else "actual" for c in info.index]
    table = pd.DataFrame({"iso3": codes})
    table["name"] = [names.get(c) or geo.name(c) for c in codes]
    table["kind"] = ["aggregate" if "_" in c or c == "WLD" else "country" for c in codes]
    table["year"] = year
    table = table.join(wide, on="iso3")
    rules = guidelines().set_index("id")
    for gid in STATUS_GUIDELINES:
        rule = rules.loc[gid]
        values = table[rule["indicator"]]
        table[meets_column(gid)] = (
            (values >= rule["threshold"]).astype("boolean").mask(values.isna())
        )
    table = table.join(info, on="iso3")
    table["status"] = table["status"].fillna("missing")
    table["source"] = source
    published = [i for i in STATUS_INDICATORS if i in set(obs["indicator"])]
    table["note"] = [
        _missing_note(store, source, vintage, row, published) for row in table.itertuples()
    ]
    table.attrs["units"] = dict(obs.groupby("indicator")["unit"].first())
    table.attrs["sources"] = sorted(obs["source_id"].unique())
    editions = set(obs["vintage"])
    table.attrs["column_notes"] = {
        indicator: (
            store.exact_notes(
                "missing", source, iso3=None, indicator=indicator, vintage={None, *editions}
            )
            + _edition_notes(store, source, editions)
            + ["not published in this edition"]
        )[0]
        for indicator in STATUS_INDICATORS
        if indicator not in published
    }
    return table


def _missing_note(
    store: Store, source: str, vintage: str | None, row, published: list[str]
) -> str | None:
    """Why a row lacks some of the ``published`` figures (None when nothing is missing)."""
    absent = [i for i in published if pd.isna(getattr(row, i))]
    if not absent:
        return None
    edition = vintage or (row.vintage if isinstance(row.vintage, str) else None)
    for indicator in absent:
        found = store.notes("missing", source, edition, row.iso3, indicator, row.year)
        if found:
            return found[0]
    return "not published in this edition: " + ", ".join(absent)


# --------------------------------------------------------------------------- targets and gaps

#: Range of targets accepted, percent of GDP: below 0.5 a share was most likely given as a
#: fraction (0.035 for 3.5%); Ukraine at war spends about a third of its GDP.
MIN_TARGET_SHARE, MAX_TARGET_SHARE = 0.5, 50.0
#: Range of target years accepted (the IMF outlook ends in 2030; beyond it GDP is extrapolated).
MIN_TARGET_YEAR, MAX_TARGET_YEAR = 2000, 2100


@dataclass(frozen=True)
class Target:
    """A spending target: ``share`` percent of GDP (not a fraction) by the year ``by``.

    ``scope`` is ``core`` (NATO definition, what NATO's tables measure) or ``total`` (core plus
    the Hague's up-to-1.5% of defence- and security-related spending).
    """

    share: float
    by: int
    scope: str = "core"
    label: str = ""


def resolve_target(target: float | str, by: int | None = None, scope: str = "core") -> Target:
    """A guideline id of ``guidelines.toml`` (``hague-3.5``) or a share in percent (``3.5``).

    ``by`` overrides the guideline's deadline; a bare share needs no ``by`` for a gap but paths
    do. Raises :class:`InputError` for unknown ids, non-positive or absurd shares.
    """
    if by is not None and not MIN_TARGET_YEAR <= by <= MAX_TARGET_YEAR:
        raise InputError(
            f"target year {by} is out of range: give a year from {MIN_TARGET_YEAR} to "
            f"{MAX_TARGET_YEAR}"
        )
    rules = read_toml("guidelines.toml")
    if isinstance(target, str) and target in rules:
        rule = rules[target]
        if rule["indicator"] != "share_gdp":
            raise InputError(f"guideline {target!r} is not a share of GDP: use a share of GDP")
        return Target(rule["threshold"], by or rule["by"], rule["scope"], rule["label"])
    try:
        share = float(target)
    except (TypeError, ValueError):
        raise InputError(
            f"unknown target {target!r}: give a share of GDP in percent (3.5) or a guideline "
            f"({', '.join(k for k, v in rules.items() if v['indicator'] == 'share_gdp')})"
        ) from None
    if not MIN_TARGET_SHARE <= share <= MAX_TARGET_SHARE:
        raise InputError(
            f"target {share:g}% of GDP is out of range: give a share in percent between "
            f"{MIN_TARGET_SHARE:g} and {MAX_TARGET_SHARE:g} (3.5 for 3.5%, not 0.035)"
        )
    if scope not in ("core", "total"):
        raise InputError(f"unknown scope {scope!r}: use core or total")
    return Target(share, by or 0, scope, f"{share:g}% of GDP")


#: NATO indicators behind a gap and behind the GDP of a NATO figure.
GAP_INDICATORS = [
    "share_gdp",
    "spend_usd_current",
    "spend_usd_const",
    "gdp_usd_const",
    "equipment_share",
    "spend_national_current",
    "spend_national_const",
]
#: A euro-area ally whose national and USD figures give the edition's EUR/USD rates.
EURO_REFERENCE = "DEU"
#: Caveat for targets that include the Hague's 1.5% of defence- and security-related spending.
TOTAL_SCOPE_CAVEAT = (
    "NATO's tables measure core defence expenditure only; the 5% also counts up to 1.5% of "
    "GDP of defence- and security-related spending that no NATO table reports, so a gap to "
    "5% from core figures overstates what is missing by up to 1.5 points."
)


def gdp_behind(wide: pd.DataFrame) -> pd.DataFrame:
    """The GDP behind NATO's figures (million, current prices): ``gdp_usd_current`` and
    ``gdp_national_current``.

    NATO's share of GDP is the ratio of spending to GDP at constant prices, equal to the ratio
    at current prices, so GDP at current prices = Table 5 GDP (2021 prices) x current / constant
    spending; unlike spending / share it does not carry the rounding of the share to two
    decimals. Editions without constant-price tables (2024) fall back on spending / share.
    ``wide`` has one row per country-year and the :data:`GAP_INDICATORS` as columns.
    """
    wide = wide.reindex(columns=GAP_INDICATORS)
    scale = wide["gdp_usd_const"] / wide["spend_usd_const"]
    fallback = 100 / wide["share_gdp"]
    return pd.DataFrame(
        {
            "gdp_usd_current": wide["spend_usd_current"] * scale.fillna(fallback),
            "gdp_national_current": wide["spend_national_current"] * scale.fillna(fallback),
        },
        index=wide.index,
    )


def _euro_rates(wide: pd.DataFrame) -> tuple[float, float]:
    """EUR per USD at current and at constant prices, from the edition's own figures."""
    if EURO_REFERENCE not in wide.index:
        return float("nan"), float("nan")
    ref = wide.loc[EURO_REFERENCE]
    return (
        ref["spend_national_current"] / ref["spend_usd_current"],
        ref["spend_national_const"] / ref["spend_usd_const"],
    )


def gap(
    store: Store,
    target: Target,
    year: int | None = None,
    codes: list[str] | None = None,
    group: str | None = None,
    vintage: str | None = None,
    equipment_target: float | None = None,
) -> pd.DataFrame:
    """How far each ally is from ``target`` in ``year``, in percentage points and in money.

    One row per country (default: NATO's allies that year), then a total row for ``group``.
    Money is in million: ``*_usd_current`` US dollars at current prices and exchange rates,
    ``*_usd_const`` at NATO's constant (2021) prices, ``*_eur_*`` the same in euro at the
    edition's own EUR/USD rates. ``gdp_usd_current`` is the GDP behind NATO's figure (see
    :func:`gdp_behind`); ``gdp_usd_const`` is NATO's Table 5. ``gap_pp`` = target minus share
    (positive: short of the target; negative: above it); ``gap_*`` money = ``gap_pp`` / 100 x
    GDP, except on a group row, where money is the sum of its members' gaps (so it can differ a
    little from the group's ``gap_pp`` x GDP, as members' shares are rounded to two decimals).
    ``shortfall_usd_current`` counts only shortfalls (surpluses of one ally do not fill
    another's gap). A group row sums its members' money and GDP; its share is weighted by GDP at
    2021 prices, as NATO's aggregates are, and its equipment share by spending.
    ``equipment_gap_pp`` = ``equipment_target`` (default: the Wales 20% guideline of
    ``guidelines.toml``, percent of defence expenditure) minus the equipment share. Allies without
    figures (Iceland) are listed in ``attrs["missing"]`` with the reason and left out of group
    sums; NATO's own aggregates count Iceland's GDP, so a group share here can be about 0.01
    point above NATO's published aggregate. ``attrs["caveat"]`` warns when the target includes
    spending that NATO's tables do not measure (scope ``total``).
    """
    if year is None:
        year = _latest_year(store, "nato", vintage)
    obs = store.observations("nato", vintage, indicators=GAP_INDICATORS, years=(year, year))
    if obs.empty:
        raise _year_error(store, "nato", vintage, year)
    if codes is None:
        codes = geo.members(group or "nato", year)
    codes = sorted(codes, key=lambda c: store.names.get(c, c))
    wide = obs.pivot_table(index="iso3", columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(columns=GAP_INDICATORS)
    eur_current, eur_const = _euro_rates(wide)
    rows = wide.reindex([c for c in codes if c in wide.index])
    table = pd.DataFrame(
        {
            "iso3": rows.index,
            "name": [store.names.get(c, c) for c in rows.index],
            "year": year,
            "target": target.share,
            "share_gdp": rows["share_gdp"].to_numpy(),
            "spend_usd_current": rows["spend_usd_current"].to_numpy(),
            "spend_usd_const": rows["spend_usd_const"].to_numpy(),
            "gdp_usd_current": gdp_behind(rows)["gdp_usd_current"].to_numpy(),
            "gdp_usd_const": rows["gdp_usd_const"].to_numpy(),
            "equipment_share": rows["equipment_share"].to_numpy(),
        }
    )
    table["gap_pp"] = target.share - table["share_gdp"]
    table["gap_usd_current"] = table["gap_pp"] / 100 * table["gdp_usd_current"]
    table["gap_usd_const"] = table["gap_pp"] / 100 * table["gdp_usd_const"]
    table["shortfall_usd_current"] = table["gap_usd_current"].clip(lower=0)
    if group is not None:
        table = pd.concat([table, _group_row(table, group, year, target)], ignore_index=True)
    table["gap_eur_current"] = table["gap_usd_current"] * eur_current
    table["gap_eur_const"] = table["gap_usd_const"] * eur_const
    if equipment_target is None:
        equipment_target = read_toml("guidelines.toml")["wales-equipment-20"]["threshold"]
    table["equipment_gap_pp"] = equipment_target - table["equipment_share"]
    table.attrs["equipment_target"] = equipment_target
    used = obs[obs["iso3"].isin([*table["iso3"], EURO_REFERENCE])]
    estimated = set(used.loc[used["status"] == "estimate", "iso3"])
    table["status"] = [
        "estimate" if c in estimated or (c == group and estimated) else "actual"
        for c in table["iso3"]
    ]
    table["source"] = "nato"
    table["vintage"] = ", ".join(sorted(used["vintage"].unique()))
    missing = [c for c in codes if c not in wide.index]
    table.attrs["missing"] = {c: missing_reason(store, c, year, vintage) for c in missing}
    money = ["gap_usd_current", "gap_usd_const", "gap_eur_current", "gap_eur_const"]
    empty = [c for c in money if table[c].isna().all()]
    table.attrs["column_notes"] = {
        c: "this edition has no figures at these prices (the 2024 edition is embedded without "
        "its constant-price tables)"
        if c.endswith("const")
        else "no spending or GDP figures for this year in this edition"
        for c in empty
    }
    table.attrs["eur_per_usd"] = {"current": eur_current, "constant": eur_const}
    if target.scope == "total":
        table.attrs["caveat"] = TOTAL_SCOPE_CAVEAT
    table.attrs["sources"] = sorted(used["source_id"].unique())
    table.attrs["units"] = {
        "share_gdp": "percent of GDP",
        "target": "percent of GDP",
        "gap_pp": "percentage points of GDP",
        "spend_usd_current": "USD million current",
        "spend_usd_const": "USD million constant 2021",
        "gdp_usd_current": "USD million current",
        "gdp_usd_const": "USD million constant 2021",
        "gap_usd_current": "USD million current",
        "gap_usd_const": "USD million constant 2021",
        "gap_eur_current": "EUR million current",
        "gap_eur_const": "EUR million constant 2021",
        "shortfall_usd_current": "USD million current",
        "equipment_share": "percent of defence expenditure",
        "equipment_gap_pp": "percentage points of defence expenditure",
    }
    return table


def _edition_notes(store: Store, source: str, editions: set[str]) -> list[str]:
    """Notes saying one of these editions is only partly embedded."""
    return store.exact_notes("missing", source, vintage=editions, iso3=None, indicator=None)


def _year_error(store: Store, source: str, vintage: str | None, year: int) -> InputError:
    span = store.observations(source, vintage, indicators=["share_gdp"])["year"]
    known = f"from {span.min()} to {span.max()}" if len(span) else "none"
    return InputError(f"no {source} figures for {year}: years with figures: {known}")


def _group_row(table: pd.DataFrame, group: str, year: int, target: Target) -> pd.DataFrame:
    """A group total: members' money and GDP summed; share weighted by GDP at 2021 prices
    (as NATO's aggregates), equipment share by spending."""
    money = [
        "spend_usd_current",
        "spend_usd_const",
        "gdp_usd_current",
        "gdp_usd_const",
        "gap_usd_current",
        "gap_usd_const",
        "shortfall_usd_current",
    ]
    sums = table[money].sum(min_count=1)
    share = 100 * sums["spend_usd_const"] / sums["gdp_usd_const"]
    weighted = (table["equipment_share"] * table["spend_usd_current"]).sum()
    return pd.DataFrame(
        [
            {
                "iso3": group,
                "name": geo.group_info(group)["name"],
                "year": year,
                "target": target.share,
                **sums.to_dict(),
                "share_gdp": share,
                "gap_pp": target.share - share,
                "equipment_share": weighted / sums["spend_usd_current"],
            }
        ]
    )


def missing_reason(
    store: Store, iso3: str, year: int | None = None, vintage: str | None = None
) -> str:
    """Why NATO has no figure for a country: a note about the country's whole row, else a note
    that the edition is only partly embedded, else whether it is an ally at all."""
    found = store.exact_notes("missing", "nato", iso3=iso3, indicator=None, vintage={None, vintage})
    found += _edition_notes(store, "nato", {vintage} if vintage else set())
    if found:
        return found[0]
    if year is not None and iso3 not in geo.members("nato", year):
        return f"not a NATO ally in {year}"
    return "not a NATO ally" if iso3 not in geo.members("nato") else "no NATO figure"
