"""Locks around the store files: DuckDB's own file locks (another program holding a file for
writing) and milex's build lock (one process builds the store while the others wait for it).

A DuckDB lock conflict means *busy*, never *damaged*: milex waits for it (up to
``$MILEX_LOCK_TIMEOUT`` seconds, 10 by default) and then says which program holds the file.
A lock that cannot be taken at all (``No locks available`` on a network file system without
a lock service) is neither: it is reported at once as what it is (:class:`LockFailed`).
"""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from milex.errors import MilexError, first_line

#: Environment variable: seconds to wait for a file another program holds for writing.
LOCK_TIMEOUT_VAR = "MILEX_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0
#: Seconds a process waits for another milex process to finish building the store.
BUILD_TIMEOUT = 120.0
#: The build lock's file in the milex home.
BUILD_LOCK = ".build.lock"
_RETRY = 0.1  # seconds between two attempts to open a locked file
#: What DuckDB says when another process holds a file: POSIX, and Windows' sharing violation.
_BUSY_WORDS = ("Conflicting lock", "being used by another process")
_LOCK_FAILED = re.compile(r'Could not set lock on file "(?P<path>[^"]*)"(: (?P<reason>.+))?')
_HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}
_FULL = {errno.ENOSPC, errno.EDQUOT}
_KNOWN = [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES]


class StoreBusy(MilexError):
    """Another program holds a store file for writing (a lock, not damage)."""


class LockFailed(MilexError):
    """A file could not be locked at all (not busy, not damaged): file locks do not work
    there, as on a network file system without a lock service."""


def is_lock_error(exc: Exception) -> bool:
    """Whether a DuckDB error is a lock conflict (busy) rather than damage."""
    return any(words in str(exc) for words in _BUSY_WORDS)


def lock_failure(exc: Exception) -> str | None:
    """Why DuckDB could not lock a file, when that is what ``exc`` says and it is not a
    conflict with another process (else None)."""
    if is_lock_error(exc):
        return None
    found = _LOCK_FAILED.search(str(exc))
    if found is None:
        return None
    return (found["reason"] or "").strip() or "no reason given"


def lock_timeout() -> float:
    """Seconds to wait for a locked file: ``$MILEX_LOCK_TIMEOUT`` or 10."""
    text = os.environ.get(LOCK_TIMEOUT_VAR, "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise MilexError(f"{LOCK_TIMEOUT_VAR} must be a number of seconds, not {text!r}")
    return seconds


def holder(exc: Exception) -> str:
    """The program and PID DuckDB names as holding a lock ("another program" if it names none)."""
    found = _HOLDER.search(str(exc))
    if found is None:
        return "another program"
    return f"another program ({Path(found['program']).name}, PID {found['pid']})"


def connect(
    path: Path, read_only: bool = True, timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, waiting while another program holds it for writing.

    Raises :class:`StoreBusy` after ``timeout`` seconds (default :func:`lock_timeout`) of lock
    conflicts, :class:`LockFailed` at once when the file cannot be locked at all; any other
    DuckDB error (a damaged file) is raised as it is.
    """
    deadline = time.monotonic() + (lock_timeout() if timeout is None else timeout)
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            failed = lock_failure(exc)
            if failed is not None:
                raise LockFailed(
                    f"cannot lock {path}: {failed}; milex needs working file locks: set "
                    "MILEX_HOME to a folder on a local disk"
                ) from None
            if not is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"{path} is held for writing by {holder(exc)}: close that program and try "
                    f"again, or set {LOCK_TIMEOUT_VAR} to wait longer than "
                    f"{lock_timeout() if timeout is None else timeout:g} s"
                ) from None
            time.sleep(_RETRY)


def not_writable(home: Path, exc: OSError | duckdb.Error) -> MilexError:
    """The one-line error for a milex home milex cannot write in (a file-system error, or a
    DuckDB error while writing a build). Never names the build's temporary file."""
    if isinstance(exc, OSError):
        number, text = exc.errno, (exc.strerror or first_line(exc))
    else:
        text = first_line(exc)
        number = next((n for n in _KNOWN if os.strerror(n).lower() in text.lower()), None)
        if number is not None:
            text = os.strerror(number)
        elif (failed := lock_failure(exc)) is not None:
            text = f"cannot lock a file ({failed})"
        else:
            text = re.sub(r'"[^"]*"', "a file", text)  # DuckDB quotes the temporary file's path
    if number in _READ_ONLY:
        return MilexError(
            f"cannot write the data store in {home}: read-only; set MILEX_HOME to a writable folder"
        )
    advice = (
        "free some space or set MILEX_HOME to another folder"
        if number in _FULL
        else "set MILEX_HOME to a writable folder"
    )
    return MilexError(f"cannot write the data store in {home}: {text.lower()}; {advice}")


@contextmanager
def build_lock(home: Path, timeout: float = BUILD_TIMEOUT) -> Iterator[None]:
    """Hold the home's build lock: one process builds or repairs while the others wait."""
    from filelock import FileLock, Timeout

    lock = FileLock(home / BUILD_LOCK, timeout=timeout)
    try:
        home.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise MilexError(
            f"another milex process has been building the data store in {home} for over "
            f"{timeout:g} s: wait for it to finish and try again"
        ) from None
    except OSError as exc:
        raise not_writable(home, exc) from None
    try:
        yield
    finally:
        lock.release()


def build_lock_held(home: Path) -> bool | None:
    """Whether another process holds the build lock now (None when it cannot be told)."""
    from filelock import FileLock, Timeout

    path = home / BUILD_LOCK
    if not path.exists():
        return False
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return None
    lock.release()
    return False
