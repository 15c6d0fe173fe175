"""Charts of milex results: one plotly figure per kind of result, for notebooks
(``Result.plot()``), the web pages, the static site and the reports.

This package sits below :mod:`milex.result` (layer 2): it draws any object with a Result's
attributes (``kind``, ``frame``, ``units``, ``sources``, ``query``, ``extra``, ``notes``). Every
figure's title names what it shows and the source and edition(s) behind it, and a source line
under the plot cites them. A missing value is drawn as a gap (None), never as zero; an estimate is
hatched (bars) or an open marker (points), each with a legend entry. Colours (Okabe-Ito) and marks
are data (``data/charts.toml``), words are per language (``data/charts/<lang>.toml``), numbers
follow the language's locale (babel): ``3,5`` in Dutch. plotly is imported when a figure is
drawn, not when milex or this package is imported.

Modules: ``base`` (style, words, numbers, titles, layout, lines) · ``ranked`` (bars per country:
status, gap, pledges, answer) · ``years`` (over time: show, path, simulate, munitions) · ``sides``
(two sides: compare, race, munitions_ratio).
"""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from milex.charts import ranked, sides, years
from milex.charts.base import LANGS, Drawable, Spec, shaded, style, words
from milex.errors import InputError, shown

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["DRAWERS", "LANGS", "MEDIA", "figure", "figure_json", "spec"]

#: What a chart is drawn for (see :func:`spec`).
MEDIA = ("screen", "print")

#: The kinds of result that draw, and how (kind -> function of result, lang and options).
#: ``show`` is the kind of ``milex.report``.
DRAWERS: dict[str, Callable[..., Spec]] = {
    "status": ranked.status,
    "gap": ranked.gap,
    "pledges": ranked.pledges,
    "answer": ranked.answer,
    "show": years.show,
    "path": years.path,
    "simulate": years.simulate,
    "munitions": years.munitions,
    "compare": sides.compare,
    "race": sides.compare,
    "munitions_ratio": sides.munitions_ratio,
}


def spec(
    result: Drawable,
    lang: str = "en",
    *,
    medium: str = "screen",
    names: Mapping[str, str] | None = None,
    **options: Any,
) -> Spec:
    """The chart of a result as plain data (``{"data": [...], "layout": {...}}``, plotly's JSON
    schema; missing values None), its words and numbers in ``lang`` (en, nl, de, fr).
    ``medium``: ``screen`` (estimates hatched) or ``print`` (estimates a lighter shade: a PDF
    printer turns every hatched bar into an image, megabytes a chart). ``names``: the names
    to show by code (``{"DEU": "Duitsland"}``; default: the result's own, in English).
    ``options`` go to the kind's chart (gap: ``value="gap_usd_current"``).

    Raises InputError for a kind that has no chart (the message names the kinds that draw), an
    option the kind's chart does not take, or a language charts are not drawn in."""
    said = words(lang)
    draw = DRAWERS.get(result.kind)
    if draw is None:
        raise InputError(
            said["errors"]["undrawable"].format(kind=result.kind, kinds=", ".join(DRAWERS))
        )
    takes = list(inspect.signature(draw).parameters)[2:]
    if set(options) - set(takes):
        raise InputError(
            f"options: got {shown(sorted(options))}; a {result.kind} chart takes "
            f"{', '.join(takes) or 'none'}"
        )
    if medium not in MEDIA:
        raise InputError(f"medium: got {shown(medium)}; a chart is drawn for screen or print")
    drawn = draw(renamed(result, names) if names else result, lang, **options)
    return shaded(drawn) if medium == "print" else drawn


def renamed(result: Drawable, names: Mapping[str, str]) -> Drawable:
    """A shallow copy of ``result`` showing ``names`` (by code) where it has a name: the
    frame's ``name``/``country`` by ``iso3``, the munitions ``actor``, the country of the
    query (``extra["name"]``) and each side of a comparison; codes without one keep theirs."""
    frame, extra = result.frame, dict(result.extra)
    columns = {}
    if "iso3" in frame:
        for column in ("name", "country"):
            if column in frame:
                columns[column] = frame["iso3"].map(names).fillna(frame[column])
    if "actor" in frame:
        columns["actor"] = frame["actor"].map(names).fillna(frame["actor"])
    if result.query.get("country") in names:
        extra["name"] = names[result.query["country"]]
    if "sides" in extra:
        extra["sides"] = [
            {**side, "name": names.get(side.get("code"), side.get("name"))}
            for side in extra["sides"]
        ]
    copied = copy.copy(result)
    copied.frame, copied.extra = frame.assign(**columns) if columns else frame, extra
    return copied


def figure(result: Drawable, lang: str = "en", **options: Any) -> go.Figure:
    """The chart of a result as a plotly figure (validated by plotly; see :func:`spec` for the
    arguments and refusals), for notebooks and ``Figure.to_html`` / ``to_image``."""
    import plotly.graph_objects as go

    drawn = spec(result, lang, **options)
    # No plotly.py template (plotly's default would restyle the chart and costs ~40 ms).
    drawn["layout"]["template"] = style()["layout"]["template"]
    return go.Figure(drawn)


def figure_json(result: Drawable, lang: str = "en", **options: Any) -> Spec:
    """The chart as strict JSON data, ready for ``Plotly.newPlot(element, data, layout)``
    (missing values null), built without plotly.py's validation (a few ms; the same data
    :func:`figure` validates)."""
    return json.loads(json.dumps(spec(result, lang, **options), allow_nan=False))
