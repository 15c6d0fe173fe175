"""The World Bank reader on API v2 JSON answers and bulk CSV files written here (tests/weo_files.py)
from the published figures embedded in milex (src/milex/data/observations/wdi_*.csv).

Status rule: the World Bank publishes no projections in these series, so every figure read is
``actual``; a null value is missing, never a figure. The edition's vintage is the newest
``lastupdated`` of the files read (YYYY-MM).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from milex.errors import DataFileError
from milex.readers import worldbank
from milex.readers.parsed import COLUMNS
from tests.weo_files import published, write_worldbank_csv, write_worldbank_json

KEY = ["iso3", "year", "indicator"]


@pytest.fixture(scope="module")
def ppp() -> pd.DataFrame:
    """PA.NUS.PPP as of WDI 2026-03 (35 countries x 2014-2024)."""
    return published("wdi_2026-03")


@pytest.fixture(scope="module")
def fx() -> pd.DataFrame:
    """PA.NUS.FCRF as of WDI 2025-07 (35 countries and the euro area, 2014-2024)."""
    return published("wdi_2025-07")


def assert_round_trip(read: pd.DataFrame, figures: pd.DataFrame) -> None:
    """Every published figure read back with its value and unit, all of them actual."""
    assert list(read.columns) == COLUMNS
    assert len(read) == len(figures)
    merged = figures.merge(read, on=KEY, suffixes=("_published", "_read"), validate="1:1")
    assert len(merged) == len(figures)
    assert (merged.value_read == merged.value_published).all()
    assert (merged.unit_read == merged.unit_published).all()
    assert (merged.status_read == "actual").all()


def value(read: pd.DataFrame, iso3: str, indicator: str, year: int) -> float:
    rows = read[(read.iso3 == iso3) & (read.indicator == indicator) & (read.year == year)]
    assert len(rows) == 1, (iso3, indicator, year)
    return rows.value.iloc[0]


def test_api_answers_of_two_indicators_read_together(tmp_path, ppp, fx):
    paths = [
        write_worldbank_json(tmp_path / "ppp.json", ppp, "PA.NUS.PPP", "2026-03-05"),
        write_worldbank_json(
            tmp_path / "fx.json", fx, "PA.NUS.FCRF", "2025-07-01", aggregates={"ARB": 3.67}
        ),
    ]
    parsed = worldbank.read(paths)
    assert (parsed.source, parsed.vintage, parsed.layout) == ("wdi", "2026-03", "worldbank-json")
    assert parsed.edition["published"] == "2026-03-05"
    assert parsed.edition["coverage_note"] == (
        "PA.NUS.FCRF last updated 2025-07-01; PA.NUS.PPP last updated 2026-03-05; "
        "regions and groups skipped: 1 (ARB)"
    )
    assert parsed.edition["complete"] is True  # both indicators milex update downloads
    assert_round_trip(parsed.observations, pd.concat([ppp, fx]))
    read = parsed.observations
    # Albania: 105.48 lek per USD and 42.894... lek per international dollar in 2014
    assert value(read, "ALB", "exchange_rate_usd", 2014) == 105.48
    assert value(read, "ALB", "ppp_conversion_gdp", 2014) == 42.8940351782566
    # Croatia's break: kuna per USD through 2022, euro per USD from 2023, as published
    assert value(read, "HRV", "exchange_rate_usd", 2022) == 7.1597415
    assert value(read, "HRV", "exchange_rate_usd", 2023) == 0.924839558470698
    # the euro area (EMU) is an aggregate milex knows: kept; the Arab World (ARB) is not
    assert value(read, "EMU", "exchange_rate_usd", 2023) == 0.924839558470698
    assert "ARB" not in set(read.iso3)
    # Russia 2024: null in WDI 2025-07, so no figure (never a zero)
    assert read.query("iso3 == 'RUS' and year == 2024 and indicator == 'exchange_rate_usd'").empty
    units = dict(zip(read.indicator, read.unit, strict=True))
    assert units == {
        "ppp_conversion_gdp": "LCU per international dollar",
        "exchange_rate_usd": "LCU per USD (period average)",
    }
    assert read.citation.iloc[0].startswith("World Bank, World Development Indicators, PA.NUS.")


def test_bulk_csv_reads_back_every_figure(tmp_path, fx):
    path = write_worldbank_csv(
        tmp_path / "API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv", fx, "PA.NUS.FCRF", "2025-07-01"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as published
    parsed = worldbank.read([path])
    assert (parsed.vintage, parsed.layout) == ("2025-07", "worldbank-csv")
    assert_round_trip(parsed.observations, fx)
    assert value(parsed.observations, "RUS", "exchange_rate_usd", 2023) == 85.1620083333333


def test_pages_of_one_indicator_read_together_and_an_incomplete_set_refused(tmp_path, ppp):
    first, second = ppp[ppp.iso3 < "HRV"], ppp[ppp.iso3 >= "HRV"]
    one = write_worldbank_json(tmp_path / "p1.json", first, "PA.NUS.PPP", "2026-03-05", pages=2)
    two = write_worldbank_json(
        tmp_path / "p2.json", second, "PA.NUS.PPP", "2026-03-05", page=2, pages=2
    )
    # the writer says total = rows x pages; make it the true total of both pages
    answers = [json.loads(p.read_text()) for p in (one, two)]
    total = len(answers[0][1]) + len(answers[1][1])
    for path, answer in zip((one, two), answers, strict=True):
        answer[0]["total"] = total
        path.write_text(json.dumps(answer))
    assert_round_trip(worldbank.read([one, two]).observations, ppp)
    with pytest.raises(DataFileError, match=r"PA.NUS.PPP: pages \[1\] of 2 with .* observations "
                       r"were given; download all of them"):  # fmt: skip
        worldbank.read([one])


def test_api_error_answer_is_refused_with_its_message(tmp_path):
    path = tmp_path / "x.json"
    error = [{"message": [{"id": "120", "key": "Invalid value", "value": "The provided "
                           "parameter value is not valid"}]}]  # fmt: skip
    path.write_text(json.dumps(error))
    with pytest.raises(DataFileError, match=r"x.json: the World Bank API answered with an error: "
                       r"The provided parameter value is not valid"):  # fmt: skip
        worldbank.read([path])


def test_truncated_download_is_refused(tmp_path, ppp):
    path = write_worldbank_json(tmp_path / "ppp.json", ppp, "PA.NUS.PPP", "2026-03-05")
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(DataFileError, match=r"ppp.json: not a World Bank API answer .* truncated"):
        worldbank.read([path])


def test_text_in_a_value_is_refused_naming_the_observation(tmp_path, ppp):
    path = write_worldbank_json(tmp_path / "ppp.json", ppp, "PA.NUS.PPP", "2026-03-05")
    meta, rows = json.loads(path.read_text())
    rows[2]["value"] = "42.7"
    path.write_text(json.dumps([meta, rows]))
    with pytest.raises(DataFileError, match=r"ppp.json, observation 3: value '42.7' is not a "):
        worldbank.read([path])


def test_text_in_a_bulk_cell_names_line_country_and_year(tmp_path, fx):
    path = write_worldbank_csv(tmp_path / "API_fx.csv", fx, "PA.NUS.FCRF", "2025-07-01")
    text = path.read_text(encoding="utf-8-sig").replace('"105.48"', '"n.a.!"')
    path.write_text(text, encoding="utf-8-sig")
    # line 6 is the first country (Albania) after four preamble lines and the header
    with pytest.raises(DataFileError, match=r"API_fx.csv, line 6 \(ALB\), column 2014: 'n.a.!'"):
        worldbank.read([path])


def test_a_changed_bulk_header_is_refused(tmp_path, fx):
    path = write_worldbank_csv(tmp_path / "API_fx.csv", fx, "PA.NUS.FCRF", "2025-07-01")
    path.write_text(path.read_text(encoding="utf-8-sig").replace("Country Code", "ISO3"))
    with pytest.raises(DataFileError, match="expected the World Bank bulk CSV layout"):
        worldbank.read([path])


def test_files_without_a_known_indicator_are_refused(tmp_path, ppp):
    path = write_worldbank_json(tmp_path / "pop.json", ppp, "SP.POP.TOTL", "2026-03-05")
    with pytest.raises(DataFileError, match=r"pop.json: none of the indicators milex reads "
                       r"\(PA.NUS.PPP, PA.NUS.FCRF, .*\(found: SP.POP.TOTL\)"):  # fmt: skip
        worldbank.read([path])


def test_an_unknown_indicator_beside_known_ones_is_noted(tmp_path, ppp):
    paths = [
        write_worldbank_json(tmp_path / "ppp.json", ppp, "PA.NUS.PPP", "2026-03-05"),
        write_worldbank_json(tmp_path / "pop.json", ppp, "SP.POP.TOTL", "2026-03-05"),
    ]
    parsed = worldbank.read(paths)
    assert set(parsed.observations.indicator) == {"ppp_conversion_gdp"}
    # PPP alone is not the whole edition: it must not stand in for one that has the exchange
    # rates too
    assert parsed.edition["complete"] is False
    assert parsed.edition["coverage_note"] == (
        "PA.NUS.PPP last updated 2026-03-05; not in this edition: PA.NUS.FCRF; "
        "indicators not read: SP.POP.TOTL"
    )


def test_progress_is_told_per_file(tmp_path, ppp):
    seen = []
    path = write_worldbank_json(tmp_path / "ppp.json", ppp, "PA.NUS.PPP", "2026-03-05")
    worldbank.read([path], lambda *a: seen.append(a))
    assert seen == [(1, 1, "ppp.json")]


def test_a_swapped_mapping_fails_the_round_trip(tmp_path, ppp, monkeypatch):
    path = write_worldbank_json(tmp_path / "ppp.json", ppp, "PA.NUS.PPP", "2026-03-05")
    codes = dict(worldbank.indicator_codes())
    codes["PA.NUS.PPP"] = ("exchange_rate_usd", "LCU per USD (period average)")
    monkeypatch.setattr(worldbank, "indicator_codes", lambda: codes)
    with pytest.raises(AssertionError):
        assert_round_trip(worldbank.read([path]).observations, ppp)


def test_a_unit_that_does_not_fit_indicators_csv_is_refused(tmp_path, ppp, monkeypatch):
    path = write_worldbank_json(tmp_path / "ppp.json", ppp, "PA.NUS.PPP", "2026-03-05")
    codes = dict(worldbank.indicator_codes())
    codes["PA.NUS.PPP"] = ("ppp_conversion_gdp", "LCU per USD")
    monkeypatch.setattr(worldbank, "indicator_codes", lambda: codes)
    with pytest.raises(DataFileError, match=r"worldbank_codes.csv: indicator 'ppp_conversion_gdp'"):
        worldbank.read([path])


def test_the_military_share_of_gdp_is_read_as_percent_of_gdp(tmp_path):
    """MS.MIL.XPND.GD.ZS: SIPRI's share of GDP as the World Bank republishes it, in percent
    (Poland 2024: 4.2, a hand-made figure for this layout test)."""
    figures = pd.DataFrame({"iso3": ["POL"], "year": [2024], "value": [4.2]})
    path = write_worldbank_json(tmp_path / "mil.json", figures, "MS.MIL.XPND.GD.ZS", "2025-07-01")
    read = worldbank.read([path]).observations
    assert list(zip(read.indicator, read.value, read.unit, strict=True)) == [
        ("share_gdp", 4.2, "percent of GDP")
    ]
