"""Readers of official and reference files. Each returns frames in milex's tidy shape.

Readers are found through registries declared as data: every edition in ``editions.toml``
names its ``reader`` (a module of this package with a ``read_observations`` function) and the
``match`` that tells its rows apart (:func:`edition_rules`); :func:`reader` returns that module.
Every source ``milex update`` refreshes names in ``updates.toml`` the reader of its official
files (a module with a ``read`` function returning a :class:`~milex.readers.parsed.Parsed`
edition: :mod:`.nato`, :mod:`.sipri`, :mod:`.weo`, :mod:`.worldbank`); :func:`reader` returns
that module too, asked with ``function="read"``. :mod:`.xlsx` reads workbooks (calamine) and
:mod:`.download` fetches files (httpx, retried by tenacity).
Modules here depend on nothing in milex but :mod:`milex.errors` and :mod:`milex.catalog`; the
store and ``tools/embed_reference.py`` call them. (The package is ``readers``, not ``sources``:
``milex.sources()`` is an API function, and a subpackage of that name would shadow it.)
"""

from __future__ import annotations

import importlib
from types import ModuleType

from milex.catalog import read_toml
from milex.errors import DataFileError
from milex.readers.reference import EditionRules, read_table

__all__ = ["EditionRules", "edition_rules", "read_table", "reader"]


def edition_rules(name: str | None = None) -> EditionRules:
    """``(match, source, vintage)`` of every edition in ``editions.toml`` (those read by the
    reader ``name`` when given), newest edition first within a source."""
    rules = []
    for source, editions in read_toml("editions.toml").items():
        for vintage, meta in sorted(editions.items(), reverse=True):
            if "match" not in meta or "reader" not in meta:
                raise DataFileError(
                    f'editions.toml: [{source}."{vintage}"] needs a reader and a match'
                )
            if name is None or meta["reader"] == name:
                rules.append((meta["match"], source, vintage))
    return rules


def reader(
    name: str, function: str = "read_observations", registry: str = "editions.toml"
) -> ModuleType:
    """The reader module a registry names (``reference`` -> milex.readers.reference), which
    must have ``function``: ``read_observations`` for ``editions.toml``, ``read`` for
    ``updates.toml``."""
    if not name.isidentifier():
        raise DataFileError(f"{registry}: reader {name!r} is not a module name")
    try:
        module = importlib.import_module(f"milex.readers.{name}")
    except ModuleNotFoundError:
        raise DataFileError(f"{registry}: no reader {name!r} in milex.readers") from None
    if not hasattr(module, function):
        raise DataFileError(f"{registry}: milex.readers.{name} has no {function}")
    return module
