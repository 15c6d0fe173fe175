"""The HTML pages, rendered from the API's results with Jinja2 templates (docs/web.md).

Each page is a function of its :class:`Links` (the language, and whether it is rendered for
``milex serve`` or for the static site of :mod:`milex.web.site`) and its parameters, returning
HTML; the routes below serve them. Bad input is a 4xx page with the one-line message of the
:class:`~milex.errors.InputError`, never a 500.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from milex import __version__
from milex.errors import InputError, shown
from milex.web import i18n, views

router = APIRouter(include_in_schema=False)

#: The templates of the pages (and base.html, which the report may extend).
TEMPLATES = Path(__file__).with_name("templates")
#: The pages in the navigation, in order.
NAVIGATION = ("overview", "country", "explorer", "russia", "munitions", "check")
#: Where each page lives on the server, and in a language folder of the static site.
SERVER_PATHS = {
    "overview": "/",
    "country": "/country/{iso3}",
    "explorer": "/explorer",
    "russia": "/russia",
    "munitions": "/munitions",
    "check": "/check",
    "picker": "/country",
}
STATIC_PATHS = {
    "overview": "index.html",
    "country": "country/{iso3}.html",
    "explorer": "explorer.html",
    "russia": "russia.html",
    "munitions": "munitions.html",
    "check": "check.html",
    "picker": "index.html",
}
#: Assets the server does not serve from milex's own static folder.
SERVER_ASSETS = {"plotly.min.js": "/static/plotly/plotly.min.js"}


@dataclass(frozen=True)
class Links:
    """How a page links to pages and assets: absolute paths with ``?lang=`` on the server,
    relative paths in the static site (``country/DEU.html``, ``../assets/milex.css``), so
    that the site works from file://."""

    lang: str = i18n.DEFAULT
    static: bool = False
    here: str = "overview"
    iso3: str = ""
    #: The languages the language switch offers (a static site: those exported).
    languages: tuple[str, ...] = i18n.LANGUAGES

    @property
    def _up(self) -> str:
        """From this page to its language folder (static site)."""
        return "../" * STATIC_PATHS[self.here].count("/")

    def page(self, name: str, iso3: str = "", **params: Any) -> str:
        """The link to page ``name`` (a country page with ``iso3``), in this language."""
        if self.static:
            return self._up + STATIC_PATHS[name].format(iso3=iso3)
        query = {k: v for k, v in params.items() if v is not None}
        if self.lang != i18n.DEFAULT:
            query["lang"] = self.lang
        path = SERVER_PATHS[name].format(iso3=iso3)
        return path + (f"?{urlencode(query)}" if query else "")

    def asset(self, name: str) -> str:
        """The link to an asset (``milex.css``, ``milex.js``, ``plotly.min.js``)."""
        if self.static:
            return f"../{self._up}assets/{name}"
        return SERVER_ASSETS.get(name, f"/static/{name}")

    def switch(self, lang: str) -> str:
        """This page in another language."""
        if self.static:
            return f"../{self._up}{lang}/{STATIC_PATHS[self.here].format(iso3=self.iso3)}"
        return dataclasses.replace(self, lang=lang).page(self.here, self.iso3)


@cache
def environment() -> Any:
    """The Jinja2 environment of the pages: templates from the package, autoescaped,
    JSON embedded in insertion order (the CSV's columns follow the rows' keys)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    env.filters["num"] = i18n.number
    return env


def render(template: str, links: Links, store: Any = None, **context: Any) -> str:
    """A page: ``template`` with the interface words of the language, the links, the
    navigation (its country link: the first ally) and ``context``."""
    return (
        environment()
        .get_template(template)
        .render(
            t=i18n.words(links.lang),
            lang=links.lang,
            languages=links.languages,
            link=links,
            navigation=NAVIGATION,
            version=__version__,
            default_country=views.allies(store)[0][0],
            **context,
        )
    )


# ------------------------------------------------------------------------ the pages


def year_param(value: str | None, name: str = "year") -> int | None:
    """A year given as query text (None when not given); an InputError when not a year."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{name}: got {shown(value)}; give a year, e.g. 2024") from None


def overview_page(links: Links, year: int | None = None, store: Any = None) -> str:
    """The overview: all allies against the guidelines, one year shown (default the latest),
    every year embedded for the year control."""
    data = views.overview(links.lang, store=store)
    if year is not None:
        if str(year) not in data["years"]:
            first, last = data["years"][0], data["years"][-1]
            raise InputError(f"year: got {year}; the overview covers {first}-{last}, e.g. 2024")
        data = {
            **data,
            "chart": dataclasses.replace(data["chart"], current=str(year)),
            "table": dataclasses.replace(data["table"], current=str(year)),
        }
    return render("overview.html", links, store, **data)


def country_page(links: Links, iso3: str, store: Any = None) -> str:
    """A country's page (``iso3`` an ally's code)."""
    return render(
        "country.html",
        links,
        store,
        allies=sorted(
            ((c, i18n.country_name(c, n, links.lang)) for c, n in views.allies(store)),
            key=lambda ally: ally[1].casefold(),
        ),
        **views.country(iso3, links.lang, store=store),
    )


def explorer_page(
    links: Links,
    target: str | None = None,
    year: int | None = None,
    group: str | None = None,
    country: str | None = None,
    by: int | None = None,
    store: Any = None,
) -> str:
    """The gap and path explorer: one target on the server; in the static site the three
    guidelines for the latest year, precomputed and switched on the page."""
    given = views.number_or_text(target or "")
    targets = views.GUIDELINES if links.static else (given or views.path_settings()["target"],)
    data = views.explorer(
        links.lang,
        targets,
        year,
        group or None,
        country or group or views.RUSSIA[0],
        by,
        store=store,
    )
    return render("explorer.html", links, store, guidelines=views.GUIDELINES, **data)


def russia_page(links: Links, basis: str | None = None, store: Any = None) -> str:
    """NATO Europe and Canada against Russia, every basis embedded (``basis`` shown first)."""
    data = views.russia(links.lang, store=store)
    if basis is not None:
        if basis not in views.BASES:
            raise InputError(
                f"basis: got {shown(basis)}; one of {', '.join(views.BASES)}, e.g. ppp"
            )
        chart = dataclasses.replace(data["chart"], current=basis)
        data = {**data, "chart": chart, "table": dataclasses.replace(data["table"], current=basis)}
    return render("russia.html", links, store, **data)


def munitions_page(links: Links, given: dict[str, str] | None = None, store: Any = None) -> str:
    """The munitions scenario: ``given`` holds form values of its parameters (by key); those
    that differ from the default scenario's are the changes it runs with."""
    defaults = {p["key"]: p["value"] for p in views.parameter_rows(views.scenario((), store=store))}
    changes = {}
    for key, value in (given or {}).items():
        if key in defaults:
            number = views.number_or_text(value)
            if not isinstance(number, float):
                raise InputError(f"{key}: got {shown(value)}; give a number, e.g. {defaults[key]}")
            if number != defaults[key]:
                changes[key] = number
    data = views.munitions(links.lang, tuple(sorted(changes.items())), store=store)
    return render("munitions.html", links, store, **data)


def check_page(
    links: Links,
    text: str | None = None,
    date: str | None = None,
    question: str | None = None,
    store: Any = None,
) -> str:
    """The claim checker (``text`` checked when given) and the question box (``question``
    answered when given). The static site shows its language's example sentences checked."""
    if links.static:
        text = " ".join(i18n.words(links.lang)["check"]["samples"])
    return render(
        "check.html",
        links,
        store,
        text=text or "",
        date=date or "",
        checked=views.claims(text, links.lang, date, store=store) if text else None,
        question=question or "",
        answered=views.answer(question, store=store) if question else None,
    )


def error_page(links: Links, message: str, title_key: str = "title") -> str:
    """A page saying what went wrong, in one line."""
    return render("error.html", links, message=message, title_key=title_key)


def problem_page(
    lang: str | None,
    status: int,
    message: str | Callable[[str], str],
    title_key: str = "title",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """An error page with ``status`` in ``lang`` (English if that is no language):
    ``message`` one line, or a function of the language giving it."""
    links = Links(lang if lang in i18n.LANGUAGES else i18n.DEFAULT)
    said = message(links.lang) if callable(message) else message
    return HTMLResponse(error_page(links, said, title_key), status_code=status, headers=headers)


def missing_page(path: str, lang: str | None) -> HTMLResponse:
    """The 404 page of a path that is no page, in ``lang`` (English if that is no language)."""
    return problem_page(
        lang,
        404,
        lambda lang: i18n.words(lang)["errors"]["no_page"].format(path=shown(path)),
        "not_found",
    )


def method_page(path: str, method: str, lang: str | None) -> HTMLResponse:
    """The 405 page of a page asked with a method it does not answer, in ``lang``; its Allow
    header lists the methods the page answers."""
    allowed = {m for r in router.routes if r.path_regex.match(path) for m in r.methods}
    return problem_page(
        lang,
        405,
        lambda lang: i18n.words(lang)["errors"]["method"].format(path=shown(path), method=method),
        headers={"Allow": ", ".join(sorted(allowed))},
    )


# ------------------------------------------------------------------------ the routes


def _serve(lang: str | None, here: str, make: Callable[[Links], str], iso3: str = "") -> Any:
    """Render a page, answering bad input with a 4xx page of its one-line message."""
    try:
        links = Links(i18n.check_lang(lang), here=here, iso3=iso3)
    except InputError as exc:
        return HTMLResponse(error_page(Links(), str(exc)), status_code=422)
    try:
        return HTMLResponse(make(links))
    except InputError as exc:
        return HTMLResponse(error_page(links, str(exc)), status_code=422)


@router.get("/", response_class=HTMLResponse)
def overview(lang: str | None = None, year: str | None = None) -> Any:
    """All allies against 2%, 3.5% and 5% (``year``: 2014 to the latest, default latest)."""
    return _serve(lang, "overview", lambda links: overview_page(links, year_param(year)))


@router.get("/country", response_class=HTMLResponse)
def country_picker(lang: str | None = None, country: str = "") -> Any:
    """The country picker's target: redirects to the country's page."""
    if not country:
        country = views.allies()[0][0]
    query = f"?lang={lang}" if lang else ""
    return RedirectResponse(f"/country/{country}{query}", status_code=303)


@router.get("/country/{name}", response_class=HTMLResponse)
def country(name: str, request: Request, lang: str | None = None) -> Any:
    """A country's page; a name milex resolves redirects to its code, anything else is 404."""
    try:
        code = views.country_code(name)
    except InputError as exc:
        links = Links(lang if lang in i18n.LANGUAGES else i18n.DEFAULT)
        return HTMLResponse(error_page(links, str(exc), "not_found"), status_code=404)
    if code != name:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/country/{code}{query}", status_code=307)
    return _serve(lang, "country", lambda links: country_page(links, code), code)


@router.get("/explorer", response_class=HTMLResponse)
def explorer(
    lang: str | None = None,
    target: str | None = None,
    year: str | None = None,
    group: str | None = None,
    country: str | None = None,
    by: str | None = None,
) -> Any:
    """The gap and path explorer (``target``: 2, 3.5, 5, a number or a guideline id)."""
    return _serve(
        lang,
        "explorer",
        lambda links: explorer_page(
            links, target, year_param(year), group, country, year_param(by, "by")
        ),
    )


@router.get("/russia", response_class=HTMLResponse)
def russia(lang: str | None = None, basis: str | None = None) -> Any:
    """NATO Europe and Canada against Russia (``basis``: mer, ppp, defence-ppp, split)."""
    return _serve(lang, "russia", lambda links: russia_page(links, basis))


@router.get("/munitions", response_class=HTMLResponse)
def munitions(request: Request, lang: str | None = None) -> Any:
    """The munitions scenario; the scenario's parameters may be given as query parameters
    (the form's fields, by parameter key)."""
    given = {k: v for k, v in request.query_params.items() if k != "lang"}
    return _serve(lang, "munitions", lambda links: munitions_page(links, given))


@router.get("/check", response_class=HTMLResponse)
def check(lang: str | None = None, question: str | None = None) -> Any:
    """The claim checker's form, and the answer to ``question`` when one is asked."""
    return _serve(lang, "check", lambda links: check_page(links, question=question))


#: The largest form the checker reads, bytes: :data:`views.MAX_CHECK_TEXT` characters of at
#: most 4 UTF-8 bytes, each sent as ``%XX``, and the date.
MAX_FORM = 12 * views.MAX_CHECK_TEXT + 1_000


@router.post("/check", response_class=HTMLResponse)
async def check_text(request: Request, lang: str | None = None) -> Any:
    """A text checked (the form's POST: works without JavaScript); a text longer than
    :data:`views.MAX_CHECK_TEXT` characters is a 413 page saying the limit."""
    links = Links(lang if lang in i18n.LANGUAGES else i18n.DEFAULT, here="check")
    told = request.headers.get("content-length", "")
    try:
        if told.isdigit() and int(told) > MAX_FORM:
            raise HTTPException(413)
        form = await request.form(max_part_size=MAX_FORM)  # 400 beyond it
    except HTTPException:
        return HTMLResponse(error_page(links, views.too_long(links.lang)), status_code=413)
    text, date = form.get("text", ""), form.get("date", "")
    if not isinstance(text, str) or not isinstance(date, str):
        message = "text: give the text in the form's field, not as a file"
        return HTMLResponse(error_page(links, message), status_code=422)
    if len(text) > views.MAX_CHECK_TEXT:
        return HTMLResponse(error_page(links, views.too_long(links.lang)), status_code=413)
    return await run_in_threadpool(
        _serve, lang, "check", lambda links: check_page(links, text, date or None)
    )
