"""Errors that milex raises on purpose: each carries a message fit to show a user as one line,
and :func:`shown`, the way a message echoes a value the user gave."""

from __future__ import annotations

import reprlib

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxdict = 6


def shown(value: object) -> str:
    """A value as a message echoes it: its repr, cut to about 60 characters (an argument of
    100 KB is shown by its start and end)."""
    return _SHORT.repr(value)


class MilexError(Exception):
    """Base class: a problem the user can act on (bad input, bad data file, missing figure)."""

    exit_code = 1


class InputError(MilexError, ValueError):
    """The caller asked for something milex does not know or cannot do (exit code 2 in the CLI)."""

    exit_code = 2


class DataFileError(MilexError):
    """A data file failed validation: the message names the file, line and field."""


class OutputError(MilexError):
    """An output file could not be written: the message names the file, never a temporary one
    (exit code 2 in the CLI)."""

    exit_code = 2


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none), for a
    one-line message that quotes a library's error."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
