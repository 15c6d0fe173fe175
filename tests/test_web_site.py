"""``milex site OUTDIR``: the pages as a static site that works from file:// (docs/web.md):
relative links that resolve, every figure embedded and equal to the API's, a foreign folder
refused, an interrupted export leaving nothing behind.

Expected figures: NATO's July 2026 edition (nato_2026-07.csv), Poland 2024 3.75% of GDP.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import milex
from milex.catalog import data_dir
from milex.errors import InputError, OutputError
from milex.web import pages, site, views
from tests.test_web_pages import embedded, parse, rows

#: Two languages keep the export short; the pages are the same in each.
LANGS = ("nl", "en")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A site exported once for these tests, with the progress reported."""
    outdir = tmp_path_factory.mktemp("site") / "out"
    calls = []
    files = site.export(outdir, LANGS, progress=lambda done, total: calls.append((done, total)))
    return outdir, files, calls


def html_files(outdir: Path) -> list[Path]:
    return sorted(outdir.rglob("*.html"))


def test_the_site_has_every_page_asset_and_result(exported):
    outdir, files, calls = exported
    allies = [code for code, _ in views.allies()]
    assert len(allies) == 32
    for lang in LANGS:
        for name in ("index", "explorer", "russia", "munitions", "check"):
            assert (outdir / lang / f"{name}.html").is_file()
        assert sorted(p.stem for p in (outdir / lang / "country").glob("*.html")) == sorted(allies)
    for asset in ("milex.css", "milex.js", "plotly.min.js"):
        assert (outdir / "assets" / asset).stat().st_size > 1000
    assert (outdir / "data" / "status-2024.json").is_file()
    assert (outdir / "data" / "simulate-POL.json").is_file()
    assert (outdir / "index.html").is_file() and (outdir / site.MARKER).is_file()
    assert sorted(files) == sorted(p for p in outdir.rglob("*") if p.is_file())
    pages_done = len(LANGS) * (5 + len(allies))
    assert calls[-1] == (pages_done, pages_done) and len(calls) == pages_done


def latest_nato_year() -> int:
    """The latest year of NATO's 2026-07 edition, read from its published table."""
    with (data_dir() / "observations" / "nato_2026-07.csv").open(encoding="utf-8") as rows:
        return max(int(row["year"]) for row in csv.DictReader(rows))


def test_the_data_folder_holds_every_result_docs_web_md_lists(exported):
    """docs/web.md: status-2014 ... status-<latest>, report-/pledges-/simulate-<ISO3>,
    gap-<guideline>-<year>, path-..., compare-europe-canada-RUS, munitions-default,
    munitions-ratio. Iceland has a report (no figures, so no simulation)."""
    outdir, _, _ = exported
    latest = latest_nato_year()
    names = {p.stem for p in (outdir / "data").glob("*.json")}
    expected = {f"status-{year}" for year in range(2014, latest + 1)}
    expected |= {"report-POL", "pledges-POL", "simulate-POL", "report-ISL"}
    expected |= {f"gap-{g}-{latest}" for g in ("wales-2", "hague-3.5", "hague-5")}
    expected |= {f"path-europe-canada-{g}-2035" for g in ("wales-2", "hague-3.5", "hague-5")}
    expected |= {"compare-europe-canada-RUS", "munitions-default", "munitions-ratio"}
    assert expected <= names, sorted(expected - names)
    gaps = json.loads((outdir / "data" / f"gap-hague-3.5-{latest}.json").read_text())
    assert gaps["query"]["year"] == latest and gaps["rows"] and gaps["sources"]


def test_every_relative_link_resolves_and_none_is_absolute(exported):
    outdir, _, _ = exported
    checked = 0
    for page in html_files(outdir):
        for node in parse(page.read_text("utf-8")).walk():
            for name in ("href", "src", "action"):
                url = node.attrs.get(name)
                if url is None or url.startswith("#"):
                    continue
                parts = urlparse(url)
                if parts.scheme in ("http", "https"):  # a citation link
                    assert node.tag == "a", (page, url)
                    continue
                assert not url.startswith("/"), f"{page}: absolute link {url}"
                assert not parts.scheme and not parts.query, f"{page}: {url}"
                target = (page.parent / unquote(parts.path)).resolve()
                assert target.is_file(), f"{page}: {url} -> {target}"
                assert outdir.resolve() in target.parents
                checked += 1
    assert checked > 1000


def test_pages_embed_the_api_s_figures(exported):
    outdir, _, _ = exported
    doc = parse((outdir / "nl" / "index.html").read_text("utf-8"))
    data = embedded(doc, "chart-status")
    assert data["variants"]["2024"]["rows"] == milex.status(2024).to_dict()["rows"]
    assert rows(doc.find("table", id="status-table"), "2024")["Polen"][1] == "3,75"
    poland = next(r for r in data["variants"]["2024"]["rows"] if r["iso3"] == "POL")
    assert poland["share_gdp"] == 3.75
    saved = json.loads((outdir / "data" / "status-2024.json").read_text("utf-8"))
    assert saved == json.loads(milex.status(2024).to_json())
    country = parse((outdir / "en" / "country" / "POL.html").read_text("utf-8"))
    simulated = embedded(country, "chart-path")["variants"]["all"]["rows"]
    # the page simulates the linear path it shows beside it
    same = milex.simulate("POL", 3.5, 2035, draws=20_000, seed=1, method="linear")
    assert simulated == same.to_dict()["rows"]


def test_the_static_pages_say_what_needs_milex_serve(exported):
    outdir, _, _ = exported
    russia = parse((outdir / "en" / "russia.html").read_text("utf-8"))
    assert list(embedded(russia, "chart-compare")["variants"]) == list(views.BASES)
    explorer = parse((outdir / "en" / "explorer.html").read_text("utf-8"))
    assert list(embedded(explorer, "chart-gap")["variants"]) == list(views.GUIDELINES)
    assert "three guidelines for 2026" in explorer.find("p", cls="notice").text()
    munitions = parse((outdir / "en" / "munitions.html").read_text("utf-8"))
    assert "disabled" in munitions.find("form", id="munitions-form").find("fieldset").attrs
    assert "needs milex serve" in munitions.find("p", cls="notice").text()
    check = parse((outdir / "nl" / "check.html").read_text("utf-8"))
    verdicts = [c.attrs["data-verdict"] for c in check.find_all("article", cls="claim")]
    assert verdicts == ["supported", "contradicted", "contradicted"]
    assert "disabled" in check.find("form", id="check-form").find("fieldset").attrs
    switch = check.find("nav", cls="languages")
    assert [a.attrs["href"] for a in switch.find_all("a")] == [
        "../nl/check.html",
        "../en/check.html",
    ]


def test_a_folder_that_is_not_a_milex_site_is_refused_untouched(tmp_path):
    (tmp_path / "thesis.tex").write_text("mine")
    with pytest.raises(OutputError, match="not a milex site"):
        site.export(tmp_path, ["en"])
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.tex"]
    with pytest.raises(OutputError, match="is a file"):
        site.export(tmp_path / "thesis.tex", ["en"])
    with pytest.raises(InputError, match="lang"):
        site.export(tmp_path / "new", ["xx"])


def test_an_interrupted_export_leaves_no_half_site(tmp_path, monkeypatch):
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / site.MARKER).write_text("{}")
    (outdir / "old.html").write_text("the previous site")

    def broken(links, iso3, store=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(pages, "country_page", broken)
    with pytest.raises(KeyboardInterrupt):
        site.export(outdir, ["en"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (outdir / "old.html").read_text() == "the previous site"


def test_a_previous_site_is_replaced_whole(tmp_path, monkeypatch):
    """Re-exporting into a milex site replaces it (country pages cut short for speed)."""
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / site.MARKER).write_text("{}")
    (outdir / "stale.html").write_text("gone")
    monkeypatch.setattr(views, "allies", lambda store=None: [("POL", "Poland")])
    files = site.export(outdir, ["fr"])
    assert not (outdir / "stale.html").exists()
    assert (outdir / "fr" / "country" / "POL.html") in files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert parse((outdir / "fr" / "index.html").read_text("utf-8")).find("html").attrs == {
        "lang": "fr"
    }
