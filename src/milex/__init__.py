"""milex: military expenditure against alliance commitments, with sources and vintages.

The public API lives in :mod:`milex.api` and is re-exported here::

    import milex
    milex.status(2024)                       # where each ally stands
    milex.series("Duitsland", "share_gdp")   # tidy DataFrame with source and vintage
"""

from milex.api import (
    countries,
    coverage,
    differences,
    export,
    gap,
    groups,
    guidelines,
    indicators,
    latest,
    members,
    notes,
    origins,
    path,
    pledges,
    profile,
    reasons,
    resolve,
    series,
    simulate,
    sipri_share,
    sources,
    status,
)
from milex.errors import DataFileError, InputError, MilexError

__version__ = "0.1.0"

__all__ = [
    "DataFileError",
    "InputError",
    "MilexError",
    "countries",
    "coverage",
    "differences",
    "export",
    "gap",
    "groups",
    "guidelines",
    "indicators",
    "latest",
    "members",
    "notes",
    "origins",
    "path",
    "pledges",
    "profile",
    "reasons",
    "resolve",
    "series",
    "simulate",
    "sipri_share",
    "sources",
    "status",
]
