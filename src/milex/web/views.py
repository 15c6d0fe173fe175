"""What each page shows, built from the API's results: charts (a plotly figure per variant, the
rows behind it, its sources), tables of formatted cells, notes. No analysis happens here: the
figures come from :mod:`milex.api` as they are, formatted for the language by
:mod:`milex.web.i18n`; a missing figure stays missing (the language's mark, with the reason
where the result gives one).

Every function takes ``store`` (None: the embedded data) and passes it on to the API; the
expensive, deterministic results are cached per store in small LRU caches.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from milex import api
from milex.errors import InputError, shown
from milex.result import Result
from milex.web import i18n

#: The guidelines the explorer offers, the reports measure gaps to and the static site
#: precomputes (their shares and years are in data/guidelines.toml).
GUIDELINES = ("wales-2", "hague-3.5", "hague-5")
#: The guideline whose path the pages and reports show (the explorer's when none is given).
PATH_GUIDELINE = "hague-3.5"
#: The Monte Carlo of a country page and report: draws and seed (stated: rerun, same figures).
DRAWS, SEED = 20_000, 1
#: The bases of the Russia comparison (one basis for both sides each).
BASES = ("mer", "ppp", "defence-ppp", "split")
#: The sides of the Russia comparison.
RUSSIA = ("europe-canada", "RUS")


# ------------------------------------------------------------------------ settings


def threshold(guideline: str) -> float:
    """The share of GDP (percent) a guideline sets (``hague-3.5`` -> 3.5)."""
    rows = api.guidelines().set_index("id")
    return float(rows.loc[guideline, "threshold"])


#: What a page's or a report's simulation judges: the path shown beside it (its text says "the
#: amounts of the path above"), without the tornado (``milex simulate`` and ``/api/simulate``
#: judge a country's own plan and add the tornado).
PAGE_SIMULATION = {"method": "linear", "sensitivity": False}


@functools.cache
def path_settings() -> dict[str, Any]:
    """The path and Monte Carlo the pages and reports show: :data:`PATH_GUIDELINE`'s
    ``target`` (percent of GDP) and ``by`` (year), and :data:`DRAWS` and :data:`SEED`."""
    row = api.guidelines().set_index("id").loc[PATH_GUIDELINE]
    return {"target": float(row["threshold"]), "by": int(row["by"]), "draws": DRAWS, "seed": SEED}


# ------------------------------------------------------------------------ building blocks


#: An edition's name (``vintage``): year and month, as the store's schema requires.
EDITION = r"\d{4}-\d{2}"


def per_store(maxsize: int) -> Callable[[Callable], Callable]:
    """An LRU cache of a function's results per store: the default store is told by
    :func:`milex.api.store_identity`, so a changed store never gets another's answers."""

    def wrap(func: Callable) -> Callable:
        @lru_cache(maxsize=maxsize)
        def run(identity: Any, args: tuple, store: Any) -> Any:
            return func(*args, store=store)

        @functools.wraps(func)
        def call(*args: Any, store: Any = None) -> Any:
            identity = api.store_identity() if store is None else id(store)
            return run(identity, args, store)

        call.cache_info = run.cache_info  # type: ignore[attr-defined]
        return call

    return wrap


@dataclass
class Variant:
    """One state of a chart: its figure (plotly JSON), the rows behind it (for the CSV
    download), a file name, the editions it shows (for the caption) and their citations (the
    CSV's ``# `` comment lines, as the API's CSV)."""

    key: str
    figure: dict | None
    rows: list[dict]
    file: str
    sources: list[dict]
    message: str = ""
    cites: list[str] = field(default_factory=list)


@dataclass
class Chart:
    """A chart with one variant or several (a year, a basis, a guideline) switched by a
    control on the page; ``current`` is shown first."""

    id: str
    title: str
    variants: list[Variant]
    current: str

    def data(self) -> dict[str, Any]:
        """What the page embeds for milex.js: each variant's figure, rows, file name and
        citations."""
        return {
            "current": self.current,
            "variants": {
                v.key: {"figure": v.figure, "rows": v.rows, "file": v.file, "cites": v.cites}
                for v in self.variants
            },
        }


@dataclass
class Cell:
    """A table cell: its text (formatted for the language), the value it sorts by, a country
    it links to, a CSS class (``num``, ``yes``, ``no``, ``missing``) and a title (a reason)."""

    text: str
    sort: float | str | None = None
    country: str | None = None
    cls: str = ""
    title: str = ""


@dataclass
class Table:
    """A sortable table; ``bodies`` holds one body of rows per variant (key -> rows), switched
    with the chart ``variant_of``; ``foot`` rows (aggregates) are not sorted."""

    id: str
    caption: str
    columns: list[tuple[str, bool]]
    bodies: dict[str, list[list[Cell]]]
    current: str
    variant_of: str = ""
    empty: str = ""
    foot: dict[str, list[list[Cell]]] = field(default_factory=dict)


def table(
    id_: str,
    caption: str,
    columns: list[tuple[str, bool]],
    lang: str,
    bodies: dict[str, Any],
    *,
    chart: str = "",
    current: str | None = None,
    empty: str = "",
) -> Table:
    """A table headed by ``columns`` (interface word key, numeric?) in the language, with a
    body per variant (key -> rows, or -> (rows, foot rows)); ``current`` (default the first)
    shown, switched with ``chart``'s variants."""
    words = i18n.words(lang)["columns"]
    split = {k: v if isinstance(v, tuple) else (v, []) for k, v in bodies.items()}
    return Table(
        id_,
        caption,
        [(words[c], numeric) for c, numeric in columns],
        {k: rows for k, (rows, _) in split.items()},
        current or next(iter(bodies)),
        chart,
        empty,
        {k: foot for k, (_, foot) in split.items() if foot},
    )


def charted(
    name: str,
    titles: tuple[str, str],
    results: dict[str, Result],
    columns: list[tuple[str, bool]],
    rows: Callable[[Result, str], Any],
    lang: str,
    current: str | None = None,
) -> tuple[Chart, Table]:
    """A chart ``chart-<name>`` with a variant per result (key -> result; ``current``, default
    the first, shown) and its table ``<name>-table`` of ``rows(result, lang)``, switched with
    it; ``titles``: the chart's and the table's."""
    current = current or next(iter(results))
    drawn = [variant(k, r, lang, f"milex-{name}-{k}") for k, r in results.items()]
    chart = Chart(f"chart-{name}", titles[0], drawn, current)
    bodies = {k: rows(r, lang) for k, r in results.items()}
    return chart, table(
        f"{name}-table", titles[1], columns, lang, bodies, chart=chart.id, current=current
    )


def variant(key: str, result: Result, lang: str, file: str) -> Variant:
    """A chart variant drawn from ``result`` (:func:`milex.charts.figure_json`, names in the
    language); a kind without a chart keeps its rows and caption and says why it is not
    drawn."""
    from milex import charts

    try:
        drawn, message = charts.figure_json(result, lang, names=i18n.names(lang)), ""
    except InputError as exc:
        drawn, message = None, str(exc)
    rows = result.to_dict()["rows"]
    return Variant(key, drawn, rows, file, sources(result), message, result.citations())


def sources(result: Result) -> list[dict]:
    """What a caption cites: each edition behind a result once (``source`` upper case,
    ``vintage``, ``cite``, ``url``); figures that come from no edition (the munitions
    estimates, each published by someone else, and a scenario's assumptions) once per citation,
    with an empty ``vintage``: their year is no edition."""
    cited: dict[tuple, dict] = {}
    for row in result.sources.to_dict("records"):
        vintage = str(row["vintage"]) if re.fullmatch(EDITION, str(row["vintage"])) else ""
        cite = row["cite"] if isinstance(row["cite"], str) else ""
        key = (row["source"], vintage) if vintage else (row["source"], cite)
        cited.setdefault(
            key,
            {
                "source": str(row["source"]).upper(),
                "vintage": vintage,
                "cite": cite,
                "url": row["url"] if isinstance(row["url"], str) else "",
            },
        )
    return list(cited.values())


def num(value: Any, lang: str, digits: int = 2, *, reason: str = "") -> Cell:
    """A numeric cell; a missing value shows the missing mark and the reason as its title."""
    if i18n.missing(value):
        return Cell(i18n.words(lang)["missing"], None, cls="num missing", title=reason)
    return Cell(i18n.number(value, lang, digits), float(value), cls="num")


def share(value: Any, lang: str, *, reason: str = "") -> Cell:
    """A share of GDP with two decimals (``3,75``)."""
    if i18n.missing(value):
        return num(value, lang, reason=reason)
    return Cell(i18n.fixed(value, lang), float(value), cls="num")


def met(value: Any, lang: str) -> Cell:
    """Whether a guideline is met, in words (and a mark), missing when not judged."""
    if i18n.missing(value):
        return Cell(i18n.words(lang)["missing"], None, cls="missing")
    return Cell(i18n.yes_no(value, lang), int(bool(value)), cls="yes" if value else "no")


def text(value: Any, lang: str) -> Cell:
    """A cell of text; missing text is the missing mark."""
    if i18n.missing(value) or value == "":
        return Cell(i18n.words(lang)["missing"], "", cls="missing")
    return Cell(str(value), str(value))


def year_cell(value: Any, lang: str) -> Cell:
    """A year (no thousands separator), missing when not given."""
    if i18n.missing(value):
        return text(None, lang)
    return Cell(str(int(value)), int(value))


def measure_word(code: Any, lang: str) -> str:
    """A measure or indicator (``share_gdp``, ``real_growth`` ...) in the language's words;
    a code without words as it is."""
    return i18n.words(lang)["measures"].get(str(code), str(code))


def status_word(value: Any, lang: str) -> str:
    """A figure's status (actual, estimate ...) in the language."""
    return i18n.messages(lang)["statuses"].get(str(value), str(value))


# ------------------------------------------------------------------------ cached results


@per_store(4)
def first_year(store: Any = None) -> int:
    """The first year of NATO's share-of-GDP series in its newest edition (2014 today): the
    first year of the overview's year control, the explorer and the Russia comparison."""
    table = api.coverage("nato", store=store)
    rows = table[(table["indicator"] == "share_gdp") & (table["vintage"] == table["vintage"].max())]
    return int(rows["first_year"].min())


@per_store(4)
def statuses(store: Any = None) -> dict[int, Result]:
    """Every year's status (:func:`first_year` to the latest year NATO publishes), one result
    per year."""
    latest = api.status(store=store)
    years = range(first_year(store=store), latest.query["year"])
    return {**{y: api.status(y, store=store) for y in years}, latest.query["year"]: latest}


def latest_year(store: Any = None) -> int:
    """The latest year with NATO figures (the overview's default)."""
    return max(statuses(store=store))


def allies(store: Any = None) -> list[tuple[str, str]]:
    """``(iso3, English name)`` of the allies in the latest year, in the status's order."""
    frame = statuses(store=store)[latest_year(store)].frame
    countries = frame[frame["kind"] == "country"]
    return list(zip(countries["iso3"], countries["name"], strict=True))


# ------------------------------------------------------------------------ overview


def status_rows(result: Result, lang: str) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """The overview table of one year: allies (body) and NATO's aggregates (foot)."""
    body, foot = [], []
    for row in result.frame.itertuples():
        reason = row.note if isinstance(row.note, str) else ""
        name = i18n.country_name(row.iso3, row.name, lang)
        cells = [
            Cell(name, name, country=row.iso3 if row.kind == "country" else None),
            share(row.share_gdp, lang, reason=reason),
            met(row.meets_wales_2, lang),
            met(row.meets_hague_3_5, lang),
            num(row.spend_usd_current, lang, 0, reason=reason),
            num(row.equipment_share, lang, reason=reason),
            num(row.real_change_pct, lang, reason=reason),
            Cell(status_word(row.status, lang), str(row.status)),
            text(row.vintage, lang),
            Cell(reason, reason, cls="note"),
        ]
        (foot if row.kind == "aggregate" else body).append(cells)
    return body, foot


@per_store(8)
def overview(lang: str, store: Any = None) -> dict[str, Any]:
    """The overview: every year's status as a chart and a table (switched by the year
    control), the guidelines, the latest year."""
    words = i18n.words(lang)
    results = statuses(store=store)
    latest = latest_year(store)
    chart, status_table = charted(
        "status",
        (words["overview"]["chart"], words["overview"]["table"]),
        {str(year): result for year, result in results.items()},
        STATUS_COLUMNS,
        status_rows,
        lang,
        str(latest),
    )
    return {
        "chart": chart,
        "table": status_table,
        "years": [str(y) for y in results],
        "guidelines": api.guidelines().to_dict("records"),
        "latest": latest,
        "results": {f"status-{year}": result for year, result in results.items()},
    }


#: The overview table's columns: interface word key and whether it holds numbers.
STATUS_COLUMNS = [
    ("country", False),
    ("share_gdp", True),
    ("meets_2", False),
    ("meets_3_5", False),
    ("spend_usd", True),
    ("equipment_share", True),
    ("real_change", True),
    ("status", False),
    ("edition", False),
    ("note", False),
]


# ------------------------------------------------------------------------ country


def country_code(name: str, store: Any = None) -> str:
    """The ISO3 code of an ally named ``name`` (a code, or a name milex.resolve accepts);
    an InputError for anything else (the page answers 404)."""
    codes = {code for code, _ in allies(store)}
    if name.upper() in codes:
        return name.upper()
    try:
        code = api.resolve(name)
    except InputError:
        code = None
    if code not in codes:
        raise InputError(
            f"country: got {shown(name)}; not a NATO ally milex knows (e.g. DEU, Poland)"
        )
    return code


def history_rows(iso3: str, lang: str, store: Any = None) -> list[list[Cell]]:
    """The country's row in every year's status: share of GDP and the guidelines met."""
    rows = []
    for year, result in statuses(store=store).items():
        match = result.frame[result.frame["iso3"] == iso3]
        if match.empty:  # not an ally that year
            continue
        row = next(match.itertuples())
        reason = row.note if isinstance(row.note, str) else ""
        rows.append(
            [
                Cell(str(year), year),
                share(row.share_gdp, lang, reason=reason),
                met(row.meets_wales_2, lang),
                met(row.meets_hague_3_5, lang),
                met(row.meets_wales_equipment_20, lang),
                Cell(status_word(row.status, lang), str(row.status)),
                text(row.vintage, lang),
                Cell(reason, reason, cls="note"),
            ]
        )
    return rows


def pledge_amount(row: Any, lang: str) -> Cell:
    """A pledge's amount as announced (``86 EUR billion``), missing when it gave a share."""
    amount = num(row.target_amount, lang, 1)
    if amount.sort is not None:
        unit = i18n.words(lang)["units"].get(row.amount_unit, row.amount_unit)
        amount.text = f"{amount.text} {row.amount_currency} {unit}"
    return amount


def pledge_rows(result: Result, lang: str) -> list[list[Cell]]:
    """The pledges table: each plan as announced and as checked."""
    rows = []
    for row in result.frame.itertuples():
        amount = pledge_amount(row, lang)
        rows.append(
            [
                text(row.announced, lang),
                share(row.target_share_gdp, lang),
                year_cell(row.target_year, lang),
                amount,
                text(row.scope, lang),
                share(row.implied_share, lang),
                met(row.adds_up, lang),
                met(row.on_path, lang),
                text(row.flag, lang),
                text(row.source, lang),
            ]
        )
    return rows


@per_store(64)
def country(iso3: str, lang: str, store: Any = None) -> dict[str, Any]:
    """A country page: history across editions, the guidelines met year by year, pledges,
    the projected path with its Monte Carlo band."""
    words = i18n.words(lang)
    results = country_results(iso3, store=store)
    report, plans, simulation = (results.get(k) for k in ("report", "pledges", "simulate"))
    history = Chart(
        "chart-history",
        words["country"]["history"],
        [variant("all", report, lang, f"milex-{iso3}-editions")],
        "all",
    )
    targets = table(
        "targets-table",
        words["country"]["targets"],
        TARGET_COLUMNS,
        lang,
        {"all": history_rows(iso3, lang, store)},
    )
    pledges = table(
        "pledges-table",
        words["country"]["pledges"],
        PLEDGE_COLUMNS,
        lang,
        {"all": pledge_rows(plans, lang) if plans is not None else []},
        empty=words["country"]["no_pledges"],
    )
    drawn = [variant("all", simulation, lang, f"milex-{iso3}-simulation")] if simulation else []
    path = Chart("chart-path", words["country"]["path"], drawn, "all")
    probability = simulation.extra["probability"] if simulation else None
    name = dict(allies(store))[iso3]
    return {
        "iso3": iso3,
        "name": i18n.country_name(iso3, name, lang),
        "history": history,
        "targets": targets,
        "pledges": pledges,
        "pledge_sources": sources(plans) if plans is not None else [],
        "path": path,
        "path_message": results["why"],
        "probability": i18n.percent(probability, lang, 1) if probability is not None else "",
        "simulation": path_settings(),
        "missing": list(report.extra.get("missing", [])),
        "caveats": [*report.caveats, *(report.extra.get("caveats") or [])],
        "no_comparison": report.extra.get("no_comparison") or "",
        "results": {
            f"{kind}-{iso3}": results[kind] for kind in COUNTRY_RESULTS if results[kind] is not None
        },
    }


#: The results behind a country page.
COUNTRY_RESULTS = ("report", "pledges", "simulate")


@per_store(64)
def country_results(iso3: str, store: Any = None) -> dict[str, Any]:
    """The results of a country page: ``report``, ``pledges`` (None when none are on record),
    ``simulate`` (None when it cannot run, ``why`` says why: Iceland has no figures)."""
    try:
        plans = api.pledges(iso3, store=store)
    except InputError:  # no pledges on record for this ally
        plans = None
    try:
        simulation, why = api.simulate(iso3, store=store, **PAGE_SIMULATION, **path_settings()), ""
    except InputError as exc:
        simulation, why = None, str(exc)
    report = api.report(iso3, store=store)
    return {"report": report, "pledges": plans, "simulate": simulation, "why": why}


#: The country page's table of guidelines met, year by year.
TARGET_COLUMNS = [
    ("year", True),
    ("share_gdp", True),
    ("meets_2", False),
    ("meets_3_5", False),
    ("meets_equipment", False),
    ("status", False),
    ("edition", False),
    ("note", False),
]
#: The pledges table.
PLEDGE_COLUMNS = [
    ("announced", False),
    ("pledged_share", True),
    ("target_year", True),
    ("amount", True),
    ("scope", False),
    ("implied_share", True),
    ("adds_up", False),
    ("on_path", False),
    ("flag", False),
    ("source", False),
]


# ------------------------------------------------------------------------ explorer


def number_or_text(value: str) -> float | str:
    """A value as a form or a URL gives it: a finite number (``3.5``, ``3,5``) as a float,
    anything else (a guideline id, a word, ``inf``, nothing) as its text, stripped; the API
    checks it."""
    text_ = value.strip()
    try:
        number = float(text_.replace(",", "."))
    except ValueError:
        return text_
    return number if math.isfinite(number) else text_


def gap_rows(result: Result, lang: str) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """The gap table: allies (body) and the group's total (foot)."""
    body, foot = [], []
    group = result.query.get("group")
    for row in result.frame.itertuples():
        name = i18n.country_name(row.iso3, row.name, lang)
        ally = row.iso3 != group  # the group's total row is named by the group's id
        cells = [
            Cell(name, name, country=row.iso3 if ally else None),
            share(row.share_gdp, lang),
            share(row.target, lang),
            share(row.gap_pp, lang),
            num(row.gap_usd_current, lang, 0),
            num(row.gap_eur_current, lang, 0),
            Cell(status_word(row.status, lang), str(row.status)),
            text(row.vintage, lang),
        ]
        (body if ally else foot).append(cells)
    return body, foot


def path_rows(result: Result, lang: str) -> list[list[Cell]]:
    """The path table: year by year, share, spending and the extra spending."""
    return [
        [
            year_cell(row.year, lang),
            share(row.share_gdp, lang),
            num(row.spend_current, lang, 0),
            num(row.extra_current, lang, 0),
            text(row.basis, lang),
        ]
        for row in result.frame.itertuples()
    ]


@per_store(32)
def explorer(
    lang: str,
    targets: tuple[float | str, ...],
    year: int | None = None,
    group: str | None = None,
    country: str = "europe-canada",
    by: int | None = None,
    store: Any = None,
) -> dict[str, Any]:
    """The gap and path explorer: per target (a variant each), the gap of the allies (of
    ``group``) in ``year`` and the path of ``country`` (a country or group) by ``by``."""
    words = i18n.words(lang)
    gaps = {str(t): api.gap(t, year, group=group, store=store) for t in targets}
    paths = {
        str(t): api.path(country, t, by or path_settings()["by"], store=store) for t in targets
    }
    gap, gap_table = charted(
        "gap", (words["explorer"]["gap"],) * 2, gaps, GAP_COLUMNS, gap_rows, lang
    )
    some_gap, some_path = gaps[str(targets[0])], paths[str(targets[0])]
    money = words["explorer"]["money"].format(unit=some_path.units.get("spend_current", ""))
    titles = (words["explorer"]["path"], f"{words['explorer']['path']} ({money})")
    path, path_table = charted("path", titles, paths, PATH_COLUMNS, path_rows, lang)
    return {
        "gap": gap,
        "gap_table": gap_table,
        "path": path,
        "path_table": path_table,
        "missing": [
            f"{code}: {why}" for code, why in (some_gap.extra.get("missing") or {}).items()
        ],
        "remarks": [*some_gap.notes, *some_gap.caveats, *some_path.notes, *some_path.caveats],
        "query": {**some_gap.query, "country": country, "by": some_path.query["by"]},
        "labels": {str(t): str(t) for t in targets},
        "groups": api.groups()[["group", "name"]].values.tolist(),
        "years": (first_year(store=store), latest_year(store)),
        "thresholds": shares_of_gdp(),
        "results": {
            **{f"gap-{k}-{r.query['year']}": r for k, r in gaps.items()},
            **{f"path-{country}-{k}-{r.query['by']}": r for k, r in paths.items()},
        },
    }


def shares_of_gdp() -> list[str]:
    """The shares of GDP the guidelines set (``2``, ``3.5``, ``5``), once each, as the
    explorer's target box offers them."""
    rows = api.guidelines()
    return list(
        dict.fromkeys(f"{t:g}" for t in rows[rows["indicator"] == "share_gdp"]["threshold"])
    )


#: The gap table's columns.
GAP_COLUMNS = [
    ("country", False),
    ("share_gdp", True),
    ("target", True),
    ("gap_pp", True),
    ("gap_usd", True),
    ("gap_eur", True),
    ("status", False),
    ("edition", False),
]
#: The path table's columns.
PATH_COLUMNS = [
    ("year", True),
    ("share_path", True),
    ("spend", True),
    ("extra", True),
    ("source", False),
]


# ------------------------------------------------------------------------ Russia


def by_basis(result: Result, basis: str) -> Result:
    """The comparison's rows on one basis (and the measures that have none: shares of GDP,
    growth, per capita), for the basis switch."""
    frame = result.frame
    keep = frame["basis"].isna() | (frame["basis"] == basis)
    query = {**result.query, "basis": basis}
    return dataclasses.replace(result, frame=frame[keep].reset_index(drop=True), query=query)


def compare_rows(result: Result, lang: str) -> list[list[Cell]]:
    """The comparison table: year, measure, basis, both sides, their ratio, unit, how."""
    return [
        [
            year_cell(row.year, lang),
            text(measure_word(row.measure, lang), lang),
            basis_cell(row.basis, lang),
            num(row.side_a, lang, reason=row.missing_a or ""),
            num(row.side_b, lang, reason=row.missing_b or ""),
            num(row.a_to_b, lang),
            text(row.unit, lang),
            Cell(status_word(row.status, lang), str(row.status)),
            Cell(f"{row.how_a} · {row.how_b}", cls="note"),
        ]
        for row in result.frame.sort_values("year", ascending=False).itertuples()
    ]


def basis_cell(basis: Any, lang: str) -> Cell:
    """A comparison's basis (``mer``, ``ppp`` ...) in the language's words; missing for the
    measures that have none."""
    if i18n.missing(basis):
        return text(None, lang)
    return text(i18n.words(lang)["russia"].get(basis, basis), lang)


@per_store(4)
def comparison(store: Any = None) -> Result:
    """NATO Europe and Canada against Russia on every basis, from 2014 to the latest year
    both sides have (the latest comparison says which)."""
    last = api.compare(*RUSSIA, basis="mer", store=store).query["years"][1]
    return api.compare(*RUSSIA, years=f"{first_year(store=store)}-{last}", basis="all", store=store)


@per_store(8)
def russia(lang: str, store: Any = None) -> dict[str, Any]:
    """The Russia comparison, one variant per basis."""
    words = i18n.words(lang)
    result = comparison(store=store)
    parts = {basis: by_basis(result, basis) for basis in BASES}
    titles = (words["russia"]["chart"], words["russia"]["table"])
    chart, compared = charted("compare", titles, parts, COMPARE_COLUMNS, compare_rows, lang)
    return {
        "chart": chart,
        "table": compared,
        "bases": BASES,
        "explained": result.extra.get("bases") or {},
        "remarks": [*result.notes, *result.caveats],
        "results": {"compare-europe-canada-RUS": result},
    }


#: The comparison table's columns.
COMPARE_COLUMNS = [
    ("year", True),
    ("measure", False),
    ("basis", False),
    ("side_a", True),
    ("side_b", True),
    ("ratio", True),
    ("unit", False),
    ("status", False),
    ("how", False),
]


# ------------------------------------------------------------------------ munitions


def parameter_rows(result: Result) -> list[dict[str, Any]]:
    """The scenario's editable parameters (key, value, unit, label, source), as the result
    lists them (none when the API lists none)."""
    return list(result.extra.get("parameters") or [])


@per_store(16)
def munitions(lang: str, changes: tuple[tuple[str, float], ...] = (), store: Any = None) -> dict:
    """The munitions scenario (default, with ``changes`` to its parameters: key, value pairs)
    and the production ratio with its sources."""
    words = i18n.words(lang)
    result = scenario(changes, store=store)
    ratio = api.munitions_ratio(store=store)
    ratios = table(
        "ratio-table",
        words["munitions"]["ratio_table"],
        RATIO_COLUMNS,
        lang,
        {
            "all": [
                [
                    text(row.actor, lang),
                    num(row.low, lang),
                    num(row.central, lang),
                    num(row.high, lang),
                    num(row.estimates, lang, 0),
                ]
                for row in ratio.frame.itertuples()
            ]
        },
    )
    return {
        "chart": Chart(
            "chart-munitions",
            words["munitions"]["chart"],
            [variant("all", result, lang, "milex-munitions")],
            "all",
        ),
        "parameters": parameter_rows(result),
        "remarks": [*result.notes, *result.caveats],
        "ratio": ratios,
        "ratio_sentence": ratio.extra.get("sentence", ""),
        "ratio_notes": [*ratio.notes[1:], *ratio.caveats],
        "ratio_sources": sources(ratio),
        "results": {"munitions-default": result, "munitions-ratio": ratio},
    }


@per_store(16)
def scenario(changes: tuple[tuple[str, float], ...], store: Any = None) -> Result:
    """The default munitions scenario with ``changes`` (key, value pairs)."""
    return api.munitions("default", changes=dict(changes) or None, store=store)


#: The production ratio table's columns.
RATIO_COLUMNS = [
    ("actor", False),
    ("low", True),
    ("central", True),
    ("high", True),
    ("estimates", True),
]


# ------------------------------------------------------------------------ claims

#: The longest text the web's claim checker takes (the page and /api/check), characters: a
#: long article has about 30,000; ``milex check --file`` takes longer ones.
MAX_CHECK_TEXT = 100_000


def too_long(lang: str) -> str:
    """The one-line refusal of a text longer than :data:`MAX_CHECK_TEXT` characters, in the
    language."""
    limit = i18n.number(MAX_CHECK_TEXT, lang, 0)
    return i18n.words(lang)["errors"]["too_long"].format(limit=limit)


@dataclass
class Piece:
    """A piece of a checked text: plain, or a claim's span (``claim``: its number, from 1)."""

    text: str
    claim: int = 0
    verdict: str = ""


def pieces(text_: str, frame: Any) -> list[Piece]:
    """The text cut at the claims' spans, each span marked once (overlaps joined to the
    first claim covering them)."""
    out, at = [], 0
    for number, row in enumerate(frame.itertuples(), start=1):
        start, end = int(row.start), int(row.end)
        if start < at:  # a second claim in a span already marked
            continue
        out += [Piece(text_[at:start]), Piece(text_[start:end], number, row.verdict)]
        at = end
    return [*out, Piece(text_[at:])]


def claims(text_: str, lang: str, date: str | None = None, store: Any = None) -> dict:
    """A text checked: the text with its claims marked, and each claim with its verdict (in
    the interface's language, with a mark), reason (in the text's language) and evidence."""
    result = api.check(text_, None, date or None, store=store)
    verdicts = i18n.messages(lang)["verdicts"]
    icons = i18n.words(lang)["icons"]
    full = result.extra.get("claims") or []
    listed = []
    for number, (row, claim) in enumerate(
        zip(result.frame.itertuples(), full, strict=True), start=1
    ):
        listed.append(
            {
                "number": number,
                "text": row.text,
                "verdict": row.verdict,
                "verdict_text": verdicts[row.verdict],
                "icon": icons[row.verdict],
                "reason": row.reason,
                "later": row.later or "",
                "kind": row.kind,
                "evidence": [
                    {
                        **e,
                        "shown": i18n.number(e.get("value"), lang),
                        "measure": measure_word(e.get("indicator"), lang),
                        "status_text": status_word(e.get("status"), lang),
                    }
                    for e in claim.get("evidence", [])
                ],
            }
        )
    return {
        "pieces": pieces(text_, result.frame),
        "claims": listed,
        "sources": sources(result),
        "query": result.query,
    }


def answer(question: str, store: Any = None) -> dict:
    """A question answered (in its language) with the figures behind it and their sources."""
    result = api.ask(question, store=store)
    return {
        "text": result.extra.get("answer", ""),
        "answered": bool(result.extra.get("answered")),
        "examples": list(result.extra.get("examples") or []),
        "sources": sources(result),
    }
