"""NATO's spending guidelines (``data/guidelines.toml``) and who meets them.

Shares are percent (2.0 means 2% of GDP), never fractions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from milex import geo
from milex.catalog import read_toml
from milex.errors import InputError
from milex.money import GAP_INDICATORS, euro_rates, euro_reference, gdp_behind
from milex.result import Result
from milex.store import Store
from milex.vocab import (
    NATO_PRICE_YEAR,
    PERCENT_DEFENCE,
    PERCENT_GDP,
    POINTS_DEFENCE,
    POINTS_GDP,
    money_unit,
    shown,
)

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


def status(
    store: Store, year: int | None = None, source: str = "nato", vintage: str | None = None
) -> Result:
    """One row per country (for NATO: per ally that year, then the two aggregates).

    Columns: ``iso3, name, kind, year``, the figures of :data:`STATUS_INDICATORS`
    (``share_gdp`` percent of GDP; ``spend_usd_current`` USD million, current prices;
    ``equipment_share`` percent of defence expenditure; ``real_change_pct`` percent on the year
    before), one boolean ``meets_*`` column per guideline of :data:`STATUS_GUIDELINES` (missing
    where the figure is missing, and for countries that were not NATO allies that year: the
    guidelines are the allies'), ``status`` (estimate if any figure is one), ``source``,
    ``vintage`` and ``note`` (why a figure is missing). ``extra["column_notes"]``: why a whole
    column is empty.
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
    kinds = store.entity_table().set_index("code")["kind"]
    table = pd.DataFrame({"iso3": codes})
    table["name"] = [names.get(c) or geo.name(c) for c in codes]
    table["kind"] = [kinds.get(c, "country") for c in codes]
    table["year"] = year
    table = table.join(wide, on="iso3")
    allies = set(geo.members("nato", year)) | {
        c for c in codes if geo.group_of(c) is not None and kinds.get(c) == "aggregate"
    }
    rules = guidelines().set_index("id")
    for gid in STATUS_GUIDELINES:
        rule = rules.loc[gid]
        values = table[rule["indicator"]]
        judged = values.isna() | ~table["iso3"].isin(allies)
        table[meets_column(gid)] = (values >= rule["threshold"]).astype("boolean").mask(judged)
    table = table.join(info, on="iso3")
    table["status"] = table["status"].fillna("missing")
    table["source"] = source
    published = [i for i in STATUS_INDICATORS if i in set(obs["indicator"])]
    table["note"] = [
        _missing_note(store, source, vintage, row, published) for row in table.itertuples()
    ]
    editions = set(obs["vintage"])
    column_notes = {
        indicator: (
            store.notes(
                "missing",
                source,
                iso3=None,
                indicator=indicator,
                vintage={None, *editions},
                exact=("iso3", "indicator", "vintage"),
            )
            + _edition_notes(store, source, editions)
            + ["not published in this edition"]
        )[0]
        for indicator in STATUS_INDICATORS
        if indicator not in published
    }
    notes = []
    if source != "nato":
        notes.append("Guideline marks are given for NATO allies only.")
    return Result(
        kind="status",
        frame=table,
        units=dict(obs.groupby("indicator")["unit"].first()),
        sources=store.origins(obs["source_id"]),
        query={"year": year, "source": source, "vintage": vintage},
        notes=notes,
        extra={"column_notes": column_notes},
    )


def _missing_note(
    store: Store, source: str, vintage: str | None, row, published: list[str]
) -> str | None:
    """Why a row lacks some of the ``published`` figures (None when nothing is missing)."""
    absent = [i for i in published if pd.isna(getattr(row, i))]
    if not absent:
        return None
    edition = vintage or (row.vintage if isinstance(row.vintage, str) else None)
    for indicator in absent:
        found = store.notes(
            "missing", source, vintage=edition, iso3=row.iso3, indicator=indicator, year=row.year
        )
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
    guideline: str | None = None


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
        return Target(
            rule["threshold"],
            by or rule["by"],
            rule["scope"],
            rule["label"],
            None if by else target,
        )
    if isinstance(target, bool):  # float(True) is 1.0: a yes/no is no share
        raise _unknown_target(target, rules)
    try:
        share = float(target)
    except (TypeError, ValueError):
        raise _unknown_target(target, rules) from None
    if not MIN_TARGET_SHARE <= share <= MAX_TARGET_SHARE:
        raise InputError(
            f"target {share:g}% of GDP is out of range: give a share in percent between "
            f"{MIN_TARGET_SHARE:g} and {MAX_TARGET_SHARE:g} (3.5 for 3.5%, not 0.035)"
        )
    if scope not in ("core", "total"):
        raise InputError(f"unknown scope {scope!r}: use core or total")
    return Target(share, by or 0, scope, f"{share:g}% of GDP")


def _unknown_target(target: object, rules: dict) -> InputError:
    shares = ", ".join(k for k, v in rules.items() if v["indicator"] == "share_gdp")
    return InputError(
        f"unknown target {shown(target)}: give a share of GDP in percent (3.5) or a guideline "
        f"({shares})"
    )


#: Caveat for targets that include the Hague's 1.5% of defence- and security-related spending.
TOTAL_SCOPE_CAVEAT = (
    "NATO's tables measure core defence expenditure only; the 5% also counts up to 1.5% of "
    "GDP of defence- and security-related spending that no NATO table reports, so a gap to "
    "5% from core figures overstates what is missing by up to 1.5 points."
)


#: The money columns of a gap, each in USD and EUR at current and constant prices.
GAP_MONEY = ("gap", "shortfall")


def gap(
    store: Store,
    target: Target,
    year: int | None = None,
    codes: list[str] | None = None,
    group: str | None = None,
    vintage: str | None = None,
    equipment_target: float | None = None,
) -> Result:
    """How far each ally is from ``target`` in ``year``, in percentage points and in money.

    One row per ally (default: NATO's allies that year, or the members of ``group`` that were
    allies that year), then a total row for ``group``. Money is in million:
    ``*_usd_current`` US dollars at current prices and exchange rates, ``*_usd_const`` at
    NATO's constant (2021) prices, ``*_eur_*`` the same in euro at the edition's own EUR/USD
    rates. ``gdp_usd_current`` is the GDP behind NATO's figure (see :func:`gdp_behind`);
    ``gdp_usd_const`` is NATO's Table 5. ``gap_pp`` = target minus share (positive: short of
    the target; negative: above it); ``gap_*`` money = ``gap_pp`` / 100 x GDP.

    A group row sums its members' money and GDP, so its ``gap_*`` is the *net* gap (one ally's
    surplus offsets another's shortfall), while ``shortfall_*`` sums only the members below the
    target (what they lack between them). Its share is NATO's published aggregate where the
    group has one and the edition gives it (``share_basis`` says), otherwise the members'
    spending over their GDP at 2021 prices (at current prices in editions without constant-price
    tables), as NATO weights its aggregates; its equipment share is weighted by spending.
    ``equipment_gap_pp`` = ``equipment_target`` (default: the Wales 20% guideline of
    ``guidelines.toml``, percent of defence expenditure) minus the equipment share.

    ``extra``: ``missing`` (code -> why it has no row: Iceland, a member that was not yet an
    ally), ``column_notes`` (why a money column is empty), ``eur_per_usd`` and
    ``equipment_target``. A caveat warns when the target counts spending that NATO's tables do
    not measure (scope ``total``).
    """
    if year is None:
        year = _latest_year(store, "nato", vintage)
    obs = store.observations("nato", vintage, indicators=GAP_INDICATORS, years=(year, year))
    if obs.empty:
        raise _year_error(store, "nato", vintage, year)
    allies = set(geo.members("nato", year))
    whole_group = codes is None
    if codes is None:
        codes = geo.members(group or "nato", year)
    codes = sorted(codes, key=lambda c: store.names.get(c, c))
    wide = obs.pivot_table(index="iso3", columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(columns=GAP_INDICATORS)
    eur_current, eur_const = euro_rates(wide)
    shown = [c for c in codes if c in wide.index and c in allies]
    rows = wide.reindex(shown)
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
    table["share_basis"] = "published"
    table["gap_pp"] = target.share - table["share_gdp"]
    table["gap_usd_current"] = table["gap_pp"] / 100 * table["gdp_usd_current"]
    table["gap_usd_const"] = table["gap_pp"] / 100 * table["gdp_usd_const"]
    for prices in ("current", "const"):
        table[f"shortfall_usd_{prices}"] = table[f"gap_usd_{prices}"].clip(lower=0)
    if group is not None:
        row = _group_row(table, group, year, target, wide if whole_group else None)
        table = pd.concat([table, row], ignore_index=True)
    for what in GAP_MONEY:
        table[f"{what}_eur_current"] = table[f"{what}_usd_current"] * eur_current
        table[f"{what}_eur_const"] = table[f"{what}_usd_const"] * eur_const
    if equipment_target is None:
        equipment_target = read_toml("guidelines.toml")["wales-equipment-20"]["threshold"]
    table["equipment_gap_pp"] = equipment_target - table["equipment_share"]
    used = obs[obs["iso3"].isin([*table["iso3"], euro_reference()])]
    estimated = set(used.loc[used["status"] == "estimate", "iso3"])
    table["status"] = [
        "estimate" if c in estimated or (c == group and estimated) else "actual"
        for c in table["iso3"]
    ]
    table["source"] = "nato"
    table["vintage"] = ", ".join(sorted(used["vintage"].unique()))
    missing = [c for c in codes if c not in shown]
    money = [
        f"{w}_{cur}_{p}" for w in GAP_MONEY for cur in ("usd", "eur") for p in ("current", "const")
    ]
    empty = [c for c in money if table[c].isna().all()]
    editions = set(used["vintage"]) or ({vintage} if vintage else set())
    column_notes = {c: _money_note(store, editions, c) for c in empty}
    units = {
        "share_gdp": PERCENT_GDP,
        "target": PERCENT_GDP,
        "gap_pp": POINTS_GDP,
        "spend_usd_current": money_unit("USD"),
        "spend_usd_const": money_unit("USD", base_year=NATO_PRICE_YEAR),
        "gdp_usd_current": money_unit("USD"),
        "gdp_usd_const": money_unit("USD", base_year=NATO_PRICE_YEAR),
        **{c: _money_unit_of(c) for c in money},
        "equipment_share": PERCENT_DEFENCE,
        "equipment_gap_pp": POINTS_DEFENCE,
    }
    return Result(
        kind="gap",
        frame=table,
        units=units,
        sources=store.origins(used["source_id"]),
        query={
            "target": target.share,
            "target_label": target.label,
            "year": year,
            "countries": None if whole_group else list(codes),
            "group": group,
            "vintage": vintage,
        },
        caveats=[TOTAL_SCOPE_CAVEAT] if target.scope == "total" else [],
        extra={
            "missing": {c: missing_reason(store, c, year, vintage) for c in missing},
            "column_notes": column_notes,
            "eur_per_usd": {"current": eur_current, "constant": eur_const},
            "equipment_target": equipment_target,
        },
    )


def _money_note(store: Store, editions: set[str], column: str) -> str:
    """Why a gap money column is empty: a note on the edition's missing spending at those
    prices, else on the edition being only partly embedded, else the plain fact."""
    const = column.endswith("const")
    spending = "spend_usd_const" if const else "spend_usd_current"
    named = ", ".join(sorted(editions)) or "this"
    found = store.notes(
        "missing",
        "nato",
        vintage=editions,
        iso3=None,
        indicator=spending,
        exact=("vintage", "iso3", "indicator"),
    )
    found += _edition_notes(store, "nato", editions)
    if const:
        found.append(
            f"the {named} edition has no figures at constant ({NATO_PRICE_YEAR}) prices as "
            "embedded (no spending or GDP in USD at those prices)"
        )
    found.append(f"the {named} edition has no spending or GDP figures for this year")
    return found[0]


def _money_unit_of(column: str) -> str:
    """Unit of a gap money column: ``gap_eur_const`` -> ``EUR million constant 2021``."""
    _, currency, prices = column.split("_")
    return money_unit(currency.upper(), base_year=NATO_PRICE_YEAR if prices == "const" else None)


def _edition_notes(store: Store, source: str, editions: set[str]) -> list[str]:
    """Notes saying one of these editions is only partly embedded."""
    return store.notes(
        "missing",
        source,
        vintage=editions,
        iso3=None,
        indicator=None,
        exact=("vintage", "iso3", "indicator"),
    )


def _year_error(store: Store, source: str, vintage: str | None, year: int) -> InputError:
    span = store.observations(source, vintage, indicators=["share_gdp"])["year"]
    known = f"from {span.min()} to {span.max()}" if len(span) else "none"
    return InputError(f"no {source} figures for {year}: years with figures: {known}")


def _group_row(
    table: pd.DataFrame, group: str, year: int, target: Target, wide: pd.DataFrame | None
) -> pd.DataFrame:
    """A group total: members' money and GDP summed (net gap and shortfall); its share NATO's
    published aggregate where there is one (``wide``: the edition's figures, None when the rows
    are not the whole group), else weighted by GDP at 2021 prices (current prices
    when the edition has no constant-price figures); equipment share weighted by spending."""
    money = [
        "spend_usd_current",
        "spend_usd_const",
        "gdp_usd_current",
        "gdp_usd_const",
        "gap_usd_current",
        "gap_usd_const",
        "shortfall_usd_current",
        "shortfall_usd_const",
    ]
    sums = table[money].sum(min_count=1)
    aggregate = geo.group_info(group).get("aggregate")
    published = float("nan")
    if aggregate and wide is not None and aggregate in wide.index:
        published = wide.at[aggregate, "share_gdp"]
    if pd.notna(published):
        share, basis = float(published), f"published ({aggregate})"
    elif pd.notna(sums["gdp_usd_const"]):
        share, basis = 100 * sums["spend_usd_const"] / sums["gdp_usd_const"], "weighted 2021 GDP"
    else:
        share = 100 * sums["spend_usd_current"] / sums["gdp_usd_current"]
        basis = "weighted current GDP"
    weighted = (table["equipment_share"] * table["spend_usd_current"]).sum(min_count=1)
    return pd.DataFrame(
        [
            {
                "iso3": group,
                "name": geo.group_info(group)["name"],
                "year": year,
                "target": target.share,
                **sums.to_dict(),
                "share_gdp": share,
                "share_basis": basis,
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
    found = store.notes(
        "missing",
        "nato",
        iso3=iso3,
        indicator=None,
        vintage={None, vintage},
        exact=("iso3", "indicator", "vintage"),
    )
    found += _edition_notes(store, "nato", {vintage} if vintage else set())
    if found:
        return found[0]
    if year is not None and iso3 not in geo.members("nato", year):
        return f"not a NATO ally in {year}"
    return "not a NATO ally" if iso3 not in geo.members("nato") else "no NATO figure"
