"""What a reader of an official file returns: one edition's figures, before the store sees them.

Every reader of ``milex update`` (named in ``data/updates.toml``) has a function
``read(paths: list[Path], progress: Progress | None = None) -> Parsed``. It reads the whole file
(or files) and either returns every figure or raises :class:`milex.errors.DataFileError` naming
the file, sheet, row and cell where the layout differs from what it knows. The store adds the
edition's metadata from the registry and writes it all in one transaction
(:mod:`milex.store.update`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

#: ``progress(done, total, what)``: ``done`` of ``total`` steps (sheets, pages) are read;
#: ``what`` names the step just finished.
Progress = Callable[[int, int, str], None]

#: Columns of :attr:`Parsed.observations`. ``value`` in the unit given (milex's unit words,
#: e.g. ``percent of GDP``, ``USD million current``); ``status`` actual, estimate, projection
#: or unknown; ``citation`` where in the file the figure was read (file, sheet or table).
COLUMNS = ["iso3", "year", "indicator", "value", "unit", "status", "citation"]


@dataclass
class Parsed:
    """One edition read from official files.

    ``source`` is the store's name of the dataset (nato, sipri, weo, wdi); ``vintage`` the
    edition as ``YYYY-MM`` when the file tells it (a workbook's date, a title), else None and
    the user must give it; ``layout`` names the layout recognised (e.g. ``nato-2025``);
    ``edition`` holds what the file says of itself (``title``, ``edition``, ``published`` as
    YYYY-MM-DD, ``complete``, ``coverage_note``), any of which may be absent.
    """

    source: str
    vintage: str | None
    layout: str
    observations: pd.DataFrame
    edition: dict[str, object] = field(default_factory=dict)
