"""SIPRI's Military Expenditure Database workbook (``SIPRI-Milex-data-1949-2025_v1.2.xlsx``).

Which sheet holds which indicator is data (``data/sipri.toml``):

* ``Constant (2024) US$`` -> ``spend_usd_const``, US$ million at constant prices of the year in
  the sheet's name (``USD million constant 2024``);
* ``Current US$`` -> ``spend_usd_current``, US$ million at current prices and exchange rates;
* ``Share of GDP`` -> ``share_gdp``: the cells hold fractions (0.0705, shown as 7.05%),
  multiplied by 100 to milex's percent of GDP;
* ``Local currency calendar years`` -> ``spend_national_current``: the cells hold full currency
  units, divided by 1e6 to million (``PLN million current``). SIPRI writes every year in the
  country's present currency (euro countries in euro for all years); the ISO 4217 code is the
  currency babel (CLDR) lists for the country at the end of the last year, or the one in
  ``data/sipri_currencies.csv`` (former states, the EU, Kosovo, rand areas, Somalia's dollars).
  Where a row mixes currencies or the workbook does not say which one (Cuba, Venezuela,
  Yugoslavia, North Yemen, Zimbabwe) the unit is ``LCU million current``: local currency units,
  no ISO code claimed (the reference extract writes "local currency" for the same five);
* ``Per capita`` -> ``per_capita_usd_current``, US dollars (not million) per head, current;
* ``Share of Govt. spending`` -> ``share_govt_spending``: fractions, multiplied by 100;
* ``Regional totals``: the world (``WLD``), in US$ **billions** (multiplied by 1000): the
  constant-price series (base year from the sheet's preamble, checked against the constant
  sheet's name) and the one current-price column of the latest year.

Not read: ``Local currency financial years`` (the same spending over national fiscal years,
whose span is free text such as "It's complicated (see footnote)": milex's indicators are per
calendar year, and the calendar-year sheet holds SIPRI's conversion of the same figures),
``Front page`` and ``Footnotes``.

Each data sheet has a preamble of varying length, then a header row whose first cell is
``Country`` (searched for), then region headings and a row per country. Passed over: a row named
as a row of the regional totals (the world, regions, ``East Asia`` that carries "..." in its
cells) and a row without any cell in the year columns (a heading such as ``Western Europe``); any
other name must resolve through :func:`milex.geo.resolve`, else the workbook is refused naming
the cell (add the name to ``aliases.csv``). "...", ". .", "…" and "xxx" (not independent) are
missing.

Zeros: SIPRI's money sheets (US$, local currency, per capita) hold 0 where a figure is missing
(its formulas: Yugoslavia's current US$ 1958-1990), so a 0 there is dropped, except where the
share of GDP of the same country and year is 0 as well: that is how the workbook shows a country
without armed forces (Costa Rica, Iceland, Panama from 2000), and those zeros are kept as
published, their citation saying so. Zeros in the share sheets are kept as published.

Status: a figure in blue is a SIPRI estimate (``estimate``); one in red is, in SIPRI's words,
"highly uncertain data": read as an ``estimate`` too (the stronger doubt), its citation saying
"highly uncertain"; a year headed ``2025e`` makes its column estimates; every other figure is
``actual``.

Edition: SIPRI publishes each release in late April of the year after its last data year (the
April 2026 release, data to 2025, saved 27 April 2026) and re-issues it within weeks (``v1.1``,
``v1.2``). A workbook last saved (its document properties) from March to June of that year
(:data:`SIPRI_SAVES`) is SIPRI's: the vintage is that month (``2026-04``). Any other date is a
later save, a user's who opened the workbook in Excel or openpyxl (or an earlier draft), and a
workbook without a date says nothing: the vintage is then April of the year after the data's
last year, and the edition's text says why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from milex import geo, vocab
from milex.catalog import read_rows, read_toml
from milex.errors import DataFileError, InputError
from milex.readers.parsed import COLUMNS, Parsed, Progress
from milex.readers.xlsx import MISSING, Workbook, cell_name, number, text, year_header

SOURCE = "sipri"
LAYOUT = "sipri-milex"
TITLE = "SIPRI Military Expenditure Database"
#: The first cell of a data sheet's header row.
HEADER = "Country"
#: What a citation adds to a coloured figure, and the status it gives.
MARKS = {
    "blue": ("estimate", "SIPRI estimate (blue figure)"),
    "red": ("estimate", "SIPRI estimate, highly uncertain (red figure)"),
    "year": ("estimate", "estimate (its year is headed 'e')"),
}
KEPT_ZERO = "0 as published: no military expenditure (share of GDP 0)"
#: The month SIPRI publishes a release, in the year after the release's last data year.
RELEASE_MONTH = 4
#: The months (first, last) of that year in which a workbook saved is SIPRI's own: drafts
#: finished in March, the April release, re-issues (v1.1, v1.2) in May and June.
SIPRI_SAVES = (3, 6)


@dataclass
class _Sheet:
    """The figures read from one sheet: parallel arrays, one entry per figure."""

    codes: np.ndarray
    years: np.ndarray
    values: np.ndarray
    marks: np.ndarray  # "blue", "red", "year" (headed 'YYYYe') or ""
    rows: np.ndarray  # 0-based row and column of each figure's cell
    cols: np.ndarray
    span: tuple[int, int]  # the first and last year of the sheet's header


@dataclass(frozen=True)
class _Release:
    """The release a workbook is: its month (the first day of it), the day SIPRI saved the
    workbook when its date is SIPRI's, else why the month comes from the data."""

    month: dt.date
    saved: dt.date | None
    note: str


def read(paths: list[Path], progress: Progress | None = None) -> Parsed:
    """Every figure of one SIPRI workbook (see the module's docstring), or
    :class:`DataFileError` naming the file, sheet and cell where the layout differs."""
    if len(paths) != 1:
        raise DataFileError(f"the SIPRI reader reads one workbook (.xlsx), got {len(paths)} files")
    book = Workbook(paths[0])
    layout = read_toml("sipri.toml")
    sheets = [(spec, _sheet_named(book, spec["sheet"])) for spec in layout["sheets"]]
    steps = len(sheets) + 1
    bases = [_named(spec["sheet"], name).groupdict().get("base") for spec, name in sheets]
    base = int(next(b for b in bases if b))  # the constant US$ sheet's price year
    totals, regions = _totals(book, layout["totals"], base)
    if progress:
        progress(1, steps, layout["totals"]["sheet"])
    read_sheets = {}
    for done, (spec, name) in enumerate(sheets, start=2):
        read_sheets[spec["indicator"]] = (spec, name, _figures(book, name, spec, regions))
        if progress:
            progress(done, steps, name)
    share = read_sheets["share_gdp"][2]
    zero = share.values == 0
    no_forces = set(zip(share.codes[zero], share.years[zero].tolist(), strict=True))
    first = min(sheet.span[0] for _, _, sheet in read_sheets.values())
    last = max(sheet.span[1] for _, _, sheet in read_sheets.values())
    release = _release(book, last)
    cited = f"{TITLE}, {_month(release.month)} release, {book.path.name}"
    frames = [totals.assign(citation=f"{cited}, " + totals["citation"])]
    for spec, name, sheet in read_sheets.values():
        frames.append(_frame(spec, name, sheet, base, last, no_forces, prefix=cited))
    observations = pd.concat(frames, ignore_index=True)
    _refuse_duplicates(book, observations)
    return Parsed(
        source=SOURCE,
        vintage=f"{release.month:%Y-%m}",
        layout=LAYOUT,
        observations=observations[COLUMNS],
        edition=_edition(book, observations, base, (first, last), release),
    )


def _named(pattern: str, name: str) -> re.Match | None:
    """``name`` matched in full by ``pattern``, without case nor surrounding spaces."""
    return re.fullmatch(pattern, name.strip(), flags=re.IGNORECASE)


def _sheet_named(book: Workbook, pattern: str) -> str:
    """The workbook's sheet whose name matches ``pattern`` in full."""
    for name in book.sheet_names:
        if _named(pattern, name):
            return name
    shown_as = pattern.replace("\\", "").replace("(?P<base>d{4})", "YYYY")
    raise DataFileError(
        f"{book.path.name}: no sheet {shown_as!r} (sheets: {', '.join(book.sheet_names)}); "
        "SIPRI's Military Expenditure Database workbook has it: is this that workbook?"
    )


def _header_row(book: Workbook, sheet: str, rows: list[list[object]], first: str) -> int:
    """The index of the row whose first cell is ``first`` (after a preamble of any length)."""
    for index, row in enumerate(rows):
        if row and text(row[0]).casefold() == first.casefold():
            return index
    raise DataFileError(
        f"{book.path.name}, sheet {sheet!r}: no header row starting with {first!r} in column A "
        "(SIPRI's layout has one below the sheet's notes)"
    )


def _year_columns(
    book: Workbook, sheet: str, header: list[object], row: int, start: int
) -> dict[int, tuple[int, bool]]:
    """Column -> (year, estimate) of the year columns from ``start`` to the last filled cell."""
    columns: dict[int, tuple[int, bool]] = {}
    seen: set[int] = set()
    for col in range(start, len(header)):
        if header[col] == "":
            continue
        found = year_header(header[col])
        if found is None or found[0] in seen:
            what = "a year repeated" if found else "not a year"
            raise DataFileError(
                f"{book.path.name}, sheet {sheet!r}, cell {cell_name(row, col)}: "
                f"header {text(header[col])!r} is {what}; SIPRI's layout has one column per "
                "year after the country's name and notes"
            )
        columns[col] = found
        seen.add(found[0])
    if not columns:
        raise DataFileError(
            f"{book.path.name}, sheet {sheet!r}, row {row + 1}: no year columns in the header"
        )
    return columns


def _figures(book: Workbook, sheet: str, spec: dict, regions: set[str]) -> _Sheet:
    """The country figures of one data sheet, as written (before any change of scale)."""
    rows = book.rows(sheet)
    head = _header_row(book, sheet, rows, HEADER)
    header = rows[head]
    for col, want in enumerate(spec["columns"]):
        got = text(header[col]) if col < len(header) else ""
        if got.casefold() != want.casefold():
            raise DataFileError(
                f"{book.path.name}, sheet {sheet!r}, cell {cell_name(head, col)}: header "
                f"{got!r} where SIPRI's layout has {want!r} "
                f"(expected headers: {', '.join(repr(w) for w in spec['columns'])}, then years)"
            )
    years = _year_columns(book, sheet, header, head, len(spec["columns"]))
    cols = list(years)
    codes, at, block = [], [], []
    for index in range(head + 1, len(rows)):
        row = rows[index]
        name = text(row[0])
        cells = [row[col] if col < len(row) else "" for col in cols]
        if not name or name in regions or all(cell == "" for cell in cells):
            continue  # a blank row, a heading or an aggregate
        codes.append(_code(book, sheet, index, name))
        at.append(index)
        block.append(cells)
    flat = np.array(block, dtype=object).reshape(-1)
    values = np.full(flat.size, np.nan)
    floats = np.fromiter((cell.__class__ is float for cell in flat), dtype=bool, count=flat.size)
    values[floats] = flat[floats].astype(float)
    for k in np.flatnonzero(~floats):
        if flat[k] not in MISSING:  # text other than the usual codes: a number or an error
            row, col = at[k // len(cols)], cols[k % len(cols)]
            value = number(
                flat[k], f"{book.path.name}, sheet {sheet!r}, cell {cell_name(row, col)}"
            )
            values[k] = np.nan if value is None else value
    marks = np.full(flat.size, "", dtype=object)
    for col, (_, estimate) in years.items():
        if estimate:
            marks[cols.index(col) :: len(cols)] = "year"
    position = {row: i * len(cols) for i, row in enumerate(at)}
    offset = {col: j for j, col in enumerate(cols)}
    for (row, col), colour in book.marks(sheet).items():
        if row in position and col in offset:
            marks[position[row] + offset[col]] = colour
    keep = np.flatnonzero(~np.isnan(values))
    line, column = np.divmod(keep, len(cols))
    return _Sheet(
        codes=np.array(codes, dtype=object)[line] if codes else np.empty(0, dtype=object),
        years=np.array([years[c][0] for c in cols], dtype=int)[column],
        values=values[keep],
        marks=marks[keep],
        rows=np.array(at, dtype=int)[line] if at else np.empty(0, dtype=int),
        cols=np.array(cols, dtype=int)[column],
        span=(min(y for y, _ in years.values()), max(y for y, _ in years.values())),
    )


def _code(book: Workbook, sheet: str, row: int, name: str) -> str:
    """The code of a country row's name."""
    try:
        return geo.resolve(name)
    except InputError:
        raise DataFileError(
            f"{book.path.name}, sheet {sheet!r}, cell A{row + 1}: unknown country {name!r}; "
            "add the name to milex/data/aliases.csv (alias,iso3,language) with its ISO 3166 "
            "code, or to entities.csv if it has none"
        ) from None


def _frame(
    spec: dict,
    sheet: str,
    figures: _Sheet,
    base: int,
    last: int,
    no_forces: set[tuple[str, int]],
    prefix: str,
) -> pd.DataFrame:
    """One sheet's figures in milex's indicator, unit and scale; zeros dropped or kept (see
    the module's docstring); ``prefix`` of the citations names the release and the file."""
    values = figures.values
    if spec.get("percent"):
        values = values * 100
    if spec.get("scale"):
        values = vocab.rescale(values, *spec["scale"])
    zero = values == 0
    kept = zero.copy()
    kept[zero] = [
        (code, year) in no_forces
        for code, year in zip(figures.codes[zero], figures.years[zero].tolist(), strict=True)
    ]
    keys = pd.Series(figures.marks, dtype=object).where(~kept, figures.marks + " 0")
    citation = f"{prefix}, sheet '{sheet}'"

    def cited(key: str) -> str:
        mark, _, zeroed = key.partition(" ")
        notes = (citation, MARKS[mark][1] if mark else "", KEPT_ZERO if zeroed else "")
        return "; ".join(note for note in notes if note)

    unit = spec["unit"]
    codes = pd.Series(figures.codes, dtype=object)
    units = {
        code: unit.format(base=base, currency=currency(code, last) if "{currency}" in unit else "")
        for code in codes.unique()
    }
    frame = pd.DataFrame(
        {
            "iso3": codes,
            "year": figures.years,
            "indicator": spec["indicator"],
            "value": values,
            "unit": codes.map(units),
            "status": pd.Series(figures.marks).map(
                {"": "actual"} | {mark: status for mark, (status, _) in MARKS.items()}
            ),
            "citation": keys.map({key: cited(key) for key in keys.unique()}),
            "sheet": sheet,
            "row": figures.rows,
            "col": figures.cols,
        }
    )
    return frame[~zero | kept] if spec.get("money") else frame


def _totals(book: Workbook, spec: dict, base: int) -> tuple[pd.DataFrame, set[str]]:
    """The world's row of the regional totals (in million, from billions), its citations
    naming the sheet (the release and file to be put before them), and the names of the
    sheet's rows: region headings where the data sheets have them, and aggregates (the world,
    a region) where a data sheet had a row of figures for one: not countries."""
    sheet = _sheet_named(book, spec["sheet"])
    rows = book.rows(sheet)
    head = _header_row(book, sheet, rows, spec["header"])
    preamble = " ".join(text(row[0]) for row in rows[:head])
    stated = re.search(spec["base"], preamble, flags=re.IGNORECASE)
    if stated is None or int(stated["base"]) != base:
        said = f"constant {stated['base']} prices" if stated else "no price base year"
        raise DataFileError(
            f"{book.path.name}, sheet {sheet!r}: the notes above row {head + 1} say {said}, "
            f"where the constant US$ sheet is at {base} prices"
        )
    header = rows[head]
    current = {
        col: int(found["year"])
        for col in range(1, len(header))
        if (found := re.fullmatch(spec["current"], text(header[col]), flags=re.IGNORECASE))
    }
    if len(current) != 1:
        raise DataFileError(
            f"{book.path.name}, sheet {sheet!r}, row {head + 1}: {len(current)} columns "
            "'YYYY (current prices)' where SIPRI's layout has one, after the years"
        )
    years = {col: found[0] for col in range(1, min(current)) if (found := year_header(header[col]))}
    regions = {text(row[0]) for row in rows[head + 1 :] if text(row[0])}
    world = [i for i in range(head + 1, len(rows)) if text(rows[i][0]) == spec["row"]]
    if not world:
        raise DataFileError(
            f"{book.path.name}, sheet {sheet!r}: no row {spec['row']!r} in column A below the "
            f"header (row {head + 1})"
        )
    index = world[0]
    marks = book.marks(sheet)
    citation = f"sheet '{sheet}' (US$ billions, x 1000)"
    records = []
    for col, (year, indicator, unit) in [
        *((c, (y, spec["constant_indicator"], spec["constant_unit"])) for c, y in years.items()),
        *((c, (y, spec["current_indicator"], spec["current_unit"])) for c, y in current.items()),
    ]:
        where = f"{book.path.name}, sheet {sheet!r}, cell {cell_name(index, col)}"
        value = number(rows[index][col], where)
        if value is None:
            continue
        mark = marks.get((index, col), "")
        records.append(
            {
                "iso3": spec["code"],
                "year": year,
                "indicator": indicator,
                "value": vocab.rescale(value, *spec["scale"]),
                "unit": unit.format(base=base),
                "status": MARKS[mark][0] if mark else "actual",
                "citation": f"{citation}; {spec['marks'].get(mark, MARKS[mark][1])}"
                if mark
                else citation,
                "sheet": sheet,
                "row": index,
                "col": col,
            }
        )
    return pd.DataFrame(records, columns=[*COLUMNS, "sheet", "row", "col"]), regions


@cache
def _exceptions() -> dict[str, str]:
    return {row["iso3"]: row["currency"] for row in read_rows("sipri_currencies.csv")}


def currency(code: str, year: int) -> str:
    """The ISO 4217 code of ``code``'s local-currency figures in a workbook whose last year is
    ``year``: SIPRI converts every year to the country's present currency, so the currency in
    use at the end of ``year`` (babel's CLDR data), unless ``sipri_currencies.csv`` says
    otherwise (``LCU`` where the figures mix currencies)."""
    if code in _exceptions():
        return _exceptions()[code]
    import pycountry
    from babel.numbers import get_territory_currencies

    country = pycountry.countries.get(alpha_3=code)
    found = (
        get_territory_currencies(country.alpha_2, dt.date(year, 12, 31), tender=True)
        if country
        else []
    )
    if not found:
        raise DataFileError(
            f"no currency known for {geo.name(code)} ({code}) at the end of {year}: add a row "
            "to milex/data/sipri_currencies.csv (iso3,currency,note)"
        )
    return found[0]


def _refuse_duplicates(book: Workbook, observations: pd.DataFrame) -> None:
    """Two rows naming the same country (an alias and a name) would give a figure twice."""
    keys = ["iso3", "year", "indicator"]
    twice = observations[observations.duplicated(keys, keep=False)]
    if not twice.empty:
        first = twice.iloc[0]
        same = twice[(twice[keys] == first[keys]).all(axis=1)]
        cells = [
            f"sheet {name!r}, cell {cell_name(row, col)}"
            for name, row, col in zip(same["sheet"], same["row"], same["col"], strict=True)
        ]
        raise DataFileError(
            f"{book.path.name}: {first['iso3']} {first['year']} {first['indicator']} is given "
            f"twice ({' and '.join(cells)}): two rows name the same country"
        )


def _modified(book: Workbook) -> dt.date | None:
    """The day the workbook was last saved (its document properties), if it says."""
    stamp = book.properties().get("modified") or book.properties().get("created") or ""
    try:
        return dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def _release(book: Workbook, last: int) -> _Release:
    """The release of a workbook whose data end in ``last``: the month SIPRI saved it when its
    date lies in :data:`SIPRI_SAVES` of the year after ``last``, else April of that year (see
    the module's docstring)."""
    day = _modified(book)
    year = last + 1
    start, end = SIPRI_SAVES
    if day and day.year == year and start <= day.month <= end:
        return _Release(day.replace(day=1), day, "")
    taken = "edition taken from the data's last year"
    if day is None:
        note = f"no date in the workbook: {taken}"
    else:
        when = "after" if (day.year, day.month) > (year, end) else "before"
        window = f"{_month(dt.date(year, start, 1), 'MMMM')} to {_month(dt.date(year, end, 1))}"
        note = f"saved {day}, {when} the release (SIPRI's own saves: {window}): {taken}"
    return _Release(dt.date(year, RELEASE_MONTH, 1), None, note)


def _month(day: dt.date, pattern: str = "MMMM yyyy") -> str:
    """``day``'s month in English words ("April 2026"; "April" with ``pattern`` "MMMM")."""
    from babel.dates import format_date

    return format_date(day, pattern, locale="en")


def _edition(
    book: Workbook,
    observations: pd.DataFrame,
    base: int,
    years: tuple[int, int],
    release: _Release,
) -> dict[str, object]:
    """What the workbook says of itself: its release (and why, when not the month it was
    saved), the years of its columns, the price base year, the file's name; how many countries
    it holds; the day SIPRI saved it (``published``) when its date is SIPRI's."""
    first, last = years
    countries = observations.loc[observations["iso3"] != "WLD", "iso3"].nunique()
    note = f"; {release.note}" if release.note else ""
    edition: dict[str, object] = {
        "title": TITLE,
        "edition": (
            f"{_month(release.month)} release (data {first}-{last}, constant {base} US$; "
            f"workbook {book.path.name}){note}"
        ),
        "complete": True,
        "coverage_note": (
            f"{countries} countries and entities (former states and the European Union among "
            f"them) and the world, {first}-{last}"
        ),
    }
    if release.saved:
        edition["published"] = release.saved.isoformat()
    return edition
