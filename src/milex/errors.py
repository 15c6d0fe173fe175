"""Errors that milex raises on purpose: each carries a message fit to show a user as one line."""


class MilexError(Exception):
    """Base class: a problem the user can act on (bad input, bad data file, missing figure)."""

    exit_code = 1


class InputError(MilexError, ValueError):
    """The caller asked for something milex does not know or cannot do (exit code 2 in the CLI)."""

    exit_code = 2


class DataFileError(MilexError):
    """A data file failed validation: the message names the file, line and field."""
