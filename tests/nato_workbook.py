"""Writers of NATO defence expenditure workbooks in NATO's official layouts, for tests.

``write_nato_2024(path, figures)`` writes the layout of ``240617-def-exp-2024-TABLES-en.xlsx``
(sheets TABLE1..TABLE8b, title in B4, unit in B6, years in row 8 from column D with '2019' and
the estimates '2023e' as text, block headings and aggregates in column B, allies in column C,
notes rows, page numbers, a stray #REF! row; Table 7 one column further right and lower).
``write_nato_2026(path, figures)`` writes the layout of ``def-exp-2026-en.xlsx`` (sheets
'Table 1'..'Table 8b', title in A1, unit in A2, each block a subtitle row, a row of years from
column B with '2025e' as text, allies as "Sweden (Kronor)" or "Slovenia*", the aggregates,
'Notes:' rows, '..' for a missing figure); ``write_nato_2025`` the same with the 2025 wording.

``figures`` are tidy rows (columns iso3, year, indicator, value, unit, status) in milex's
indicators and units, e.g. an embedded edition's CSV. A year is written as an estimate ('2025e')
when any figure of that year is an estimate. The table layout, NATO's names of the allies and
the currency words are written out here, independently of the reader's own tables, so that a
reader that maps a block to the wrong indicator fails the round trip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

#: The allies as NATO names them in its tables.
NAMES = {
    "ALB": "Albania",
    "BEL": "Belgium",
    "BGR": "Bulgaria",
    "CAN": "Canada",
    "HRV": "Croatia",
    "CZE": "Czechia",
    "DNK": "Denmark",
    "EST": "Estonia",
    "FIN": "Finland",
    "FRA": "France",
    "DEU": "Germany",
    "GRC": "Greece",
    "HUN": "Hungary",
    "ISL": "Iceland",
    "ITA": "Italy",
    "LVA": "Latvia",
    "LTU": "Lithuania",
    "LUX": "Luxembourg",
    "MNE": "Montenegro",
    "NLD": "Netherlands",
    "MKD": "North Macedonia",
    "NOR": "Norway",
    "POL": "Poland",
    "PRT": "Portugal",
    "ROU": "Romania",
    "SVK": "Slovak Republic",
    "SVN": "Slovenia",
    "ESP": "Spain",
    "SWE": "Sweden",
    "TUR": "Türkiye",
    "GBR": "United Kingdom",
    "USA": "United States",
}
AGGREGATES = {"NATO_EUROPE_CANADA": "NATO Europe and Canada", "NATO_TOTAL": "NATO Total"}
#: The currency words of Table 1 ("Albania (Leks)").
CURRENCY_WORDS = {
    "ALL": "Leks",
    "BGN": "Leva",
    "CAD": "Canadian dollars",
    "CZK": "Koruny",
    "DKK": "Kroner",
    "EUR": "Euros",
    "GBP": "Pounds",
    "HUF": "Forint",
    "MKD": "Denars",
    "NOK": "Kroner",
    "PLN": "Zlotys",
    "RON": "New Lei",
    "SEK": "Kronor",
    "TRY": "Liras",
    "USD": "US dollars",
}
#: Allies marked '*' (a national law of 2 % of GDP) in each edition.
STARRED = {"2024": ("CZE", "EST", "LVA", "LTU", "POL", "ROU"), "2026": ("SVN",)}


@dataclass(frozen=True)
class Table:
    """One table: its number, title, unit line and blocks (heading, milex indicator or None)."""

    number: str
    title: str
    unit: str
    blocks: tuple[tuple[str, str | None], ...]
    aggregates: bool = True


def tables(base: int, spending: str, share_heading: str) -> list[Table]:
    """NATO's nine tables at prices of ``base``; ``spending`` is "Defence expenditure" (to
    2025) or "Core defence expenditure" (2026)."""
    lower = spending[0].lower() + spending[1:]
    return [
        Table(
            "1",
            spending,
            "Million national currency units",
            (
                ("Current prices", "spend_national_current"),
                (f"Constant {base} prices", "spend_national_const"),
            ),
            aggregates=False,
        ),
        Table(
            "2",
            spending,
            "Million US dollars",
            (
                ("Current prices and exchange rates", "spend_usd_current"),
                (f"Constant {base} prices and exchange rates", "spend_usd_const"),
            ),
        ),
        Table(
            "3",
            f"{spending} as a share of GDP and annual real change",
            f"Based on {base} prices and exchange rates",
            ((share_heading, "share_gdp"), ("Annual real change (%)", "real_change_pct")),
        ),
        Table(
            "4",
            f"{spending}, real change and share of GDP: summary",
            "Percentage",
            (),
        ),
        Table(
            "5",
            "Gross domestic product",
            "Million US dollars",
            (
                ("Current prices and exchange rates", None),
                (f"Constant {base} prices and exchange rates", "gdp_usd_const"),
            ),
        ),
        Table(
            "6",
            f"GDP per capita and {lower} per capita",
            f"Based on {base} prices and exchange rates",
            (
                ("GDP per capita (thousand US dollars)", None),
                (f"{spending} per capita (US dollars)", "per_capita_usd_const"),
            ),
        ),
        Table("7", "Military personnel", "Thousands", (("Thousands", "military_personnel"),)),
        Table(
            "8a",
            f"Distribution of {lower} by main category",
            "Percentage of total defence expenditure",
            (("Equipment (a)", "equipment_share"), ("Personnel (b)", "personnel_share")),
            aggregates=False,
        ),
        Table(
            "8b",
            f"Distribution of {lower} by main category",
            "Percentage of total defence expenditure",
            (("Infrastructure (c)", None), ("Other (d)", None)),
            aggregates=False,
        ),
    ]


@dataclass(frozen=True)
class Layout:
    """Where a layout puts things (1-based rows and columns, as openpyxl counts)."""

    sheet: str  # the sheet of table {n}
    title_row: int
    name_col: int  # the allies' names; years start one column right
    heading_col: int  # block headings, aggregates, notes
    header_each_block: bool  # a row of years under each block's subtitle (2025 on)
    missing: str  # what a missing figure is written as
    text_years: tuple[int, ...]  # years written as text ('2019'), not numbers
    colon: str  # between a table's number and its title ("Table 1 : ..." in 2024)
    gap: str  # between an ally's name and its currency ("Albania   (Leks)" in 2024)


class _Figures:
    """Tidy figures looked up by indicator, code and year."""

    def __init__(self, figures: pd.DataFrame):
        self.values = {
            (r.indicator, r.iso3, int(r.year)): float(r.value) for r in figures.itertuples()
        }
        self.years = sorted({int(y) for y in figures["year"]})
        self.estimates = {int(y) for y in figures.loc[figures["status"] == "estimate", "year"]}
        codes = set(figures["iso3"])
        self.allies = sorted((c for c in codes if c in NAMES), key=NAMES.get)
        self.aggregates = [c for c in AGGREGATES if c in codes]
        national = figures[figures["indicator"] == "spend_national_current"]
        self.currency = {r.iso3: r.unit.split()[0] for r in national.itertuples()}
        bases = figures["unit"].str.extract(r"constant (\d{4})")[0].dropna()
        self.base = int(bases.iloc[0]) if len(bases) else None


def _header(sheet, row: int, first_col: int, data: _Figures, layout: Layout) -> None:
    """A row of years from ``first_col`` on, estimates as text ('2025e')."""
    for i, year in enumerate(data.years):
        label = f"{year}e" if year in data.estimates else year
        sheet.cell(row, first_col + i, str(label) if year in layout.text_years else label)


def _write(
    path: Path,
    figures: pd.DataFrame,
    layout: Layout,
    table_list: list[Table],
    *,
    starred: tuple[str, ...],
    title: str,
    modified: dt.datetime | str,
    extra_rows: bool,
) -> Path:
    data = _Figures(figures)
    book = Workbook()
    book.remove(book.active)
    notes = "Notes: Figures for {} are estimates.".format(
        " and ".join(str(y) for y in sorted(data.estimates)) or "all years"
    )
    for page, table in enumerate(table_list, start=9):
        sheet = book.create_sheet(layout.sheet.format(n=table.number))
        shift = 1 if table.number == "7" and layout.text_years else 0
        name_col, heading_col = layout.name_col + shift, layout.heading_col + shift
        row = layout.title_row + 12 * shift
        sheet.cell(row, heading_col, f"Table {table.number}{layout.colon}{table.title}")
        row += 1 if layout.header_each_block else 2
        sheet.cell(row, heading_col, table.unit)
        row += 2

        if not layout.header_each_block:
            _header(sheet, row, name_col + 1, data, layout)
            row += 2
        for heading, indicator in table.blocks:
            if heading != table.unit or layout.header_each_block:
                sheet.cell(row, heading_col, heading)
                row += 1
            if layout.header_each_block:
                _header(sheet, row, name_col + 1, data, layout)
                row += 1
            codes = data.allies + (data.aggregates if table.aggregates else [])
            for code in codes:
                if code in AGGREGATES:
                    sheet.cell(row, heading_col, AGGREGATES[code])
                else:
                    name = NAMES[code] + ("*" if code in starred else "")
                    if table.number == "1" and code in data.currency:
                        name += f"{layout.gap}({CURRENCY_WORDS[data.currency[code]]})"
                    sheet.cell(row, name_col, name)
                for i, year in enumerate(data.years):
                    value = data.values.get((indicator, code, year))
                    cell = value if value is not None else layout.missing
                    if cell != "":
                        sheet.cell(row, name_col + 1 + i, cell)
                row += 1
            if extra_rows and table.number == "1" and heading == "Current prices":
                for i in range(len(data.years)):
                    sheet.cell(row, name_col + 1 + i, "#REF!")
                row += 1
            row += 1
            sheet.cell(row, heading_col, notes)
            if starred:
                sheet.cell(
                    row + 1,
                    heading_col,
                    "* These Allies have national laws or political "
                    "agreements which call for 2% of GDP to be spent on defence.",
                )
            row += 3
        if extra_rows:
            sheet.cell(row, name_col + 5, f"-{page}-")
    book.properties.title = title
    book.properties.creator = "NATO"
    stamp = dt.datetime.fromisoformat(modified) if isinstance(modified, str) else modified
    book.properties.modified = stamp.replace(tzinfo=None)
    book.properties.created = stamp.replace(tzinfo=None)
    return save(book, path)


def save(book: Workbook, path: Path | str) -> Path:
    """Save ``book`` at ``path`` keeping its document properties' ``modified`` date (openpyxl's
    ``Workbook.save`` stamps the present time): for tests that edit a written workbook."""
    with ZipFile(path, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return Path(path)


def _span(figures: pd.DataFrame) -> str:
    return f"({int(figures['year'].min())}-{int(figures['year'].max())})"


def write_nato_2024(
    path: Path | str,
    figures: pd.DataFrame,
    *,
    modified: dt.datetime | str = "2024-06-14T16:20:00",
    title: str | None = None,
) -> Path:
    """Write ``figures`` as NATO's 2024 workbook (``TABLE1`` .. ``TABLE8b``) at ``path``, saved
    on ``modified``; prices constant at the base year of the figures' units (else 2015)."""
    data = _Figures(figures)
    base = data.base or 2015
    layout = Layout("TABLE{n}", 4, 3, 2, False, "", (2019,), " : ", "   ")
    return _write(
        Path(path),
        figures,
        layout,
        tables(base, "Defence expenditure", "Share of real GDP (%)"),
        starred=STARRED["2024"],
        title=title or f"Defence Expenditure of NATO Countries {_span(figures)}",
        modified=modified,
        extra_rows=True,
    )


def write_nato_2026(
    path: Path | str,
    figures: pd.DataFrame,
    *,
    modified: dt.datetime | str = "2026-07-09T09:55:14",
    title: str | None = None,
    core: bool = True,
) -> Path:
    """Write ``figures`` as NATO's 2026 workbook ('Table 1' .. 'Table 8b') at ``path``, saved on
    ``modified``; with ``core=False`` in the 2025 edition's wording ("Defence expenditure",
    "Share of real GDP (%), based on 2021 prices")."""
    data = _Figures(figures)
    base = data.base or 2021
    spending = "Core defence expenditure" if core else "Defence expenditure"
    share = "Share of real GDP (%)" if core else f"Share of real GDP (%), based on {base} prices"
    name = "Defence Investment" if core else "Defence Expenditure"
    layout = Layout("Table {n}", 1, 1, 1, True, "..", (), ": ", " ")
    return _write(
        Path(path),
        figures,
        layout,
        tables(base, spending, share),
        starred=STARRED["2026"],
        title=title or f"{name} of NATO Countries {_span(figures)}",
        modified=modified,
        extra_rows=False,
    )


def write_nato_2025(path: Path | str, figures: pd.DataFrame, **options: object) -> Path:
    """Write ``figures`` in the layout and wording of NATO's 2025 workbook."""
    options.setdefault("modified", "2025-08-27T12:00:00")
    return write_nato_2026(path, figures, core=False, **options)
