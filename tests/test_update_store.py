"""milex update, store side: the registry of updates, the addresses tried, and a complete copy
of an edition milex ships in part (SIPRI's) replacing that subset."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from milex.errors import InputError
from milex.store import open_store, update, userdata


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def test_the_registry_names_the_four_sources_and_a_reader_for_each():
    assert update.names() == ["nato", "sipri", "weo", "worldbank"]
    assert [update.entry(n)["source"] for n in update.names()] == ["nato", "sipri", "weo", "wdi"]
    with pytest.raises(InputError, match=r"unknown source 'natoo' \(did you mean nato\?\)"):
        update.entry("natoo")


def test_addresses_tried_newest_first_and_never_a_weo_not_yet_published():
    on = dt.date(2026, 11, 30)
    nato = update.candidates(update.entry("nato"), on)
    assert [u.rsplit("/", 1)[1] for u in nato] == ["def-exp-2026-en.xlsx", "def-exp-2025-en.xlsx"]
    sipri = [u.rsplit("/", 1)[1] for u in update.candidates(update.entry("sipri"), on)]
    # SIPRI's April 2026 release holds data to 2025: its file is named for 2025
    assert sipri[:2] == ["SIPRI-Milex-data-1949-2025.xlsx", "SIPRI-Milex-data-1949-2025_v1.2.xlsx"]
    weo = [u.rsplit("/", 1)[1] for u in update.candidates(update.entry("weo"), on)]
    assert weo == ["WEOOct2026all.xlsx", "WEOApr2026all.xlsx", "WEOOct2025all.xlsx",
                   "WEOApr2025all.xlsx"]  # fmt: skip
    # on 1 March 2026 neither the April nor the October 2026 WEO exists yet
    early = [
        u.rsplit("/", 1)[1] for u in update.candidates(update.entry("weo"), dt.date(2026, 3, 1))
    ]
    assert early[0] == "WEOOct2025all.xlsx"
    assert len(update.candidates(update.entry("worldbank"), on)) == 2  # one per indicator


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("SIPRI-Milex-data-1949-2025_v1.2.xlsx", "sipri"),
        ("def-exp-2026-en.xlsx", "nato"),
        ("WEOApr2025all.xls", "weo"),
    ],
)
def test_a_file_tells_its_source_by_its_official_name(tmp_path, name, source):
    assert update.guess(tmp_path / name) == source


def test_a_file_of_no_known_name_asks_for_the_source(tmp_path):
    with pytest.raises(InputError, match=r"cannot tell which source data\.xlsx is .*--source nato"):
        update.guess(tmp_path / "data.xlsx")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vintage": "2026-13"}, r"vintage '2026-13' is not a year and month YYYY-MM"),
        ({"files": ["missing.xlsx"]}, r"no such file: missing\.xlsx"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_read(kwargs, message):
    with pytest.raises(InputError, match=message):
        update.prepare("sipri", **kwargs)


def test_a_file_of_the_wrong_type_is_refused_with_the_types_read(tmp_path):
    csv = tmp_path / "sipri.csv"
    csv.write_text("Country,2024\n")
    with pytest.raises(InputError, match=r"a sipri file is \.xlsx, not \.csv"):
        update.prepare("sipri", [csv])


# ------------------------------------------------------------------ a full copy replaces a subset

#: SIPRI April 2026 release (sipri_milex_2026.csv in the reference compilation): Afghanistan is
#: outside the subset milex ships; Russia's 2025 share of GDP is 7.5 % per SIPRI's fact sheet.
FULL = [
    ("AFG", 1970, "share_gdp", 1.6296, "percent of GDP", "actual"),
    ("RUS", 2025, "share_gdp", 7.5, "percent of GDP", "estimate"),
]


def _sipri(complete: bool) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    meta = {
        "source": "sipri",
        "vintage": "2026-04",
        "publisher": "SIPRI",
        "title": "SIPRI Military Expenditure Database",
        "published": "2026-04-27",
        "url": "https://www.sipri.org/databases/milex",
        "licence": "SIPRI terms",
        "cite": "SIPRI Military Expenditure Database 2026",
        "reader": "sipri (test)",
        "complete": complete,
    }
    obs = pd.DataFrame(FULL, columns=["iso3", "year", "indicator", "value", "unit", "status"])
    obs.insert(0, "source_id", "user-sipri-2026-04-1")
    origins = pd.DataFrame(
        [("user-sipri-2026-04-1", "sipri", "2026-04", "SIPRI workbook (test)")],
        columns=["id", "source", "vintage", "citation"],
    )
    return meta, obs, origins


def test_a_complete_sipri_edition_replaces_the_subset_milex_ships(data_copy, home):
    assert ("sipri", "2026-04") in userdata.subsets(data_copy)
    assert ("nato", "2026-07") not in userdata.subsets(data_copy)  # shipped whole
    before = open_store(data_copy, home)
    try:
        shipped = before.observations("sipri", "2026-04", ["RUS"], ["share_gdp"])
        assert before.observations("sipri", "2026-04", ["AFG"]).empty
    finally:
        before.close()
    assert len(shipped) > 30  # the subset holds Russia's long series

    userdata.add_edition(*_sipri(complete=True), folder=data_copy, cache_dir=home)
    assert userdata.held_editions(home) == {("sipri", "2026-04")}
    store = open_store(data_copy, home)
    try:
        full = store.observations("sipri", "2026-04")
        older = store.observations("sipri", "2025-04", ["RUS"], ["share_gdp"])
        whole = ("iso3", "vintage", "indicator")  # notes about what a whole edition leaves out
        subset_notes = {
            v: store.notes("missing", "sipri", iso3=None, vintage=v, indicator=None, exact=whole)
            for v in ("2025-04", "2026-04")
        }
    finally:
        store.close()
    # "SIPRI figures for NATO allies are not embedded" no longer holds for the full copy
    assert subset_notes["2026-04"] == []
    assert "SIPRI figures for NATO allies are not embedded" in subset_notes["2025-04"][0]
    # the user's copy alone is served for that edition: none of the shipped rows remain
    assert sorted(zip(full["iso3"], full["year"], full["value"], strict=True)) == [
        ("AFG", 1970, 1.6296),
        ("RUS", 2025, 7.5),
    ]
    assert set(full["source_id"]) == {"user-sipri-2026-04-1"}
    assert len(older) > 30  # the 2025 release, shipped, is untouched


def test_a_partial_copy_of_a_shipped_subset_is_refused(data_copy, home):
    with pytest.raises(InputError, match="sipri 2026-04 is part of milex's own data already, in"):
        userdata.add_edition(*_sipri(complete=False), folder=data_copy, cache_dir=home)
    assert not userdata.user_path(home).exists()
