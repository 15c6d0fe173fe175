"""The ``milex`` command line: parses arguments, calls :mod:`milex.api`, renders its results.

No analysis happens here: each command renders the :class:`milex.result.Result` the API
returns, as a Rich table, as its JSON envelope (docs/json.md) or as CSV. Errors print one line;
bad usage exits with code 2. Help, ``--version`` and argument errors import neither pandas nor
DuckDB: the API is imported inside the commands.
"""

from __future__ import annotations

import io
import logging
import math
import re
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn

import typer

from milex import __version__
from milex.catalog import read_toml
from milex.errors import InputError, MilexError, shown
from milex.vocab import chance, parse_years
from milex.web.i18n import LANGUAGES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from rich.console import Console

    from milex.result import Result

#: Base class of the usage errors typer raises (typer vendors click from 0.26 and re-exports only
#: some of its exceptions; BadParameter's parent ClickException is the one with the message).
USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

app = typer.Typer(
    help="Military expenditure against alliance commitments, with sources and vintages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": 100, "help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    claimreview = "claimreview"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    json = "json"


class Currency(StrEnum):
    USD = "USD"
    EUR = "EUR"


class Prices(StrEnum):
    current = "current"
    constant = "constant"


def _ids(name: str) -> str:
    return ", ".join(read_toml(name))


def _share_guidelines() -> str:
    return ", ".join(
        k for k, v in read_toml("guidelines.toml").items() if v["indicator"] == "share_gdp"
    )


FORMAT = typer.Option(Format.table, "--format", "-f", help="Output: table, json or csv.")
SOURCE_HELP = "Dataset: nato, sipri, weo or wdi."
VINTAGE_HELP = "Edition, e.g. 2026-07 (default: the newest edition of each series)."
NATO_VINTAGE_HELP = "NATO's edition to start from, e.g. 2024-06 (default: the newest)."
COUNTRY_HELP = "Country: ISO3 or ISO2 code, or an English, Dutch, German or French name."
TARGET = typer.Option(
    "hague-3.5",
    "--target",
    "-t",
    help=f"Percent of GDP (3.5) or a guideline: {_share_guidelines()}.",
)


def _year(value: int | None) -> int | None:
    """A year option, checked by the one year parser (as ``--years`` is)."""
    if value is not None:
        parse_years(value)
    return value


def _console() -> Console:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False, markup=False)
    if not console.is_terminal:
        console.width = 140
    return console


# ------------------------------------------------------------------ rendering helpers


def _missing(value) -> bool:
    """None, NaN, pandas' NA or NaT (pandas is loaded by then: the API returned a frame)."""
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _num(value, digits: int = 2, mark: bool | str = False) -> str:
    """A figure with thousands separators; ``mark`` True adds "e" (estimate), a string adds it.
    A value that rounds to zero prints without a sign ("0.0", never "-0.0")."""
    if _missing(value):
        return "—"
    text = f"{value:,.{digits}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    return text + ("e" if mark is True else mark or "")


def _money(value, currency: str = "") -> str:
    """Million -> a readable amount in billion ("12.3 bn EUR")."""
    if _missing(value):
        return "—"
    from milex.vocab import rescale

    return (
        _num(rescale(value, "million", "billion"), 1) + f" bn{(' ' + currency) if currency else ''}"
    )


def _spark(values: pd.Series) -> str:
    """A one-line sparkline; gaps stay gaps, negative values are drawn too."""
    from sparklines import sparklines

    low = values.min()  # shifted to start at zero: the library draws negatives on a 2nd line
    return sparklines([None if math.isnan(v) else v - low for v in values])[0]


def _flag(value) -> str:
    if _missing(value):
        return "—"
    return "✓" if value else "✗"


def _table(title: str, caption: str | None = None):
    from rich.table import Table

    return Table(title=title, caption=caption, caption_justify="left")


def _data(result: Result, fmt: Format) -> bool:
    """Write JSON or CSV and return True; return False for a table (the caller draws it)."""
    if fmt is Format.json:
        sys.stdout.write(result.to_json() + "\n")
        return True
    if fmt is Format.csv:
        result.frame.to_csv(sys.stdout, index=False)
        return True
    return False


def _footer(out: Console, result: Result, notes: list[str] | None = None) -> None:
    """Notes (``notes`` instead of the result's, when given), caveats and how to cite each
    edition behind the figures shown."""
    for note in result.notes if notes is None else notes:
        out.print(f"Note: {note}")
    for caveat in result.caveats:
        out.print(f"Caveat: {caveat}")
    for cite in result.citations():
        out.print(f"Source: {cite}")


def _version(value: bool) -> None:
    if value:
        print(f"milex {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Military expenditure against alliance commitments, with sources and vintages."""


# ------------------------------------------------------------------ commands


@app.command(short_help="Where each ally stands: share of GDP, spending, guidelines met.")
def status(
    year: int | None = typer.Option(
        None, "--year", "-y", callback=_year, help="Year (default: latest)."
    ),
    source: str = typer.Option("nato", "--source", "-s", help="nato or sipri."),
    vintage: str | None = typer.Option(None, "--vintage", help=VINTAGE_HELP),
    fmt: Format = FORMAT,
) -> None:
    """Where each ally stands: share of GDP, spending, equipment share, guidelines met."""
    from milex import api

    result = api.status(year, source=source, vintage=vintage)
    if _data(result, fmt):
        return
    table = result.frame
    year = int(result.query["year"])
    editions = ", ".join(sorted(table["vintage"].dropna().unique()))
    grid = _table(
        f"{source.upper()} figures for {year} (edition {editions})",
        "e = estimate · ✓ meets · ✗ below · — no figure (see note) · "
        "spending in USD million, current prices",
    )
    for label, justify in [
        ("Ally" if source == "nato" else "Country", "left"),
        ("% GDP", "right"),
        ("USD m", "right"),
        ("Equip. %", "right"),
        ("Real Δ %", "right"),
        ("2%", "center"),
        ("3.5%", "center"),
        ("20% eq.", "center"),
        ("Note", "left"),
    ]:
        grid.add_column(label, justify=justify, overflow="fold")
    footnotes: dict[str, int] = {}
    aggregates = int((table["kind"] == "aggregate").sum())
    for row in table.itertuples():
        est = row.status == "estimate"
        note = row.note if isinstance(row.note, str) else None
        marker = f"[{footnotes.setdefault(note, len(footnotes) + 1)}]" if note else ""
        grid.add_row(
            row.name,
            _num(row.share_gdp, 2, est),
            _num(row.spend_usd_current, 0, est),
            _num(row.equipment_share, 1, est),
            _num(row.real_change_pct, 1, est),
            _flag(row.meets_wales_2),
            _flag(row.meets_hague_3_5),
            _flag(row.meets_wales_equipment_20),
            marker,
            end_section=aggregates > 0 and row.Index == len(table) - aggregates - 1,
        )
    out = _console()
    out.print(grid)
    for note, number in footnotes.items():
        out.print(f"[{number}] {note}")
    for indicator, note in result.extra["column_notes"].items():
        out.print(f"No {indicator} in this source or edition: {note}")
    _footer(out, result)


@app.command(short_help="One country across sources and editions; why NATO and SIPRI differ.")
def show(
    country: str = typer.Argument(..., help=COUNTRY_HELP + " E.g. Duitsland."),
    indicator: list[str] | None = typer.Option(
        None,
        "--indicator",
        "-i",
        help="Indicator(s), repeated or comma-separated (default: share_gdp, spend_usd_current).",
    ),
    source: str | None = typer.Option(None, "--source", "-s", help=SOURCE_HELP + " Default: all."),
    years: str | None = typer.Option(
        None, "--years", help="Year or range, e.g. 1992-2024 (default: 2014-2030)."
    ),
    vintage: str | None = typer.Option(
        None, "--vintage", help="Show this edition only, e.g. 2024-06 (default: every edition)."
    ),
    fmt: Format = FORMAT,
) -> None:
    """One country's series across sources and editions, and why NATO and SIPRI differ."""
    from milex import api

    asked = years is not None
    years = "2014-2030" if years is None else years
    indicator = _listed(indicator)
    result = api.report(country, indicator, years, source=source, vintage=vintage)
    if _data(result, fmt):
        return
    obs, extra, out = result.frame, result.extra, _console()
    if obs.empty:
        wanted = ", ".join(indicator or ["share_gdp", "spend_usd_current"])
        hint = (
            f" It has: {', '.join(extra['available'])} (choose with --indicator)."
            if extra["available"]
            else ""
        )
        out.print(
            f"No {wanted} for {result.query['country']} in {source or 'any source'} "
            f"in {years}.{hint}"
        )
        for note in extra["missing"]:
            out.print(f"Missing: {note}")
        return
    name = obs["name"].iloc[0]
    for (ind, unit), part in obs.groupby(["indicator", "unit"], sort=False):
        out.print(_series_table(f"{name}: {ind} ({unit})", part, 2 if "percent" in unit else 0))
        absent = extra["absent_years"].get(ind)
        if asked and absent:
            out.print(f"No {ind} figures for {_spans(absent)} in these editions.")
    if len(extra["differences"]):
        out.print(_differences_table(f"{name}: NATO minus SIPRI (newest editions)", extra))
        out.print("Why they differ:")
        for row in extra["reasons"].itertuples():
            out.print(f"  • {row.label}: {row.text}")
    if extra["no_comparison"]:
        out.print(f"No NATO–SIPRI comparison: {extra['no_comparison']}")
    for note in extra["missing"]:
        out.print(f"Missing: {note}")
    _footer(out, result)


def _series_table(title: str, part: pd.DataFrame, digits: int):
    """One indicator's figures, a row per year and a column per edition, estimates marked e
    and IMF projections p, and a trend line under them."""
    from milex import api

    wide = api.side_by_side(part)
    statuses = set(part["status"])
    legend = ["e = estimate"] * ("estimate" in statuses)
    legend += ["p = IMF projection"] * ("projection" in statuses)
    grid = _table(title, " · ".join(legend) or None)
    grid.add_column("Year", justify="right")
    for column in wide.columns:
        grid.add_column(column, justify="right")
    flagged = part[part["status"].isin(["estimate", "projection"])]
    editions = flagged["source"] + " " + flagged["vintage"]
    marks = {
        (edition, year): "e" if status == "estimate" else "p"
        for edition, year, status in zip(editions, flagged["year"], flagged["status"], strict=True)
    }
    for year, values in wide.iterrows():
        grid.add_row(
            str(year),
            *(_num(values[c], digits, marks.get((c, year), "")) for c in wide.columns),
        )
    grid.add_row("trend", *(_spark(wide[c]) for c in wide.columns))
    return grid


def _differences_table(title: str, extra: dict):
    """NATO minus SIPRI, per indicator and year, absolute and relative to SIPRI."""
    grid = _table(title)
    for label in ("Indicator", "Year", "NATO", "SIPRI", "Difference", "% of SIPRI"):
        grid.add_column(label, justify="right" if label != "Indicator" else "left")
    for row in extra["differences"].itertuples():
        grid.add_row(
            row.indicator,
            str(row.year),
            _num(row.nato),
            _num(row.sipri),
            _num(row.difference),
            _num(row.relative_pct, 1),
        )
    return grid


def _spans(years: list[int]) -> str:
    """[1992, 1993, 1995] -> "1992-1993, 1995"."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


@app.command(short_help="What the store holds: editions, coverage, licences, citations.")
def sources(fmt: Format = FORMAT) -> None:
    """What the store holds: each source and edition, its coverage, licence and citation."""
    import json

    from milex import api
    from milex.result import plain

    editions, cover, sipri = api.sources(), api.coverage(), api.sipri_share()
    if fmt is Format.json:
        envelope = {
            "schema": "milex.sources.v1",
            "query": {},
            "sources": plain(editions),
            "coverage": plain(cover),
            "sipri_subset": plain(sipri),
        }
        sys.stdout.write(json.dumps(envelope, ensure_ascii=False, indent=1, allow_nan=False))
        sys.stdout.write("\n")
        return
    if fmt is Format.csv:
        merged = cover.merge(editions, on=["source", "vintage"], suffixes=("", "_edition"))
        merged.to_csv(sys.stdout, index=False)
        return
    grid = _table("Sources and editions in the store")
    for label in ("Source", "Vintage", "Title", "Published", "Figures", "Coverage", "Licence"):
        grid.add_column(label, overflow="fold")
    for row in editions.itertuples():
        part = cover[(cover["source"] == row.source) & (cover["vintage"] == row.vintage)]
        spans = "; ".join(
            f"{c.indicator}: {c.countries} × {c.first_year}-{c.last_year}"
            for c in part.itertuples()
        )
        grid.add_row(
            row.source,
            row.vintage,
            f"{row.title} ({row.edition})",
            str(row.published),
            f"{row.figures:,}" + ("" if row.complete else " (partial)"),
            spans,
            row.licence,
        )
    out = _console()
    out.print(grid)
    out.print(_sipri_line(sipri))
    for row in editions.itertuples():
        out.print(f"Cite {row.source} {row.vintage}: {row.cite}")


def _sipri_line(sipri: dict) -> str:
    """What the store holds of SIPRI's database: the full copy you loaded, or the subset milex
    ships measured against SIPRI's reuse limit."""
    if sipri["complete"]:
        return (
            f"SIPRI {sipri['vintage']}: the full database, {sipri['embedded_countries']} "
            f"countries and {sipri['embedded_figures']:,} figures. {sipri['note']}"
        )
    verdict = "under" if sipri["within_limit"] else "OVER"
    return (
        f"SIPRI subset ({sipri['vintage']}): {sipri['embedded_countries']} countries and the "
        f"world total of SIPRI's {sipri['database_countries']} countries (counted as "
        f"{sipri['share_of_countries_pct']:.1f}%), {sipri['embedded_figures']:,} of "
        f"at most {sipri['database_cells']:,} figures ({sipri['share_of_cells_pct']:.1f}%): "
        f"{verdict} SIPRI's {sipri['limit_pct']}% reuse limit."
    )


@app.command(short_help="The editions held: embedded in milex or added by you, newest marked.")
def vintages(
    source: str | None = typer.Option(
        None, "--source", "-s", help=SOURCE_HELP + " Or worldbank (= wdi). Default: all."
    ),
    fmt: Format = FORMAT,
) -> None:
    """The editions the store holds, one row each: when published, how many figures, whether
    complete, where it comes from (embedded in milex, or added by you with milex update, when
    and from which file or address), and which is the newest (read by default)."""
    from milex import api

    result = api.vintages(source)
    if _data(result, fmt):
        return
    grid = _table(
        "Editions held",
        "Newest ✓: read by default (--vintage picks another). (partial): a subset of the edition.",
    )
    for label in ("Source", "Vintage", "Published", "Title", "Figures", "Where", "Newest"):
        grid.add_column(label, overflow="fold", justify="right" if label == "Figures" else "left")
    for row in result.frame.itertuples():
        grid.add_row(
            row.source,
            row.vintage,
            str(row.published),
            row.title,
            f"{row.figures:,}" + ("" if row.complete else " (partial)"),
            row.where,
            "✓" if row.newest else "",
        )
    _console().print(grid)


@app.command(short_help="What changed between two editions: revised, new, dropped, now actual.")
def diff(
    source: str = typer.Argument(..., help="nato, sipri, weo or wdi (worldbank)."),
    old: str | None = typer.Option(
        None, "--from", help="The older edition, e.g. 2024-06 (default: the one before --to)."
    ),
    new: str | None = typer.Option(
        None, "--to", help="The newer edition, e.g. 2026-07 (default: the newest)."
    ),
    country: list[str] | None = typer.Option(
        None, "--country", "-c", help="Countries or groups, repeated or comma-separated."
    ),
    indicator: list[str] | None = typer.Option(
        None, "--indicator", "-i", help="Indicators, repeated or comma-separated (default: all)."
    ),
    threshold: float = typer.Option(
        0.0,
        "--threshold",
        help="The smallest change listed, as a fraction of the old value: 0.05 = 5% "
        "(default 0: every change). Estimates that became actual are listed anyway.",
    ),
    fmt: Format = FORMAT,
) -> None:
    """The figures that changed from one edition of a source to another: revised (from, to,
    change in points or the figure's unit, and relative change), new, dropped, unit changed
    (another price base or currency: never subtracted) and estimates that became actual."""
    from milex import api

    result = api.diff(
        source,
        old,
        new,
        countries=_listed(country),
        indicators=_listed(indicator),
        threshold=threshold,
    )
    if _data(result, fmt):
        return
    query = result.query
    out = _console()
    grid = _table(
        f"{query['source']}: {query['old']} → {query['new']}"
        + (f" (changes of {query['threshold']:.1%} or more)" if query["threshold"] else ""),
        "Change: new minus old, in percentage points for shares in percent, else in the unit; "
        "relative: of the old value.",
    )
    for label in ("Country", "Year", "Indicator", "From", "To", "Change", "Relative", "What"):
        grid.add_column(
            label, justify="right" if label in ("Year", "Change", "Relative") else "left"
        )
    for row in result.frame.itertuples():
        grid.add_row(
            row.name,
            str(row.year),
            row.indicator,
            _edition_value(row.old_value, row.old_status),
            _edition_value(row.new_value, row.new_status),
            _change(row.change, row.change_unit),
            _relative(row.relative),
            _what(row),
        )
    out.print(grid)
    counts = result.extra["summary"]
    out.print(
        f"{query['source']} {query['old']} → {query['new']}: {counts['revised']:,} revised, "
        f"{counts['new']:,} new, {counts['dropped']:,} dropped, {counts['unit_changed']:,} unit "
        f"changed, {counts['became_actual']:,} became actual; {counts['unchanged']:,} unchanged "
        f"({counts['below_threshold']:,} moved less than the threshold) of "
        f"{counts['figures']:,} figures."
    )
    _footer(out, result)


def _listed(values: list[str] | None) -> list[str] | None:
    """Repeated or comma-separated option values as one list (None when none were given)."""
    if not values:
        return None
    return [name.strip() for item in values for name in item.split(",") if name.strip()]


def _figure(value) -> str:
    """A figure of any unit: two decimals below 1,000, one above."""
    return _num(value, 2 if _missing(value) or abs(value) < 1000 else 1)


def _edition_value(value, status) -> str:
    """A figure of one edition with its status: "4.12 (estimate)"; "—" when it has none."""
    return "—" if _missing(value) else f"{_figure(value)} ({status})"


def _change(change, unit) -> str:
    """A change, with "points" for a change in percentage points."""
    if _missing(change):
        return ""
    sign = "+" if change > 0 else ""
    points = " points" if str(unit).startswith("percentage points") else ""
    return f"{sign}{_figure(change)}{points}"


def _relative(fraction) -> str:
    """A relative change in percent with its sign ("-9.0%"); none for a change that rounds
    to zero ("0.0%") or has no relative size (from zero: "")."""
    if _missing(fraction):
        return ""
    text = f"{fraction:+.1%}"
    return "0.0%" if text.strip("+-") == "0.0%" else text


def _what(row) -> str:
    """What happened to a figure, in words: its kind, a unit change's units, "became actual"."""
    parts = [] if row.kind == "unchanged" else [row.kind]
    if row.kind == "unit changed":
        parts = [f"unit changed: {row.old_unit} → {row.new_unit}"]
    if row.became_actual:
        parts.append("became actual")
    return ", ".join(parts)


@app.command(short_help="Bring in the newest official editions (or files you downloaded).")
def update(
    source: str = typer.Option(
        "all", "--source", "-s", help=f"{_ids('updates.toml').replace(', ', '|')}|all."
    ),
    file: list[Path] | None = typer.Option(
        None,
        "--file",
        help="Read this file instead of downloading (repeat for several; with --source all, "
        "each file's source is told from its name).",
    ),
    vintage: str | None = typer.Option(
        None, "--vintage", help="The edition, YYYY-MM, when the file does not say it."
    ),
    url: str | None = typer.Option(None, "--url", help="Download from this address instead."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Read and compare, show what would change; add nothing."
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Put the file in the place of an edition you added before (a corrected file); "
        "milex's own editions are never replaced.",
    ),
    fmt: Format = FORMAT,
) -> None:
    """Download each source's newest edition (or read --file), check all of it, then add it
    to your editions in one step, with what it revises against the newest edition held. The
    editions held stay; offline, or when a file is bad, nothing is changed (exit 1 for a
    network failure or a bad file, 2 for bad usage)."""
    from rich.console import Console
    from rich.progress import Progress

    from milex import api

    errors = Console(stderr=True)
    with Progress(console=errors, transient=True, disable=not errors.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(done: int, total: int, what: str) -> None:
            """A bar per download, and one for the reading (its step as its description)."""
            key = what if what.startswith("download ") else "read"
            if key not in tasks:
                tasks[key] = bar.add_task(what, total=None)
            bar.update(tasks[key], completed=done, total=total or None, description=what)

        result = api.update(
            source,
            file,
            dry_run=dry_run,
            vintage=vintage,
            url=url,
            replace=replace,
            progress=progress,
        )
    if not _data(result, fmt):
        _update_table(result, dry_run)
    if result.extra["failed"]:
        raise typer.Exit(1)


def _update_table(result: Result, dry_run: bool) -> None:
    """The rows of an update, its notes, and what was changed."""
    grid = _table(
        "milex update" + (" (dry run: nothing added)" if dry_run else ""),
        "Counts against the edition compared with: the newest held before it, or the subset "
        "it replaces.",
    )
    columns = ["Source", "Vintage", "Action", "Figures", "Compared with", "New", "Revised"]
    for label in (*columns, "Dropped", "Unit changed", "Became actual", "Origin"):
        grid.add_column(label, overflow="fold")
    counts = ("figures", "compared_with", "new", "revised", "dropped", "unit_changed")
    for row in result.frame.itertuples():
        if row.action == "not updated":  # the reason is in the notes
            grid.add_row(row.source, "—", row.action, *("—" for _ in counts), "—", "—")
            continue
        grid.add_row(
            row.source,
            row.vintage,
            row.action,
            f"{row.figures:,}",
            row.compared_with or "—",
            *(f"{getattr(row, c):,}" for c in ("new", "revised", "dropped", "unit_changed")),
            f"{row.became_actual:,}",
            row.origin,
        )
    out = _console()
    out.print(grid)
    for note in result.notes:
        out.print(f"Note: {note}")
    added = result.extra["added"]
    out.print(
        f"Added {added} edition(s) to your editions in {result.query['home']}; milex vintages "
        "lists them, milex diff shows what changed."
        if added
        else "Nothing was changed."
    )


@app.command(short_help="Export observations with source, vintage and citation.")
def export(
    source: str | None = typer.Option(None, "--source", "-s", help=SOURCE_HELP + " Default: all."),
    vintage: str = typer.Option("all", "--vintage", help="Edition, or 'all' (default)."),
    fmt: ExportFormat | None = typer.Option(
        None,
        "--format",
        "-f",
        case_sensitive=False,
        help="csv, parquet or json (default: from -o's extension, or csv).",
    ),
    output: str | None = typer.Option(
        None, "--output", "-o", help="File, or - for standard output (the default)."
    ),
) -> None:
    """Export observations in the tidy shape, each with its source, vintage and citation."""
    from milex import api

    if output in (None, "-") and fmt != "parquet":
        api.export(sys.stdout, fmt, source=source, vintage=vintage)
    elif output in (None, "-"):
        api.export(_binary_stdout(), fmt, source=source, vintage=vintage)
    else:
        path = api.export(Path(output), fmt, source=source, vintage=vintage)
        print(f"wrote {path}", file=sys.stderr)


def _binary_stdout() -> BinaryIO:
    """Standard output's binary stream, for parquet, when it is not a terminal. Never its file
    name (``/dev/fd/1``): the safe writer would rename a file over whatever standard output points
    to, losing what ``>>`` appends to."""
    if sys.stdout.isatty():
        raise InputError(
            "parquet is binary and standard output is a terminal: redirect it "
            "(milex export -f parquet > milex.parquet) or give a file name (-o milex.parquet)"
        )
    try:  # a stream replaced in-process (captured, or wrapped as text only) is refused
        sys.stdout.fileno()
        binary = sys.stdout.buffer
    except (AttributeError, ValueError, io.UnsupportedOperation):
        raise InputError(
            "standard output is not a file here: give a file name (-o milex.parquet)"
        ) from None
    sys.stdout.flush()
    return binary


@app.command(short_help="How far each ally is from a target, in points and money.")
def gap(
    target: str = TARGET,
    year: int | None = typer.Option(
        None, "--year", "-y", callback=_year, help="Year (default: latest)."
    ),
    group: str | None = typer.Option(
        None, "--group", "-g", help=f"Group, adds a total row: {_ids('groups.toml')}."
    ),
    currency: Currency = typer.Option(Currency.USD, "--currency", help="Money in USD or EUR."),
    prices: Prices = typer.Option(Prices.current, "--prices", help="current or constant (2021)."),
    vintage: str | None = typer.Option(None, "--vintage", help=VINTAGE_HELP),
    fmt: Format = FORMAT,
) -> None:
    """How far each ally is from a target: percentage points and money (net gap and, for a
    group, the shortfall of its members below the target)."""
    from milex import api

    result = api.gap(target, year, group=group, vintage=vintage)
    result.query.update(currency=currency.value, prices=prices.value)
    if _data(result, fmt):
        return
    table, extra = result.frame, result.extra
    suffix = f"{currency.value.lower()}_{'const' if prices is Prices.constant else 'current'}"
    basis = "current prices" if prices is Prices.current else "constant 2021 prices"
    cur = currency.value
    grid = _table(
        f"Gap to {result.query['target']:g}% of GDP in {result.query['year']} "
        f"(NATO, edition {table['vintage'].iloc[0]})",
        f"Money in {cur} billion, {basis}. Gap: target minus share (negative = above it); a "
        "group's gap is net (surpluses offset shortfalls), its shortfall sums the members "
        f"below the target. Equipment gap: points short of {extra['equipment_target']:g}% of "
        "defence spending.",
    )
    for label in (
        "Ally",
        "% GDP",
        "Gap (points)",
        f"Gap ({cur})",
        f"Shortfall ({cur})",
        "Equip. gap",
    ):
        grid.add_column(label, justify="left" if label == "Ally" else "right")
    for row in table.itertuples():
        est = row.status == "estimate"
        grid.add_row(
            row.name,
            _num(row.share_gdp, 2, est),
            _num(row.gap_pp, 2),
            _money(getattr(row, f"gap_{suffix}")),
            _money(getattr(row, f"shortfall_{suffix}")),
            _num(row.equipment_gap_pp, 1),
            end_section=group is not None and row.Index == len(table) - 2,
        )
    out = _console()
    out.print(grid)
    if group is not None:
        out.print(f"Group share: {table['share_basis'].iloc[-1]}.")
    for code, why in extra["missing"].items():
        out.print(f"Not shown: {code}: {why}")
    if f"gap_{suffix}" in extra["column_notes"]:
        out.print(f"No gap in {cur} at {basis}: {extra['column_notes'][f'gap_{suffix}']}")
    _footer(out, result)


@app.command(short_help="A year-by-year path to a target, with the real growth it needs.")
def path(
    country: str = typer.Argument(..., help=COUNTRY_HELP + f" Or a group: {_ids('groups.toml')}."),
    target: str = TARGET,
    by: int | None = typer.Option(None, "--by", help="Target year (default: the guideline's)."),
    method: str = typer.Option("linear", "--method", "-m", help="linear or real-growth."),
    base_year: int | None = typer.Option(None, "--base-year", help="Default: latest figure."),
    converge: bool = typer.Option(
        False, "--converge", help="Bring allies above the target down to it (default: hold)."
    ),
    growth_after: float | None = typer.Option(
        None, "--growth-after", help="Real GDP growth (%) after the IMF horizon."
    ),
    inflation_after: float | None = typer.Option(
        None, "--inflation-after", help="GDP-deflator inflation (%) after the IMF horizon."
    ),
    vintage: str | None = typer.Option(None, "--vintage", help=NATO_VINTAGE_HELP),
    fmt: Format = FORMAT,
) -> None:
    """A year-by-year path to a target share of GDP, with the real growth it needs."""
    from milex import api

    result = api.path(
        country,
        target,
        by,
        method=method,
        base_year=base_year,
        growth_after=growth_after,
        inflation_after=inflation_after,
        above="converge" if converge else "hold",
        vintage=vintage,
    )
    if _data(result, fmt):
        return
    table, extra, units = result.frame, result.extra, result.units
    # "EUR million constant 2026" -> "2026": the table shows billions, so no unit is quoted
    price_year = units["spend_const"].rpartition("constant ")[2]
    grid = _table(
        f"{extra['name']}: {method} path to {result.query['target']:g}% of GDP "
        f"by {table['year'].iloc[-1]}",
        f"Money in {extra['currency']} billion, at current prices and (Constant) at constant "
        f"{price_year} prices. Extra = above holding the base year's share. Base: NATO "
        f"{result.query['vintage']}. GDP: IMF WEO {result.query['weo_vintage']}, then "
        "extrapolated.",
    )
    for label in (
        "Year",
        "% GDP",
        "Current",
        "Constant",
        "Real growth %",
        "Extra",
        "Cum. extra",
        "Basis",
    ):
        grid.add_column(label, justify="left" if label == "Basis" else "right")
    for row in table.itertuples():
        grid.add_row(
            str(row.year),
            _num(row.share_gdp),
            _money(row.spend_current),
            _money(row.spend_const),
            _num(row.real_growth_pct, 1),
            _money(row.extra_current),
            _money(row.cumulative_extra_current),
            row.basis,
        )
    out = _console()
    out.print(grid)
    for code, why in extra.get("missing", {}).items():
        out.print(f"Not included: {code}: {why}")
    _footer(out, result)


@app.command(short_help="National plans checked: do amount and share add up, on path?")
def pledges(
    country: str | None = typer.Argument(
        None, help=COUNTRY_HELP + " Default: every pledge in the registry."
    ),
    vintage: str | None = typer.Option(None, "--vintage", help=NATO_VINTAGE_HELP),
    fmt: Format = FORMAT,
) -> None:
    """National plans from the registry, checked: do amount and share add up, on path?"""
    from milex import api

    result = api.pledges(country, vintage=vintage)
    if _data(result, fmt):
        return
    grid = _table(
        f"Pledges and plans, checked against projected GDP (NATO {result.query['vintage']})",
        "Implied = the amount as % of projected GDP (or the share in money). "
        "On path = at or above a linear path to the Hague guideline.",
    )
    for label in ("Who", "Year", "Scope", "Pledged", "Implied", "Adds up", "On path", "Flag"):
        grid.add_column(label, overflow="fold")
    for row in result.frame.itertuples():
        pledged = _share_and_amount(row.target_share_gdp, row.target_amount, row.amount_currency)
        implied = _share_and_amount(row.implied_share, row.implied_amount, row.currency, ".2f")
        grid.add_row(
            row.iso3,
            "" if _missing(row.target_year) else str(int(row.target_year)),
            row.scope,
            pledged,
            implied or "—",
            _flag(row.adds_up),
            _flag(row.on_path),
            row.flag or "",
        )
    out = _console()
    out.print(grid)
    out.print("Each pledge's source and quote: milex pledges --format json")
    _footer(out, result)


def _share_and_amount(share, amount, currency, share_format: str = "g") -> str:
    """'3.5% / 153.0 bn EUR': a share of GDP and an amount in billion, either may be missing."""
    parts = []
    if not _missing(share):
        parts.append(f"{share:{share_format}}%")
    if not _missing(amount):
        parts.append(f"{_num(amount, 1)} bn {currency or ''}".rstrip())
    return " / ".join(parts)


def _parse_amounts(text: str) -> dict[int, float]:
    """``"2027=140000,2028=160000"`` -> ``{2027: 140000.0, 2028: 160000.0}``; a year given
    twice is refused (a plan has one amount a year)."""
    try:
        pairs = [item.split("=") for item in text.split(",")]
        plan = [(int(year), float(value)) for year, value in pairs]
    except ValueError:
        raise typer.BadParameter(
            f"{shown(text)}: use YEAR=MILLION pairs, e.g. 2027=140000,2028=160000",
            param_hint="'--amounts'",
        ) from None
    years = [year for year, _ in plan]
    twice = sorted({year for year in years if years.count(year) > 1})
    if twice:
        raise typer.BadParameter(
            f"{shown(text)}: {', '.join(map(str, twice))} given more than once; "
            "give one amount a year",
            param_hint="'--amounts'",
        )
    return dict(plan)


def _parse_settings(items: list[str] | None) -> dict[str, str] | None:
    """``["growth_sd=2.5", "spend_sd=calibrated"]`` -> ``{"growth_sd": "2.5", ...}`` (the API
    reads the numbers and says which settings there are)."""
    if not items:
        return None
    pairs = [item.partition("=") for item in items]
    bad = [item for item, (_, sep, _) in zip(items, pairs, strict=True) if not sep]
    if bad:
        raise typer.BadParameter(
            f"{shown(bad[0])}: use SETTING=NUMBER, e.g. growth_sd=2.5 (the settings and their "
            "units: docs/uncertainty.md)",
            param_hint="'--set'",
        )
    return {name.strip(): value.strip() for name, _, value in pairs}


class PlanMethod(StrEnum):
    plan = "plan"
    hold = "hold"
    linear = "linear"
    real_growth = "real-growth"


class PlanBasis(StrEnum):
    money = "money"
    share = "share"


UNCERTAINTY = typer.Option(
    "default",
    "--uncertainty",
    "-u",
    help="A preset of uncertainty.toml (default, none, independent, no-recession) or a TOML "
    "file with the same keys (docs/uncertainty.md).",
)
SETTINGS = typer.Option(
    None,
    "--set",
    help="Change one uncertainty setting, SETTING=NUMBER (repeatable), e.g. --set growth_sd=2.5 "
    "--set country_corr=0.",
)
METHOD = typer.Option(
    PlanMethod.plan,
    "--method",
    "-m",
    help="What is judged: plan (the country's own plan from the pledge registry, else its "
    "latest share held), hold, linear or real-growth.",
)
BASIS = typer.Option(
    None,
    "--basis",
    help="money (fixed nominal budgets) or share (a share of GDP, moves with GDP); default: as "
    "the plan is given.",
)
AMOUNTS = typer.Option(
    None, "--amounts", help="Plan as YEAR=MILLION,... in national currency (current prices)."
)


@app.command(short_help="Chance that a plan reaches a target, and what drives it (Monte Carlo).")
def simulate(
    country: str = typer.Argument(
        ..., help=COUNTRY_HELP + f" Or a group: {_ids('groups.toml')}. E.g. DEU or Duitsland."
    ),
    target: str = TARGET,
    by: int | None = typer.Option(None, "--by", help="Target year (default: the guideline's)."),
    draws: int = typer.Option(100_000, "--draws", "-n", help="Monte Carlo draws."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for a reproducible run."),
    method: PlanMethod = METHOD,
    basis: PlanBasis | None = BASIS,
    amounts: str | None = AMOUNTS,
    uncertainty: str = UNCERTAINTY,
    settings: list[str] | None = SETTINGS,
    sensitivity: bool = typer.Option(
        True, "--sensitivity/--no-sensitivity", help="Add the table of what moves the answer."
    ),
    dask: str | None = typer.Option(
        None,
        "--dask",
        help="Address of a Dask scheduler, e.g. tcp://127.0.0.1:8786 (connect timeout: "
        "MILEX_DASK_TIMEOUT seconds in the environment).",
    ),
    vintage: str | None = typer.Option(None, "--vintage", help=NATO_VINTAGE_HELP),
    fmt: Format = FORMAT,
) -> None:
    """Probability that a country's plan (or a group's GDP-weighted share) reaches a target
    when growth, inflation and the execution of budgets are uncertain, what is judged, and
    which assumption moves the answer most."""
    plan = _parse_amounts(amounts) if amounts is not None else None
    from rich.console import Console
    from rich.progress import Progress

    from milex import api

    errors = Console(stderr=True)
    with Progress(console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task(f"simulating {draws:,} draws", total=None)
        result = api.simulate(
            country,
            target,
            by,
            draws=draws,
            seed=seed,
            method=method.value,
            basis=basis.value if basis is not None else None,
            amounts=plan,
            uncertainty=uncertainty,
            settings=_parse_settings(settings),
            sensitivity=sensitivity,
            dask=dask,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            vintage=vintage,
        )
    if _data(result, fmt):
        return
    out = _console()
    extra = result.extra
    group = "members" in extra
    title = (
        f"{extra['name']}: share of GDP under uncertainty ({extra['draws']:,} draws, "
        f"seed {extra['seed']})"
    )
    if group:
        caption = f"Shares in {result.units['median']}; base {result.query['base_year']}."
    else:
        start = extra["base"]
        caption = (
            f"Plan in {start.currency} billion, current prices; shares in percent of GDP; base "
            f"{start.year}: {start.share:.2f}%."
        )
    grid = _table(title, caption + f" Quantiles to {extra['resolution_pp']:g} points.")
    labels = ["Year"] + ([] if group else ["Plan"])
    for label in (*labels, "Planned %", "Median %", "5-95% band", "P(meets)"):
        grid.add_column(label, justify="right")
    for row in result.frame.itertuples():
        cells = [str(row.year)] + ([] if group else [_money(row.amount)])
        grid.add_row(
            *cells,
            _num(row.planned_share),
            _num(row.median),
            f"{row.p05:.2f}-{row.p95:.2f}",
            chance(row.prob_meet),
        )
    if not group:
        out.print(f"Judged: {extra['plan']}")
    out.print(grid)
    out.print(
        f"Probability of at least {extra['target']:g}% of GDP in "
        f"{result.frame['year'].iloc[-1]}: {chance(extra['probability'])}"
    )
    if group:
        _members_table(out, result)
    for line in extra.get("drivers", []):
        out.print(f"- {line}")
    if "sensitivity" in extra and extra["sensitivity"]["swing"].max() > 0:
        # (when nothing moves the answer, the drivers say so in a line: no table of zeros)
        _tornado_table(out, extra["sensitivity"], "What moves the answer", top=6)
    out.print(f"Uncertainty: {extra['uncertainty']['name']}: {extra['uncertainty']['source']}")
    # the plan judged is printed above the table, not again among the notes
    _footer(out, result, [note for note in result.notes if not note.startswith("Judged: ")])


def _members_table(out: Console, result: Result) -> None:
    """A group's members: each one's plan, its share in the target year and its chance."""
    extra = result.extra
    year = result.frame["year"].iloc[-1]
    grid = _table(
        f"Members in {year}: {extra['expected_members']:.1f} of {len(extra['members'])} expected "
        f"to reach {extra['target']:g}% (90%: {extra['members_band'][0]} to "
        f"{extra['members_band'][1]})"
    )
    for label in ("Member", "Judged", "Planned %", "P(meets)"):
        grid.add_column(label, justify="left" if label in ("Member", "Judged") else "right")
    table = extra["member_table"].sort_values("planned_share", ascending=False)
    for row in table.itertuples():
        judged = f"{row.method} ({row.basis})"
        grid.add_row(row.name, judged, _num(row.planned_share), chance(row.prob_meet))
    out.print(grid)


def _tornado_table(out: Console, table: pd.DataFrame, title: str, top: int | None = None) -> None:
    """A tornado: each setting at its low and high end, the probability at each, the swing."""
    base = table.attrs.get("base")
    shown_rows = table if top is None else table.head(top)
    head = f"{title} (base {chance(base)})" if base is not None else title
    grid = _table(head, "Each setting at the low and high end of its range, the others as run.")
    for label in ("Setting", "Low", "High", "P at low", "P at high", "Swing"):
        grid.add_column(label, justify="left" if label == "Setting" else "right")
    for row in shown_rows.itertuples():
        grid.add_row(
            row.setting,
            f"{row.low:.3g}",
            f"{row.high:.3g}",
            chance(row.prob_low),
            chance(row.prob_high),
            f"{row.swing:.1%}",
        )
    out.print(grid)


@app.command(short_help="Which assumption moves a simulated probability most (a tornado).")
def sensitivity(
    country: str = typer.Argument(..., help=COUNTRY_HELP + f" Or a group: {_ids('groups.toml')}."),
    target: str = TARGET,
    by: int | None = typer.Option(None, "--by", help="Target year (default: the guideline's)."),
    draws: int = typer.Option(20_000, "--draws", "-n", help="Monte Carlo draws per run."),
    seed: int = typer.Option(1, "--seed", help="Seed of every run (common random numbers)."),
    method: PlanMethod = METHOD,
    basis: PlanBasis | None = BASIS,
    amounts: str | None = AMOUNTS,
    uncertainty: str = UNCERTAINTY,
    settings: list[str] | None = SETTINGS,
    vintage: str | None = typer.Option(None, "--vintage", help=NATO_VINTAGE_HELP),
    fmt: Format = FORMAT,
) -> None:
    """Each uncertainty setting at the low and the high end of its range (uncertainty.toml,
    [sensitivity]), the others as given: the probability at each end and the swing, largest
    first."""
    from milex import api

    result = api.sensitivity(
        country,
        target,
        by,
        draws=draws,
        seed=seed,
        method=method.value,
        basis=basis.value if basis is not None else None,
        amounts=_parse_amounts(amounts) if amounts is not None else None,
        uncertainty=uncertainty,
        settings=_parse_settings(settings),
        vintage=vintage,
    )
    if _data(result, fmt):
        return
    out = _console()
    extra = result.extra
    if "plan" in extra:
        out.print(f"Judged: {extra['plan']}")
    _tornado_table(
        out,
        result.frame,
        f"P(at least {result.query['target']:g}% of GDP in {result.query['by']}), "
        f"{result.query['draws']:,} draws a run, seed {result.query['seed']}",
    )
    for row in result.frame.itertuples():
        out.print(f"{row.setting}: {row.why}")
    _footer(out, result)


@app.command(short_help="How often outcomes fell inside the model's 50% and 90% bands.")
def backtest(
    draws: int = typer.Option(20_000, "--draws", "-n", help="Monte Carlo draws per test."),
    seed: int = typer.Option(1, "--seed", help="Seed of every test's run."),
    uncertainty: str = UNCERTAINTY,
    settings: list[str] | None = SETTINGS,
    fmt: Format = FORMAT,
) -> None:
    """The model's bands against what happened, on what the editions held allow (NATO's
    estimates and the WEO of the time against later figures): the share of outcomes inside the
    50% and 90% bands (a calibrated model gives about 50% and 90%)."""
    from milex import api

    result = api.backtest(
        draws=draws, seed=seed, uncertainty=uncertainty, settings=_parse_settings(settings)
    )
    if _data(result, fmt):
        return
    out = _console()
    grid = _table(
        f"Coverage of the model's bands ({draws:,} draws, seed {seed})",
        "Inside: share of the cases whose outcome fell inside the band (aim: 50% and 90%).",
    )
    for label in ("Test", "Compares", "Cases", "Inside 50%", "Inside 90%", "Below", "Above"):
        grid.add_column(label, justify="left" if label in ("Test", "Compares") else "right")
    for row in result.frame.itertuples():
        grid.add_row(
            row.test,
            row.compares,
            str(row.n),
            f"{row.inside_50:.0%}",
            f"{row.inside_90:.0%}",
            f"{row.below_90:.0%}",
            f"{row.above_90:.0%}",
        )
    out.print(grid)
    for row in result.frame.itertuples():
        out.print(f"{row.test}: {row.note}")
    _footer(out, result)


class Basis(StrEnum):
    all = "all"
    mer = "mer"
    ppp = "ppp"
    defence_ppp = "defence-ppp"
    split = "split"


class CompareSource(StrEnum):
    nato = "nato"
    sipri = "sipri"


@app.command(short_help="Two sides' spending on one basis: market rates, PPP, defence PPP, split.")
def compare(
    side_a: str = typer.Argument(
        ..., help=f"A country (name or code) or a group: {_ids('groups.toml')}."
    ),
    side_b: str = typer.Argument(..., help="The other side, e.g. RUS, CHN, UKR, BLR."),
    basis: Basis = typer.Option(
        Basis.all,
        "--basis",
        "-b",
        help="One basis for both sides: mer (market rates), ppp (GDP PPP), defence-ppp "
        "(published military PPP), split (equipment at market rates, the rest at PPP), or all.",
    ),
    years: str | None = typer.Option(
        None, "--years", "-y", help="A year or a range, e.g. 2014-2024 (default: latest)."
    ),
    source: CompareSource | None = typer.Option(
        None,
        "--source",
        "-s",
        help="Both sides on nato or sipri (default: NATO for allies, SIPRI for others).",
    ),
    vintage: str | None = typer.Option(
        None,
        "--vintage",
        help="An edition of a side's source, e.g. sipri's 2025-04 (default: the newest).",
    ),
    fmt: Format = FORMAT,
) -> None:
    """Spending of two sides compared on the same basis, with share of GDP, real growth, its
    acceleration and per capita; each basis explained in one line, each figure's source named."""
    from milex import api

    if years is not None:
        parse_years(years)
    result = api.compare(
        side_a,
        side_b,
        years,
        basis=basis.value,
        source=source.value if source else None,
        vintage=vintage,
    )
    _comparison(result, fmt)


@app.command(short_help="A country's spending race against a group (default Russia vs Europe).")
def race(
    country: str = typer.Argument("RUS", help=COUNTRY_HELP),
    years: str | None = typer.Option(
        None, "--years", "-y", help="A year or a range, e.g. 2014-2024 (default: latest)."
    ),
    against: str = typer.Option(
        "europe-canada", "--against", help=f"The side it is set against: {_ids('groups.toml')}."
    ),
    source: CompareSource | None = typer.Option(
        None, "--source", "-s", help="Both sides on nato or sipri (default: each its own)."
    ),
    vintage: str | None = typer.Option(
        None,
        "--vintage",
        help="An edition of a side's source, e.g. sipri's 2025-04 (default: the newest).",
    ),
    fmt: Format = FORMAT,
) -> None:
    """Spending in national currency, at market rates and at PPP, share of GDP and real growth
    year by year, set against another side, each figure with its source and edition."""
    from milex import api

    if years is not None:
        parse_years(years)
    result = api.race(
        country, years, against=against, source=source.value if source else None, vintage=vintage
    )
    _comparison(result, fmt)


#: How the comparison table shows each measure: (label, digits, money in bn).
_MEASURE_LABELS = {
    "spending": ("Spending", 1, True),
    "spending_national": ("Spending, national currency", 1, True),
    "share_gdp": ("Share of GDP (%)", 2, False),
    "share_govt_spending": ("Share of government spending (%)", 2, False),
    "real_growth": ("Real growth (%)", 1, False),
    "acceleration": ("Acceleration (points)", 1, False),
    "per_capita": ("Per capita", 0, False),
}


def _comparison(result: Result, fmt: Format) -> None:
    """Render a comparison or a race: a table per year, the bases explained, notes, sources."""
    if _data(result, fmt):
        return
    sides = result.extra["sides"]
    names = [f"{s['name']} ({s['source']} {s['vintage']})" for s in sides]
    out = _console()
    for year, part in result.frame.groupby("year"):
        grid = _table(f"{names[0]} vs {names[1]}, {year}", "Money in billion; see unit.")
        for label in ("Measure", "Basis", sides[0]["name"], sides[1]["name"], "A / B", "Unit"):
            grid.add_column(label, justify="right" if label in ("A / B",) else "left")
        for row in part.itertuples(index=False):
            label, digits, money = _MEASURE_LABELS[row.measure]
            shown_ = _money if money else (lambda v, d=digits: _num(v, d))
            unit = row.unit.replace(" million", " billion") if money else row.unit
            grid.add_row(
                label,
                row.basis if isinstance(row.basis, str) else "",
                shown_(row.side_a),
                shown_(row.side_b),
                _num(row.a_to_b, 2),
                unit,
            )
        out.print(grid)
    for name, text in result.extra["bases"].items():
        out.print(f"Basis {name}: {text}")
    for estimate in result.extra["estimates"].itertuples(index=False):
        out.print(
            f"Estimate: {estimate.actor} {estimate.year} {estimate.value_usd_bn:g} bn at "
            f"defence PPP: {estimate.source}"
        )
    _footer(out, result)


munitions_app = typer.Typer(
    help="The artillery-munitions model: production, imports, consumption and stocks per "
    "actor and month from a scenario, and production ratios from the published estimates.",
    no_args_is_help=False,
)
app.add_typer(munitions_app, name="munitions", short_help="Munitions: stocks, ramp-ups, ratios.")


@munitions_app.callback(invoke_without_command=True)
def munitions(
    ctx: typer.Context,
    scenario: str = typer.Option(
        "default",
        "--scenario",
        help="A shipped scenario (default) or the path of your own TOML file (see "
        "milex/data/scenarios/default.toml for the keys).",
    ),
    until: int | None = typer.Option(
        None, "--until", callback=_year, help="Last year to run (default: the scenario's)."
    ),
    fmt: Format = FORMAT,
) -> None:
    """Run a munitions scenario month by month and show it year by year: production, imports,
    consumption, shortfall and stock per actor (rounds), when one actor's output overtakes
    another's, and when a stock runs out."""
    if ctx.invoked_subcommand is not None:
        return
    from milex import api

    result = api.munitions(scenario, until)
    if _data(result, fmt):
        return
    out = _console()
    grid = _table(
        f"Munitions scenario {result.query.get('scenario', scenario)}: thousand rounds a year",
        "Stock at the end of each year. Shortfall: demand the scenario's stock could not meet.",
    )
    columns = ["production", "imports", "consumption", "transfers", "shortfall", "stock"]
    grid.add_column("Actor")
    grid.add_column("Year", justify="right")
    for column in columns:
        grid.add_column(column.capitalize(), justify="right")
    for row in result.extra["annual"].itertuples():
        grid.add_row(row.actor, str(row.year), *(f"{getattr(row, c) / 1000:,.0f}" for c in columns))
    out.print(grid)
    _footer(out, result)


@munitions_app.command("ratio")
def munitions_ratio(
    a: str = typer.Argument("RUS", help="Actor: RUS, USA, NATO_EUROPE, EU, NATO, UKR, PRK, IRN."),
    b: str = typer.Argument("NATO", help="Actor to compare with (default NATO = USA + Europe)."),
    year: int = typer.Option(2025, "--year", "-y", callback=_year, help="Year (default 2025)."),
    fmt: Format = FORMAT,
) -> None:
    """How many times actor A's yearly artillery output is actor B's, as a range across the
    published estimates, and how many months A needs to make what B makes in a year."""
    from milex import api

    result = api.munitions_ratio(a, b, year)
    if _data(result, fmt):
        return
    out = _console()
    grid = _table(f"Artillery output {year}: {a} against {b}", "Rounds a year; ratio: A / B.")
    for label in ("", "Actor", "Low", "Central", "High", "Estimates"):
        grid.add_column(label, justify="left" if label in ("", "Actor") else "right")
    for row in result.frame.itertuples():
        fmt_value = (lambda v: f"{v:,.0f}") if row.side in ("a", "b") else (lambda v: f"{v:.1f}")
        count = "" if _missing(row.estimates) else str(row.estimates)
        grid.add_row(
            row.side,
            row.actor,
            fmt_value(row.low),
            fmt_value(row.central),
            fmt_value(row.high),
            count,
        )
    out.print(grid)
    _footer(out, result)


# ------------------------------------------------------------------ claims and questions

VERDICT_STYLES = {
    "supported": "green",
    "partly supported": "yellow",
    "contradicted": "bold red",
    "not checkable": "dim",
}


def _read_text(text: str | None, file: Path | None) -> str:
    """The text to check: the argument, or the file (``-``: standard input), UTF-8."""
    if (text is None) == (file is None):
        raise InputError("give the text to check, or --file with a text file (not both)")
    if file is None:
        return text
    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{shown(str(file))} is not UTF-8 text (byte {exc.start} cannot be read): save it "
            "as UTF-8 plain text"
        ) from None


def _markdown(result: Result) -> str:
    """A check as Markdown: one section per claim with its verdict, reason and sources."""
    from milex.claims.wording import verdict

    lines = [
        f"# milex check ({result.query['claims']} claims in {result.query['sentences']} sentences)",
        "",
    ]
    for row in result.frame.itertuples():
        lines += [
            f"> {row.text}",
            "",
            f"**{verdict(row.verdict, row.lang)}** ({row.kind}; {row.editions or '—'}): "
            f"{row.reason}",
            "",
        ]
        if row.later:
            lines += [f"_{row.later}_", ""]
    lines += [f"- {cite}" for cite in result.citations()]
    return "\n".join(lines) + "\n"


@app.command(short_help="Check the claims of a text (nl, en, de, fr) against the figures.")
def check(
    text: str | None = typer.Argument(None, help="The text to check (or use --file)."),
    file: Path | None = typer.Option(
        None, "--file", "-i", help="A UTF-8 text file to check ('-' reads standard input)."
    ),
    lang: str = typer.Option("auto", "--lang", "-l", help="Language: auto, nl, en, de or fr."),
    date: str | None = typer.Option(
        None,
        "--date",
        "-d",
        help="When the text was written (YYYY-MM-DD): judge against the editions published "
        "by then and say what later ones show. Default: the newest editions.",
    ),
    fmt: CheckFormat = typer.Option(
        CheckFormat.table,
        "--format",
        "-f",
        help="Output: table, json, markdown or claimreview (schema.org JSON-LD).",
    ),
) -> None:
    """Find every checkable claim in a text (share of GDP, amounts, changes, pledges, "already
    reached", rankings, growth, production ratios) and judge it: supported, partly supported,
    contradicted or not checkable, with the reason in the text's language and the figures with
    their source and edition (docs/claims.md)."""
    from milex import api

    result = api.check(_read_text(text, file), lang=lang, date=date)
    if fmt is CheckFormat.json:
        sys.stdout.write(result.to_json() + "\n")
        return
    if fmt is CheckFormat.claimreview:
        import json

        from milex.claims.claimreview import claimreview

        sys.stdout.write(json.dumps(claimreview(result), ensure_ascii=False, indent=1) + "\n")
        return
    if fmt is CheckFormat.markdown:
        sys.stdout.write(_markdown(result))
        return
    from rich.text import Text

    from milex.claims.wording import verdict

    out = _console()
    grid = _table(
        f"milex check: {result.query['claims']} claim(s) in {result.query['sentences']} sentence(s)"
    )
    for label in ("Claim", "Kind", "Verdict", "Reason"):
        grid.add_column(label, overflow="fold")
    for row in result.frame.itertuples():
        reason = row.reason + (f" — {row.later}" if row.later else "")
        style = VERDICT_STYLES[row.verdict]
        grid.add_row(row.text, row.kind, Text(verdict(row.verdict, row.lang), style=style), reason)
    out.print(grid)
    if result.frame.empty:
        out.print("No checkable claim found (a claim names a country or group and a figure).")
    _footer(out, result)


@app.command(short_help="Answer a question about defence spending, in its language.")
def ask(
    question: str = typer.Argument(..., help="A question in Dutch, English, German or French."),
    lang: str = typer.Option("auto", "--lang", "-l", help="Language: auto, nl, en, de or fr."),
    fmt: Format = FORMAT,
) -> None:
    """Answer a plain-language question ("Hoeveel geeft Nederland uit aan defensie?", "Which
    allies spend more than 3.5%?") with the figures and their sources; a question milex cannot
    answer gets examples of what it can."""
    from milex import api

    result = api.ask(question, lang=lang)
    if _data(result, fmt):
        return
    out = _console()
    out.print(result.extra["answer"])
    for example in result.extra["examples"]:
        out.print(f"  - {example}")
    _footer(out, result)
    if not result.extra["answered"]:
        raise typer.Exit(1)


#: The languages of the pages and reports (milex.web.i18n.LANGUAGES), the first the default.
Lang = StrEnum("Lang", {code: code for code in LANGUAGES})


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"


@app.command(short_help="The web dashboard and JSON API on this machine (docs/web.md).")
def serve(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to listen on: 127.0.0.1 (this machine only) or 0.0.0.0 (every network).",
    ),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the dashboard (overview, a page per country, gap and path explorer, the Russia
    comparison, munitions scenarios, the claim checker) and the JSON API described at /openapi.json,
    offline, on this machine until Ctrl+C."""
    from milex.web import server

    sock = server.bind(host, port)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    if not server.is_loopback(host):
        print(f"milex: listening on {host}: other machines can reach this server", file=sys.stderr)
    print(f"milex: serving {url} (API: {url}openapi.json; Ctrl+C stops)", file=sys.stderr)
    server.run(sock)


@app.command(short_help="Export the dashboard as a static site (HTML, JSON, assets).")
def site(
    outdir: Path = typer.Argument(
        ..., help="Folder to write (new, empty, or an earlier milex site to replace)."
    ),
    lang: list[Lang] = typer.Option(
        list(Lang), "--lang", "-l", help="Languages to export (repeat; default all)."
    ),
) -> None:
    """Write the dashboard's pages with their data and charts as static files that work from
    any static web host and from file:// (docs/web.md)."""
    from rich.console import Console
    from rich.progress import Progress

    from milex.web.site import export

    errors = Console(stderr=True)
    with Progress(console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task("writing pages", total=None)
        files = export(
            outdir,
            langs=[str(code) for code in dict.fromkeys(lang)],
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    print(f"milex: wrote {len(files)} files to {outdir} (open {outdir / 'index.html'})")


@app.command(short_help="A self-contained report (HTML or PDF) on a country or group.")
def report(
    subject: str | None = typer.Argument(
        None,
        help="A country (name or code) or a group id, e.g. DEU or europe-canada; "
        "default: all allies.",
    ),
    fmt: ReportFormat = typer.Option(
        ReportFormat.html, "--format", "-f", help="html (charts drawn in the browser) or pdf."
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", help="File to write ('-': standard output, HTML or the PDF's bytes)."
    ),
    lang: Lang = typer.Option(LANGUAGES[0], "--lang", "-l", help="Language of the report."),
) -> None:
    """Write a report with tables and charts: where the country or group stands, its history
    across editions, gaps to 2%, 3.5% and 5%, the path to 3.5% and its probability, and
    national plans, each with its source and edition. PDF needs a Chromium (docs/web.md)."""
    from milex.web.report import write

    write(subject, str(fmt), output, lang=str(lang))
    if str(output) != "-":
        print(f"milex: wrote {output}", file=sys.stderr)


@app.command(short_help="Check the data store and your own editions; --repair fixes the store.")
def doctor(
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Rebuild the store from milex's data and your editions, remove leftovers of "
        "interrupted builds, prune stale stores. Never deletes or rewrites your editions.",
    ),
    fmt: Format = FORMAT,
) -> None:
    """Check the milex home: the store against the fingerprints of what was loaded (rows and
    checksums per edition), locks, leftovers, your own editions and their backups. Exits 1
    when a problem is found."""
    from milex import api

    result = api.doctor(repair=repair)
    if not _data(result, fmt):
        from rich.text import Text

        out = _console()
        grid = _table(f"milex doctor: {result.query['home']}")
        for label in ("Check", "Subject", "Status", "Detail", "Repair"):
            grid.add_column(label)
        colour = {"ok": "green", "warning": "yellow", "problem": "bold red"}
        for row in result.frame.itertuples():
            status = Text(row.status, style=colour[row.status])
            grid.add_row(row.check, row.subject, status, row.detail, row.repair)
        out.print(grid)
        for note in result.notes:
            out.print(f"Done: {note}")
        problems, warnings = result.extra["problems"], result.extra["warnings"]
        out.print(f"{problems} problem(s), {warnings} warning(s).")
    if result.extra["problems"]:
        raise typer.Exit(1)


#: Where to report a bug.
REPORT_BUGS = "to the milex developers with the command you ran and what milex --version says"
#: Longest value an error message echoes (a 100 KB argument is cut to its start).
ECHO_LIMIT = 80
_QUOTED = re.compile(rf"(?<!\w)(['\"])([^'\"\n]{{{ECHO_LIMIT - 3}}})[^'\"\n]{{4,}}\1(?!\w)")
_LONG_WORD = re.compile(rf"(\S{{{ECHO_LIMIT - 1}}})\S{{2,}}")


def _one_line(message: str) -> str:
    """A message as one line whose echoed values (quoted, or long words) are cut to about
    :data:`ECHO_LIMIT` characters with an ellipsis."""
    text = " ".join(message.split())
    return _LONG_WORD.sub(r"\1…", _QUOTED.sub(r"\1\2…\1", text))


def _fail(message: str, code: int) -> NoReturn:
    print(f"error: {_one_line(message)}", file=sys.stderr)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``milex`` command: one-line errors, exit 2 for bad usage, no
    traceback ever (an unexpected exception is reported as a bug in milex, exit 1).

    Run as the command (``argv`` None), a closed pipe (``milex status | head``) ends it
    quietly by SIGPIPE; called in a program with ``argv``, the program's handling of SIGPIPE is
    left alone (a process-wide default would kill it when any of its sockets or pipes closes)."""
    if argv is None and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    logging.basicConfig(format="milex: %(message)s", level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("milex").setLevel(logging.INFO)
    command = typer.main.get_command(app)
    argv = sys.argv[1:] if argv is None else argv
    try:
        # without standalone mode, click returns a command's typer.Exit code instead of raising
        code = command.main(args=argv or ["--help"], prog_name="milex", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except USAGE_ERROR as exc:
        _fail(exc.format_message(), 2)
    except MilexError as exc:
        _fail(str(exc), exc.exit_code)
    except OSError as exc:
        _fail(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), 2)
    except Exception as exc:  # the last guard: a bug, said in one line
        _fail(
            f"this is a bug in milex {__version__} ({type(exc).__name__}: {exc}); "
            f"please report it {REPORT_BUGS}",
            1,
        )
