"""One side of a comparison: who is counted, from which source and edition, and their figures.

A side is one country or a group (summed over its members, counted by their dated
memberships). Its spending figures come from one edition of one source: NATO's for allies,
SIPRI's for other countries, or SIPRI's for both sides when a like-for-like comparison is
asked (``source="sipri"``). The GDP-PPP conversion factors come from the newest IMF WEO that
has them; the equipment shares (for the split basis) from the side's own source, where it
publishes them (NATO does, SIPRI does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from milex import geo
from milex.catalog import read_toml
from milex.errors import InputError, shown
from milex.projection.outlook import edition
from milex.store import Store

#: Figures a side needs from its own source (those the source publishes are used).
SIDE_INDICATORS = [
    "spend_usd_current",
    "spend_usd_const",
    "spend_national_current",
    "share_gdp",
    "share_govt_spending",
    "equipment_share",
    "per_capita_usd_const",
]
#: The PPP conversion factor used for every side (IMF WEO PPPEX, national currency per
#: international dollar; its unit names the currency, so a mismatch can be told).
PPP_SOURCE, PPP_INDICATOR = "weo", "ppp_conversion"
#: Sources a side can be put on.
SIDE_SOURCES = ("nato", "sipri")
#: Statuses of a figure, firmest first: a figure resting on several inputs takes the weakest.
#: ``unknown`` (the source does not say, e.g. the WEO's year after its last actual one) is
#: ranked below ``actual`` and above ``estimate``.
STATUS_ORDER = ("actual", "unknown", "estimate", "projection")


def weakest(statuses) -> str:
    """The weakest of ``statuses`` (:data:`STATUS_ORDER`; ``actual`` when there are none)."""
    ranked = [s for s in statuses if s in STATUS_ORDER]
    return max(ranked, key=STATUS_ORDER.index) if ranked else "actual"


@dataclass
class Side:
    """Who a side counts and the figures of its members.

    ``figures``: one row per member and year, the :data:`SIDE_INDICATORS` as columns plus
    ``currency`` (of ``spend_national_current``), ``ppp_conversion`` and ``ppp_currency``;
    ``statuses``: the same index, each figure's status (``actual``, ``estimate``,
    ``projection``, ``unknown``) in the column of its indicator (and ``ppp_conversion``);
    ``ids``: the source_ids of the figures; ``absent``: members with no figures at all in the
    side's edition, and why.
    """

    asked: str
    code: str
    label: str
    group: str | None
    source: str
    vintage: str
    ppp_vintage: str | None
    figures: pd.DataFrame
    ids: set[str] = field(default_factory=set)
    absent: dict[str, str] = field(default_factory=dict)
    statuses: pd.DataFrame = field(default_factory=pd.DataFrame)

    def members(self, year: int) -> list[str]:
        """The codes counted in ``year`` (a group's dated members, or the country)."""
        return geo.members(self.group, year) if self.group else [self.code]

    @property
    def edition(self) -> str:
        """``"nato 2026-07"``: the source and edition of the side's spending figures."""
        return f"{self.source} {self.vintage}"


def resolve_side(name: str) -> tuple[str | None, str]:
    """``(group id, code)`` of a side: a group (``europe-canada``, or its aggregate code
    NATO_EUROPE_CANADA) or a country."""
    if name.lower() in geo.group_ids():
        group = name.lower()
        return group, geo.group_info(group).get("aggregate") or group
    code = geo.resolve(name)
    if geo.is_aggregate(code):
        group = geo.group_of(code)
        if group is None:
            raise InputError(f"{shown(name)} is an aggregate without members: give a group")
        return group, code
    return None, code


def embedded_sipri(store: Store, vintage: str) -> list[str] | None:
    """The countries of SIPRI's edition ``vintage`` when the store holds only the subset of it
    that milex embeds (SIPRI's reuse terms allow a subset; ``editions.toml`` lists it); None
    when the store holds more codes than that list (the full database, loaded by the user) or
    milex embeds no subset of the edition."""
    listed = read_toml("editions.toml")["sipri"].get(vintage, {}).get("embedded")
    if listed is None or store.counts("sipri", vintage)[1] > len(listed):
        return None
    return [c for c in listed if c != "WLD"]


def natural_source(group: str | None, code: str) -> str:
    """NATO for an ally or a group with allies, SIPRI for others."""
    allies = set(geo.members("nato"))
    counted = set(geo.members(group)) if group else {code}
    return "nato" if counted & allies else "sipri"


def side_vintages(
    store: Store, names: tuple[str, str], source: str | None, vintage: str | None
) -> list[tuple[str, str | None]]:
    """``(source, vintage)`` of each side of a comparison: its source (``source``, or None: its
    natural source) and ``vintage`` where that source holds the edition, else None (its
    newest). Refused (InputError) when no side's source holds ``vintage``, naming the editions
    of each."""
    sources = [source or natural_source(*resolve_side(name)) for name in names]
    editions = store.editions()
    held = {s: editions.loc[editions["source"] == s, "vintage"].tolist() for s in sources}
    if vintage is not None and not any(vintage in held[s] for s in sources):
        known = "; ".join(f"{s} {', '.join(editions)}" for s, editions in held.items())
        raise InputError(
            f"unknown edition {vintage!r} of {' or '.join(map(str.upper, held))}: known are "
            f"{known}; or none for the newest"
        )
    return [(s, vintage if vintage in held[s] else None) for s in sources]


def assemble(
    store: Store,
    name: str,
    source: str | None,
    span: tuple[int, int] | None,
    vintage: str | None = None,
) -> Side:
    """The side ``name`` on ``source`` (None: its natural source), with figures for ``span``
    (all years when None) from the source's edition ``vintage`` (None: the newest with
    spending in USD, see :func:`milex.projection.outlook.edition`). Refused (InputError) when
    the edition is unknown or has none of its members."""
    group, code = resolve_side(name)
    label = geo.group_info(group)["name"] if group else geo.name(code)
    source = source or natural_source(group, code)
    vintage = edition(store, source, vintage, "spend_usd_current", "a comparison reads them")
    ppp_vintage = store.newest_vintage(PPP_SOURCE, PPP_INDICATOR)
    everyone = sorted({c for c, _, _ in geo.memberships(group)}) if group else [code]
    obs = store.observations(source, vintage, everyone, SIDE_INDICATORS, span)
    have = set(obs["iso3"])
    subset = embedded_sipri(store, vintage) if source == "sipri" else None
    absent = {c: _why_absent(store, source, vintage, subset, c) for c in everyone if c not in have}
    if not have:
        raise InputError(_no_figures(label, source, vintage, subset, group, absent))
    wide = obs.pivot_table(index=["iso3", "year"], columns="indicator", values="value")
    wide = wide.reindex(columns=SIDE_INDICATORS)
    currency = obs[obs["indicator"] == "spend_national_current"].set_index(["iso3", "year"])
    wide["currency"] = currency["unit"].str[:3].reindex(wide.index)
    ppp = store.observations(PPP_SOURCE, ppp_vintage, sorted(have), [PPP_INDICATOR], span)
    ppp = ppp.set_index(["iso3", "year"])
    wide["ppp_conversion"] = ppp["value"].reindex(wide.index)
    wide["ppp_currency"] = ppp["unit"].str[:3].reindex(wide.index)
    statuses = obs.pivot_table(
        index=["iso3", "year"], columns="indicator", values="status", aggfunc="first"
    ).reindex(index=wide.index, columns=SIDE_INDICATORS)
    statuses["ppp_conversion"] = ppp["status"].reindex(wide.index)
    ids = set(obs["source_id"])
    return Side(name, code, label, group, source, vintage, ppp_vintage, wide, ids, absent, statuses)


def input_status(side: Side, code: str, year: int, columns: list[str]) -> dict[str, str]:
    """``{input: status}`` of the figures ``columns`` of ``code`` in ``year`` that are not
    ``actual`` (each input named with its source and edition)."""
    key = (code, year)
    if key not in side.statuses.index:
        return {}
    weak = {}
    for column in columns:
        status = side.statuses.at[key, column]
        if isinstance(status, str) and status != "actual":
            edition = f"weo {side.ppp_vintage}" if column == "ppp_conversion" else side.edition
            weak[f"{edition} {column}"] = status
    return weak


def ppp_ids(store: Store, side: Side) -> set[str]:
    """The source_ids of the PPP factors a side's figures use."""
    codes = sorted(set(side.figures.index.get_level_values("iso3")))
    years = side.figures.index.get_level_values("year")
    obs = store.observations(
        PPP_SOURCE, side.ppp_vintage, codes, [PPP_INDICATOR], (min(years), max(years))
    )
    return set(obs["source_id"])


def _why_absent(
    store: Store, source: str, vintage: str, subset: list[str] | None, code: str
) -> str:
    """Why ``code`` has no figures in the edition; ``subset``: the SIPRI countries embedded
    when the store holds only those (:func:`embedded_sipri`), else None."""
    # SIPRI's general notes explain the subset: with more of SIPRI held, only a country's own
    full_sipri = source == "sipri" and subset is None
    notes = store.notes(
        "missing", source, iso3=code, vintage=vintage, exact=("iso3",) if full_sipri else ()
    )
    if notes:
        return notes[0]
    if source == "nato" and code not in geo.members("nato"):
        return f"{geo.name(code)} is not a NATO ally: NATO publishes no figures for it"
    if subset is not None:
        return (
            f"{geo.name(code)} is not in the SIPRI subset milex embeds (comparison countries "
            f"only, under SIPRI's reuse terms: {', '.join(subset)})"
        )
    return f"{source} {vintage} has no spending figures for {geo.name(code)}"


def _no_figures(
    label: str,
    source: str,
    vintage: str,
    subset: list[str] | None,
    group: str | None,
    absent: dict[str, str],
) -> str:
    if not group and source == "nato" and absent and set(absent) <= set(geo.members("nato")):
        # an ally without figures (Iceland: no armed forces): its own reason, not "not an ally"
        (why,) = absent.values()
        return f"{why.rstrip('.')} (nato {vintage}): no comparison on its spending"
    if source == "sipri":
        whom = f"none of the members of {label} is" if group else f"{label} is not"
        where = (
            f"the SIPRI subset milex embeds (sipri {vintage}: {', '.join(subset)})"
            if subset is not None
            else f"sipri {vintage} (no spending figures in the edition held)"
        )
        return (
            f"{whom} in {where}: compare it on NATO's figures (source nato, or none for each "
            "side's own source)"
        )
    whom = f"none of the members of {label} is" if group else f"{label} is not"
    return (
        f"NATO publishes figures for allies only, and {whom} an ally: use source sipri, or "
        "none for each side's own source"
    )
