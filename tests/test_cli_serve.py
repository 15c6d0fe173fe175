"""``milex serve``: the dashboard on this machine, and one clear line when it cannot listen."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from milex.errors import MilexError
from milex.web import server, views
from milex.web.server import bind, is_loopback
from tests.test_cli import run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_port_in_use_is_one_line_with_another_port_to_try(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is in use by another program: choose another with "
        f"--port, e.g. --port {port + 1}"
    ]


def test_a_host_that_is_no_address_of_this_machine_is_refused(capsys):
    code, _, err = run(capsys, "serve", "--host", "nowhere.invalid")
    assert code == 2
    assert "host 'nowhere.invalid' is not a name or address of this machine" in err
    assert "use 127.0.0.1" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_port_outside_1_to_65535_is_a_usage_error(capsys, port):
    code, _, err = run(capsys, "serve", "--port", port)
    assert code == 2 and "port" in err.lower()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        *[("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.5.0.1", True)],
        *[("0.0.0.0", False), ("192.168.1.4", False), ("example.org", False)],
    ],
)
def test_loopback_hosts_are_told_from_others(host, loopback):
    assert is_loopback(host) is loopback


def test_bind_listens_on_the_port_it_was_given():
    port = free_port()
    sock = bind("127.0.0.1", port)
    try:
        assert sock.getsockname() == ("127.0.0.1", port)
    finally:
        sock.close()


@pytest.mark.network
def test_serve_answers_on_loopback_until_stopped(tmp_path):
    """The real command in a process of its own: the status route answers NATO's figures
    (Poland 2024: 3.75% of GDP, NATO July 2026 edition), and SIGINT (Ctrl+C) stops it
    without a traceback."""
    port = free_port()
    env = {**os.environ, "MILEX_HOME": os.environ.get("MILEX_HOME", str(tmp_path / "home"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "milex", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/status?year=2024", timeout=30
                ) as answer:
                    doc = json.load(answer)
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "milex serve did not answer in 120 s"
                time.sleep(0.2)
        rows = {row["iso3"]: row for row in doc["rows"]}
        assert rows["POL"]["share_gdp"] == 3.75
    finally:
        proc.send_signal(2)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode in (0, 130)  # 130: interrupted, as a shell reports Ctrl+C
    assert f"serving http://127.0.0.1:{port}/" in err
    assert "Traceback" not in err


def test_warm_works_out_the_slowest_pages_figures_before_the_first_visitor():
    server.warm()
    for cached in (views.statuses, views.comparison, views.scenario):
        assert cached.cache_info().currsize >= 1, cached.__name__


def test_warm_leaves_a_store_that_cannot_open_to_the_pages(monkeypatch):
    def broken(*args, **kwargs):
        raise MilexError("the data store is damaged")

    monkeypatch.setattr(views, "statuses", broken)
    server.warm()  # no exception: the overview page reports the problem to its visitor


# ------------------------------------------------------------------------ site and report


def test_site_command_writes_the_pages_of_the_languages_asked_for(capsys, tmp_path):
    out_dir = tmp_path / "public"
    code, out, err = run(capsys, "site", str(out_dir), "--lang", "nl")
    assert code == 0 and "Traceback" not in err
    assert f"files to {out_dir}" in out
    overview = (out_dir / "nl" / "index.html").read_text(encoding="utf-8")
    assert "3,75" in overview  # Poland 2024, NATO 2026-07, as Dutch writes it
    assert not (out_dir / "en").exists()


def test_site_command_refuses_a_folder_that_is_not_a_milex_site(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "site", str(tmp_path), "--lang", "en")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_report_command_writes_a_self_contained_html_report(capsys, tmp_path):
    target = tmp_path / "deu.html"
    code, _, err = run(capsys, "report", "DEU", "-o", str(target))
    assert code == 0 and f"wrote {target}" in err
    page = target.read_text(encoding="utf-8")
    assert "Germany" in page and "2.69" in page  # Germany 2026, NATO 2026-07 (estimate)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["report", "Atlantis", "-o", "x.html"], "unknown country 'Atlantis'"),
        (["report", "DEU", "-f", "docx", "-o", "x.docx"], "docx"),
        (["report", "DEU"], "--output"),
    ],
)
def test_report_command_bad_usage_is_one_line(capsys, tmp_path, monkeypatch, args, said):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2 and said in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
