"""The ``milex`` command line: parses arguments, calls :mod:`milex.api`, renders with Rich.

No analysis happens here. Every data command takes ``--format table|json|csv``; the JSON
envelope is documented in docs/json.md. Errors print one line; bad usage exits with code 2.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from enum import StrEnum
from pathlib import Path

import click
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from milex import api
from milex.errors import MilexError

app = typer.Typer(
    help="Military expenditure against alliance commitments, with sources and vintages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = Console(highlight=False, soft_wrap=False)
if not out.is_terminal:
    out.width = 140
JSON_VERSION = 1


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FORMAT = typer.Option(Format.table, "--format", "-f", help="Output: table, json or csv.")
SOURCE_HELP = "Dataset: nato, sipri, weo or wdi."
VINTAGE_HELP = "Edition, e.g. 2026-07 (default: the newest edition of each series)."


# ------------------------------------------------------------------ output helpers


def _records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-ready dicts: NaN/NA become null, numpy scalars plain Python."""
    rows = json.loads(frame.to_json(orient="records", force_ascii=False))
    return rows


def _source_records(ids: list[str]) -> list[dict]:
    meta = api.sources()
    origins = api.origins(ids).merge(meta, on=["source", "vintage"])
    keep = ["id", "source", "vintage", "title", "published", "url", "licence", "cite", "citation"]
    return _records(origins[keep])


def _emit_json(command: str, query: dict, payload: dict) -> None:
    envelope = {"schema": f"milex.{command}.v{JSON_VERSION}", "query": query, **payload}
    sys.stdout.write(json.dumps(envelope, ensure_ascii=False, indent=1) + "\n")


def _num(value, digits: int = 2, estimate: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    text = f"{value:,.{digits}f}"
    return text + ("e" if estimate else "")


def _flag(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return "✓" if value else "✗"


# ------------------------------------------------------------------ commands


@app.command()
def status(
    year: int | None = typer.Option(None, "--year", "-y", help="Year (default: latest)."),
    source: str = typer.Option("nato", "--source", "-s", help="nato or sipri."),
    vintage: str | None = typer.Option(None, "--vintage", help=VINTAGE_HELP),
    fmt: Format = FORMAT,
) -> None:
    """Where each ally stands: share of GDP, spending, equipment share, guidelines met."""
    table = api.status(year, source, vintage)
    if fmt is Format.json:
        _emit_json(
            "status",
            {"year": int(table["year"].iloc[0]), "source": source, "vintage": vintage},
            {
                "units": table.attrs["units"],
                "rows": _records(table),
                "sources": _source_records(table.attrs["sources"]),
            },
        )
        return
    if fmt is Format.csv:
        table.to_csv(sys.stdout, index=False)
        return
    year = int(table["year"].iloc[0])
    editions = ", ".join(sorted(table["vintage"].dropna().unique()))
    grid = Table(
        title=f"{source.upper()} figures for {year} (edition {editions})",
        caption="e = estimate · ✓ meets · ✗ below · — no figure (see note) · "
        "spending in USD million, current prices",
        caption_justify="left",
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
            end_section=row.Index == len(table) - 3 and source == "nato",
        )
    out.print(grid)
    for note, number in footnotes.items():
        out.print(f"[{number}] {note}")
    cited = api.origins(table.attrs["sources"]).merge(api.sources(), on=["source", "vintage"])
    for cite in cited["cite"].unique():
        out.print(f"Source: {cite}")


@app.command()
def show(
    country: str = typer.Argument(..., help="Name (en/nl/de/fr) or ISO code, e.g. Duitsland."),
    indicator: list[str] | None = typer.Option(
        None, "--indicator", "-i", help="Indicator(s) (default: share_gdp, spend_usd_current)."
    ),
    source: str | None = typer.Option(None, "--source", "-s", help=SOURCE_HELP + " Default: all."),
    years: str = typer.Option("2014-2030", "--years", help="Year or range, e.g. 1992-2024."),
    fmt: Format = FORMAT,
) -> None:
    """One country's series across sources and editions, and why NATO and SIPRI differ."""
    obs = api.profile(country, indicator, source, years)
    code = api.resolve(country)
    diffs = api.differences(code)
    reasons = api.reasons(code) if not diffs.empty else pd.DataFrame()
    used = sorted(set(obs["source"]))
    caveats = [note for src in used for note in api.notes(src, code)]
    gaps = [n for src in used for n in api.notes(src, code, kind="missing", only_country=True)]
    if fmt is Format.json:
        _emit_json(
            "show",
            {"country": code, "indicators": indicator, "source": source, "years": years},
            {
                "rows": _records(obs),
                "differences": _records(diffs),
                "reasons": _records(reasons),
                "caveats": caveats,
                "missing": gaps,
                "sources": _source_records(sorted(obs["source_id"].unique())),
            },
        )
        return
    if fmt is Format.csv:
        obs.to_csv(sys.stdout, index=False)
        return
    if obs.empty:
        missing = api.notes(source or "nato", code, kind="missing")
        out.print(f"No figures for {code} in {source or 'any source'}. " + " ".join(missing))
        return
    from sparklines import sparklines

    name = obs["name"].iloc[0]
    for (ind, unit), part in obs.groupby(["indicator", "unit"], sort=False):
        wide = api_side_by_side(part)
        grid = Table(
            title=f"{name}: {ind} ({unit})", caption="e = estimate", caption_justify="left"
        )
        grid.add_column("Year", justify="right")
        for column in wide.columns:
            grid.add_column(column, justify="right")
        estimates = set(zip(part["source"] + " " + part["vintage"], part["year"], strict=True)) & {
            (s + " " + v, y)
            for s, v, y, st in part[["source", "vintage", "year", "status"]].itertuples(index=False)
            if st == "estimate"
        }
        digits = 2 if "percent" in unit else 0
        for year, values in wide.iterrows():
            grid.add_row(
                str(year),
                *(_num(values[c], digits, (c, year) in estimates) for c in wide.columns),
            )
        grid.add_row(
            "trend",
            *(sparklines([None if math.isnan(v) else v for v in wide[c]])[0] for c in wide.columns),
        )
        out.print(grid)
    if not diffs.empty:
        grid = Table(title=f"{name}: NATO minus SIPRI (newest editions)")
        for label in ("Indicator", "Year", "NATO", "SIPRI", "Difference", "% of SIPRI"):
            grid.add_column(label, justify="right" if label != "Indicator" else "left")
        for row in diffs.itertuples():
            grid.add_row(
                row.indicator,
                str(row.year),
                _num(row.nato),
                _num(row.sipri),
                _num(row.difference),
                _num(row.relative_pct, 1),
            )
        out.print(grid)
        out.print("Why they differ:")
        for row in reasons.itertuples():
            out.print(f"  • {row.label}: {row.text}")
    elif code in api.members("nato") and source in (None, "nato", "sipri"):
        why = api.notes("sipri", code, kind="missing") if "sipri" not in set(obs["source"]) else []
        out.print("No NATO–SIPRI comparison: " + (why[0] if why else "the two share no year."))
    for note in gaps:
        out.print(f"Missing: {note}")
    for note in caveats:
        out.print(f"Caveat: {note}")
    for cite in (
        api.sources()
        .set_index(["source", "vintage"])
        .loc[sorted(set(zip(obs["source"], obs["vintage"], strict=True))), "cite"]
    ):
        out.print(f"Source: {cite}")


def api_side_by_side(part: pd.DataFrame) -> pd.DataFrame:
    from milex.crosscheck import side_by_side

    return side_by_side(part)


@app.command()
def sources(fmt: Format = FORMAT) -> None:
    """What the store holds: each source and edition, its coverage, licence and citation."""
    editions = api.sources()
    cover = api.coverage()
    sipri = api.sipri_share()
    if fmt is Format.json:
        _emit_json(
            "sources",
            {},
            {"sources": _records(editions), "coverage": _records(cover), "sipri_subset": sipri},
        )
        return
    if fmt is Format.csv:
        cover.merge(editions, on=["source", "vintage"]).to_csv(sys.stdout, index=False)
        return
    grid = Table(title="Sources and editions in the store")
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
    out.print(grid)
    out.print(
        f"SIPRI subset: {sipri['embedded_entities']} of SIPRI's {sipri['database_countries']} "
        f"countries ({sipri['share_of_countries_pct']:.1f}%), {sipri['embedded_figures']:,} of "
        f"at most {sipri['database_cells']:,} figures ({sipri['share_of_cells_pct']:.1f}%): "
        "under SIPRI's 10% reuse limit."
    )
    for row in editions.itertuples():
        out.print(f"Cite {row.source} {row.vintage}: {row.cite}")


@app.command()
def export(
    source: str | None = typer.Option(None, "--source", "-s", help=SOURCE_HELP + " Default: all."),
    vintage: str = typer.Option("all", "--vintage", help="Edition, or 'all' (default)."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv, parquet or json."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
) -> None:
    """Export observations in the tidy shape, each with its source, vintage and citation."""
    if output is None:
        if fmt == "parquet":
            raise click.UsageError("parquet needs a file: add -o FILE.parquet")
        tmp = Path(f".milex-export.{fmt}")
        try:
            api.export(tmp, fmt, source, vintage)
            sys.stdout.write(tmp.read_text(encoding="utf-8"))
        finally:
            tmp.unlink(missing_ok=True)
        return
    path = api.export(output, fmt, source, vintage)
    print(f"wrote {path}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``milex`` command: one-line errors, exit 2 for bad usage."""
    logging.basicConfig(format="milex: %(message)s", level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("milex").setLevel(logging.INFO)
    command = typer.main.get_command(app)
    argv = sys.argv[1:] if argv is None else argv
    try:
        command.main(args=argv or ["--help"], prog_name="milex", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        print(f"error: {exc.format_message()}", file=sys.stderr)
        sys.exit(2)
    except MilexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
