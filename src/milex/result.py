"""The typed result every analysis and API function returns, and its JSON envelope.

A :class:`Result` holds a frame (tidy, or a documented wide view), the unit of each column,
the citations of the figures in it, the notes and caveats that apply, the query as run (after
defaults) and a few named extras (``missing``, ``held``, ``probability`` ...). Front ends render
it: the CLI as a table, the web layer as JSON (:meth:`Result.to_json`, documented in
docs/json.md), a notebook as an HTML table with its sources (:meth:`Result._repr_html_`).
No metadata travels in ``DataFrame.attrs``.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Version of the JSON envelope (``milex.<kind>.v1``); bumped when a key is renamed or removed.
JSON_VERSION = 1
#: The columns of a citation (see :meth:`milex.store.query.Store.origins`).
CITATION_COLUMNS = ["id", "source", "vintage", "title", "published", "url", "licence", "cite"]


def plain(value: Any) -> Any:
    """A JSON-ready copy of ``value``: NaN, NA and NaT become None, numpy scalars and arrays
    plain Python, dataclasses and frames dicts and lists of records."""
    if isinstance(value, pd.DataFrame):
        return json.loads(value.to_json(orient="records", force_ascii=False, date_format="iso"))
    if isinstance(value, pd.Series):
        return plain(value.tolist())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT or value is None:
        return None
    return value


@dataclass
class Result:
    """What a milex question returns: figures with their units, sources and caveats.

    Attributes:
        kind: what was asked (``status``, ``gap``, ``path``, ``pledges``, ``simulate`` ...),
            which names the JSON schema ``milex.<kind>.v1``.
        frame: the figures, tidy or a wide view documented by the function that made it.
        units: unit of each figure column (``"percent of GDP"``, ``"USD million current"``).
        sources: one row per origin of the figures (``id`` = the rows' ``source_id``,
            ``source``, ``vintage``, ``title``, ``published``, ``url``, ``licence``, ``cite``,
            ``citation``).
        query: the parameters as run, after defaults (``year`` filled in, ``vintage`` ...).
        notes: why figures are missing, in words.
        caveats: what to keep in mind reading the figures.
        extra: named details of this kind of result (``missing``: code -> reason; ``held``;
            ``probability`` ...), each documented by the function and in docs/json.md.
    """

    kind: str
    frame: pd.DataFrame
    units: dict[str, str] = field(default_factory=dict)
    sources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CITATION_COLUMNS))
    query: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    # ----------------------------------------------------------------- the frame, in one step

    @property
    def df(self) -> pd.DataFrame:
        """The figures as a pandas DataFrame (the result's own frame)."""
        return self.frame

    def to_frame(self) -> pd.DataFrame:
        """A copy of the figures, to change freely."""
        return self.frame.copy()

    def __getitem__(self, key: Any) -> Any:
        return self.frame[key]

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def empty(self) -> bool:
        return self.frame.empty

    # ----------------------------------------------------------------- serialising

    @property
    def schema(self) -> str:
        return f"milex.{self.kind}.v{JSON_VERSION}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON envelope as plain Python: ``schema, query, units, notes, caveats``, the
        extras, ``rows`` (the frame's records, missing values as None) and ``sources``."""
        return {
            "schema": self.schema,
            "query": plain(self.query),
            "units": dict(self.units),
            "notes": list(self.notes),
            "caveats": list(self.caveats),
            **{key: plain(value) for key, value in self.extra.items()},
            "rows": plain(self.frame),
            "sources": plain(self.sources),
        }

    def to_json(self, indent: int | None = 1) -> str:
        """The JSON envelope documented in docs/json.md (strict JSON: never NaN)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)

    # ----------------------------------------------------------------- display

    def plot(self, lang: str = "en", **options: Any) -> go.Figure:
        """The result drawn as a plotly figure (``plotly.graph_objects.Figure``), titled with
        what it shows and the source and edition behind it, its words and numbers in ``lang``
        (en, nl, de, fr); ``options`` go to the kind's chart (see :func:`milex.charts.figure`).
        Raises InputError for a kind that has no chart."""
        from milex.charts import figure

        return figure(self, lang, **options)

    def citations(self) -> list[str]:
        """How to cite each edition behind the figures, once each."""
        if self.sources.empty:
            return []
        return list(dict.fromkeys(self.sources["cite"].dropna()))

    def _repr_html_(self) -> str:
        """A notebook shows the table, its units, notes, caveats and sources."""
        parts = [f"<p><b>milex {html.escape(self.kind)}</b></p>", self.frame.to_html(index=False)]
        if self.units:
            units = "; ".join(f"{k}: {v}" for k, v in self.units.items())
            parts.append(f"<p><small>Units: {html.escape(units)}</small></p>")
        for label, texts in (("Note", self.notes), ("Caveat", self.caveats)):
            parts += [f"<p><small>{label}: {html.escape(t)}</small></p>" for t in texts]
        parts += [f"<p><small>Source: {html.escape(c)}</small></p>" for c in self.citations()]
        return "\n".join(parts)

    def __repr__(self) -> str:
        lines = [f"milex {self.kind}: {len(self.frame)} rows", repr(self.frame)]
        lines += [f"Note: {t}" for t in self.notes] + [f"Caveat: {t}" for t in self.caveats]
        lines += [f"Source: {c}" for c in self.citations()]
        return "\n".join(lines)
