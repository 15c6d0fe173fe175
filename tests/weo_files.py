"""Writers of fixture files in the official layouts of the IMF WEO and the World Bank, from tidy
figures (columns ``iso3, year, indicator, value, unit, status`` as in
``src/milex/data/observations/*.csv``).

The layouts are those of ``../shared/data/REFERENCE_DATA.md``: the WEO text file to April 2025
(UTF-16LE tab-separated, "n/a", thousands commas, a footer), the WEO workbook since October 2025
(sheet ``Countries``), World Bank API v2 JSON pages and bulk CSV files. The WEO codes, units
and currency names are written out here by hand, not taken from milex's tables, so that a wrong
entry in those tables makes the read-back differ.

Entry points:

* ``write_weo_text(path, figures, vintage="2025-04", ...) -> Path``
* ``write_weo_xlsx(path, figures, vintage="2026-04", ...) -> Path``
* ``write_worldbank_json(path, figures, indicator, lastupdated, ...) -> Path``
* ``write_worldbank_csv(path, figures, indicator, lastupdated) -> Path``
* ``published("weo_2025-04") -> DataFrame``: the embedded published figures of an edition
* ``latest_actual(figures) -> {(iso3, indicator): year}``: the latest year whose status is
  actual, which the writers give as the WEO's "Estimates Start After" / latest actual year.
"""

from __future__ import annotations

import calendar
import csv
import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

#: milex indicator -> (WEO code, Subject Descriptor, Units, Scale), as the IMF writes them.
WEO = {
    "gdp_national_current": ("NGDP", "Gross domestic product, current prices",
                             "National currency", "Billions"),
    "gdp_usd_current": ("NGDPD", "Gross domestic product, current prices", "U.S. dollars",
                        "Billions"),
    "gdp_real_growth": ("NGDP_RPCH", "Gross domestic product, constant prices",
                        "Percent change", ""),
    "gdp_deflator": ("NGDP_D", "Gross domestic product, deflator", "Index", ""),
    "inflation_cpi": ("PCPIPCH", "Inflation, average consumer prices", "Percent change", ""),
    "ppp_conversion": ("PPPEX", "Implied PPP conversion rate",
                       "National currency per current international dollar", ""),
    "gdp_ppp": ("PPPGDP", "Gross domestic product, current prices",
                "Purchasing power parity; international dollars", "Billions"),
}  # fmt: skip

#: ISO 4217 -> the IMF's "Primary domestic currency" wording, for the currencies of the
#: embedded editions.
CURRENCY_NAMES = {
    "ALL": "Albanian lek", "BGN": "Bulgarian lev", "CAD": "Canadian dollar",
    "CNY": "Chinese yuan", "CZK": "Czech koruna", "DKK": "Danish krone", "EUR": "Euro",
    "GBP": "British pound", "HUF": "Hungarian forint", "ISK": "Icelandic króna",
    "MKD": "Macedonian denar", "NOK": "Norwegian krone", "PLN": "Polish zloty",
    "RON": "Romanian leu", "RUB": "Russian ruble", "SEK": "Swedish krona",
    "TRY": "Turkish lira", "UAH": "Ukrainian hryvnia", "USD": "US dollar",
}  # fmt: skip

#: ISO3 -> the code the WEO writes where it differs (text files: UVK; workbooks: KOS).
WEO_TEXT_CODES = {"XKX": "UVK", "PSE": "WBG"}
WEO_XLSX_CODES = {"XKX": "KOS", "PSE": "WBG"}

TEXT_HEADER = ["WEO Country Code", "ISO", "WEO Subject Code", "Country", "Subject Descriptor",
               "Subject Notes", "Units", "Scale", "Country/Series-specific Notes"]  # fmt: skip
XLSX_HEADER = ["DATASET", "SERIES_CODE", "COUNTRY.ID", "COUNTRY", "INDICATOR.ID", "INDICATOR",
               "FREQUENCY", "SCALE", "UNIT", "PUBLICATION_DATE", "LATEST_ACTUAL_ANNUAL_DATA",
               "PRIMARY_DOMESTIC_CURRENCY"]  # fmt: skip


def published(edition: str) -> pd.DataFrame:
    """The published figures milex embeds for an edition (``weo_2025-04``, ``wdi_2026-03``):
    columns iso3, year, indicator, value, unit, status."""
    from milex.catalog import data_dir

    path = data_dir() / "observations" / f"{edition}.csv"
    return pd.read_csv(path).drop(columns="source_id")


def latest_actual(figures: pd.DataFrame) -> dict[tuple[str, str], int]:
    """``(iso3, indicator)`` -> the latest year whose status is ``actual``."""
    actual = figures[figures["status"] == "actual"]
    return {
        key: int(year) for key, year in actual.groupby(["iso3", "indicator"])["year"].max().items()
    }


def _series(figures: pd.DataFrame) -> Iterable[tuple[str, str, str, dict[int, float]]]:
    """Each series of the figures: iso3, indicator, the country's currency (the first word of
    its national-currency unit; "" if none), {year: value}."""
    national = figures[figures["indicator"].isin(["gdp_national_current", "ppp_conversion"])]
    currencies = dict(zip(national["iso3"], national["unit"].str.split().str[0], strict=True))
    for (iso3, indicator), rows in figures.groupby(["iso3", "indicator"], sort=True):
        values = dict(zip(rows["year"].astype(int), rows["value"], strict=True))
        yield iso3, indicator, currencies.get(iso3, ""), values


def with_commas(value: float) -> str:
    """A number as the WEO text files write it: its shortest repr, thousands with commas
    (``4305.26`` -> ``"4,305.26"``)."""
    whole, _, decimals = repr(float(value)).partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}"
    return f"{sign}{grouped}" + (f".{decimals}" if decimals != "0" else "")


def write_weo_text(
    path: Path,
    figures: pd.DataFrame,
    vintage: str | None = "2025-04",
    *,
    years: Iterable[int] = range(1980, 2031),
    latest: dict[tuple[str, str], int | str] | None = None,
    missing: str = "n/a",
    encoding: str = "utf-16",
    footer: bool = True,
    extra_rows: Iterable[list[str]] = (),
) -> Path:
    """The WEO text file (April 2025 and earlier) of these figures: tab-separated, UTF-16LE with
    a byte-order mark (``encoding="cp1252"`` for an old vintage), one row per country and
    subject, absent years written ``missing``, "Estimates Start After" = ``latest`` (default:
    :func:`latest_actual`), the footer naming the vintage. ``extra_rows`` are added as given
    (cells of a full row) before the footer."""
    years = list(years)
    latest = latest_actual(figures) | (latest or {})
    lines = [TEXT_HEADER + [str(y) for y in years] + ["Estimates Start After"]]
    for number, (iso3, indicator, currency, values) in enumerate(_series(figures), start=1):
        code, descriptor, units, scale = WEO[indicator]
        last = latest.get((iso3, indicator), "")
        notes = (
            f"Source: National Statistics Office Latest actual data: {last} Primary domestic "
            f"currency: {CURRENCY_NAMES.get(currency, '')} Data last updated: 03/2025"
        )
        cells = [with_commas(values[y]) if y in values else missing for y in years]
        lines.append(
            [str(100 + number), WEO_TEXT_CODES.get(iso3, iso3), code, iso3, descriptor,
             "See the WEO's notes.", units, scale, notes, *cells, str(last)]
        )  # fmt: skip
    lines += [list(row) for row in extra_rows]
    if footer and vintage:
        year, month = vintage.split("-")
        lines += [[], [f"International Monetary Fund, World Economic Outlook Database, "
                       f"{calendar.month_name[int(month)]} {year}"]]  # fmt: skip
    body = "".join("\t".join(row) + "\r\n" for row in lines)
    data = b"\xff\xfe" + body.encode("utf-16-le") if encoding == "utf-16" else body.encode(encoding)
    path.write_bytes(data)
    return path


def write_weo_xlsx(
    path: Path,
    figures: pd.DataFrame,
    vintage: str | None = "2026-04",
    *,
    years: Iterable[int] = range(1980, 2032),
    latest: dict[tuple[str, str], int | str] | None = None,
    extra_rows: Iterable[dict[str, object]] = (),
    drop: Iterable[str] = (),
    sheet: str = "Countries",
) -> Path:
    """The WEO workbook (October 2025 onwards) of these figures: sheet ``Countries`` with one
    row per country and indicator, absent years as empty cells, LATEST_ACTUAL_ANNUAL_DATA =
    ``latest`` (default :func:`latest_actual`; give "FY2023/24" for a fiscal year),
    PUBLICATION_DATE the 14th of the vintage's month (left empty without a vintage), sheets
    ``Country Groups`` and ``Commodity Prices`` beside it. ``extra_rows`` are {column: value}
    rows added at the end; ``drop`` names columns left out."""
    from openpyxl import Workbook

    years = list(years)
    latest = latest_actual(figures) | (latest or {})
    header = [h for h in XLSX_HEADER if h not in set(drop)]
    book = Workbook()
    countries = book.active
    countries.title = sheet
    countries.append(header + years)
    published = f"{vintage}-14" if vintage else ""
    for iso3, indicator, currency, values in _series(figures):
        code, descriptor, units, scale = WEO[indicator]
        row = {
            "DATASET": "World Economic Outlook (WEO)",
            "SERIES_CODE": f"{iso3}.{code}.A",
            "COUNTRY.ID": WEO_XLSX_CODES.get(iso3, iso3),
            "COUNTRY": iso3,
            "INDICATOR.ID": code,
            "INDICATOR": descriptor,
            "FREQUENCY": "Annual",
            "SCALE": scale or "Units",
            "UNIT": units,
            "PUBLICATION_DATE": published,
            "LATEST_ACTUAL_ANNUAL_DATA": latest.get((iso3, indicator), ""),
            "PRIMARY_DOMESTIC_CURRENCY": CURRENCY_NAMES.get(currency, ""),
        }
        countries.append([row[h] for h in header] + [values.get(y) for y in years])
    for extra in extra_rows:
        countries.append([extra.get(h, "") for h in header] + [extra.get(y) for y in years])
    groups = book.create_sheet("Country Groups")
    groups.append(["COUNTRY.ID", "COUNTRY", "INDICATOR.ID", *years])
    groups.append(["G163", "Euro area", "NGDP_RPCH"])
    book.create_sheet("Commodity Prices").append(["INDICATOR.ID", "INDICATOR"])
    book.save(path)
    return path


def _country_name(iso3: str) -> str:
    from milex.geo import name

    return name(iso3)


def _observations(figures: pd.DataFrame, years: list[int]) -> list[tuple[str, int, float | None]]:
    values = {(r.iso3, int(r.year)): float(r.value) for r in figures.itertuples()}
    return [(iso3, y, values.get((iso3, y))) for iso3 in sorted(figures["iso3"].unique())
            for y in years]  # fmt: skip


def write_worldbank_json(
    path: Path,
    figures: pd.DataFrame,
    indicator: str,
    lastupdated: str,
    *,
    years: Iterable[int] = range(2014, 2026),
    aggregates: dict[str, float] | None = None,
    page: int = 1,
    pages: int = 1,
) -> Path:
    """One page of the World Bank API v2 answer for ``indicator`` (``PA.NUS.PPP``): every
    country of the figures for every one of ``years``, newest year first as the API gives
    them, ``null`` where the figures have none; ``aggregates`` ({"ARB": 1.5, "WLD": 2.0}) add
    a region row per code for the first year."""
    years = sorted(years, reverse=True)
    rows = [
        {
            "indicator": {"id": indicator, "value": indicator},
            "country": {"id": iso3[:2], "value": _country_name(iso3)},
            "countryiso3code": iso3,
            "date": str(year),
            "value": value,
            "unit": "",
            "obs_status": "",
            "decimal": 1,
        }
        for iso3, year, value in _observations(figures, years)
    ]
    for code, value in (aggregates or {}).items():
        rows.insert(0, {"indicator": {"id": indicator, "value": indicator},
                        "country": {"id": code[:2], "value": code}, "countryiso3code": code,
                        "date": str(years[0]), "value": value, "unit": "", "obs_status": "",
                        "decimal": 1})  # fmt: skip
    meta = {"page": page, "pages": pages, "per_page": 20000, "total": len(rows) * pages,
            "sourceid": "2", "sourcename": "World Development Indicators",
            "lastupdated": lastupdated}  # fmt: skip
    path.write_text(json.dumps([meta, rows]), encoding="utf-8")
    return path


def write_worldbank_csv(
    path: Path,
    figures: pd.DataFrame,
    indicator: str,
    lastupdated: str,
    *,
    years: Iterable[int] = range(1960, 2026),
) -> Path:
    """The World Bank bulk CSV (``API_<indicator>_DS2_en_csv_v2_*.csv``) of the figures: UTF-8
    with BOM, four preamble lines, one row per country, one column per year (empty when
    missing)."""
    years = list(years)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        out.writerow(["Data Source", "World Development Indicators"])
        out.writerow([])
        out.writerow(["Last Updated Date", lastupdated])
        out.writerow([])
        out.writerow(["Country Name", "Country Code", "Indicator Name", "Indicator Code",
                      *map(str, years)])  # fmt: skip
        by_country: dict[str, dict[int, float | None]] = {}
        for iso3, year, value in _observations(figures, years):
            by_country.setdefault(iso3, {})[year] = value
        for iso3, values in by_country.items():
            cells = ["" if values[y] is None else repr(values[y]) for y in years]
            out.writerow([_country_name(iso3), iso3, indicator, indicator, *cells])
    return path
