"""World Bank indicators (World Development Indicators), as the API v2 or the bulk download gives
them.

* **API v2 JSON** (``https://api.worldbank.org/v2/country/all/indicator/PA.NUS.PPP?format=json
  &per_page=20000``): one indicator per response, ``[metadata, [observations]]``; the metadata
  has ``page``, ``pages``, ``total`` and ``lastupdated`` (the edition's date); each observation
  ``indicator.id``, ``countryiso3code``, ``date`` (the year) and ``value`` (null when missing).
  An error answer is ``[{"message": [...]}]``.
* **Bulk CSV** (``API_PA.NUS.PPP_DS2_en_csv_v2_*.csv``, UTF-8 with BOM): four preamble lines
  (``"Data Source"``, ``"Last Updated Date","2025-07-01"``), then ``Country Name``,
  ``Country Code``, ``Indicator Name``, ``Indicator Code`` and one column per year.

Several files (one per indicator) are read together into one edition; its vintage is the newest
``lastupdated`` (``YYYY-MM``); it is complete when it holds every indicator marked ``required``
in ``data/worldbank_codes.csv`` (those ``milex update`` downloads). Only the indicators of that
table are kept, in the units it names (values as published: local currency units per
international or US dollar, percent of GDP). Countries are ISO3; the aggregates milex knows
(WLD, EMU) are kept, other regions (ARB, income groups) are skipped and counted. Every figure is
``actual``: the World Bank publishes no projections in these series.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

import pandas as pd

from milex.catalog import read_rows
from milex.errors import DataFileError
from milex.readers.parsed import COLUMNS, Parsed, Progress
from milex.readers.weo import check_units, country
from milex.readers.xlsx import number, year_header

SOURCE = "wdi"
TITLE = "World Development Indicators"
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@cache
def indicator_codes() -> dict[str, tuple[str, str]]:
    """World Bank indicator code -> (milex indicator, unit), from ``data/worldbank_codes.csv``."""
    return {
        row["code"]: (row["indicator"], row["unit"]) for row in read_rows("worldbank_codes.csv")
    }


class _Reading:
    """Figures read so far, with what was skipped and the dates of the files."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.regions: set[str] = set()
        self.other: set[str] = set()
        self.updated: dict[str, str] = {}  # indicator code -> lastupdated YYYY-MM-DD
        self.pages: dict[str, tuple[int, set[int], int, int]] = {}  # code -> pages, seen, total, n

    def add(self, code: str, iso: str, year: int, value: float | None, where: str) -> None:
        known = indicator_codes().get(code)
        if known is None:
            self.other.add(code)
            return
        iso3 = country(iso) if iso else None
        if iso3 is None:
            self.regions.add(iso or "no code")
            return
        if value is not None:
            indicator, unit = known
            citation = f"World Bank, {TITLE}, {code}, {where}"
            self.rows.append((iso3, year, indicator, value, unit, "actual", citation))


def _date(text: str, where: str) -> str:
    found = _DATE.match(text.strip())
    if not found:
        raise DataFileError(f"{where}: last updated {text!r} is not a date (YYYY-MM-DD)")
    return found.group(0)


def _read_json(path: Path, reading: _Reading) -> None:
    try:
        answer = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(
            f"{path.name}: not a World Bank API answer (JSON): {exc}; the download may be "
            "truncated: fetch it again"
        ) from None
    if (
        isinstance(answer, list)
        and answer
        and isinstance(answer[0], dict)
        and "message" in answer[0]
    ):
        said = "; ".join(str(m.get("value", m)) for m in answer[0]["message"])
        raise DataFileError(f"{path.name}: the World Bank API answered with an error: {said}")
    if not (
        isinstance(answer, list)
        and len(answer) == 2
        and isinstance(answer[0], dict)
        and isinstance(answer[1], list | type(None))
    ):
        raise DataFileError(
            f"{path.name}: expected the World Bank API v2 layout [metadata, [observations]] "
            "(format=json)"
        )
    meta, observations = answer[0], answer[1] or []
    codes = set()
    for index, item in enumerate(observations):
        where = f"{path.name}, observation {index + 1}"
        try:
            code, iso, date = item["indicator"]["id"], item["countryiso3code"], item["date"]
            value = item["value"]
        except (KeyError, TypeError):
            raise DataFileError(
                f"{where}: expected indicator.id, countryiso3code, date and value"
            ) from None
        year = year_header(str(date))
        if year is None:
            raise DataFileError(f"{where}: date {date!r} is not a year")
        if not isinstance(value, int | float | type(None)) or isinstance(value, bool):
            raise DataFileError(f"{where}: value {value!r} is not a number nor null")
        codes.add(code)
        reading.add(code, iso or "", year[0], None if value is None else float(value), path.name)
    for code in codes:
        reading.updated[code] = _date(str(meta.get("lastupdated", "")), path.name)
        _count_page(reading, code, meta, len(observations), path.name)


def _count_page(reading: _Reading, code: str, meta: dict, count: int, name: str) -> None:
    """Note which page of an indicator a file is, to tell an incomplete set of pages."""
    try:
        page, pages, total = int(meta["page"]), int(meta["pages"]), int(meta["total"])
    except (KeyError, TypeError, ValueError):
        raise DataFileError(f"{name}: the metadata lacks page, pages or total") from None
    _, seen, _, counted = reading.pages.get(code, (pages, set(), total, 0))
    reading.pages[code] = (pages, seen | {page}, total, counted + count)


def _read_csv(path: Path, reading: _Reading) -> None:
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    starts = [row[:2] for row in lines[:10]]
    header = (
        starts.index(["Country Name", "Country Code"])
        if ["Country Name", "Country Code"] in starts
        else None
    )
    updated = next((row[1] for row in lines[:10] if row[:1] == ["Last Updated Date"]), "")
    if header is None or len(lines[header]) < 5 or lines[header][3] != "Indicator Code":
        raise DataFileError(
            f"{path.name}: expected the World Bank bulk CSV layout (preamble lines, then "
            "Country Name, Country Code, Indicator Name, Indicator Code and one column per year)"
        )
    years = {i: found[0] for i, h in enumerate(lines[header]) if (found := year_header(h))}
    for index in range(header + 1, len(lines)):
        row = lines[index]
        if len(row) < 4:
            continue
        reading.updated[row[3]] = _date(updated, path.name)
        for col, year in years.items():
            cell = row[col] if col < len(row) else ""
            where = f"{path.name}, line {index + 1} ({row[1]}), column {year}"
            reading.add(row[3], row[1], year, number(cell, where), path.name)


def read(paths: list[Path], progress: Progress | None = None) -> Parsed:
    """One World Bank edition from API answers (``.json``) or bulk files (``.csv``), one
    indicator per file. Values as published, in the units of ``data/worldbank_codes.csv``."""
    reading = _Reading()
    for done, path in enumerate(paths, start=1):
        path = Path(path)
        if not path.is_file():
            raise DataFileError(f"{path}: no such file")
        (_read_csv if path.suffix.lower() == ".csv" else _read_json)(path, reading)
        if progress:
            progress(done, len(paths), path.name)
    known = {code: day for code, day in reading.updated.items() if code in indicator_codes()}
    for code, (pages, seen, total, counted) in reading.pages.items():
        if code in known and (seen != set(range(1, pages + 1)) or counted != total):
            raise DataFileError(
                f"{code}: pages {sorted(seen)} of {pages} with {counted} of {total} observations "
                "were given; download all of them (per_page=20000 gives one page)"
            )
    if not known:
        raise DataFileError(
            f"{', '.join(Path(p).name for p in paths)}: none of the indicators milex reads "
            f"({', '.join(indicator_codes())}) is in these files "
            f"(found: {', '.join(sorted(reading.other)) or 'none'})"
        )
    observations = pd.DataFrame(reading.rows, columns=COLUMNS)
    check_units(observations, "worldbank_codes.csv")
    newest = max(known.values())
    required = [row["code"] for row in read_rows("worldbank_codes.csv") if row["required"] == "yes"]
    lacking = [code for code in required if code not in known]
    edition: dict[str, object] = {
        "title": TITLE,
        "edition": f"last updated {newest}",
        "published": newest,
        "complete": not lacking,
    }
    notes = [f"{code} last updated {day}" for code, day in sorted(known.items())]
    if lacking:
        notes.append(f"not in this edition: {', '.join(lacking)}")
    if reading.regions:
        regions = sorted(reading.regions)
        notes.append(f"regions and groups skipped: {len(regions)} ({', '.join(regions[:8])}"
                     + (", ...)" if len(regions) > 8 else ")"))  # fmt: skip
    if reading.other:
        notes.append(f"indicators not read: {', '.join(sorted(reading.other))}")
    edition["coverage_note"] = "; ".join(notes)
    layout = "worldbank-" + "+".join(sorted({Path(p).suffix.lower().lstrip(".") for p in paths}))
    return Parsed(SOURCE, newest[:7], layout, observations, edition)
