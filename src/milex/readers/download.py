"""Downloading the official files of ``milex update``: a source's addresses tried in order,
passing failures retried with backoff (tenacity), a file written whole or not at all.

:func:`download` tries the candidate addresses of a source (``urls`` in ``data/updates.toml``)
in order. HTTP 404 or 410 (or another refusal, or an HTML page where a workbook was expected)
means the file is not at that address: the next one is tried, and when none gives it the error
lists every address and what it answered. A refused or dropped connection, a timeout, HTTP 429
or 5xx, and a body that breaks off (shorter than its Content-Length, or a chunked stream cut
short) are tried again with exponential backoff, ``attempts`` times in all; then
:class:`milex.errors.NetworkError` says what failed and that nothing was changed. Redirects are
followed: a renamed file that the publisher redirects to is taken, named after the final address
(or the name the server gives in Content-Disposition). The body is streamed to a hidden
temporary file (``.NAME.*.part``) in the target folder and renamed into place only once
complete: a failed or interrupted download never leaves a partial file under the final name.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from milex import __version__
from milex.errors import MilexError, NetworkError, first_line
from milex.readers.parsed import Progress

#: Sent with every request: publishers see which program asks.
USER_AGENT = f"milex/{__version__} (military expenditure toolkit; httpx/{httpx.__version__})"

#: Statuses besides 5xx that say "ask again later".
_BUSY = {408, 429}

#: The first bytes of a file of each suffix, where the suffix fixes them (an .xlsx workbook is
#: a zip archive). Not .xls: the IMF's "WEO...all.xls" files are tab-separated text.
_MAGIC = {".xlsx": b"PK\x03\x04"}

#: How an HTML page begins (after white space), in lower case.
_HTML = (b"<!doctype html", b"<html")

#: What a user can do when milex cannot download a file.
_YOURSELF = "download the file yourself and run milex update --file PATH"

#: What a connection error says (lower case) -> the reason shown.
_REASONS = {
    "refused": "connection refused",
    "name or service not known": "name not resolved: offline, or a DNS failure",
    "nodename nor servname": "name not resolved: offline, or a DNS failure",
    "name resolution": "name not resolved: offline, or a DNS failure",
    "network is unreachable": "network unreachable",
    "reset by peer": "connection reset",
}


@dataclass(frozen=True)
class Downloaded:
    """A file downloaded whole: where it is now, the address it came from (after redirects),
    its size in bytes, its SHA-256 (hex digits) and the server's Last-Modified time (an aware
    datetime, UTC) when the server gave one."""

    path: Path
    url: str
    size: int
    sha256: str
    last_modified: datetime | None


class _Again(Exception):
    """A failure worth another attempt after a pause."""


class _Busy(_Again):
    """The server answered HTTP 429 or 5xx."""

    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code} {response.reason_phrase}".strip())


class _Short(_Again):
    """The body broke off: ``received`` bytes of ``expected`` (0: the length was not told)."""

    def __init__(self, received: int, expected: int):
        of = f" of {expected:,}" if expected else ""
        super().__init__(f"received {received:,}{of} bytes")


class _Absent(Exception):
    """The file is not at this address (HTTP 404 or 410, another refusal, a web page);
    ``status`` the HTTP status when that was the answer."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.status = status


def download(
    urls: Sequence[str],
    folder: Path,
    *,
    progress: Progress | None = None,
    timeout: float = 30.0,
    attempts: int = 4,
    backoff: float = 1.0,
    expect: Sequence[str] = (),
) -> Downloaded:
    """Download the first of ``urls`` that gives the file into ``folder`` (created if need be).

    ``timeout`` is in seconds, for a connection and for each wait on data; a passing failure is
    tried ``attempts`` times in all, waiting ``backoff`` seconds, then twice, four times as long
    between attempts. ``expect`` lists the file suffixes the caller reads (``[".xlsx"]``): a
    file named without one of them gets the first, and an HTML page (or, for .xlsx alone, a
    file that is not a zip archive) does not count as the file. ``progress(bytes received,
    bytes announced or 0, "download NAME")`` is called as the body arrives.

    Raises :class:`~milex.errors.NetworkError` when a host cannot be reached or the download
    keeps failing, :class:`~milex.errors.MilexError` when no address has the file.
    """
    if not urls:
        raise MilexError(f"no address to download from: {_YOURSELF}")
    folder.mkdir(parents=True, exist_ok=True)
    answers: list[tuple[str, _Absent]] = []
    headers = {"User-Agent": USER_AGENT}
    with httpx.Client(
        timeout=timeout, follow_redirects=True, headers=headers, verify=_certificates()
    ) as client:
        for url in urls:
            retrying = Retrying(
                stop=stop_after_attempt(attempts),
                wait=wait_exponential(multiplier=backoff),
                retry=retry_if_exception_type(
                    (_Again, httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
                ),
                reraise=True,
            )
            try:
                return retrying(_fetch, client, url, folder, progress, tuple(expect))
            except _Absent as exc:
                answers.append((url, exc))
            except (_Again, httpx.TransportError) as exc:
                raise NetworkError(_failed(url, exc, attempts, timeout)) from exc
    raise MilexError(_nowhere(answers))


@functools.cache
def _certificates() -> ssl.SSLContext:
    """The TLS context of the downloads (certifi's or $SSL_CERT_FILE's authorities), made once:
    making it takes a tenth of a second."""
    return httpx.create_ssl_context()


def _fetch(
    client: httpx.Client,
    url: str,
    folder: Path,
    progress: Progress | None,
    expect: tuple[str, ...],
) -> Downloaded:
    """One attempt at ``url``."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 500 or response.status_code in _BUSY:
                raise _Busy(response)
            if response.status_code != 200:
                status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                raise _Absent(status, response.status_code)
            if "html" in response.headers.get("Content-Type", "") and not _wants_html(expect):
                raise _Absent(_not_expected("an HTML page", expect))
            return _save(response, folder / _file_name(response, expect), progress, expect)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
        raise _Absent(first_line(exc)) from exc


def _save(
    response: httpx.Response, target: Path, progress: Progress | None, expect: tuple[str, ...]
) -> Downloaded:
    """Stream the body to a temporary file beside ``target``, check it, rename it into place."""
    announced = response.headers.get("Content-Length", "")
    total = int(announced) if announced.isdigit() else 0
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress(response.num_bytes_downloaded, total, f"download {target.name}")
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise _Short(response.num_bytes_downloaded, total) from exc
            out.flush()
            os.fsync(out.fileno())
        _check_content(Path(temporary), expect)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return Downloaded(target, str(response.url), size, digest.hexdigest(), _modified(response))


def _file_name(response: httpx.Response, expect: tuple[str, ...]) -> str:
    """The name the server gives (Content-Disposition), else the last part of the final
    address; never a path; with the first expected suffix added when it has none of them."""
    disposition = Message()
    disposition["Content-Disposition"] = response.headers.get("Content-Disposition", "")
    given = disposition.get_filename() or unquote(response.url.path)
    name = PurePosixPath(given.replace("\\", "/")).name.strip()
    if name in {"", ".", ".."}:
        name = response.url.host or "download"
    if expect and PurePosixPath(name).suffix.lower() not in expect:
        name += expect[0]
    return name


def _check_content(path: Path, expect: tuple[str, ...]) -> None:
    """Refuse (as not the file) an HTML page, or a file without the signature every expected
    suffix requires."""
    if not expect:
        return
    with path.open("rb") as stream:
        head = stream.read(512)
    if head.lstrip().lower().startswith(_HTML) and not _wants_html(expect):
        raise _Absent(_not_expected("an HTML page", expect))
    signatures = {_MAGIC.get(suffix) for suffix in expect}
    if None not in signatures and not head.startswith(tuple(signatures)):
        raise _Absent(_not_expected("a file of another kind", expect))


def _wants_html(expect: tuple[str, ...]) -> bool:
    return not expect or bool({".html", ".htm"} & set(expect))


def _not_expected(what: str, expect: tuple[str, ...]) -> str:
    return f"{what}, not a {' or '.join(expect)} file"


def _modified(response: httpx.Response) -> datetime | None:
    """The Last-Modified header as an aware datetime; None when absent or unreadable."""
    try:
        return parsedate_to_datetime(response.headers["Last-Modified"])
    except (KeyError, TypeError, ValueError):
        return None


def _failed(url: str, exc: Exception, attempts: int, timeout: float) -> str:
    """The one-line message of a download that failed ``attempts`` times."""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    try:  # an httpx error knows the address it was at (after redirects)
        host = exc.request.url.host  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        host = urlsplit(url).hostname
    advice = "try again later"
    if isinstance(exc, _Short):
        what = f"the download of {url} broke off ({exc}) after {tries}"
    elif isinstance(exc, _Busy):
        what = f"{host} answered {exc} to {url} after {tries}"
    elif isinstance(exc, httpx.TimeoutException):
        what = f"cannot reach {host} (no answer within {timeout:g} s) after {tries}"
        advice = "check the connection or try again later"
    else:
        said = str(exc).lower()
        why = next((r for key, r in _REASONS.items() if key in said), first_line(exc))
        what = f"cannot reach {host} ({why}) after {tries}"
        advice = "check the connection"
    return f"{what}: nothing was changed; {advice}, or {_YOURSELF}"


def _nowhere(answers: list[tuple[str, _Absent]]) -> str:
    """The one-line message when no address gave the file: each address and its answer."""
    tried = "; ".join(f"{url} ({answer})" for url, answer in answers)
    count = f"{len(answers)} address{'es' if len(answers) != 1 else ''}"
    if all(answer.status in {404, 410} for _, answer in answers):
        return (
            f"the file is not at the {count} tried ({tried}): the publisher may have renamed "
            f"it; give its new address with milex update --url URL, or {_YOURSELF}"
        )
    return (
        f"none of the {count} tried gave the file ({tried}): give its address with "
        f"milex update --url URL, or {_YOURSELF}"
    )
