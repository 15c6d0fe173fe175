"""``milex update``: an official edition downloaded (or read from a file), checked, then added.

Two steps, so that nothing is written until everything is known to be good:

- :func:`prepare` downloads the source's newest file (or takes the files given), reads it with
  the reader the registry names (``data/updates.toml``), adds the registry's manifest (publisher,
  licence, citation) and validates every figure as the store build does. It never writes the
  store: a network error, a bad file or a changed layout leaves everything as it was.
- :func:`commit` adds the prepared edition to the user's editions in one DuckDB transaction
  (:func:`milex.store.userdata.add_edition`, under the build lock, so a second update waits for
  the first and then finds its edition held). The embedded editions stay; the next store opened
  includes the new one.

A complete copy of an edition milex ships only in part (SIPRI's: the comparison countries)
replaces the subset (``Prepared.replaces``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from milex import catalog
from milex.errors import DataFileError, InputError, shown
from milex.readers import reader
from milex.readers.parsed import COLUMNS, Parsed, Progress
from milex.store import userdata

REGISTRY = "updates.toml"
#: How downloads wait and retry: seconds without an answer, attempts per address, and the
#: first pause between attempts (doubled each time: offline, an update gives up after
#: 0.5 + 1 + 2 s).
DOWNLOAD = {"timeout": 30.0, "attempts": 4, "backoff": 0.5}
_VINTAGE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_MONTHS = {4: ("Apr", "April"), 10: ("Oct", "October")}


@dataclass
class Prepared:
    """One edition read and checked, ready for :func:`commit`.

    ``observations`` has the columns of an embedded observation file (``source_id, iso3, year,
    indicator, value, unit, status``), ``origins`` one row per ``source_id`` (``id, source,
    vintage, citation``); ``origin`` is the file or address read, with the SHA-256 of its
    bytes; ``replaces`` tells that it replaces a subset milex ships; ``held`` that milex ships
    it (``shipped``) or the user's editions hold it already (nothing to add, unless replaced).
    """

    name: str
    source: str
    vintage: str
    layout: str
    manifest: dict[str, Any]
    observations: pd.DataFrame
    origins: pd.DataFrame
    origin: str
    replaces: bool = False
    held: bool = False
    shipped: bool = False

    def tidy(self) -> pd.DataFrame:
        """The figures in the tidy columns: source, vintage, iso3, year, indicator, value,
        unit, status."""
        frame = self.observations.drop(columns="source_id")
        return frame.assign(source=self.source, vintage=self.vintage)[
            ["source", "vintage", "iso3", "year", "indicator", "value", "unit", "status"]
        ]


def registry() -> dict[str, dict[str, Any]]:
    """The registry of updates: name -> source, reader, urls, manifest fields."""
    return catalog.read_toml(REGISTRY)


def names() -> list[str]:
    """The names ``--source`` accepts, in the registry's order (nato, sipri, weo, worldbank)."""
    return list(registry())


def entry(name: str) -> dict[str, Any]:
    """The registry's entry for ``name``; an unknown name is refused with the known ones."""
    found = registry().get(name) or registry().get(_name_of(name))
    if found is None:
        close = difflib.get_close_matches(str(name), names(), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise InputError(
            f"unknown source {shown(name)}{hint}: milex updates {', '.join(names())}, or all"
        )
    return found


def guess(path: Path) -> str:
    """The registry name whose file names match ``path`` (``files`` patterns in the registry);
    refused when none or several do."""
    matches = [
        name
        for name, meta in registry().items()
        if any(fnmatch.fnmatch(path.name.lower(), p.lower()) for p in meta.get("files", []))
    ]
    if len(matches) != 1:
        raise InputError(
            f"cannot tell which source {path.name} is from its name: give --source "
            f"{'|'.join(names())}"
        )
    return matches[0]


def candidates(meta: dict[str, Any], today: dt.date | None = None) -> list[str]:
    """The addresses to try for a source's newest file, newest first: each URL template of the
    registry with ``{year}`` this year then last year (``{last}`` the year before ``{year}``,
    SIPRI's last data year; ``{mon}``/``{month}`` October then April for the IMF's WEO)."""
    today = today or dt.date.today()
    found: list[str] = []
    for year in (today.year, today.year - 1):
        for month in (10, 4):
            if dt.date(year, month, 1) > today and "{mon" in " ".join(meta["urls"]):
                continue
            mon, month_name = _MONTHS[month]
            for template in meta["urls"]:
                url = template.format(year=year, last=year - 1, mon=mon, month=month_name)
                if url not in found:
                    found.append(url)
    return found


def prepare(
    name: str,
    files: list[Path] | None = None,
    *,
    url: str | None = None,
    vintage: str | None = None,
    progress: Progress | None = None,
    folder: Path | None = None,
    cache_dir: Path | None = None,
) -> Prepared:
    """Download (or take ``files``), read and check one edition of the source ``name``.

    ``url`` replaces the registry's addresses; ``vintage`` (``YYYY-MM``) names the edition when
    the file does not say it, or corrects what it says. Raises
    :class:`~milex.errors.NetworkError` when the source cannot be reached, ``DataFileError``
    for a file whose layout is not the official one, ``InputError`` for bad arguments; writes
    nothing.
    """
    meta = entry(name)
    if vintage is not None:
        _check_vintage(str(vintage))
    paths = [_checked_file(Path(p), meta) for p in files or []]
    if len(paths) > 1 and not meta.get("all_urls"):
        raise InputError(
            f"{meta['source']} comes in one file; got {len(paths)}: give one file at a time"
        )
    module = reader(meta["reader"], function="read", registry=REGISTRY)
    if paths:
        parsed = module.read(paths, progress)
        origin = ", ".join(_fingerprinted(p.name, p) for p in paths)
        return _prepared(name, meta, parsed, paths, vintage, origin, folder, cache_dir)
    from milex.readers.download import download

    urls = [url] if url else candidates(meta)
    with tempfile.TemporaryDirectory(prefix="milex-update-") as tmp:
        fetch = {"progress": progress, "expect": meta.get("suffixes", ()), **DOWNLOAD}
        if meta.get("all_urls") and not url:
            got = [download([u], Path(tmp), **fetch) for u in urls]
        else:
            got = [download(urls, Path(tmp), **fetch)]
        paths = [g.path for g in got]
        parsed = module.read(paths, progress)
        origin = " ".join(f"{g.url} (sha256 {g.sha256[:16]})" for g in got)
        return _prepared(name, meta, parsed, paths, vintage, origin, folder, cache_dir)


def _check_vintage(vintage: str, today: dt.date | None = None) -> None:
    """An edition named as ``YYYY-MM``, not after this month."""
    if not _VINTAGE.fullmatch(vintage):
        raise InputError(f"vintage {shown(vintage)} is not a year and month YYYY-MM, e.g. 2026-07")
    now = (today or dt.date.today()).strftime("%Y-%m")
    if vintage > now:
        raise InputError(
            f"vintage {vintage} is after this month ({now}): an edition is named by the month "
            "it was published"
        )


def _fingerprinted(name: str, path: Path) -> str:
    """A file's name with the start of the SHA-256 of its bytes: which file an edition came
    from, checkable later."""
    import hashlib

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"{name} (sha256 {digest[:16]})"


def _checked_file(path: Path, meta: dict[str, Any]) -> Path:
    """A file given with --file: it exists, is a file, and has a suffix the reader reads."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if not path.is_file():
        raise InputError(f"{path} is not a file")
    suffixes = meta.get("suffixes", [])
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError(
            f"{path.name}: a {meta['source']} file is {' or '.join(suffixes)}, not "
            f"{path.suffix or 'a file without suffix'}; is it the right --source?"
        )
    return path


def _prepared(
    name: str,
    meta: dict[str, Any],
    parsed: Parsed,
    paths: list[Path],
    vintage: str | None,
    origin: str,
    folder: Path | None,
    cache_dir: Path | None,
) -> Prepared:
    """The checked edition of what a reader returned."""
    folder = folder or catalog.data_dir()
    home = cache_dir or catalog.home()
    if parsed.source != meta["source"]:
        raise DataFileError(
            f"{paths[0].name} holds {parsed.source} figures, not {meta['source']}: give "
            f"--source {_name_of(parsed.source)}"
        )
    vintage = vintage or parsed.vintage
    if vintage is None:
        said = parsed.edition.get("edition")
        raise InputError(
            f"{paths[0].name} does not say which edition it is"
            + (f" ({said})" if said else "")
            + ": give the month it was published as vintage YYYY-MM"
        )
    _check_vintage(vintage)
    info = userdata.edition_info(_manifest(meta, parsed, vintage, origin))
    observations, origins = _origins(parsed.observations, meta["source"], vintage)
    key = (meta["source"], vintage)
    replaces = key in userdata.subsets(folder) and info["complete"]
    shipped = key in catalog.embedded_editions(folder) and not replaces
    if replaces:
        userdata.refuse_embedded(info, folder, observations)
    observations, origins = userdata.validated(
        info, observations, origins, folder, Path(paths[0].name)
    )
    return Prepared(
        name=name,
        source=meta["source"],
        vintage=vintage,
        layout=parsed.layout,
        manifest=info,
        observations=observations.drop(columns=["source", "vintage"]),
        origins=origins,
        origin=origin,
        replaces=replaces,
        held=shipped or key in userdata.held_editions(home),
        shipped=shipped,
    )


def _name_of(source: str) -> str:
    """The registry name of a store source (wdi -> worldbank)."""
    return next((n for n, m in registry().items() if m["source"] == source), source)


def _manifest(meta: dict[str, Any], parsed: Parsed, vintage: str, origin: str) -> dict:
    """The edition's manifest: the registry's publisher, licence and citation, what the file
    says of itself (title, edition, publication date, completeness), and where it came from."""
    said = parsed.edition
    year = vintage[:4]
    title = str(said.get("title") or meta.get("title") or meta["publisher"])
    edition = str(said.get("edition") or vintage)
    fields = {"year": year, "vintage": vintage, "title": title, "edition": edition}
    note = said.get("coverage_note")
    if parsed.source == "sipri" and said.get("complete", True) and meta.get("held_note"):
        note = meta["held_note"]
    url = origin if origin.startswith("http") else meta["page"]
    return {
        "source": meta["source"],
        "vintage": vintage,
        "publisher": meta["publisher"],
        "title": title,
        "edition": edition,
        "published": str(said.get("published") or f"{vintage}-01"),
        "url": url.split()[0],
        "licence": meta["licence"],
        "cite": meta["cite"].format(**fields),
        "complete": bool(said.get("complete", True)),
        "coverage_note": note,
        "reader": f"{meta['reader']} ({parsed.layout})",
        "origin": origin,
    }


def _origins(figures: pd.DataFrame, source: str, vintage: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each distinct citation of the reader's rows becomes an origin ``user-<source>-<vintage>-
    <n>``; the observations get its id as ``source_id``."""
    missing = [c for c in COLUMNS if c not in figures.columns]
    if missing:
        raise DataFileError(f"the {source} reader returned no column(s) {', '.join(missing)}")
    citations = pd.Index(figures["citation"].drop_duplicates())
    ids = [f"user-{source}-{vintage}-{i}" for i in range(1, len(citations) + 1)]
    origins = pd.DataFrame(
        {"id": ids, "source": source, "vintage": vintage, "citation": citations.to_list()}
    )
    observations = figures.drop(columns="citation").assign(
        source_id=pd.Series(ids, index=citations).reindex(figures["citation"]).to_numpy()
    )
    return observations[["source_id", *COLUMNS[:-1]]], origins


def commit(
    prepared: Prepared,
    *,
    replace: bool = False,
    folder: Path | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Add a prepared edition to the user's editions in one transaction; returns the manifest
    row written. An edition held already is refused (:class:`InputError`) unless ``replace``
    (an edition the user added, corrected); one milex ships whole is never replaced."""
    if prepared.shipped:
        raise InputError(
            f"milex ships {prepared.source} {prepared.vintage} whole: it is not replaced; give "
            "the file another vintage to add it beside"
        )
    return userdata.add_edition(
        prepared.manifest,
        prepared.observations,
        prepared.origins,
        folder=folder,
        cache_dir=cache_dir,
        replace=replace,
    )
