"""milex: military expenditure against alliance commitments, with sources and vintages.

The public API lives in :mod:`milex.api` and is re-exported here::

    import milex
    milex.status(2024)                       # where each ally stands (a Result)
    milex.series("Duitsland", "share_gdp")   # tidy DataFrame with source and vintage

The API is imported on first use of one of its names, so that importing a lower layer
(``milex.montecarlo`` in a process or Dask worker, ``milex.cli`` for ``--help``) does not pay
for pandas and DuckDB.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from milex.errors import DataFileError, InputError, MilexError

__version__ = "0.2.0"

#: Names re-exported from :mod:`milex.api` (imported lazily, see the module docstring).
API = (
    "ask",
    "backtest",
    "check",
    "compare",
    "countries",
    "coverage",
    "diff",
    "differences",
    "doctor",
    "export",
    "gap",
    "groups",
    "guidelines",
    "indicators",
    "latest",
    "members",
    "munitions",
    "munitions_ratio",
    "notes",
    "origins",
    "path",
    "pledges",
    "profile",
    "race",
    "reasons",
    "report",
    "resolve",
    "sensitivity",
    "series",
    "simulate",
    "sipri_share",
    "sources",
    "status",
    "update",
    "vintages",
)

__all__ = ["DataFileError", "InputError", "MilexError", "Result", "__version__", *API]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from milex.api import *  # noqa: F403
    from milex.result import Result


def __getattr__(name: str) -> Any:
    if name in API:
        return getattr(importlib.import_module("milex.api"), name)
    if name == "Result":
        return importlib.import_module("milex.result").Result
    raise AttributeError(f"module 'milex' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
