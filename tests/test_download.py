"""Downloads of official files (milex.readers.download) against a loopback server standing in
for the publishers (tests/http_server.py): slow hosts, missing and renamed files, broken and
failing downloads, and no network at all. Retries wait 0.01 s, so every test is quick."""

from __future__ import annotations

import hashlib
import socket
import time
from datetime import UTC, datetime

import pytest

from milex import __version__
from milex.errors import MilexError, NetworkError
from milex.readers.download import download
from tests import http_server

http_files = http_server.http_files

#: A body of 10,000 bytes that is not all one byte (so a half is not the whole shifted).
BODY = bytes(range(256)) * 39 + bytes(16)
#: The start of an .xlsx workbook (a zip archive), enough for the check of its kind.
XLSX = b"PK\x03\x04" + bytes(2000)
FAST = {"backoff": 0.01, "timeout": 1.0}


def _one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_a_file_is_downloaded_whole_with_its_checksum_date_and_milex_user_agent(
    http_files, tmp_path
):
    url = http_files.serve(
        "files/def-exp-2026-en.xlsx", BODY, last_modified="Tue, 26 Aug 2025 09:00:00 GMT"
    )
    got = download([url], tmp_path, **FAST)
    assert got.path == tmp_path / "def-exp-2026-en.xlsx"
    assert got.path.read_bytes() == BODY
    assert got.size == 10_000
    assert got.sha256 == hashlib.sha256(BODY).hexdigest()
    assert got.url == url
    assert got.last_modified == datetime(2025, 8, 26, 9, 0, tzinfo=UTC)
    assert http_files.headers("files/def-exp-2026-en.xlsx")["User-Agent"].startswith(
        f"milex/{__version__} "
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["def-exp-2026-en.xlsx"]


def test_a_slow_host_within_the_timeout_is_waited_for_and_progress_is_told(http_files, tmp_path):
    url = http_files.serve("slow.xlsx", BODY, mode="slow", delay=0.2, pause=0.05, chunk=2500)
    seen = []
    got = download([url], tmp_path, progress=lambda *a: seen.append(a), timeout=1.0)
    assert got.path.read_bytes() == BODY
    assert http_files.requests("slow.xlsx") == 1
    assert seen[-1] == (10_000, 10_000, "download slow.xlsx")
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)


def test_a_host_that_does_not_answer_in_time_is_tried_again_then_refused(http_files, tmp_path):
    url = http_files.serve("stuck.xlsx", BODY, mode="slow", delay=5)
    started = time.monotonic()
    with pytest.raises(NetworkError) as exc:
        download([url], tmp_path, timeout=0.2, attempts=3, backoff=0.01)
    assert time.monotonic() - started < 1.5
    assert _one_line(exc) == (
        "cannot reach 127.0.0.1 (no answer within 0.2 s) after 3 attempts: nothing was changed; "
        "check the connection or try again later, or download the file yourself and run "
        "milex update --file PATH"
    )
    assert http_files.requests("stuck.xlsx") == 3
    assert list(tmp_path.iterdir()) == []


def test_a_404_moves_on_to_the_next_address_without_asking_again(http_files, tmp_path):
    old = http_files.serve("def-exp-2027-en.xlsx", BODY, mode="missing")
    new = http_files.serve("def-exp-2026-en.xlsx", BODY)
    got = download([old, new], tmp_path, **FAST)
    assert got.url == new
    assert got.path.name == "def-exp-2026-en.xlsx"
    assert (
        http_files.requests("def-exp-2027-en.xlsx"),
        http_files.requests("def-exp-2026-en.xlsx"),
    ) == (1, 1)


def test_a_file_missing_everywhere_names_every_address_and_suggests_url_or_file(
    http_files, tmp_path
):
    first = http_files.url("SIPRI-Milex-data-1949-2025.xlsx")
    second = http_files.serve("SIPRI-Milex-data-1949-2025_v1.2.xlsx", mode="gone")
    with pytest.raises(MilexError) as exc:
        download([first, second], tmp_path, **FAST)
    assert not isinstance(exc.value, NetworkError)
    assert _one_line(exc) == (
        f"the file is not at the 2 addresses tried ({first} (HTTP 404 Not Found); "
        f"{second} (HTTP 410 Gone)): the publisher may have renamed it; give its new address "
        "with milex update --url URL, or download the file yourself and run milex update "
        "--file PATH"
    )
    assert http_files.requests("SIPRI-Milex-data-1949-2025.xlsx") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", ["truncated", "truncated_chunked"])
def test_a_download_that_breaks_off_once_is_tried_again(http_files, tmp_path, mode):
    url = http_files.serve("def-exp-2026-en.xlsx", BODY, mode=mode, times=1)
    got = download([url], tmp_path, **FAST)
    assert got.path.read_bytes() == BODY
    assert got.sha256 == hashlib.sha256(BODY).hexdigest()
    assert http_files.requests("def-exp-2026-en.xlsx") == 2


@pytest.mark.parametrize(
    ("mode", "received"),
    [("truncated", "5,000 of 10,000 bytes"), ("truncated_chunked", "5,000 bytes")],
)
def test_a_download_that_always_breaks_off_fails_and_keeps_the_previous_file(
    http_files, tmp_path, mode, received
):
    previous = tmp_path / "def-exp-2026-en.xlsx"
    previous.write_bytes(b"last year's file")
    url = http_files.serve("def-exp-2026-en.xlsx", BODY, mode=mode)
    with pytest.raises(NetworkError) as exc:
        download([url], tmp_path, attempts=3, **FAST)
    assert _one_line(exc) == (
        f"the download of {url} broke off (received {received}) after 3 attempts: nothing was "
        "changed; try again later, or download the file yourself and run milex update --file PATH"
    )
    assert http_files.requests("def-exp-2026-en.xlsx") == 3
    assert list(tmp_path.iterdir()) == [previous]  # no partial file, the old one untouched
    assert previous.read_bytes() == b"last year's file"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_server_error_is_tried_again_until_the_file_comes(http_files, tmp_path, status):
    url = http_files.serve("weo.xlsx", XLSX, mode="error", status=status, times=2)
    got = download([url], tmp_path, attempts=3, expect=[".xlsx"], **FAST)
    assert got.path.read_bytes() == XLSX
    assert http_files.requests("weo.xlsx") == 3  # two errors, then the file


def test_a_server_error_every_time_fails_after_the_attempts_given(http_files, tmp_path):
    url = http_files.serve("weo.xlsx", XLSX, mode="error", status=503)
    with pytest.raises(NetworkError) as exc:
        download([url], tmp_path, attempts=4, **FAST)
    assert _one_line(exc).startswith(
        f"127.0.0.1 answered HTTP 503 Service Unavailable to {url} after 4 attempts: nothing was "
        "changed; try again later, "
    )
    assert http_files.requests("weo.xlsx") == 4


def test_retries_wait_longer_each_time(http_files, tmp_path):
    """backoff 0.1 and 3 attempts: waits of 0.1 and 0.2 s, 0.3 s at least in all."""
    url = http_files.serve("weo.xlsx", BODY, mode="error")
    started = time.monotonic()
    with pytest.raises(NetworkError):
        download([url], tmp_path, attempts=3, backoff=0.1, timeout=1.0)
    assert 0.3 <= time.monotonic() - started < 1.0


def test_a_renamed_file_that_redirects_is_taken_under_its_new_name(http_files, tmp_path):
    old = http_files.serve("def-exp-2026.xlsx", mode="redirect", to="def-exp-2026-en.xlsx")
    new = http_files.serve("def-exp-2026-en.xlsx", XLSX)
    got = download([old], tmp_path, expect=[".xlsx"], **FAST)
    assert (got.path.name, got.url) == ("def-exp-2026-en.xlsx", new)
    assert got.path.read_bytes() == XLSX
    assert (
        http_files.requests("def-exp-2026.xlsx") == http_files.requests("def-exp-2026-en.xlsx") == 1
    )


def test_the_name_the_server_gives_wins_and_an_expected_suffix_is_added(http_files, tmp_path):
    named = http_files.serve("download", XLSX, filename="../SIPRI-Milex-data-1949-2025.xlsx")
    assert download([named], tmp_path, **FAST).path == tmp_path / "SIPRI-Milex-data-1949-2025.xlsx"
    dots = http_files.serve("", XLSX, filename="..")  # the root, named "..": neither will do
    assert download([dots], tmp_path, expect=[".xlsx"], **FAST).path.name == "127.0.0.1.xlsx"
    api = http_files.serve("v2/country/all/indicator/PA.NUS.PPP", b"[{}]")
    got = download([api + "?format=json"], tmp_path, expect=[".json"], **FAST)
    assert got.path == tmp_path / "PA.NUS.PPP.json"


def test_an_html_page_where_a_workbook_was_expected_is_not_the_file(http_files, tmp_path):
    page = b"<!DOCTYPE html><html><body>Page not found</body></html>"
    soft = http_files.serve("moved.xlsx", page, content_type="text/html; charset=utf-8")
    sniffed = http_files.serve("sniffed.xlsx", b"\n  " + page)  # sent as octet-stream
    text = http_files.serve("text.xlsx", b"Country\tYear\n")
    with pytest.raises(MilexError) as exc:
        download([soft, sniffed, text], tmp_path, expect=[".xlsx"], **FAST)
    assert _one_line(exc) == (
        f"none of the 3 addresses tried gave the file ({soft} (an HTML page, not a .xlsx file); "
        f"{sniffed} (an HTML page, not a .xlsx file); {text} (a file of another kind, not a "
        ".xlsx file)): give its address with milex update --url URL, or download the file "
        "yourself and run milex update --file PATH"
    )
    assert list(tmp_path.iterdir()) == []
    good = http_files.serve("def-exp-2026-en.xlsx", XLSX)
    assert download([soft, good], tmp_path, expect=[".xlsx"], **FAST).url == good


def test_weo_text_named_xls_is_taken_as_it_comes(http_files, tmp_path):
    """The IMF's WEOApr2026all.xls is tab-separated text: .xls has no signature to insist on."""
    local = tmp_path / "local" / "WEOApr2026all.xls"
    local.parent.mkdir()
    local.write_bytes(b"WEO Country Code\tISO\n")
    url = http_files.serve("WEOApr2026all.xls", local)  # served from a file
    tmp_path = tmp_path / "downloads"
    got = download([url], tmp_path, expect=[".xlsx", ".xls", ".tsv", ".txt"], **FAST)
    assert got.path == tmp_path / "WEOApr2026all.xls"
    assert got.path.read_bytes() == local.read_bytes()


def test_no_network_is_one_line_exit_code_1_and_nothing_written(tmp_path):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError) as exc:
        download([f"http://127.0.0.1:{port}/def-exp-2026-en.xlsx"], tmp_path, attempts=2, **FAST)
    assert exc.value.exit_code == 1
    assert _one_line(exc) == (
        "cannot reach 127.0.0.1 (connection refused) after 2 attempts: nothing was changed; "
        "check the connection, or download the file yourself and run milex update --file PATH"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_download_leaves_no_temporary_file(http_files, tmp_path):
    url = http_files.serve("def-exp-2026-en.xlsx", BODY, mode="chunked", chunk=1000)

    def interrupt(done: int, total: int, what: str) -> None:
        if done >= 3000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download([url], tmp_path, progress=interrupt, **FAST)
    assert list(tmp_path.iterdir()) == []
    assert http_files.requests("def-exp-2026-en.xlsx") == 1


def test_no_address_and_an_unknown_scheme_are_refused_clearly(tmp_path):
    with pytest.raises(MilexError, match=r"^no address to download from: download the file"):
        download([], tmp_path)
    with pytest.raises(MilexError) as exc:
        download(["www.nato.int/def-exp-2026-en.xlsx", "https://[::1"], tmp_path, **FAST)
    assert "www.nato.int/def-exp-2026-en.xlsx (Request URL is missing an 'http://'" in str(
        exc.value
    )
    assert "; https://[::1 (Invalid port: ':1')): give its address" in str(exc.value)


def test_a_redirect_loop_is_not_the_file(http_files, tmp_path):
    loop = http_files.serve("def-exp-2026-en.xlsx", mode="redirect", to="def-exp-2026-en.xlsx")
    with pytest.raises(MilexError) as exc:
        download([loop], tmp_path, **FAST)
    assert f"({loop} (Exceeded maximum allowed redirects.))" in _one_line(exc)
    assert http_files.requests("def-exp-2026-en.xlsx") == 21  # httpx follows 20 redirects
