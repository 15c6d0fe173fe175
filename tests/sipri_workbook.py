"""Workbooks written in the layout of SIPRI's Military Expenditure Database (the April 2026
release, ``SIPRI-Milex-data-1949-2025_v1.2.xlsx``), for the reader's tests, the parse benchmark
and crash trials of ``milex update``.

The layout, as in ``../shared/data/REFERENCE_DATA.md`` section 1 and the real file: ten sheets
(front page, regional totals, local currency in financial and calendar years, constant and
current US$, share of GDP, per capita, share of government spending, footnotes); each data sheet
a preamble of its own length (title "... © SIPRI 2026", units, the colour legend, the missing
codes), then the header row whose first cell is ``Country``, a blank row (not in ``Per capita``),
region and sub-region headings (``East Asia`` with "..." in its cells, as SIPRI writes it), a row
per country with its notes; SIPRI estimates in a blue font, highly uncertain figures in red;
"..." for no data and "xxx" before independence. Shares are fractions shown as percentages,
local currency in full units, US$ in millions, the regional totals in US$ billions with one
"YYYY (current prices)" column after the years.

:func:`write` writes given figures (hand-chosen published values in the tests); :func:`full_size`
writes ~175 countries x 77 years of invented values for benchmarks and crash trials.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: Figures by (sheet key, country name, year): a number or text as the cell holds it, or
#: ``(value, "blue" | "red")`` for a coloured figure. The world's are ("totals", "World", year)
#: in US$ billions at constant prices, and ("totals current", "World", year) at current prices.
Figures = dict[tuple[str, str, int], object]

#: The data sheets: key -> (name, preamble under the title, leading header cells, first year).
#: ``{base}`` is the constant prices' base year.
SHEETS = {
    "fy": (
        "Local currency financial years",
        [
            "Figures are in local currency at current prices and are for financial years.",
            "All figures are expressed in terms of the current currency.",
            "Financial years are always treated as starting in the specified year.",
        ],
        ["Country", "Currency", "Fiscal Year (Jan.–Dec. if not stated)", "Notes"],
        None,
    ),
    "local": (
        "Local currency calendar years",
        [
            "Figures are in local currency at current prices and are for calendar years.",
            "All figures are expressed in terms of the current currency.",
        ],
        ["Country", "Currency", "Notes"],
        None,
    ),
    "constant": (
        "Constant ({base}) US$",
        ["Figures are in US $m., at constant {base} prices and exchange rates."],
        ["Country", None, "Notes"],
        None,
    ),
    "current": (
        "Current US$",
        ["Figures are in US $m., in current prices, converted at the exchange rate for the year."],
        ["Country", "Notes"],
        None,
    ),
    "share_gdp": (
        "Share of GDP",
        ["Countries are grouped by region and subregion."],
        ["Country", "Notes"],
        None,
    ),
    "per_capita": (
        "Per capita",
        ["Figures are in current US$.", "Countries are grouped by region and subregion"],
        ["Country", "Notes"],
        1988,
    ),
    "share_govt": (
        "Share of Govt. spending",
        [
            "Countries are grouped by region and subregion.",
            "Figures are for military expenditure as a percentage of general government "
            "expenditure.",
            "Data for general government expenditure is from the IMF World Economic Outlook.",
        ],
        ["Country", "Notes", "Reporting year"],
        1988,
    ),
}
#: Sheet keys whose cells are fractions (shown as percentages).
SHARES = {"share_gdp", "share_govt"}
LEGEND = [
    "Figures in blue are SIPRI estimates. Figures in red indicate highly uncertain data.",
    '"..." = data unavailable. "xxx" = country did not exist or was not independent during all '
    "or part of the year in question.",
]
#: The rows of the regional totals sheet, in SIPRI's order (the world first).
REGIONS = [
    "World",
    "Africa",
    "North Africa",
    "sub-Saharan Africa",
    "Americas",
    "Central America and the Caribbean",
    "North America",
    "South America",
    "Asia & Oceania",
    "Central Asia",
    "East Asia",
    "South Asia",
    "South East Asia",
    "Oceania",
    "Europe",
    "Eastern Europe",
    "Central and Western Europe",
    "Middle East",
]
MODIFIED = "2026-04-27T15:13:29Z"


@dataclass(frozen=True)
class Country:
    """A country row: SIPRI's name, its region and sub-region headings, currency word, notes."""

    name: str
    region: str = "Europe"
    subregion: str = "Western Europe"
    currency: str = "Euro"
    notes: str = ""


def write(
    path: Path,
    countries: list[Country],
    figures: Figures,
    *,
    first_year: int = 1949,
    last_year: int = 2025,
    base_year: int = 2024,
    totals_base: int | None = None,
    modified: str | None = MODIFIED,
    headers: dict[str, list[str | None]] | None = None,
    omit: tuple[str, ...] = (),
    filler: str = "...",
) -> Path:
    """Write a workbook in SIPRI's layout to ``path``: every sheet, the countries in their
    regions, ``figures`` in their cells (``filler`` in the others). ``headers`` replaces a
    sheet's leading header cells (by sheet key), ``omit`` leaves sheets out (by name),
    ``totals_base`` states another base year in the regional totals' notes, ``modified`` is
    the document's last-modified stamp (None: no dates in its properties)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    fonts = {"blue": Font(color="FF0000FF"), "red": Font(color="FFFF0000")}
    book = Workbook()
    front = book.active
    front.title = "Front page"
    front["A1"] = "SIPRI Military Expenditure Database"
    _totals(
        book.create_sheet("Regional totals"), figures, fonts, last_year, totals_base or base_year
    )
    for key, (name, preamble, leading, first) in SHEETS.items():
        sheet = book.create_sheet(name.format(base=base_year))
        lines = [_title(key, first or first_year, last_year), *preamble, *LEGEND, ""]
        for row, line in enumerate(lines, start=1):
            sheet.cell(row, 1, line.format(base=base_year))
        header = (headers or {}).get(key, leading)
        years = list(range(max(first or first_year, first_year), last_year + 1))
        sheet.append([*header, *years])
        if key != "per_capita":
            sheet.append([])
        _country_rows(sheet, key, countries, figures, years, header, fonts, filler)
    notes = book.create_sheet("Footnotes")
    notes.append(["Footnotes and special notes"])
    notes.append(["†", "Figures for these countries do not include military pensions."])
    for name in omit:
        del book[name]
    book.save(path)
    _set_modified(path, modified)
    return path


def _title(key: str, first: int, last: int) -> str:
    what = {
        "share_gdp": "as percentage of gross domestic product",
        "per_capita": "per capita",
        "share_govt": "as percentage of government spending",
        "constant": "in constant ({base}) US$ m.",
        "current": "in millions of US$ at current prices and exchange rates",
    }.get(key, "in local currency")
    return f"Military expenditure by country, {what}, {first}–{last}   © SIPRI 2026"


def _totals(sheet, figures: Figures, fonts: dict, last_year: int, base: int) -> None:
    lines = [
        "Military expenditure by region in constant US dollars   © SIPRI 2026",
        f"Figures are in US$ b., at constant {base} prices and exchange rates, except for the "
        f"last figure which is in US$ b. at {last_year} prices and exchange rates.",
        "Figures do not always add up to totals because of the conventions of rounding.",
        "Figures in red indicate that more than 10% of the total figure consists of estimates.",
        'The symbol "..." indicates that data is unavailable.',
        "",
        "Notes regarding estimates and regional coverage",
        "1) A meaningful world total is not possible before 1988 due to the lack of data.",
        "",
    ]
    for row, line in enumerate(lines, start=1):
        sheet.cell(row, 1, line)
    years = list(range(1988, last_year + 1))
    sheet.append(["Region", *years, f"{last_year} (current prices)", None, "Omitted countries"])
    for region in REGIONS:
        row = sheet.max_row + 1
        sheet.cell(row, 1, region)
        for col, year in enumerate(years, start=2):
            _put(sheet, row, col, figures.get(("totals", region, year), "…"), fonts)
        current = figures.get(("totals current", region, last_year), "…")
        _put(sheet, row, len(years) + 2, current, fonts)


def _country_rows(
    sheet,
    key: str,
    countries: list[Country],
    figures: Figures,
    years: list[int],
    header: list[str | None],
    fonts: dict,
    filler: str,
) -> None:
    lead = len(header)
    heading = (None, None)
    for country in countries:
        if country.region != heading[0]:
            sheet.append([country.region])
        if (country.region, country.subregion) != heading and country.subregion != country.region:
            # SIPRI leaves the headings' cells empty, except East Asia's ("...")
            dots = ["..."] * len(years) if country.subregion == "East Asia" else []
            sheet.append([country.subregion, *([None] * (lead - 1)), *dots])
        heading = (country.region, country.subregion)
        words = {"Currency": country.currency, "Notes": country.notes}
        sheet.append([country.name, *(words.get(word or "") for word in header[1:])])
        row = sheet.max_row
        for col, year in enumerate(years, start=lead + 1):
            value = figures.get((key, country.name, year), filler)
            _put(sheet, row, col, value, fonts, "0.0%" if key in SHARES else None)


def _put(sheet, row: int, col: int, value: object, fonts: dict, fmt: str | None = None) -> None:
    colour = None
    if isinstance(value, tuple):
        value, colour = value
    cell = sheet.cell(row, col, value)
    if colour:
        cell.font = fonts[colour]
    if fmt and isinstance(value, float):
        cell.number_format = fmt


def _set_modified(path: Path, stamp: str | None) -> None:
    """openpyxl stamps the time of saving: write SIPRI's (or none) into docProps/core.xml."""
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == "docProps/core.xml":
                for tag in ("modified", "created"):
                    pattern = rf"<dcterms:{tag}[^>]*>[^<]*</dcterms:{tag}>"
                    data = re.sub(
                        pattern.encode(),
                        b""
                        if stamp is None
                        else (
                            f'<dcterms:{tag} xsi:type="dcterms:W3CDTF">{stamp}</dcterms:{tag}>'
                        ).encode(),
                        data,
                    )
            archive.writestr(info, data)


def full_size(
    path: Path,
    countries: int = 175,
    first_year: int = 1949,
    last_year: int = 2025,
    seed: int = 2026,
) -> Path:
    """A workbook of SIPRI's size (175 countries x 77 years in each data sheet) with invented
    figures: independence years ("xxx" before), gaps ("..."), zeros in money sheets, about 8%
    blue and 1% red figures. Countries are pycountry names milex resolves and babel knows a
    currency for."""
    rows, figures = invented(countries, first_year, last_year, seed)
    return write(path, rows, figures, first_year=first_year, last_year=last_year)


#: SIPRI's names of the countries of the subset milex ships (src/milex/data/editions.toml).
SHIPPED_NAMES = {
    "AUS": "Australia",
    "BLR": "Belarus",
    "CHN": "China",
    "IND": "India",
    "IRN": "Iran",
    "ISR": "Israel",
    "JPN": "Japan",
    "KOR": "Korea, South",
    "RUS": "Russia",
    "UKR": "Ukraine",
}
#: Where each shipped indicator goes in the workbook: sheet key and the factor from milex's
#: unit to the cell's (fractions for shares, full units for local currency).
SHIPPED_SHEETS = {
    "share_gdp": ("share_gdp", 0.01),
    "spend_usd_const": ("constant", 1.0),
    "spend_usd_current": ("current", 1.0),
    "spend_national_current": ("local", 1e6),
}


def with_shipped(
    path: Path,
    data: Path,
    countries: int = 20,
    seed: int = 2026,
    extra: tuple[list[Country], Figures] = ([], {}),
) -> Path:
    """SIPRI's April 2026 edition as a user would load it: the figures of the subset milex
    ships (``data/observations/sipri_2026-04.csv``, written back into SIPRI's cells: blue where
    milex has them as estimates; the world's totals in US$ billions), ``countries`` more with
    invented figures, and the ``extra`` rows and figures given (published ones in a test; the
    shipped countries among them keep one row), so that the workbook can replace the subset."""
    import pandas as pd

    shipped = pd.read_csv(data / "observations" / "sipri_2026-04.csv")
    names = set(SHIPPED_NAMES.values())
    rows, figures = invented(countries, 1949, 2025, seed, skip=names)
    rows.sort(key=lambda c: REGION_PAIRS.index((c.region, c.subregion)))
    rows += [c for c in extra[0] if c.name not in names]
    rows += [
        Country(name, "Asia & Oceania", "Oceania", currency=c) for c, name in SHIPPED_NAMES.items()
    ]
    for row in shipped.itertuples():
        value = row.value
        if row.iso3 == "WLD":
            key = "totals" if row.indicator == "spend_usd_const" else "totals current"
            figures[(key, "World", row.year)] = value / 1000  # US$ billions
            continue
        sheet, factor = SHIPPED_SHEETS[row.indicator]
        # Belarus 1992: BYN 0.0 million as shipped (rounded); SIPRI's cell holds a few roubles
        cell = value * factor or 1.0
        figures[(sheet, SHIPPED_NAMES[row.iso3], row.year)] = (
            (cell, "blue") if row.status == "estimate" else cell
        )
    return write(path, rows, figures | extra[1])


def invented(
    countries: int,
    first_year: int = 1949,
    last_year: int = 2025,
    seed: int = 2026,
    skip: set[str] = frozenset(),
) -> tuple[list[Country], Figures]:
    """The rows and invented figures of :func:`full_size` (``skip``: country names left out)."""
    import datetime as dt

    import numpy as np
    import pycountry
    from babel.numbers import get_territory_currencies

    rng = np.random.default_rng(seed)
    end = dt.date(last_year, 12, 31)
    named = [
        c
        for c in sorted(pycountry.countries, key=lambda c: c.name)
        if get_territory_currencies(c.alpha_2, end, tender=True) and c.name not in skip
    ][:countries]
    rows = [
        Country(c.name, *REGION_PAIRS[i % len(REGION_PAIRS)], currency=c.alpha_3)
        for i, c in enumerate(named)
    ]
    rows.sort(key=lambda c: REGION_PAIRS.index((c.region, c.subregion)))
    figures: Figures = {}
    years = range(first_year, last_year + 1)
    for country in rows:
        level, rate = 10 ** rng.uniform(1, 5), 10 ** rng.uniform(0, 3)
        independent = int(rng.choice([first_year, 1960, 1975, 1992]))
        for year in years:
            t = year - first_year
            draw = rng.random()
            for key in SHEETS:
                first = SHEETS[key][3] or first_year
                if year < first:
                    continue
                if year < independent:
                    figures[(key, country.name, year)] = "xxx"
                    continue
                value = {
                    "constant": level * 1.02**t,
                    "current": level * 1.05 ** (t - 76),
                    "local": level * 1.05 ** (t - 76) * rate * 1e6,
                    "fy": level * 1.05 ** (t - 76) * rate * 1e6,
                    "share_gdp": 0.005 + 0.05 * draw,
                    "per_capita": 5 + 500 * draw,
                    "share_govt": 0.01 + 0.2 * draw,
                }[key]
                if draw < 0.05:
                    figures[(key, country.name, year)] = "..."
                elif draw < 0.06 and key not in SHARES:
                    figures[(key, country.name, year)] = 0.0
                elif draw < 0.14:
                    figures[(key, country.name, year)] = (value, "blue")
                elif draw < 0.15:
                    figures[(key, country.name, year)] = (value, "red")
                else:
                    figures[(key, country.name, year)] = value
    for year in range(1988, last_year + 1):
        figures[("totals", "World", year)] = 1500.0 + 15 * (year - 1988)
    figures[("totals current", "World", last_year)] = 2886.6
    return rows, figures


#: Regions and sub-regions the countries of :func:`full_size` are spread over.
REGION_PAIRS = [
    ("Africa", "North Africa"),
    ("Africa", "sub-Saharan Africa"),
    ("Americas", "Central America and the Caribbean"),
    ("Americas", "North America"),
    ("Americas", "South America"),
    ("Asia & Oceania", "Oceania"),
    ("Asia & Oceania", "South Asia"),
    ("Asia & Oceania", "East Asia"),
    ("Asia & Oceania", "South East Asia"),
    ("Asia & Oceania", "Central Asia"),
    ("Europe", "Central Europe"),
    ("Europe", "Eastern Europe"),
    ("Europe", "Western Europe"),
    ("Middle East", "Middle East"),
]
