"""The static site (``milex site``, milex.web.site.export) opened from file:// in Debian's
Chromium: its charts are drawn, its controls work, nothing is asked of any network.

Expected figures: NATO's 2026-07 edition (src/milex/data/observations/nato_2026-07.csv),
Poland 3.75% of GDP in 2024 (actual).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import web_server
from tests.web_server import Watch, drawn, poland_row

chromium_browser = web_server.chromium_browser  # one Chromium for this module
screenshots = web_server.screenshots


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The static site exported in English (one language: an export takes about a second per
    page; the languages themselves are tested on the live server)."""
    from milex.web.site import export

    outdir = tmp_path_factory.mktemp("site")
    export(outdir, langs=("en",))
    return outdir


@pytest.fixture
def visit(chromium_browser):
    """Open a file of the site in a fresh context that may load nothing but file:// (and data:
    and blob: URLs): ``visit(path)`` returns the page and its :class:`Watch`."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})

    def open_file(path: Path):
        assert path.is_file(), f"the static site has no {path}"
        page = context.new_page()
        watch = Watch(page, allowed_hosts=set())
        page.goto(path.as_uri())
        return page, watch

    yield open_file
    context.close()


def test_overview_opens_from_file_with_its_chart_and_year_control(site, visit, screenshots):
    page, watch = visit(site / "index.html")
    page.wait_for_url("**/en/index.html")  # the root page leads to the language's overview
    drawn(page, "chart-status")
    page.select_option("#year", "2024")
    expect(poland_row(page)).to_contain_text("3.75")
    drawn(page, "chart-status")
    page.screenshot(path=str(screenshots / "static-overview.png"), full_page=True)
    watch.assert_clean()


def test_country_page_opens_from_file_with_its_charts(site, visit, screenshots):
    page, watch = visit(site / "en" / "index.html")
    drawn(page, "chart-status")
    page.locator("a[href*=DEU]").first.click()
    page.wait_for_url("file://**/*DEU*")
    drawn(page, "chart-history")
    drawn(page, "chart-path")
    page.screenshot(path=str(screenshots / "static-country-DEU.png"), full_page=True)
    watch.assert_clean()
