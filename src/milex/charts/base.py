"""The parts every milex chart shares: the style and words (data files), numbers in the
language's locale, titles naming the sources and editions, the source line, the common layout,
guideline and target lines, the marks of an estimate."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from milex.catalog import read_toml
from milex.errors import InputError, shown
from milex.vocab import decimal

if TYPE_CHECKING:
    import pandas as pd

#: The languages charts are drawn in (``data/charts/<lang>.toml``).
LANGS = ("en", "nl", "de", "fr")

#: A figure, a trace or a layout as plain data (plotly's JSON schema): what Plotly.newPlot takes
#: and ``plotly.graph_objects.Figure`` validates.
Spec = dict[str, Any]


class Drawable(Protocol):
    """What a chart needs of a result (a :class:`milex.result.Result` has all of it)."""

    kind: str
    frame: pd.DataFrame
    units: dict[str, str]
    sources: pd.DataFrame
    query: dict[str, Any]
    extra: dict[str, Any]
    notes: list[str]


# ------------------------------------------------------------------------------- style and words


def style() -> dict[str, Any]:
    """The parsed ``data/charts.toml``: palette, roles, guideline lines, marks, layout."""
    return read_toml("charts.toml")


def colour(role: str) -> str:
    """The hex code of a role's colour (``country`` -> ``#0072B2``) or of a palette name."""
    palette = style()["palette"]
    return palette.get(style()["roles"].get(role, role), palette["black"])


def series_colours() -> list[str]:
    """The palette in the order lines of one kind take it (editions, actors, sides)."""
    return [colour(name) for name in style()["roles"]["series"]]


def words(lang: str) -> dict[str, Any]:
    """The chart words of a language (``data/charts/<lang>.toml``)."""
    if lang not in LANGS:
        raise InputError(f"lang: got {shown(lang)}; charts are drawn in {', '.join(LANGS)}")
    return read_toml(f"charts/{lang}.toml")


def number(value: float, lang: str, digits: int = 2) -> str:
    """A number written for the language, at most ``digits`` decimals (``3,5`` in nl)."""
    return decimal(value, words(lang)["locale"], digits)


def percent(value: float, lang: str, digits: int = 2) -> str:
    """A share of GDP in percent written for the language (``3,5 %`` in de)."""
    return number(value, lang, digits) + words(lang)["percent"]


def share_axis(lang: str, **more: Any) -> dict[str, Any]:
    """An axis of shares of GDP: its title and the percent sign of the language on its ticks."""
    said = words(lang)
    return {"title": {"text": said["axes"]["share"]}, "ticksuffix": said["percent"], **more}


@cache
def separators(lang: str) -> str:
    """plotly's ``layout.separators`` for the language: decimal then group symbol (``,.``)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    locale = words(lang)["locale"]
    return get_decimal_symbol(locale) + get_group_symbol(locale)


def values(column: Iterable[Any]) -> list[float | None]:
    """Plain floats of a column, a missing value as None (a gap in the chart, never zero)."""
    out: list[float | None] = []
    for value in column:
        try:
            number_ = float(value)
        except (TypeError, ValueError):
            number_ = math.nan
        out.append(number_ if math.isfinite(number_) else None)
    return out


# ------------------------------------------------------------------------------- titles, sources


def editions(result: Drawable, lang: str) -> str:
    """The sources and editions behind a result's figures, in words (``NATO, edition 2026-07;
    IMF World Economic Outlook, edition 2026-04``): its citations plus the WEO edition a
    projection or a PPP conversion used."""
    named = words(lang)["sources"]
    found: dict[str, list[str]] = {}
    pairs = []
    if not result.sources.empty:
        pairs = list(zip(result.sources["source"], result.sources["vintage"], strict=True))
    weo = result.query.get("weo_vintage")
    pairs += [("weo", weo)] if weo else []
    for side in result.extra.get("sides", []):
        source, _, vintage = str(side.get("ppp_source") or "").partition(" ")
        pairs += [(source, vintage)] if vintage else []
    for source, vintage in pairs:
        kept = found.setdefault(str(source), [])
        if str(vintage) not in kept:
            kept.append(str(vintage))
    templates = words(lang)["editions"]
    counts = result.sources["source"].value_counts() if not result.sources.empty else {}
    parts = []
    for source, vintages in found.items():
        plural = "one" if len(vintages) == 1 else "many"
        parts.append(
            templates.get(source, templates[plural]).format(
                source=named.get(source, source),
                vintages=", ".join(sorted(vintages)),
                count=int(counts.get(source, 0)),
            )
        )
    return "; ".join(parts)


def title(result: Drawable, lang: str, **fields: Any) -> dict[str, Any]:
    """A figure's title (plotly's ``layout.title``): what it shows (``text``, from
    ``titles.<kind>``) and the sources and editions behind it (``subtitle.text``)."""
    what = words(lang)["titles"][result.kind].format(**fields)
    return {"text": what, "subtitle": {"text": editions(result, lang)}}


def source_line(result: Drawable, lang: str) -> str:
    """The citations of a result's figures, for the line under a chart (the first few, then how
    many more; "" when the result cites nothing)."""
    said = words(lang)["sources"]
    cites = []
    if not result.sources.empty:
        cites = list(dict.fromkeys(result.sources["cite"].dropna().astype(str)))
    marks = style()["marks"]
    shown_ = cites[: marks["citations"]]
    if len(cites) > len(shown_):
        shown_.append(said["more"].format(count=len(cites) - len(shown_)))
    lines = [line for cite in shown_ for line in textwrap.wrap(cite, marks["line_width"])]
    return said["line"].format(cites="<br>".join(lines)) if lines else ""


def base_layout(
    result: Drawable, lang: str, heading: dict[str, Any], **more: Any
) -> dict[str, Any]:
    """The layout every chart shares: the title (``heading``, see :func:`title`), locale
    separators, palette, the source line; ``more`` sets other parts (axes get the house look)."""
    look = style()["layout"]
    line = source_line(result, lang)
    lines = line.count("<br>") + 1
    layout = {
        "title": {
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 10, "l": 10},
            "font": {"size": 15},
            **heading,
        },
        "separators": separators(lang),
        "paper_bgcolor": look["background"],
        "plot_bgcolor": look["background"],
        "font": {"family": look["font"]},
        "colorway": series_colours(),
        "height": look["height"],
        "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
        "margin": {"t": 100, "b": 90 + 16 * lines, "l": 60, "r": 20},
        "annotations": [
            {
                "text": line,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -70,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",
                "font": {"size": 10},
            }
        ],
        "shapes": [],
    }
    for key, value in more.items():
        layout[key] = axis(**value) if key.startswith(("xaxis", "yaxis")) else value
    return layout


def axis(**settings: Any) -> dict[str, Any]:
    """An axis with the house look (``layout`` of data/charts.toml) and ``settings``."""
    look = style()["layout"]
    return {
        "showline": True,
        "linecolor": look["line"],
        "ticks": "outside",
        "gridcolor": look["grid"],
        "zerolinecolor": look["line"],
        "automargin": True,
        **settings,
    }


def level(
    layout: dict[str, Any], value: float, label: str, tint: str, dash: str, across: bool = True
) -> None:
    """Add a line at ``value`` (a guideline or target), labelled: across the plot (a level of
    the y axis) or, ``across=False``, up the plot (a level of the x axis, for horizontal bars)."""
    along = {"x0": 0, "x1": 1} if across else {"y0": 0, "y1": 1}
    at = {"y0": value, "y1": value} if across else {"x0": value, "x1": value}
    refs = {"xref": "paper", "yref": "y"} if across else {"xref": "x", "yref": "paper"}
    layout["shapes"].append(
        {"type": "line", **refs, **along, **at, "line": {"color": tint, "dash": dash, "width": 1.5}}
    )
    place = (
        {"x": 1, "y": value, "xanchor": "right", "yanchor": "bottom"}
        if across
        else {"x": value, "y": 0, "xanchor": "left", "yanchor": "bottom", "textangle": -90}
    )
    layout["annotations"].append(
        {"text": label, **refs, **place, "showarrow": False, "font": {"size": 11, "color": tint}}
    )


def guideline_values() -> list[float]:
    """The thresholds of the guidelines measured on share of GDP (percent: 2, 3.5, 5)."""
    return [r["threshold"] for r in read_toml("guidelines.toml").values() if _on_share(r)]


def _on_share(rule: dict[str, Any]) -> bool:
    return rule["indicator"] == "share_gdp"


def guidelines(layout: dict[str, Any], lang: str, across: bool = True) -> None:
    """Draw the guidelines measured on share of GDP (``data/guidelines.toml``: 2%, 3.5%, 5%)."""
    said = words(lang)["guidelines"]
    lines = style()["guidelines"]
    for key, rule in read_toml("guidelines.toml").items():
        if not _on_share(rule):
            continue
        look = lines.get(key, {"colour": "black", "dash": "dot"})
        label = said["guideline"].format(
            value=number(rule["threshold"], lang),
            percent=words(lang)["percent"],
            name=said.get(key, rule["label"]),
        )
        tint = colour(look["colour"])
        level(layout, rule["threshold"], label, tint, look["dash"], across)


def target_line(layout: dict[str, Any], target: float, lang: str) -> None:
    """Draw a target share of GDP as a line across the plot."""
    label = f"{words(lang)['legend']['target']}: {percent(target, lang)}"
    level(layout, target, label, colour("target"), "dash")


# ------------------------------------------------------------------------------- estimates


def symbols(statuses: Iterable[Any]) -> list[str]:
    """Marker symbols per point: open where the status or basis text holds a word of
    ``marks.open_for`` (an estimate, an extrapolation)."""
    marks = style()["marks"]
    opened = set(marks["open_for"])
    return [
        marks["estimate_symbol"] if opened & set(str(s).split()) else marks["actual_symbol"]
        for s in statuses
    ]


def estimate_key(lang: str) -> Spec:
    """A legend entry saying what an open marker means (the trace draws nothing)."""
    return dict(
        type="scatter",
        x=[None],
        y=[None],
        mode="markers",
        name=words(lang)["legend"]["estimate_mark"],
        marker={"symbol": style()["marks"]["estimate_symbol"], "color": colour("black")},
    )


def rgba(hex_code: str, alpha: float) -> str:
    """A palette colour made see-through (``#56B4E9``, 0.3 -> ``rgba(86,180,233,0.3)``)."""
    red, green, blue = (int(hex_code[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def band(
    x: list[Any], low: Iterable[Any], high: Iterable[Any], tint: str, **more: Any
) -> list[Spec]:
    """A shaded band between ``low`` and ``high`` (two traces: the lower edge, then the upper
    filled down to it); ``more`` goes to the filled trace and the axes to both."""
    axes = {key: more[key] for key in ("xaxis", "yaxis", "legendgroup") if key in more}
    edge = {"x": x, "mode": "lines", "line": {"width": 0, "color": tint}}
    return [
        dict(type="scatter", **edge, y=values(low), showlegend=False, hoverinfo="skip", **axes),
        dict(
            type="scatter",
            **edge,
            y=values(high),
            fill="tonexty",
            fillcolor=rgba(tint, style()["marks"]["band_opacity"]),
            **more,
        ),
    ]


def hatches(statuses: Iterable[Any]) -> list[str]:
    """Bar patterns per bar: hatched where the status is an estimate."""
    pattern = style()["marks"]["estimate_pattern"]
    return [pattern if str(s) == "estimate" else "" for s in statuses]


def shaded(drawn: Spec) -> Spec:
    """``drawn`` with its hatched bars (estimates, see :func:`hatches`) drawn in a lighter
    shade of their colour instead (``marks.print_estimate_opacity``), for print."""
    lighter = style()["marks"]["print_estimate_opacity"]
    for trace in drawn["data"]:
        marker = trace.get("marker", {})
        shapes = marker.get("pattern", {}).get("shape")
        if shapes is None:
            continue
        del marker["pattern"]
        if isinstance(shapes, str):  # one mark for the whole trace
            marker["opacity"] = lighter if shapes else 1
            if trace.get("x") == [None]:  # the legend key (hatch_key): a light grey bar
                marker["color"] = colour("black")
        else:
            marker["opacity"] = [lighter if shape else 1 for shape in shapes]
    return drawn


def hatch_key(lang: str) -> Spec:
    """A legend entry saying what a hatched bar means (the trace draws nothing)."""
    return dict(
        type="bar",
        x=[None],
        y=[None],
        name=words(lang)["legend"]["estimate"],
        marker={
            "color": style()["layout"]["background"],
            "line": {"color": colour("black"), "width": 1},
            "pattern": {"shape": style()["marks"]["estimate_pattern"], "fgcolor": colour("black")},
        },
    )
