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
            languages=i18n.LANGUAGES,
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
    data = views.overview(links.lang, store)
    if year is not None:
        if str(year) not in data["years"]:
            first, last = data["years"][0], data["years"][-1]
            raise InputError(f"year: got {year}; the overview covers {first}-{last}, e.g. 2024")
        data = {
            **data,
            "chart": dataclasses.replace(data["chart"], current=str(year)),
            "table": dataclasses.replace(data["table"], current=str(year)),
        }
    return render("overview.html", links, **data)


def country_page(links: Links, iso3: str, store: Any = None) -> str:
    """A country's page (``iso3`` an ally's code)."""
    return render(
        "country.html",
        links,
        allies=[(c, views.country_name(c, n, links.lang)) for c, n in views.allies(store)],
        **views.country(iso3, links.lang, store),
    )


def error_page(links: Links, message: str, title_key: str = "title") -> str:
    """A page saying what went wrong, in one line."""
    return render("error.html", links, message=message, title_key=title_key)


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
        page = error_page(links, str(exc), "not_found")
        return HTMLResponse(page, status_code=404)
    if code != name:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/country/{code}{query}", status_code=307)
    return _serve(lang, "country", lambda links: country_page(links, code), code)
