"""Errors that milex raises on purpose: each carries a message fit to show a user as one line,
and :func:`shown`, the way a message echoes a value the user gave."""

from __future__ import annotations

import re
import reprlib

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxdict = 6


#: A repr that says nothing but the type and where the object is in memory.
_ADDRESS_REPR = re.compile(r"<.* at 0x[0-9A-Fa-f]+>", re.DOTALL)
_ADDRESS = re.compile(r" at 0x[0-9A-Fa-f]+>")


def shown(value: object) -> str:
    """A value as a message echoes it, on one line: its repr cut to about 60 characters (an
    argument of 100 KB is shown by its start and end), numpy numbers as plain numbers
    (``2020.0``, not ``np.float64(2020.0)``, also in a short list or tuple), and an object
    whose repr is only its address by its type ("an object of type object")."""
    if isinstance(value, list | tuple) and len(value) <= 10:
        value = type(value)(_number(v) for v in value)
    text = _SHORT.repr(_number(value))  # a repr that fails shows as its type and address
    if _ADDRESS_REPR.fullmatch(text):
        return f"an object of type {type(value).__name__}"
    return _ADDRESS.sub(">", " ".join(text.splitlines()))


def _number(value: object) -> object:
    """A numpy number as the Python number it holds; anything else as it is."""
    if type(value).__module__ == "numpy" and callable(getattr(value, "item", None)):
        try:
            return value.item()  # type: ignore[attr-defined]
        except (TypeError, ValueError):  # an array of several values
            return value
    return value


class MilexError(Exception):
    """Base class: a problem the user can act on (bad input, bad data file, missing figure)."""

    exit_code = 1


class InputError(MilexError, ValueError):
    """The caller asked for something milex does not know or cannot do (exit code 2 in the CLI)."""

    exit_code = 2


class DataFileError(MilexError):
    """A data file failed validation: the message names the file, line and field."""


class NetworkError(MilexError):
    """A remote host could not be reached or did not deliver a whole file (offline, a DNS
    failure, a refused connection, a timeout or a broken download after the retries). The
    message says that nothing was changed and what to do (exit code 1 in the CLI)."""

    exit_code = 1


class OutputError(MilexError):
    """An output file could not be written: the message names the file, never a temporary one
    (exit code 2 in the CLI)."""

    exit_code = 2


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none), for a
    one-line message that quotes a library's error."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
