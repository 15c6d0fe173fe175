"""IMF World Economic Outlook database files, in both layouts the IMF has published.

* **Text (April 2025 and earlier)**: ``WEOApr2025all.xls`` is, despite its name, tab-separated
  text (UTF-16LE; latin-1/cp1252 in old vintages), one row per country x subject with the columns
  ``ISO``, ``WEO Subject Code``, ``Country``, ``Scale``, ``Country/Series-specific Notes``
  (which say "Primary domestic currency: Euro"), one column per year and ``Estimates Start
  After``; missing figures are ``n/a`` or ``--``; numbers may carry thousands commas; a footer
  "International Monetary Fund, World Economic Outlook Database, April 2025" ends the file.
* **Workbook (October 2025 onwards)**: ``WEOOct2025all.xlsx``, sheet ``Countries``, columns
  ``COUNTRY.ID`` (ISO3; Kosovo ``KOS``), ``INDICATOR.ID``, ``SCALE``, ``PUBLICATION_DATE``,
  ``LATEST_ACTUAL_ANNUAL_DATA`` (``2024``, or ``FY2023/24`` for fiscal-year economies),
  ``PRIMARY_DOMESTIC_CURRENCY`` (a name: "Euro"), one column per year; empty cells are missing.

Only the WEO codes milex uses are kept (``data/weo_codes.csv``: code -> indicator, unit, scale),
with values as the file gives them (GDP in billions, growth and inflation in percent, the
deflator as an index level). A figure is ``actual`` when its year is at or before the series'
latest actual year, ``projection`` after it, ``unknown`` when the file gives no such year.
Country codes are ISO3 (the WEO's own codes such as ``KOS`` mapped in ``data/weo_countries.csv``);
country groups (``G163``, rows without a code) are skipped and counted.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from milex import geo
from milex.catalog import read_rows
from milex.errors import DataFileError
from milex.readers.parsed import COLUMNS, Parsed, Progress
from milex.readers.xlsx import Workbook, cell_name, number, text, year_header

SOURCE = "weo"
TITLE = "World Economic Outlook Database"
SHEET = "Countries"

#: Columns each layout must have (besides the year columns).
TEXT_COLUMNS = ("ISO", "WEO Subject Code", "Scale", "Country/Series-specific Notes",
                "Estimates Start After")  # fmt: skip
XLSX_COLUMNS = ("COUNTRY.ID", "INDICATOR.ID", "LATEST_ACTUAL_ANNUAL_DATA")

_GROUP = re.compile(r"G\d{3}")
_LATEST = re.compile(r"(?:FY\s*)?(\d{4})(?:\s*/\s*\d{2,4})?", re.IGNORECASE)
_CURRENCY = re.compile(r"Primary domestic currency:\s*(.*?)\s*(?:Data last updated|$)")
_MONTHS = "|".join(calendar.month_name[1:] + calendar.month_abbr[1:])
_FOOTER = re.compile(rf"World Economic Outlook Database,?\s*({_MONTHS})\w*\s+(\d{{4}})", re.I)
_FILE_NAME = re.compile(rf"WEO[_ -]?({_MONTHS})\w*?[_ -]?(\d{{4}})", re.IGNORECASE)


@dataclass(frozen=True)
class Series:
    """One WEO code milex keeps: its indicator, unit (``{currency}`` filled in per country) and
    the scale the file must state (``Billions``, or "" for units: percent, index, rates)."""

    code: str
    indicator: str
    unit: str
    scale: str


@cache
def series_codes() -> dict[str, Series]:
    """The WEO codes milex keeps (``data/weo_codes.csv``), by code."""
    return {
        row["code"]: Series(row["code"], row["indicator"], row["unit"], row["scale"])
        for row in read_rows("weo_codes.csv")
    }


@cache
def _country_codes() -> dict[str, str]:
    return {row["code"]: row["iso3"] for row in read_rows("weo_countries.csv")}


def country(code: str) -> str | None:
    """The ISO3 code of a country code in an official file (``KOS`` -> ``XKX``, ``DEU`` ->
    ``DEU``, and the aggregates milex knows such as ``EMU``); None for a code milex does not
    know (a region, a group, a new code)."""
    code = code.strip().upper()
    if code in _country_codes():
        return _country_codes()[code]
    return code if code and geo.is_known_code(code) else None


def _key(name: str) -> str:
    """A currency name as compared: case, accents, dots and spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


@cache
def _currency_names() -> dict[str, str]:
    """Currency name -> ISO 4217 code: babel's English names (singular and plural) of the
    currencies in use, and the IMF's wordings of ``data/weo_currencies.csv``."""
    from babel.numbers import get_currency_name, list_currencies

    names: dict[str, str] = {}
    for code in sorted(list_currencies()):
        for count in (1, 2):
            names.setdefault(_key(get_currency_name(code, count=count, locale="en")), code)
    for row in read_rows("weo_currencies.csv"):
        names[_key(row["name"])] = row["code"]
    return names


def currency(name: str) -> str | None:
    """The ISO 4217 code of a currency as the WEO names it ("Euro", "Euros", "US dollar",
    "Icelandic króna" -> ISK); None for a name milex cannot tell (empty, "CFA franc")."""
    return _currency_names().get(_key(name)) if name.strip() else None


@cache
def _unit_patterns() -> dict[str, re.Pattern[str]]:
    return {
        row["indicator"]: re.compile(row["unit_pattern"]) for row in read_rows("indicators.csv")
    }


def check_units(observations: pd.DataFrame, table: str) -> None:
    """Every ``(indicator, unit)`` must fit ``indicators.csv``; a mapping of ``table`` that
    does not is a bug in that table, named in the error."""
    for indicator, unit in (
        observations[["indicator", "unit"]].drop_duplicates().itertuples(index=False)
    ):
        pattern = _unit_patterns().get(indicator)
        if pattern is None or not pattern.fullmatch(unit):
            raise DataFileError(
                f"{table}: indicator {indicator!r} with unit {unit!r} does not fit "
                f"indicators.csv ({pattern.pattern if pattern else 'no such indicator'})"
            )


def status(year: int, latest_actual: int | None) -> str:
    """``actual`` up to the series' latest actual year, ``projection`` after it, ``unknown``
    when the file gives no latest actual year."""
    if latest_actual is None:
        return "unknown"
    return "actual" if year <= latest_actual else "projection"


def vintage_of(month: str, year: str) -> str:
    """``("Apr", "2025")`` or ``("April", "2025")`` -> ``"2025-04"``."""
    abbr = [m.casefold() for m in calendar.month_abbr]
    return f"{year}-{abbr.index(month[:3].casefold()):02d}"


@dataclass
class _Sheet:
    """One table of a WEO file: its rows, where its header is, and how it names places."""

    name: str  # the file name, and the sheet's for a workbook
    rows: list[list[object]]
    header: int
    row_word: str  # "line" (text file) or "row" (workbook)
    cell: Callable[[int, int, int], str]  # (row, col, year) -> "column 2025" / "cell AQ7"
    columns: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)  # column -> year

    def where(self, row: int, label: str = "") -> str:
        return f"{self.name}, {self.row_word} {row + 1}" + (f" ({label})" if label else "")

    def value(self, row: list[object], column: str) -> str:
        index = self.columns.get(column)
        return text(row[index]) if index is not None and index < len(row) else ""


@dataclass
class _Edition:
    """What one file says of itself, and what its reading left out."""

    vintage: str | None = None
    published: str | None = None
    groups: int = 0
    skipped: list[str] = field(default_factory=list)


def _find_columns(sheet: _Sheet, required: tuple[str, ...]) -> None:
    header = [text(value) for value in sheet.rows[sheet.header]]
    sheet.columns = {name: index for index, name in enumerate(header) if name}
    missing = [name for name in required if name not in sheet.columns]
    for index, value in enumerate(header):
        found = year_header(value)
        if found:
            sheet.years[index] = found[0]
    if missing or not sheet.years:
        lacking = ", ".join(repr(m) for m in missing) or "no year column (1980, 1981 ...)"
        raise DataFileError(
            f"{sheet.where(sheet.header)}: the header lacks {lacking}; expected the IMF's WEO "
            f"columns {', '.join(required)} and one column per year. Found: "
            f"{', '.join(list(sheet.columns)[:12])}"
        )


def _latest_actual(sheet: _Sheet, row: int, column: str, label: str) -> int | None:
    written = sheet.value(sheet.rows[row], column)
    if written in ("", "0", "n/a", "--"):
        return None
    found = _LATEST.fullmatch(written)
    if not found:
        raise DataFileError(
            f"{sheet.where(row, label)}, column {column}: {written!r} is not a year "
            "(expected 2024, or FY2023/24 for a fiscal year, or empty)"
        )
    return int(found.group(1))


def _check_scale(sheet: _Sheet, row: int, label: str, series: Series, scale: str) -> None:
    expected = (series.scale,) if series.scale else ("", "Units")
    if scale.casefold() not in {e.casefold() for e in expected}:
        shown = " or ".join(repr(e) for e in expected)
        raise DataFileError(
            f"{sheet.where(row, label)}: scale {scale!r} for {series.code}; milex reads "
            f"{series.code} in {shown} (the unit {series.unit!r})"
        )


def _figures(
    sheet: _Sheet, book: _Edition, keys: tuple[str, str, str, str], currency_of: Callable
) -> Iterator[tuple]:
    """Rows of observations from a sheet whose columns are named by ``keys``: (country,
    subject code, latest actual year, scale); ``currency_of(row)`` -> the currency's name."""
    country_col, code_col, latest_col, scale_col = keys
    citation = f"IMF, {TITLE}, {{edition}}, {sheet.name}, {{code}}"
    for index in range(sheet.header + 1, len(sheet.rows)):
        row = sheet.rows[index]
        series = series_codes().get(sheet.value(row, code_col))
        if series is None:
            continue
        code = sheet.value(row, country_col).upper()
        label = f"{code or 'no code'} {series.code}"
        if not code or _GROUP.fullmatch(code):
            book.groups += 1
            continue
        iso3 = country(code)
        if iso3 is None:
            raise DataFileError(
                f"{sheet.where(index, label)}, column {country_col}: unknown country code "
                f"{code!r}: neither ISO 3166 nor a WEO code of weo_countries.csv (add it there "
                "if the IMF introduced a new code)"
            )
        _check_scale(sheet, index, label, series, sheet.value(row, scale_col))
        unit = series.unit
        if "{currency}" in unit:
            named = currency_of(row)
            iso4217 = currency(named)
            if iso4217 is None:
                book.skipped.append(f"{series.code} of {iso3} (currency {named or 'not stated'})")
                continue
            unit = unit.format(currency=iso4217)
        latest = _latest_actual(sheet, index, latest_col, label)
        for col, year in sheet.years.items():
            cell = row[col] if col < len(row) else ""
            value = number(cell, f"{sheet.where(index, label)}, {sheet.cell(index, col, year)}")
            if value is not None:
                yield (iso3, year, series.indicator, value, unit, status(year, latest),
                       citation.replace("{code}", series.code))  # fmt: skip


def _decode(path: Path) -> str:
    """The text of a WEO text file: UTF-16 (by its BOM, or zero bytes), UTF-8, else cp1252."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if raw[1:2] == b"\x00":
        return raw.decode("utf-16-le")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _read_text(path: Path, book: _Edition) -> list[tuple]:
    lines = _decode(path).splitlines()
    rows: list[list[object]] = [list(r) for r in csv.reader(lines, delimiter="\t")]
    if not rows:
        raise DataFileError(f"{path.name}: the file is empty")
    body = []
    for row in rows:
        first = text(row[0]) if row else ""
        footer = _FOOTER.search(first) if first.startswith("International Monetary Fund") else None
        if footer:
            book.vintage = vintage_of(*footer.groups())
        elif any(text(v) for v in row):
            body.append(row)
        else:
            body.append([])  # keep line numbers: an empty line is a line
    sheet = _Sheet(path.name, body, 0, "line", lambda _r, _c, year: f"column {year}")
    _find_columns(sheet, TEXT_COLUMNS)

    def notes_currency(row: list[object]) -> str:
        found = _CURRENCY.search(sheet.value(row, "Country/Series-specific Notes"))
        return found.group(1) if found else ""

    keys = ("ISO", "WEO Subject Code", "Estimates Start After", "Scale")
    return list(_figures(sheet, book, keys, notes_currency))


def _read_workbook(path: Path, book: _Edition) -> list[tuple]:
    workbook = Workbook(path)
    rows = workbook.rows(SHEET)
    header = next(
        (i for i, row in enumerate(rows[:20]) if "COUNTRY.ID" in [text(v) for v in row]), None
    )
    if header is None:
        raise DataFileError(
            f"{path.name}, sheet {SHEET}: no header row with COUNTRY.ID in the first 20 rows; "
            f"expected the IMF's WEO workbook (columns {', '.join(XLSX_COLUMNS)} and years)"
        )
    sheet = _Sheet(
        f"{path.name}, sheet {SHEET}", rows, header, "row",
        lambda r, c, year: f"cell {cell_name(r, c)} ({year})",
    )  # fmt: skip
    _find_columns(sheet, XLSX_COLUMNS)
    published = _published(rows[header + 1 :], sheet)
    if published:
        book.published = published
        book.vintage = published[:7]
    keys = ("COUNTRY.ID", "INDICATOR.ID", "LATEST_ACTUAL_ANNUAL_DATA", "SCALE")
    return list(
        _figures(sheet, book, keys, lambda row: sheet.value(row, "PRIMARY_DOMESTIC_CURRENCY"))
    )


def _published(rows: list[list[object]], sheet: _Sheet) -> str | None:
    """The workbook's PUBLICATION_DATE (YYYY-MM-DD), from its first row that has one."""
    index = sheet.columns.get("PUBLICATION_DATE")
    for row in rows if index is not None else []:
        value = row[index] if index < len(row) else ""
        if isinstance(value, dt.date):
            return value.isoformat()[:10]
        found = re.match(r"(\d{4})-(\d{2})-(\d{2})", text(value))
        if found:
            return found.group(0)
    return None


def read(paths: list[Path], progress: Progress | None = None) -> Parsed:
    """One WEO edition from its database file (text or workbook; several files are read
    together, e.g. countries and groups). Values in the units of ``data/weo_codes.csv``:
    GDP in billions (national currency, USD, international dollars), growth and inflation in
    percent, the deflator as an index level, PPP rates in national currency per international
    dollar. The vintage comes from the file (its footer, its PUBLICATION_DATE), else from its
    name (``WEOApr2025all`` -> 2025-04), else None."""
    book, found, layouts = _Edition(), [], []
    for done, path in enumerate(paths, start=1):
        path = Path(path)
        if not path.is_file():
            raise DataFileError(f"{path}: no such file")
        with path.open("rb") as handle:
            magic = handle.read(4)
        if magic == b"\xd0\xcf\x11\xe0":
            raise DataFileError(
                f"{path.name} is a binary Excel 97 workbook; milex reads the IMF's WEO file as "
                "published (tab-separated text, or .xlsx since October 2025): save it as .xlsx"
            )
        file_book = _Edition()
        workbook = magic.startswith(b"PK")
        found += (_read_workbook if workbook else _read_text)(path, file_book)
        layouts.append("weo-xlsx" if workbook else "weo-text")
        named = _FILE_NAME.search(path.stem)
        vintage = file_book.vintage or (vintage_of(*named.groups()) if named else None)
        if book.vintage and vintage and vintage != book.vintage:
            raise DataFileError(
                f"{path.name} is the WEO of {vintage}, the file before it of {book.vintage}: "
                "give the files of one edition"
            )
        book.vintage = book.vintage or vintage
        book.published = book.published or file_book.published
        book.groups += file_book.groups
        book.skipped += file_book.skipped
        if progress:
            progress(done, len(paths), path.name)
    return _parsed(book, found, "+".join(dict.fromkeys(layouts)))


def _parsed(book: _Edition, found: list[tuple], layout: str) -> Parsed:
    observations = pd.DataFrame(found, columns=COLUMNS)
    edition_name = None
    if book.vintage:
        year, month = book.vintage.split("-")
        edition_name = f"{calendar.month_name[int(month)]} {year}"
    observations["citation"] = observations["citation"].str.replace(
        "{edition}, " if edition_name is None else "{edition}", edition_name or "", regex=False
    )
    duplicated = observations.duplicated(["iso3", "year", "indicator"])
    if duplicated.any():
        first = observations[duplicated].iloc[0]
        raise DataFileError(
            f"WEO: {first.iso3} {first.indicator} {first.year} is given twice "
            f"({first.citation}); a WEO edition has one row per country and subject"
        )
    check_units(observations, "weo_codes.csv")
    notes = []
    if book.groups:
        notes.append(f"country-group rows skipped: {book.groups}")
    if book.skipped:
        notes.append("left out for want of a known currency: " + ", ".join(book.skipped))
    edition: dict[str, object] = {"complete": True}
    if book.vintage:
        edition |= {"title": f"{TITLE}, {edition_name}", "edition": edition_name}
    if book.published:
        edition["published"] = book.published
    if notes:
        edition["coverage_note"] = "; ".join(notes)
    return Parsed(SOURCE, book.vintage, layout, observations, edition)
