"""The FastAPI application: the JSON API under ``/api``, the pages, and the static files
(milex's own CSS and JavaScript, and plotly.js from the installed plotly package, so that every
chart draws offline).

Errors are answered as JSON ``{"error": "<one line>"}``: a refusal of milex (its
:class:`~milex.errors.MilexError`) with 400, a parameter FastAPI cannot read (a year that is
not a whole number) with 422, an unknown route under ``/api`` with 404. The answers of the API
are kept in :class:`ResponseCache`, so a repeated request is answered without asking again.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from milex import __version__
from milex.errors import MilexError, first_line, shown

#: milex's own CSS, JavaScript and images.
STATIC = Path(__file__).with_name("static")
#: The answers kept in memory: at most this many bytes in all.
CACHE_BYTES = 64_000_000


def plotly_js() -> Path:
    """The minified plotly.js shipped inside the installed plotly package."""
    import plotly

    return Path(plotly.__file__).with_name("package_data") / "plotly.min.js"


class ResponseCache:
    """An ASGI middleware keeping the answers (status 200) of GET requests under ``/api``,
    least recently used first out, up to ``max_bytes`` (an answer larger than half of it is
    not kept).

    The key is the route, the query parameters (sorted by name, the values of a repeated
    one in their order) and the identity of the data store; a route of ``uncached`` (route ->
    parameter) is kept only when that parameter is given (a simulation only with its seed).
    Answers carry ``X-Milex-Cache: hit`` or ``miss``. It runs on the server's event loop, one
    request at a time, so it needs no lock.
    """

    def __init__(
        self, app: ASGIApp, identity: Any, uncached: dict[str, str], max_bytes: int = CACHE_BYTES
    ) -> None:
        self.app, self.identity, self.uncached = app, identity, uncached
        self.max_bytes, self.size = max_bytes, 0
        self.kept: OrderedDict[tuple, tuple[list, bytes]] = OrderedDict()

    def _key(self, scope: Scope) -> tuple | None:
        path = scope["path"]
        if scope["type"] != "http" or scope["method"] != "GET" or not path.startswith("/api/"):
            return None
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        needed = self.uncached.get(path)
        if needed is not None and needed not in {name for name, _ in query}:
            return None
        try:
            store = self.identity()
        except MilexError:  # no store to answer from: the route says why
            return None
        return path, tuple(sorted(query, key=lambda item: item[0])), store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope) if scope["type"] == "http" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        if key in self.kept:
            self.kept.move_to_end(key)
            headers, body = self.kept[key]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        started: dict[str, Any] = {}
        parts: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
                message = {**message, "headers": [*message["headers"], (b"x-milex-cache", b"miss")]}
            elif message["type"] == "http.response.body" and started.get("status") == 200:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._put(key, started["headers"], b"".join(parts))
            await send(message)

        await self.app(scope, receive, keep)

    def _put(self, key: tuple, headers: list, body: bytes) -> None:
        if len(body) > self.max_bytes // 2:
            return
        self.kept[key] = ([*headers, (b"x-milex-cache", b"hit")], body)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, (_, dropped) = self.kept.popitem(last=False)
            self.size -= len(dropped)


def _problem(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    """A refusal of milex: 400 with its one line."""
    return _problem(400, first_line(exc))


async def _unreadable(request: Request, exc: Exception) -> Any:
    """A parameter FastAPI could not read: 422 naming each, what was given and why (under
    /api as JSON, on a page as the error page in the language asked for)."""
    problems = []
    for error in exc.errors():  # type: ignore[attr-defined]
        where = ".".join(str(p) for p in error["loc"] if p not in ("query", "body"))
        given = f" (got {shown(error['input'])})" if error.get("input") is not None else ""
        problems.append(f"{where or 'request'}: {error['msg']}{given}")
    if not request.url.path.startswith("/api"):
        from milex.web.pages import problem_page

        return problem_page(request.query_params.get("lang"), 422, "; ".join(problems))
    return _problem(422, "; ".join(problems))


async def _http(request: Request, exc: Exception) -> Any:
    """An HTTP error under /api as JSON ``{"error"}``; on the pages the error page in the
    language asked for (a path that is no page: 404; a method a page does not answer: 405)."""
    status = exc.status_code  # type: ignore[attr-defined]
    headers = exc.headers  # type: ignore[attr-defined]
    if not request.url.path.startswith("/api"):
        from milex.web import pages

        lang, path = request.query_params.get("lang"), request.url.path
        if status == 404:
            return pages.missing_page(path, lang)
        if status == 405:
            return pages.method_page(path, request.method, lang)
        return pages.problem_page(lang, status, first_line(str(exc.detail)), headers=headers)  # type: ignore[attr-defined]
    if status == 404:
        return _problem(404, f"no route {request.url.path}: the routes are listed at /openapi.json")
    if status == 405:  # Allow: the methods of every route at this path (the schema's)
        methods = sorted(
            m.upper() for m in request.app.openapi()["paths"].get(request.url.path, {})
        )
        message = f"{request.method} is not answered at {request.url.path}"
        return _problem(405, message, {"Allow": ", ".join(methods)})
    return _problem(status, str(exc.detail), headers)  # type: ignore[attr-defined]


def create_app(cache_bytes: int = CACHE_BYTES) -> FastAPI:
    """The milex web application (``milex serve`` runs it with uvicorn); ``cache_bytes``: the
    memory kept for answers of the API (0: none kept)."""
    from milex import api
    from milex.web import pages, routes

    app = FastAPI(
        title="milex",
        version=__version__,
        description="Military expenditure against alliance commitments, with sources and "
        "editions: the JSON API over milex's typed results (docs/json.md).",
        # FastAPI's /docs and /redoc load their scripts from a CDN: milex serves offline, so
        # the schema is at /openapi.json and the routes are documented in docs/json.md.
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.mount("/static/plotly", StaticFiles(directory=plotly_js().parent), name="plotly")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(MilexError, _refused)
    app.add_exception_handler(RequestValidationError, _unreadable)
    app.add_exception_handler(HTTPException, _http)
    if cache_bytes:
        app.add_middleware(
            ResponseCache,
            identity=api.store_identity,
            uncached=routes.UNCACHED_WITHOUT,
            max_bytes=cache_bytes,
        )
    return app
