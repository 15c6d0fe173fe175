"""The Python API of milex: every front end (CLI, web, reports) calls these functions.

Lookups return pandas DataFrames in the tidy shape ``iso3, name, year, indicator, value, unit,
status, source, vintage, source_id`` (:data:`milex.vocab.TIDY_COLUMNS`) or a documented table;
each row carries its source and edition. Analysis functions (:func:`status`, :func:`gap`,
:func:`path`, :func:`pledges`, :func:`simulate`, :func:`report`) return a
:class:`milex.result.Result`: the figures (``result.df``), their units, the citations of their
sources, notes and caveats, and the query as run.

Units are in the ``unit`` column or ``result.units``: shares are percent (2.0 means 2% of GDP),
money carries currency, scale and price basis ("USD million current", "EUR million constant
2021"). Years are NATO's (the calendar year holding most of a fiscal year) for NATO figures and
calendar years for SIPRI. Every function takes an optional ``store``; by default the store of
the package's embedded data is used. Here is no SQL and no file I/O: data come through the
store, analysis from the modules below.
"""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

import pandas as pd

from milex import geo, outfile
from milex.catalog import read_toml
from milex.check import crosscheck as _crosscheck
from milex.check import pledges as _pledges
from milex.errors import InputError
from milex.montecarlo import load_uncertainty
from milex.projection import paths as _paths
from milex.projection import probability as _probability
from milex.result import Result
from milex.store import Store, default_store
from milex.targets import gap as _gap
from milex.targets import guidelines as _guidelines
from milex.targets import resolve_target
from milex.targets import status as _status
from milex.vocab import Years, parse_years

#: Most draws one simulate call takes (about 10 s a country-decade on two cores).
MAX_DRAWS = 100_000_000


def _store(store: Store | None) -> Store:
    return store if store is not None else default_store()


def _suggest(value: str, known: Iterable[str], what: str) -> InputError:
    known = sorted(known)
    close = difflib.get_close_matches(value, known, n=3)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    return InputError(f"unknown {what} {value!r}: known are {', '.join(known)}.{hint}")


def _one_edition(vintage: str | None) -> None:
    """Results that set figures side by side take one edition per series, never 'all'."""
    if vintage == "all":
        raise InputError(
            "vintage 'all' mixes editions: give one edition (e.g. 2026-07), or none for the "
            "newest; to compare editions, ask for a series with vintage 'all'"
        )


def _check_source(store: Store, source: str | None, vintage: str | None) -> None:
    editions = store.editions()
    if source is not None and source not in set(editions["source"]):
        raise _suggest(source, set(editions["source"]), "source")
    if vintage not in (None, "all"):
        known = (
            editions.loc[editions["source"] == source, "vintage"] if source else editions["vintage"]
        )
        if vintage not in set(known):
            raise _suggest(vintage, set(known), f"vintage of {source or 'any source'}")


def _check_indicators(store: Store, indicators: list[str] | None) -> None:
    known = set(store.indicator_table()["indicator"])
    for indicator in indicators or []:
        if indicator not in known:
            raise _suggest(indicator, known, "indicator")


def _group_or_country(name: str) -> tuple[str | None, str | None]:
    """``(group id, None)`` for a group or an aggregate code, else ``(None, ISO3)``."""
    if name.lower() in geo.group_ids():
        return name.lower(), None
    code = geo.resolve(name)
    if geo.is_aggregate(code):
        group = geo.group_of(code)  # NATO_TOTAL -> nato
        if group is None:
            raise InputError(f"{name!r} is an aggregate without members: give an ally or a group")
        return group, None
    return None, code


def _one_country(name: str, what: str) -> str:
    """Resolve a single country; groups and aggregates get a clear error."""
    group, code = _group_or_country(name)
    if code is not None:
        return code
    members = " ".join(geo.members(group))
    raise InputError(
        f"{what} takes one country, not {name!r}: ask for one member ({members}), "
        f"or for the gap of the group (group {group!r})"
    )


# ------------------------------------------------------------------------ lookups


def series(
    countries: str | Iterable[str] | None = None,
    indicators: str | Iterable[str] | None = None,
    years: Years = None,
    *,
    source: str | None = "nato",
    vintage: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Observations in the tidy shape.

    ``countries``: names (en/nl/de/fr), ISO2/ISO3 codes or group ids (``nato``, ``eu``...);
    ``None`` for all. ``indicators``: milex indicator names (see :func:`indicators`).
    ``years``: a year, ``"2014-2024"``, a pair or a list. ``source``: ``nato``, ``sipri``,
    ``weo``, ``wdi`` or ``None`` for all. ``vintage``: an edition such as ``"2026-07"``;
    ``None`` takes each series from the newest edition that has it (never mixing editions
    within a series); ``"all"`` returns every edition.
    """
    store = _store(store)
    _check_source(store, source, vintage)
    indicators = [indicators] if isinstance(indicators, str) else indicators
    indicators = list(indicators) if indicators is not None else None
    _check_indicators(store, indicators)
    codes = geo.expand(countries) if countries is not None else None
    return store.observations(source, vintage, codes, indicators, parse_years(years))


def latest(
    countries: str | Iterable[str] | None = None,
    indicators: str | Iterable[str] | None = "share_gdp",
    *,
    source: str | None = "nato",
    store: Store | None = None,
) -> pd.DataFrame:
    """The most recent year of each series (newest edition), tidy shape."""
    obs = series(countries, indicators, source=source, store=store)
    last = obs.groupby(["source", "iso3", "indicator"])["year"].transform("max")
    return obs[obs["year"] == last].reset_index(drop=True)


def profile(
    country: str,
    indicators: str | Iterable[str] | None = None,
    years: Years = None,
    *,
    source: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """One country's series across sources and every edition, tidy shape (default indicators:
    share of GDP and USD spending at current prices)."""
    indicators = indicators or ["share_gdp", "spend_usd_current"]
    return series(resolve(country), indicators, years, source=source, vintage="all", store=store)


def indicators(*, store: Store | None = None) -> pd.DataFrame:
    """The indicators milex knows: name, label, unit pattern, valid range and description."""
    return _store(store).indicator_table()


def countries(*, store: Store | None = None) -> pd.DataFrame:
    """Every country and aggregate in the store: code, name, kind and NATO accession year."""
    table = _store(store).entity_table()
    joined = {code: first for code, first, _ in geo.memberships("nato")}
    table["nato_since"] = table["code"].map(joined).astype("Int64")
    return table


def groups() -> pd.DataFrame:
    """Country groups: id, name, aggregate code (if NATO publishes one), members, description."""
    rows = []
    for gid in geo.group_ids():
        info = geo.group_info(gid)
        rows.append(
            {
                "group": gid,
                "name": info["name"],
                "aggregate": info.get("aggregate"),
                "members": " ".join(geo.members(gid)),
                "description": info["description"],
            }
        )
    return pd.DataFrame(rows)


def members(group: str, year: int | None = None) -> list[str]:
    """ISO3 codes of a group's members (in ``year``, counting accessions during that year)."""
    return geo.members(group, year)


def resolve(name: str) -> str:
    """ISO3 code for a country name or code in English, Dutch, German or French."""
    return geo.resolve(name)


def sources(*, store: Store | None = None) -> pd.DataFrame:
    """One row per dataset edition: source, vintage, publisher, title, edition, published,
    URL, licence, citation, whether complete, a coverage note and the number of figures."""
    return _store(store).edition_table()


def origins(ids: Iterable[str] | None = None, *, store: Store | None = None) -> pd.DataFrame:
    """The origins behind ``source_id`` values: ``id, source, vintage, title, published, url,
    licence, cite`` (how to cite the edition) and ``citation`` (how the figures were obtained,
    verbatim)."""
    return _store(store).origins(ids)


def coverage(source: str | None = None, *, store: Store | None = None) -> pd.DataFrame:
    """Per source, vintage and indicator: countries covered, first and last year, figures."""
    store = _store(store)
    _check_source(store, source, None)
    return store.coverage(source)


def sipri_share(vintage: str | None = None, *, store: Store | None = None) -> dict:
    """How much of SIPRI's database milex embeds (SIPRI allows reuse of less than 10%), for
    one edition (default: the newest).

    Returns the edition, the embedded entities (countries plus the world total) and figures,
    two shares in percent: of SIPRI's countries (the world total counted as one more), and of
    the cells of the sheets drawn from (countries x years x sheets, an upper bound on the
    database's size since a larger database makes the share smaller), the limit and whether
    both are under it.
    """
    store = _store(store)
    vintage = vintage or store.newest_vintage("sipri")
    _check_source(store, "sipri", vintage)
    meta = read_toml("editions.toml")["sipri"][vintage]
    figures, entities = store.counts("sipri", vintage)
    years = meta["database_last_year"] - meta["database_first_year"] + 1
    cells = meta["database_countries"] * years * meta["database_sheets"]
    shares = {
        "share_of_countries_pct": 100 * entities / meta["database_countries"],
        "share_of_cells_pct": 100 * figures / cells,
    }
    return {
        "vintage": vintage,
        "embedded_entities": entities,
        "embedded_countries": entities - ("WLD" in meta["embedded"]),
        "embedded_figures": figures,
        "database_countries": meta["database_countries"],
        "database_cells": cells,
        **shares,
        "limit_pct": meta["reuse_limit_pct"],
        "within_limit": all(v < meta["reuse_limit_pct"] for v in shares.values()),
    }


def differences(country: str, *, store: Store | None = None) -> pd.DataFrame:
    """NATO minus SIPRI for a country, per year and comparable indicator (see
    :func:`milex.check.crosscheck.differences`); reasons from :func:`reasons`."""
    obs = series(
        resolve(country), _crosscheck.comparable(), source=None, vintage="all", store=store
    )
    return _crosscheck.differences(obs)


def side_by_side(obs: pd.DataFrame) -> pd.DataFrame:
    """Wide view of tidy observations of one indicator: a row per year, a column per edition
    (``nato 2026-07``), values in the observations' unit."""
    return _crosscheck.side_by_side(obs)


def reasons(country: str) -> pd.DataFrame:
    """Definitional reasons why NATO and SIPRI figures for a country differ."""
    return _crosscheck.reasons(resolve(country))


def notes(
    source: str,
    iso3: str | None = None,
    *,
    kind: str = "caveat",
    only_country: bool = False,
    store: Store | None = None,
) -> list[str]:
    """Caveats (or ``kind="missing"`` notes) that apply to a source and country; with
    ``only_country``, just the notes written for that country (not the source-wide ones)."""
    if kind not in ("caveat", "missing"):
        raise InputError(f"unknown kind of note {kind!r}: use caveat or missing")
    exact = ("iso3",) if only_country else ()
    return _store(store).notes(kind, source, iso3=iso3, exact=exact)


def guidelines() -> pd.DataFrame:
    """NATO's guidelines (Wales 2%, 20% equipment; The Hague 3.5% and 5%) with sources."""
    return _guidelines()


def export(
    path: str | Path | TextIO,
    fmt: str | None = None,
    *,
    source: str | None = None,
    vintage: str | None = "all",
    store: Store | None = None,
) -> str | Path | TextIO:
    """Write observations (tidy shape plus each figure's citation) to CSV, Parquet or JSON.

    ``path`` is a file name (written to a temporary name first, then renamed, so a failed
    export leaves no half file) or an open text stream (CSV and JSON). ``fmt`` defaults to the
    file's extension. Returns ``path``.
    """
    stream = not isinstance(path, str | Path)
    if not stream and (Path(path).is_dir() or not Path(path).parent.is_dir()):
        raise InputError(
            f"cannot write {path}: "
            + ("it is a folder" if Path(path).is_dir() else f"no folder {Path(path).parent}")
            + "; give a file name in an existing folder, e.g. milex.csv"
        )
    fmt = (fmt or ("csv" if stream else Path(path).suffix.lstrip("."))).lower()
    writers = {
        "csv": lambda f, p: f.to_csv(p, index=False),
        "parquet": lambda f, p: f.to_parquet(p, index=False),
        "json": lambda f, p: f.to_json(p, orient="records", indent=1, force_ascii=False),
    }
    if fmt not in writers:
        raise InputError(f"unknown export format {fmt!r}: use csv, parquet or json")
    if stream and fmt == "parquet":
        raise InputError("parquet needs a file name, not a stream: e.g. milex.parquet")
    store = _store(store)
    frame = series(source=source, vintage=vintage, store=store)
    frame = frame.merge(store.origins()[["id", "citation"]], left_on="source_id", right_on="id")
    frame = frame.drop(columns="id")
    if stream:
        writers[fmt](frame, path)
        return path
    outfile.write(Path(path), lambda tmp: writers[fmt](frame, tmp))
    return path


# ------------------------------------------------------------------------ analysis


def status(
    year: int | None = None,
    *,
    source: str = "nato",
    vintage: str | None = None,
    store: Store | None = None,
) -> Result:
    """Where each country stands in ``year`` (default: the latest year with figures).

    A documented wide view, one row per ally (NATO) or country (other sources), NATO's
    aggregates last; see :func:`milex.targets.status` for its columns and units.
    """
    store = _store(store)
    _one_edition(vintage)
    _check_source(store, source, vintage)
    return _status(store, year, source, vintage)


def report(
    country: str,
    indicators: str | Iterable[str] | None = None,
    years: Years = None,
    *,
    source: str | None = None,
    store: Store | None = None,
) -> Result:
    """One country across sources and editions, with NATO minus SIPRI, the definitional
    reasons, and the notes that apply (see :func:`milex.check.crosscheck.report`)."""
    store = _store(store)
    code = _one_country(country, "a country report")
    obs = profile(code, indicators, years, source=source, store=store)
    everything = series(code, None, years, source=source, vintage="all", store=store)
    query = {
        "country": code,
        "indicators": list(indicators) if not isinstance(indicators, str | None) else indicators,
        "source": source,
        "years": parse_years(years),
    }
    return _crosscheck.report(store, code, obs, everything, query)


def gap(
    target: float | str = "hague-3.5",
    year: int | None = None,
    *,
    countries: str | Iterable[str] | None = None,
    group: str | None = None,
    vintage: str | None = None,
    store: Store | None = None,
) -> Result:
    """How far allies (and a group) are from a target share of GDP in ``year``.

    ``target``: percent of GDP (``3.5``) or a guideline id (``hague-3.5``, ``wales-2``).
    ``countries``: names, codes or groups (default: the members of ``group``, else all allies).
    ``group``: adds the group's total row. See :func:`milex.targets.gap` for the columns and
    units (money in million USD/EUR).
    """
    store = _store(store)
    _one_edition(vintage)
    _check_source(store, "nato", vintage)
    if group is not None:
        geo.group_info(group)
    codes = geo.expand(countries, year) if countries is not None else None
    return _gap(store, resolve_target(target), year, codes, group, vintage)


def path(
    country: str,
    target: float | str = "hague-3.5",
    by: int | None = None,
    *,
    method: str = "linear",
    base_year: int | None = None,
    growth_after: float | None = None,
    inflation_after: float | None = None,
    above: str = "hold",
    weo_vintage: str | None = None,
    store: Store | None = None,
) -> Result:
    """A year-by-year path from NATO's latest figure to ``target`` percent of GDP by ``by``.

    ``country`` is a name, code or group id (a group's path sums its members' paths in USD).
    ``method``: ``linear`` (share rises evenly) or ``real-growth`` (constant real growth of
    spending). ``above``: an ally already above the target ``hold``s its share (default) or
    ``converge``s to it. GDP follows the IMF WEO (``weo_vintage``, default the newest), then
    ``growth_after``/``inflation_after`` percent a year (default: the WEO's last rates). See
    :func:`milex.projection.paths.member_path` for the columns.
    """
    store = _store(store)
    goal = resolve_target(target, by)
    group, code = _group_or_country(country)
    args = (base_year, method, growth_after, inflation_after, above, weo_vintage)
    if group is not None:
        return _paths.group_path(store, group, goal, *args)
    return _paths.path(store, code, goal, *args)


def pledges(
    country: str | None = None,
    *,
    tolerance_pp: float | None = None,
    store: Store | None = None,
) -> Result:
    """National plans from the pledges registry, each checked: does the amount match the
    pledged share of projected GDP, is the plan on a path to the Hague guideline? See
    :func:`milex.check.pledges.check_pledges` for the columns."""
    store = _store(store)
    table = store.pledge_table()
    if country is not None:
        code = resolve(country) if country.lower() == "nato" else _one_country(country, "pledges")
        table = table[table["iso3"] == code]
        if table.empty:
            known = ", ".join(sorted(set(store.pledge_table()["iso3"])))
            raise InputError(f"no pledges recorded for {code}: the registry covers {known}")
    result = _pledges.check_pledges(store, table.reset_index(drop=True), tolerance_pp)
    result.query["country"] = country
    return result


def simulate(
    country: str,
    target: float | str = "hague-3.5",
    by: int | None = None,
    *,
    draws: int = 100_000,
    seed: int | None = None,
    method: str = "linear",
    amounts: dict[int, float] | None = None,
    base_year: int | None = None,
    uncertainty: str = "default",
    dask: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    weo_vintage: str | None = None,
    store: Store | None = None,
) -> Result:
    """Probability that a country's spending plan reaches ``target`` by ``by`` when growth and
    inflation are uncertain (Monte Carlo with ``draws`` draws; reproducible with ``seed``).

    The plan is the ``method`` path or ``amounts`` (million national currency per year).
    ``uncertainty``: a named setting of ``data/uncertainty.toml`` (``default``, ``none``).
    ``dask``: address of a running Dask scheduler to spread the draws over. See
    :func:`milex.projection.probability.probability` for the columns.
    """
    store = _store(store)
    if isinstance(draws, int) and draws > MAX_DRAWS:
        raise InputError(
            f"{draws:,} draws is more than milex runs in one go ({MAX_DRAWS:,}): the median and "
            "band are stable to 0.01 points from about 100,000 draws"
        )
    if seed is None:  # a short seed the user can quote to rerun the same draws
        seed = secrets.randbelow(2**31)
    return _probability.probability(
        store,
        _one_country(country, "simulate"),
        resolve_target(target, by),
        draws=draws,
        seed=seed,
        method=method,
        amounts=amounts,
        base_year=base_year,
        uncertainty=load_uncertainty(uncertainty),
        dask_address=dask,
        progress=progress,
        weo_vintage=weo_vintage,
    )
