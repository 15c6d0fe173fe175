"""The Python API of milex: every front end (CLI, web, reports) calls these functions.

All functions return pandas DataFrames. Figures are in the tidy shape
``iso3, name, year, indicator, value, unit, status, source, vintage, source_id`` unless a
function documents a wide view. Units are in the ``unit`` column: shares are percent (2.0 means
2% of GDP), money carries currency, scale and price basis ("USD million current",
"EUR million constant 2021"). Years are NATO's (the calendar year holding most of a fiscal
year) for NATO figures and calendar years for SIPRI. ``status`` is ``actual`` or ``estimate``
(``projection`` for IMF forecasts). Every function takes an optional ``store``; by default the
store of the package's embedded data is used.
"""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import pandas as pd

from milex import crosscheck as _crosscheck
from milex import geo as _geo
from milex import projection as _projection
from milex import targets as _targets
from milex.errors import InputError
from milex.store import Store, default_store

Years = int | tuple[int, int] | str | Iterable[int] | None
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
            "vintage 'all' mixes editions: give one edition (e.g. 2026-07), or leave it out "
            "for the newest; to compare editions use milex show or milex.series(vintage='all')"
        )


def _check_source(store: Store, source: str | None, vintage: str | None) -> None:
    editions = store.sql("SELECT DISTINCT source, vintage FROM sources")
    if source is not None and source not in set(editions["source"]):
        raise _suggest(source, set(editions["source"]), "source")
    if vintage not in (None, "all"):
        known = (
            editions.loc[editions["source"] == source, "vintage"] if source else editions["vintage"]
        )
        if vintage not in set(known):
            raise _suggest(vintage, set(known), f"vintage of {source or 'any source'}")


def _check_indicators(store: Store, indicators: list[str] | None) -> None:
    known = set(store.sql("SELECT indicator FROM indicators")["indicator"])
    for indicator in indicators or []:
        if indicator not in known:
            raise _suggest(indicator, known, "indicator")


def parse_years(years: Years) -> tuple[int, int] | None:
    """Accept 2024, (2014, 2024), "2014-2024", "2024" or an iterable of years."""
    if years is None:
        return None
    if isinstance(years, int):
        return (years, years)
    if isinstance(years, str):
        first, dash, last = years.partition("-")
        try:
            span = (int(first), int(last if dash else first))
        except ValueError:
            raise InputError(
                f"invalid years {years!r}: use a year (2024) or a range (2014-2024)"
            ) from None
    else:
        values = sorted(int(y) for y in years)
        if not values:
            raise InputError("empty list of years: give at least one year")
        span = (values[0], values[-1])
    if span[0] > span[1]:
        raise InputError(f"invalid years {years!r}: the first year comes after the last")
    return span


def series(
    countries: str | Iterable[str] | None = None,
    indicators: str | Iterable[str] | None = None,
    years: Years = None,
    source: str | None = "nato",
    vintage: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Observations in the tidy shape.

    ``countries``: names (en/nl/de/fr), ISO2/ISO3 codes or group ids (``nato``, ``eu``...);
    ``None`` for all. ``indicators``: milex indicator names (see :func:`indicators`).
    ``source``: ``nato``, ``sipri``, ``weo``, ``wdi`` or ``None`` for all. ``vintage``: an
    edition such as ``"2026-07"``; ``None`` takes each series from the newest edition that has
    it (never mixing editions within a series); ``"all"`` returns every edition.
    """
    store = _store(store)
    _check_source(store, source, vintage)
    indicators = [indicators] if isinstance(indicators, str) else indicators
    indicators = list(indicators) if indicators is not None else None
    _check_indicators(store, indicators)
    codes = _geo.expand(countries) if countries is not None else None
    return store.observations(source, vintage, codes, indicators, parse_years(years))


def latest(
    countries: str | Iterable[str] | None = None,
    indicators: str | Iterable[str] | None = "share_gdp",
    source: str | None = "nato",
    store: Store | None = None,
) -> pd.DataFrame:
    """The most recent year of each series (newest edition), tidy shape."""
    obs = series(countries, indicators, source=source, store=store)
    last = obs.groupby(["source", "iso3", "indicator"])["year"].transform("max")
    return obs[obs["year"] == last].reset_index(drop=True)


def status(
    year: int | None = None,
    source: str = "nato",
    vintage: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Where each country stands in ``year`` (default: the latest year with figures).

    A documented wide view, one row per ally (NATO) or country (other sources), NATO's
    aggregates last; see :func:`milex.targets.status` for its columns and units.
    """
    store = _store(store)
    _one_edition(vintage)
    _check_source(store, source, vintage)
    return _targets.status(store, year, source, vintage)


def indicators(store: Store | None = None) -> pd.DataFrame:
    """The indicators milex knows: name, label, unit pattern, valid range and description."""
    return _store(store).sql("SELECT * FROM indicators ORDER BY indicator")


def countries(store: Store | None = None) -> pd.DataFrame:
    """Every country and aggregate in the store: code, name, kind and NATO accession year."""
    table = _store(store).sql("SELECT * FROM entities ORDER BY kind DESC, code")
    joined = {code: first for code, first, _ in _geo.memberships("nato")}
    table["nato_since"] = table["code"].map(joined).astype("Int64")
    return table


def groups() -> pd.DataFrame:
    """Country groups: id, name, aggregate code (if NATO publishes one), members, description."""
    rows = []
    for gid in _geo.group_ids():
        info = _geo.group_info(gid)
        rows.append(
            {
                "group": gid,
                "name": info["name"],
                "aggregate": info.get("aggregate"),
                "members": " ".join(_geo.members(gid)),
                "description": info["description"],
            }
        )
    return pd.DataFrame(rows)


def members(group: str, year: int | None = None) -> list[str]:
    """ISO3 codes of a group's members (in ``year``, counting accessions during that year)."""
    return _geo.members(group, year)


def resolve(name: str) -> str:
    """ISO3 code for a country name or code in English, Dutch, German or French."""
    return _geo.resolve(name)


def _one_country(name: str, command: str) -> str:
    """Resolve a single country; groups and aggregates get a clear error."""
    group = name.lower()
    code = None if group in _geo.group_ids() else resolve(name)
    if code is not None and not _geo.is_aggregate(code):
        return code
    if group not in _geo.group_ids():
        group = _geo.group_of(code) or ""
    members = " ".join(_geo.members(group)) if group else ""
    raise InputError(
        f"{command} takes one country, not {name!r}"
        + (f": run it for a member ({members})" if members else "")
        + (f", or use milex gap --group {group} for the group" if group else "")
    )


def sources(store: Store | None = None) -> pd.DataFrame:
    """One row per dataset edition: source, vintage, publisher, title, edition, published,
    URL, licence, citation, whether complete, a coverage note and the number of figures."""
    return _store(store).sql(
        """SELECT s.source, s.vintage, any_value(s.publisher) publisher, any_value(s.title) title,
                  any_value(s.edition) edition, any_value(s.published) published,
                  any_value(s.url) url, any_value(s.licence) licence, any_value(s.cite) cite,
                  bool_and(s.complete) complete, any_value(s.coverage_note) coverage_note,
                  (SELECT count(*) FROM observations o
                    WHERE o.source = s.source AND o.vintage = s.vintage) figures
           FROM sources s GROUP BY s.source, s.vintage ORDER BY s.source, s.vintage"""
    )


def origins(ids: Iterable[str] | None = None, store: Store | None = None) -> pd.DataFrame:
    """The origins behind ``source_id`` values: ``id, source, vintage, title, published, url,
    licence, cite`` (how to cite the edition) and ``citation`` (how the figures were obtained,
    verbatim)."""
    query = (
        "SELECT id, source, vintage, title, published, url, licence, cite, citation FROM sources"
    )
    if ids is None:
        return _store(store).sql(query + " ORDER BY id")
    ids = list(ids)
    if not ids:
        return _store(store).sql(query + " WHERE FALSE")
    marks = ", ".join("?" * len(ids))
    return _store(store).sql(f"{query} WHERE id IN ({marks}) ORDER BY id", ids)


def coverage(source: str | None = None, store: Store | None = None) -> pd.DataFrame:
    """Per source, vintage and indicator: countries covered, first and last year, figures."""
    store = _store(store)
    _check_source(store, source, None)
    return store.sql(
        """SELECT source, vintage, indicator,
                  count(DISTINCT iso3) FILTER (WHERE iso3 NOT IN (SELECT code FROM entities
                        WHERE kind <> 'country')) countries,
                  min(year) first_year, max(year) last_year, count(*) figures
           FROM observations WHERE ? IS NULL OR source = ?
           GROUP BY ALL ORDER BY ALL""",
        [source, source],
    )


def sipri_share(store: Store | None = None) -> dict[str, float | int | bool]:
    """How much of SIPRI's database milex embeds (SIPRI allows reuse of less than 10%).

    Returns the embedded entities (countries plus the world total) and figures, two shares in
    percent: of SIPRI's countries (the world total counted as one more), and of the cells of
    the sheets drawn from (countries x years x sheets, an upper bound on the database's size
    since a larger database makes the share smaller), the limit and whether both are under it.
    """
    from milex.datafiles import read_toml

    store = _store(store)
    meta = read_toml("editions.toml")["sipri"]["2025-04"]
    figures = store.sql(
        "SELECT count(*) n, count(DISTINCT iso3) c FROM observations WHERE source = 'sipri'"
    ).iloc[0]
    years = meta["database_last_year"] - meta["database_first_year"] + 1
    cells = meta["database_countries"] * years * meta["database_sheets"]
    shares = {
        "share_of_countries_pct": 100 * int(figures["c"]) / meta["database_countries"],
        "share_of_cells_pct": 100 * int(figures["n"]) / cells,
    }
    return {
        "embedded_entities": int(figures["c"]),
        "embedded_countries": int(figures["c"]) - ("WLD" in meta["embedded"]),
        "embedded_figures": int(figures["n"]),
        "database_countries": meta["database_countries"],
        "database_cells": cells,
        **shares,
        "limit_pct": meta["reuse_limit_pct"],
        "within_limit": all(v < meta["reuse_limit_pct"] for v in shares.values()),
    }


def profile(
    country: str,
    indicators: str | Iterable[str] | None = None,
    source: str | None = None,
    years: Years = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """One country's series across sources and every edition, tidy shape."""
    indicators = indicators or ["share_gdp", "spend_usd_current"]
    return series(resolve(country), indicators, years, source, "all", store)


def differences(country: str, store: Store | None = None) -> pd.DataFrame:
    """NATO minus SIPRI for a country, per year and comparable indicator (see
    :func:`milex.crosscheck.differences`); reasons from :func:`reasons`."""
    obs = series(resolve(country), _crosscheck.COMPARABLE, source=None, vintage="all", store=store)
    return _crosscheck.differences(obs)


def report(
    country: str,
    indicators: str | Iterable[str] | None = None,
    source: str | None = None,
    years: Years = None,
    store: Store | None = None,
) -> _crosscheck.Report:
    """One country across sources and editions, with NATO minus SIPRI, the definitional
    reasons, and the notes that apply (see :class:`milex.crosscheck.Report`)."""
    store = _store(store)
    code = _one_country(country, "show")
    obs = profile(code, indicators, source, years, store)
    everything = series(code, None, years, source, "all", store)
    return _crosscheck.report(store, code, obs, everything, source)


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
    kind: str = "caveat",
    only_country: bool = False,
    store: Store | None = None,
) -> list[str]:
    """Caveats (or ``kind="missing"`` notes) that apply to a source and country; with
    ``only_country``, just the notes written for that country (not the source-wide ones)."""
    return _store(store).notes(kind, source, iso3=iso3, only_country=only_country)


def guidelines() -> pd.DataFrame:
    """NATO's guidelines (Wales 2%, 20% equipment; The Hague 3.5% and 5%) with sources."""
    return _targets.guidelines()


def export(
    path: str | Path | TextIO,
    fmt: str | None = None,
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
            + "; give a file name in an existing folder, e.g. -o milex.csv"
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
        raise InputError("parquet needs a file name, not a stream: e.g. -o milex.parquet")
    store = _store(store)
    frame = series(source=source, vintage=vintage, store=store)
    frame = frame.merge(
        origins(store=store)[["id", "citation"]], left_on="source_id", right_on="id"
    )
    frame = frame.drop(columns="id")
    if stream:
        writers[fmt](frame, path)
        return path
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    try:
        writers[fmt](frame, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def gap(
    target: float | str = "hague-3.5",
    year: int | None = None,
    countries: str | Iterable[str] | None = None,
    group: str | None = None,
    vintage: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """How far allies (and a group) are from a target share of GDP in ``year``.

    ``target``: percent of GDP (``3.5``) or a guideline id (``hague-3.5``, ``wales-2``).
    ``countries``: names, codes or groups (default: the members of ``group``, else all allies).
    ``group``: adds the group's total row. Documented wide view, see
    :func:`milex.targets.gap` for columns and units (money in million USD/EUR).
    """
    store = _store(store)
    _one_edition(vintage)
    _check_source(store, "nato", vintage)
    if group is not None:
        _geo.group_info(group)
    codes = _geo.expand(countries, year) if countries is not None else None
    return _targets.gap(store, _targets.resolve_target(target), year, codes, group, vintage)


def path(
    country: str,
    target: float | str = "hague-3.5",
    by: int | None = None,
    method: str = "linear",
    base_year: int | None = None,
    growth_after: float | None = None,
    inflation_after: float | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """A year-by-year path from NATO's latest figure to ``target`` percent of GDP by ``by``.

    ``country`` is a name, code or group id (a group's path sums its members' paths in USD).
    ``method``: ``linear`` (share rises evenly) or ``real-growth`` (constant real growth of
    spending). GDP follows the IMF WEO to 2030, then ``growth_after``/``inflation_after``
    percent a year (default: the WEO's 2030 rates). See :func:`milex.projection.path` for the
    columns; units in ``attrs["units"]``.
    """
    store = _store(store)
    goal = _targets.resolve_target(target, by)
    group = country.lower() if country.lower() in _geo.group_ids() else None
    code = None if group else resolve(country)
    if code is not None and _geo.is_aggregate(code):
        group = _geo.group_of(code)  # NATO_TOTAL -> nato
        if group is None:
            raise InputError(f"path takes an ally or a group of allies, not {country!r}")
    if group is not None:
        return _projection.group_path(
            store, group, goal, base_year, method, growth_after, inflation_after
        )
    return _projection.path(store, code, goal, base_year, method, growth_after, inflation_after)


def pledges(
    country: str | None = None, tolerance_pp: float = 0.1, store: Store | None = None
) -> pd.DataFrame:
    """National plans from the pledges registry, each checked: does the amount match the
    pledged share of projected GDP, is the plan on a path to the Hague guideline? See
    :func:`milex.projection.check_pledges` for the columns."""
    store = _store(store)
    table = store.sql("SELECT * FROM pledges ORDER BY iso3, target_year, announced")
    if country is not None:
        code = resolve(country) if country.lower() == "nato" else _one_country(country, "pledges")
        table = table[table["iso3"] == code]
        if table.empty:
            known = ", ".join(sorted(set(store.sql("SELECT iso3 FROM pledges")["iso3"])))
            raise InputError(f"no pledges recorded for {code}: the registry covers {known}")
    return _projection.check_pledges(store, table.reset_index(drop=True), tolerance_pp)


def simulate(
    country: str,
    target: float | str = "hague-3.5",
    by: int | None = None,
    draws: int = 100_000,
    seed: int | None = None,
    method: str = "linear",
    amounts: dict[int, float] | None = None,
    base_year: int | None = None,
    uncertainty: str = "default",
    dask: str | None = None,
    progress=None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Probability that a country's spending plan reaches ``target`` by ``by`` when growth and
    inflation are uncertain (Monte Carlo with ``draws`` draws; reproducible with ``seed``).

    The plan is the ``method`` path or ``amounts`` (million national currency per year).
    ``dask``: address of a running Dask scheduler to spread the draws over. See
    :func:`milex.projection.probability` for the columns.
    """
    from milex.simulation import load_uncertainty

    store = _store(store)
    if isinstance(draws, int) and draws > MAX_DRAWS:
        raise InputError(
            f"{draws:,} draws is more than milex runs in one go ({MAX_DRAWS:,}): the median and "
            "band are stable to 0.01 points from about 100,000 draws"
        )
    if seed is None:  # a short seed the user can quote to rerun the same draws
        seed = secrets.randbelow(2**31)
    return _projection.probability(
        store,
        _one_country(country, "simulate"),
        _targets.resolve_target(target, by),
        draws=draws,
        seed=seed,
        method=method,
        amounts=amounts,
        base_year=base_year,
        uncertainty=load_uncertainty(uncertainty),
        dask_address=dask,
        progress=progress,
    )
