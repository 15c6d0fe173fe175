"""Writing a user's output file so that no write ever destroys anything.

* A regular file, or a new one, is written to a temporary file in the same folder and renamed
  over the target: the target is always absent, the old complete file or the new complete one.
  The temporary file is anonymous where Linux offers ``O_TMPFILE`` (a killed export leaves
  nothing) and gets a name only for the rename; elsewhere it is a named file created exclusively.
  Its name carries the host and process id, so a later export into the same folder removes the
  leftovers of exports whose process is gone (on POSIX systems only: Windows has no harmless way
  to ask whether a process runs, so leftovers stay there). An existing file keeps its mode (and
  owner, where permitted); a new file gets the mode ``open()`` gives (0o666 less the umask).
* On POSIX systems whose ``os`` offers descriptor-relative calls (Linux, macOS, the BSDs), the
  folder is opened once and everything happens relative to it, so a folder renamed meanwhile
  cannot misdirect the rename, and the rename is made durable with ``fsync`` of the folder.
  Elsewhere (Windows) the portable way: a named temporary file in the same folder, created
  exclusively, closed, given the old mode with ``os.chmod`` and moved with ``os.replace``.
* A symbolic link is followed: the file it points to is replaced, the link stays.
* A device, FIFO or socket is written through: opened, written and closed, never replaced.
* A folder is refused.

Every file-system error becomes an :class:`OutputError` naming the target, never the
temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from milex.errors import OutputError, shown

#: Where Linux shows a process's open files, by descriptor.
FD_DIR = Path("/proc/self/fd")
#: The tail of a temporary file's name: ``.milex-<pid>@<host>-<token>.part``.
LEFTOVER = re.compile(r"\.milex-(?P<pid>\d{1,9})@(?P<host>[\w.-]*)-[0-9a-f]{8}\.part$")
#: What to do about a file-system error, by errno.
HINTS = {
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.EACCES: "check the permissions or write elsewhere",
    errno.EPERM: "check the permissions or write elsewhere",
    errno.EROFS: "the file system is read-only: write elsewhere",
    errno.ENOENT: "give a file name in an existing folder",
    errno.ENOTDIR: "give a file name in an existing folder",
    errno.EISDIR: "give a file name, not a folder, e.g. milex.csv",
    errno.ENAMETOOLONG: "give a shorter file name",
}


def write(target: Path, writer: Callable[[BinaryIO], None]) -> Path:
    """Write ``target`` by calling ``writer`` with a binary file open for writing (a temporary
    file, or the target itself when it is a device or FIFO); see the module's docstring.
    Returns ``target``; raises :class:`OutputError` when the file system refuses."""
    try:
        try:
            found = os.stat(target)
        except FileNotFoundError:  # a new file, or a symbolic link to one
            found = None
        if found is not None and stat.S_ISDIR(found.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if found is not None and not stat.S_ISREG(found.st_mode):
            with open(target, "wb") as stream:  # a device or FIFO: written through
                writer(stream)
        else:
            _replace(Path(os.path.realpath(target)), writer, found)
    except OSError as exc:
        raise OutputError(_explain(target, exc)) from None
    return target


def _explain(target: Path, exc: OSError) -> str:
    """One line: the target, what went wrong and what to do (never the temporary name)."""
    reason = os.strerror(exc.errno) if exc.errno else exc.strerror or str(exc)
    if exc.errno == errno.EISDIR:
        reason = "it is a folder"
    elif exc.errno == errno.ENOENT and not os.path.isdir(target.parent):
        reason = f"no folder {_echo(target.parent)}"
    hint = HINTS.get(exc.errno, "check the path and the disk")
    return f"cannot write {_echo(target)}: {reason[:1].lower()}{reason[1:]}; {hint}"


def _echo(path: Path) -> str:
    """A path as a message shows it: whole, or cut short when it is very long."""
    return str(path) if len(str(path)) <= 80 else shown(str(path))[1:-1]


def _replace(real: Path, writer: Callable[[BinaryIO], None], old: os.stat_result | None) -> None:
    """Write a temporary file next to ``real``, give it ``old``'s mode, rename it over ``real``."""
    _sweep(real.parent)
    if _descriptor_relative():
        _replace_at(real, writer, old)
    else:
        _replace_portably(real, writer, old)


def _descriptor_relative() -> bool:
    """Whether this system offers what :func:`_replace_at` uses: a POSIX ``os`` with folder
    descriptors, ``open``/``rename`` (``os.replace`` is ``renameat`` too)/``unlink`` relative to
    them, and ``fchmod``/``geteuid``."""
    return (
        os.name == "posix"
        and hasattr(os, "O_DIRECTORY")
        and all(hasattr(os, name) for name in ("fchmod", "fchown", "geteuid", "getegid"))
        and {os.open, os.rename, os.unlink} <= os.supports_dir_fd
    )


def _replace_at(real: Path, writer: Callable[[BinaryIO], None], old: os.stat_result | None) -> None:
    """:func:`_replace` relative to a descriptor of the folder (POSIX)."""
    folder = os.open(real.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fd, named = _open_temporary(folder, real.name)
        try:
            with open(fd, "wb", closefd=False) as stream:
                writer(stream)
            if old is not None:
                _keep_mode(fd, old)
            os.fsync(fd)
            if named is None:  # linkat through /proc (os.link uses it given a folder descriptor)
                named = _temporary_name(real.name)
                os.link(FD_DIR / str(fd), named, dst_dir_fd=folder)
            os.replace(named, real.name, src_dir_fd=folder, dst_dir_fd=folder)
            os.fsync(folder)
        finally:
            os.close(fd)
            if named is not None:
                with contextlib.suppress(FileNotFoundError):  # renamed into place
                    os.unlink(named, dir_fd=folder)
    finally:
        os.close(folder)


def _replace_portably(
    real: Path, writer: Callable[[BinaryIO], None], old: os.stat_result | None
) -> None:
    """:func:`_replace` with plain path calls (Windows, or a POSIX ``os`` without
    descriptor-relative calls): a named temporary file created exclusively, closed before it
    is given the old mode and moved over ``real`` (Windows cannot move an open file)."""
    named = real.parent / _temporary_name(real.name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _flag("O_BINARY") | _flag("O_NOINHERIT")
    fd = os.open(named, flags | _flag("O_CLOEXEC"), 0o666)
    try:
        with open(fd, "wb") as stream:  # closes fd
            writer(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if old is not None:
            _keep_mode_by_name(named, old)
        os.replace(named, real)
    finally:
        with contextlib.suppress(OSError):  # renamed into place (or not ours to remove)
            os.unlink(named)


def _flag(name: str) -> int:
    """An ``os.O_*`` flag, or 0 where this system has none."""
    return getattr(os, name, 0)


def _open_temporary(folder: int, name: str) -> tuple[int, str | None]:
    """A new empty file in ``folder``, open for writing, with the mode ``open()`` would give:
    anonymous (name ``None``) where ``O_TMPFILE`` works, else named and created exclusively."""
    if hasattr(os, "O_TMPFILE") and os.link in os.supports_dir_fd and FD_DIR.is_dir():
        try:
            flags = os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC
            return os.open(".", flags, 0o666, dir_fd=folder), None
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
    named = _temporary_name(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    return os.open(named, flags, 0o666, dir_fd=folder), named


def _temporary_name(name: str) -> str:
    """A hidden name that cannot collide and says whose it is: ``.milex.csv.milex-<pid>@<host>-
    <random>.part``."""
    return f".{name[:100]}.milex-{os.getpid()}@{_host()}-{secrets.token_hex(4)}.part"


def _host() -> str:
    return re.sub(r"[^\w.-]", "", socket.gethostname())[:40]


def _keep_mode(fd: int, old: os.stat_result) -> None:
    """The replaced file's owner (where permitted) and permission bits."""
    if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.fchown(fd, old.st_uid, old.st_gid)
    os.fchmod(fd, stat.S_IMODE(old.st_mode))


def _keep_mode_by_name(path: Path, old: os.stat_result) -> None:
    """:func:`_keep_mode` by name: the owner where there are owners and it is permitted (POSIX),
    and the permission bits (on Windows only the read-only flag follows them)."""
    posix = hasattr(os, "chown") and hasattr(os, "geteuid")
    if posix and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.chown(path, old.st_uid, old.st_gid)
    os.chmod(path, stat.S_IMODE(old.st_mode))


def _sweep(folder: Path) -> None:
    """Remove the temporary files of this host's exports into ``folder`` whose process is gone."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # the write itself will say what is wrong with the folder
    host = _host()
    for entry in entries:
        found = LEFTOVER.search(entry.name)
        if found and found["host"] == host and _gone(int(found["pid"])):
            with contextlib.suppress(OSError):  # removed meanwhile, or not ours to remove
                os.unlink(entry.path)


def _gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this host; never on Windows, where ``os.kill(pid, 0)``
    would terminate the process rather than ask about it: leftovers there are left alone."""
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process
        return False
    return False
