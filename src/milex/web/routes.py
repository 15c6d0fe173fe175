"""The JSON API: one GET route per API function, answering with the result's JSON envelope
(``Result.to_dict()``, docs/json.md) or, for the lookups, ``{"rows": [...]}``; docs/json.md
("Over HTTP") lists the routes, their parameters, errors and caching.

Query parameters are named like the API's arguments and handed to :mod:`milex.api`, which
checks them: a refusal is its one-line :class:`~milex.errors.InputError`, answered 400 by
:func:`milex.web.app.create_app`. Only what a URL cannot say is translated here: several
values as a repeated parameter or a comma list, a target as a number or a guideline id, the
munitions ``set`` parameters as a dict.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from milex import api
from milex.errors import InputError, shown
from milex.montecarlo.uncertainty import presets
from milex.result import Result, plain
from milex.web import views

#: Most draws a simulation takes over the web (the API takes up to api.MAX_DRAWS): about
#: 0.1 s of one core.
MAX_WEB_DRAWS = 200_000
#: Largest body POST /api/check reads, bytes (about 200 pages of text).
MAX_BODY = 1_000_000
#: Routes whose answer is not the same for the same request unless a parameter is given:
#: route -> that parameter (a simulation without a seed draws a fresh one). Read by the cache
#: of :mod:`milex.web.app`.
UNCACHED_WITHOUT = {"/api/simulate": "seed"}


class Problem(BaseModel):
    """A refused request: one line saying what was wrong and what is accepted."""

    error: str = Field(examples=["year: got 99999; give a year from 1900 to 2100, e.g. 2024"])


class Envelope(BaseModel):
    """The JSON envelope of a Result (docs/json.md): the common keys, and the extras of each
    kind of result (``missing``, ``probability``, ``parameters`` ...) as further keys."""

    model_config = ConfigDict(extra="allow")

    schema_: str = Field(alias="schema", examples=["milex.status.v1"])
    query: dict[str, Any]
    units: dict[str, str]
    notes: list[str]
    caveats: list[str]
    rows: list[dict[str, Any]]
    sources: list[dict[str, Any]]


class Rows(BaseModel):
    """A lookup's table: one object per row; for observations, the citations of their
    ``source_id`` in ``sources``."""

    model_config = ConfigDict(extra="allow")

    rows: list[dict[str, Any]]
    sources: list[dict[str, Any]] = []


class CheckBody(BaseModel):
    """A text to check, as POST /api/check reads it (the GET route's parameters)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    lang: str | None = None
    date: str | None = None


_CSV = {"text/csv": {"schema": {"type": "string"}}}
#: The error answers every route documents.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Refused input: the message says what is accepted"},
    422: {"model": Problem, "description": "A parameter of the wrong type or out of range"},
}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)

#: Output format of a result route: the JSON envelope, or its rows as CSV.
Format = Annotated[
    Literal["json", "csv"], Query(description="json (the envelope) or csv (the rows)")
]
Several = Annotated[
    list[str] | None,
    Query(description="one or more: the parameter repeated, or a comma-separated list"),
]
Target = Annotated[
    str, Query(description="percent of GDP (3.5) or a guideline id (hague-3.5, wales-2)")
]


def _json(content: dict[str, Any]) -> Response:
    """Strict JSON (``plain`` values: missing figures are null, never NaN)."""
    body = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Response(body.encode("utf-8"), media_type="application/json")


def _csv(name: str, frame: pd.DataFrame, cites: list[str]) -> Response:
    """The rows as CSV: a comment line per citation first, and a file name to save under."""
    lines = "".join(f"# {' '.join(c.split())}\n" for c in cites)
    return Response(
        lines + frame.to_csv(index=False),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="milex-{name}.csv"'},
    )


def _answer(result: Result, fmt: str = "json") -> Response:
    if fmt == "csv":
        return _csv(result.kind, result.frame, result.citations())
    return _json(result.to_dict())


def _table(name: str, frame: pd.DataFrame, fmt: str = "json", cited: bool = False) -> Response:
    """A lookup's rows; with ``cited``, the citations of their ``source_id`` too."""
    sources = api.origins(sorted(set(frame["source_id"]))) if cited and len(frame) else None
    if fmt == "csv":
        cites = [] if sources is None else list(dict.fromkeys(sources["cite"].dropna()))
        return _csv(name, frame, cites)
    return _json({"rows": plain(frame), "sources": [] if sources is None else plain(sources)})


def _several(values: list[str] | None) -> list[str] | None:
    """Values of a repeated parameter, each possibly a comma list; None when not given."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",")]


def _changes(settings: list[str] | None) -> dict[str, float] | None:
    """``set`` parameters (``key=value``) as the munitions API's ``changes``."""
    if not settings:
        return None
    changes: dict[str, float] = {}
    for setting in settings:
        key, sep, value = setting.rpartition("=")
        number = views.number_or_text(value.strip()) if sep else value
        if not key.strip() or isinstance(number, str):
            raise InputError(
                f"set: got {shown(setting)}; give key=number, "
                "e.g. set=actors.RUS.flows.0.per_day=30000"
            )
        if key.strip() in changes:
            raise InputError(f"set: {shown(key.strip())} is given twice; give each key once")
        changes[key.strip()] = number
    return changes


# ------------------------------------------------------------------------ results


@router.get("/status", response_model=Envelope, responses={200: {"content": _CSV}})
def status(
    year: int | None = None,
    source: str = "nato",
    vintage: str | None = None,
    format: Format = "json",
) -> Response:
    """Where each country stands in ``year`` (default: the latest year with figures):
    share of GDP, spending, equipment share, which guidelines it meets (milex.status.v1)."""
    return _answer(api.status(year, source=source, vintage=vintage), format)


@router.get("/series", response_model=Rows, responses={200: {"content": _CSV}})
def series(
    country: Several = None,
    indicators: Several = None,
    years: Annotated[str | None, Query(description="a year, 2014-2024, or 2014,2019")] = None,
    source: Annotated[str, Query(description="nato, sipri, weo, wdi, or all")] = "nato",
    vintage: str | None = None,
    format: Format = "json",
) -> Response:
    """Observations in the tidy shape (``iso3, name, year, indicator, value, unit, status,
    source, vintage, source_id``), each row's citation in ``sources``."""
    frame = api.series(
        _several(country),
        _several(indicators),
        years,
        source=None if source == "all" else source,
        vintage=vintage,
    )
    return _table("series", frame, format, cited=True)


@router.get("/gap", response_model=Envelope, responses={200: {"content": _CSV}})
def gap(
    target: Target = "hague-3.5",
    year: int | None = None,
    countries: Several = None,
    group: str | None = None,
    vintage: str | None = None,
    format: Format = "json",
) -> Response:
    """How far allies (and a group) are from a target share of GDP (milex.gap.v1)."""
    found = api.gap(
        views.number_or_text(target),
        year,
        countries=_several(countries),
        group=group,
        vintage=vintage,
    )
    return _answer(found, format)


@router.get("/path", response_model=Envelope, responses={200: {"content": _CSV}})
def path(
    country: str,
    target: Target = "hague-3.5",
    by: int | None = None,
    method: Annotated[str, Query(description="linear or real-growth")] = "linear",
    base_year: int | None = None,
    growth_after: float | None = None,
    inflation_after: float | None = None,
    above: Annotated[str, Query(description="hold or converge")] = "hold",
    weo_vintage: str | None = None,
    format: Format = "json",
) -> Response:
    """A year-by-year path to a target share of GDP by a year (milex.path.v1)."""
    found = api.path(
        country,
        views.number_or_text(target),
        by,
        method=method,
        base_year=base_year,
        growth_after=growth_after,
        inflation_after=inflation_after,
        above=above,
        weo_vintage=weo_vintage,
    )
    return _answer(found, format)


@router.get("/pledges", response_model=Envelope, responses={200: {"content": _CSV}})
def pledges(
    country: str | None = None, tolerance_pp: float | None = None, format: Format = "json"
) -> Response:
    """National plans from the pledges registry, each checked (milex.pledges.v1)."""
    return _answer(api.pledges(country, tolerance_pp=tolerance_pp), format)


@router.get("/simulate", response_model=Envelope, responses={200: {"content": _CSV}})
def simulate(
    country: str,
    target: Target = "hague-3.5",
    by: int | None = None,
    draws: Annotated[int, Query(ge=1, le=MAX_WEB_DRAWS)] = 100_000,
    seed: Annotated[int | None, Query(description="none: a fresh seed (not cached)")] = None,
    method: Annotated[str, Query(description="plan, hold, linear or real-growth")] = "plan",
    basis: Annotated[str | None, Query(description="money or share (default: the plan's)")] = None,
    base_year: int | None = None,
    uncertainty: Annotated[
        str, Query(description="default, none, independent or no-recession")
    ] = "default",
    format: Format = "json",
) -> Response:
    """Probability that a country's plan (or a group's GDP-weighted share) reaches the target
    when growth, inflation and the execution of budgets are uncertain (Monte Carlo;
    milex.simulate.v1)."""
    if uncertainty not in presets():  # a file name would read files of the server
        raise InputError(
            f"uncertainty: got {shown(uncertainty)}; over the web give a preset: "
            f"{', '.join(presets())} (a settings file is read by milex simulate -u FILE and "
            "milex.simulate only)"
        )
    found = api.simulate(
        country,
        views.number_or_text(target),
        by,
        draws=draws,
        seed=seed,
        method=method,
        basis=basis,
        base_year=base_year,
        uncertainty=uncertainty,
        sensitivity=False,  # the tornado is milex sensitivity's and milex.sensitivity's
    )
    return _answer(found, format)


@router.get("/compare", response_model=Envelope, responses={200: {"content": _CSV}})
def compare(
    side_a: str,
    side_b: str,
    years: str | None = None,
    basis: Annotated[str, Query(description="mer, ppp, defence-ppp, split or all")] = "all",
    source: Annotated[str | None, Query(description="nato, sipri, or none")] = None,
    format: Format = "json",
) -> Response:
    """Spending of one side against another on one basis for both (milex.compare.v1)."""
    return _answer(api.compare(side_a, side_b, years, basis=basis, source=source), format)


@router.get("/race", response_model=Envelope, responses={200: {"content": _CSV}})
def race(
    country: str = "RUS",
    years: str | None = None,
    against: str = "europe-canada",
    source: Annotated[str | None, Query(description="nato, sipri, or none")] = None,
    format: Format = "json",
) -> Response:
    """A country's spending race against a group, on every basis (milex.race.v1)."""
    return _answer(api.race(country, years, against=against, source=source), format)


#: The scenarios shipped with the package: the web runs no scenario file of its own.
Shipped = Literal[tuple(api.munitions_scenarios())]  # type: ignore[valid-type]


@router.get("/munitions", response_model=Envelope, responses={200: {"content": _CSV}})
def munitions(
    scenario: Shipped = "default",
    until: int | None = None,
    set: Annotated[
        list[str] | None,
        Query(
            description="a parameter changed, key=number (repeatable; the keys are listed in "
            "the answer's parameters), e.g. actors.RUS.flows.0.per_day=30000"
        ),
    ] = None,
    format: Format = "json",
) -> Response:
    """The monthly artillery-munitions model of a shipped scenario, with its editable
    parameters changed by ``set`` (milex.munitions.v1)."""
    return _answer(api.munitions(scenario, until, changes=_changes(set)), format)


@router.get("/munitions/ratio", response_model=Envelope, responses={200: {"content": _CSV}})
def munitions_ratio(
    a: str = "RUS", b: str = "NATO", year: int = 2025, format: Format = "json"
) -> Response:
    """Actor a's yearly artillery output against b's, across the published estimates."""
    return _answer(api.munitions_ratio(a, b, year), format)


#: The answer to a text longer than the web checker takes.
TOO_LONG = {
    "model": Problem,
    "description": f"A text longer than {views.MAX_CHECK_TEXT:,} characters",
}


@router.get("/check", response_model=Envelope, responses={200: {"content": _CSV}, 413: TOO_LONG})
def check(
    text: str,
    lang: Annotated[str | None, Query(description="nl, en, de, fr, or none to detect")] = None,
    date: Annotated[str | None, Query(description="YYYY-MM-DD: editions as of that day")] = None,
    format: Format = "json",
) -> Response:
    """Every checkable claim in a text with its verdict and evidence (milex.check.v1); for a
    long text, POST it."""
    _fits(text)
    return _answer(api.check(text, lang, date), format)


def _fits(text: str) -> None:
    """Refuse with 413 a text longer than the web checker takes (views.MAX_CHECK_TEXT)."""
    if len(text) > views.MAX_CHECK_TEXT:
        raise HTTPException(413, views.too_long("en"))


async def _body(request: Request) -> bytes:
    """The request's body, refused with 413 beyond :data:`MAX_BODY` bytes (read no further)."""
    told = request.headers.get("content-length", "")
    too_long = HTTPException(
        413, f"the body is larger than {MAX_BODY:,} bytes: check a shorter text, in parts"
    )
    if told.isdigit() and int(told) > MAX_BODY:
        raise too_long
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise too_long
    return bytes(body)


@router.post(
    "/check",
    response_model=Envelope,
    responses={
        413: {
            "model": Problem,
            "description": f"A body larger than {MAX_BODY:,} bytes, or a text longer than "
            f"{views.MAX_CHECK_TEXT:,} characters",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CheckBody.model_json_schema()}},
        }
    },
)
async def check_text(request: Request) -> Response:
    """Like GET /api/check, the text in a JSON body ``{"text", "lang", "date"}``."""
    try:
        body = CheckBody.model_validate_json(await _body(request))
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    _fits(body.text)
    found = await run_in_threadpool(api.check, body.text, body.lang, body.date)
    return _answer(found)


@router.get("/ask", response_model=Envelope)
def ask(
    question: str,
    lang: Annotated[str | None, Query(description="nl, en, de, fr, or none to detect")] = None,
) -> Response:
    """A plain-language answer to a question, with the figures behind it (milex.ask.v1)."""
    return _answer(api.ask(question, lang))


# ------------------------------------------------------------------------ lookups


#: The lookups the pages need: route -> the API function giving its table.
LOOKUPS = {
    "countries": api.countries,
    "groups": api.groups,
    "guidelines": api.guidelines,
    "sources": api.sources,
    "indicators": api.indicators,
}


def _lookup(name: str, table: Callable[[], pd.DataFrame]) -> Callable[[], Response]:
    def route() -> Response:
        return _table(name, table())

    return route


for _name, _function in LOOKUPS.items():
    router.add_api_route(
        f"/{_name}",
        _lookup(_name, _function),
        methods=["GET"],
        response_model=Rows,
        name=_name,
        summary=_name.capitalize(),
        description=" ".join((_function.__doc__ or "").split()),
    )
