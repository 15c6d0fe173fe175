"""The IMF WEO reader on fixture files written here in both official layouts (tests/weo_files.py)
from the published figures embedded in milex (src/milex/data/observations/weo_*.csv).

The status rule both layouts state: a figure is ``actual`` when its year is at or before the
series' latest actual year ("Estimates Start After" in the text file, LATEST_ACTUAL_ANNUAL_DATA
in the workbook), ``projection`` after it. The fixtures give as that year the latest year the
embedded edition calls actual, so in April 2025 (whose embedded statuses come from the same
rule) every status is as embedded, and in April 2026 the years the extract left ``unknown``
(after the latest actual year) are projections.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from milex.catalog import data_dir
from milex.errors import DataFileError
from milex.readers import weo
from milex.readers.parsed import COLUMNS
from tests.weo_files import published, with_commas, write_weo_text, write_weo_xlsx

KEY = ["iso3", "year", "indicator"]


@pytest.fixture(scope="module")
def april_2025() -> pd.DataFrame:
    return published("weo_2025-04")


@pytest.fixture(scope="module")
def april_2026() -> pd.DataFrame:
    return published("weo_2026-04")


@pytest.fixture
def germany_ppp(april_2025) -> pd.DataFrame:
    """Germany's GDP at PPP in WEO April 2025: one series, one row of a file."""
    return april_2025[(april_2025.iso3 == "DEU") & (april_2025.indicator == "gdp_ppp")]


def text_file_with(tmp_path: Path, figures: pd.DataFrame, old: str, new: str) -> Path:
    """The WEO text file of the figures, with ``old`` replaced by ``new`` in its text."""
    path = write_weo_text(tmp_path / "WEOApr2025all.xls", figures)
    text = path.read_bytes().decode("utf-16")
    assert old in text
    path.write_bytes(text.replace(old, new).encode("utf-16"))
    return path


def expected_status(figures: pd.DataFrame) -> pd.Series:
    """The layouts' rule: actual up to the series' latest actual year, projection after."""
    actual = figures[figures["status"] == "actual"]
    latest = actual.groupby(["iso3", "indicator"])["year"].max().rename("latest")
    years = figures.join(latest, on=["iso3", "indicator"])
    return pd.Series(
        [
            "actual" if y <= last else "projection"
            for y, last in zip(years.year, years.latest, strict=True)
        ],
        index=figures.index,
    )


def assert_round_trip(read: pd.DataFrame, figures: pd.DataFrame) -> None:
    """Every published figure read back: the same value, unit and status by the rule."""
    assert list(read.columns) == COLUMNS
    assert len(read) == len(figures)
    merged = figures.assign(expected=expected_status(figures)).merge(
        read, on=KEY, suffixes=("_published", "_read"), validate="one_to_one"
    )
    assert len(merged) == len(figures)
    assert (merged.value_read == merged.value_published).all()
    assert (merged.unit_read == merged.unit_published).all()
    assert (merged.status_read == merged.expected).all()


def figure(read: pd.DataFrame, iso3: str, indicator: str, year: int) -> pd.Series:
    rows = read[(read.iso3 == iso3) & (read.indicator == indicator) & (read.year == year)]
    assert len(rows) == 1, (iso3, indicator, year)
    return rows.iloc[0]


# --- both layouts, every published figure ---------------------------------------------------


def test_text_file_of_april_2025_reads_back_every_figure(tmp_path, april_2025):
    path = write_weo_text(tmp_path / "WEOApr2025all.xls", april_2025)
    parsed = weo.read([path])
    assert (parsed.source, parsed.vintage, parsed.layout) == ("weo", "2025-04", "weo-text")
    assert parsed.edition["edition"] == "April 2025"
    assert_round_trip(parsed.observations, april_2025)
    # the embedded statuses of April 2025 follow the same rule: all of them equal
    assert (expected_status(april_2025) == april_2025.status).all()
    read = parsed.observations
    # Germany's real growth 2025, -0.05 % (WEO Statistical Appendix, April 2025), a projection
    # after Estimates Start After = 2024; the USA 1.826 %
    assert tuple(figure(read, "DEU", "gdp_real_growth", 2025)[["value", "status"]]) == (
        -0.05,
        "projection",
    )
    assert figure(read, "USA", "gdp_real_growth", 2025).value == 1.826
    assert figure(read, "DEU", "gdp_real_growth", 2024).status == "actual"
    # Albania's series end their actual data in 2022: 2023 is already a projection
    assert figure(read, "ALB", "gdp_national_current", 2022).status == "actual"
    assert figure(read, "ALB", "gdp_national_current", 2023).status == "projection"
    # Bulgaria in leva in April 2025; Poland in zloty, its GDP read through thousands commas
    assert figure(read, "BGR", "gdp_national_current", 2024).unit == "BGN billion current"
    assert tuple(figure(read, "POL", "gdp_national_current", 2024)[["value", "unit"]]) == (
        3617.438,
        "PLN billion current",
    )
    assert figure(read, "DEU", "ppp_conversion", 2025).unit == "EUR per international dollar"
    citation = figure(read, "DEU", "gdp_real_growth", 2025).citation
    assert (
        citation == "IMF, World Economic Outlook Database, April 2025, WEOApr2025all.xls, NGDP_RPCH"
    )


def test_workbook_of_april_2026_reads_back_every_figure(tmp_path, april_2026):
    path = write_weo_xlsx(tmp_path / "WEOApr2026all.xlsx", april_2026)
    parsed = weo.read([path])
    assert (parsed.source, parsed.vintage, parsed.layout) == ("weo", "2026-04", "weo-xlsx")
    assert parsed.edition["published"] == "2026-04-14"
    assert parsed.edition["title"] == "World Economic Outlook Database, April 2026"
    assert_round_trip(parsed.observations, april_2026)
    read = parsed.observations
    # Bulgaria adopted the euro on 1 January 2026: the April 2026 WEO gives its GDP in euro
    # (EUR 104.767 billion in 2024, against BGN 202.861 billion in April 2025)
    assert tuple(figure(read, "BGR", "gdp_national_current", 2024)[["value", "unit"]]) == (
        104.767,
        "EUR billion current",
    )
    assert figure(read, "DEU", "gdp_real_growth", 2024).value == -0.496
    # 2025 was "unknown" in the extract; the workbook's latest actual year (2024) makes it a
    # projection
    assert (april_2026.query("iso3 == 'DEU' and year == 2025").status == "unknown").all()
    assert figure(read, "DEU", "gdp_real_growth", 2025).status == "projection"


def test_text_file_of_april_2026_figures_and_workbook_of_april_2025_figures(
    tmp_path, april_2025, april_2026
):
    """Each layout reads the other edition's figures too (a layout is not an edition)."""
    text = weo.read(
        [
            write_weo_text(
                tmp_path / "WEOApr2026all.xls", april_2026, "2026-04", years=range(1980, 2032)
            )
        ]
    )
    assert text.vintage == "2026-04"
    assert_round_trip(text.observations, april_2026)
    book = weo.read([write_weo_xlsx(tmp_path / "WEOApr2025all.xlsx", april_2025, "2025-04")])
    assert_round_trip(book.observations, april_2025)


# --- vintages, countries, groups, currencies -------------------------------------------------


def test_vintage_from_the_footer_before_the_file_name(tmp_path, april_2025):
    figures = april_2025[april_2025.iso3 == "DEU"]
    path = write_weo_text(tmp_path / "WEOOct2024all.xls", figures, "2025-04")
    assert weo.read([path]).vintage == "2025-04"  # the footer says April 2025


def test_vintage_from_the_file_name_without_a_footer(tmp_path, april_2025):
    figures = april_2025[april_2025.iso3 == "DEU"]
    path = write_weo_text(tmp_path / "WEOOct2024all.xls", figures, "2024-10", footer=False)
    assert weo.read([path]).vintage == "2024-10"


def test_no_vintage_when_nothing_tells_it(tmp_path, april_2025):
    figures = april_2025[april_2025.iso3 == "DEU"]
    text = weo.read([write_weo_text(tmp_path / "weo.txt", figures, footer=False)])
    book = weo.read([write_weo_xlsx(tmp_path / "weo.xlsx", figures, vintage=None)])
    assert (text.vintage, book.vintage) == (None, None)
    assert "title" not in text.edition
    assert text.observations.citation.iloc[0] == (
        "IMF, World Economic Outlook Database, weo.txt, NGDP_D"
    )


def test_kosovo_fiscal_years_and_groups_in_the_workbook(tmp_path):
    figures = pd.DataFrame(
        [
            ("XKX", 2023, "gdp_real_growth", 3.3, "percent", "actual"),
            ("XKX", 2024, "gdp_real_growth", 4.0, "percent", "projection"),
        ],
        columns=["iso3", "year", "indicator", "value", "unit", "status"],
    )
    group = {"COUNTRY.ID": "G163", "INDICATOR.ID": "NGDP_RPCH", "SCALE": "Units", 2024: 0.9}
    path = write_weo_xlsx(
        tmp_path / "WEOOct2025all.xlsx",
        figures,
        "2025-10",
        latest={("XKX", "gdp_real_growth"): "FY2023/24"},
        extra_rows=[group],
    )
    parsed = weo.read([path])
    read = parsed.observations
    # KOS in the file, XKX in milex; FY2023/24 is the 2023 column: 2023 actual, 2024 projection
    assert list(zip(read.iso3, read.year, read.status, strict=True)) == [
        ("XKX", 2023, "actual"),
        ("XKX", 2024, "projection"),
    ]
    assert parsed.vintage == "2025-10"
    assert parsed.edition["coverage_note"] == "country-group rows skipped: 1"


def test_a_series_without_latest_actual_year_is_unknown(tmp_path, germany_ppp):
    path = write_weo_xlsx(tmp_path / "w.xlsx", germany_ppp, latest={("DEU", "gdp_ppp"): ""})
    assert set(weo.read([path]).observations.status) == {"unknown"}


def test_currencies_as_the_imf_names_them():
    assert [weo.currency(n) for n in ("Euro", "Euros", "US dollar", "U.S. dollars")] == [
        "EUR",
        "EUR",
        "USD",
        "USD",
    ]
    assert [weo.currency(n) for n in ("Icelandic króna", "Bulgarian lev", "Pound sterling")] == [
        "ISK",
        "BGN",
        "GBP",
    ]
    assert weo.currency("") is None
    assert weo.currency("CFA franc") is None  # two currencies bear that name


def test_a_series_without_a_known_currency_is_left_out_and_said(tmp_path, april_2025):
    figures = april_2025[(april_2025.iso3 == "DEU") & (april_2025.year == 2024)]
    figures = figures.assign(unit=figures.unit.str.replace("EUR", "XYZ"))
    parsed = weo.read([write_weo_text(tmp_path / "WEOApr2025all.xls", figures)])
    assert set(parsed.observations.indicator) == set(figures.indicator) - {
        "gdp_national_current",
        "ppp_conversion",
    }
    assert "NGDP of DEU (currency not stated)" in parsed.edition["coverage_note"]


# --- tolerated variations ---------------------------------------------------------------------


def test_old_vintage_in_cp1252_with_dashes_an_extra_year_and_commas(tmp_path, april_2025):
    figures = april_2025[april_2025.iso3.isin(["ISL", "USA"])]
    path = write_weo_text(
        tmp_path / "WEOOct2019all.xls",
        figures,
        "2019-10",
        years=range(1980, 2032),  # a year column more than the figures have
        missing="--",
        encoding="cp1252",
    )
    assert "krÃ³na" not in path.read_bytes().decode("cp1252")  # really cp1252, not UTF-8
    parsed = weo.read([path])
    assert parsed.vintage == "2019-10"
    assert_round_trip(parsed.observations, figures)
    assert figure(parsed.observations, "ISL", "gdp_national_current", 2024).unit == (
        "ISK billion current"
    )
    # USA GDP 2024: 29,184.9 in the file (thousands comma), USD 29184.9 billion read
    assert with_commas(29184.9) == "29,184.9"
    assert figure(parsed.observations, "USA", "gdp_usd_current", 2024).value == 29184.9


def test_utf16_without_byte_order_mark(tmp_path, germany_ppp):
    path = write_weo_text(tmp_path / "WEOApr2025all.xls", germany_ppp, encoding="utf-16-le")
    assert path.read_bytes()[:4] == b"W\x00E\x00"
    assert_round_trip(weo.read([path]).observations, germany_ppp)


def test_other_subjects_are_left_aside(tmp_path, germany_ppp):
    other = ["134", "DEU", "LUR", "Germany", "Unemployment rate", "", "Percent of total labor "
             "force", "", "Primary domestic currency: Euro", *["5.1"] * 51, "2024"]  # fmt: skip
    path = write_weo_text(tmp_path / "WEOApr2025all.xls", germany_ppp, extra_rows=[other])
    assert set(weo.read([path]).observations.indicator) == {"gdp_ppp"}


# --- malformed files, refused ----------------------------------------------------------------


def test_missing_column_is_named(tmp_path, april_2025):
    figures = april_2025[april_2025.iso3 == "DEU"]
    path = text_file_with(tmp_path, figures, "Estimates Start After", "Estimates start")
    with pytest.raises(DataFileError) as error:
        weo.read([path])
    assert str(error.value).startswith(
        "WEOApr2025all.xls, line 1: the header lacks 'Estimates Start After'"
    )


def test_workbook_without_latest_actual_column_is_refused(tmp_path, april_2026):
    figures = april_2026[april_2026.iso3 == "DEU"]
    path = write_weo_xlsx(tmp_path / "w.xlsx", figures, drop=["LATEST_ACTUAL_ANNUAL_DATA"])
    with pytest.raises(DataFileError, match=r"w.xlsx, sheet Countries, row 1: the header lacks "
                       r"'LATEST_ACTUAL_ANNUAL_DATA'"):  # fmt: skip
        weo.read([path])


def test_workbook_without_countries_sheet_is_refused(tmp_path, april_2026):
    path = write_weo_xlsx(tmp_path / "w.xlsx", april_2026[april_2026.iso3 == "DEU"], sheet="Data")
    with pytest.raises(DataFileError, match=r"w.xlsx: no sheet 'Countries' \(sheets: Data,"):
        weo.read([path])


def test_text_in_a_number_cell_names_line_country_code_and_year(tmp_path, germany_ppp):
    value = with_commas(germany_ppp[germany_ppp.year == 2025].value.iloc[0])
    path = text_file_with(tmp_path, germany_ppp, f"\t{value}\t", "\tsee note\t")
    with pytest.raises(DataFileError) as error:
        weo.read([path])
    assert str(error.value).startswith(
        "WEOApr2025all.xls, line 2 (DEU PPPGDP), column 2025: 'see note' is not a number"
    )


def test_text_in_a_workbook_cell_names_the_cell(tmp_path, april_2026):
    figures = april_2026[(april_2026.iso3 == "DEU") & (april_2026.indicator == "gdp_ppp")]
    row = {"COUNTRY.ID": "FRA", "INDICATOR.ID": "PPPGDP", "SCALE": "Billions", 2024: "4,2 bn"}
    path = write_weo_xlsx(tmp_path / "w.xlsx", figures, extra_rows=[row])
    # 12 metadata columns (A-L), then 1980 in M (index 12): 2024 at index 56, BE; row 3
    with pytest.raises(DataFileError, match=r"w.xlsx, sheet Countries, row 3 \(FRA PPPGDP\), "
                       r"cell BE3 \(2024\): '4,2 bn' is not a number"):  # fmt: skip
        weo.read([path])


def test_unknown_country_code_is_refused(tmp_path, germany_ppp):
    path = text_file_with(tmp_path, germany_ppp, "\tDEU\tPPPGDP", "\tZZX\tPPPGDP")
    with pytest.raises(DataFileError) as error:
        weo.read([path])
    assert str(error.value).startswith(
        "WEOApr2025all.xls, line 2 (ZZX PPPGDP), column ISO: unknown country code 'ZZX'"
    )
    assert "weo_countries.csv" in str(error.value)


def test_a_changed_scale_is_refused(tmp_path, april_2025):
    figures = april_2025[(april_2025.iso3 == "DEU") & (april_2025.indicator == "gdp_usd_current")]
    path = text_file_with(tmp_path, figures, "\tBillions\t", "\tMillions\t")
    with pytest.raises(DataFileError, match=r"line 2 \(DEU NGDPD\): scale 'Millions' for NGDPD"):
        weo.read([path])


def test_a_year_that_is_no_year_is_refused(tmp_path, germany_ppp):
    path = write_weo_xlsx(tmp_path / "w.xlsx", germany_ppp, latest={("DEU", "gdp_ppp"): "soon"})
    with pytest.raises(DataFileError, match=r"column LATEST_ACTUAL_ANNUAL_DATA: 'soon' is not"):
        weo.read([path])


def test_the_same_series_twice_is_refused(tmp_path, germany_ppp):
    path = write_weo_text(tmp_path / "WEOApr2025all.xls", germany_ppp)
    text = path.read_bytes().decode("utf-16")
    lines = text.split("\r\n")
    path.write_bytes("\r\n".join([*lines[:2], lines[1], *lines[2:]]).encode("utf-16"))
    with pytest.raises(DataFileError, match="DEU gdp_ppp 2014 is given twice"):
        weo.read([path])


def test_files_of_two_editions_are_refused(tmp_path, april_2025):
    figures = april_2025[april_2025.iso3 == "DEU"]
    older = write_weo_text(tmp_path / "WEOOct2024all.xls", figures, "2024-10")
    newer = write_weo_text(tmp_path / "WEOApr2025all.xls", figures, "2025-04")
    with pytest.raises(DataFileError, match="is the WEO of 2025-04, the file before it of 2024-10"):
        weo.read([older, newer])


def test_binary_excel_and_missing_files_are_refused(tmp_path):
    binary = tmp_path / "WEOApr2025all.xls"
    binary.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    with pytest.raises(DataFileError, match="binary Excel 97 workbook"):
        weo.read([binary])
    with pytest.raises(DataFileError, match="no such file"):
        weo.read([tmp_path / "absent.xls"])


def test_progress_is_told_per_file(tmp_path, april_2025):
    figures = april_2025[april_2025.iso3 == "DEU"]
    seen = []
    weo.read([write_weo_text(tmp_path / "WEOApr2025all.xls", figures)], lambda *a: seen.append(a))
    assert seen == [(1, 1, "WEOApr2025all.xls")]


# --- mutation checks: a wrong rule or mapping makes the round trip fail ----------------------


def test_a_flipped_status_rule_fails_the_round_trip(tmp_path, april_2025, monkeypatch):
    path = write_weo_text(tmp_path / "WEOApr2025all.xls", april_2025)
    monkeypatch.setattr(
        weo, "status", lambda year, latest: "actual" if latest and year < latest else "projection"
    )
    with pytest.raises(AssertionError):
        assert_round_trip(weo.read([path]).observations, april_2025)


def test_a_swapped_code_mapping_fails_the_round_trip(tmp_path, april_2025, monkeypatch):
    path = write_weo_text(tmp_path / "WEOApr2025all.xls", april_2025)
    codes = dict(weo.series_codes())
    growth, inflation = codes["NGDP_RPCH"], codes["PCPIPCH"]
    codes["NGDP_RPCH"] = weo.Series("NGDP_RPCH", inflation.indicator, inflation.unit, "")
    codes["PCPIPCH"] = weo.Series("PCPIPCH", growth.indicator, growth.unit, "")
    monkeypatch.setattr(weo, "series_codes", lambda: codes)
    with pytest.raises(AssertionError):
        assert_round_trip(weo.read([path]).observations, april_2025)


def test_a_unit_that_does_not_fit_indicators_csv_is_refused(tmp_path, april_2025, monkeypatch):
    path = write_weo_text(tmp_path / "WEOApr2025all.xls", april_2025[april_2025.iso3 == "DEU"])
    codes = dict(weo.series_codes())
    codes["NGDPD"] = weo.Series("NGDPD", "gdp_usd_current", "USD million current", "Billions")
    monkeypatch.setattr(weo, "series_codes", lambda: codes)
    with pytest.raises(DataFileError, match=r"weo_codes.csv: indicator 'gdp_usd_current' with "
                       r"unit 'USD million current' does not fit indicators.csv"):  # fmt: skip
        weo.read([path])


def test_the_code_table_fits_indicators_csv():
    """Every mapping of weo_codes.csv names an indicator of indicators.csv."""
    indicators = set(pd.read_csv(data_dir() / "indicators.csv").indicator)
    assert {s.indicator for s in weo.series_codes().values()} <= indicators
