"""Where milex's data lives: the package's data folder, the user's milex home, and cached
readers of the small TOML and CSV tables that configure it (groups, guidelines, aliases ...).

This is the one place that opens files of the data folder: the store build reads through it,
and so do :mod:`milex.geo` and the analysis modules for their tables of facts.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tomllib
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from milex.errors import DataFileError

#: Bumped when the layout of the store's tables changes (part of the store's fingerprint).
#: 3: a ``checksums`` table (rows and SHA-256 per edition and table).
SCHEMA_VERSION = "3"


def data_dir() -> Path:
    """The folder of data shipped inside the package (``milex/data``)."""
    return Path(str(files("milex") / "data"))


@cache
def read_toml(name: str) -> dict[str, Any]:
    """Parse ``milex/data/<name>`` (a TOML file) once per process."""
    path = data_dir() / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"{name}: cannot be read ({exc})") from None


@cache
def read_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``milex/data/<name>`` (a small CSV table) as dicts of text, once per process."""
    with (data_dir() / name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def home() -> Path:
    """The user's milex folder: ``$MILEX_HOME`` or the platform's user data directory."""
    configured = os.environ.get("MILEX_HOME")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_data_dir("milex"))


def data_files(folder: Path) -> list[Path]:
    """The files of a data folder that go into a store, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in {".csv", ".toml"})


def embedded_editions(folder: Path) -> set[tuple[str, str]]:
    """The ``(source, vintage)`` editions a data folder holds figures of
    (``observations/<source>_<vintage>.csv``)."""
    return {
        tuple(path.stem.partition("_")[::2]) for path in (folder / "observations").glob("*.csv")
    }


def fingerprint(folder: Path, extra: str = "") -> str:
    """A hash of the names and bytes of a data folder's files, the store schema and ``extra``
    (a stamp of the user's own editions, see :func:`milex.store.userdata.stamp`)."""
    digest = hashlib.sha256(f"{SCHEMA_VERSION}|{extra}".encode())
    for path in data_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
