"""A loopback HTTP server standing in for the publishers' hosts in the tests of downloads and of
``milex update``: it serves the files a test gives it, misbehaves on demand, and counts the
requests for each path. Nothing leaves the machine (127.0.0.1, a free port)::

    from tests import http_server

    http_files = http_server.http_files  # the fixture, in a test module

    def test_renamed(http_files, tmp_path):
        http_files.serve("def-exp-2026-en.xlsx", workbook_bytes)
        http_files.serve("def-exp-2026.xlsx", mode="redirect", to="def-exp-2026-en.xlsx")
        download([http_files.url("def-exp-2026.xlsx")], tmp_path)
        assert http_files.requests("def-exp-2026.xlsx") == 1

A path nobody served answers 404. :meth:`HttpFiles.serve` takes a ``mode`` (see :data:`MODES`),
applied to the first ``times`` requests of the path (every request when ``times`` is None);
later requests get the file normally, so ``mode="error", times=1`` is a 500 then the file.
Every answer closes its connection, so each request is counted once and on its own.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

#: What :meth:`HttpFiles.serve` can make a path do.
MODES = {
    "ok": "the file, with its Content-Length",
    "chunked": "the file, in a chunked stream (no Content-Length)",
    "slow": "the file after `delay` seconds, in `chunk`-byte pieces `pause` seconds apart",
    "missing": "404 Not Found",
    "gone": "410 Gone",
    "error": "the HTTP `status` (500 unless given) with a short text",
    "truncated": "the Content-Length of the whole file, half the body, then the connection closed",
    "truncated_chunked": "a chunked stream of half the body, closed without its last chunk",
    "redirect": "301 Moved Permanently to the path `to`",
}


@dataclass
class Route:
    """How one path answers (see :meth:`HttpFiles.serve`)."""

    body: bytes
    mode: str = "ok"
    times: int | None = None
    status: int = 500
    delay: float = 0.0
    pause: float = 0.0
    chunk: int = 1024
    to: str = ""
    content_type: str = "application/octet-stream"
    filename: str | None = None
    last_modified: str | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.counts: Counter[str] = Counter()
        self.last_headers: dict[str, Message] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timed out, closed early) is expected here: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """No log lines on stderr."""

    def do_GET(self) -> None:
        name = unquote(urlsplit(self.path).path).lstrip("/")
        with self.server.lock:
            self.server.counts[name] += 1
            self.server.last_headers[name] = self.headers
            route = self.server.routes.get(name)
            count = self.server.counts[name]
        self.close_connection = True
        if route is None:
            self._status(404, "Not Found")
            return
        mode = route.mode if route.times is None or count <= route.times else "ok"
        getattr(self, f"_{mode}")(route)

    def _head(self, route: Route, status: int = 200, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", route.content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        if route.filename:
            self.send_header("Content-Disposition", f'attachment; filename="{route.filename}"')
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        self.send_header("Connection", "close")
        self.end_headers()

    def _status(self, status: int, text: str) -> None:
        body = f"{status} {text}\n".encode()
        self._head(Route(body, content_type="text/plain"), status, len(body))
        self.wfile.write(body)

    def _ok(self, route: Route) -> None:
        self._head(route, length=len(route.body))
        self.wfile.write(route.body)

    def _chunked(self, route: Route, end: int | None = None) -> None:
        self._head(route)
        body = route.body[:end]
        for start in range(0, len(body), route.chunk):
            piece = body[start : start + route.chunk]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if end is None:
            self.wfile.write(b"0\r\n\r\n")

    def _slow(self, route: Route) -> None:
        if self.server.stopping.wait(route.delay):
            return
        self._head(route, length=len(route.body))
        for start in range(0, len(route.body), route.chunk):
            if start and self.server.stopping.wait(route.pause):
                return
            self.wfile.write(route.body[start : start + route.chunk])
            self.wfile.flush()

    def _missing(self, route: Route) -> None:
        self._status(404, "Not Found")

    def _gone(self, route: Route) -> None:
        self._status(410, "Gone")

    def _error(self, route: Route) -> None:
        self._status(route.status, self.responses.get(route.status, ("Error",))[0])

    def _truncated(self, route: Route) -> None:
        self._head(route, length=len(route.body))
        self.wfile.write(route.body[: len(route.body) // 2])

    def _truncated_chunked(self, route: Route) -> None:
        self._chunked(route, end=len(route.body) // 2)

    def _redirect(self, route: Route) -> None:
        self.send_response(301)
        self.send_header("Location", "/" + quote(route.to))
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()


class HttpFiles:
    """Files served on loopback; ``base`` is ``http://127.0.0.1:PORT`` (no trailing slash)."""

    def __init__(self, server: _Server):
        self._server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def url(self, name: str) -> str:
        """The address of ``name`` (a path such as ``files/def-exp-2026-en.xlsx``)."""
        return f"{self.base}/{quote(name)}"

    def serve(
        self, name: str, content: bytes | Path = b"", *, mode: str = "ok", **options: object
    ) -> str:
        """Answer requests of ``name`` with ``content`` (bytes, or a file's bytes) as ``mode``
        says (:data:`MODES`); its address. ``options`` are :class:`Route`'s fields: ``times``
        (how many requests get ``mode``), ``status`` (error), ``delay``, ``pause`` and ``chunk``
        (slow, chunked), ``to`` (redirect), ``content_type``, ``filename`` (sent as
        Content-Disposition) and ``last_modified`` (an HTTP date)."""
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}: one of {', '.join(MODES)}")
        body = content.read_bytes() if isinstance(content, Path) else content
        with self._server.lock:
            self._server.routes[name] = Route(body, mode, **options)  # type: ignore[arg-type]
        return self.url(name)

    def requests(self, name: str) -> int:
        """How many requests asked for ``name`` so far."""
        with self._server.lock:
            return self._server.counts[name]

    def headers(self, name: str) -> Message:
        """The headers of the last request for ``name``."""
        with self._server.lock:
            return self._server.last_headers[name]


@contextlib.contextmanager
def serving() -> Iterator[HttpFiles]:
    """A loopback file server running in a background thread until the block ends; slow
    answers still waiting are cut short then."""
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield HttpFiles(server)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def http_files() -> Iterator[HttpFiles]:
    """A fresh loopback file server for one test."""
    with serving() as files:
        yield files
