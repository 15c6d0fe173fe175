"""What each page shows, built from the API's results: charts (a plotly figure per variant, the
rows behind it, its sources), tables of formatted cells, notes. No analysis happens here: the
figures come from :mod:`milex.api` as they are, formatted for the language by
:mod:`milex.web.i18n`; a missing figure stays missing (the language's mark, with the reason
where the result gives one).

Every function takes ``store`` (None: the embedded data) and passes it on to the API; the
expensive, deterministic results are cached per store in small LRU caches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from milex import api
from milex.errors import InputError, MilexError
from milex.result import Result
from milex.vocab import LAST_YEAR
from milex.web import i18n

#: The years of the overview's year control (NATO's series start in 2014).
FIRST_STATUS_YEAR = 2014
#: The country page's Monte Carlo run: stated on the page.
SIMULATION = {"target": 3.5, "by": 2035, "draws": 20_000, "seed": 1}
#: The guidelines the explorer offers (and the static site precomputes).
GUIDELINES = ("wales-2", "hague-3.5", "hague-5")
#: The bases of the Russia comparison (one basis for both sides each).
BASES = ("mer", "ppp", "defence-ppp", "split")
#: The sides of the Russia comparison.
RUSSIA = ("europe-canada", "RUS")


# ------------------------------------------------------------------------ building blocks


@dataclass
class Variant:
    """One state of a chart: its figure (plotly JSON), the rows behind it (for the CSV
    download), a file name, and the editions it shows (for the caption)."""

    key: str
    figure: dict | None
    rows: list[dict]
    file: str
    sources: list[dict]
    message: str = ""


@dataclass
class Chart:
    """A chart with one variant or several (a year, a basis, a guideline) switched by a
    control on the page; ``current`` is shown first."""

    id: str
    title: str
    variants: list[Variant]
    current: str

    def data(self) -> dict[str, Any]:
        """What the page embeds for milex.js: each variant's figure, rows and file name."""
        return {
            "current": self.current,
            "variants": {
                v.key: {"figure": v.figure, "rows": v.rows, "file": v.file} for v in self.variants
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


def variant(key: str, result: Result, lang: str, file: str) -> Variant:
    """A chart variant drawn from ``result`` (:func:`milex.charts.figure_json`); a kind
    without a chart keeps its rows and caption and says why it is not drawn."""
    from milex import charts

    try:
        drawn, message = charts.figure_json(result, lang), ""
    except InputError as exc:
        drawn, message = None, str(exc)
    rows = result.to_dict()["rows"]
    return Variant(key, drawn, rows, file, sources(result), message)


def sources(result: Result) -> list[dict]:
    """The editions behind a result, once each: ``source`` (upper case), ``vintage``, ``cite``
    and ``url`` (for the caption)."""
    if result.sources.empty:
        return []
    seen = result.sources.drop_duplicates(["source", "vintage"])
    return [
        {
            "source": str(row.source).upper(),
            "vintage": str(row.vintage),
            "cite": str(row.cite) if isinstance(row.cite, str) else "",
            "url": str(row.url) if isinstance(row.url, str) else "",
        }
        for row in seen.itertuples()
    ]


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


def status_word(value: Any, lang: str) -> str:
    """A figure's status (actual, estimate ...) in the language."""
    return i18n.messages(lang)["statuses"].get(str(value), str(value))


# ------------------------------------------------------------------------ cached results


@lru_cache(maxsize=4)
def statuses(store: Any = None) -> dict[int, Result]:
    """Every year's status (2014 to the latest year NATO publishes), one result per year."""
    latest = api.status(store=store)
    first = {y: api.status(y, store=store) for y in range(FIRST_STATUS_YEAR, latest.query["year"])}
    return {**first, latest.query["year"]: latest}


def latest_year(store: Any = None) -> int:
    """The latest year with NATO figures (the overview's default)."""
    return max(statuses(store))


def allies(store: Any = None) -> list[tuple[str, str]]:
    """``(iso3, English name)`` of the allies in the latest year, in the status's order."""
    frame = statuses(store)[latest_year(store)].frame
    countries = frame[frame["kind"] == "country"]
    return list(zip(countries["iso3"], countries["name"], strict=True))


def country_name(iso3: str, name: str, lang: str) -> str:
    """A country's name in the language (pycountry's translations; English as given)."""
    return i18n.country_name(iso3, name, lang)


# ------------------------------------------------------------------------ overview


def status_rows(result: Result, lang: str) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """The overview table of one year: allies (body) and NATO's aggregates (foot)."""
    body, foot = [], []
    for row in result.frame.itertuples():
        reason = row.note if isinstance(row.note, str) else ""
        name = country_name(row.iso3, row.name, lang)
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


@lru_cache(maxsize=8)
def overview(lang: str, store: Any = None) -> dict[str, Any]:
    """The overview: every year's status as a chart and a table (switched by the year
    control), the guidelines, the latest year."""
    words = i18n.words(lang)
    results = statuses(store)
    latest = latest_year(store)
    key = str(latest)
    chart = Chart(
        "chart-status",
        words["overview"]["chart"],
        [variant(str(y), r, lang, f"milex-status-{y}") for y, r in results.items()],
        key,
    )
    table = Table(
        "status-table",
        words["overview"]["table"],
        [(words["columns"][c], n) for c, n in STATUS_COLUMNS],
        {},
        key,
        "chart-status",
    )
    for year, result in results.items():
        table.bodies[str(year)], table.foot[str(year)] = status_rows(result, lang)
    return {
        "chart": chart,
        "table": table,
        "years": [str(y) for y in results],
        "guidelines": api.guidelines().to_dict("records"),
        "latest": latest,
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
    except MilexError:
        code = None
    if code not in codes:
        raise InputError(f"country: got {name!r}; not a NATO ally milex knows (e.g. DEU, Poland)")
    return code


def history_rows(iso3: str, lang: str, store: Any = None) -> list[list[Cell]]:
    """The country's row in every year's status: share of GDP and the guidelines met."""
    rows = []
    for year, result in statuses(store).items():
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


def pledge_rows(result: Result, lang: str) -> list[list[Cell]]:
    """The pledges table: each plan as announced and as checked."""
    words = i18n.words(lang)
    rows = []
    for row in result.frame.itertuples():
        amount = num(row.target_amount, lang, 1)
        if amount.sort is not None:
            amount.text = f"{amount.text} {row.amount_currency} {words['units'].get(row.amount_unit, row.amount_unit)}"
        rows.append(
            [
                Cell(str(row.announced), str(row.announced)),
                share(row.target_share_gdp, lang),
                num(row.target_year, lang, 0),
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


@lru_cache(maxsize=64)
def country(iso3: str, lang: str, store: Any = None) -> dict[str, Any]:
    """A country page: history across editions, the guidelines met year by year, pledges,
    the projected path with its Monte Carlo band."""
    words = i18n.words(lang)
    report = api.report(iso3, store=store)
    history = Chart(
        "chart-history",
        words["country"]["history"],
        [variant("all", report, lang, f"milex-{iso3}-editions")],
        "all",
    )
    targets = Table(
        "targets-table",
        words["country"]["targets"],
        [(words["columns"][c], n) for c, n in TARGET_COLUMNS],
        {"all": history_rows(iso3, lang, store)},
        "all",
    )
    try:
        plans = api.pledges(iso3, store=store)
    except InputError:  # no pledges on record for this ally
        plans = None
    pledges = Table(
        "pledges-table",
        words["country"]["pledges"],
        [(words["columns"][c], n) for c, n in PLEDGE_COLUMNS],
        {"all": pledge_rows(plans, lang) if plans is not None else []},
        "all",
        empty=words["country"]["no_pledges"],
    )
    try:
        simulation = api.simulate(iso3, store=store, **SIMULATION)
    except MilexError as exc:  # an ally without figures (Iceland): said on the page
        path = Chart("chart-path", words["country"]["path"], [], "")
        path_message, probability = str(exc), None
    else:
        path = Chart(
            "chart-path",
            words["country"]["path"],
            [variant("all", simulation, lang, f"milex-{iso3}-simulation")],
            "all",
        )
        path_message, probability = "", simulation.extra["probability"]
    name = dict(allies(store))[iso3]
    return {
        "iso3": iso3,
        "name": country_name(iso3, name, lang),
        "history": history,
        "targets": targets,
        "pledges": pledges,
        "pledge_sources": sources(plans) if plans is not None else [],
        "path": path,
        "path_message": path_message,
        "probability": i18n.percent(probability, lang) if probability is not None else "",
        "simulation": SIMULATION,
        "missing": list(report.extra.get("missing", [])),
        "caveats": [*report.caveats, *(report.extra.get("caveats") or [])],
        "no_comparison": report.extra.get("no_comparison") or "",
    }


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
