"""Reader for the milex reference compilation (the CSV layout of ``shared/data`` in the project).

Those files hold one figure per row (``iso3,country,year,indicator,value,unit[,status],source``),
each with the text of the publication it was read from. This module maps that layout onto the
tidy shape (indicator names and units normalised, ``status`` derived where the file has none) and
tells which dataset and edition (``source``, ``vintage``) each row belongs to. Values are never
changed: a figure is written as the file gives it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from milex.errors import DataFileError

#: ``(pattern on a row's source text, dataset, vintage)``; the first match wins.
EditionRules = list[tuple[str, str, str]]

#: Indicator names of the reference files that milex renames so that the same quantity has one
#: name across sources (the price basis lives in ``unit``, e.g. "USD million constant 2021").
INDICATOR_RENAMES = {
    "spend_usd_const2021": "spend_usd_const",
    "gdp_usd_const2021": "gdp_usd_const",
    "per_capita_usd_const2021": "per_capita_usd_const",
    "spend_national_const2021": "spend_national_const",
    "spend_local_current": "spend_national_current",
}

# (pattern on the reference unit, replacement); the first match wins. Currency codes are kept.
_UNIT_RULES: list[tuple[str, str]] = [
    (r"^percent of GDP$", "percent of GDP"),
    (r"^percent of defence expenditure$", "percent of defence expenditure"),
    (r"^USD million \(2021 prices and exchange rates\)$", "USD million constant 2021"),
    (r"^USD \(2021 prices\)$", "USD constant 2021"),
    (r"^([A-Z]{3}) million \((\d{4}) prices\)$", r"\1 million constant \2"),
    (r"^([A-Z]{3}) million$", r"\1 million current"),
    (r"^million ([A-Z]{3}) current$", r"\1 million current"),
    (r"^USD million (current|constant \d{4})$", r"USD million \1"),
    (r"^thousands$", "thousand persons"),
    (r"^billion international dollars$", "international dollar billion current"),
    (r"^billion ([A-Z]{3})$", r"\1 billion current"),
    (r"^([A-Z]{3}) per international dollar$", r"\1 per international dollar"),
    (r"^LCU per US dollar \(period average\)$", "LCU per USD (period average)"),
    (r"^LCU per international dollar$", "LCU per international dollar"),
    (r"^percent \(annual average\)$", "percent (annual average)"),
    (r"^index \(WEO, country-specific base year\)$", "index (country-specific base year)"),
    (r"^percent$", "percent"),
]

TIDY_COLUMNS = ["source", "vintage", "iso3", "year", "indicator", "value", "unit", "status"]
_NUMBERED_COLUMNS = ("iso3", "year", "indicator", "value", "unit", "source")


def normalise_unit(unit: str, indicator: str) -> str:
    """Map a reference unit string onto milex's unit vocabulary.

    ``percent`` on a share of GDP becomes ``percent of GDP``; money units become
    ``<CUR> <million|billion> <current|constant YYYY>``.
    """
    if indicator == "share_gdp" and unit == "percent":
        return "percent of GDP"
    for pattern, replacement in _UNIT_RULES:
        if re.match(pattern, unit):
            return re.sub(pattern, replacement, unit)
    raise ValueError(f"unknown unit {unit!r}")


def edition_of(source_text: str, editions: EditionRules) -> tuple[str, str]:
    """Return ``(dataset, vintage)`` for the publication named in a row's source text: the
    first of ``editions`` (``(pattern, dataset, vintage)``, from the registry in
    ``editions.toml``) whose pattern is found in it."""
    for pattern, dataset, vintage in editions:
        if re.search(pattern, source_text):
            return dataset, vintage
    raise ValueError(f"no known edition in source text {source_text[:80]!r}")


def _status(frame: pd.DataFrame) -> pd.Series:
    if "status" in frame:
        return frame["status"]
    blue = frame["source"].str.contains("SIPRI estimate", regex=False)
    return blue.map({True: "estimate", False: "actual"})


def _mapped(path: Path, raw: pd.DataFrame, fields: list[str], convert) -> pd.Series:
    """Apply ``convert`` to each distinct combination of ``fields``; name the first bad line."""
    keys = pd.Series(list(zip(*(raw[f] for f in fields), strict=True)), index=raw.index)
    table = {}
    for key in keys.drop_duplicates():
        try:
            table[key] = convert(*key)
        except ValueError as exc:
            line = keys.index[keys == key][0] + 2
            raise DataFileError(f"{path.name}, line {line}, field {fields[0]}: {exc}") from None
    return keys.map(table)


def read_observations(path: str | Path, editions: EditionRules) -> pd.DataFrame:
    """Read one reference observation file into the tidy shape; ``editions`` tell each row's
    edition from its source text (:func:`milex.readers.edition_rules`).

    Returns columns ``source, vintage, iso3, year, indicator, value, unit, status, citation,
    line`` where ``citation`` is the row's source text and ``line`` its line in the file.
    Raises :class:`DataFileError` naming the file, line and field of the first bad row.
    """
    path = Path(path)
    raw = read_table(path).fillna("")
    missing = [c for c in _NUMBERED_COLUMNS if c not in raw.columns]
    if missing:
        raise DataFileError(f"{path.name}: missing column(s) {', '.join(missing)}")
    out = pd.DataFrame({"line": raw.index + 2})
    for field, convert in (("year", int), ("value", float)):
        try:
            out[field] = raw[field].map(convert)
        except ValueError:
            bad = raw.index[~raw[field].str.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?")][0]
            text = raw.at[bad, field]
            raise DataFileError(
                f"{path.name}, line {bad + 2}, field {field}: {text!r} is not a number"
            ) from None
    out["iso3"] = raw["iso3"]
    out["indicator"] = raw["indicator"].replace(INDICATOR_RENAMES)
    out["status"] = _status(raw)
    out["citation"] = raw["source"]
    out["unit"] = _mapped(path, raw, ["unit", "indicator"], normalise_unit)
    found = _mapped(path, raw, ["source"], lambda text: edition_of(text, editions))
    out["source"], out["vintage"] = found.str[0], found.str[1]
    return out[[*TIDY_COLUMNS, "citation", "line"]]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a reference CSV file as text (pledges and munitions tables, or any other).

    Values stay as written (munitions ranges such as ``10000000-11000000`` included); empty
    cells become missing values.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{Path(path).name}: not a readable CSV file ({exc})") from None
    return frame.replace("", None)
