"""The web pages in a real browser: Debian's Chromium driven by Playwright against a live milex
server on loopback (tests/web_server.py). Every page loads without a console error and without
a request leaving loopback, its charts are drawn, and the controls change what is shown.

Expected figures are NATO's 2026-07 edition (src/milex/data/observations/nato_2026-07.csv):
Poland's defence expenditure was 3.75% of GDP in 2024 (actual) and is 4.68% in 2026
(estimate); Germany's 2.0% in 2024 (actual).
"""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests import web_server
from tests.web_server import Watch, drawn, poland_row, shown_rows

chromium_browser = web_server.chromium_browser  # one Chromium for this module
live_url = web_server.live_url  # one live server for this module
screenshots = web_server.screenshots

#: Every page and the charts it draws (ids agreed with the pages' templates).
PAGES = {
    "overview": ("/", ("chart-status",)),
    "country": ("/country/DEU", ("chart-history", "chart-path")),
    "explorer": ("/explorer", ("chart-gap", "chart-path")),
    "russia": ("/russia", ("chart-compare",)),
    "munitions": ("/munitions", ("chart-munitions",)),
    "check": ("/check", ()),
}

#: What a chart's caption names: its source and edition (the munitions chart, whose estimates
#: come from no edition: each publisher, e.g. a row of data/munitions.csv).
EDITION = re.compile(r"(NATO|SIPRI|IMF|World Bank)\b.*\b20\d\d-\d\d")
CAPTIONS = {"chart-munitions": re.compile(r"Estonian defence officials via CNN, Sep 2023")}

#: Poland's share of GDP in NATO's 2026-07 edition, as each language writes it.
POLAND_2024 = {"en": "3.75", "nl": "3,75", "de": "3,75", "fr": "3,75"}
POLAND_2026 = {"en": "4.68", "nl": "4,68", "de": "4,68", "fr": "4,68"}

#: The phone width of the layout test (px) and the overflow tolerated (px).
PHONE = 375
SLACK = 2


@pytest.fixture(scope="module")
def context(chromium_browser):
    """One browser context for the module: plotly.js is fetched and compiled once (about 2 s
    a fresh context), each test opens its own pages."""
    context = chromium_browser.new_context(accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def visit(context, live_url):
    """Open a path of the live server in a new page: ``visit(path, width=...)`` returns the
    page and its :class:`Watch`. The pages are closed after the test."""
    pages = []

    def open_page(path: str, *, width: int = 1280, height: int = 900):
        page = context.new_page()
        pages.append(page)
        page.set_viewport_size({"width": width, "height": height})
        watch = Watch(page)
        page.goto(live_url + path)
        return page, watch

    yield open_page
    for page in pages:
        page.close()


def column_numbers(page, table: str, column: int) -> list[float]:
    """The numbers in a column of a table's shown body, in the order shown (read from the
    cells' text, English number format; cells without a number, a missing value, left out)."""
    cells = shown_rows(page, table).evaluate_all(
        "(rows, c) => rows.map(r => r.cells[c] ? r.cells[c].innerText : '')", column
    )
    found = [re.search(r"-?\d[\d,]*(?:\.\d+)?", cell) for cell in cells]
    return [float(m.group().replace(",", "")) for m in found if m]


def chart_data(page, chart_id: str) -> list:
    """The x and y values of every trace plotly drew in a chart."""
    return page.evaluate("id => document.getElementById(id).data.map(t => [t.x, t.y])", chart_id)


def test_chromium_runs_without_sandbox_and_with_its_own_profile(chromium_browser):
    """Playwright starts Chromium with --no-sandbox (needed as root in CI) and a temporary
    profile of its own; the tests pass neither."""
    page = chromium_browser.new_page()
    page.goto("chrome://version")
    command = page.locator("#command_line").inner_text()
    page.close()
    assert "--no-sandbox" in command.split()
    assert "--user-data-dir=" in command and "--headless" in command.split()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_draws_fits_a_phone_and_stays_on_loopback(visit, screenshots, name):
    """The page's charts are drawn, each captioned with its source and edition and offering
    CSV and PNG downloads; at a phone's width the page does not scroll sideways (its tables
    scroll in their own box); no console error, no request off loopback."""
    path, charts = PAGES[name]
    page, watch = visit(f"{path}?lang=en")
    for chart in charts:
        drawn(page, chart)
        figure = page.locator(f"figure.chart:has(#{chart})")
        expect(figure.locator("figcaption")).to_contain_text(
            CAPTIONS.get(chart, EDITION), use_inner_text=True
        )
        expect(figure.locator("button.download-csv")).to_have_count(1)
        expect(figure.locator("button.download-png")).to_have_count(1)
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": PHONE, "height": 800})
    wide = "limit => document.documentElement.scrollWidth <= limit"
    try:  # plotly redraws its charts at the new width a moment after the resize
        page.wait_for_function(wide, arg=PHONE + SLACK, timeout=5_000)
    except PlaywrightTimeout:
        width = page.evaluate("document.documentElement.scrollWidth")
        pytest.fail(f"{name}: the page is {width} px wide on a {PHONE} px screen")
    page.screenshot(path=str(screenshots / f"{name}-{PHONE}px.png"), full_page=True)
    watch.assert_clean()


def test_overview_in_each_language(visit, screenshots):
    """Each language: the page says its language, writes numbers its way and translates the
    interface (the year control's label differs in each)."""
    labels = {}
    for lang, poland in POLAND_2024.items():
        page, watch = visit(f"/?lang={lang}")
        drawn(page, "chart-status")
        assert page.evaluate("document.documentElement.lang") == lang
        page.select_option("#year", "2024")
        expect(poland_row(page)).to_contain_text(poland)
        labels[lang] = page.locator("label[for=year]").inner_text()
        page.screenshot(path=str(screenshots / f"overview-{lang}.png"), full_page=True)
        watch.assert_clean()
    assert len(set(labels.values())) == len(POLAND_2024), labels


def test_year_control_shows_that_years_figures(visit):
    page, watch = visit("/?lang=en")
    page.select_option("#year", "2024")
    expect(poland_row(page)).to_contain_text(POLAND_2024["en"])
    page.select_option("#year", "2026")
    expect(poland_row(page)).to_contain_text(POLAND_2026["en"])
    expect(poland_row(page)).not_to_contain_text(POLAND_2024["en"])
    drawn(page, "chart-status")
    watch.assert_clean()


def test_table_sorts_by_a_column_both_ways(visit):
    page, watch = visit("/?lang=en")
    page.select_option("#year", "2024")
    expect(poland_row(page)).to_contain_text(POLAND_2024["en"])
    cells = poland_row(page).locator("td, th").all_inner_texts()
    share = next(i for i, text in enumerate(cells) if POLAND_2024["en"] in text)
    button = page.locator("#status-table thead tr").last.locator("th").nth(share).locator("button")
    button.click()
    first = column_numbers(page, "status-table", share)
    button.click()
    second = column_numbers(page, "status-table", share)
    assert len(first) > 20, first
    assert first in (sorted(first), sorted(first, reverse=True)), first
    assert second == sorted(first, reverse=first == sorted(first)), second
    watch.assert_clean()


def test_keyboard_reaches_the_year_and_the_sort_buttons(visit):
    page, watch = visit("/?lang=en")
    drawn(page, "chart-status")
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id === 'year' ? 'year'"
                " : e.closest('#status-table thead') && e.tagName === 'BUTTON' ? 'sort' : ''; }"
            )
        )
        if {"year", "sort"} <= reached:
            break
    assert {"year", "sort"} <= reached, reached
    before = shown_rows(page, "status-table").first.inner_text()
    page.keyboard.press("Enter")  # sorts by the focused column
    page.keyboard.press("Enter")  # and the other way round
    assert shown_rows(page, "status-table").first.inner_text() != before
    watch.assert_clean()


def test_csv_download_holds_the_shown_figures(visit, tmp_path):
    page, watch = visit("/?lang=en")
    page.select_option("#year", "2024")
    expect(poland_row(page)).to_contain_text(POLAND_2024["en"])
    figure = page.locator("figure.chart:has(#chart-status)")
    with page.expect_download() as download:
        figure.locator("button.download-csv").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.suffix == ".csv"
    lines = target.read_text(encoding="utf-8").splitlines()
    # the source and edition first, as the API's CSV writes it: NATO's July 2026 edition
    assert lines[0].startswith("# NATO (2026), Defence Investment of NATO Countries"), lines[0]
    assert "July 2026" in lines[0]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("# ")))
    assert {"iso3", "year", "share_gdp"} <= set(rows[0]), rows[0]
    poland = [r for r in rows if r["iso3"] == "POL" and r["year"] == "2024"]
    assert [float(r["share_gdp"]) for r in poland] == [3.75]
    with page.expect_download() as picture:
        figure.locator("button.download-png").click()
    png = tmp_path / "chart.png"
    picture.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    watch.assert_clean()


@pytest.mark.parametrize(
    ("path", "chart", "cited"),
    [
        # the simulated path: its rows have no source column
        ("/country/POL", "chart-path", "# NATO (2026), Defence Investment of NATO Countries"),
        # the munitions estimates: each publisher (data/munitions.csv)
        ("/munitions", "chart-munitions", "# Estonian defence officials via CNN, Sep 2023"),
    ],
)
def test_csv_download_names_its_sources_first(visit, tmp_path, path, chart, cited):
    page, watch = visit(path)
    with page.expect_download() as download:
        page.locator(f"figure.chart:has(#{chart}) button.download-csv").click()
    target = tmp_path / "rows.csv"
    download.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("# ")]
    assert lines[: len(comments)] == comments and cited in [c[: len(cited)] for c in comments]
    assert "," in lines[len(comments)]  # the header row follows the citations
    watch.assert_clean()


def test_country_page_history_and_picking_another_country(visit):
    page, watch = visit("/country/DEU?lang=en")
    drawn(page, "chart-history")
    drawn(page, "chart-path")
    expect(page.locator("#pledges-table")).to_be_attached()
    # Germany 2024 at 2.0% of GDP in NATO's 2026-07 edition, among the history's points
    points = chart_data(page, "chart-history")
    assert any(
        (float(x), y) == (2024.0, 2.0) for xs, ys in points for x, y in zip(xs, ys, strict=False)
    ), points
    page.select_option("#country", "POL")
    page.locator("form:has(#country) [type=submit]").click()
    page.wait_for_url(re.compile(r"/country/POL"))
    expect(page.locator("h1")).to_contain_text("Poland")
    drawn(page, "chart-history")
    watch.assert_clean()


def test_explorer_form_redraws(visit):
    page, watch = visit("/explorer?lang=en")
    drawn(page, "chart-gap")
    drawn(page, "chart-path")
    expect(shown_rows(page, "gap-table").first).to_be_visible()
    page.locator("#explorer-form [type=submit]").click()
    drawn(page, "chart-gap")
    drawn(page, "chart-path")
    watch.assert_clean()


def test_russia_switch_from_market_rates_to_ppp_changes_the_figures(visit):
    page, watch = visit("/russia?lang=en")
    page.check("input[name=basis][value=mer]")
    drawn(page, "chart-compare")
    table = page.locator("#compare-table").inner_text()
    market = chart_data(page, "chart-compare")
    page.check("input[name=basis][value=ppp]")
    expect(page.locator("#compare-table")).not_to_have_text(table, use_inner_text=True)
    drawn(page, "chart-compare")
    assert chart_data(page, "chart-compare") != market
    watch.assert_clean()


def test_munitions_parameters_change_the_chart(visit):
    page, watch = visit("/munitions?lang=en")
    drawn(page, "chart-munitions")
    before = chart_data(page, "chart-munitions")
    # the US production target (rounds a year) doubled: the production drawn changes
    field = page.locator('#munitions-form input[name="actors.USA.ramps.0.target"]')
    field.fill(str(float(field.input_value()) * 2))
    with page.expect_navigation():
        page.click("#munitions-submit")
    assert "actors.USA.ramps.0.target=" in page.url, page.url
    drawn(page, "chart-munitions")
    assert chart_data(page, "chart-munitions") != before
    watch.assert_clean()


def test_claim_checker_marks_each_claim(visit):
    """NATO 2026-07: Poland 3.75% in 2024 (4.1% is outside 0.05 points: contradicted);
    Germany 2.0% in 2024 (2% stated: supported)."""
    page, watch = visit("/check?lang=en")
    page.fill(
        "textarea#claim-text",
        "Poland spent 4.1% of GDP on defence in 2024. Germany spent 2% of GDP on defence in 2024.",
    )
    page.click("#check-submit")
    claims = page.locator("section#claims .claim[data-verdict]")
    expect(claims).to_have_count(2)
    assert [claims.nth(i).get_attribute("data-verdict") for i in range(2)] == [
        "contradicted",
        "supported",
    ]
    expect(claims.nth(0)).to_contain_text("3.75")
    watch.assert_clean()


def test_claim_checker_in_dutch(visit):
    page, watch = visit("/check?lang=nl")
    page.fill("textarea#claim-text", "Polen gaf in 2024 4,1% van het bbp uit aan defensie.")
    page.click("#check-submit")
    claim = page.locator("section#claims .claim[data-verdict]")
    expect(claim).to_have_attribute("data-verdict", "contradicted")
    expect(claim).to_contain_text("3,75")
    watch.assert_clean()
