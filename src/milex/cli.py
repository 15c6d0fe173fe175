"""The ``milex`` command line: parses arguments, calls :mod:`milex.api`, renders with Rich.

No analysis happens here. Every data command takes ``--format table|json|csv``; the JSON
envelope is documented in docs/json.md. Errors print one line; bad usage exits with code 2.
"""

from __future__ import annotations

import dataclasses
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
out = Console(highlight=False, soft_wrap=False, markup=False)
if not out.is_terminal:
    out.width = 140
JSON_VERSION = 1


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Currency(StrEnum):
    USD = "USD"
    EUR = "EUR"


class Prices(StrEnum):
    current = "current"
    constant = "constant"


FORMAT = typer.Option(Format.table, "--format", "-f", help="Output: table, json or csv.")
SOURCE_HELP = "Dataset: nato, sipri, weo or wdi."
VINTAGE_HELP = "Edition, e.g. 2026-07 (default: the newest edition of each series)."


# ------------------------------------------------------------------ output helpers


def _records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-ready dicts: NaN/NA become null, numpy scalars plain Python."""
    rows = json.loads(frame.to_json(orient="records", force_ascii=False))
    return rows


def _source_records(ids: list[str]) -> list[dict]:
    return _records(api.origins(ids))


def _emit_json(command: str, query: dict, payload: dict) -> None:
    envelope = {"schema": f"milex.{command}.v{JSON_VERSION}", "query": query, **payload}
    sys.stdout.write(json.dumps(envelope, ensure_ascii=False, indent=1) + "\n")


def _num(value, digits: int = 2, mark: bool | str = False) -> str:
    """A figure with thousands separators; ``mark`` True adds "e" (estimate), a string adds it."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    text = f"{value:,.{digits}f}"
    return text + ("e" if mark is True else mark or "")


def _spark(values: pd.Series) -> str:
    """A one-line sparkline; gaps stay gaps, negative values are drawn too."""
    from sparklines import sparklines

    low = values.min()  # shifted to start at zero: the library draws negatives on a 2nd line
    return sparklines([None if math.isnan(v) else v - low for v in values])[0]


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
                "column_notes": table.attrs["column_notes"],
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
    for indicator, note in table.attrs["column_notes"].items():
        out.print(f"No {indicator} in this source or edition: {note}")
    _cite(table.attrs["sources"])


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
    found = api.report(country, indicator, source, years)
    obs = found.obs
    if fmt is Format.json:
        _emit_json(
            "show",
            {"country": found.iso3, "indicators": indicator, "source": source, "years": years},
            {
                "rows": _records(obs),
                "differences": _records(found.differences),
                "reasons": _records(found.reasons),
                "caveats": found.caveats,
                "missing": found.missing,
                "no_comparison": found.no_comparison,
                "sources": _source_records(sorted(obs["source_id"].unique())),
            },
        )
        return
    if fmt is Format.csv:
        obs.to_csv(sys.stdout, index=False)
        return
    if obs.empty:
        wanted = ", ".join(indicator or ["share_gdp", "spend_usd_current"])
        hint = (
            f" It has: {', '.join(found.available)} (choose with --indicator)."
            if found.available
            else ""
        )
        out.print(f"No {wanted} for {found.iso3} in {source or 'any source'} in {years}.{hint}")
        for note in found.missing:
            out.print(f"Missing: {note}")
        return
    name = obs["name"].iloc[0]
    for (ind, unit), part in obs.groupby(["indicator", "unit"], sort=False):
        wide = api.side_by_side(part)
        grid = Table(
            title=f"{name}: {ind} ({unit})",
            caption="e = estimate · p = IMF projection",
            caption_justify="left",
        )
        grid.add_column("Year", justify="right")
        for column in wide.columns:
            grid.add_column(column, justify="right")
        flagged = part[part["status"].isin(["estimate", "projection"])]
        editions = flagged["source"] + " " + flagged["vintage"]
        marks = {
            (edition, year): "e" if status == "estimate" else "p"
            for edition, year, status in zip(
                editions, flagged["year"], flagged["status"], strict=True
            )
        }
        digits = 2 if "percent" in unit else 0
        for year, values in wide.iterrows():
            grid.add_row(
                str(year),
                *(_num(values[c], digits, marks.get((c, year), "")) for c in wide.columns),
            )
        grid.add_row(
            "trend",
            *(_spark(wide[c]) for c in wide.columns),
        )
        out.print(grid)
    if not found.differences.empty:
        grid = Table(title=f"{name}: NATO minus SIPRI (newest editions)")
        for label in ("Indicator", "Year", "NATO", "SIPRI", "Difference", "% of SIPRI"):
            grid.add_column(label, justify="right" if label != "Indicator" else "left")
        for row in found.differences.itertuples():
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
        for row in found.reasons.itertuples():
            out.print(f"  • {row.label}: {row.text}")
    if found.no_comparison:
        out.print(f"No NATO–SIPRI comparison: {found.no_comparison}")
    for note in found.missing:
        out.print(f"Missing: {note}")
    for note in found.caveats:
        out.print(f"Caveat: {note}")
    _cite(obs["source_id"].unique())


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
        merged = cover.merge(editions, on=["source", "vintage"], suffixes=("", "_edition"))
        merged.to_csv(sys.stdout, index=False)
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
    verdict = "under" if sipri["within_limit"] else "OVER"
    out.print(
        f"SIPRI subset: {sipri['embedded_countries']} countries and the world total of "
        f"SIPRI's {sipri['database_countries']} countries (counted as "
        f"{sipri['share_of_countries_pct']:.1f}%), {sipri['embedded_figures']:,} of "
        f"at most {sipri['database_cells']:,} figures ({sipri['share_of_cells_pct']:.1f}%): "
        f"{verdict} SIPRI's {sipri['limit_pct']}% reuse limit."
    )
    for row in editions.itertuples():
        out.print(f"Cite {row.source} {row.vintage}: {row.cite}")


@app.command()
def export(
    source: str | None = typer.Option(None, "--source", "-s", help=SOURCE_HELP + " Default: all."),
    vintage: str = typer.Option("all", "--vintage", help="Edition, or 'all' (default)."),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="csv, parquet or json (default: from -o's extension, or csv)."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
) -> None:
    """Export observations in the tidy shape, each with its source, vintage and citation."""
    if output is None:
        api.export(sys.stdout, fmt, source, vintage)
        return
    path = api.export(output, fmt, source, vintage)
    print(f"wrote {path}", file=sys.stderr)


TARGET = typer.Option("hague-3.5", "--target", "-t", help="Percent of GDP (3.5) or guideline id.")


def _money(value, currency: str = "") -> str:
    """Million -> a readable amount ("12.3 bn")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value / 1000:,.1f} bn{(' ' + currency) if currency else ''}"


def _table_or_data(command: str, frame: pd.DataFrame, query: dict, fmt: Format) -> bool:
    """Write JSON or CSV and return True; return False for a table (the caller draws it)."""
    if fmt is Format.json:
        extra = {
            key: dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value
            for key, value in frame.attrs.items()
            if key not in ("units", "sources")
        }
        _emit_json(
            command,
            query,
            {
                "units": frame.attrs.get("units", {}),
                **extra,
                "rows": _records(frame),
                "sources": _source_records(frame.attrs.get("sources", [])),
            },
        )
        return True
    if fmt is Format.csv:
        frame.to_csv(sys.stdout, index=False)
        return True
    return False


def _caveat(frame: pd.DataFrame) -> None:
    if "caveat" in frame.attrs:
        out.print(f"Caveat: {frame.attrs['caveat']}")


def _cite(ids) -> None:
    """Print how to cite each edition behind the figures shown."""
    for cite in api.origins(ids)["cite"].unique():
        out.print(f"Source: {cite}")


@app.command()
def gap(
    target: str = TARGET,
    year: int | None = typer.Option(None, "--year", "-y", help="Year (default: latest)."),
    group: str | None = typer.Option(None, "--group", "-g", help="Group, adds a total row."),
    currency: Currency = typer.Option(Currency.USD, "--currency", help="Money in USD or EUR."),
    prices: Prices = typer.Option(Prices.current, "--prices", help="current or constant (2021)."),
    vintage: str | None = typer.Option(None, "--vintage", help=VINTAGE_HELP),
    fmt: Format = FORMAT,
) -> None:
    """How far each ally is from a target: percentage points and money."""
    table = api.gap(target, year, group=group, vintage=vintage)
    query = {
        "target": target,
        "year": int(table["year"].iloc[0]),
        "group": group,
        "vintage": vintage,
        "currency": currency.value,
        "prices": prices.value,
    }
    if _table_or_data("gap", table, query, fmt):
        return
    money = f"gap_{currency.value.lower()}_{'const' if prices is Prices.constant else 'current'}"
    basis = "current prices" if prices is Prices.current else "constant 2021 prices"
    currency = currency.value
    grid = Table(
        title=f"Gap to {table['target'].iloc[0]:g}% of GDP in {query['year']} "
        f"(NATO, edition {table['vintage'].iloc[0]})",
        caption=f"Gap in {currency.upper()} billion, {basis}; negative = above the target. "
        f"Equipment gap: points short of {table.attrs['equipment_target']:g}% of defence "
        "spending.",
        caption_justify="left",
    )
    for label in ("Ally", "% GDP", "Gap (points)", f"Gap ({currency.upper()})", "Equip. gap"):
        grid.add_column(label, justify="left" if label == "Ally" else "right")
    for row in table.itertuples():
        est = row.status == "estimate"
        grid.add_row(
            row.name,
            _num(row.share_gdp, 2, est),
            _num(row.gap_pp, 2),
            _money(getattr(row, money)),
            _num(row.equipment_gap_pp, 1),
            end_section=group is not None and row.Index == len(table) - 2,
        )
    out.print(grid)
    for code, why in table.attrs["missing"].items():
        out.print(f"Not shown: {code}: {why}")
    if money in table.attrs["column_notes"]:
        out.print(f"No gap in {currency} at {basis}: {table.attrs['column_notes'][money]}")
    _caveat(table)
    _cite(table.attrs.get("sources", []))


@app.command()
def path(
    country: str = typer.Argument(..., help="Country (any language) or group, e.g. DEU."),
    target: str = TARGET,
    by: int | None = typer.Option(None, "--by", help="Target year (default: the guideline's)."),
    method: str = typer.Option("linear", "--method", "-m", help="linear or real-growth."),
    base_year: int | None = typer.Option(None, "--base-year", help="Default: latest figure."),
    growth_after: float | None = typer.Option(
        None, "--growth-after", help="Real GDP growth (%) after the IMF horizon."
    ),
    inflation_after: float | None = typer.Option(
        None, "--inflation-after", help="GDP-deflator inflation (%) after the IMF horizon."
    ),
    fmt: Format = FORMAT,
) -> None:
    """A year-by-year path to a target share of GDP, with the real growth it needs."""
    table = api.path(country, target, by, method, base_year, growth_after, inflation_after)
    query = {
        "country": country,
        "target": target,
        "by": int(table["year"].iloc[-1]),
        "method": method,
        "base_year": int(table["year"].iloc[0]),
    }
    if _table_or_data("path", table, query, fmt):
        return
    currency = table.attrs["currency"]
    reached = table["share_gdp"].iloc[-1]
    above = table.attrs.get("held", [])
    held = (
        f" ({', '.join(above)} above it hold their share: {reached:.2f}% in all)" if above else ""
    )
    grid = Table(
        title=f"{table.attrs['name']}: {method} path to {table.attrs['target']:g}% of GDP "
        f"by {table['year'].iloc[-1]}{held}",
        caption=f"Money in {currency} billion: current = {table.attrs['units']['spend_current']}, "
        f"constant = {table.attrs['units']['spend_const']}. Extra = above holding the base "
        "year's share. GDP: IMF WEO, then extrapolated.",
        caption_justify="left",
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
    out.print(grid)
    for code, why in table.attrs.get("missing", {}).items():
        out.print(f"Not included: {code}: {why}")
    _caveat(table)
    _cite(table.attrs.get("sources", []))


@app.command()
def pledges(
    country: str | None = typer.Argument(None, help="Country (default: all in the registry)."),
    fmt: Format = FORMAT,
) -> None:
    """National plans from the registry, checked: do amount and share add up, on path?"""
    table = api.pledges(country)
    if _table_or_data("pledges", table, {"country": country}, fmt):
        return
    grid = Table(
        title="Pledges and plans, checked against projected GDP",
        caption="Implied = the amount as % of projected GDP (or the share in money). "
        "On path = at or above a linear path to the Hague guideline.",
        caption_justify="left",
    )
    for label in ("Who", "Year", "Scope", "Pledged", "Implied", "Adds up", "On path", "Flag"):
        grid.add_column(label, overflow="fold")
    for row in table.itertuples():
        pledged = _share_and_amount(
            row.target_share_gdp, row.target_amount, row.amount_currency, "g"
        )
        implied = _share_and_amount(row.implied_share, row.implied_amount, row.currency, ".2f")
        grid.add_row(
            row.iso3,
            "" if pd.isna(row.target_year) else str(int(row.target_year)),
            row.scope,
            pledged,
            implied or "—",
            _flag(row.adds_up),
            _flag(row.on_path),
            row.flag or "",
        )
    out.print(grid)
    out.print("Each pledge's source and quote: milex pledges --format json")
    _cite(table.attrs["sources"])


def _share_and_amount(share, amount, currency, share_format: str) -> str:
    """'3.5% / 153 bn EUR': a share of GDP and an amount in billion, either may be missing."""
    parts = []
    if pd.notna(share):
        parts.append(f"{share:{share_format}}%")
    if pd.notna(amount):
        parts.append(f"{amount:,.1f} bn {currency}")
    return " / ".join(parts)


@app.command()
def simulate(
    country: str = typer.Argument(..., help="Country, e.g. DEU or Duitsland."),
    target: str = TARGET,
    by: int | None = typer.Option(None, "--by", help="Target year (default: the guideline's)."),
    draws: int = typer.Option(100_000, "--draws", "-n", help="Monte Carlo draws."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for a reproducible run."),
    method: str = typer.Option("linear", "--method", "-m", help="Plan: linear or real-growth."),
    amounts: str | None = typer.Option(
        None, "--amounts", help="Plan as YEAR=MILLION,... in national currency (current prices)."
    ),
    dask: str | None = typer.Option(None, "--dask", help="Address of a Dask scheduler."),
    fmt: Format = FORMAT,
) -> None:
    """Probability that a spending plan reaches a target when growth and inflation vary."""
    plan = _parse_amounts(amounts) if amounts else None
    from rich.progress import Progress

    errors = Console(stderr=True)
    with Progress(console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task(f"simulating {draws:,} draws", total=None)
        table = api.simulate(
            country,
            target,
            by,
            draws,
            seed,
            method,
            plan,
            dask=dask,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    query = {
        "country": country,
        "target": target,
        "by": int(table["year"].iloc[-1]),
        "draws": draws,
        "seed": table.attrs["seed"],
        "method": method if plan is None else "amounts",
    }
    if _table_or_data("simulate", table, query, fmt):
        return
    base = table.attrs["base"]
    grid = Table(
        title=f"{base.iso3}: share of GDP under uncertainty ({table.attrs['draws']:,} draws, "
        f"seed {table.attrs['seed']})",
        caption=f"Plan in {base.currency} billion, current prices; shares in percent of GDP "
        f"(quantiles to {table.attrs['resolution_pp']:g} points; sampling error is larger); "
        f"base {base.year}: {base.share:.2f}%.",
        caption_justify="left",
    )
    for label in ("Year", "Plan", "Planned %", "Median %", "5-95% band", "P(meets)"):
        grid.add_column(label, justify="right")
    for row in table.itertuples():
        grid.add_row(
            str(row.year),
            _money(row.amount),
            _num(row.planned_share),
            _num(row.median),
            f"{row.p05:.2f}-{row.p95:.2f}",
            f"{row.prob_meet:.0%}",
        )
    out.print(grid)
    out.print(
        f"Probability of at least {table.attrs['target']:g}% of GDP in {table['year'].iloc[-1]}: "
        f"{table.attrs['probability']:.0%}"
    )
    if plan is None:
        out.print(
            "A plan that lands exactly on the target has about even odds by construction; "
            "check a government's own amounts with --amounts YEAR=MILLION,..."
        )
    out.print(f"Uncertainty: {table.attrs['uncertainty']}")
    _caveat(table)
    _cite(table.attrs.get("sources", []))


def _parse_amounts(text: str) -> dict[int, float]:
    try:
        pairs = [item.split("=") for item in text.split(",")]
        return {int(year): float(value) for year, value in pairs}
    except ValueError:
        raise click.UsageError(
            f"invalid --amounts {text!r}: use YEAR=MILLION pairs, e.g. 2027=140000,2028=160000"
        ) from None


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
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        sys.exit(1)
