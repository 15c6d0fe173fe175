"""The Python API of milex: every front end (CLI, web, reports) calls these functions.

Lookups return pandas DataFrames in the tidy shape ``iso3, name, year, indicator, value, unit,
status, source, vintage, source_id`` (:data:`milex.vocab.TIDY_COLUMNS`) or a documented table;
each row carries its source and edition. Analysis functions (:func:`status`, :func:`gap`,
:func:`path`, :func:`pledges`, :func:`simulate`, :func:`report`) return a
:class:`milex.result.Result`: the figures (``result.df``), their units, the citations of their
sources, notes and caveats, and the query as run.

Units are in the ``unit`` column or ``result.units``: shares are percent (2.0 means 2% of GDP),
money carries currency, scale and price basis ("USD million current", "EUR million constant
2021"). Years are NATO's (the calendar year holding most of a fiscal year) for NATO figures and
calendar years for SIPRI. Every function takes an optional ``store``; by default the store of
the package's embedded data is used. Here is no SQL and no file I/O: data come through the
store, analysis from the modules below.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import inspect
import io
import math
import numbers
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO

import numpy as np
import pandas as pd
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    ValidationError,
    validate_call,
)

from milex import geo, outfile, revisions
from milex.arsenal import model as _arsenal
from milex.arsenal import ratio as _arsenal_ratio
from milex.arsenal import scenario as _arsenal_scenario
from milex.arsenal.estimates import ACTORS as _arsenal_actors
from milex.catalog import data_dir, embedded_editions, read_toml
from milex.catalog import home as catalog_home
from milex.checks import crosscheck as _crosscheck
from milex.checks import pledges as _pledges
from milex.claims.words import LANGUAGES as _claim_languages
from milex.comparison import compare as _compare
from milex.comparison.bases import BASES
from milex.errors import InputError, MilexError, OutputError, first_line, shown
from milex.montecarlo import Uncertainty, load_uncertainty
from milex.montecarlo.uncertainty import apply_settings
from milex.projection import backtest as _backtest
from milex.projection import group_probability as _group_probability
from milex.projection import paths as _paths
from milex.projection import probability as _probability
from milex.projection import sensitivity as _sensitivity
from milex.result import Result
from milex.store import Store, default_store, userdata
from milex.targets import MAX_TARGET_YEAR, MIN_TARGET_YEAR, resolve_target
from milex.targets import gap as _gap
from milex.targets import guidelines as _guidelines
from milex.targets import status as _status
from milex.vocab import FIRST_YEAR, LAST_YEAR, Years, parse_years

#: Most draws one simulate call takes (about 10 s a country-decade on two cores).
MAX_DRAWS = 100_000_000
#: Longest name accepted (of a country, group, source, edition, indicator ...), characters.
MAX_NAME = 100

# ------------------------------------------------------------------------ argument types
# Each public function checks its arguments against these annotations with pydantic
# (see _validated); a refused argument is an InputError naming it, what was given and what is
# accepted (ACCEPTED).


def _not_bool(value: object) -> object:
    """Refuse True and False where a whole number is meant (pydantic reads True as 1)."""
    if isinstance(value, bool):
        raise ValueError("a yes/no value is not a number")
    return value


def _takes(*arguments: str) -> Callable[[Callable], Callable]:
    """A check that a callback takes the ``arguments`` named (a progress callback: the chunks
    done and the chunks in all, and for an update what is being done)."""
    words = {2: "two", 3: "three"}
    example = {"done": 0, "total": 0, "what": "read"}

    def check(callback: Callable) -> Callable:
        try:
            inspect.signature(callback).bind(*(example[a] for a in arguments))
        except TypeError:
            names = f"{', '.join(arguments[:-1])} and {arguments[-1]}"
            raise ValueError(
                f"it does not take {words[len(arguments)]} arguments, {names}"
            ) from None
        except ValueError:  # a builtin without a signature: trusted
            pass
        return callback

    return check


def _output(value: object) -> object:
    """A file name (text or path) or an open text stream (anything with a write method)."""
    named = isinstance(value, str | os.PathLike) and str(value) != ""
    if named or callable(getattr(value, "write", None)):
        return value
    raise ValueError("neither a file name nor a stream")


#: The columns side_by_side reads, and what each must hold.
_TIDY_KINDS = {
    "source": "text",
    "vintage": "text",
    "year": "whole numbers",
    "value": "numbers",
}


def _holds(column: pd.Series, kind: str) -> bool:
    """Whether ``column`` holds ``kind``: by its dtype, and for a column of Python objects by
    each value (so an empty column of objects, as ``DataFrame(columns=...)`` makes, holds any
    kind, but an empty column of numbers holds no text)."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return False
    if kind == "text":
        if not pd.api.types.is_object_dtype(dtype) and not isinstance(dtype, pd.StringDtype):
            return False
        return bool(column.map(lambda v: isinstance(v, str)).all())
    if pd.api.types.is_integer_dtype(dtype):
        return True
    if pd.api.types.is_float_dtype(dtype):
        return kind == "numbers" or bool(column.map(_is_whole).all())
    if not pd.api.types.is_object_dtype(dtype):  # text, dates, categories, complex numbers ...
        return False
    if kind == "numbers":
        return bool(column.map(lambda v: v is None or _is_number(v)).all())
    return bool(column.map(_is_whole).all())


def _is_whole(value: object) -> bool:
    """A whole number (a numpy one, or a float such as 2024.0), not a yes/no value."""
    return _is_number(value) and math.isfinite(value) and float(value).is_integer()


def _is_number(value: object) -> bool:
    """A real number (a numpy one too), not a yes/no value."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Observations side_by_side can read: the tidy columns it uses, each once, holding
    whole-number years, numeric values and text sources and editions."""
    absent = [c for c in _TIDY_KINDS if c not in frame.columns]
    if absent:
        raise ValueError(f"no {', '.join(absent)} column")
    twice = [c for c in _TIDY_KINDS if list(frame.columns).count(c) > 1]
    if twice:
        raise ValueError(f"more than one {', '.join(twice)} column")
    wrong = [f"{c} must hold {k}" for c, k in _TIDY_KINDS.items() if not _holds(frame[c], k)]
    if wrong:
        raise ValueError("; ".join(wrong))
    return frame


def _basis(value: object) -> str:
    """One basis for both sides of a comparison: a pair or a mixed basis is refused loudly."""
    mixed = isinstance(value, list | tuple | set | dict) or (
        isinstance(value, str) and any(sep in value for sep in (",", "/", "+", " vs ", ";"))
    )
    if mixed:
        raise ValueError(
            "one basis applies to both sides: a mixed comparison (one side at PPP, the other "
            "at market rates) is refused"
        )
    if not isinstance(value, str) or value.lower() not in (*BASES, "all"):
        raise ValueError("not a basis")
    return value.lower()


def _lang(value: object) -> str | None:
    """A language of the claim checker, or None (also for ``auto``) to detect it."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return None
    if not isinstance(value, str) or value.strip().lower() not in _claim_languages:
        raise ValueError("not a language milex reads")
    return value.strip().lower()


def _day(value: object) -> dt.date:
    """A day: a date (not a datetime's time) or an ISO text YYYY-MM-DD within the years milex
    knows."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not a day written YYYY-MM-DD") from None
    if not isinstance(value, dt.date):
        raise ValueError("not a day")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"outside {FIRST_YEAR}-{LAST_YEAR}")
    return value


#: A name or code: of a country, group, source, edition, indicator, guideline ...
Name = Annotated[str, Strict(), Field(min_length=1, max_length=MAX_NAME)]
#: One name, or several (a list, tuple or set of names; an empty one asks for nothing).
Names = Name | Annotated[list[Name], Field(min_length=1)]
#: A whole number (True and False are refused), and a year of a query.
Whole = Annotated[int, BeforeValidator(_not_bool)]
Year = Annotated[Whole, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
#: Years: a year, a range "2014-2024", a pair (first, last) or a list, checked by
#: vocab.parse_years.
Span = Annotated[Years, PlainValidator(parse_years)]
#: A finite number (True and False are refused).
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
#: A target: a share of GDP in percent, or a guideline id.
Goal = Number | Name
#: A whole number from 1 (draws) or 0 (seeds).
Count = Annotated[Whole, Field(ge=1)]
Seed = Annotated[Whole, Field(ge=0)]
Flag = Annotated[bool, Strict()]
Progress = Annotated[Callable[[int, int], None], AfterValidator(_takes("done", "total"))]
#: An update's progress: done, total and what ("download <file>", "read <sheet>").
StepProgress = Annotated[
    Callable[[int, int, str], None], AfterValidator(_takes("done", "total", "what"))
]
#: The smallest relative change a diff lists: a fraction of the old value (0.05 = 5%).
Fraction = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
#: A file to read (an update's --file), one or several.
FileName = Annotated[str, Strict(), Field(min_length=1, max_length=4096)] | Path
Files = FileName | Annotated[list[FileName], Field(min_length=1)]
#: A web address to download from.
Address = Annotated[str, Strict(), Field(pattern=r"^https?://\S+$", max_length=2048)]
Output = Annotated[str | Path | TextIO, PlainValidator(_output)]
Observations = Annotated[pd.DataFrame, AfterValidator(_tidy)]
#: The longest text ``check`` reads (characters: about 2,000 pages) and the longest question.
MAX_TEXT = 5_000_000
MAX_QUESTION = 1_000
#: A text to check, a question, a language of the claim checker.
Text = Annotated[str, Strict(), Field(max_length=MAX_TEXT)]
Question = Annotated[str, Strict(), Field(max_length=MAX_QUESTION)]
Lang = Annotated[str, PlainValidator(_lang)]
Day = Annotated[dt.date, PlainValidator(_day)]
#: The basis of a comparison, applied to both sides.
BasisName = Annotated[str, PlainValidator(_basis)]
#: An uncertainty: a preset of uncertainty.toml, a TOML file of one's own, or an Uncertainty.
UncertaintySpec = (
    Annotated[str, Strict(), Field(min_length=1, max_length=4096)] | Path | Uncertainty
)
#: Changes to single uncertainty settings: setting name -> a number in the setting's unit (or
#: ``calibrated`` for the spending error).
Settings = dict[Name, Number | Name]

#: What each parameter accepts, and an example: the second half of a refusal.
ACCEPTED = {
    "countries": ("a country or group, by name or code, or a list of them", "DEU or nato"),
    "indicators": ("an indicator name or a list of them (see indicators)", "share_gdp"),
    "years": ("a year, a range or a list of years", "2014-2024"),
    "source": ("a source: nato, sipri, weo or wdi", "nato"),
    "vintage": ("an edition of the source (see sources)", "2026-07"),
    "weo_vintage": ("an edition of the IMF WEO (see sources), or none for the newest", "2026-04"),
    "store": ("a store from open_store, or none for the embedded data", "none"),
    "country": (
        "one country, by name or code (path, simulate, sensitivity: or a group)",
        "DEU or Duitsland",
    ),
    "name": ("a country's name or code", "Duitsland"),
    "iso3": ("a country's code or name, or none", "DEU"),
    "group": ("a group id (see groups)", "nato"),
    "year": (f"a year from {FIRST_YEAR} to {LAST_YEAR}", "2024"),
    "scenario": ("a shipped scenario (default) or the path of a scenario file", "default"),
    "until": ("the last year to run, from the scenario's start", "2030"),
    "changes": (
        "a mapping of scenario parameters (dotted keys, see the result's parameters) to "
        "numbers from 0 to 1,000,000,000",
        "{'actors.RUS.flows.0.per_day': 30000}",
    ),
    "a": (f"a munitions actor: {', '.join(_arsenal_actors)}", "RUS"),
    "b": (f"a munitions actor: {', '.join(_arsenal_actors)}", "NATO"),
    "by": (f"a target year from {MIN_TARGET_YEAR} to {MAX_TARGET_YEAR}", "2035"),
    "base_year": ("a year with NATO figures", "2025"),
    "ids": ("a source id or a list of them (see origins)", "nato-2026-07-1"),
    "kind": ("caveat or missing", "missing"),
    "only_country": ("true or false", "true"),
    "path": ("a file name or an open text stream", "milex.csv"),
    "fmt": ("csv, parquet or json", "csv"),
    "target": ("a share of GDP in percent, or a guideline id", "3.5 or hague-3.5"),
    "method": (
        "linear or real-growth (a path); plan, hold, linear or real-growth (a simulation)",
        "linear",
    ),
    "above": ("hold or converge", "hold"),
    "growth_after": ("real GDP growth in percent a year", "1.2"),
    "inflation_after": ("GDP-deflator inflation in percent a year", "2.0"),
    "tolerance_pp": ("percentage points of GDP from 0 to 5", "0.1"),
    "draws": (f"a whole number of draws from 1 to {MAX_DRAWS:,}", "100000"),
    "seed": ("a whole number from 0, or none for a fresh seed", "42"),
    "amounts": (
        "million national currency, zero or more, for each year after the base year",
        "150000 for 2027",
    ),
    "uncertainty": (
        "a preset (default, none, independent, no-recession) or a TOML file",
        "default",
    ),
    "settings": (
        "settings and numbers (docs/uncertainty.md)",
        "{'growth_sd': 2.5}",
    ),
    "sensitivity": ("true or false", "true"),
    "dask": ("the address of a running Dask scheduler", "tcp://127.0.0.1:8786"),
    "progress": (
        "a function taking the chunks done and the chunks in all (an update's also what is "
        "being done)",
        "a bar's update",
    ),
    "obs": ("tidy observations, as series returns them", "the series of DEU"),
    "repair": ("true or false", "true"),
    "side_a": ("a country or group, by name or code", "europe-canada"),
    "side_b": ("a country or group, by name or code", "RUS"),
    "against": ("a country or group, by name or code", "europe-canada"),
    "basis": (
        f"{', '.join(BASES)} or all (compare); money or share (simulate)",
        "ppp",
    ),
    "text": (f"a text of at most {MAX_TEXT:,} characters", "'Polen geeft 4,1% uit'"),
    "question": (
        f"a question of at most {MAX_QUESTION:,} characters",
        "'Wie viel gibt Deutschland aus?'",
    ),
    "lang": ("nl, en, de, fr, or none to detect it", "nl"),
    "date": ("a day as YYYY-MM-DD (or a date), or none for the newest editions", "2025-06-24"),
    "old": ("the older edition of the source (see vintages), or none", "2024-06"),
    "new": ("the newer edition of the source (see vintages), or none for the newest", "2026-07"),
    "threshold": (
        "the smallest relative change listed, a fraction from 0 to 1 (0.05 = 5%)",
        "0.05",
    ),
    "file": ("a file (or a list of files) in the source's official layout", "def-exp-2026-en.xlsx"),
    "dry_run": ("true or false", "true"),
    "url": ("a web address starting with http:// or https://", "https://www.nato.int/..."),
}
#: pydantic's errors about the call itself rather than one value, as sentences.
_CALL_ERRORS = {
    "missing_argument": "{func} needs {param}: give {accepted}, e.g. {example}",
    "unexpected_keyword_argument": "{func} has no argument named {param}",
    "unexpected_positional_argument": "{func} takes fewer arguments: {given} is one too many",
    "multiple_argument_values": "{func} got {param} twice",
}


def _validated(func: Callable) -> Callable:
    """``func`` with its arguments checked against its annotations (pydantic's validate_call,
    built on its first call), each refused argument reported as one line of an InputError."""
    checked: Callable | None = None

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        nonlocal checked
        if checked is None:
            config = ConfigDict(arbitrary_types_allowed=True)
            checked = validate_call(func, config=config)
        try:
            return checked(*args, **kwargs)
        except ValidationError as exc:
            raise _refusal(func, exc) from None

    return call


#: Refused arguments explained in full in one error (the others are named after them).
MAX_REFUSALS = 6


def _refusal(func: Callable, exc: ValidationError) -> InputError:
    """One line: for each refused argument (joined by "; "), its name, what was given (cut
    short), what is accepted and an example; past :data:`MAX_REFUSALS` arguments, the others
    only by name."""
    names = list(inspect.signature(func).parameters)
    by_param: dict[str, list[dict]] = {}
    for error in exc.errors():
        first = error["loc"][0] if error["loc"] else func.__name__
        param = names[first] if isinstance(first, int) and first < len(names) else str(first)
        by_param.setdefault(param, []).append(error)
    problems = [_problem(func.__name__, p, e) for p, e in by_param.items()]
    rest = list(by_param)[MAX_REFUSALS:]
    if rest:  # one line stays readable: the first few in full, the others named
        problems = [*problems[:MAX_REFUSALS], f"also refused: {', '.join(rest)}"]
    return InputError("; ".join(problems))


def _problem(func: str, param: str, errors: list[dict]) -> str:
    """The line about one argument (see :func:`_refusal`)."""
    first = errors[0]
    accepted, example = ACCEPTED.get(param, ("", ""))  # every parameter has one (a test says)
    given = _given(first["input"])
    if first["type"] in _CALL_ERRORS:
        return _CALL_ERRORS[first["type"]].format(
            func=func, param=param, given=given, accepted=accepted, example=example
        )
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, MilexError):  # a check of our own (parse_years) said it in full
        return str(cause)
    where = "".join(f" at {key}" for key in first["loc"][1:] if isinstance(key, int))
    reasons = {_reason(e) for e in errors if not e["type"].endswith("_type")}
    why = f" ({reasons.pop()})" if len(reasons) == 1 else ""
    return f"{param}{where}: got {given}{why}; give {accepted}, e.g. {example}"


def _given(value: object) -> str:
    """A value as a refusal shows it, on one line: as :func:`milex.errors.shown` does (cut short,
    numpy numbers plain, an object by its type), and a table by its size and columns."""
    if isinstance(value, pd.DataFrame):
        rows = f"{len(value)} row{'' if len(value) == 1 else 's'}"
        return f"a table of {rows} with columns {shown([str(c) for c in value.columns])}"
    return shown(value)


def _reason(error: dict) -> str:
    """pydantic's reason for refusing a value, as part of a sentence."""
    cause = error.get("ctx", {}).get("error")
    text = str(cause) if cause is not None else error["msg"]
    return text[:1].lower() + text[1:]


def _store(store: Store | None) -> Store:
    return store if store is not None else default_store()


def store_identity() -> tuple[str, int]:
    """Which store answers by default: its file and the open store object (the web's cache
    of answers is keyed on it, so answers of another store are never served)."""
    store = default_store()
    return str(store.path), id(store)


#: Most known values a refusal lists; beyond it, it points to where they are listed.
MAX_LISTED = 8


def _suggest(value: str, known: Iterable[str], what: str, listing: str = "") -> InputError:
    """An unknown value refused: the known values (or, when there are many, where ``listing``
    lists them) and the closest ones (ignoring case)."""
    known = sorted(known)
    by_lower = {k.lower(): k for k in known}
    close = [by_lower[c] for c in difflib.get_close_matches(value.lower(), by_lower, n=3)]
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    if len(known) <= MAX_LISTED or not listing:
        choice = f"known are {', '.join(known)}"
    else:
        choice = f"{len(known)} are known (see {listing})"
    return InputError(f"unknown {what} {shown(value)}: {choice}.{hint}")


def _one_edition(vintage: str | None) -> None:
    """Results that set figures side by side take one edition per series, never 'all'."""
    if vintage == "all":
        raise InputError(
            "vintage 'all' mixes editions: give one edition (e.g. 2026-07), or none for the "
            "newest; to compare editions, ask for a series with vintage 'all'"
        )


def _check_source(store: Store, source: str | None, vintage: str | None) -> None:
    editions = store.editions()
    if source is not None and source not in set(editions["source"]):
        raise _suggest(source, set(editions["source"]), "source")
    if vintage not in (None, "all"):
        known = (
            editions.loc[editions["source"] == source, "vintage"] if source else editions["vintage"]
        )
        if vintage not in set(known):
            raise _suggest(vintage, set(known), f"vintage of {source or 'any source'}")


def _nato_edition(store: Store, vintage: str | None) -> None:
    """A NATO edition asked for (None: the newest), checked: one edition, held."""
    _one_edition(vintage)
    _check_source(store, "nato", vintage)


def _compared_edition(store: Store, source: str | None, vintage: str | None) -> None:
    """The edition a comparison reads, checked: one edition, of ``source`` when it is given
    (else each side's source says whether it holds it, see
    :func:`milex.comparison.sides.side_vintages`)."""
    _one_edition(vintage)
    if source is not None:
        _check_source(store, source, vintage)


def _check_indicators(store: Store, indicators: list[str] | None) -> None:
    known = set(store.indicator_table()["indicator"])
    for indicator in indicators or []:
        if indicator not in known:
            raise _suggest(indicator, known, "indicator", listing="indicators")


def _group_or_country(name: str) -> tuple[str | None, str | None]:
    """``(group id, None)`` for a group or an aggregate code, else ``(None, ISO3)``."""
    if name.lower() in geo.group_ids():
        return name.lower(), None
    code = geo.resolve(name)
    if geo.is_aggregate(code):
        group = geo.group_of(code)  # NATO_TOTAL -> nato
        if group is None:
            raise InputError(
                f"{shown(name)} is an aggregate without members: give a country or a group"
            )
        return group, None
    return None, code


def _one_country(
    name: str, what: str, instead: str = "the gap of the group (group {group})"
) -> str:
    """Resolve a single country; groups and aggregates get a clear error, pointing to one member
    or to ``instead`` (what to ask of the group; ``{group}`` is filled in)."""
    group, code = _group_or_country(name)
    if code is not None:
        return code
    members = " ".join(geo.members(group))
    raise InputError(
        f"{what} takes one country, not {shown(name)}: ask for one member ({members}), "
        f"or for {instead.format(group=repr(group))}"
    )


# ------------------------------------------------------------------------ lookups


@_validated
def series(
    countries: Names | None = None,
    indicators: Names | None = None,
    years: Span = None,
    *,
    source: Name | None = "nato",
    vintage: Name | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Observations in the tidy shape.

    ``countries``: names (en/nl/de/fr), ISO2/ISO3 codes or group ids (``nato``, ``eu``...);
    ``None`` for all. ``indicators``: milex indicator names (see :func:`indicators`).
    ``years``: a year, ``"2014-2024"``, a pair or a list. ``source``: ``nato``, ``sipri``,
    ``weo``, ``wdi`` or ``None`` for all. ``vintage``: an edition such as ``"2026-07"``;
    ``None`` takes each series from the newest edition that has it (never mixing editions
    within a series); ``"all"`` returns every edition.
    """
    store = _store(store)
    _check_source(store, source, vintage)
    indicators = [indicators] if isinstance(indicators, str) else indicators
    _check_indicators(store, indicators)
    codes = geo.expand(countries) if countries is not None else None
    return store.observations(source, vintage, codes, indicators, years)


@_validated
def latest(
    countries: Names | None = None,
    indicators: Names | None = "share_gdp",
    *,
    source: Name | None = "nato",
    vintage: Name | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """The most recent year of each series (of the edition ``vintage``; default: the newest
    that has the series), tidy shape."""
    _one_edition(vintage)
    obs = series(countries, indicators, source=source, vintage=vintage, store=store)
    last = obs.groupby(["source", "iso3", "indicator"])["year"].transform("max")
    return obs[obs["year"] == last].reset_index(drop=True)


@_validated
def profile(
    country: Name,
    indicators: Names | None = None,
    years: Span = None,
    *,
    source: Name | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """One country's series across sources and every edition, tidy shape (default indicators:
    share of GDP and USD spending at current prices)."""
    indicators = indicators or ["share_gdp", "spend_usd_current"]
    return series(resolve(country), indicators, years, source=source, vintage="all", store=store)


@_validated
def indicators(*, store: Store | None = None) -> pd.DataFrame:
    """The indicators milex knows: name, label, unit pattern, valid range and description."""
    return _store(store).indicator_table()


@_validated
def countries(*, store: Store | None = None) -> pd.DataFrame:
    """Every country and aggregate in the store: code, name, kind and NATO accession year."""
    table = _store(store).entity_table()
    joined = {code: first for code, first, _ in geo.memberships("nato")}
    table["nato_since"] = table["code"].map(joined).astype("Int64")
    return table


@_validated
def groups() -> pd.DataFrame:
    """Country groups: id, name, aggregate code (if NATO publishes one), members, description."""
    rows = []
    for gid in geo.group_ids():
        info = geo.group_info(gid)
        rows.append(
            {
                "group": gid,
                "name": info["name"],
                "aggregate": info.get("aggregate"),
                "members": " ".join(geo.members(gid)),
                "description": info["description"],
            }
        )
    return pd.DataFrame(rows)


@_validated
def members(group: Name, year: Year | None = None) -> list[str]:
    """ISO3 codes of a group's members (in ``year``, counting accessions during that year)."""
    return geo.members(group, year)


@_validated
def resolve(name: Name) -> str:
    """ISO3 code for a country name or code in English, Dutch, German or French."""
    return geo.resolve(name)


@_validated
def sources(*, store: Store | None = None) -> pd.DataFrame:
    """One row per dataset edition: source, vintage, publisher, title, edition, published,
    URL, licence, citation, whether complete, a coverage note and the number of figures."""
    return _store(store).edition_table()


@_validated
def origins(ids: Names | None = None, *, store: Store | None = None) -> pd.DataFrame:
    """The origins behind ``source_id`` values: ``id, source, vintage, title, published, url,
    licence, cite`` (how to cite the edition) and ``citation`` (how the figures were obtained,
    verbatim). Unknown ids are refused."""
    store = _store(store)
    if ids is None:
        return store.origins()
    ids = [ids] if isinstance(ids, str) else ids
    unknown = sorted(set(ids) - set(store.origins()["id"]))
    if unknown:
        raise InputError(
            f"unknown source id {shown(unknown[0])}"
            + (f" and {len(unknown) - 1} more" if len(unknown) > 1 else "")
            + ": give the source_id of an observation, e.g. nato-2026-07-1"
        )
    return store.origins(ids)


@_validated
def coverage(source: Name | None = None, *, store: Store | None = None) -> pd.DataFrame:
    """Per source, vintage and indicator: countries covered, first and last year, figures."""
    store = _store(store)
    _check_source(store, source, None)
    return store.coverage(source)


#: What :func:`sipri_share` measures of the subset milex ships (None for a full copy).
SUBSET_SHARES = (
    "database_countries",
    "database_cells",
    "share_of_countries_pct",
    "share_of_cells_pct",
    "limit_pct",
    "within_limit",
)


@_validated
def sipri_share(vintage: Name | None = None, *, store: Store | None = None) -> dict:
    """How much of SIPRI's database the store holds, for one edition (default: the newest).

    ``complete`` tells a full copy (SIPRI's workbook loaded by you with ``milex update``: the
    whole database is held locally, under SIPRI's terms, said in ``note``) from the subset
    milex ships (SIPRI allows reuse of less than 10%). Both give the edition, the entities the
    store holds of it (``embedded_entities``: countries plus the world total;
    ``embedded_countries``) and its figures (``embedded_figures``; your copy's for a full one).
    For the subset: two shares in percent, of SIPRI's countries (the world total counted as
    one more) and of the cells of the sheets drawn from (countries x years x sheets, an upper
    bound on the database's size since a larger database makes the share smaller), the limit
    and whether both are under it; for a full copy these are None.
    """
    store = _store(store)
    _one_edition(vintage)
    vintage = vintage or store.newest_vintage("sipri")
    _check_source(store, "sipri", vintage)
    figures, entities = store.counts("sipri", vintage)
    held = store.observations("sipri", vintage, ["WLD"], None, None)
    edition = store.edition_table().set_index(["source", "vintage"]).loc[("sipri", vintage)]
    found = {
        "vintage": vintage,
        "complete": bool(edition["complete"]),
        "embedded_entities": entities,
        "embedded_countries": entities - (not held.empty),
        "embedded_figures": figures,
        "note": edition["coverage_note"],
    }
    meta = read_toml("editions.toml")["sipri"].get(vintage)
    if found["complete"] or meta is None:  # a user's own edition: its size is what it holds
        return {**found, **dict.fromkeys(SUBSET_SHARES)}
    years = meta["database_last_year"] - meta["database_first_year"] + 1
    cells = meta["database_countries"] * years * meta["database_sheets"]
    shares = {
        "share_of_countries_pct": 100 * entities / meta["database_countries"],
        "share_of_cells_pct": 100 * figures / cells,
    }
    return {
        **found,
        "database_countries": meta["database_countries"],
        "database_cells": cells,
        **shares,
        "limit_pct": meta["reuse_limit_pct"],
        "within_limit": all(v < meta["reuse_limit_pct"] for v in shares.values()),
    }


@_validated
def differences(country: Name, *, store: Store | None = None) -> pd.DataFrame:
    """NATO minus SIPRI for a country, per year and comparable indicator (see
    :func:`milex.checks.crosscheck.differences`); reasons from :func:`reasons`."""
    code = _one_country(country, "differences")
    obs = series(code, _crosscheck.comparable(), source=None, vintage="all", store=store)
    return _crosscheck.differences(obs)


@_validated
def side_by_side(obs: Observations) -> pd.DataFrame:
    """Wide view of tidy observations of one indicator: a row per year, a column per edition
    (``nato 2026-07``), values in the observations' unit."""
    return _crosscheck.side_by_side(obs)


@_validated
def reasons(country: Name) -> pd.DataFrame:
    """Definitional reasons why NATO and SIPRI figures for a country differ."""
    return _crosscheck.reasons(resolve(country))


@_validated
def notes(
    source: Name,
    iso3: Name | None = None,
    *,
    kind: Literal["caveat", "missing"] = "caveat",
    only_country: Flag = False,
    store: Store | None = None,
) -> list[str]:
    """Caveats (or ``kind="missing"`` notes) that apply to a source and country (a code or a
    name); with ``only_country``, just the notes written for that country (not the
    source-wide ones). Unknown sources and countries are refused."""
    store = _store(store)
    _check_source(store, source, None)
    code = geo.resolve(iso3) if iso3 is not None else None
    exact = ("iso3",) if only_country else ()
    return store.notes(kind, source, iso3=code, exact=exact)


@_validated
def guidelines() -> pd.DataFrame:
    """NATO's guidelines (Wales 2%, 20% equipment; The Hague 3.5% and 5%) with sources."""
    return _guidelines()


@_validated
def export(
    path: Output,
    fmt: Name | None = None,
    *,
    source: Name | None = None,
    vintage: Name | None = "all",
    store: Store | None = None,
) -> str | Path | TextIO:
    """Write observations (tidy shape plus each figure's citation) to CSV, Parquet or JSON.

    ``path`` is a file name or an open stream (text for CSV and JSON, binary for Parquet). A
    file is written as
    :func:`milex.outfile.write` does: never half-written, an existing file's mode kept, devices
    and FIFOs written through, links followed; a refusal of the file system is an
    :class:`~milex.errors.OutputError` naming the file; so is a stream that cannot be written
    (closed, or open for reading only). ``fmt`` defaults to the file's
    extension. Returns ``path``.
    """
    stream = not isinstance(path, str | Path)
    given = fmt is not None
    fmt = (fmt or ("csv" if stream else Path(path).suffix.lstrip("."))).lower()
    writers = {
        "csv": lambda f, p: f.to_csv(p, index=False),
        "parquet": lambda f, p: f.to_parquet(p, index=False),
        "json": lambda f, p: f.to_json(p, orient="records", indent=1, force_ascii=False),
    }
    if fmt not in writers:
        told = (
            f"unknown export format {shown(fmt)}"
            if given
            else (f"cannot tell the format from the file name {shown(str(path))}")
        )
        raise InputError(f"{told}: use csv, parquet or json (e.g. milex.csv, or fmt csv)")
    if stream and fmt == "parquet" and isinstance(path, io.TextIOBase):
        raise InputError(
            "parquet is binary: give a file name (e.g. milex.parquet) or a binary stream "
            "(e.g. sys.stdout.buffer), not a text stream"
        )
    store = _store(store)
    frame = series(source=source, vintage=vintage, store=store)
    frame = frame.merge(store.origins()[["id", "citation"]], left_on="source_id", right_on="id")
    frame = frame.drop(columns="id")
    if stream:
        try:
            writers[fmt](frame, path)
        except (OSError, ValueError) as exc:  # closed, read-only (io.UnsupportedOperation)...
            raise OutputError(
                f"cannot write to the stream given: {first_line(exc)}; give an open text "
                "stream or a file name"
            ) from None
        return path
    outfile.write(Path(path), lambda tmp: writers[fmt](frame, tmp))
    return path


# ------------------------------------------------------------------------ analysis


@_validated
def status(
    year: Year | None = None,
    *,
    source: Name = "nato",
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """Where each country stands in ``year`` (default: the latest year with figures).

    A documented wide view, one row per ally (NATO) or country (other sources), NATO's
    aggregates last; see :func:`milex.targets.status` for its columns and units.
    """
    store = _store(store)
    _one_edition(vintage)
    _check_source(store, source, vintage)
    return _status(store, year, source, vintage)


@_validated
def report(
    country: Name,
    indicators: Names | None = None,
    years: Span = None,
    *,
    source: Name | None = None,
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """One country across sources and editions, with NATO minus SIPRI, the definitional
    reasons, and the notes that apply (see :func:`milex.checks.crosscheck.report`).

    Every edition is shown by default (a report sets editions side by side); ``vintage`` shows
    that one edition only, and NATO minus SIPRI then reads it for its source and the newest
    edition of the other."""
    store = _store(store)
    _one_edition(vintage)
    _check_source(store, source, vintage)
    code = _one_country(country, "a country report")
    obs = profile(code, indicators, years, source=source, store=store)
    everything = series(code, None, years, source=source, vintage="all", store=store)
    if vintage is not None:
        holding = set(everything.loc[everything["vintage"] == vintage, "source"])
        obs = obs[obs["vintage"] == vintage].reset_index(drop=True)
        mine = (everything["vintage"] == vintage) | ~everything["source"].isin(holding)
        everything = everything[mine].reset_index(drop=True)
    query = {
        "country": code,
        "indicators": indicators,
        "source": source,
        "vintage": vintage,
        "years": years,
    }
    return _crosscheck.report(store, code, obs, everything, query)


@_validated
def gap(
    target: Goal = "hague-3.5",
    year: Year | None = None,
    *,
    countries: Names | None = None,
    group: Name | None = None,
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """How far allies (and a group) are from a target share of GDP in ``year``.

    ``target``: percent of GDP (``3.5``) or a guideline id (``hague-3.5``, ``wales-2``).
    ``countries``: names, codes or groups (default: the members of ``group``, else all allies).
    ``group``: adds the group's total row. See :func:`milex.targets.gap` for the columns and
    units (money in million USD/EUR).
    """
    store = _store(store)
    _nato_edition(store, vintage)
    if group is not None:
        geo.group_info(group)
    codes = geo.expand(countries, year) if countries is not None else None
    return _gap(store, resolve_target(target), year, codes, group, vintage)


@_validated
def path(
    country: Name,
    target: Goal = "hague-3.5",
    by: Whole | None = None,
    *,
    method: Name = "linear",
    base_year: Year | None = None,
    growth_after: Number | None = None,
    inflation_after: Number | None = None,
    above: Name = "hold",
    weo_vintage: Name | None = None,
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """A year-by-year path from NATO's latest figure to ``target`` percent of GDP by ``by``.

    ``country`` is a name, code or group id (a group's path sums its members' paths in USD).
    ``method``: ``linear`` (share rises evenly) or ``real-growth`` (constant real growth of
    spending). ``above``: an ally already above the target ``hold``s its share (default) or
    ``converge``s to it. GDP follows the IMF WEO (``weo_vintage``, default the newest), then
    ``growth_after``/``inflation_after`` percent a year (default: the WEO's last rates).
    ``vintage``: the NATO edition the path starts from (default: the newest; the result's
    ``query["vintage"]`` says which). See :func:`milex.projection.paths.member_path` for the
    columns.
    """
    store = _store(store)
    _nato_edition(store, vintage)
    goal = resolve_target(target, by)
    group, code = _group_or_country(country)
    args = (base_year, method, growth_after, inflation_after, above, weo_vintage, vintage)
    if group is not None:
        return _paths.group_path(store, group, goal, *args)
    return _paths.path(store, code, goal, *args)


@_validated
def pledges(
    country: Name | None = None,
    *,
    tolerance_pp: Number | None = None,
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """National plans from the pledges registry, each checked: does the amount match the
    pledged share of projected GDP, is the plan on a path to the Hague guideline? ``vintage``:
    the NATO edition the GDP and the paths start from (default: the newest). See
    :func:`milex.checks.pledges.check_pledges` for the columns."""
    store = _store(store)
    _nato_edition(store, vintage)
    table = store.pledge_table()
    if country is not None:
        code = resolve(country) if country.lower() == "nato" else _one_country(country, "pledges")
        table = table[table["iso3"] == code]
        if table.empty:
            known = ", ".join(sorted(set(store.pledge_table()["iso3"])))
            raise InputError(f"no pledges recorded for {code}: the registry covers {known}")
    result = _pledges.check_pledges(store, table.reset_index(drop=True), tolerance_pp, vintage)
    result.query["country"] = country
    return result


def _uncertainty(spec: str | Path | Uncertainty, settings: dict[str, Any] | None) -> Uncertainty:
    """The uncertainty of a run: ``spec`` (a preset of ``uncertainty.toml``, a TOML file of
    one's own, or an Uncertainty) with ``settings`` changed (setting name -> number in the
    setting's unit, or ``calibrated`` for ``spend_sd``/``spend_bias``; see docs/uncertainty.md)."""
    base = spec if isinstance(spec, Uncertainty) else load_uncertainty(spec)
    return apply_settings(base, settings) if settings else base


def _draws(draws: int) -> None:
    if draws > MAX_DRAWS:
        raise InputError(
            f"{shown(draws)} draws is more than milex runs in one go ({MAX_DRAWS:,}): the "
            "median and band are stable to 0.01 points from about 100,000 draws"
        )


@_validated
def simulate(
    country: Name,
    target: Goal = "hague-3.5",
    by: Whole | None = None,
    *,
    draws: Count = 100_000,
    seed: Seed | None = None,
    method: Name = "plan",
    basis: Name | None = None,
    amounts: dict[Year, Any] | None = None,
    base_year: Year | None = None,
    uncertainty: UncertaintySpec = "default",
    settings: Settings | None = None,
    sensitivity: Flag = True,
    dask: Name | None = None,
    progress: Progress | None = None,
    weo_vintage: Name | None = None,
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """Probability that a country's or a group's spending reaches ``target`` by ``by`` when
    GDP, inflation and the execution of budgets are uncertain (Monte Carlo with ``draws``
    draws; reproducible with ``seed``).

    What is judged (``method``): ``plan`` (default: the country's own plan from the pledge
    registry, else its latest share held; the result says which), ``hold``, ``linear``,
    ``real-growth``, or ``amounts`` (million national currency per year after the base year).
    ``basis``: ``money`` (fixed nominal budgets) or ``share`` (a share of GDP that moves with
    GDP); default: as the plan is given. A group (e.g. ``europe-canada``) is judged on its
    GDP-weighted share, with the distribution of how many members reach the target.
    ``uncertainty``: a preset of ``data/uncertainty.toml`` (``default``, ``none`` ...), a TOML
    file of one's own, or an :class:`~milex.montecarlo.Uncertainty`; ``settings`` change single
    settings (e.g. ``{"growth_sd": 2.5, "country_corr": 0}``, units in docs/uncertainty.md).
    ``sensitivity``: add the tornado of what moves the answer (every run with the same seed;
    a country's as many draws as this run, up to 100,000; a group's 20,000 a run).
    ``dask``: address of a running Dask scheduler to spread the draws over. ``vintage``: the
    NATO edition the plan starts from (default: the newest), ``weo_vintage`` the WEO's. See
    :func:`milex.projection.probability.probability` and
    :func:`milex.projection.group_probability.group_probability` for the columns.
    """
    store = _store(store)
    _nato_edition(store, vintage)
    _draws(draws)
    if seed is None:  # a short seed the user can quote to rerun the same draws
        seed = secrets.randbelow(2**31)
    goal = resolve_target(target, by)
    options = {
        "draws": draws,
        "seed": seed,
        "method": method,
        "basis": basis,
        "base_year": base_year,
        "uncertainty": _uncertainty(uncertainty, settings),
        "dask_address": dask,
        "progress": progress,
        "weo_vintage": weo_vintage,
        "vintage": vintage,
        "sensitivity": sensitivity,
    }
    group, code = _group_or_country(country)
    if group is None:
        return _probability.probability(store, code, goal, amounts=amounts, **options)
    return _group_probability.group_probability(store, group, goal, amounts=amounts, **options)


@_validated
def sensitivity(
    country: Name,
    target: Goal = "hague-3.5",
    by: Whole | None = None,
    *,
    draws: Count = 20_000,
    seed: Seed = 1,
    method: Name = "plan",
    basis: Name | None = None,
    amounts: dict[Year, Any] | None = None,
    base_year: Year | None = None,
    uncertainty: UncertaintySpec = "default",
    settings: Settings | None = None,
    weo_vintage: Name | None = None,
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """Which assumption moves the probability of :func:`simulate` most: a tornado table, each
    uncertainty setting at the low and the high end of its range (``[sensitivity]`` of
    ``data/uncertainty.toml``), the others at ``uncertainty`` with ``settings``; every run
    ``draws`` draws with the same ``seed`` (common random numbers). For a country or a group;
    the plan options are those of :func:`simulate`. See
    :func:`milex.projection.sensitivity.sensitivity` for the columns."""
    store = _store(store)
    _nato_edition(store, vintage)
    _draws(draws)
    group, code = _group_or_country(country)
    return _sensitivity.sensitivity(
        store,
        group or code,
        resolve_target(target, by),
        draws=draws,
        seed=seed,
        method=method,
        basis=basis,
        amounts=amounts,
        base_year=base_year,
        uncertainty=_uncertainty(uncertainty, settings),
        weo_vintage=weo_vintage,
        vintage=vintage,
    )


@_validated
def backtest(
    *,
    draws: Count = 20_000,
    seed: Seed = 1,
    uncertainty: UncertaintySpec = "default",
    settings: Settings | None = None,
    store: Store | None = None,
) -> Result:
    """How well the model's bands cover what happened: the share of later outcomes inside the
    50% and 90% bands, on what the editions held allow (NATO's estimates and the WEO of the
    time against later editions' figures), with the spending error calibrated leave-one-out.
    A test with few cases says it is too thin. See :func:`milex.projection.backtest.backtest`
    for the columns."""
    store = _store(store)
    _draws(draws)
    return _backtest.backtest(
        store, draws=draws, seed=seed, uncertainty=_uncertainty(uncertainty, settings)
    )


#: The sources a comparison can put its sides on (None: each side its own).
COMPARE_SOURCES = ("nato", "sipri")


def _compare_source(source: str | None) -> str | None:
    if source is not None and source.lower() not in COMPARE_SOURCES:
        raise InputError(
            f"source: got {shown(source)}; a comparison puts both sides on nato or sipri, or "
            "none for each side's own (NATO for allies, SIPRI for others), e.g. sipri"
        )
    return None if source is None else source.lower()


@_validated
def compare(
    side_a: Name,
    side_b: Name,
    years: Span = None,
    *,
    basis: BasisName = "all",
    source: Name | None = None,
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """Spending of ``side_a`` against ``side_b`` (each a country or a group, e.g.
    ``europe-canada`` and ``RUS``) in ``years`` (default: the latest year both have), on one
    ``basis`` applied to BOTH sides: ``mer`` (market exchange rates, USD), ``ppp`` (GDP PPP,
    international dollars: national-currency spending / the IMF's PPP conversion factor),
    ``defence-ppp`` (published military-specific PPP estimates, each cited), ``split``
    (personnel and operations at PPP, equipment at market rates, by the published equipment
    share) or ``all`` (each basis side by side, each explained in one line); with share of GDP,
    real growth and its acceleration, and per capita. ``source``: ``None`` (NATO for allies,
    SIPRI for others; each side says which), ``sipri`` or ``nato`` for both sides. Groups are
    sums of members on the same basis, missing members listed. ``vintage``: an edition of a
    side's source (e.g. SIPRI's ``2025-04``), read by each side on a source that holds it, the
    other side reading its newest (default: both the newest). See
    :mod:`milex.comparison.table` for the columns.
    """
    store = _store(store)
    source = _compare_source(source)
    _compared_edition(store, source, vintage)
    return _compare(store, side_a, side_b, years, basis, source, vintage=vintage)


@_validated
def race(
    country: Name = "RUS",
    years: Span = None,
    *,
    against: Name = "europe-canada",
    source: Name | None = None,
    vintage: Name | None = None,
    store: Store | None = None,
) -> Result:
    """A country's spending race against a group (default Russia against NATO Europe and
    Canada): spending in national currency, at market rates and at PPP, share of GDP, real
    growth year by year and its acceleration, each figure with its source and edition (the
    rows of :func:`compare` on every basis, plus ``spending_national``); ``vintage`` as in
    :func:`compare`."""
    store = _store(store)
    code = _one_country(country, "race", "a comparison of the group (compare {group} RUS)")
    source = _compare_source(source)
    _compared_edition(store, source, vintage)
    return _compare(store, code, against, years, "all", source, kind="race", vintage=vintage)


# ------------------------------------------------------------------------ munitions

#: A scenario: a shipped name or the path of a TOML file.
ScenarioFile = Annotated[str, Strict(), Field(min_length=1, max_length=4096)] | Path


#: Changes to a scenario's parameters: dotted key -> number.
Changes = dict[Name, Number]


@_validated
def munitions(
    scenario: ScenarioFile = "default",
    until: Year | None = None,
    *,
    changes: Changes | None = None,
    store: Store | None = None,
) -> Result:
    """The monthly artillery-munitions model of a scenario (``default``, shipped in
    ``milex/data/scenarios``, or a TOML file of your own) to the end of ``until``: production
    (from the published estimates, low/central/high, or planned ramps), imports, consumption,
    transfers and stock per actor and month, in rounds; a shortfall is reported, never hidden.
    ``changes`` sets parameters of the scenario before it runs: dotted keys into its TOML
    (``{"actors.RUS.flows.0.per_day": 30000}``), each one of ``extra["parameters"]`` (key,
    value, unit, label, source: the numbers that can be changed), to a number from 0 to
    1,000,000,000 in the parameter's unit. See :func:`milex.arsenal.model.simulate` for the
    columns and extras (``annual``, ``overtakes``, ``ratios``, ``runs_out``). It takes no
    ``vintage``: the munitions estimates are not published in editions; each is cited by its
    publisher and date."""
    return _arsenal.munitions(_store(store), str(scenario), until, changes)


@_validated
def munitions_scenarios() -> list[str]:
    """The names of the munitions scenarios shipped with milex (``default`` ...)."""
    return _arsenal_scenario.shipped()


@_validated
def munitions_ratio(
    a: Name = "RUS",
    b: Name = "NATO",
    year: Year = 2025,
    *,
    store: Store | None = None,
) -> Result:
    """Actor ``a``'s yearly artillery output against ``b``'s in ``year``, as a range across the
    published estimates (low, central, high; rounds per year), and the months ``a`` needs to
    make what ``b`` makes in a year; each estimate cited. See
    :func:`milex.arsenal.ratio.ratio`. No ``vintage``: see :func:`munitions`."""
    return _arsenal_ratio.ratio(_store(store), a, b, year)


# ------------------------------------------------------------------------ claims and questions


@_validated
def check(
    text: Text,
    lang: Lang = None,
    date: Day | None = None,
    *,
    store: Store | None = None,
) -> Result:
    """Every checkable claim in ``text`` (Dutch, English, German or French) with its verdict:
    ``supported``, ``partly supported``, ``contradicted`` or ``not checkable``, the reason in
    the text's language, the evidence with source and edition, and the tolerance used
    (docs/claims.md). ``lang`` None detects the language per sentence; ``date`` (YYYY-MM-DD)
    judges against the editions published by then and says what later ones show. One row per
    claim; ``extra["claims"]`` holds each claim in full. See
    :func:`milex.claims.checking.check`.

    It takes no ``vintage``: a claim is judged against the editions published by ``date``
    (each series from the newest of them), and the result names each edition it read."""
    from milex.claims.checking import check as _check

    return _check(_store(store), text, lang, date)


@_validated
def ask(question: Question, lang: Lang = None, *, store: Store | None = None) -> Result:
    """A plain-language answer to ``question`` in its language (``extra["answer"]``), with the
    figures behind it and their sources; a question it cannot answer says so and gives
    examples of what it can (``extra["answered"]``, ``extra["examples"]``). It takes no
    ``vintage``: an answer reads the newest editions and names them."""
    from milex.claims.answers import ask as _ask

    return _ask(_store(store), question, lang)


# ------------------------------------------------------------------------ editions and revisions


def _dataset(name: str) -> str:
    """A source as the store names it: the update registry's names are accepted too
    (``worldbank`` is the store's ``wdi``)."""
    entry = read_toml("updates.toml").get(name.lower())
    return entry["source"] if entry is not None else name


@_validated
def vintages(source: Name | None = None, *, store: Store | None = None) -> Result:
    """The editions the store holds, one row each: ``source, vintage, published, title,
    edition, complete`` (false for a subset, such as the SIPRI countries milex ships),
    ``figures``, ``where`` (``embedded in milex``, or ``added by you on DATE from ORIGIN``),
    ``added`` (UTC timestamp, your editions only), ``origin`` (the file or address read) and
    ``newest`` (the newest edition of its source, the one read by default). ``source``: one
    source (``nato``, ``sipri``, ``weo``, ``wdi`` or ``worldbank``), or None for all."""
    store = _store(store)
    source = _dataset(source) if source is not None else None
    _check_source(store, source, None)
    table = store.edition_table()
    if source is not None:
        table = table[table["source"] == source]
    mine = userdata.manifest(store.path.parent)[["source", "vintage", "added", "origin"]]
    table = table.merge(mine, on=["source", "vintage"], how="left")
    shipped = embedded_editions(data_dir())
    table["where"] = [
        _where(row.added, row.origin, (row.source, row.vintage) in shipped)
        for row in table.itertuples()
    ]
    table["newest"] = table["vintage"] == table.groupby("source")["vintage"].transform("max")
    columns = ["source", "vintage", "published", "title", "edition", "complete", "figures"]
    frame = table[[*columns, "where", "added", "origin", "newest"]].reset_index(drop=True)
    origins = store.origins()
    held = origins.merge(frame[["source", "vintage"]], on=["source", "vintage"])
    return Result(
        kind="vintages",
        frame=frame,
        units={"figures": "figures (observations)"},
        sources=held,
        query={"source": source},
    )


def _where(added: object, origin: object, shipped: bool) -> str:
    """Where an edition comes from, in words (see :func:`vintages`)."""
    if not isinstance(added, str):
        return "embedded in milex"
    where = f"added by you on {added[:10]} from {origin}"
    return where + (" (replaces the subset milex ships)" if shipped else "")


@_validated
def diff(
    source: Name,
    old: Name | None = None,
    new: Name | None = None,
    *,
    countries: Names | None = None,
    indicators: Names | None = None,
    threshold: Fraction = 0.0,
    store: Store | None = None,
) -> Result:
    """What changed from the edition ``old`` of ``source`` to the edition ``new`` (default:
    its two newest editions; ``new`` alone compares it with the edition before it): the
    figures that are new, dropped, revised by at least ``threshold`` (a fraction of the old
    value: 0.05 = 5%), whose unit changed (never subtracted), or that became actual (an
    estimate or projection in ``old``, an actual figure in ``new``, listed even when unchanged).

    ``countries`` (names, codes or groups) and ``indicators`` narrow the figures compared.
    One row per listed figure: ``iso3, name, year, indicator, kind, became_actual,
    old_value, new_value, change`` (new minus old in ``change_unit``: percentage points for a
    share in percent), ``relative`` (the change as a fraction of the old value; missing from
    zero), ``old_unit, new_unit, old_status, new_status``; see :mod:`milex.revisions` for the
    rules. ``extra["summary"]``: how many figures of all those compared are new, dropped,
    revised, unit_changed, unchanged (below_threshold of them moved less than the threshold)
    and became_actual.
    """
    store = _store(store)
    source = _dataset(source)
    _check_source(store, source, None)
    old, new = _two_editions(store, source, old, new)
    indicators = [indicators] if isinstance(indicators, str) else indicators
    _check_indicators(store, indicators)
    codes = geo.expand(countries) if countries is not None else None
    # whole editions compared, then narrowed: an edition's precision is read from all of it
    before, after = (store.observations(source, v) for v in (old, new))
    changes = revisions.compare(before, after, threshold)
    asked = pd.Series(True, index=changes.index)
    if codes is not None:
        asked &= changes["iso3"].isin(codes)
    if indicators is not None:
        asked &= changes["indicator"].isin(indicators)
    changes = changes[asked]
    counts = revisions.summary(changes)
    frame = revisions.listed(changes).drop(columns=["listed", "moved"])
    before, after = (
        f[
            f.set_index(["iso3", "year", "indicator"]).index.isin(
                changes.set_index(["iso3", "year", "indicator"]).index
            )
        ]
        for f in (before, after)
    )
    frame.insert(1, "name", frame["iso3"].map(store.names))
    ids = set(before["source_id"]) | set(after["source_id"])
    notes = []
    if frame.empty:
        notes.append(
            f"no figure of {source} changed by {threshold:.1%} or more from {old} to {new}, "
            "and none became actual"
        )
    editions = store.edition_table().set_index(["source", "vintage"])
    caveats = [
        f"{source} {v} holds part of its edition ({editions.loc[(source, v), 'coverage_note']}): "
        "figures it does not hold are listed as new or dropped"
        for v in (old, new)
        if not editions.loc[(source, v), "complete"]
    ]
    if counts["unit_changed"]:
        caveats.append(
            "figures whose unit changed between the editions (another price base year or "
            "currency) are listed as unit changes and never subtracted"
        )
    return Result(
        kind="diff",
        frame=frame,
        units={
            "old_value": "old_unit of the row",
            "new_value": "new_unit of the row",
            "change": "change_unit of the row",
            "relative": "fraction of the old value (0.05 = 5%)",
        },
        sources=store.origins(ids),
        query={
            "source": source,
            "old": old,
            "new": new,
            "countries": countries,
            "indicators": indicators,
            "threshold": threshold,
        },
        notes=notes,
        caveats=caveats,
        extra={"summary": counts},
    )


def _two_editions(store: Store, source: str, old: str | None, new: str | None) -> tuple[str, str]:
    """The editions a diff compares (see :func:`diff`), each checked."""
    for vintage in (old, new):
        _one_edition(vintage)
        _check_source(store, source, vintage)
    held = sorted(store.editions().query("source == @source")["vintage"])
    if len(held) < 2:
        raise InputError(
            f"{source} has one edition in the store ({held[0]}): nothing to compare it with; "
            "add another with milex update"
        )
    new = new or held[-1]
    if old is None:
        earlier = [v for v in held if v < new]
        if not earlier:
            raise InputError(
                f"{source} {new} is the oldest edition held: give the edition to compare it "
                f"with (old), e.g. {held[-1]}"
            )
        old = earlier[-1]
    if old == new:
        raise InputError(
            f"both editions are {source} {old}: give two editions to compare, e.g. "
            f"{held[-2]} and {held[-1]} (see vintages)"
        )
    if old > new:
        raise InputError(
            f"{source} {old} is newer than {new}: give the older edition first (old {new}, "
            f"new {old})"
        )
    return old, new


# ------------------------------------------------------------------------ the store itself


#: The counts among :func:`update`'s columns.
UPDATE_COUNTS = ["figures", "new", "revised", "dropped", "unit_changed", "became_actual"]
#: The columns of :func:`update`'s rows.
UPDATE_COLUMNS = [
    "source",
    "vintage",
    "action",
    "figures",
    "compared_with",
    "new",
    "revised",
    "dropped",
    "unit_changed",
    "became_actual",
    "origin",
]


@_validated
def update(
    source: Name = "all",
    file: Files | None = None,
    *,
    dry_run: Flag = False,
    vintage: Name | None = None,
    url: Address | None = None,
    replace: Flag = False,
    progress: StepProgress | None = None,
) -> Result:
    """Bring in the newest official editions: download each source's file (or read ``file``,
    one path or a list), read and check it completely, then add it to your editions in one
    transaction (``user.duckdb`` in the milex home); the editions held stay.

    ``source``: ``nato``, ``sipri``, ``weo``, ``worldbank`` or ``all`` (each in turn; with
    ``file``, each file's source is told from its name). Every source asked for is
    downloaded and read before anything is added, so that a network failure
    (:class:`~milex.errors.NetworkError`), a bad file (``DataFileError``) or a bad argument
    (``InputError``) changes nothing. ``dry_run`` reads and compares but adds nothing.
    ``vintage`` (YYYY-MM, not after this month) names the edition when the file does not say
    it; ``url`` replaces the registry's address (one source only; not with ``file``).
    ``replace`` puts a corrected file in the place of an edition you added before (milex's own
    editions are never replaced); without it, an edition held already is left as it is, and
    its row says whether the file differs from it. ``progress(done, total, what)`` is called as
    each download and each reading step advances (``what`` starts with ``download `` or
    ``read ``).

    One row per edition read: ``source`` (as the store names it: ``wdi`` for worldbank),
    ``vintage``, ``action`` (``added``, ``would add``, ``held already``, ``held already,
    differs``, ``replaced``, ``would replace``, ``replaces the embedded subset``, ``would
    replace the embedded subset``, ``not updated``: when several sources are downloaded, one
    that cannot be downloaded or read holds back none of the others, and a note says why;
    when none can, the first reason is raised; files given are all read first, or none
    added), ``figures``, ``compared_with`` (the newest edition held before it, the embedded
    subset it replaces, or None), the counts
    of :func:`milex.revisions.summary` against that edition (``new``, ``revised``,
    ``dropped``, ``unit_changed``, ``became_actual``) and ``origin`` (the file or address
    read). ``extra["added"]``: how many editions were added or replaced; ``extra["failed"]``:
    how many sources were not updated. After an edition is
    added, the default store is opened afresh on next use.
    """
    from milex.store import update as _update

    names = _update.names()
    if file is not None and url is not None:
        raise InputError(
            "file and url: give one (a file is read as it is, an address is downloaded)"
        )
    if source != "all":
        _update.entry(source.lower())
    asked = names if source == "all" else [source.lower()]
    files = [file] if isinstance(file, str | Path) else file
    work: dict[str, list[Path] | None] = dict.fromkeys(asked)
    if files is not None and len(asked) > 1:
        work = {}
        for path in map(Path, files):
            work.setdefault(_update.guess(path), []).append(path)
    elif files is not None:
        work = {asked[0]: [Path(f) for f in files]}
    if (vintage is not None or url is not None) and len(work) > 1:
        raise InputError(
            f"vintage and url apply to one source, not {', '.join(work)}: give the source, "
            "e.g. source nato"
        )
    home = catalog_home()
    ready, failed = [], []
    for name, paths in work.items():
        try:
            ready.append(
                _update.prepare(
                    name, paths, url=url, vintage=vintage, progress=progress, cache_dir=home
                )
            )
        except MilexError as exc:  # one source's download does not hold back the others
            if len(work) == 1 or files is not None:
                raise
            failed.append((name, exc))
    if failed and not ready:  # nothing could be read: the first reason, in one line
        raise failed[0][1]
    store = default_store()
    rows, added = [], 0
    notes = [f"{name} not updated: {first_line(str(exc))}" for name, exc in failed]
    for edition in ready:
        before = _held_before(
            store, edition.source, edition.vintage, edition.held or edition.replaces
        )
        old = store.observations(edition.source, before) if before else _no_figures()
        counts = revisions.summary(revisions.compare(old, edition.tidy()))
        differs = edition.held and any(
            counts[k] for k in ("new", "dropped", "revised", "unit_changed", "became_actual")
        )
        renew = replace and edition.held and not edition.shipped
        if not dry_run and (renew or not edition.held):
            _update.commit(edition, replace=renew, cache_dir=home)
            added += 1
        if differs and not replace:
            notes.append(
                f"{edition.source} {edition.vintage} is held already and this file differs from "
                + (
                    "it: milex ships that edition; give the file another vintage to add it beside"
                    if edition.shipped
                    else "it: add it in its place with replace (milex update --replace)"
                )
            )
        rows.append(
            {
                "source": edition.source,
                "vintage": edition.vintage,
                "action": _action(edition, differs, replace, dry_run),
                "figures": len(edition.observations),
                "compared_with": before,
                **{key: counts[key] for key in UPDATE_COLUMNS[5:10]},
                "origin": edition.origin,
            }
        )
    for name, _ in failed:
        rows.append({"source": _update.entry(name)["source"], "action": "not updated"})
    if added:  # the cached store predates the new editions
        default_store.cache_clear()
    return Result(
        kind="update",
        frame=pd.DataFrame(rows, columns=UPDATE_COLUMNS).astype(
            dict.fromkeys(UPDATE_COUNTS, "Int64")  # whole numbers, missing where not updated
        ),
        units={"figures": "figures (observations)"},
        notes=notes,
        extra={"added": added, "failed": len(failed)},
        query={
            "source": source,
            "file": [str(f) for f in files] if files is not None else None,
            "dry_run": dry_run,
            "vintage": vintage,
            "url": url,
            "replace": replace,
            "home": str(home),
        },
    )


def _held_before(store: Store, source: str, vintage: str, same: bool) -> str | None:
    """The edition an update is compared with: the same one when it is held already or its
    subset is replaced (``same``), else the newest held before it (None: no earlier one)."""
    held = set(store.editions().query("source == @source")["vintage"])
    if same and vintage in held:
        return vintage
    earlier = sorted(v for v in held if v < vintage)
    return earlier[-1] if earlier else None


def _no_figures() -> pd.DataFrame:
    """No figures in the tidy columns: what an update is compared with when nothing was held."""
    return pd.DataFrame(columns=revisions.COLUMNS)


def _action(edition, differs: bool, replace: bool, dry_run: bool) -> str:
    """What an update does with a prepared edition, in words (see :func:`update`)."""
    if edition.held and replace and not edition.shipped:
        return "would replace" if dry_run else "replaced"
    if edition.held:
        return "held already, differs" if differs else "held already"
    if edition.replaces:
        return "would replace the embedded subset" if dry_run else "replaces the embedded subset"
    return "would add" if dry_run else "added"


@_validated
def doctor(*, repair: Flag = False) -> Result:
    """Check the milex home: the store against the row counts and checksums recorded per
    edition when it was built, locks, leftovers of interrupted builds, stores of other
    installs, the user's own editions (``user.duckdb``) and their backups (see
    :func:`milex.store.doctor.verify` for the columns). With ``repair``, first rebuild the
    store, remove leftovers and prune stale stores; the user's editions are never deleted or
    rewritten."""
    from milex.store import doctor as _doctor

    return _doctor.repair() if repair else _doctor.verify()
