"""``milex report``: one self-contained HTML or PDF file on a country, a group or all allies.

The report renders the API's results, nothing else: for a country where it stands in the
latest year (:func:`milex.status`), its share of GDP across NATO's editions
(:func:`milex.report`), its gap to 2%, 3.5% and 5% of GDP (:func:`milex.gap`), a path to 3.5% by
2035 (:func:`milex.path`), the probability of that path (:func:`milex.simulate`, a fixed number
of draws and seed so that a report can be rerun) and its national plans (:func:`milex.pledges`);
for a group its members' status, the group's gap and the group's path. Every table and chart
names the editions behind it, and a last section lists every citation.

The HTML file needs nothing else: its CSS is inline and plotly.js (from the installed plotly
package) is inlined once, so it opens offline and makes no request. The PDF is the same HTML
printed by a Chromium through Playwright (``pip install 'milex[pdf]'``; Debian:
``apt-get install chromium``), which draws the charts with their JavaScript first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from milex import __version__, api, charts
from milex.catalog import read_toml
from milex.errors import InputError, MilexError, first_line, shown
from milex.outfile import write as write_file
from milex.result import Result
from milex.web import i18n, views
from milex.web.views import Cell

#: The formats a report is written in.
FORMATS = ("html", "pdf")
#: Browsers looked for on the PATH when ``MILEX_CHROMIUM`` is not set, in this order.
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: What a PDF needs, told when it is missing.
PDF_NEEDS = (
    "a PDF report needs Playwright and a Chromium: pip install 'milex[pdf]' and "
    "apt-get install chromium (or set MILEX_CHROMIUM to a Chromium's path)"
)
#: Longest wait for the charts to be drawn before printing, milliseconds.
DRAW_TIMEOUT_MS = 60_000
#: Rows of a table kept on one page with its heading (a longer table may break between rows).
SHORT_TABLE = 16
#: Page margins of the PDF (left and right), millimetres.
MARGIN_MM = 12
#: Width the page is laid out and its charts drawn at before printing: A4 (210 mm) less the
#: margins, in CSS pixels (96 to the inch).
PRINT_WIDTH_PX = round((210 - 2 * MARGIN_MM) / 25.4 * 96)

#: Columns of the report's own tables (the gap and path tables are the pages'): a words key
#: (interface [columns], else the report's [columns]) and whether the column holds numbers.
PLEDGE_COLUMNS = [
    ("announced", False),
    ("target_year", False),
    ("pledged_share", True),
    ("amount", True),
    ("scope", False),
    ("implied_share", True),
    ("adds_up", False),
    ("on_path", False),
]
SIMULATE_COLUMNS = [
    ("year", False),
    ("planned", True),
    ("median", True),
    ("p05", True),
    ("p95", True),
    ("prob_meet", True),
]


@dataclass
class Table:
    """A table as the template draws it: column labels (and whether each holds numbers), rows
    of cells (:class:`milex.web.views.Cell`), rows set apart at the foot (aggregates) and,
    where given, a line of text under each row spanning the table (a pledge's check, source)."""

    columns: list[tuple[str, bool]]
    rows: list[list[Cell]]
    foot: list[list[Cell]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    @property
    def short(self) -> bool:
        """Whether the table fits on a page with its heading (at most :data:`SHORT_TABLE`
        rows): it is then kept in one piece when printed."""
        return len(self.rows) + len(self.foot) <= SHORT_TABLE


@dataclass
class Section:
    """One part of the report: a title, paragraphs, tables, charts (HTML fragments), the
    citations of the editions behind its figures, its notes, and the editions' details."""

    key: str
    title: str
    text: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    origins: list[dict] = field(default_factory=list)


# ------------------------------------------------------------------------ entry point


def write(
    subject: str | None,
    fmt: str,
    output: Path | str,
    lang: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write the report on ``subject`` (a country's name or code, a group id such as
    ``europe-canada``, or ``None`` for all allies) as ``fmt`` (``html`` or ``pdf``) to
    ``output``, a file name (``-``: standard output), in ``lang`` (en, nl, de, fr).

    The file is written whole or not at all (:func:`milex.outfile.write`). ``progress`` is
    called with (parts done, parts) while the figures are gathered. Raises
    :class:`InputError` on a bad subject, format or language and :class:`MilexError` when a PDF
    cannot be printed (Playwright or Chromium missing). Returns ``output`` as a path.
    """
    if fmt not in FORMATS:
        raise InputError(f"format: got {shown(fmt)}; a report is written as html or pdf")
    lang = i18n.check_lang(lang)
    who = _subject(subject)
    browser = chromium() if fmt == "pdf" else None  # told before the figures are gathered
    page = _page(who, lang, progress)
    data = page.encode("utf-8") if browser is None else print_pdf(page, browser)
    target = Path(output)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return target
    return write_file(target, lambda stream: stream.write(data))


def _page(
    who: tuple[str | None, str | None], lang: str, progress: Callable[[int, int], None] | None
) -> str:
    """The HTML page on ``who`` (see :func:`_subject`) in ``lang``."""
    words = read_toml(f"report/{lang}.toml")
    group, code = who
    name = _name(group or code, lang)
    parts = _group_parts(group) if group else _country_parts(code)
    sections: list[Section] = []
    for done, part in enumerate(parts, 1):
        sections.extend(part(lang, words, name))
        if progress is not None:
            progress(done, len(parts))
    return _template().render(
        lang=lang,
        title=words["title"]["report"].format(name=name),
        subtitle=words["title"]["subtitle"],
        generated=words["title"]["generated"].format(
            date=dt.datetime.now(dt.UTC).date().isoformat(), version=__version__
        ),
        words=words,
        sections=sections,
        notes=list(dict.fromkeys(note for s in sections for note in s.notes)),
        origins=list({o["cite"]: o for s in sections for o in s.origins}.values()),
        guidelines=list(dict.fromkeys(api.guidelines()["source"])),
        plotly_js=_plotly_js(),
    )


# ------------------------------------------------------------------------ the subject


def _subject(subject: str | None) -> tuple[str | None, str | None]:
    """``(group id, None)`` for a group, an aggregate's code or None (all allies), else
    ``(None, ISO3)`` of an ally; an unknown name is the API's one-line refusal (with the
    closest names), a country that is no ally one line too."""
    if subject is None:
        return "nato", None
    if not isinstance(subject, str):
        raise InputError(f"subject: got {shown(subject)}; give a country or a group id (e.g. nato)")
    table = api.groups()
    if subject.strip().lower() in set(table["group"]):
        return subject.strip().lower(), None
    code = api.resolve(subject)
    aggregates = table.dropna(subset=["aggregate"]).set_index("aggregate")["group"]
    if code in aggregates.index:
        return str(aggregates[code]), None
    if code not in {ally for ally, _ in views.allies()}:
        raise InputError(
            f"subject: {shown(subject)} ({code}) is not a NATO ally: a report is on an ally or "
            "a group of allies (e.g. DEU or europe-canada); compare others with milex compare, "
            "e.g. milex compare europe-canada RUS"
        )
    return None, code


def _name(who: str, lang: str) -> str:
    """A country's or group's name in the language (a group by its aggregate's name where
    NATO publishes one, else its English name)."""
    groups = api.groups().set_index("group")
    if who in groups.index:
        info = groups.loc[who]
        code = info["aggregate"] if isinstance(info["aggregate"], str) else who
        return i18n.country_name(code, str(info["name"]), lang)
    english = api.countries().set_index("code")["name"]
    return i18n.country_name(who, str(english.get(who, who)), lang)


# ------------------------------------------------------------------------ sections

#: A part of the report: given the language, the report's words and the subject's name, its
#: sections (built when called, so that progress can be told).
Part = Callable[[str, dict, str], list[Section]]


def _country_parts(code: str) -> list[Part]:
    """The parts of a country's report."""
    return [
        lambda lang, words, name: [_status_section(code, lang, words, name)],
        lambda lang, words, name: [_history_section(code, lang, words)],
        lambda lang, words, name: [_gap_section(code, None, lang, words)],
        lambda lang, words, name: _path_sections(code, lang, words, simulate=True),
        lambda lang, words, name: [_pledges_section(code, lang, words, name)],
    ]


def _group_parts(group: str) -> list[Part]:
    """The parts of a group's report."""
    return [
        lambda lang, words, name: [_members_section(group, lang, words, name)],
        lambda lang, words, name: [_gap_section(None, group, lang, words)],
        lambda lang, words, name: _path_sections(group, lang, words, simulate=False),
    ]


def _status_section(code: str, lang: str, words: dict, name: str) -> Section:
    """A country's row of the latest year's status (guidelines met), and all allies' chart."""
    result = api.status()
    year = result.query["year"]
    mine = dataclasses.replace(result, frame=result.frame[result.frame["iso3"] == code])
    section = _section("status", words, mine, name=name, year=year)
    section.text.append(words["text"]["status_intro"].format(year=year))
    section.tables.append(_status_table(mine, lang))
    section.charts.append(_chart(result, lang))
    return section


def _members_section(group: str, lang: str, words: dict, name: str) -> Section:
    """A group's members in the latest year (and the group's aggregate, where NATO has one)."""
    result = api.status()
    year = result.query["year"]
    aggregate = api.groups().set_index("group").loc[group, "aggregate"]
    keep = set(api.members(group, year)) | {aggregate}
    mine = dataclasses.replace(result, frame=result.frame[result.frame["iso3"].isin(keep)])
    section = _section("members", words, mine, name=name, year=year)
    section.text.append(words["text"]["members_intro"].format(year=year))
    section.tables.append(_status_table(mine, lang))
    section.charts.append(_chart(mine, lang))
    return section


def _status_table(result: Result, lang: str) -> Table:
    """The status rows as the overview page shows them (:func:`milex.web.views.status_rows`);
    one country's row turned into a column of measures, to fit a page."""
    body, foot = views.status_rows(result, lang)
    columns = _columns(views.STATUS_COLUMNS, lang)
    if len(body) != 1 or foot:
        return Table(columns, body, foot)
    pairs = [
        [Cell(label), Cell(cell.text, cls=cell.cls.replace("num", "").strip(), title=cell.title)]
        for (label, _), cell in zip(columns, body[0], strict=True)
        if cell.text  # an empty note
    ]
    return Table(_columns([("measure", False), ("value", False)], lang), pairs)


def _history_section(code: str, lang: str, words: dict) -> Section:
    """The share of GDP of each year in each of NATO's editions (one column per edition)."""
    result = api.report(code, "share_gdp", source="nato")
    section = _section("history", words, result)
    if result.frame.empty:  # no figures (Iceland): the reason instead
        section.text += section.notes
        return section
    section.text.append(words["text"]["history_intro"])
    # pivot, not pivot_table: two figures for one year and edition would be an error, not a mean
    values = result.frame.pivot(index="year", columns="vintage", values="value")
    statuses = result.frame.pivot(index="year", columns="vintage", values="status")
    mark = words["text"]["estimate_mark"]
    columns = [(_label("year", lang), False)] + [(f"NATO {v}", True) for v in values.columns]
    rows = [
        [views.year_cell(year, lang)]
        + [_estimate(views.share(v, lang), s, mark) for v, s in zip(figures, kinds, strict=True)]
        for year, figures, kinds in zip(
            values.index, values.to_numpy(), statuses.to_numpy(), strict=True
        )
    ]
    section.tables.append(Table(columns, rows))
    section.charts.append(_chart(result, lang))
    return section


def _estimate(cell: Cell, status: object, mark: str) -> Cell:
    """``cell`` with ``mark`` after its figure where the edition gives it as an estimate."""
    if status == "estimate":
        cell.text = f"{cell.text} {mark}"
    return cell


def _gap_section(code: str | None, group: str | None, lang: str, words: dict) -> Section:
    """The gap to the share of each of :data:`milex.web.views.GUIDELINES` (a country's row, or
    the group's total row) and, for a group, the chart of its members' gaps to the share of
    :data:`milex.web.views.PATH_GUIDELINE`."""
    targets = [views.threshold(g) for g in views.GUIDELINES]
    results = [api.gap(t, countries=[code] if code else None, group=group) for t in targets]
    year = results[0].query["year"]
    section = _section("gap", words, *results, year=year)
    section.text.append(words["text"]["gap_intro"].format(year=year))
    who = group or code
    mine = pd.concat([r.frame[r.frame["iso3"] == who] for r in results], ignore_index=True)
    body, foot = views.gap_rows(dataclasses.replace(results[0], frame=mine), lang)
    rows = body + foot
    if not rows:  # no figures (Iceland): the reason instead
        section.text += section.notes
        return section
    section.tables.append(Table(_columns(views.GAP_COLUMNS, lang), rows))
    if group is not None:
        section.text.append(words["text"]["gap_group"])
        section.charts.append(_chart(results[views.GUIDELINES.index(views.PATH_GUIDELINE)], lang))
    return section


def _path_sections(who: str, lang: str, words: dict, simulate: bool) -> list[Section]:
    """The path to the pages' target and year (:func:`milex.web.views.path_settings`) and, for a
    country, its probability."""
    goal = views.path_settings()
    target, by = i18n.number(goal["target"], lang), goal["by"]
    try:
        result = api.path(who, goal["target"], by)
    except InputError as exc:  # no figures to start from (Iceland): the reason instead
        return [Section("path", words["sections"]["path"].format(target=target, by=by), [str(exc)])]
    query = result.query
    section = _section("path", words, result, target=target, by=by)
    section.text.append(
        words["text"]["path_intro"].format(
            base_year=query["base_year"],
            target=target,
            by=by,
            weo=query["weo_vintage"],
            unit=result.units["spend_current"],
        )
    )
    section.tables.append(Table(_columns(views.PATH_COLUMNS, lang), views.path_rows(result, lang)))
    section.charts.append(_chart(result, lang))
    return [section, _simulate_section(who, lang, words)] if simulate else [section]


def _simulate_section(code: str, lang: str, words: dict) -> Section:
    """The probability that the path reaches its target, with the band of the last year."""
    goal = views.path_settings()
    result = api.simulate(code, **views.PAGE_SIMULATION, **goal)
    target = i18n.number(goal["target"], lang)
    section = _section("simulate", words, result, target=target, by=goal["by"])
    last = result.frame.iloc[-1]
    draws = i18n.number(goal["draws"], lang, 0)
    section.text.append(words["text"]["simulate_intro"].format(draws=draws, seed=goal["seed"]))
    section.text.append(
        words["text"]["simulate_result"].format(
            target=target,
            by=int(last["year"]),
            probability=i18n.percent(result.extra["probability"], lang, 1),
            median=i18n.fixed(last["median"], lang),
            low=i18n.fixed(last["p05"], lang),
            high=i18n.fixed(last["p95"], lang),
        )
    )
    rows = [
        [
            views.year_cell(row.year, lang),
            views.share(row.planned_share, lang),
            views.share(row.median, lang),
            views.share(row.p05, lang),
            views.share(row.p95, lang),
            Cell(i18n.percent(row.prob_meet, lang, 1), cls="num"),
        ]
        for row in result.frame.itertuples()
    ]
    section.tables.append(Table(_columns(SIMULATE_COLUMNS, lang), rows))
    section.charts.append(_chart(result, lang))
    return section


def _pledges_section(code: str, lang: str, words: dict, name: str) -> Section:
    """The country's national plans as checked, or a line saying the registry has none."""
    try:
        result = api.pledges(code)
    except InputError:  # no plan of this country in the registry
        section = Section("pledges", words["sections"]["pledges"])
        section.text.append(words["text"]["pledges_none"].format(name=name))
        return section
    section = _section("pledges", words, result)
    section.text.append(words["text"]["pledges_intro"])
    said = i18n.words(lang)
    rows, details = [], []
    for row in result.frame.itertuples():
        amount = views.pledge_amount(row, lang)
        rows.append(
            [
                views.text(row.announced, lang),
                views.year_cell(row.target_year, lang),
                views.share(row.target_share_gdp, lang),
                amount,
                views.text(row.scope, lang),
                views.share(row.implied_share, lang),
                views.met(row.adds_up, lang),
                views.met(row.on_path, lang),
            ]
        )
        flag = row.flag if isinstance(row.flag, str) else ""
        check = f"{said['columns']['flag']}: {flag}. " if flag else ""
        details.append(f"{check}{said['columns']['source']}: {row.source}")
    section.tables.append(Table(_columns(PLEDGE_COLUMNS, lang), rows, details=details))
    return section


def _section(key: str, words: dict, *results: Result, **fill: Any) -> Section:
    """A section titled from the report's words, citing the editions of ``results``, with
    their notes."""
    section = Section(key, words["sections"][key].format(**fill))
    section.sources = list(dict.fromkeys(c for result in results for c in result.citations()))
    section.notes = _notes(results)
    origins = pd.concat([result.sources for result in results]).dropna(subset=["cite"])
    section.origins = origins[["cite", "url", "licence"]].to_dict("records")
    return section


def _notes(results: Iterable[Result]) -> list[str]:
    """The notes and caveats of ``results`` and their reasons for missing figures, once each."""
    found: list[str] = []
    for result in results:
        found += result.notes + result.caveats
        missing = result.extra.get("missing") or []
        found += [f"{k}: {v}" for k, v in missing.items()] if isinstance(missing, dict) else missing
    return list(dict.fromkeys(found))


def _columns(columns: list[tuple[str, bool]], lang: str) -> list[tuple[str, bool]]:
    return [(_label(key, lang), numeric) for key, numeric in columns]


def _label(key: str, lang: str) -> str:
    """A column's label: the pages' word (interface [columns]) or the report's own."""
    shared = i18n.words(lang)["columns"]
    return shared[key] if key in shared else read_toml(f"report/{lang}.toml")["columns"][key]


# ------------------------------------------------------------------------ charts and HTML


def _chart(result: Result, lang: str) -> str:
    """A result's chart (:func:`milex.charts.figure`) as an HTML fragment, drawn by the
    plotly.js the page inlines once; drawn for print (estimates a lighter shade, not hatched:
    Chromium prints each hatched bar as an image of ~190 KB), in HTML and PDF alike."""
    return charts.figure(result, lang, medium="print", names=i18n.names(lang)).to_html(
        include_plotlyjs=False,
        full_html=False,
        config={"displaylogo": False, "displayModeBar": False, "responsive": True},
    )


@cache
def _plotly_js() -> str:
    """plotly.js from the installed plotly package, to inline (about 4.8 MB)."""
    from milex.web.app import plotly_js

    return plotly_js().read_text(encoding="utf-8")


@cache
def _template() -> Any:
    """The report's Jinja2 template (templates/report.html), in the pages' environment."""
    from milex.web.pages import environment

    return environment().get_template("report.html")


# ------------------------------------------------------------------------ PDF


def chromium() -> str:
    """The Chromium to print with: ``$MILEX_CHROMIUM``, else the first of :data:`BROWSERS` on
    the PATH. Raises :class:`MilexError` saying what to install when there is none."""
    configured = os.environ.get("MILEX_CHROMIUM")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise MilexError(f"MILEX_CHROMIUM={shown(configured)} is no program: {PDF_NEEDS}")
        return configured
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise MilexError(f"no Chromium found: {PDF_NEEDS}")


def print_pdf(page_html: str, browser: str) -> bytes:
    """``page_html`` printed on A4 by the Chromium at ``browser`` once its charts are drawn,
    page numbers in the footer; every request the page would make is refused (offline)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise MilexError(f"Playwright is not installed: {PDF_NEEDS}") from None
    footer = (
        '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
        f"milex {__version__} · <span class='pageNumber'></span> / <span class='totalPages'></span>"
        "</div>"
    )
    try:
        with sync_playwright() as driver:
            chrome = driver.chromium.launch(executable_path=browser, headless=True)
            try:
                page = chrome.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
                page.route("**/*", lambda route: route.abort())
                page.emulate_media(media="print")  # charts drawn at the printed width
                page.set_content(page_html, wait_until="load")
                page.wait_for_function(
                    "[...document.querySelectorAll('.plotly-graph-div')]"
                    ".every(d => d.querySelector('.main-svg'))",
                    timeout=DRAW_TIMEOUT_MS,
                )
                return page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<div></div>",
                    footer_template=footer,
                    margin={
                        "top": "14mm",
                        "bottom": "16mm",
                        "left": f"{MARGIN_MM}mm",
                        "right": f"{MARGIN_MM}mm",
                    },
                )
            finally:
                chrome.close()
    except Error as exc:
        raise MilexError(
            f"Chromium ({browser}) could not print the report: {first_line(exc)}"
        ) from None
