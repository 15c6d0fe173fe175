"""Charts of milex results: one plotly figure per kind of result, for notebooks
(``Result.plot()``), the web pages, the static site and the reports.

This module sits below :mod:`milex.result` (layer 2): it draws any object with a Result's
attributes (``kind``, ``frame``, ``units``, ``sources``, ``query``, ``extra``, ``notes``). Every
figure's title names what it shows and the source and edition(s) behind it, and a source line
under the plot cites them. A missing value is drawn as a gap (None), never as zero; an estimate is
hatched (bars), an open marker (points) or dotted (lines), each with a legend entry. Colours
(Okabe-Ito) and marks are data (``data/charts.toml``), words are per language
(``data/charts/<lang>.toml``), numbers follow the language's locale (babel): ``3,5`` in Dutch.
plotly is imported when a figure is drawn, not when milex is imported.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from milex.catalog import read_toml
from milex.errors import InputError, shown

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

#: The languages charts are drawn in (``data/charts/<lang>.toml``).
LANGS = ("en", "nl", "de", "fr")


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
    from babel.numbers import format_decimal

    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return format_decimal(round(value, digits), format=pattern, locale=words(lang)["locale"])


def percent(value: float, lang: str, digits: int = 2) -> str:
    """A share of GDP in percent written for the language (``3,5 %`` in de)."""
    return number(value, lang, digits) + words(lang)["percent"]


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
    for side in result.extra.get("sides", []) if isinstance(result.extra, dict) else []:
        source, _, vintage = str(side.get("ppp_source") or "").partition(" ")
        pairs += [(source, vintage)] if vintage else []
    for source, vintage in pairs:
        kept = found.setdefault(str(source), [])
        if str(vintage) not in kept:
            kept.append(str(vintage))
    parts = []
    for source, vintages in found.items():
        name = named.get(source, source)
        counted = result.sources["source"].eq(source).sum() if not result.sources.empty else 0
        template = "estimates" if source == "munitions" else "one" if len(vintages) == 1 else "many"
        parts.append(
            named[template].format(
                source=name, vintages=", ".join(sorted(vintages)), count=int(counted)
            )
        )
    return "; ".join(parts)


def title(result: Drawable, lang: str, **fields: Any) -> str:
    """A figure's title: what it shows (``titles.<kind>``) and the editions behind it."""
    what = words(lang)["titles"][result.kind].format(**fields)
    behind = editions(result, lang)
    return f"{what} — {behind}" if behind else what


def source_line(result: Drawable, lang: str) -> str:
    """The citations of a result's figures, for the line under a chart (the first few, then how
    many more)."""
    said = words(lang)["sources"]
    cites = []
    if not result.sources.empty:
        cites = list(dict.fromkeys(result.sources["cite"].dropna().astype(str)))
    shown_ = cites[: style()["marks"]["citations"]]
    if len(cites) > len(shown_):
        shown_.append(said["more"].format(count=len(cites) - len(shown_)))
    return said["line"].format(cites="<br>".join(shown_))


def _layout(result: Drawable, lang: str, heading: str, **more: Any) -> dict[str, Any]:
    """The layout every chart shares: title, locale separators, palette, the source line."""
    look = style()["layout"]
    line = source_line(result, lang)
    lines = line.count("<br>") + 1
    layout = {
        "title": {"text": heading, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "separators": separators(lang),
        "template": look["template"],
        "paper_bgcolor": look["background"],
        "plot_bgcolor": look["background"],
        "font": {"family": look["font"]},
        "colorway": series_colours(),
        "height": look["height"],
        "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        "margin": {"t": 90, "b": 90 + 16 * lines, "l": 60, "r": 20},
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


def _level(layout: dict[str, Any], value: float, label: str, tint: str, dash: str) -> None:
    """Add a horizontal line across the plot at ``value`` (a guideline or target), labelled."""
    layout["shapes"].append(
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": value,
            "y1": value,
            "line": {"color": tint, "dash": dash, "width": 1.5},
        }
    )
    layout["annotations"].append(
        {
            "text": label,
            "xref": "paper",
            "x": 1,
            "yref": "y",
            "y": value,
            "xanchor": "right",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 11, "color": tint},
        }
    )


def guidelines(layout: dict[str, Any], lang: str) -> None:
    """Draw the guidelines measured on share of GDP (``data/guidelines.toml``: 2%, 3.5%, 5%)."""
    said = words(lang)["guidelines"]
    lines = style()["guidelines"]
    for key, rule in read_toml("guidelines.toml").items():
        if rule["indicator"] != "share_gdp":
            continue
        look = lines.get(key, {"colour": "black", "dash": "dot"})
        label = said["guideline"].format(
            value=number(rule["threshold"], lang),
            percent=words(lang)["percent"],
            name=said.get(key, rule["label"]),
        )
        _level(layout, rule["threshold"], label, colour(look["colour"]), look["dash"])


def target_line(layout: dict[str, Any], target: float, lang: str) -> None:
    """Draw a target share of GDP as a line."""
    label = f"{words(lang)['legend']['target']}: {percent(target, lang)}"
    _level(layout, target, label, colour("target"), "dash")


# ------------------------------------------------------------------------------- bars per ally


def _bars(
    frame: pd.DataFrame, column: str, lang: str, missing: dict[str, str] | None = None
) -> tuple[list[go.Bar], list[str]]:
    """Bars of ``column`` per country, tallest first, one trace per kind (ally or aggregate)
    and status (actual, estimate: hatched); rows without a figure, and the ``missing``
    countries (code -> reason), are categories with a gap, in a trace of their own."""
    import plotly.graph_objects as go

    said = words(lang)["legend"]
    marks = style()["marks"]
    rows = frame.sort_values(column, ascending=False, na_position="last")
    label = rows.get("name", rows["iso3"]).fillna(rows["iso3"]).astype(str)
    status = rows["status"].fillna("missing")
    rows = rows.assign(label=label, kind_=rows.get("kind", "country"), status_=status)
    rows.loc[rows[column].isna(), "status_"] = "missing"
    traces = []
    for (kind, status), part in rows.groupby(["kind_", "status_"], sort=False):
        if status == "missing":
            continue
        traces.append(
            go.Bar(
                x=part["label"].tolist(),
                y=values(part[column]),
                name=f"{said.get(kind, kind)}, {said.get(status, status)}",
                marker={
                    "color": colour(kind),
                    "pattern": {"shape": marks["estimate_pattern"] if status == "estimate" else ""},
                },
                customdata=part["iso3"].tolist(),
                hovertemplate="%{x} (%{customdata}): %{y:.2f}<extra>" + status + "</extra>",
            )
        )
    gaps = rows[rows["status_"] == "missing"]
    reasons = (gaps["note"] if "note" in gaps else gaps["iso3"]).fillna("").astype(str).tolist()
    labels = gaps["label"].tolist() + list(missing or {})
    reasons += list((missing or {}).values())
    if labels:
        traces.append(
            go.Bar(
                x=labels,
                y=[None] * len(labels),
                name=said["missing"],
                marker={"color": colour("missing")},
                hovertext=reasons,
                hoverinfo="x+text",
            )
        )
    return traces, rows["label"].tolist() + list(missing or {})


def _status(result: Drawable, lang: str) -> go.Figure:
    import plotly.graph_objects as go

    traces, order = _bars(result.frame, "share_gdp", lang)
    layout = _layout(
        result,
        lang,
        title(result, lang, year=result.query.get("year", "")),
        barmode="relative",
        xaxis={"categoryorder": "array", "categoryarray": order, "tickangle": -60},
        yaxis={"title": {"text": words(lang)["axes"]["share"]}, "ticksuffix": "%"},
    )
    guidelines(layout, lang)
    return go.Figure(data=traces, layout=layout)


def _gap(result: Drawable, lang: str, value: str = "gap_pp") -> go.Figure:
    """Gap per ally in percentage points of GDP (``value`` another money column of the frame,
    e.g. ``gap_usd_current``, ``shortfall_eur_current``)."""
    import plotly.graph_objects as go

    if value not in result.frame or not value.startswith(("gap", "shortfall")):
        choices = [c for c in result.units if c.startswith(("gap", "shortfall"))]
        raise InputError(f"value: got {shown(value)}; a gap chart draws {', '.join(choices)}")
    said = words(lang)
    traces, order = _bars(result.frame, value, lang, result.extra.get("missing") or {})
    axis = said["axes"]["gap_pp"] if value == "gap_pp" else result.units.get(value, value)
    target = result.query.get("target")
    layout = _layout(
        result,
        lang,
        title(result, lang, target=percent(target, lang), year=result.query.get("year", "")),
        barmode="relative",
        xaxis={"categoryorder": "array", "categoryarray": order, "tickangle": -60},
        yaxis={"title": {"text": axis}, "zeroline": True, "zerolinewidth": 2},
    )
    return go.Figure(data=traces, layout=layout)


# ------------------------------------------------------------------------------- over the years


def _symbols(statuses: Iterable[Any]) -> list[str]:
    """Marker symbols per point: open where the status or basis text holds a word of
    ``marks.open_for`` (an estimate, an extrapolation)."""
    marks = style()["marks"]
    opened = set(marks["open_for"])
    return [
        marks["estimate_symbol"] if opened & set(str(s).split()) else marks["actual_symbol"]
        for s in statuses
    ]


def _estimate_key(lang: str) -> go.Scatter:
    """A legend entry saying what an open marker means (the trace draws nothing)."""
    import plotly.graph_objects as go

    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        name=words(lang)["legend"]["estimate_mark"],
        marker={"symbol": style()["marks"]["estimate_symbol"], "color": colour("black")},
    )


def _path(result: Drawable, lang: str) -> go.Figure:
    import plotly.graph_objects as go

    said = words(lang)
    frame = result.frame
    q = result.query
    traces = [
        go.Bar(
            x=frame["year"].tolist(),
            y=values(frame["spend_current"]),
            name=f"{said['legend']['spending']} ({result.units.get('spend_current', '')})",
            marker={"color": colour("spending")},
            yaxis="y2",
            opacity=0.6,
        ),
        go.Scatter(
            x=frame["year"].tolist(),
            y=values(frame["share_gdp"]),
            name=said["legend"]["share"],
            mode="lines+markers",
            line={"color": colour("median")},
            marker={"symbol": _symbols(frame["basis"]), "size": 9},
            hovertext=frame["basis"].astype(str).tolist(),
        ),
        _estimate_key(lang),
    ]
    name = result.extra.get("name", q.get("country", ""))
    layout = _layout(
        result,
        lang,
        title(result, lang, name=name, target=percent(q["target"], lang), by=q.get("by", "")),
        xaxis={"title": {"text": said["axes"]["year"]}, "dtick": 1},
        yaxis={"title": {"text": said["axes"]["share"]}, "ticksuffix": "%", "rangemode": "tozero"},
        yaxis2={
            "title": {"text": result.units.get("spend_current", "")},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
        },
    )
    layout["margin"]["r"] = 70
    target_line(layout, q["target"], lang)
    return go.Figure(data=traces, layout=layout)


def _simulate(result: Drawable, lang: str) -> go.Figure:
    import plotly.graph_objects as go

    said = words(lang)["legend"]
    frame = result.frame
    q = result.query
    years = frame["year"].tolist()
    band = colour("band")
    traces = [
        go.Scatter(
            x=years,
            y=values(frame["p05"]),
            mode="lines",
            line={"width": 0, "color": band},
            showlegend=False,
            hoverinfo="skip",
        ),
        go.Scatter(
            x=years,
            y=values(frame["p95"]),
            mode="lines",
            line={"width": 0, "color": band},
            fill="tonexty",
            fillcolor=band,
            opacity=style()["marks"]["band_opacity"],
            name=said["band"],
        ),
        go.Scatter(
            x=years,
            y=values(frame["median"]),
            mode="lines+markers",
            name=said["median"],
            line={"color": colour("median")},
        ),
        go.Scatter(
            x=years,
            y=values(frame["planned_share"]),
            mode="lines",
            name=said["planned"],
            line={"color": colour("planned"), "dash": "dot"},
        ),
    ]
    probability = result.extra.get("probability")
    chance = "—" if probability is None else number(100 * probability, lang, 1) + "%"
    target = result.extra.get("target", q.get("target"))
    heading = title(
        result,
        lang,
        name=q.get("country", ""),
        target=percent(target, lang),
        by=q.get("by", ""),
        probability=chance,
    )
    layout = _layout(
        result,
        lang,
        heading,
        xaxis={"title": {"text": words(lang)["axes"]["year"]}, "dtick": 1},
        yaxis={"title": {"text": words(lang)["axes"]["share"]}, "ticksuffix": "%"},
    )
    target_line(layout, target, lang)
    return go.Figure(data=traces, layout=layout)


# ------------------------------------------------------------------------------- dispatch

#: The kinds of result that draw, and how (kind -> function of result, lang, options).
DRAWERS: dict[str, Callable[..., go.Figure]] = {
    "status": _status,
    "gap": _gap,
    "path": _path,
    "simulate": _simulate,
}


def figure(result: Drawable, lang: str = "en", **options: Any) -> go.Figure:
    """The chart of a result as a plotly figure, its words and numbers in ``lang`` (en, nl,
    de, fr). ``options`` go to the kind's chart (gap: ``value="gap_usd_current"``).

    Raises InputError for a kind that has no chart (it names the kinds that draw)."""
    words(lang)
    draw = DRAWERS.get(result.kind)
    if draw is None:
        raise InputError(
            words(lang)["errors"]["undrawable"].format(kind=result.kind, kinds=", ".join(DRAWERS))
        )
    try:
        inspect.signature(draw).bind(result, lang, **options)
    except TypeError:
        raise InputError(
            f"options: got {shown(sorted(options))}; a {result.kind} chart takes "
            f"{', '.join(list(inspect.signature(draw).parameters)[2:]) or 'none'}"
        ) from None
    return draw(result, lang, **options)


def figure_json(result: Drawable, lang: str = "en", **options: Any) -> dict[str, Any]:
    """The chart as plain JSON data (``{"data": [...], "layout": {...}}``), ready for
    ``Plotly.newPlot(element, data, layout)``; missing values are null."""
    import json

    return json.loads(figure(result, lang, **options).to_json())
