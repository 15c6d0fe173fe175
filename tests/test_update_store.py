"""milex update, store side: the registry of updates, the addresses tried, and a complete copy
of an edition milex ships in part (SIPRI's) replacing that subset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from milex.errors import InputError
from milex.store import open_store, update, userdata
from milex.store.doctor import verify as run_doctor
from tests import http_server

http_files = http_server.http_files


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


def test_an_edition_after_this_month_is_refused():
    with pytest.raises(InputError, match=r"vintage 2099-12 is after this month \(\d{4}-\d{2}\)"):
        update.prepare("sipri", vintage="2099-12")


def test_the_store_s_name_of_a_source_is_accepted_too():
    assert update.entry("wdi") == update.entry("worldbank")


def test_a_source_published_as_one_file_takes_one(tmp_path):
    files = [tmp_path / "def-exp-2025-en.xlsx", tmp_path / "def-exp-2026-en.xlsx"]
    for path in files:
        path.write_bytes(b"PK")
    with pytest.raises(InputError, match=r"nato comes in one file; got 2: give one file at a"):
        update.prepare("nato", files)


def test_a_file_and_an_address_together_are_refused(tmp_path):
    import milex

    with pytest.raises(InputError, match=r"file and url: give one"):
        milex.update("nato", file=[tmp_path / "x.xlsx"], url="http://127.0.0.1:9/x.xlsx")


def test_a_file_of_the_wrong_type_is_refused_with_the_types_read(tmp_path):
    csv = tmp_path / "sipri.csv"
    csv.write_text("Country,2024\n")
    with pytest.raises(InputError, match=r"a sipri file is \.xlsx, not \.csv"):
        update.prepare("sipri", [csv])


# ------------------------------------------------------------------ a full copy replaces a subset

#: SIPRI April 2026 release (sipri_milex_2026.csv in the reference compilation): Afghanistan is
#: outside the subset milex ships; Russia's 2025 share of GDP is 7.5 % per SIPRI's fact sheet.
#: Afghanistan 1970, outside the subset milex ships (sipri_milex_2026.csv in the reference
#: compilation, from SIPRI's April 2026 workbook).
AFGHANISTAN = ("AFG", 1970, "share_gdp", 1.6296, "percent of GDP", "actual")


def _sipri(
    data: Path, complete: bool = True, drop: int = 0
) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """A copy of SIPRI's April 2026 edition: the subset milex ships (less its first ``drop``
    figures) and Afghanistan."""
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
    shipped = pd.read_csv(data / "observations" / "sipri_2026-04.csv").iloc[drop:]
    obs = pd.concat(
        [shipped, pd.DataFrame([AFGHANISTAN], columns=shipped.columns[1:])], ignore_index=True
    ).assign(source_id="user-sipri-2026-04-1")
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

    userdata.add_edition(*_sipri(data_copy), folder=data_copy, cache_dir=home)
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
    # the user's copy alone is served for that edition: SIPRI 2026-04 ships 2,317 figures
    # (docs/data.md), the copy adds Afghanistan; none of the shipped origins remain
    assert len(full) == 2317 + 1
    assert full.query("iso3 == 'AFG'")["value"].tolist() == [1.6296]
    assert set(full["source_id"]) == {"user-sipri-2026-04-1"}
    assert len(older) > 30  # the 2025 release, shipped, is untouched
    # the doctor sees the user's copy in use, not "part of milex's own data now"
    rows = run_doctor(data_copy, home).frame.set_index(["check", "subject"])
    assert rows.loc[("user edition", "sipri 2026-04"), "status"] == "ok"


def test_a_partial_copy_of_a_shipped_subset_is_refused(data_copy, home):
    with pytest.raises(InputError, match="sipri 2026-04 is part of milex's own data already, in"):
        userdata.add_edition(*_sipri(data_copy, complete=False), folder=data_copy, cache_dir=home)
    # said to be complete, but lacking one figure of the subset it would replace
    with pytest.raises(InputError, match=r"this copy lacks 1 of the 2,317 figures milex ships"):
        userdata.add_edition(*_sipri(data_copy, drop=1), folder=data_copy, cache_dir=home)
    assert not userdata.user_path(home).exists()


def test_an_added_edition_is_replaced_by_a_corrected_copy_in_one_step(data_copy, home):
    meta, obs, origins = _sipri(data_copy)
    userdata.add_edition(meta, obs, origins, folder=data_copy, cache_dir=home)
    with pytest.raises(InputError, match="sipri 2026-04 was added already"):
        userdata.add_edition(meta, obs, origins, folder=data_copy, cache_dir=home)
    fixed = obs.assign(value=obs["value"].where(obs["iso3"] != "AFG", 1.17))
    userdata.add_edition(meta, fixed, origins, folder=data_copy, cache_dir=home, replace=True)
    store = open_store(data_copy, home)
    try:
        afghanistan = store.observations("sipri", "2026-04", ["AFG"])["value"].tolist()
        figures = len(store.observations("sipri", "2026-04"))
    finally:
        store.close()
    assert (afghanistan, figures) == ([1.17], 2317 + 1)


def test_a_failing_host_is_tried_four_times_then_nothing_is_changed(http_files, monkeypatch):
    """docs/update.md: retried with backoff, 4 attempts, then one line and exit code 1."""
    import time

    from milex.errors import NetworkError

    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", pauses.append)  # the pauses recorded, not waited
    http_files.serve("SIPRI-Milex-data-1949-2025.xlsx", b"PK", mode="error", status=503)
    with pytest.raises(NetworkError, match=r"HTTP 503 .* after 4 attempts: nothing was changed"):
        update.prepare("sipri", url=http_files.url("SIPRI-Milex-data-1949-2025.xlsx"))
    assert http_files.requests("SIPRI-Milex-data-1949-2025.xlsx") == 4
    assert pauses == [0.5, 1.0, 2.0]  # docs/update.md: backoff 0.5, 1, 2 s
