"""How uncertain GDP growth and inflation are: the parameters of the Monte Carlo model."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib.resources import files

import numpy as np

from milex.errors import DataFileError, InputError


@dataclass(frozen=True)
class Uncertainty:
    """How uncertain the GDP path is.

    Attributes:
        growth_sd: percentage points; standard deviation of the error of a real GDP growth
            forecast (percent per year), the same for every projection year.
        inflation_sd: percentage points; standard deviation of the error of a GDP-deflator
            inflation forecast (percent per year).
        rho: year-to-year autocorrelation of the standardised shocks, in [0, 1).
        corr: correlation of the growth and inflation shocks in the same year, in (-1, 1).
        source: where the numbers come from (free text, shown to users).

    Raises:
        InputError: a value is not a finite number or outside its range.
    """

    growth_sd: float
    inflation_sd: float
    rho: float
    corr: float
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("growth_sd", "inflation_sd", "rho", "corr"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise InputError(
                    f"Uncertainty.{name} must be a number, got {value!r}; "
                    f"pass a float such as {name}=0.5."
                )
            if not math.isfinite(float(value)):
                raise InputError(
                    f"Uncertainty.{name} is {value!r}; it must be a finite number: "
                    "replace NaN/inf with a value (see milex/data/uncertainty.toml for defaults)."
                )
            object.__setattr__(self, name, float(value))
        for name in ("growth_sd", "inflation_sd"):
            if getattr(self, name) < 0:
                raise InputError(
                    f"Uncertainty.{name} is {getattr(self, name)} but a standard deviation "
                    "(percentage points) must be >= 0; use 0 for no uncertainty."
                )
        if not 0.0 <= self.rho < 1.0:
            raise InputError(
                f"Uncertainty.rho is {self.rho}; the year-to-year autocorrelation must be in "
                "[0, 1) (0 = independent years, e.g. 0.3); for a permanent shock use 0.99."
            )
        if not -1.0 < self.corr < 1.0:
            raise InputError(
                f"Uncertainty.corr is {self.corr}; the growth-inflation correlation must be "
                "strictly between -1 and 1, e.g. 0.25; use +-0.99 for near-perfect co-movement."
            )
        if not isinstance(self.source, str):
            raise InputError(f"Uncertainty.source must be text, got {self.source!r}.")


def load_uncertainty(name: str = "default") -> Uncertainty:
    """Read the named table of ``milex/data/uncertainty.toml`` (shipped with the package).

    ``growth_sd`` and ``inflation_sd`` are percentage points; ``rho`` and ``corr`` are
    correlations.  The file documents where each default comes from and which are judgement.

    Raises:
        InputError: no table of that name (the message lists the tables there are).
        DataFileError: the table lacks a field or has a bad value.
    """
    resource = files("milex") / "data" / "uncertainty.toml"
    try:
        tables = tomllib.loads(resource.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"milex/data/uncertainty.toml cannot be read: {exc}") from exc
    if name not in tables or not isinstance(tables[name], dict):
        known = ", ".join(sorted(k for k, v in tables.items() if isinstance(v, dict)))
        raise InputError(
            f"no uncertainty setting named {name!r}; known: {known}. "
            "Use load_uncertainty('default') or build Uncertainty(...) yourself."
        )
    table = tables[name]
    fields = ("growth_sd", "inflation_sd", "rho", "corr", "source")
    missing = [f for f in fields if f not in table]
    if missing:
        raise DataFileError(
            f"milex/data/uncertainty.toml [{name}] lacks {', '.join(missing)}; "
            f"each table needs {', '.join(fields)}."
        )
    try:
        return Uncertainty(**{f: table[f] for f in fields})
    except InputError as exc:
        raise DataFileError(f"milex/data/uncertainty.toml [{name}]: {exc}") from exc
