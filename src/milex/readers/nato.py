"""NATO's defence expenditure tables (``def-exp-YYYY-en.xlsx``) as one edition of ``nato``.

Two layouts are known (``../shared/data/nato_defence_expenditure.md``, sections 5 and 7.3):

* ``nato-2024``: sheets ``TABLE1`` .. ``TABLE8b``; one row of years per sheet (row 8, columns
  D..N; Table 7 one column further right), block headings and aggregates in the column left of
  the allies' names (B), notes rows, page numbers (``-9-``) and a stray ``#REF!`` row.
* ``nato-2025`` (the 2025 and 2026 editions): sheets ``Table 1`` .. ``Table 8b``; title in A1,
  unit in A2; each block a subtitle row, a row of years (B..N), the allies and the aggregates,
  all named in column A, then ``Notes:`` rows; ``..`` for a missing figure.

Which block of which table holds which milex indicator, in which unit, is data
(``data/nato_tables.toml``); the currency words after the allies' names in Table 1 ("Albania
(Leks)", "Sweden (Kronor)") are ``data/nato_currencies.csv``. Blocks are found by their
heading text (tolerating the wording of each edition), years by the header row (``2025e`` is an
estimate, every other year actual), allies through :func:`milex.geo.resolve` once the ``*`` of
a national 2 %-law and the currency are taken off the name. Values are written as NATO gives
them: money in million national currency or million US dollars, shares in percent (not
fractions), per capita in US dollars, personnel in thousands.

Edition: NATO publishes each edition between June and August of its last year (the last year
column, the end of the title's span "(2014-2026)"): 2024-06, 2025-08, 2026-07. A workbook last
saved (its document properties) from May to September of that year (:data:`NATO_SAVES`) is
NATO's: the vintage is that month. Any other date is a later save, a user's who opened the
workbook in Excel or openpyxl, and tells no edition: the vintage is None (``milex update`` asks
for ``--vintage``), as for a workbook without a date, and the edition's text says why.
"""

from __future__ import annotations

import re
from calendar import month_name
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from milex.catalog import read_rows, read_toml
from milex.errors import DataFileError, InputError
from milex.geo import resolve
from milex.readers.parsed import COLUMNS, Parsed, Progress
from milex.readers.xlsx import MISSING, Workbook, cell_name, number, text, year_header

SOURCE = "nato"
_CURRENCY = re.compile(r"\(([^()]*)\)\s*\**\s*$")
_SPAN = re.compile(r"\((\d{4})\s*[-–]\s*(\d{4})\)")
_BASE = re.compile(r"\b(\d{4}) prices\b", re.IGNORECASE)
_PAGE = re.compile(r"-\s*\d+\s*-")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TITLE = re.compile(r"^table\s*\w+\s*:\s*", re.IGNORECASE)
#: The months (first, last) of an edition's last year in which a workbook saved is NATO's own
#: (published June to August; the data's cut-off and drafts a month before, corrections after).
NATO_SAVES = (5, 9)


@dataclass(frozen=True)
class Block:
    """One block of a table as ``nato_tables.toml`` describes it."""

    table: str
    heading: re.Pattern[str]
    example: str
    indicator: str
    unit: str


@cache
def _config() -> tuple[dict[str, dict], list[Block], tuple[str, ...]]:
    config = read_toml("nato_tables.toml")
    blocks = [
        Block(b["table"], re.compile(b["heading"]), b["example"], b["indicator"], b["unit"])
        for b in config["blocks"]
    ]
    return config["layouts"], blocks, tuple(config["aggregate_words"])


@cache
def _currencies() -> dict[tuple[str, str], str]:
    """``(word, iso3 or "")`` -> ISO 4217 code, words in lower case."""
    return {
        (r["word"].casefold(), r["iso3"]): r["currency"] for r in read_rows("nato_currencies.csv")
    }


def _is_figure(value: object) -> bool:
    """Whether a cell holds something other than a missing-value code or a page number
    ("-9-"): a figure, or text that should have been one."""
    if type(value) is float:
        return True
    written = text(value)
    return written not in MISSING and not _PAGE.fullmatch(written)


def _heading_key(value: str) -> str:
    return " ".join(value.casefold().split()).rstrip(":").strip()


def _clean_name(label: str) -> str:
    """An ally's name without the asterisk of a 2 %-law nor the currency: "Poland*" ->
    "Poland", "Albania   (Leks)" -> "Albania"."""
    return " ".join(re.sub(r"\([^()]*\)", " ", label).replace("*", " ").split())


@dataclass
class _Geometry:
    """Where a sheet's pieces are from a row of years on: 0-based columns."""

    years: dict[int, tuple[int, bool]]
    name: int
    heading: int


@dataclass
class _Cursor:
    """Where a sheet's reading is: the block (its heading's match) the rows belong to, the last
    text that ended a block, the blocks found and the figures read so far."""

    geometry: _Geometry
    block: Block | None = None
    match: re.Match[str] | None = None
    text: str = ""
    fresh: bool = False  # the last row with text was a block's heading
    found: set[Block] = field(default_factory=set)
    seen: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    figures: list[tuple] = field(default_factory=list)


class _Sheet:
    """Reads one table's sheet into rows of figures."""

    def __init__(self, book: Workbook, sheet: str, table: str, shift: int):
        self.book, self.sheet, self.table, self.shift = book, sheet, table, shift
        self.rows = book.rows(sheet)
        self.blocks = [b for b in _config()[1] if b.table == table]
        self.where = f"{book.path.name}, sheet {sheet!r}"

    def cell(self, row: int, col: int) -> str:
        return f"{self.where}, cell {cell_name(row, col)}"

    def _header(self, index: int) -> _Geometry | None:
        """The years of row ``index`` if it is a header row (its filled cells all years, at least
        three, one after the other), else None."""
        years = {}
        for col, value in enumerate(self.rows[index]):
            if value != "":
                years[col] = year_header(value)
                if years[col] is None:
                    return None
        if len(years) < 3:
            return None
        found = [years[col][0] for col in sorted(years)]
        if found != list(range(found[0], found[0] + len(found))):
            return None
        name = min(years) - 1
        if name < self.shift:
            raise DataFileError(
                f"{self.cell(index, min(years))}: the years leave no column for the names"
            )
        return _Geometry(years, name, name - self.shift)

    def _above_years(self) -> list[str]:
        """The texts above the first row of years (title, unit line), in order."""
        out = []
        for index, row in enumerate(self.rows):
            if self._header(index):
                break
            out += [text(v) for v in row if text(v)]
        return out

    def title(self) -> str:
        """The table's title ("Table 1: Core defence expenditure"), its first text."""
        return next(iter(self._above_years()), "")

    def base_year(self) -> str | None:
        """The price base year written above the first row of years ("Based on 2021 prices")."""
        found = (_BASE.search(words) for words in self._above_years())
        return next((f.group(1) for f in found if f), None)

    def read(self) -> tuple[list[tuple], set[int], set[int]]:
        """The figures ``(iso3, year, indicator, value, unit, status, table)`` of the blocks
        milex reads, the years of the sheet and those marked as estimates."""
        headers = {i: g for i in range(len(self.rows)) if (g := self._header(i))}
        if not headers:
            raise DataFileError(
                f"{self.where}: no row of years (2014, 2015 ... as numbers, or text such as "
                "'2025e'); the table's layout changed"
            )
        cursor = _Cursor(geometry=next(iter(headers.values())))
        for index, row in enumerate(self.rows):
            if index in headers:
                cursor.geometry = headers[index]
                if not cursor.fresh:
                    # the years of the 2025 layout follow right after the block's heading
                    cursor.block = cursor.match = None
                continue
            g = cursor.geometry
            label = text(row[g.name]) if g.name < len(row) else ""
            side = text(row[g.heading]) if g.heading != g.name and g.heading < len(row) else ""
            col, name = (g.heading, side) if side and not label else (g.name, label)
            cells = {c: row[c] if c < len(row) else "" for c in g.years}
            written = [c for c, v in cells.items() if _is_figure(v)]
            if not written:
                # a heading, a notes row, an ally without figures, a page number, #REF!
                if name:
                    self._words(cursor, index, col, name)
            elif not name:
                raise DataFileError(
                    f"{self.cell(index, written[0])}: figures in a row without a name "
                    f"(expected the ally's name in column {cell_name(0, g.name)[:-1]})"
                )
            else:
                cursor.fresh = False
                self._figures(cursor, index, col, name, cells)
        years = {y for g in headers.values() for y, _ in g.years.values()}
        estimates = {y for g in headers.values() for y, e in g.years.values() if e}
        missing = [b.example for b in self.blocks if b not in cursor.found]
        if missing:
            raise DataFileError(
                f"{self.where}: no block headed like {', '.join(repr(m) for m in missing)} "
                "(the table's blocks changed)"
            )
        return cursor.figures, years, estimates

    def _words(self, cursor: _Cursor, index: int, col: int, words: str) -> None:
        """A row of text only. A block's heading starts the block; other text in the headings'
        column (a title, unit line, note of the 2024 layout) ends it; text in the names' column
        (an ally without figures, a note) leaves it, as a new row of years will."""
        block, match = self._heading(words)
        cursor.fresh = block is not None
        if block is not None:
            cursor.block, cursor.match = block, match
            cursor.found.add(block)
            return
        cursor.text = f"{cell_name(index, col)} {words!r}"
        if col != cursor.geometry.name:
            cursor.block = cursor.match = None

    def _figures(
        self, cursor: _Cursor, index: int, col: int, name: str, cells: dict[int, object]
    ) -> None:
        """The figures of an ally's or an aggregate's row into ``cursor.figures``."""
        block = cursor.block
        if block is None:
            raise DataFileError(
                f"{self.cell(index, col)}: figures of {name!r} under no known block heading "
                f"(the text above is {cursor.text or 'none'}); expected one of "
                f"{self._expected()}"
            )
        aggregate = col != cursor.geometry.name
        code = self._code(name, index, col, aggregate=aggregate)
        if code is None or not block.indicator:
            return
        unit = self._unit(block, cursor.match, name, code, self.cell(index, col))
        for c, value in cells.items():
            figure = value if type(value) is float else number(value, self.cell(index, c))
            if figure is None:
                continue
            year, estimate = cursor.geometry.years[c]
            key = (code, year, block.indicator)
            if key in cursor.seen:
                raise DataFileError(
                    f"{self.cell(index, c)}: a second figure for {code} {year} "
                    f"{block.indicator} (the first is at {cell_name(*cursor.seen[key])})"
                )
            cursor.seen[key] = (index, c)
            status = "estimate" if estimate else "actual"
            cursor.figures.append((code, year, block.indicator, figure, unit, status, self.table))

    def _expected(self) -> str:
        return ", ".join(repr(b.example) for b in self.blocks)

    def _heading(self, value: str) -> tuple[Block | None, re.Match[str] | None]:
        key = _heading_key(value)
        for block in self.blocks:
            found = block.heading.fullmatch(key)
            if found:
                return block, found
        return None, None

    def _code(self, name: str, row: int, col: int, *, aggregate: bool) -> str | None:
        """The ISO3 or aggregate code of a row's name; None for an aggregate milex does not
        know (any unknown name in the aggregates' column, or with an aggregate's word)."""
        plain = _clean_name(name)
        try:
            return resolve(plain)
        except InputError:
            words = _config()[2]
            if aggregate or any(w in plain.casefold().split() for w in words):
                return None
            raise DataFileError(
                f"{self.cell(row, col)}: unknown ally {name!r} (read as {plain!r}); expected an "
                "ally's name as NATO writes it (e.g. 'Slovak Republic', 'Türkiye'), an '*' or a "
                "currency in brackets after it; add a new spelling to data/aliases.csv"
            ) from None

    def _unit(self, block: Block, match: re.Match[str], name: str, code: str, where: str) -> str:
        fields: dict[str, str] = {}
        if "{base}" in block.unit:
            base = match.groupdict().get("base") or self.base_year()
            if base is None:
                raise DataFileError(
                    f"{self.where}: the price base year of the block {block.example!r} "
                    "is neither in its heading nor above the years (e.g. 'Based on 2021 prices')"
                )
            fields["base"] = base
        if "{currency}" in block.unit:
            fields["currency"] = _currency(name, code, where)
        return block.unit.format(**fields)


def _currency(label: str, code: str, where: str) -> str:
    """The ISO 4217 code of the currency written after an ally's name ("Sweden (Kronor)")."""
    found = _CURRENCY.search(label)
    if found is None:
        raise DataFileError(
            f"{where}: {label!r} names no currency; Table 1 writes it in brackets after the "
            "ally's name, e.g. 'Sweden (Kronor)'"
        )
    word = " ".join(found.group(1).casefold().split())
    table = _currencies()
    currency = table.get((word, code)) or table.get((word, ""))
    if currency is None:
        known = {}
        for row in read_rows("nato_currencies.csv"):
            known.setdefault(row["currency"], row["word"])
        raise DataFileError(
            f"{where}: unknown currency {found.group(1)!r} for {code}; known: "
            f"{', '.join(f'{w} ({c})' for c, w in sorted(known.items()))} "
            "(more words in data/nato_currencies.csv)"
        )
    return currency


def _sheet_key(name: str) -> str:
    """A sheet's name compared without case nor surrounding spaces ("Table 8A " = "Table 8a")."""
    return name.strip().casefold()


def _layout(book: Workbook) -> tuple[str, dict]:
    layouts = _config()[0]
    present = {_sheet_key(name) for name in book.sheet_names}
    for name, layout in layouts.items():
        if _sheet_key(layout["sheet"].format(table="1")) in present:
            return name, layout
    expected = " or ".join(repr(layout["sheet"].format(table="1")) for layout in layouts.values())
    raise DataFileError(
        f"{book.path.name}: no sheet {expected}; this is not one of NATO's defence expenditure "
        f"workbooks as milex knows them (sheets: {', '.join(book.sheet_names)})"
    )


def _edition_title(book: Workbook, table_one: str, first: int, last: int) -> str:
    """The edition's title: the workbook's own title when it spans years
    ("Defence Expenditure of NATO Countries (2014-2026)"), else Table 1's subject with the
    span of its years ("Core defence expenditure of NATO Countries (2014-2026)")."""
    title = book.properties().get("title", "")
    if _SPAN.search(title):
        return title
    subject = _TITLE.sub("", table_one) or "Defence expenditure"
    return f"{subject} of NATO Countries ({first}-{last})"


def read(paths: list[Path], progress: Progress | None = None) -> Parsed:
    """Read one NATO defence expenditure workbook (2024 or 2025/2026 layout) into a
    :class:`Parsed` edition of ``nato``; ``vintage`` is the year and month the workbook was
    saved (its document properties) when NATO saved it, else None (see the module's
    docstring)."""
    if len(paths) != 1:
        raise DataFileError(
            f"NATO's tables come in one workbook (def-exp-YYYY-en.xlsx); got {len(paths)} files"
        )
    book = Workbook(paths[0])
    layout_name, layout = _layout(book)
    tables = sorted({b.table for b in _config()[1]}, key=lambda t: (len(t), t))
    present = {_sheet_key(name): name for name in book.sheet_names}
    wanted = {t: layout["sheet"].format(table=t) for t in tables}
    sheets = {t: present.get(_sheet_key(name), name) for t, name in wanted.items()}
    absent = [s for s in sheets.values() if s not in book.sheet_names]
    if absent:
        raise DataFileError(
            f"{book.path.name}: no sheet {', '.join(repr(s) for s in absent)} (the {layout_name} "
            f"layout has {', '.join(wanted.values())}; sheets: {', '.join(book.sheet_names)})"
        )
    readers = {t: _Sheet(book, s, t, layout["heading_shift"]) for t, s in sheets.items()}
    figures: list[tuple] = []
    years: set[int] = set()
    estimates: set[int] = set()
    for done, sheet in enumerate(readers.values(), start=1):
        rows, seen, estimated = sheet.read()
        figures += rows
        years |= seen
        estimates |= estimated
        if progress:
            progress(done, len(readers), sheet.sheet)
    title = _edition_title(book, readers[tables[0]].title(), min(years), max(years))
    frame = pd.DataFrame(figures, columns=COLUMNS)
    frame["citation"] = "NATO, " + title + ", " + book.path.name + ", Table " + frame["citation"]
    saved, why = _saved(book, max(years))
    return Parsed(
        source=SOURCE,
        vintage=saved[:7] or None,
        layout=layout_name,
        observations=frame,
        edition=_edition(title, saved, why, estimates, frame),
    )


def _saved(book: Workbook, last: int) -> tuple[str, str]:
    """The day (YYYY-MM-DD) NATO saved the workbook whose last year column is ``last``, and
    "", or "" and why the workbook's date (its document properties) is not NATO's."""
    modified = book.properties().get("modified", "")
    if not _DATE.match(modified):
        return "", "workbook without a date: no edition taken from it, give --vintage"
    saved = modified[:10]
    year, month = int(saved[:4]), int(saved[5:7])
    start, end = NATO_SAVES
    if year == last and start <= month <= end:
        return saved, ""
    when = "after" if (year, month) > (last, end) else "before"
    return "", (
        f"workbook saved {saved}, {when} NATO's publication of data to {last} (its own saves: "
        f"{month_name[start]} to {month_name[end]} {last}): no edition taken from it, "
        "give --vintage"
    )


def _edition(title: str, saved: str, why: str, estimates: set[int], frame: pd.DataFrame) -> dict:
    """What the workbook says of its edition: title, the day NATO saved it (``published``), a
    line on its date, estimates and prices ("workbook saved 2026-07-09; estimates for 2025 and
    2026; 2021 prices"); ``saved`` is that day, or "" and ``why`` its date is not NATO's."""
    edition: dict[str, object] = {"title": title, "complete": True}
    if saved:
        edition["published"] = saved
    described = [f"workbook saved {saved}" if saved else why]
    if estimates:
        described.append("estimates for " + " and ".join(str(y) for y in sorted(estimates)))
    bases = sorted({u.rsplit(" ", 1)[1] for u in frame["unit"] if " constant " in u})
    if bases:
        described.append(f"{' and '.join(bases)} prices")
    edition["edition"] = "; ".join(described)
    return edition
