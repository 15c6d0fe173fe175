"""Adversarial trials of milex's Python API and command line (issue 7: robustness).

Runs every public API function and every CLI command with bad or edge arguments from a
systematic table (wrong types, NaN/inf, empty and huge strings, unknown names, years out of
range, malformed plans and Dask addresses ...), one argument at a time around a valid call, and
classifies each call:

* ``ok``: returned (API) or exit 0 (CLI), for an input the oracle accepts or cannot judge;
* ``clean``: a :class:`milex.errors.MilexError` (API) or exit 1/2 (CLI) with one line of
  message under 300 characters;
* ``messy``: refused, but with a long or multi-line message (e.g. echoing a 100 KB input), or
  an odd exit code;
* ``raw`` (API) / ``traceback`` (CLI): any other exception, or a traceback on the output;
* ``hang``: no answer within the per-call time limit (the worker process is killed);
* ``crash``: the worker process died (segfault, killed);
* ``nonsense``: returned for an input the oracle says must be refused;
* ``suspect``: returned an empty result for an input the oracle finds doubtful.

The oracle is explicit: see the ``j_*`` judges below (bool where a number is meant, NaN/inf,
years outside 1900-2100, unknown source/country/group/indicator/edition, empty strings where a
name is meant, a string where a collection of ids is meant, negative tolerance or draws, unknown
formats, unreachable Dask schedulers ...). Valid controls run too: they must return.

Calls run in worker processes (``MILEX_HOME`` in a temporary folder, working directory in a
temporary folder, so relative output files land there); the CLI runs in process through
``typer.testing.CliRunner``'s isolation around ``milex.cli.main`` (the entry point wrapping
``milex.cli.app``), plus a sample as real subprocesses to check standard error for tracebacks,
including ``export -o /dev/full``. Network: Dask addresses are malformed or loopback ports
checked to be closed.

    python tools/trials.py [--cli] [--api] [--json FILE] [--sample N] [--subprocess N]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import logging
import math
import multiprocessing as mp
import os
import random
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

VALID, DOUBT, INVALID = "valid", "doubt", "invalid"
RANK = {VALID: 0, DOUBT: 1, INVALID: 2}
MSG_MAX = 300
API_TIMEOUT = 20.0
CLI_TIMEOUT = 20.0
NAN, INF = float("nan"), float("inf")
BIG = "A" * 100_000
SQL = "'; DROP TABLE observations; --"
EMOJI = "💣🚀"
MEMORY_LIMIT = 8 * 2**30  # address space of a worker: a runaway allocation fails, not the host

# What the oracle knows (explicit, not read from milex: the harness judges milex).
NAMES = {
    "deu",
    "germany",
    "duitsland",
    "deutschland",
    "allemagne",
    "de",
    "pol",
    "polen",
    "poland",
    "pl",
    "fra",
    "france",
    "usa",
    "nld",
    "est",
    "rus",
    "ukr",
    "chn",
}
NON_ALLIES = {"rus", "ukr", "chn"}
GROUPS = {"nato", "europe-canada", "eu", "baltics", "nordics", "eastern-flank"}
SOURCES = {"nato", "sipri", "weo", "wdi"}
VINTAGES = {
    "nato": {"2024-06", "2025-08", "2026-07"},
    "sipri": {"2025-04", "2026-04"},
    "weo": {"2025-04", "2025-10", "2026-04"},
    "wdi": {"2025-07", "2026-03"},
}
ALL_VINTAGES = set().union(*VINTAGES.values())
INDICATORS = {
    "share_gdp",
    "spend_usd_current",
    "spend_usd_const",
    "equipment_share",
    "gdp_usd_current",
    "spend_national_current",
}
SHARE_GUIDELINES = {"wales-2", "hague-3.5", "hague-5"}
ORIGIN_IDS = {"nato-2026-07-7", "nato-2024-06-1", "nato-2025-08-1"}
YEAR_LO, YEAR_HI = 1900, 2100
LATEST = 2026  # NATO's latest figures (2026 estimates)


class Opaque:
    """object() with a stable repr (for the JSON)."""

    def __repr__(self) -> str:
        return "object()"


GENERIC = [
    ("None", None),
    ("True", True),
    ("False", False),
    ("0", 0),
    ("-1", -1),
    ("7", 7),
    ("2.5", 2.5),
    ("nan", NAN),
    ("inf", INF),
    ("-inf", -INF),
    ("1e300", 1e300),
    ("''", ""),
    ("'   '", "   "),
    ("emoji", EMOJI),
    ("100KB str", BIG),
    ("SQL", SQL),
    ("list", ["a", 1]),
    ("tuple", (1, 2)),
    ("dict", {"a": 1}),
    ("set", {1, 2}),
    ("bytes", b"DEU"),
    ("object()", Opaque()),
]
# Secondary parameters (store, progress ...) get a shorter table.
SHORT = [GENERIC[i] for i in (1, 11, 16, 21)]  # secondary parameters: store, progress ...
API_TABLES = {  # the generic values each kind of parameter gets (--full: all of GENERIC)
    "num": [GENERIC[i] for i in (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 14, 15, 16, 18, 21)],
    "coll": [GENERIC[i] for i in (0, 1, 3, 7, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21)],
    "str": [GENERIC[i] for i in (0, 1, 3, 7, 11, 12, 13, 14, 15, 16, 18, 20, 21)],
}
NUM_PARAMS = {
    "year",
    "years",
    "target",
    "by",
    "base_year",
    "growth_after",
    "inflation_after",
    "draws",
    "seed",
    "tolerance_pp",
    "amounts",
    "--year",
    "--by",
    "--base-year",
    "--growth-after",
    "--inflation-after",
    "--draws",
    "--seed",
    "--target",
    "--years",
    "--amounts",
}
COLL_PARAMS = {"countries", "indicators", "ids", "obs", "path"}
CLI_NAME_PARAMS = {"COUNTRY", "--indicator", "--output", "--dask"}
FULL = False  # --full: every parameter gets the whole table

GEN_CLI = [
    ("''", ""),
    ("'   '", "   "),
    ("0", "0"),
    ("-1", "-1"),
    ("2.5", "2.5"),
    ("nan", "nan"),
    ("inf", "inf"),
    ("-inf", "-inf"),
    ("1e300", "1e300"),
    ("emoji", EMOJI),
    ("100KB", BIG),
    ("SQL", SQL),
    ("true", "true"),
    ("[]", "[]"),
]
SHORT_CLI = [GEN_CLI[i] for i in (0, 9, 10, 11)]
CLI_TABLES = {
    "num": [GEN_CLI[i] for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12)],
    "name": [GEN_CLI[i] for i in (0, 1, 2, 5, 9, 10, 11, 13)],
    "choice": SHORT_CLI,
}


def generic_for(pname: str, surface: str) -> list[tuple[str, Any]]:
    if surface == "api":
        if FULL:
            return GENERIC
        kind = "num" if pname in NUM_PARAMS else "coll" if pname in COLL_PARAMS else "str"
        return API_TABLES[kind]
    if FULL:
        return GEN_CLI
    if pname in NUM_PARAMS:
        return CLI_TABLES["num"]
    return CLI_TABLES["name" if pname in CLI_NAME_PARAMS else "choice"]


Verdict = tuple[str, str]
Judge = Callable[[Any], Verdict]
OK: Verdict = (VALID, "")


def worst(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: RANK[v[0]], default=OK)


def _type(v: Any) -> str:
    return type(v).__name__


def _isnum(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _nonfinite(v: Any) -> bool:
    return isinstance(v, float) and not math.isfinite(v)


def _number_rules(v: Any, what: str) -> Verdict | None:
    """The rules every numeric parameter shares; None if ``v`` is a finite number."""
    if isinstance(v, bool):
        return (INVALID, f"bool where {what} is meant")
    if _nonfinite(v):
        return (INVALID, f"NaN/inf where {what} is meant")
    if not _isnum(v):
        return (INVALID, f"{_type(v)} where {what} is meant")
    return None


# ----------------------------------------------------------------------------- oracle (API)


def j_name(*, optional=False, groups=False, allies_only=False, extra=None) -> Judge:
    """One country name (or a group when ``groups``)."""

    def judge(v):
        if v is None:
            return OK if optional else (INVALID, "None where a name is meant")
        if not isinstance(v, str):
            return (INVALID, f"{_type(v)} where a name is meant")
        if extra and v in extra:
            return extra[v]
        if not v.strip():
            return (INVALID, "empty string where a name is meant")
        key = v.lower()
        if key in GROUPS or key == "nato_total":
            if groups == "doubt":
                return (DOUBT, "group or aggregate where one country is meant")
            return OK if groups else (INVALID, "group where one country is meant")
        if key in NAMES:
            if allies_only and key in NON_ALLIES:
                return (INVALID, "not a NATO ally")
            return OK
        return (INVALID, "unknown country")

    return judge


def j_names(*, optional=True, year_bound=False) -> Judge:
    """Countries: one name, or a collection of names/groups."""
    one = j_name(groups=True)

    def judge(v):
        if v is None:
            return OK if optional else (INVALID, "None where names are meant")
        if isinstance(v, str):
            return one(v)
        if isinstance(v, dict | bytes):
            return (INVALID, f"{_type(v)} where a collection of names is meant")
        if isinstance(v, list | tuple | set | frozenset):
            if not v:
                return (DOUBT, "empty collection where names are meant")
            return worst([one(x) for x in v])
        return (INVALID, f"{_type(v)} where names are meant")

    return judge


def j_choice(choices, *, optional=False, what="name", doubt=(), fold=False) -> Judge:
    def judge(v):
        if v is None:
            return OK if optional else (INVALID, f"None where a {what} is meant")
        if not isinstance(v, str):
            return (INVALID, f"{_type(v)} where a {what} is meant")
        if (v.lower() if fold else v) in choices:
            return OK
        if v in doubt:
            return (DOUBT, f"{what} {v!r} of doubtful use here")
        if not v.strip():
            return (INVALID, f"empty string where a {what} is meant")
        return (INVALID, f"unknown {what}")

    return judge


def j_vintage(vintages, *, all_ok=True) -> Judge:
    ok = set(vintages) | ({"all"} if all_ok else set())
    return j_choice(ok, optional=True, what="edition")


def j_indicators(*, optional=True) -> Judge:
    one = j_choice(INDICATORS, what="indicator")

    def judge(v):
        if v is None:
            return OK if optional else (INVALID, "None where indicators are meant")
        if isinstance(v, str):
            return one(v)
        if isinstance(v, list | tuple | set):
            if not v:
                return (DOUBT, "empty collection where indicators are meant")
            return worst([one(x) for x in v])
        return (INVALID, f"{_type(v)} where indicators are meant")

    return judge


def _year_value(v: Any, what="a year") -> Verdict:
    bad = _number_rules(v, what)
    if bad:
        return bad
    if isinstance(v, float):
        if v.is_integer():
            return (DOUBT, f"integral float where {what} is meant")
        return (INVALID, f"fractional float where {what} is meant")
    if not YEAR_LO <= v <= YEAR_HI:
        return (INVALID, f"year outside {YEAR_LO}-{YEAR_HI}")
    return OK


def j_year(*, optional=True, lo=None, doubt_lo=None) -> Judge:
    """One year; ``lo``: years before it are refused (a target year in the past)."""

    def judge(v):
        if v is None:
            return OK if optional else (INVALID, "None where a year is meant")
        if isinstance(v, str):
            if re.fullmatch(r"\d{4}", v.strip()):
                return (DOUBT, "numeric string where a year is meant")
            return (INVALID, "str where a year is meant")
        verdict = _year_value(v)
        if verdict[0] != VALID:
            return verdict
        if lo is not None and v < lo:
            return (INVALID, "target year before the latest figure")
        if doubt_lo is not None and v < doubt_lo:
            return (DOUBT, "year without figures")
        return OK

    return judge


def j_years(v: Any) -> Verdict:
    """A year, "first-last", a pair or a collection of years."""
    if v is None:
        return OK
    if isinstance(v, str):
        m = re.fullmatch(r"\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?", v)
        if not m:
            return (INVALID, "malformed span of years")
        first, last = int(m[1]), int(m[2] or m[1])
        return worst([_year_value(first), _year_value(last), _order(first, last)])
    if isinstance(v, int | float):
        return _year_value(v)
    if isinstance(v, list | tuple | set | frozenset):
        if not v:
            return (INVALID, "empty collection of years")
        verdicts = [_year_value(x) for x in v]
        return worst(verdicts)
    return (INVALID, f"{_type(v)} where years are meant")


def _order(first: int, last: int) -> Verdict:
    return (INVALID, "first year after the last") if first > last else OK


def j_target(v: Any) -> Verdict:
    if isinstance(v, str):
        if v in SHARE_GUIDELINES:
            return OK
        if v == "wales-equipment-20":
            return (INVALID, "guideline on equipment, not share of GDP")
        try:
            v = float(v)
        except ValueError:
            if not v.strip():
                return (INVALID, "empty string where a target is meant")
            return (INVALID, "unknown guideline")
    bad = _number_rules(v, "a target share")
    if bad:
        return bad
    if v <= 0:
        return (INVALID, "target share <= 0")
    if v > 100:
        return (INVALID, "target share above 100% of GDP")
    return OK


def j_rate(v: Any) -> Verdict:
    if v is None:
        return OK
    bad = _number_rules(v, "a rate in percent")
    if bad:
        return bad
    if v <= -100:
        return (INVALID, "rate <= -100%")
    if v > 1000:
        return (INVALID, "rate above 1000% a year")
    if v > 100:
        return (DOUBT, "rate above 100% a year")
    return OK


def j_count(*, what: str, minimum: int, optional=False, maximum=100_000_000) -> Judge:
    def judge(v):
        if v is None:
            return OK if optional else (INVALID, f"None where {what} is meant")
        bad = _number_rules(v, what)
        if bad:
            return bad
        if isinstance(v, float):
            return (INVALID, f"float where {what} is meant")
        if v < minimum:
            return (INVALID, f"negative/zero {what}" if minimum > 0 else f"negative {what}")
        if maximum is not None and v > maximum:
            return (INVALID, f"{what} beyond the documented maximum")
        return OK

    return judge


def j_amounts(v: Any) -> Verdict:
    if v is None:
        return OK
    if not isinstance(v, dict):
        return (INVALID, f"{_type(v)} where a plan {{year: amount}} is meant")
    if not v:
        return (INVALID, "empty plan")
    verdicts = []
    for year, amount in v.items():
        if isinstance(year, bool) or not isinstance(year, int):
            verdicts.append((INVALID, "plan year not an int"))
        elif not LATEST < year <= YEAR_HI:
            verdicts.append((INVALID, "plan year not after the latest figure / out of range"))
        bad = _number_rules(amount, "an amount")
        if bad:
            verdicts.append(bad)
        elif amount <= 0:
            verdicts.append((INVALID, "amount <= 0"))
        elif amount > 1e12:
            verdicts.append((INVALID, "amount beyond any budget (> 1e12 million)"))
    return worst(verdicts)


def j_dask(v: Any) -> Verdict:
    if v is None:
        return OK
    return (INVALID, "unreachable or malformed Dask address")


def j_progress(v: Any) -> Verdict:
    return OK if v is None or callable(v) else (INVALID, f"{_type(v)} where a callable is meant")


def j_tolerance(v: Any) -> Verdict:
    if v is None:
        return OK
    bad = _number_rules(v, "a tolerance")
    if bad:
        return bad
    if v < 0:
        return (INVALID, "negative tolerance")
    if v > 100:
        return (INVALID, "tolerance above 100 points")
    return OK


STR_AS_ONE_ID = "string where a collection of ids is meant (fine if taken as one id)"


def j_ids(v: Any) -> Verdict:
    if v is None:
        return OK
    if isinstance(v, str):
        return (DOUBT, STR_AS_ONE_ID)
    if isinstance(v, list | tuple | set | frozenset):
        if not v:
            return OK
        verdicts = [
            OK
            if x in ORIGIN_IDS
            else (INVALID, "unknown source id" if isinstance(x, str) else "non-str id")
            for x in v
        ]
        return worst(verdicts)
    return (INVALID, f"{_type(v)} where a collection of ids is meant")


def j_store(v: Any) -> Verdict:
    return OK if v is None else (INVALID, f"{_type(v)} where a Store is meant")


#: Settings that are standard deviations or probabilities: a negative value is nonsense.
NOT_NEGATIVE = {"growth_sd", "inflation_sd", "horizon_slope", "recession_prob", "spend_sd"}


def j_setting(key: Any, value: Any) -> Verdict:
    """One uncertainty setting: a known name and a number (``calibrated`` for the spending
    error); its range is the model's to judge (doubtful)."""
    from milex.montecarlo.uncertainty import SETTINGS

    if key not in SETTINGS:
        return (INVALID, "unknown uncertainty setting")
    if value == "calibrated" and key in ("spend_sd", "spend_bias"):
        return OK
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        return (INVALID, "a setting that is not a number")
    if not math.isfinite(number):
        return (INVALID, "a setting that is not a finite number")
    if key in NOT_NEGATIVE and number < 0:
        return (INVALID, "a negative sd or probability")
    return (DOUBT, "range is the model's to judge") if number else OK


def j_settings(v: Any) -> Verdict:
    if v is None:
        return OK
    if not isinstance(v, dict):
        return (INVALID, f"{_type(v)} where settings (a dict) are meant")
    return worst([j_setting(k, x) for k, x in v.items()]) if v else OK


def c_setting(s: str) -> Verdict:
    key, sep, value = s.partition("=")
    return j_setting(key.strip(), value.strip()) if sep else (INVALID, "no = in a setting")


def j_flag(v: Any) -> Verdict:
    return OK if isinstance(v, bool) else (DOUBT, f"{_type(v)} where a bool is meant")


def j_obs(v: Any) -> Verdict:
    import pandas as pd

    if isinstance(v, pd.DataFrame):
        return OK
    return (INVALID, f"{_type(v)} where tidy observations are meant")


EXPORT_FORMATS = {"csv", "json", "parquet"}


def j_export_path(v: Any) -> Verdict:
    if isinstance(v, io.StringIO):
        return OK
    if not isinstance(v, str | os.PathLike):
        return (INVALID, f"{_type(v)} where a file name or stream is meant")
    suffix = os.path.splitext(str(v))[1].lstrip(".").lower()
    if suffix not in EXPORT_FORMATS:
        return (INVALID, "file name without a known format")
    return OK


def j_export_fmt(v: Any) -> Verdict:
    return j_choice(EXPORT_FORMATS, optional=True, what="format", fold=True)(v)


class Lazy:
    """A value built in the worker at call time (needs the store, or a fresh stream)."""

    def __init__(self, label: str, make: Callable[[], Any]) -> None:
        self.label, self.make = label, make

    def __repr__(self) -> str:
        return self.label


def _obs():
    import milex

    return milex.series("DEU", "share_gdp", vintage="all")


def _empty_obs():
    return _obs().iloc[0:0]


OBS = Lazy("series('DEU','share_gdp',vintage='all')", _obs)
STREAM = Lazy("StringIO()", io.StringIO)


@dataclass
class Param:
    judge: Judge
    plausible: list[tuple[str, Any]] = field(default_factory=list)
    generic: list[tuple[str, Any]] | None = None  # None: generic_for the parameter


def _p(*values: Any) -> list[tuple[str, Any]]:
    return [(repr(v) if not isinstance(v, Lazy) else v.label, v) for v in values]


def _dask_addresses(port: int) -> list[str]:
    return [
        "garbage",
        f"tcp://localhost:{port}",
        f"http://127.0.0.1:{port}",
        "tcp://",
        "tcp://127.0.0.1:99999",
        "tcp://localhost:notaport",
        "::::",
    ]


def api_specs(port: int) -> dict[str, tuple[dict, dict[str, Param]]]:
    """Per function: a valid call (keyword arguments) and the parameters to vary."""
    store = Param(j_store, [], SHORT)
    name_bad = _p("Germny", "Atlantis", "ZZZ", "NATO_TOTAL", "nato", "DEU;DROP")
    years_bad = _p(
        0,
        99999,
        "2014--2020",
        "2020-2014",
        "1800-1850",
        (2024, 2014),
        [2014, "x"],
        "2014-",
        2014.5,
        "0-99999",
        True,
    )
    nato_vintage = j_vintage(VINTAGES["nato"])
    vintage_bad = _p("2099-01", "latest", "2026-7", "2025-04")
    source = j_choice(SOURCES, optional=True, what="source")
    source_bad = _p("zzz", "NATO", "all", "sipri ")
    target_bad = _p(
        True, 0, -3.5, 101, "hague-99", "wales-equipment-20", "3.5%", "nan", "inf", "1e300"
    )
    by_bad = _p(0, 99999, 1900, 2020, 2101, 2029.5, "2029")
    rate_bad = _p(-100, -150.0, 1e6, 250.0)
    weo = j_vintage(VINTAGES["weo"], all_ok=False)
    return {
        "series": (
            {"countries": "DEU", "indicators": "share_gdp", "years": "2014-2024"},
            {
                "countries": Param(j_names(), name_bad + _p([], ["DEU", "Germny"], ("POL",))),
                "indicators": Param(j_indicators(), _p("zzz", [], ["share_gdp", 1], "Share_GDP")),
                "years": Param(j_years, years_bad),
                "source": Param(source, source_bad),
                "vintage": Param(nato_vintage, vintage_bad),
                "store": store,
            },
        ),
        "latest": (
            {"countries": "eastern-flank"},
            {
                "countries": Param(j_names(), name_bad + _p([])),
                "indicators": Param(j_indicators(), _p("zzz", [])),
                "source": Param(source, source_bad),
                "store": store,
            },
        ),
        "profile": (
            {"country": "POL"},
            {
                "country": Param(j_name(groups="doubt"), name_bad),
                "indicators": Param(j_indicators(), _p("zzz", [])),
                "years": Param(j_years, years_bad),
                "source": Param(source, source_bad),
                "store": store,
            },
        ),
        "indicators": ({}, {"store": store}),
        "countries": ({}, {"store": store}),
        "groups": ({}, {}),
        "members": (
            {"group": "nato", "year": 2023},
            {
                "group": Param(j_choice(GROUPS, what="group"), _p("NATO", "natoo", "DEU")),
                "year": Param(j_year(), _p(0, 99999, 1899, 2101, 2014.0, "2024")),
            },
        ),
        "resolve": (
            {"name": "Duitsland"},
            {"name": Param(j_name(groups="doubt"), name_bad)},
        ),
        "sources": ({}, {"store": store}),
        "origins": (
            {"ids": ["nato-2026-07-7"]},
            {
                "ids": Param(j_ids, _p("nato-2026-07-7", [], ["zzz"], ["nato-2026-07-7", 1])),
                "store": store,
            },
        ),
        "coverage": ({"source": "nato"}, {"source": Param(source, source_bad), "store": store}),
        "sipri_share": (
            {},
            {
                "vintage": Param(j_vintage(VINTAGES["sipri"], all_ok=False), vintage_bad),
                "store": store,
            },
        ),
        "differences": (
            {"country": "DEU"},
            {"country": Param(j_name(groups="doubt"), name_bad), "store": store},
        ),
        "side_by_side": (
            {"obs": OBS},
            {"obs": Param(j_obs, [("empty frame", Lazy("empty frame", _empty_obs))])},
        ),
        "reasons": ({"country": "DEU"}, {"country": Param(j_name(groups="doubt"), name_bad)}),
        "notes": (
            {"source": "nato", "iso3": "DEU"},
            {
                "source": Param(j_choice(SOURCES, what="source"), source_bad),
                "iso3": Param(
                    j_choice(
                        {"DEU", "POL", "FRA", "USA"},
                        optional=True,
                        what="ISO3 code",
                        doubt=("deu", "Germany"),
                    ),
                    _p("ZZZ", "deu", "Germany"),
                ),
                "kind": Param(j_choice({"caveat", "missing"}, what="kind of note"), _p("Caveat")),
                "only_country": Param(j_flag, [], SHORT),
                "store": store,
            },
        ),
        "guidelines": ({}, {}),
        "export": (
            {"path": "trial-out.csv", "source": "nato", "vintage": "2026-07"},
            {
                "path": Param(
                    j_export_path,
                    _p("trial.xyz", "trial", "no-such-dir/x.csv", ".", STREAM, "trial.CSV"),
                ),
                "fmt": Param(j_export_fmt, _p("xlsx", "CSV", "parquet ")),
                "source": Param(source, source_bad),
                "vintage": Param(nato_vintage, vintage_bad),
                "store": store,
            },
        ),
        "status": (
            {"year": 2024},
            {
                "year": Param(
                    j_year(doubt_lo=2014), _p(0, 99999, 1899, 2101, 1950, 2024.0, "2024")
                ),
                "source": Param(
                    j_choice({"nato", "sipri"}, what="source", doubt=("weo", "wdi")),
                    source_bad + _p("weo"),
                ),
                "vintage": Param(j_vintage(VINTAGES["nato"], all_ok=False), vintage_bad),
                "store": store,
            },
        ),
        "report": (
            {"country": "DEU"},
            {
                "country": Param(j_name(), name_bad),
                "indicators": Param(j_indicators(), _p("zzz", [])),
                "years": Param(j_years, years_bad),
                "source": Param(source, source_bad),
                "store": store,
            },
        ),
        "gap": (
            {"target": "hague-3.5", "year": 2026},
            {
                "target": Param(j_target, target_bad),
                "year": Param(j_year(doubt_lo=2014), _p(0, 99999, 1899, 1950, 2024.0)),
                "countries": Param(j_names(), name_bad + _p([], ["RUS"])),
                "group": Param(
                    j_choice(GROUPS, optional=True, what="group"), _p("NATO", "natoo", "DEU")
                ),
                "vintage": Param(j_vintage(VINTAGES["nato"], all_ok=False), vintage_bad),
                "store": store,
            },
        ),
        "path": (
            {"country": "DEU", "target": 3.5, "by": 2029},
            {
                "country": Param(j_name(groups=True, allies_only=True), name_bad + _p("RUS")),
                "target": Param(j_target, target_bad),
                "by": Param(j_year(lo=LATEST, optional=True), by_bad),
                "method": Param(j_choice({"linear", "real-growth"}, what="method"), _p("exp")),
                "base_year": Param(j_year(doubt_lo=2014), _p(0, 99999, 1950, 2030, 2024.0)),
                "growth_after": Param(j_rate, rate_bad),
                "inflation_after": Param(j_rate, rate_bad),
                "above": Param(j_choice({"hold", "converge"}, what="option"), _p("HOLD")),
                "weo_vintage": Param(weo, vintage_bad + _p("all")),
                "store": store,
            },
        ),
        "pledges": (
            {"country": "DEU"},
            {
                "country": Param(j_name(optional=True, extra={"nato": OK}), name_bad),
                "tolerance_pp": Param(j_tolerance, _p(-1, -0.001, 1e300, 1000)),
                "store": store,
            },
        ),
        "simulate": (
            {
                "country": "DEU",
                "target": 3.5,
                "by": 2029,
                "draws": 2000,
                "seed": 1,
                "sensitivity": False,
            },
            {
                "country": Param(j_name(allies_only=True, groups=True), name_bad + _p("RUS")),
                "target": Param(j_target, target_bad),
                "by": Param(j_year(lo=LATEST, optional=True), by_bad),
                "draws": Param(
                    j_count(what="draws", minimum=1), _p(0, -5, 10**12, 1000.5, 10**300)
                ),
                "seed": Param(
                    j_count(what="seed", minimum=0, optional=True, maximum=None), _p(-5, 2**70)
                ),
                "method": Param(
                    j_choice({"plan", "hold", "linear", "real-growth"}, what="method"),
                    _p("exp", "amounts", "Plan"),
                ),
                "basis": Param(
                    j_choice({"money", "share"}, optional=True, what="plan basis"),
                    _p("ppp", "Money", "mer"),
                ),
                "settings": Param(
                    j_settings,
                    _p(
                        {"growth_sd": 2.5},
                        {"growth_sd": -1},
                        {"zzz": 1},
                        {"rho": NAN},
                        {"spend_sd": "calibrated"},
                        {"country_corr": "abc"},
                        [("growth_sd", 1.0)],
                    ),
                ),
                "sensitivity": Param(j_flag, [], SHORT),
                "amounts": Param(
                    j_amounts,
                    _p(
                        {2027: 1e300},
                        {1800: 1000.0},
                        {99999: 1.0},
                        {2027: NAN},
                        {2027: -5.0},
                        {2027: 0.0},
                        {},
                        {"2027": 1000},
                        {True: 1.0},
                        "2027=1000",
                        [(2027, 1.0)],
                        {2027: 100000.0, 2028: INF},
                    ),
                ),
                "base_year": Param(j_year(doubt_lo=2014), _p(0, 99999, 1950, 2030)),
                "uncertainty": Param(
                    j_choice(
                        {"default", "none", "independent", "no-recession"},
                        what="uncertainty preset",
                    ),
                    _p("DEFAULT", "zzz", "/nonexistent/milex.toml"),
                ),
                "dask": Param(j_dask, _p(*_dask_addresses(port))),
                "progress": Param(j_progress, [], SHORT),
                "weo_vintage": Param(weo, vintage_bad + _p("all")),
                "store": store,
            },
        ),
    }


API_CONTROLS = {
    "series": [{"countries": ["DEU", "POL"], "years": (2014, 2024)}, {"source": None}],
    "path": [{"country": "europe-canada", "target": "hague-3.5", "by": 2035}],
    "gap": [{"target": 3.5, "year": 2026, "group": "europe-canada"}],
    "export": [{"path": STREAM, "fmt": "json", "source": "nato", "vintage": "2026-07"}],
    "pledges": [{}],
    "simulate": [{"country": "POL", "target": "hague-3.5", "by": 2029, "draws": 500, "seed": 2}],
}


@dataclass
class Case:
    cid: int
    surface: str  # api | cli
    func: str
    param: str
    label: str
    verdict: str
    rule: str
    kwargs: dict | None = None
    argv: list | None = None
    control: bool = False

    def shown(self) -> str:
        if self.surface == "api":
            if self.param == "-":
                inner = ", ".join(f"{k}={short(v)}" for k, v in (self.kwargs or {}).items())
                return f"{self.func}({inner})"
            return f"{self.func}({self.param}={short(self.kwargs[self.param])})"
        return "milex " + " ".join(short(a, 40) for a in self.argv)


def short(v: Any, limit: int = 80) -> str:
    text = v if isinstance(v, str) and limit == 40 else repr(v)
    if len(text) > limit:
        text = f"{text[: limit // 2]}...({len(text)} chars)"
    return text


def public_functions() -> dict[str, Callable]:
    import inspect

    import milex
    import milex.api

    names = set(getattr(milex, "API", ())) | {
        n for n in getattr(milex, "__all__", ()) if n not in ("Result", "__version__")
    }
    names |= {
        n
        for n, f in vars(milex.api).items()
        if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == "milex.api"
    }
    # update() downloads from the publishers' hosts: the trials talk to loopback only (its
    # arguments are tried against a loopback host in tests/test_cli_update.py)
    names.discard("update")
    out = {}
    for n in sorted(names):
        f = getattr(milex.api, n, None) or getattr(milex, n, None)
        if inspect.isfunction(f):
            out[n] = f
    return out


def api_cases(port: int, start: int) -> tuple[list[Case], list[str]]:
    import inspect

    specs = api_specs(port)
    funcs = public_functions()
    cases: list[Case] = []
    warnings: list[str] = []

    def add(**kw):
        cases.append(Case(cid=start + len(cases), surface="api", **kw))

    for name, fn in funcs.items():
        base, params = specs.get(name, ({}, {}))
        if name not in specs:
            warnings.append(f"{name}: no spec in the harness, generic values only (no oracle)")
        sig = inspect.signature(fn)
        for pname, p in sig.parameters.items():
            if pname not in params and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                warnings.append(f"{name}({pname}): no oracle, short table judged doubtful")
                params = {**params, pname: Param(lambda v: (DOUBT, "no oracle"), [], SHORT)}
        required = [
            pn
            for pn, p in sig.parameters.items()
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if any(r not in base for r in required):
            warnings.append(f"{name}: required argument without a valid value, skipped")
            continue
        for kwargs in [base, *API_CONTROLS.get(name, [])]:
            add(func=name, param="-", label="control", verdict=VALID, rule="", kwargs=kwargs)
            cases[-1].control = True
        for pname, prm in params.items():
            if pname not in sig.parameters:
                warnings.append(f"{name}: parameter {pname} of the spec is gone")
                continue
            for label, value in (prm.generic or generic_for(pname, "api")) + prm.plausible:
                verdict, rule = prm.judge(value) if not isinstance(value, Lazy) else OK
                add(
                    func=name,
                    param=pname,
                    label=label,
                    verdict=verdict,
                    rule=rule,
                    kwargs={**base, pname: value},
                )
    return cases, warnings


# ----------------------------------------------------------------------------- oracle (CLI)


def c_int(judge: Judge) -> Judge:
    """Typer parses INTEGER options: a string that is no int is a (clean) usage error."""

    def conv(s):
        try:
            return judge(int(s))
        except ValueError:
            return (INVALID, "not an integer")

    return conv


def c_float(judge: Judge) -> Judge:
    def conv(s):
        try:
            return judge(float(s))
        except ValueError:
            return (INVALID, "not a number")

    return conv


def c_amounts(s: str) -> Verdict:
    if not s.strip():
        return (INVALID, "empty string where a plan is meant")
    try:
        pairs = [item.split("=") for item in s.split(",")]
        plan = [(int(y), float(a)) for y, a in pairs]
    except ValueError:
        return (INVALID, "malformed plan")
    years = [y for y, _ in plan]
    if len(set(years)) < len(years):
        return (INVALID, "a year given twice in the plan")
    return j_amounts(dict(plan))


def c_output(s: str) -> Verdict:
    if s == "/dev/full":
        return (INVALID, "device that cannot be written")
    if not s.strip():
        return (INVALID, "empty string where a file name is meant")
    if s == "-":
        return OK  # '-': standard output
    if os.path.dirname(s) not in ("",) and not os.path.isdir(os.path.dirname(s)):
        return (INVALID, "no such folder")
    return j_export_path(s)


def c_indicator(s: str) -> Verdict:
    return j_indicators()(s)


CLI_FORMATS = {"table", "json", "csv"}


def CP(judge: Judge, plausible=(), generic=None) -> Param:
    """A CLI parameter: the generic table of strings."""
    return Param(judge, list(plausible), generic)


def cli_specs(port: int) -> dict[str, tuple[list, dict, dict[str, Param]]]:
    """Per command: positional arguments, options of a valid call, options to vary."""
    fmt = CP(j_choice(CLI_FORMATS, what="format"), _p("JSON", "xml"))
    year = CP(c_int(j_year(doubt_lo=2014)), _p("99999", "1899", "1950", "2024.0"))
    source = CP(j_choice(SOURCES, what="source"), _p("zzz", "NATO", "all"))
    vintage = CP(j_vintage(VINTAGES["nato"], all_ok=False), _p("2099-01", "latest", "2026-7"))
    target = CP(
        j_target, _p("hague-99", "wales-equipment-20", "3.5%", "-3.5", "101", "True", "3,5")
    )
    by = CP(c_int(j_year(lo=LATEST)), _p("99999", "1900", "2020", "2101", "2029.5"))
    method = CP(j_choice({"linear", "real-growth"}, what="method"), _p("exp", "LINEAR"))
    names_bad = _p("Germny", "Atlantis", "ZZZ", "NATO_TOTAL", "-x", "DEU,POL")
    return {
        "status": (
            [],
            {"--format": "csv"},
            {
                "--year": year,
                "--source": CP(
                    j_choice({"nato", "sipri"}, what="source", doubt=("weo", "wdi")),
                    _p("zzz", "NATO", "weo"),
                ),
                "--vintage": vintage,
                "--format": fmt,
            },
        ),
        "show": (
            ["DEU"],
            {"--format": "csv"},
            {
                "COUNTRY": CP(j_name(), names_bad + _p("nato")),
                "--indicator": CP(c_indicator, _p("zzz")),
                "--source": source,
                "--years": CP(
                    j_years, _p("0", "99999", "2014--2020", "2020-2014", "1800-1850", "2014-")
                ),
                "--format": fmt,
            },
        ),
        "sources": ([], {"--format": "csv"}, {"--format": fmt}),
        "export": (
            [],
            {"--source": "nato", "--vintage": "2026-07", "--output": "trial-out.csv"},
            {
                "--source": source,
                "--vintage": CP(j_vintage(VINTAGES["nato"]), _p("2099-01", "latest")),
                "--format": CP(j_export_fmt, _p("xlsx", "CSV", "parquet ")),
                "--output": CP(c_output, _p("trial.xyz", "trial", "no-such-dir/x.csv", ".", "-")),
            },
        ),
        "gap": (
            [],
            {"--format": "csv"},
            {
                "--target": target,
                "--year": year,
                "--group": CP(j_choice(GROUPS, what="group"), _p("NATO", "natoo", "DEU")),
                "--currency": CP(j_choice({"USD", "EUR"}, what="currency"), _p("usd", "GBP")),
                "--prices": CP(j_choice({"current", "constant"}, what="prices"), _p("real")),
                "--vintage": vintage,
                "--format": fmt,
            },
        ),
        "path": (
            ["DEU"],
            {"--target": "3.5", "--by": "2029", "--format": "csv"},
            {
                "COUNTRY": CP(j_name(groups=True, allies_only=True), names_bad + _p("RUS")),
                "--target": target,
                "--by": by,
                "--method": method,
                "--base-year": CP(c_int(j_year(doubt_lo=2014)), _p("99999", "1950", "2030")),
                "--growth-after": CP(c_float(j_rate), _p("-100", "-150", "1e6")),
                "--inflation-after": CP(c_float(j_rate), _p("-100", "1e6")),
                "--format": fmt,
            },
        ),
        "pledges": (
            ["DEU"],
            {"--format": "csv"},
            {"COUNTRY": CP(j_name(), names_bad), "--format": fmt},
        ),
        "simulate": (
            ["DEU"],
            {"--by": "2029", "--draws": "2000", "--seed": "1", "--format": "csv"},
            {
                "COUNTRY": CP(j_name(allies_only=True, groups=True), names_bad + _p("RUS")),
                "--target": target,
                "--by": by,
                "--draws": CP(
                    c_int(j_count(what="draws", minimum=1)), _p("-5", "1000000000000", "1000.5")
                ),
                "--seed": CP(
                    c_int(j_count(what="seed", minimum=0, maximum=None)), _p("-5", str(2**70))
                ),
                "--method": CP(
                    j_choice({"plan", "hold", "linear", "real-growth"}, what="method"),
                    _p("exp", "PLAN", "amounts"),
                ),
                "--basis": CP(j_choice({"money", "share"}, what="plan basis"), _p("ppp", "x")),
                "--uncertainty": CP(
                    j_choice(
                        {"default", "none", "independent", "no-recession"},
                        what="uncertainty preset",
                    ),
                    _p("zzz", "/nonexistent/milex.toml"),
                ),
                "--set": CP(
                    c_setting,
                    _p("growth_sd=2.5", "growth_sd=-1", "zzz=1", "rho", "spend_sd=calibrated"),
                ),
                "--amounts": CP(
                    c_amounts,
                    _p(
                        "2027=100000,2027=110000",
                        "2027=1e300",
                        "2027=nan",
                        "2027=-5",
                        "1800=1000",
                        "99999=1",
                        "2027",
                        "2027=",
                        "=1000",
                        "2027=100000,",
                        "2027=100000;2028=1",
                    ),
                ),
                "--dask": CP(j_dask, _p(*_dask_addresses(port))),
                "--format": fmt,
            },
        ),
    }


CLI_EXTRA = [  # whole command lines: (argv, verdict, rule)
    (["zzz"], INVALID, "unknown command"),
    (["status", "--zzz"], INVALID, "unknown option"),
    (["status", "extra"], INVALID, "extra argument"),
    (["show"], INVALID, "missing argument"),
    (["path"], INVALID, "missing argument"),
    (["simulate"], INVALID, "missing argument"),
    (["status", "--year"], INVALID, "option without its value"),
    (["status", "-y", "2024", "-y", "2023", "-f", "csv"], DOUBT, "option given twice"),
    (["path", "DEU", "--converge=yes"], INVALID, "value for a flag"),
    (
        ["simulate", "DEU", "--by", "2029", "-n", "2000", "--amounts", "2027=1,2027=2"],
        INVALID,
        "a year given twice in the plan",
    ),
    (
        ["export", "-s", "nato", "--vintage", "2026-07", "-f", "parquet"],
        INVALID,
        "parquet to standard output",
    ),
]
CLI_CONTROLS = [
    ["--version"],
    [],
    ["--help"],
    ["status", "--help"],
    ["gap", "--target", "3.5", "--year", "2026", "--group", "europe-canada", "-f", "json"],
    ["path", "europe-canada", "--by", "2035", "--method", "real-growth", "-f", "csv"],
    ["export", "-s", "nato", "--vintage", "2026-07", "-f", "csv"],
    ["pledges", "-f", "csv"],
    ["show", "Duitsland", "--years", "2014-2024"],
]


def cli_argv(pos: list, opts: dict) -> list[str]:
    argv = []
    for k, v in opts.items():
        argv.append(f"{k}={v}" if v.startswith("-") else k)
        if not v.startswith("-"):
            argv.append(v)
    if any(p.startswith("-") for p in pos):
        return [*argv, "--", *pos]
    return argv + pos


def cli_cases(port: int, start: int) -> list[Case]:
    cases: list[Case] = []

    def add(**kw):
        cases.append(Case(cid=start + len(cases), surface="cli", **kw))

    for argv in CLI_CONTROLS:
        add(
            func=(argv or ["(none)"])[0],
            param="-",
            label="control",
            verdict=VALID,
            rule="",
            argv=argv,
            control=True,
        )
    for cmd, (pos, opts, params) in cli_specs(port).items():
        add(
            func=cmd,
            param="-",
            label="control",
            verdict=VALID,
            rule="",
            argv=[cmd, *cli_argv(pos, opts)],
            control=True,
        )
        for pname, prm in params.items():
            for label, value in (prm.generic or generic_for(pname, "cli")) + prm.plausible:
                verdict, rule = prm.judge(value)
                if pname == "COUNTRY":
                    argv = [cmd, *cli_argv([value], opts)]
                else:
                    argv = [cmd, *cli_argv(pos, {**opts, pname: value})]
                add(func=cmd, param=pname, label=label, verdict=verdict, rule=rule, argv=argv)
    for argv, verdict, rule in CLI_EXTRA:
        add(
            func=argv[0] if argv else "-",
            param="argv",
            label=" ".join(argv),
            verdict=verdict,
            rule=rule,
            argv=argv,
        )
    return cases


# ----------------------------------------------------------------------------- running


def _is_empty(out: Any) -> bool | None:
    import pandas as pd

    frame = getattr(out, "df", out)
    if isinstance(frame, pd.DataFrame):
        return frame.empty
    if isinstance(out, list | dict | tuple | str):
        return len(out) == 0
    return None


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "milex" in f.filename and "trials.py" not in f.filename]
    f = (ours or frames or [None])[-1]
    if f is None:
        return ""
    return f"{f.filename.split('/src/')[-1]}:{f.lineno} in {f.name}"


def _message_ok(msg: str) -> bool:
    return "\n" not in msg.strip() and len(msg) < MSG_MAX and BIG[:1000] not in msg


def run_api(case: Case) -> dict:
    import milex
    import milex.api
    from milex.errors import MilexError

    fn = getattr(milex.api, case.func)
    kwargs = {}
    for k, v in case.kwargs.items():
        kwargs[k] = v.make() if isinstance(v, Lazy) else copy.deepcopy(v)
    t0 = time.perf_counter()
    try:
        out = fn(**kwargs)
    except MilexError as exc:
        msg = str(exc)
        kind = "clean" if _message_ok(msg) else "messy"
        return {
            "outcome": kind,
            "exc": type(exc).__name__,
            "message": msg[:MSG_MAX],
            "length": len(msg),
            "where": _where(exc),
            "t": time.perf_counter() - t0,
        }
    except (Exception, SystemExit) as exc:
        msg = str(exc)
        return {
            "outcome": "raw",
            "exc": f"{type(exc).__module__}.{type(exc).__name__}",
            "message": msg[:MSG_MAX],
            "length": len(msg),
            "where": _where(exc),
            "t": time.perf_counter() - t0,
        }
    rows = len(getattr(out, "df", out)) if hasattr(getattr(out, "df", out), "__len__") else None
    return {"outcome": "ok", "empty": _is_empty(out), "rows": rows, "t": time.perf_counter() - t0}


def classify_cli(code: Any, stdout: str, stderr: str, escaped: str | None) -> dict:
    text = stdout + stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    message = lines[-1] if lines else ""
    if escaped or "Traceback (most recent call last)" in text:
        where = escaped or text[text.find("Traceback") :]
        tail = [ln for ln in where.strip().splitlines() if ln.strip()]
        return {
            "outcome": "traceback",
            "code": code,
            "message": (tail[-1] if tail else "")[:MSG_MAX],
            "where": "\n".join(tail[-3:-1])[:MSG_MAX],
        }
    if code == 0:
        empty = len([ln for ln in stdout.splitlines() if ln.strip()]) <= 1
        return {"outcome": "ok", "code": 0, "empty": empty, "message": message[:MSG_MAX]}
    clean = code in (1, 2) and len(lines) == 1 and _message_ok(message)
    return {
        "outcome": "clean" if clean else "messy",
        "code": code,
        "message": message[:MSG_MAX],
        "length": len(stderr),
        "lines": len(lines),
    }


def run_cli(case: Case) -> dict:
    from typer.testing import CliRunner

    import milex.cli

    t0 = time.perf_counter()
    escaped = None
    code: Any = 0
    with CliRunner().isolation() as streams:
        try:
            milex.cli.main(list(case.argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, int | None):
                print(exc.code, file=sys.stderr)
        except BaseException:
            escaped = traceback.format_exc()
            code = "exception"
        sys.stdout.flush()
        sys.stderr.flush()
        stdout = streams[0].getvalue().decode("utf-8", "replace")
        stderr = streams[1].getvalue().decode("utf-8", "replace")
    res = classify_cli(code, stdout, stderr, escaped)
    res["t"] = time.perf_counter() - t0
    return res


class _CurrentStderr(logging.Handler):
    """Logging to whatever sys.stderr is now (the CLI's basicConfig then changes nothing)."""

    def emit(self, record):
        with contextlib.suppress(Exception):
            sys.stderr.write(f"milex: {record.getMessage()}\n")


def worker_main(conn, cases: dict[int, Case], tmp: str) -> None:
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    os.chdir(tempfile.mkdtemp(dir=tmp, prefix="worker-"))
    logging.getLogger().addHandler(_CurrentStderr())
    logging.getLogger("milex").setLevel(logging.INFO)
    import milex
    import milex.cli

    milex.sources()  # opens the store: the first case's time limit is not spent on it
    conn.send("ready")
    while True:
        try:
            cid = conn.recv()
        except EOFError:
            return
        if cid is None:
            return
        case = cases[cid]
        try:
            res = run_api(case) if case.surface == "api" else run_cli(case)
        except BaseException as exc:  # the harness itself failed on this case
            res = {"outcome": "crash", "exc": type(exc).__name__, "message": str(exc)[:MSG_MAX]}
        try:
            conn.send(res)
        except Exception as exc:
            conn.send({"outcome": "crash", "message": f"unpicklable result: {exc}"})


@dataclass
class Worker:
    proc: Any
    conn: Any
    ready: bool = False
    cid: int | None = None
    t0: float = 0.0


def run_pool(cases: list[Case], n: int, tmp: str, log: Callable[[str], None]) -> dict[int, dict]:
    ctx = mp.get_context("fork")
    table = {c.cid: c for c in cases}
    todo = [c.cid for c in cases]
    todo.reverse()
    results: dict[int, dict] = {}

    def start() -> Worker:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker_main, args=(child, table, tmp), daemon=True)
        proc.start()
        child.close()
        return Worker(proc, parent)

    workers = [start() for _ in range(n)]
    done_last = time.monotonic()
    while todo or any(w.cid is not None for w in workers):
        for w in workers:
            if w.ready and w.cid is None and todo:
                w.cid = todo.pop()
                w.t0 = time.monotonic()
                w.conn.send(w.cid)
        ready = wait([w.conn for w in workers], timeout=0.5)
        for i, w in enumerate(workers):
            if w.conn not in ready:
                continue
            try:
                msg = w.conn.recv()
            except (EOFError, OSError, Exception) as exc:
                if w.cid is not None:
                    results[w.cid] = {
                        "outcome": "crash",
                        "message": f"worker died: {exc!r}",
                        "code": w.proc.exitcode,
                    }
                w.proc.kill()
                w.proc.join()
                workers[i] = start()
                continue
            if msg == "ready":
                w.ready = True
            else:
                msg["t"] = msg.get("t", time.monotonic() - w.t0)
                results[w.cid] = msg
                w.cid = None
        now = time.monotonic()
        for i, w in enumerate(workers):
            if w.cid is None:
                if not w.ready and now - w.t0 > 120 and w.t0:
                    raise RuntimeError("a worker did not start in 120 s")
                continue
            limit = API_TIMEOUT if table[w.cid].surface == "api" else CLI_TIMEOUT
            if now - w.t0 > limit:
                results[w.cid] = {
                    "outcome": "hang",
                    "message": f"no answer in {limit:g} s",
                    "t": now - w.t0,
                }
                w.proc.kill()
                w.proc.join()
                workers[i] = start()
                workers[i].t0 = now
        if now - done_last > 15:
            log(f"  ... {len(results)}/{len(cases)} calls done")
            done_last = now
    for w in workers:
        with contextlib.suppress(OSError):
            w.conn.send(None)
        w.proc.join(timeout=5)
        if w.proc.is_alive():
            w.proc.kill()
    return results


def judge_outcome(case: Case, res: dict) -> str:
    """The final class: ok becomes nonsense (oracle refuses) or suspect (doubtful, empty)."""
    outcome = res["outcome"]
    if case.surface == "cli" and outcome == "raw":
        outcome = "traceback"
    if outcome == "ok":
        if case.verdict == INVALID:
            return "nonsense"
        if case.rule == STR_AS_ONE_ID and res.get("rows") != 1:
            return "nonsense"  # iterated as characters, or more than the one id
        if case.verdict == DOUBT and res.get("empty"):
            return "suspect"
    return outcome


# ----------------------------------------------------------------------------- subprocesses


def dev_full_ok() -> bool:
    try:
        return stat.S_ISCHR(os.stat("/dev/full").st_mode)
    except FileNotFoundError:
        return False


def repair_dev_full(log: Callable[[str], None]) -> None:
    log("!!! WARNING: /dev/full IS NO LONGER A CHARACTER DEVICE (replaced by the trials) !!!")
    if os.geteuid() == 0:
        subprocess.run(["rm", "-f", "/dev/full"], check=False)
        subprocess.run(["mknod", "/dev/full", "c", "1", "7"], check=False)
        subprocess.run(["chmod", "666", "/dev/full"], check=False)
        log(f"!!! recreated /dev/full: character device again: {dev_full_ok()}")
    else:
        log("!!! not root: recreate it with `mknod /dev/full c 1 7 && chmod 666 /dev/full`")


def run_subprocess(case: Case, env: dict, cwd: str, stdout_path: str | None = None) -> dict:
    exe = shutil.which("milex")
    cmd = [exe, *case.argv] if exe else [sys.executable, "-m", "milex", *case.argv]
    out = open(stdout_path, "w") if stdout_path else subprocess.PIPE  # noqa: SIM115
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            cmd,
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            timeout=CLI_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return {
            "outcome": "hang",
            "message": f"no answer in {CLI_TIMEOUT:g} s",
            "t": time.monotonic() - t0,
        }
    finally:
        if stdout_path:
            out.close()
    stdout = "" if stdout_path else proc.stdout.decode("utf-8", "replace")
    res = classify_cli(proc.returncode, stdout, proc.stderr.decode("utf-8", "replace"), None)
    res["t"] = time.monotonic() - t0
    return res


def subprocess_cases(cli: list[Case], n: int, start: int) -> list[tuple[Case, str | None]]:
    rng = random.Random(7)
    by_cmd = defaultdict(list)
    for c in cli:
        if not c.control:
            by_cmd[c.func].append(c)
    picked: list[Case] = []
    pools = [rng.sample(v, len(v)) for _, v in sorted(by_cmd.items())]
    while len(picked) < n and any(pools):
        for pool in pools:
            if pool and len(picked) < n:
                picked.append(pool.pop())
    out: list[tuple[Case, str | None]] = [(c, None) for c in picked]
    full = [
        (["export", "-s", "nato", "--vintage", "2026-07", "-o", "/dev/full"], "--output"),
        (
            ["export", "-s", "nato", "--vintage", "2026-07", "-f", "csv", "-o", "/dev/full"],
            "--output",
        ),
    ]
    for i, (argv, param) in enumerate(full):
        out.append(
            (
                Case(
                    start + i,
                    "cli",
                    "export",
                    param,
                    "/dev/full",
                    INVALID,
                    "device that cannot be written",
                    argv=argv,
                ),
                None,
            )
        )
    for i, argv in enumerate((["status", "-f", "csv"], ["sources"], ["export", "-s", "nato"])):
        out.append(
            (
                Case(
                    start + 10 + i,
                    "cli",
                    argv[0],
                    "stdout",
                    "> /dev/full",
                    INVALID,
                    "standard output cannot be written",
                    argv=argv,
                ),
                "/dev/full",
            )
        )
    return out


# ----------------------------------------------------------------------------- report


COLUMNS = ["tried", "ok", "clean", "raw", "hang", "nonsense", "messy", "suspect", "crash"]
FAILING = {"raw", "traceback", "hang", "nonsense", "messy", "suspect", "crash"}


def table(rows: dict[str, Counter], title: str, raw_name: str) -> str:
    cols = [c if c != "raw" else raw_name for c in COLUMNS]
    width = max(len(k) for k in [*rows, "TOTAL"]) + 2
    head = f"{title:<{width}}" + "".join(f"{c:>10}" for c in cols)
    lines = [head, "-" * len(head)]
    total = Counter()
    for name in sorted(rows):
        cnt = rows[name]
        total.update(cnt)
        lines.append(f"{name:<{width}}" + "".join(f"{cnt.get(c, 0):>10}" for c in cols))
    lines.append("-" * len(head))
    lines.append(f"{'TOTAL':<{width}}" + "".join(f"{total.get(c, 0):>10}" for c in cols))
    return "\n".join(lines)


def tally(cases: list[Case], outcomes: dict[int, str]) -> dict[str, Counter]:
    rows: dict[str, Counter] = defaultdict(Counter)
    for c in cases:
        if c.control:
            continue
        o = outcomes[c.cid]
        o = "raw" if o == "traceback" else o
        rows[c.func]["tried"] += 1
        rows[c.func][o] += 1
    return rows


def closed_port(preferred: int = 8786) -> int:
    """A loopback port nothing listens on (8786, Dask's default, if it is free)."""
    for port in (preferred, 0):
        with socket.socket() as s:
            if port == preferred:
                if s.connect_ex(("127.0.0.1", port)) != 0:
                    return port
                continue
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def git_head(root: str) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", root, "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        dirty = subprocess.run(
            ["git", "-C", root, "status", "--short", "--", "src"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
        return out.stdout.strip() + (
            f" (+{len(dirty.splitlines())} changed files under src/)" if dirty else ""
        )
    except (OSError, subprocess.SubprocessError):
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cli", action="store_true", help="run the command-line trials")
    ap.add_argument("--api", action="store_true", help="run the Python API trials")
    ap.add_argument("--json", metavar="FILE", help="write every failing case to FILE")
    ap.add_argument("--sample", type=int, metavar="N", help="a reproducible sample of N cases")
    ap.add_argument(
        "--subprocess",
        type=int,
        default=40,
        metavar="N",
        help="CLI cases rerun as real subprocesses (default 40; 0: none)",
    )
    ap.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    ap.add_argument("--full", action="store_true", help="every parameter gets every generic value")
    args = ap.parse_args()
    global FULL
    FULL = args.full
    if not (args.cli or args.api):
        args.cli = args.api = True

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    started = time.time()
    t0 = time.monotonic()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = tempfile.mkdtemp(prefix="milex-trials-")
    os.environ["MILEX_HOME"] = os.path.join(tmp, "home")
    env = {**os.environ, "PYTHONWARNINGS": "default", "COLUMNS": "140"}
    port = closed_port()
    log(f"trials of milex at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; tree: {git_head(root)}")
    log(f"MILEX_HOME={os.environ['MILEX_HOME']}; unreachable Dask port {port}")
    build = subprocess.run(
        [sys.executable, "-c", "import milex; milex.sources()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0:
        print(f"cannot build the store:\n{build.stderr}", file=sys.stderr)
        return 3

    cases: list[Case] = []
    warnings: list[str] = []
    if args.api:
        api, warnings = api_cases(port, 0)
        cases += api
    if args.cli:
        cases += cli_cases(port, 100_000)
    if args.sample:
        rng = random.Random(11)
        controls = [c for c in cases if c.control]
        rest = [c for c in cases if not c.control]
        cases = controls + sorted(
            rng.sample(rest, min(args.sample, len(rest))), key=lambda c: c.cid
        )
    for w in warnings:
        log(f"note: {w}")
    log(
        f"{len(cases)} calls ({sum(c.control for c in cases)} controls) "
        f"on {args.workers} workers ..."
    )
    results = run_pool(cases, args.workers, tmp, log)
    outcomes = {c.cid: judge_outcome(c, results[c.cid]) for c in cases}

    sub_results: list[tuple[Case, dict, str | None]] = []
    if args.cli and args.subprocess:
        cli = [c for c in cases if c.surface == "cli"]
        picked = subprocess_cases(cli, args.subprocess, 200_000)
        log(f"{len(picked)} CLI cases as subprocesses (incl. /dev/full) ...")
        if not dev_full_ok():
            log("!!! /dev/full is not a character device BEFORE the trials")
        cwd = tempfile.mkdtemp(dir=tmp, prefix="sub-")
        plain = [(c, s) for c, s in picked if c.label != "/dev/full" and s is None]
        full = [(c, s) for c, s in picked if (c, s) not in plain]
        with ThreadPoolExecutor(args.workers) as pool:
            for (c, s), r in zip(
                plain, pool.map(lambda cs: run_subprocess(cs[0], env, cwd), plain), strict=True
            ):
                sub_results.append((c, r, s))
        for c, s in full:  # one at a time, checking the device after each
            r = run_subprocess(c, env, cwd, s)
            if not dev_full_ok():
                r = {
                    **r,
                    "outcome": "nonsense" if r["outcome"] == "ok" else r["outcome"],
                    "message": (r.get("message") or "") + " [REPLACED /dev/full]",
                }
                repair_dev_full(log)
                r["dev_full_replaced"] = True
            sub_results.append((c, r, s))

    elapsed = time.monotonic() - t0
    report = [
        f"milex trials, started {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(started))}"
        f", {elapsed:.0f} s; tree: {git_head(root)}"
    ]
    api_cases_ = [c for c in cases if c.surface == "api"]
    cli_cases_ = [c for c in cases if c.surface == "cli"]
    for name, group, raw_name in (("API", api_cases_, "raw"), ("CLI", cli_cases_, "traceback")):
        if not group:
            continue
        report.append("")
        report.append(
            table(
                tally(group, outcomes),
                f"{name} function" if name == "API" else "CLI command",
                raw_name,
            )
        )
        ctl = [c for c in group if c.control]
        bad = [c for c in ctl if outcomes[c.cid] != "ok"]
        report.append(
            f"controls (valid calls): {len(ctl) - len(bad)} of {len(ctl)} ok"
            + "".join(
                f"\n  CONTROL FAILED: {c.shown()} -> {outcomes[c.cid]}: "
                f"{results[c.cid].get('message', '')}"
                for c in bad
            )
        )
    if sub_results:
        cnt = Counter(judge_outcome(c, r) for c, r, _ in sub_results)
        report.append("")
        report.append(
            f"subprocess sample: {len(sub_results)} runs: "
            + ", ".join(f"{k} {v}" for k, v in sorted(cnt.items()))
        )
        differ = [
            (c, r)
            for c, r, s in sub_results
            if c.cid in outcomes and judge_outcome(c, r) != outcomes[c.cid]
        ]
        for c, r in differ:
            report.append(
                f"  differs from in-process: {c.shown()}: {outcomes[c.cid]} in process,"
                f" {judge_outcome(c, r)} as subprocess"
            )
        for c, r, s in sub_results:
            if "/dev/full" in c.label:
                report.append(
                    f"  {c.shown()}{' > /dev/full' if s else ''}: {judge_outcome(c, r)}, exit "
                    f"{r.get('code')}: {short(r.get('message') or '', 120)}"
                )
        report.append(f"/dev/full still a character device: {dev_full_ok()}")
    print("\n".join(report))

    failures = []
    for c in cases:
        o = outcomes[c.cid]
        if o in FAILING or (c.control and o != "ok"):
            failures.append(_failure(c, o, results[c.cid], "in-process"))
    for c, r, s in sub_results:
        o = judge_outcome(c, r)
        if o in FAILING:
            failures.append(_failure(c, o, r, "subprocess" + (" > /dev/full" if s else "")))
    if args.json:
        counts = {
            name: dict(sum(tally(group, outcomes).values(), Counter()))
            for name, group in (("api", api_cases_), ("cli", cli_cases_))
        }
        meta = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
            "seconds": round(elapsed, 1),
            "tree": git_head(root),
            "totals": counts,
            "harness_notes": warnings,
            "doubtful_accepted": [
                f"{c.shown()}: {c.rule}"
                for c in cases
                if c.verdict == DOUBT and outcomes[c.cid] == "ok"
            ],
        }
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "failures": failures}, f, indent=1, ensure_ascii=False)
        log(f"wrote {len(failures)} failing cases to {args.json}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


def _failure(c: Case, outcome: str, r: dict, how: str) -> dict:
    return {
        "surface": c.surface,
        "run": how,
        "function": c.func,
        "param": c.param,
        "value": c.label if len(c.label) < 200 else c.label[:100] + "...",
        "input": c.shown(),
        "oracle": c.verdict,
        "rule": c.rule,
        "outcome": outcome,
        "exception": r.get("exc"),
        "exit_code": r.get("code"),
        "message": r.get("message"),
        "message_length": r.get("length"),
        "where": r.get("where"),
        "seconds": round(r.get("t", 0.0), 2),
    }


if __name__ == "__main__":
    sys.exit(main())
