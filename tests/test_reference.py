"""The reference-file reader, on small files written here in the reference layout."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from milex.catalog import data_dir
from milex.errors import DataFileError
from milex.readers import edition_rules
from milex.readers.reference import read_observations

from .conftest import SHARED

#: The registry of editions.toml: which edition a row's source text names.
RULES = edition_rules()

NATO = (
    "iso3,country,year,indicator,value,unit,status,source\n"
    "POL,Poland,2024,share_gdp,4.12,percent,estimate,\"NATO 'Defence Expenditure of NATO "
    "Countries (2014-2024)' 17 June 2024 edition\"\n"
    "SWE,Sweden,2026,spend_usd_const2021,21538,USD million (2021 prices and exchange rates),"
    "estimate,\"NATO 'Defence Investment of NATO Countries (2014-2026)', July 2026 edition\"\n"
    "SWE,Sweden,2024,spend_national_current,140549,SEK million,actual,"
    "\"NATO 'Defence Investment of NATO Countries (2014-2026)', July 2026 edition\"\n"
)
SIPRI = (
    "iso3,country,year,indicator,value,unit,source\n"
    'RUS,Russia,2024,share_gdp,7.0523,percent of GDP,"SIPRI Military Expenditure Database, '
    "April 2025 release (sheet 'Share of GDP'); SIPRI estimate (blue cell)\"\n"
    'RUS,Russia,2014,spend_local_current,3350000,million RUB current,"SIPRI Military '
    "Expenditure Database, April 2025 release (sheet 'Local currency calendar years')\"\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fixture.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_nato_rows_normalised(tmp_path):
    obs = read_observations(write(tmp_path, NATO), RULES).set_index("iso3", append=True)
    assert obs["source"].tolist() == ["nato"] * 3
    assert obs["vintage"].tolist() == ["2024-06", "2026-07", "2026-07"]
    assert obs["unit"].tolist() == [
        "percent of GDP",
        "USD million constant 2021",
        "SEK million current",
    ]
    assert obs["indicator"].tolist() == ["share_gdp", "spend_usd_const", "spend_national_current"]
    assert obs["value"].tolist() == [4.12, 21538.0, 140549.0]


def test_sipri_status_from_blue_cells(tmp_path):
    obs = read_observations(write(tmp_path, SIPRI), RULES)
    assert obs["status"].tolist() == ["estimate", "actual"]
    assert obs["unit"].tolist() == ["percent of GDP", "RUB million current"]
    assert obs["indicator"].tolist() == ["share_gdp", "spend_national_current"]


def test_bad_number_names_file_line_field(tmp_path):
    with pytest.raises(DataFileError, match=r"fixture.csv, line 3, field value"):
        read_observations(write(tmp_path, NATO.replace("21538", "21538.x")), RULES)


def test_broken_csv_is_refused(tmp_path):
    with pytest.raises(DataFileError, match=r"fixture\.csv: not a readable CSV file"):
        read_observations(write(tmp_path, NATO.replace("21538", "21,538")), RULES)


def test_unknown_unit_and_edition_are_refused(tmp_path):
    with pytest.raises(DataFileError, match=r"line 2, field unit: unknown unit 'furlongs'"):
        read_observations(write(tmp_path, NATO.replace(",percent,", ",furlongs,")), RULES)
    with pytest.raises(DataFileError, match="line 2, field source: no known edition"):
        read_observations(write(tmp_path, NATO.replace("(2014-2024)", "(1999-2000)")), RULES)


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the reference folder ../shared/data")
def test_embedded_data_is_current(tmp_path):
    """Re-building the embedded data from the reference files gives the shipped bytes."""
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    import embed_reference

    out = tmp_path / "data"
    shutil.copytree(data_dir(), out)
    embed_reference.main(["--reference", str(SHARED), "--out", str(out)])
    shipped = data_dir()
    names = ["sources.csv", "pledges.csv", "munitions.csv"]
    names += [f"observations/{p.name}" for p in (shipped / "observations").glob("*.csv")]
    mismatch = [n for n in names if not filecmp.cmp(out / n, shipped / n, shallow=False)]
    assert mismatch == []


def test_the_registry_in_editions_toml_names_each_editions_reader_and_match():
    from milex.catalog import read_toml
    from milex.readers import reader

    editions = read_toml("editions.toml")
    rules = {(source, vintage): match for match, source, vintage in RULES}
    # every edition is in the registry, read by the reference reader
    assert set(rules) == {(s, v) for s in editions for v in editions[s]}
    assert rules[("weo", "2026-04")] == "IMF WEO April 2026"
    assert reader(editions["sipri"]["2026-04"]["reader"]).read_observations is read_observations


@pytest.mark.parametrize(
    ("name", "message"),
    [("nonexistent", "no reader 'nonexistent'"), ("../evil", "is not a module name")],
)
def test_an_unknown_reader_is_a_clear_data_error(name, message):
    from milex.readers import reader

    with pytest.raises(DataFileError, match=message):
        reader(name)


def test_a_row_of_an_edition_missing_from_the_registry_is_refused(tmp_path):
    only_2026 = [rule for rule in RULES if rule[2] != "2024-06"]
    with pytest.raises(DataFileError, match="no known edition"):
        read_observations(write(tmp_path, NATO), only_2026)
