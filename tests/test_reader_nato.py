"""The reader of NATO's defence expenditure workbooks (milex.readers.nato).

Fixture workbooks are written by tests/nato_workbook.py in NATO's 2024 and 2026 layouts from the
embedded editions' published figures (data/observations/nato_2024-06.csv, nato_2026-07.csv),
then read back: every figure, status and unit must come back, and a changed layout must be
refused naming the file, sheet and cell.
"""

from __future__ import annotations

import re
from pathlib import Path
from zipfile import ZipFile

import openpyxl
import pandas as pd
import pytest

from milex.catalog import data_dir, read_rows
from milex.errors import DataFileError
from milex.readers import nato
from milex.readers.xlsx import year_header
from tests.nato_workbook import save, write_nato_2024, write_nato_2025, write_nato_2026

KEY = ["iso3", "year", "indicator"]


def published(edition: str) -> pd.DataFrame:
    """An embedded edition's figures (tidy rows) as published."""
    frame = pd.read_csv(data_dir() / "observations" / f"nato_{edition}.csv")
    return frame.drop(columns="source_id")


@pytest.fixture(scope="module")
def figures_2026() -> pd.DataFrame:
    return published("2026-07")


@pytest.fixture(scope="module")
def figures_2024() -> pd.DataFrame:
    return published("2024-06")


@pytest.fixture(scope="module")
def book_2026(tmp_path_factory, figures_2026) -> Path:
    return write_nato_2026(tmp_path_factory.mktemp("nato") / "def-exp-2026-en.xlsx", figures_2026)


@pytest.fixture(scope="module")
def book_2024(tmp_path_factory, figures_2024) -> Path:
    folder = tmp_path_factory.mktemp("nato")
    return write_nato_2024(folder / "240617-def-exp-2024-TABLES-en.xlsx", figures_2024)


@pytest.fixture(scope="module")
def parsed_2026(book_2026) -> nato.Parsed:
    return nato.read([book_2026])


@pytest.fixture(scope="module")
def parsed_2024(book_2024) -> nato.Parsed:
    return nato.read([book_2024])


def differences(parsed: pd.DataFrame, expected: pd.DataFrame) -> list[str]:
    """Every figure, unit or status that differs between what was read and what was published,
    and every figure missing on either side."""
    both = expected.merge(parsed, on=KEY, how="outer", suffixes=("_published", "_read"))
    out = []
    for row in both.itertuples():
        where = f"{row.iso3} {row.year} {row.indicator}"
        if pd.isna(row.value_published) or pd.isna(row.value_read):
            out.append(f"{where}: published {row.value_published}, read {row.value_read}")
            continue
        for field in ("value", "unit", "status"):
            mine, theirs = getattr(row, f"{field}_read"), getattr(row, f"{field}_published")
            if mine != theirs:
                out.append(f"{where}: {field} read {mine!r}, published {theirs!r}")
    return out


def edit(path: Path, sheet: str, change) -> Path:
    """Apply ``change(worksheet)`` to one sheet of a written workbook and save it (keeping its
    date)."""
    book = openpyxl.load_workbook(path)
    change(book[sheet])
    return save(book, path)


def find(sheet, value: str) -> openpyxl.cell.Cell:
    """The first cell of ``sheet`` holding ``value``."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in {sheet.title}")


def replace(path: Path, sheet: str, old: str, new: object, column: int | None = None) -> str:
    """Write ``new`` over the cell holding ``old`` (or over the cell of ``column`` in its row)
    in a written workbook; the cell's name ("C27")."""
    book = openpyxl.load_workbook(path)
    cell = find(book[sheet], old)
    if column is not None:
        cell = book[sheet].cell(cell.row, column)
    cell.value = new
    save(book, path)
    return cell.coordinate


def copy_of(path: Path, tmp_path: Path) -> Path:
    target = tmp_path / path.name
    target.write_bytes(path.read_bytes())
    return target


def refused(path: Path, *patterns: str) -> str:
    """The message of the DataFileError raised reading ``path``, which must hold ``patterns``."""
    with pytest.raises(DataFileError) as caught:
        nato.read([path])
    message = str(caught.value)
    for pattern in patterns:
        assert pattern in message, f"{pattern!r} not in {message!r}"
    return message


# --- the published editions read back whole ------------------------------------------------


def test_2026_edition_reads_back_every_published_figure(parsed_2026, figures_2026):
    assert differences(parsed_2026.observations, figures_2026) == []
    assert len(parsed_2026.observations) == len(figures_2026) == 4613
    assert list(parsed_2026.observations.columns) == nato.COLUMNS


def test_2024_edition_reads_back_every_published_figure(parsed_2024, figures_2024):
    assert differences(parsed_2024.observations, figures_2024) == []
    assert len(parsed_2024.observations) == len(figures_2024) == 2112


def test_2026_edition_itself(parsed_2026):
    assert parsed_2026.source == "nato"
    assert parsed_2026.layout == "nato-2025"
    assert parsed_2026.vintage == "2026-07"  # the workbook was saved on 9 July 2026
    assert parsed_2026.edition["title"] == "Defence Investment of NATO Countries (2014-2026)"
    assert parsed_2026.edition["published"] == "2026-07-09"
    assert parsed_2026.edition["edition"] == (
        "workbook saved 2026-07-09; estimates for 2025 and 2026; 2021 prices"
    )
    status = parsed_2026.observations.groupby("year")["status"].unique()
    assert {y: list(s) for y, s in status.items() if y >= 2024} == {
        2024: ["actual"],
        2025: ["estimate"],
        2026: ["estimate"],
    }


def test_2024_edition_itself(parsed_2024):
    assert parsed_2024.layout == "nato-2024"
    assert parsed_2024.vintage == "2024-06"
    assert parsed_2024.edition["title"] == "Defence Expenditure of NATO Countries (2014-2024)"
    estimates = parsed_2024.observations.query("status == 'estimate'")["year"]
    assert sorted(estimates.unique()) == [2023, 2024]


def one(parsed: nato.Parsed, iso3: str, year: int, indicator: str) -> dict:
    rows = parsed.observations.query(
        "iso3 == @iso3 and year == @year and indicator == @indicator"
    ).to_dict("records")
    assert len(rows) == 1, rows
    return rows[0]


def test_figures_by_hand(parsed_2026, parsed_2024):
    # Poland 2024: 3.75 % of GDP in the 2026 edition (actual), 4.12 % estimated in 2024's
    pol = one(parsed_2026, "POL", 2024, "share_gdp")
    assert (pol["value"], pol["unit"], pol["status"]) == (3.75, "percent of GDP", "actual")
    pol = one(parsed_2024, "POL", 2024, "share_gdp")
    assert (pol["value"], pol["status"]) == (4.12, "estimate")
    assert one(parsed_2026, "POL", 2026, "share_gdp")["value"] == 4.68
    # Sweden 2024 in kronor (Table 1 "Sweden (Kronor)"): 139,930 m estimated, 140,549 m actual
    swe = one(parsed_2026, "SWE", 2024, "spend_national_current")
    assert (swe["value"], swe["unit"]) == (140549.0, "SEK million current")
    assert one(parsed_2024, "SWE", 2024, "spend_national_current")["value"] == 139930.0
    # Bulgaria: leva in 2024 (1,102 m in 2014), euros in 2026 (563 m = 1,102 / 1.95583)
    assert one(parsed_2024, "BGR", 2014, "spend_national_current")["unit"] == "BGN million current"
    bgr = one(parsed_2026, "BGR", 2014, "spend_national_current")
    assert (bgr["value"], bgr["unit"]) == (563.0, "EUR million current")
    assert one(parsed_2026, "BGR", 2014, "spend_national_const")["unit"] == (
        "EUR million constant 2021"
    )
    # Norway and Denmark both write "Kroner"
    assert one(parsed_2026, "NOR", 2020, "spend_national_current")["unit"] == "NOK million current"
    assert one(parsed_2026, "DNK", 2020, "spend_national_current")["unit"] == "DKK million current"
    usa = one(parsed_2026, "USA", 2026, "spend_usd_current")
    assert (usa["value"], usa["status"]) == (1032849.0, "estimate")
    assert one(parsed_2026, "USA", 2021, "per_capita_usd_const")["unit"] == "USD constant 2021"
    assert one(parsed_2026, "NATO_TOTAL", 2021, "military_personnel")["value"] == 3317.3
    assert one(parsed_2024, "NATO_TOTAL", 2024, "spend_usd_current")["value"] == 1474399.0
    assert one(parsed_2026, "SWE", 2026, "equipment_share")["value"] == 25.41
    assert one(parsed_2026, "POL", 2024, "real_change_pct")["unit"] == "percent"
    # no figure for the Netherlands' personnel share of 2026 ('..'): none invented
    frame = parsed_2026.observations
    assert frame.query("iso3 == 'NLD' and year == 2026 and indicator == 'personnel_share'").empty
    assert one(parsed_2026, "POL", 2024, "share_gdp")["citation"] == (
        "NATO, Defence Investment of NATO Countries (2014-2026), def-exp-2026-en.xlsx, Table 3"
    )


def test_units_fit_the_indicators(parsed_2026, parsed_2024):
    patterns = {r["indicator"]: r["unit_pattern"] for r in read_rows("indicators.csv")}
    for frame in (parsed_2026.observations, parsed_2024.observations):
        for indicator, unit in frame[["indicator", "unit"]].drop_duplicates().itertuples(False):
            assert re.fullmatch(patterns[indicator], unit), (indicator, unit)


def test_progress_is_told_sheet_by_sheet(book_2026):
    calls = []
    nato.read([book_2026], progress=lambda done, total, what: calls.append((done, total, what)))
    assert calls[0] == (1, 7, "Table 1")
    assert calls[-1] == (7, 7, "Table 8a")


# --- tolerated variations ------------------------------------------------------------------


def test_2025_wording(tmp_path, figures_2026):
    """The 2025 edition's headings: "Defence expenditure per capita", "Share of real GDP (%),
    based on 2021 prices"."""
    path = write_nato_2025(tmp_path / "def-exp-2025-en.xlsx", figures_2026)
    parsed = nato.read([path])
    assert differences(parsed.observations, figures_2026) == []
    assert parsed.edition["title"] == "Defence Expenditure of NATO Countries (2014-2026)"


def test_2025_edition_itself(tmp_path):
    """The August 2025 edition (data 2014-2025), saved by NATO on 28 August 2025."""
    figures = published("2025-08")
    path = write_nato_2025(tmp_path / "def-exp-2025-en.xlsx", figures, modified="2025-08-28")
    parsed = nato.read([path])
    assert differences(parsed.observations, figures) == []
    assert (parsed.layout, parsed.vintage) == ("nato-2025", "2025-08")
    assert parsed.edition["title"] == "Defence Expenditure of NATO Countries (2014-2025)"
    assert parsed.edition["published"] == "2025-08-28"
    assert parsed.edition["edition"] == "workbook saved 2025-08-28; estimates for 2024 and 2025"


def test_a_workbook_saved_again_by_a_user_tells_no_edition(tmp_path, figures_2026):
    """NATO's July 2026 workbook opened and saved on 30 November 2026 (Excel, openpyxl): not a
    November edition; no vintage (milex update asks for --vintage), and the edition says why."""
    path = tmp_path / "def-exp-2026-en.xlsx"
    write_nato_2026(path, figures_2026, modified="2026-11-30T10:00:00")
    parsed = nato.read([path])
    assert differences(parsed.observations, figures_2026) == []
    assert parsed.vintage is None
    assert "published" not in parsed.edition
    assert parsed.edition["edition"] == (
        "workbook saved 2026-11-30, after NATO's publication of data to 2026 (its own saves: "
        "May to September 2026): no edition taken from it, give --vintage; estimates for 2025 "
        "and 2026; 2021 prices"
    )
    assert parsed.edition["title"] == "Defence Investment of NATO Countries (2014-2026)"


def test_a_workbook_saved_again_with_openpyxl_tells_no_edition(tmp_path, book_2026):
    """openpyxl stamps the present time (here after September 2026) as the last save."""
    path = copy_of(book_2026, tmp_path)
    openpyxl.load_workbook(path).save(path)
    parsed = nato.read([path])
    assert parsed.vintage is None and "published" not in parsed.edition
    assert re.match(
        r"workbook saved \d{4}-\d\d-\d\d, after NATO's publication of data to 2026 ",
        parsed.edition["edition"],
    )


#: NATO publishes in June to August of the edition's last year (2024-06, 2025-08, 2026-07):
#: a workbook with data to 2026 saved from May to September 2026 is NATO's, its month the
#: vintage; any other date is a later (or earlier) save and gives none.
SAVED = [
    ("2026-07-09T09:55:14", "2026-07"),
    ("2026-05-02T08:00:00", "2026-05"),
    ("2026-09-29T08:00:00", "2026-09"),
    ("2026-04-29T08:00:00", None),
    ("2026-10-01T08:00:00", None),
    ("2027-07-08T10:00:00", None),  # July, but of the next year: a user's save
    ("2025-07-09T10:00:00", None),
]


@pytest.mark.parametrize(("stamp", "vintage"), SAVED)
def test_the_vintage_is_the_month_nato_saved_it(tmp_path, figures_2026, stamp, vintage):
    path = write_nato_2026(tmp_path / "s.xlsx", _shares(figures_2026), modified=stamp)
    parsed = nato.read([path])
    assert parsed.vintage == vintage
    assert parsed.edition.get("published") == (stamp[:10] if vintage else None)
    when = "after" if stamp[:7] > "2026-09" else "before"
    assert parsed.edition["edition"].startswith(
        f"workbook saved {stamp[:10]};"
        if vintage
        else f"workbook saved {stamp[:10]}, {when} NATO's publication of data to 2026 "
    )


def _shares(figures: pd.DataFrame) -> pd.DataFrame:
    """Poland's and NATO's shares of GDP, 2014-2026: a small workbook of the layout."""
    return figures.query("iso3 in ['POL', 'NATO_TOTAL'] and indicator == 'share_gdp'")


@pytest.mark.parametrize(
    ("window", "stamp"),
    [((1, 12), "2026-11-30T10:00:00"), ((6, 9), "2026-05-02T08:00:00"), ((5, 8), SAVED[2][0])],
)
def test_mutations_of_the_window_are_caught(tmp_path, figures_2026, monkeypatch, window, stamp):
    """Drop the rule (any month saved an edition) or narrow it by a month: a vintage is wrong."""
    monkeypatch.setattr(nato, "NATO_SAVES", window)
    path = write_nato_2026(tmp_path / "s.xlsx", _shares(figures_2026), modified=stamp)
    expected = dict(SAVED) | {"2026-11-30T10:00:00": None}
    assert nato.read([path]).vintage != expected[stamp]


def test_edition_title_from_table_1_when_the_workbook_has_none(tmp_path, figures_2026):
    """Without a title spanning years in the document properties, the edition is named by
    Table 1's subject ("Table 1: Core defence expenditure") and the years of the tables."""
    path = write_nato_2026(tmp_path / "t.xlsx", figures_2026, title="Tables")
    parsed = nato.read([path])
    assert parsed.edition["title"] == "Core defence expenditure of NATO Countries (2014-2026)"


def test_a_workbook_without_document_properties(tmp_path, book_2026):
    """No date in the workbook: no vintage (the user gives it, as the edition says), no day
    of publication."""
    path = tmp_path / "bare.xlsx"
    with ZipFile(book_2026) as source, ZipFile(path, "w") as target:
        for item in source.infolist():
            if item.filename != "docProps/core.xml":
                target.writestr(item, source.read(item))
    parsed = nato.read([path])
    assert parsed.vintage is None
    assert "published" not in parsed.edition
    assert parsed.edition["edition"] == (
        "workbook without a date: no edition taken from it, give --vintage; estimates for 2025 "
        "and 2026; 2021 prices"
    )
    assert parsed.edition["title"] == "Core defence expenditure of NATO Countries (2014-2026)"


def test_price_base_year_comes_from_the_heading(tmp_path, figures_2026):
    path = write_nato_2026(tmp_path / "b.xlsx", figures_2026)
    old, new = "Constant 2021 prices and exchange rates", "Constant 2015 prices and exchange rates"
    replace(path, "Table 2", old, new)
    units = nato.read([path]).observations.query("indicator == 'spend_usd_const'")["unit"]
    assert set(units) == {"USD million constant 2015"}


def test_per_capita_base_year_comes_from_the_unit_line(tmp_path, figures_2026):
    path = write_nato_2026(tmp_path / "b.xlsx", figures_2026)
    unit_line = "Based on 2021 prices and exchange rates"
    assert replace(path, "Table 6", unit_line, "Based on 2015 prices") == "A2"
    units = nato.read([path]).observations.query("indicator == 'per_capita_usd_const'")["unit"]
    assert set(units) == {"USD constant 2015"}


@pytest.mark.parametrize(
    ("writer", "edition", "sheet", "name", "name_col", "first_col"),
    [
        (write_nato_2026, "2026-07", "Table 2", "NATO Europe", 1, 2),
        (write_nato_2024, "2024-06", "TABLE3", "European Union members", 2, 4),
    ],
)
def test_an_extra_aggregate_row_is_passed_over(
    tmp_path, writer, edition, sheet, name, name_col, first_col
):
    figures = published(edition)
    path = writer(tmp_path / "a.xlsx", figures)

    def add(table):
        row = find(table, "NATO Total").row + 1
        table.insert_rows(row)
        table.cell(row, name_col, name)
        for col in range(first_col, first_col + 11):
            table.cell(row, col, 1234.0)

    edit(path, sheet, add)
    assert differences(nato.read([path]).observations, figures) == []


def test_a_new_year_column(tmp_path, figures_2026):
    path = write_nato_2026(tmp_path / "y.xlsx", figures_2026)

    def add(sheet):
        for header in [c for c in sheet["B"] if c.value == 2014]:
            sheet.cell(header.row, 15, "2027e")
        sheet.cell(find(sheet, "Poland").row, 15, 4.9)

    edit(path, "Table 3", add)
    parsed = nato.read([path])
    pol = one(parsed, "POL", 2027, "share_gdp")
    assert (pol["value"], pol["status"]) == (4.9, "estimate")
    assert differences(parsed.observations.query("year < 2027"), figures_2026) == []


def test_sheet_names_in_other_case_or_with_spaces(tmp_path, book_2026, figures_2026):
    path = copy_of(book_2026, tmp_path)
    book = openpyxl.load_workbook(path)
    book["Table 8a"].title = "Table 8A "
    save(book, path)
    assert differences(nato.read([path]).observations, figures_2026) == []


def test_a_few_figures(tmp_path, figures_2024):
    """A workbook of the layout with most cells empty: only the figures given come back."""
    few = figures_2024.query("iso3 in ['POL', 'NATO_TOTAL'] and indicator == 'share_gdp'")
    parsed = nato.read([write_nato_2024(tmp_path / "few.xlsx", few)])
    assert differences(parsed.observations, few) == []
    assert len(parsed.observations) == 22  # 2 x 11 years
    parsed = nato.read([write_nato_2026(tmp_path / "few.xlsx", few)])
    assert differences(parsed.observations, few) == []


def test_extra_notes_rows(tmp_path, figures_2026):
    path = write_nato_2026(tmp_path / "n.xlsx", figures_2026)

    def add(sheet):
        row = find(sheet, "Personnel (b)").row - 1
        sheet.insert_rows(row, 3)
        sheet.cell(row, 1, "(a) Equipment expenditure includes major equipment and R&D.")
        sheet.cell(row + 1, 1, "Source: national ministries of defence")

    edit(path, "Table 8a", add)
    assert differences(nato.read([path]).observations, figures_2026) == []


# --- refused layouts -----------------------------------------------------------------------


def test_a_missing_sheet(tmp_path, book_2026):
    path = copy_of(book_2026, tmp_path)
    book = openpyxl.load_workbook(path)
    del book["Table 3"]
    save(book, path)
    refused(path, "def-exp-2026-en.xlsx", "no sheet 'Table 3'", "nato-2025 layout")


def test_not_a_nato_workbook(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Constant (2023) US$"
    path = save(book, tmp_path / "SIPRI-Milex-data.xlsx")
    refused(path, "SIPRI-Milex-data.xlsx", "no sheet 'TABLE1' or 'Table 1'")


def test_one_workbook_only(book_2026, book_2024):
    with pytest.raises(DataFileError, match="one workbook"):
        nato.read([book_2026, book_2024])


def test_a_renamed_block_heading(tmp_path, book_2026):
    path = copy_of(book_2026, tmp_path)
    cells = {}

    def rename(sheet):
        heading = find(sheet, "Constant 2021 prices")
        heading.value = "Constant 2021 prices (chained)"
        cells["heading"] = heading.coordinate
        cells["ally"] = f"A{heading.row + 2}"  # under the heading's row of years

    edit(path, "Table 1", rename)
    refused(
        path,
        "sheet 'Table 1', cell " + cells["ally"],
        f"{cells['heading']} 'Constant 2021 prices (chained)'",
        "no known block heading",
        "expected one of 'Current prices', 'Constant 2021 prices'",
    )


def test_a_renamed_block_heading_2024(tmp_path, book_2024):
    path = copy_of(book_2024, tmp_path)
    replace(path, "TABLE8a", "Personnel (b)", "Staff (b)")
    message = refused(path, "sheet 'TABLE8a', cell C", "'Staff (b)'", "'Personnel (b)'")
    assert "240617-def-exp-2024-TABLES-en.xlsx" in message


def test_a_missing_block(tmp_path, book_2026):
    path = copy_of(book_2026, tmp_path)

    def drop(sheet):
        start = find(sheet, "Personnel (b)").row
        sheet.delete_rows(start, sheet.max_row - start + 1)

    edit(path, "Table 8a", drop)
    refused(path, "sheet 'Table 8a'", "no block headed like 'Personnel (b)'")


def test_text_in_a_number_cell(tmp_path, book_2026):
    path = copy_of(book_2026, tmp_path)
    cell = replace(path, "Table 3", "Poland", "3.75 (rev.)", column=12)  # column L: 2024
    assert cell.startswith("L")
    refused(path, f"sheet 'Table 3', cell {cell}", "'3.75 (rev.)' is not a number")


def test_an_unknown_ally(tmp_path, book_2024):
    path = copy_of(book_2024, tmp_path)
    cell = replace(path, "TABLE2", "Portugal", "Atlantis")
    assert cell.startswith("C")
    refused(path, f"sheet 'TABLE2', cell {cell}", "unknown ally 'Atlantis'")


def test_an_unknown_currency(tmp_path, book_2026):
    path = copy_of(book_2026, tmp_path)
    cell = replace(path, "Table 1", "Poland (Zlotys)", "Poland (Ducats)")
    refused(path, f"sheet 'Table 1', cell {cell}", "unknown currency 'Ducats' for POL", "Zlotys")


def test_a_currency_missing_from_table_1(tmp_path, book_2026):
    path = copy_of(book_2026, tmp_path)
    cell = replace(path, "Table 1", "Poland (Zlotys)", "Poland")
    refused(path, f"sheet 'Table 1', cell {cell}", "'Poland' names no currency")


def test_figures_without_a_name(tmp_path, book_2026):
    path = copy_of(book_2026, tmp_path)
    row = replace(path, "Table 2", "Poland", None)[1:]
    refused(path, f"sheet 'Table 2', cell B{row}", "figures in a row without a name")


def test_years_out_of_order(tmp_path, book_2026):
    """A row of years that skips one (2013, 2014, 2016 ...) is no row of years NATO writes."""
    path = copy_of(book_2026, tmp_path)

    def shuffle(sheet):
        for header in [c for c in sheet["B"] if c.value == 2014]:
            sheet.cell(header.row, 2, 2013)
            sheet.cell(header.row, 3, 2014)

    edit(path, "Table 7", shuffle)
    refused(path, "sheet 'Table 7'", "no row of years")


def test_an_ally_twice_in_a_block(tmp_path, book_2026):
    path = copy_of(book_2026, tmp_path)
    where = {}

    def twice(sheet):
        poland = find(sheet, "Poland")
        sheet.insert_rows(poland.row + 1)
        for col in range(1, 15):
            sheet.cell(poland.row + 1, col, sheet.cell(poland.row, col).value)
        where["first"], where["second"] = f"B{poland.row}", f"B{poland.row + 1}"

    edit(path, "Table 3", twice)
    refused(
        path,
        f"sheet 'Table 3', cell {where['second']}: a second figure for POL 2014 share_gdp",
        f"the first is at {where['first']}",
    )


# --- the tests catch a broken reader -------------------------------------------------------


def test_a_flipped_estimate_flag_is_caught(monkeypatch, book_2026, figures_2026):
    def flipped(value):
        found = year_header(value)
        return (found[0], not found[1]) if found else None

    monkeypatch.setattr(nato, "year_header", flipped)
    found = differences(nato.read([book_2026]).observations, figures_2026)
    assert len(found) == 4613 and all("status read" in line for line in found)


def test_a_swapped_indicator_mapping_is_caught(monkeypatch, book_2026, figures_2026):
    layouts, blocks, words = nato._config()
    swapped = {"equipment_share": "personnel_share", "personnel_share": "equipment_share"}
    changed = [
        nato.Block(b.table, b.heading, b.example, swapped.get(b.indicator, b.indicator), b.unit)
        for b in blocks
    ]
    monkeypatch.setattr(nato, "_config", lambda: (layouts, changed, words))
    assert differences(nato.read([book_2026]).observations, figures_2026)


def test_swapped_block_headings_are_caught(monkeypatch, book_2026, figures_2026):
    layouts, blocks, words = nato._config()
    table_3 = [b for b in blocks if b.table == "3"]
    changed = [
        nato.Block(b.table, table_3[1 - table_3.index(b)].heading, b.example, b.indicator, b.unit)
        if b in table_3
        else b
        for b in blocks
    ]
    monkeypatch.setattr(nato, "_config", lambda: (layouts, changed, words))
    found = differences(nato.read([book_2026]).observations, figures_2026)
    assert any(line.startswith("POL 2024 share_gdp: value read 18.54") for line in found)
