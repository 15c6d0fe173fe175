"""Validation of the tables milex loads (pandera schemas built from ``data/indicators.csv``).

Imported only when the store is (re)built, so a warm start does not pay for pandera.
A failure raises :class:`DataFileError` naming the file, the line and the field of the first
bad row, and what was wrong with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from milex.errors import DataFileError
from milex.geo import is_known_code

STATUSES = ["actual", "estimate", "projection", "unknown"]
KNOWN_CODE = pa.Check(
    lambda s: s.map(is_known_code), element_wise=False, name="known ISO3 or aggregate code"
)


def _in_range(indicators: pd.DataFrame):
    lows = indicators.set_index("indicator")["min"]
    highs = indicators.set_index("indicator")["max"]

    def check(frame: pd.DataFrame) -> pd.Series:
        low = frame["indicator"].map(lows).fillna(-float("inf"))
        high = frame["indicator"].map(highs).fillna(float("inf"))
        return frame["value"].between(low, high)

    return check


def _unit_fits(indicators: pd.DataFrame):
    patterns = {
        row.indicator: re.compile(row.unit_pattern) for row in indicators.itertuples(index=False)
    }

    def check(frame: pd.DataFrame) -> pd.Series:
        return pd.Series(
            [
                bool(patterns[i].match(u)) if i in patterns else True
                for i, u in zip(frame["indicator"], frame["unit"], strict=True)
            ],
            index=frame.index,
        )

    return check


def observation_schema(indicators: pd.DataFrame, source_ids: list[str]) -> pa.DataFrameSchema:
    """Schema of one embedded observation file (one dataset edition)."""
    return pa.DataFrameSchema(
        {
            "source_id": pa.Column(str, pa.Check.isin(source_ids)),
            "iso3": pa.Column(str, KNOWN_CODE),
            "year": pa.Column(int, pa.Check.in_range(1900, 2100)),
            "indicator": pa.Column(str, pa.Check.isin(indicators["indicator"].tolist())),
            "value": pa.Column(float, nullable=False),
            "unit": pa.Column(str),
            "status": pa.Column(str, pa.Check.isin(STATUSES)),
        },
        checks=[
            pa.Check(_in_range(indicators), name="value within the indicator's range"),
            pa.Check(_unit_fits(indicators), name="unit fits the indicator"),
        ],
        unique=["iso3", "year", "indicator"],
        strict=True,
        coerce=True,
    )


#: Which column a dataframe-wide check is about, for the error message.
_CHECK_FIELDS = {
    "value within the indicator's range": "value",
    "unit fits the indicator": "unit",
    "multiple_fields_uniqueness": "iso3/year/indicator",
}


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: Path) -> pd.DataFrame:
    """Validate ``frame`` read from ``path``; return it coerced to the schema's types. A
    problem names the line of a CSV file, or the figure (its place in the frame, with its
    country, year and indicator) of any other file, such as a workbook."""
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.sort_values("index", na_position="last")
        dupes = cases[cases["check"] == "multiple_fields_uniqueness"]
        # Report a duplicate on its second occurrence, naming the first.
        first = dupes.iloc[-1] if len(dupes) == len(cases) else cases.iloc[0]
        check = str(first["check"])
        column = first["column"] if isinstance(first["column"], str) else None
        field = _CHECK_FIELDS.get(check) or column or check
        shown = first["failure_case"]
        where, figure = path.name, ""
        if pd.notna(first["index"]):
            row = int(first["index"])
            where += f", line {row + 2}" if path.suffix == ".csv" else f", figure {row + 1:,}"
            if {"iso3", "year", "indicator"} <= set(frame.columns):
                figure = " ({} {} {})".format(*frame.loc[row, ["iso3", "year", "indicator"]])
            if "/" in field:
                shown = tuple(frame.loc[row, field.split("/")])
                check = f"duplicate key (first on line {int(dupes['index'].min()) + 2})"
            elif field in frame.columns:
                shown = frame.at[row, field]
        if isinstance(shown, np.generic):
            shown = shown.item()  # -5.0, not np.float64(-5.0)
        count = len(cases.drop_duplicates(["index", "check"]))
        more = f" ({count - 1} more problem(s) in this file)" if count > 1 else ""
        raise DataFileError(
            f"{where}, field {field}: {shown!r} fails {check}{figure}{more}"
        ) from None


def notes_schema(indicators: pd.DataFrame, sources: list[str]) -> pa.DataFrameSchema:
    """Schema of ``notes.csv``: why figures are missing, and caveats, with what they apply to."""
    return pa.DataFrameSchema(
        {
            "kind": pa.Column(str, pa.Check.isin(["missing", "caveat"])),
            "source": pa.Column(str, pa.Check.isin(sources)),
            "vintage": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$"), nullable=True),
            "iso3": pa.Column(str, KNOWN_CODE, nullable=True),
            "indicator": pa.Column(
                str, pa.Check.isin(indicators["indicator"].tolist()), nullable=True
            ),
            "years": pa.Column(str, pa.Check.str_matches(r"^\d{4}(-\d{4})?$"), nullable=True),
            "note": pa.Column(str),
            "reference": pa.Column(str),
        },
        strict=True,
    )


def pledge_schema() -> pa.DataFrameSchema:
    """Schema of ``pledges.csv``: national and alliance spending pledges and budget plans."""
    text = pa.Column(str, nullable=True)
    return pa.DataFrameSchema(
        {
            "iso3": pa.Column(str, KNOWN_CODE),
            "country": pa.Column(str),
            "announced": pa.Column(
                str, pa.Check.str_matches(r"^\d{4}(-\d{2}){0,2}$"), nullable=True
            ),
            "target_share_gdp": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
            "target_year": pa.Column("Int64", pa.Check.in_range(1990, 2100), nullable=True),
            "target_amount": pa.Column(float, pa.Check.ge(0), nullable=True),
            "amount_currency": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
            "amount_unit": text,
            "scope": pa.Column(str, pa.Check.isin(["core", "total", "national budget line"])),
            "source": pa.Column(str),
            "quote": text,
        },
        strict=True,
        coerce=True,
    )


def munitions_schema() -> pa.DataFrameSchema:
    """Schema of ``munitions.csv``; ``value`` is a number or a range ``low-high`` as published."""
    return pa.DataFrameSchema(
        {
            "actor": pa.Column(str),
            "metric": pa.Column(str),
            "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
            "value": pa.Column(str, pa.Check.str_matches(r"^\d+(\.\d+)?(-\d+(\.\d+)?)?$")),
            "unit": pa.Column(str),
            "source": pa.Column(str),
            "note": pa.Column(str, nullable=True),
        },
        strict=True,
        coerce=True,
    )


#: The bases of ``defence_ppp.csv`` rows: a defence-specific PPP estimate, a market-rate figure
#: published beside one, and the ends of a published spread (WMEAT).
DEFENCE_PPP_BASES = ["defence-ppp", "mer", "range-low", "range-high"]


def defence_ppp_schema() -> pa.DataFrameSchema:
    """Schema of ``defence_ppp.csv``: published military-specific PPP estimates (billion US or
    international dollars, as published), each with its ``source``. ``actor`` is an ISO3 code
    or a publisher's own region (``EUR_IISS``: IISS's Europe)."""
    actor = pa.Check(
        lambda s: s.map(lambda v: is_known_code(v) or bool(re.fullmatch(r"[A-Z]{3}_[A-Z]+", v))),
        element_wise=False,
        name="ISO3 code or a publisher's region (XXX_PUBLISHER)",
    )
    return pa.DataFrameSchema(
        {
            "actor": pa.Column(str, actor),
            "year": pa.Column(int, pa.Check.in_range(1900, 2100)),
            "basis": pa.Column(str, pa.Check.isin(DEFENCE_PPP_BASES)),
            "value_usd_bn": pa.Column(float, pa.Check.gt(0)),
            "compare_mer_usd_bn": pa.Column(float, pa.Check.gt(0), nullable=True),
            "source": pa.Column(str, pa.Check.str_length(min_value=1)),
            "note": pa.Column(str, nullable=True),
        },
        unique=["actor", "year", "basis", "source"],
        strict=True,
        coerce=True,
    )


def origin_schema(source: str, vintage: str) -> pa.DataFrameSchema:
    """Schema of the origins of one edition a user adds (rows like ``sources.csv``: how the
    figures were obtained, verbatim)."""
    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, pa.Check.str_matches(r"^\S+$"), unique=True),
            "source": pa.Column(str, pa.Check.isin([source])),
            "vintage": pa.Column(str, pa.Check.isin([vintage])),
            "citation": pa.Column(str, pa.Check.str_length(min_value=1)),
        },
        strict=True,
        coerce=True,
    )
