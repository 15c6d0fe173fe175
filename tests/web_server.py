"""A live milex web server and a headless Chromium for the browser tests (Playwright).

The server is uvicorn running :func:`milex.web.app.create_app` in a background thread on a free
loopback port; the browser is Debian's ``chromium`` driven by Playwright (its own browser
download is not used: ``playwright install`` is never run). Run as a script, it saves a
screenshot of the overview page for the README::

    python tests/web_server.py --screenshot docs/screenshot-overview.png
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

#: Hosts a page may talk to: the test server's loopback address only.
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

#: URL schemes a page may load without a network (the static site, inline images, blobs).
LOCAL_SCHEMES = {"file", "data", "blob", "about"}


def find_chromium() -> str | None:
    """The Chromium executable, found as ``milex report --format pdf`` finds it
    (:func:`milex.web.report.chromium`: ``$MILEX_CHROMIUM``, else the PATH); None when there
    is none."""
    from milex.errors import MilexError
    from milex.web.report import chromium

    try:
        return chromium()
    except MilexError:
        return None


@contextlib.contextmanager
def live_server(host: str = "127.0.0.1", timeout: float = 30.0) -> Iterator[str]:
    """Serve milex's web application on a free port of ``host``; yields its base URL
    (``http://127.0.0.1:PORT``, no trailing slash). The server stops on exit."""
    import uvicorn

    from milex.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the milex web server did not start within {timeout:.0f} s")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


@contextlib.contextmanager
def chromium(executable: str) -> Iterator:
    """A headless Chromium driven by Playwright's sync API. Playwright starts it with
    ``--no-sandbox`` itself (chromium_sandbox defaults to False) and with a fresh temporary
    profile (no ``--user-data-dir`` is passed)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def no_chromium() -> None:
    """Skip (locally) or fail (in CI, ``CI=true``) the tests that need a browser."""
    reason = (
        "NO CHROMIUM: the browser tests did not run. Install Debian's chromium "
        "(apt-get install --no-install-recommends chromium) or set MILEX_CHROMIUM to a Chromium "
        "executable; Playwright's own browser download (playwright install) is not used."
    )
    if os.environ.get("MILEX_CHROMIUM"):
        reason += f" MILEX_CHROMIUM={os.environ['MILEX_CHROMIUM']} is not a program."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    warnings.warn(reason, pytest.PytestWarning, stacklevel=2)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium_browser():
    """One headless Chromium per test module."""
    executable = find_chromium()
    if executable is None:
        no_chromium()
    with chromium(executable) as launched:
        yield launched


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    """One live milex server per test module: its base URL."""
    with live_server() as url:
        yield url


@pytest.fixture(scope="module")
def screenshots(request, tmp_path_factory) -> Path:
    """The folder of this run's page screenshots: ``$MILEX_SCREENSHOTS``, else ``screenshots``
    in pytest's temporary directory of the run. Printed (past pytest's capture) so that it can
    be found."""
    given = os.environ.get("MILEX_SCREENSHOTS")
    folder = Path(given) if given else tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print(f"\n[{request.module.__name__}] screenshots: {folder}")
    return folder


class Watch:
    """What a page did: its console errors and uncaught exceptions, and every URL it asked for
    outside the allowed hosts (those requests are aborted, so nothing leaves the machine)."""

    def __init__(self, page, allowed_hosts: set[str] = LOOPBACK):
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.allowed = allowed_hosts
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("request", self._request)
        page.route("**/*", self._route)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in LOCAL_SCHEMES or parts.hostname in self.allowed

    def _request(self, request) -> None:
        if not self._local(request.url):
            self.outside.append(request.url)

    def _route(self, route) -> None:
        if self._local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def assert_clean(self) -> None:
        """No console error, no uncaught exception, no request outside the allowed hosts."""
        assert self.errors == [], self.errors
        assert self.outside == [], f"requests outside loopback/file: {self.outside}"


def drawn(page, chart_id: str, timeout: float = 15_000) -> None:
    """Wait until plotly has drawn the chart ``#chart_id`` (its ``.main-svg`` exists)."""
    page.wait_for_selector(f"#{chart_id} .main-svg", state="attached", timeout=timeout)


def shown_rows(page, table: str):
    """The rows of a table's shown body (a table holds one body per year or basis; the others
    are hidden)."""
    return page.locator(f"#{table} tbody:not([hidden]) tr")


def poland_row(page):
    """The status table's row of Poland (in any language: the row linking to its page)."""
    return shown_rows(page, "status-table").filter(has=page.locator("a[href*=POL]"))


def save_overview(target: Path, year: int = 2024, width: int = 1200, height: int = 900) -> int:
    """Save a PNG screenshot of the overview page (English) in ``year`` to ``target`` (2024:
    NATO's actual figures, drawn solid; estimates are hatched); its size in bytes."""
    executable = find_chromium()
    if executable is None:
        raise SystemExit("no Chromium found: apt-get install chromium, or set MILEX_CHROMIUM")
    with live_server() as url, chromium(executable) as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{url}/?lang=en")
        page.select_option("#year", str(year))
        drawn(page, "chart-status")
        page.wait_for_timeout(500)  # plotly's transitions settle
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target))
    return target.stat().st_size


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A screenshot of milex's overview page.")
    parser.add_argument("--screenshot", type=Path, required=True, help="the PNG file to write")
    parser.add_argument("--year", type=int, default=2024, help="the year shown")
    args = parser.parse_args()
    size = save_overview(args.screenshot, args.year)
    print(f"{args.screenshot}: {size / 1024:.0f} KB")
