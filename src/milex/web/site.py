"""``milex site OUTDIR``: the pages of ``milex serve`` as a static site that works from any
static host and from file:// (docs/web.md).

Layout of OUTDIR::

    index.html                 the way in: links to each language (opens the first)
    <lang>/index.html          the overview (every year embedded, switched on the page)
    <lang>/country/<ISO3>.html a page per ally
    <lang>/explorer.html       the three guidelines for the latest year, precomputed
    <lang>/russia.html         every basis embedded
    <lang>/munitions.html      the default scenario (editing needs milex serve)
    <lang>/check.html          example sentences checked (checking needs milex serve)
    assets/                    milex.css, milex.js, plotly.min.js (from the plotly package)
    data/<name>.json           the results behind the pages, as JSON envelopes (docs/json.md)
    .milex-site                marks the folder as a milex site (a new export may replace it)

Links are relative and every figure is embedded in its page (file:// cannot fetch JSON). The
site is written into a temporary folder beside OUTDIR and renamed into place, so an
interrupted export leaves no half page; OUTDIR is refused when it holds anything but a
previous milex site.

The site is meant for publishing, and republishes what the store holds: when that includes a
full copy of SIPRI's database loaded by the user (``milex update --source sipri``), the export
warns (on the ``milex`` logger) how many of its figures the site holds and SIPRI's terms, which
allow reproducing no more than 10% of the database without SIPRI's permission.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from milex import __version__, api
from milex.errors import InputError, OutputError
from milex.result import Result
from milex.web import i18n, pages, views

log = logging.getLogger("milex")

#: The file that marks a folder as a milex site.
MARKER = ".milex-site"
#: The pages of each language besides the country pages.
PAGES = ("overview", "explorer", "russia", "munitions", "check")


def export(
    outdir: Path,
    langs: Sequence[str] = i18n.LANGUAGES,
    progress: Callable[[int, int], None] | None = None,
    *,
    store: Any = None,
) -> list[Path]:
    """Write the static site into ``outdir`` (created, or replacing a previous milex site)
    in ``langs``; ``progress(done, total)`` is called after each page. Returns the files
    written (their final paths)."""
    outdir = Path(outdir)
    langs = list(dict.fromkeys(i18n.check_lang(lang) for lang in langs))
    if not langs:
        raise InputError("langs: got none; give at least one of en, nl, de, fr")
    _check_target(outdir)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        written = _write_site(temporary, langs, progress, store)
        temporary.chmod(0o755)
        _swap(temporary, outdir)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return [outdir / path.relative_to(temporary) for path in written]


def _check_target(outdir: Path) -> None:
    """Refuse a file, or a folder holding anything but a previous milex site."""
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"{outdir} is a file: give a folder for the site")
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / MARKER).is_file():
        raise OutputError(
            f"{outdir} is not empty and not a milex site (no {MARKER} in it): give a new or "
            "empty folder, or the folder of a previous milex site to replace it"
        )


def _swap(temporary: Path, outdir: Path) -> None:
    """Put the finished site in place of ``outdir`` (renames: no half site is ever seen)."""
    if not outdir.exists():
        temporary.rename(outdir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old.", dir=outdir.parent))
    old.rmdir()
    outdir.rename(old)
    try:
        temporary.rename(outdir)
    except OSError:
        old.rename(outdir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_site(
    root: Path, langs: list[str], progress: Callable[[int, int], None] | None, store: Any
) -> list[Path]:
    """Every page, asset and result of the site under ``root``."""
    allies = [code for code, _ in views.allies(store=store)]
    total = len(langs) * (len(PAGES) + len(allies))
    written: list[Path] = []
    results: dict[str, Result] = {}

    def page(lang: str, here: str, html: str, iso3: str = "") -> None:
        path = root / lang / pages.STATIC_PATHS[here].format(iso3=iso3)
        written.append(_write(path, html))
        if progress is not None:
            progress(len(written), total)

    for lang in langs:
        links = pages.Links(lang, static=True, languages=tuple(langs))
        page(lang, "overview", pages.overview_page(links, store=store))
        results.update(views.overview(lang, store=store)["results"])
        for code in allies:
            here = dataclasses.replace(links, here="country", iso3=code)
            page(lang, "country", pages.country_page(here, code, store=store), code)
            results.update(views.country(code, lang, store=store)["results"])
        for name in PAGES[1:]:
            page(lang, name, _static_page(dataclasses.replace(links, here=name), store))
    results.update(_page_results(langs[0], store))
    warning = sipri_warning(results.values(), store)
    if warning:
        log.warning(warning)
    for name, result in results.items():
        written.append(_write(root / "data" / f"{name}.json", result.to_json()))
    written += _assets(root)
    written.append(_write(root / "index.html", _entrance(langs)))
    marker = {"milex": __version__, "langs": langs, "pages": total}
    written.append(_write(root / MARKER, json.dumps(marker)))
    return written


def sipri_warning(results: Iterable[Result], store: Any = None) -> str | None:
    """What to tell before publishing ``results`` when they hold figures of a complete SIPRI
    edition (the user's own copy of SIPRI's database): how many, and SIPRI's terms; None when
    they hold none (the subset milex ships may be republished)."""
    editions = api.sources(store=store)
    full = editions[(editions["source"] == "sipri") & editions["complete"]]
    vintages = set(full["vintage"])
    count = sum(_sipri_figures(result, vintages) for result in results) if vintages else 0
    if not count:
        return None
    terms = full["licence"].iloc[0].removeprefix("SIPRI: ")
    held = ", ".join(f"sipri {v}" for v in sorted(vintages))
    return (
        f"this site contains {count:,} figures from your own copy of SIPRI's database ({held}, "
        f"loaded with milex update): SIPRI's terms: {terms}; to publish, build the site from a "
        "milex home without it (MILEX_HOME=<a folder without your SIPRI copy> milex site OUTDIR)"
    )


def _sipri_figures(result: Result, vintages: set[str]) -> int:
    """The figures of ``result`` read from SIPRI's editions ``vintages``: rows of a tidy frame
    (``source``, ``vintage``, ``value``) and a comparison's figures of sides on those editions."""
    frame = result.frame
    count = 0
    if {"source", "vintage", "value"} <= set(frame.columns):
        mine = (frame["source"] == "sipri") & frame["vintage"].isin(vintages)
        count += int((mine & frame["value"].notna()).sum())
    for side, column in zip(result.extra.get("sides") or [], ("side_a", "side_b"), strict=False):
        if side["source"] == "sipri" and side["vintage"] in vintages and column in frame:
            count += int(frame[column].notna().sum())
    return count


def _static_page(links: pages.Links, store: Any) -> str:
    """One of the pages other than the overview and the countries, for the static site."""
    make = {
        "explorer": pages.explorer_page,
        "russia": pages.russia_page,
        "munitions": pages.munitions_page,
        "check": pages.check_page,
    }[links.here]
    return make(links, store=store)


def _page_results(lang: str, store: Any) -> dict[str, Result]:
    """The results behind the explorer (as the static site precomputes it), the Russia and
    the munitions pages, by file name (cached: the pages were built from them)."""
    explored = views.explorer(
        lang, views.GUIDELINES, None, None, views.RUSSIA[0], None, store=store
    )
    return {
        **explored["results"],
        **views.russia(lang, store=store)["results"],
        **views.munitions(lang, (), store=store)["results"],
    }


def _entrance(langs: list[str]) -> str:
    """The site's index.html: opens the first language, links to each."""
    return (
        pages.environment()
        .get_template("site_index.html")
        .render(
            langs=langs,
            names={lang: i18n.words(lang)["languages"][lang] for lang in langs},
            t=i18n.words(langs[0]),
            lang=langs[0],
        )
    )


def _assets(root: Path) -> list[Path]:
    """milex's CSS and JavaScript, and plotly.js from the installed plotly package."""
    from milex.web.app import STATIC, plotly_js

    sources = [STATIC / "milex.css", STATIC / "milex.js", plotly_js()]
    folder = root / "assets"
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(source, folder / source.name)) for source in sources]


def _write(path: Path, text: str) -> Path:
    """Write a UTF-8 file of the site (its folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
