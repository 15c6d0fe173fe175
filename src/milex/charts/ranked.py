"""Charts of one figure per country, as horizontal bars, largest on top: where each ally
stands (status), how far it is from a target (gap), pledges against what their amounts imply,
and the figures behind an answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from milex.charts.base import (
    Drawable,
    base_layout,
    colour,
    guideline_values,
    guidelines,
    hatch_key,
    hatches,
    percent,
    share_axis,
    style,
    title,
    values,
    words,
)
from milex.errors import InputError, shown

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go


def _bars(
    frame: pd.DataFrame, column: str, lang: str, missing: dict[str, str] | None = None
) -> tuple[list[go.Bar], list[str]]:
    """Horizontal bars of ``column`` per country, largest on top, one trace per kind (ally or
    aggregate) and status (actual, estimate: hatched); rows without a figure, and the
    ``missing`` countries (code -> reason), are categories with a gap (None), in a trace of
    their own. Returns the traces and the categories in order."""
    import plotly.graph_objects as go

    said = words(lang)["legend"]
    marks = style()["marks"]
    rows = frame.sort_values(column, ascending=False, na_position="last")
    label = rows.get("name", rows["iso3"]).fillna(rows["iso3"]).astype(str)
    status = rows["status"].fillna("missing").where(rows[column].notna(), "missing")
    rows = rows.assign(label=label, kind_=rows.get("kind", "country"), status_=status)
    traces = []
    for (kind, status), part in rows.groupby(["kind_", "status_"], sort=False):
        if status == "missing":
            continue
        traces.append(
            go.Bar(
                y=part["label"].tolist(),
                x=values(part[column]),
                orientation="h",
                name=f"{said.get(kind, kind)}, {said.get(status, status)}",
                marker={
                    "color": colour(kind),
                    "pattern": {"shape": marks["estimate_pattern"] if status == "estimate" else ""},
                },
                customdata=part["iso3"].tolist(),
                hovertemplate="%{y} (%{customdata}): %{x:.2f}<extra>"
                + said.get(status, status)
                + "</extra>",
            )
        )
    gaps = rows[rows["status_"] == "missing"]
    missing = missing or {}
    labels = gaps["label"].tolist() + list(missing)
    reasons = gaps.get("note", gaps["iso3"]).fillna("").astype(str).tolist()
    if labels:
        traces.append(
            go.Bar(
                y=labels,
                x=[None] * len(labels),
                orientation="h",
                name=said["missing"],
                marker={"color": colour("missing")},
                hovertext=reasons + list(missing.values()),
                hoverinfo="y+text",
            )
        )
    return traces, rows["label"].tolist() + list(missing)


def ranked_layout(result: Drawable, lang: str, heading: dict, order: list[str], axis: dict) -> dict:
    """The layout of a chart of horizontal bars per country, first on top."""
    layout = base_layout(
        result,
        lang,
        heading,
        barmode="relative",
        yaxis={"categoryorder": "array", "categoryarray": order, "autorange": "reversed"},
        xaxis=axis,
    )
    layout["height"] = max(layout["height"], style()["layout"]["bar_height"] * len(order) + 200)
    return layout


def status(result: Drawable, lang: str) -> go.Figure:
    import plotly.graph_objects as go

    traces, order = _bars(result.frame, "share_gdp", lang)
    highest = max([*result.frame["share_gdp"].dropna(), *guideline_values()])
    axis = share_axis(lang, range=[0, highest * 1.08])
    layout = ranked_layout(
        result, lang, title(result, lang, year=result.query.get("year", "")), order, axis
    )
    guidelines(layout, lang, across=False)
    return go.Figure(data=traces, layout=layout)


def gap(result: Drawable, lang: str, value: str = "gap_pp") -> go.Figure:
    """Gap per ally in percentage points of GDP (``value`` another money column of the frame,
    e.g. ``gap_usd_current``, ``shortfall_eur_current``)."""
    import plotly.graph_objects as go

    if value not in result.frame or not value.startswith(("gap", "shortfall")):
        choices = [c for c in result.units if c.startswith(("gap", "shortfall"))]
        raise InputError(f"value: got {shown(value)}; a gap chart draws {', '.join(choices)}")
    said = words(lang)
    traces, order = _bars(result.frame, value, lang, result.extra.get("missing") or {})
    text = said["axes"]["gap_pp"] if value == "gap_pp" else result.units.get(value, value)
    target = result.query.get("target")
    heading = title(result, lang, target=percent(target, lang), year=result.query.get("year", ""))
    axis = {"title": {"text": text}, "zeroline": True, "zerolinewidth": 2}
    return go.Figure(data=traces, layout=ranked_layout(result, lang, heading, order, axis))


def pledges(result: Drawable, lang: str) -> go.Figure:
    """Each pledge's share of GDP against the share its amount implies of projected GDP, with
    the share on a linear path to the Hague guideline that year; a pledge without an amount (or
    without a share) leaves its bar out."""
    import plotly.graph_objects as go

    said = words(lang)["legend"]
    frame = result.frame
    scopes = words(lang)["scopes"]
    labels = [
        f"{country} {year} ({scopes.get(scope, scope)})"
        for country, year, scope in zip(
            frame["country"],
            frame["target_year"].astype("string").fillna("–"),
            frame["scope"],
            strict=True,
        )
    ]
    labels = [
        f"{text} #{i + 1}" if labels.count(text) > 1 else text for i, text in enumerate(labels)
    ]
    traces = [
        go.Bar(
            y=labels,
            x=values(frame[column]),
            orientation="h",
            name=said[role],
            marker={"color": colour(role)},
            hovertext=(frame["flag"].fillna("") + "<br>" + frame["source"].fillna("")).tolist(),
        )
        for column, role in (("target_share_gdp", "pledged"), ("implied_share", "implied"))
    ]
    traces.append(
        go.Scatter(
            y=labels,
            x=values(frame["hague_path_share"]),
            mode="markers",
            name=said["hague_path"],
            marker={"symbol": "diamond", "color": colour("target"), "size": 9},
        )
    )
    axis = share_axis(lang)
    layout = ranked_layout(result, lang, title(result, lang), labels, axis)
    layout["barmode"] = "group"
    return go.Figure(data=traces, layout=layout)


def answer(result: Drawable, lang: str) -> go.Figure:
    """The figures behind an answer, one bar each (shares of GDP if the answer has any, else
    the figures in the unit of its first), estimates hatched; the answer is the title."""
    import plotly.graph_objects as go

    frame = result.frame
    if frame.empty:
        raise InputError(words(lang)["errors"]["no_figures"])
    shares = frame[frame["unit"] == "percent of GDP"]
    rows = shares if not shares.empty else frame[frame["unit"] == frame["unit"].iloc[0]]
    labels = [f"{code} {year}" for code, year in zip(rows["iso3"], rows["year"], strict=True)]
    traces = [
        go.Bar(
            y=labels,
            x=values(rows["value"]),
            orientation="h",
            name=str(rows["unit"].iloc[0]),
            marker={"color": colour("country"), "pattern": {"shape": hatches(rows["status"])}},
        ),
        hatch_key(lang),
    ]
    axis = {"title": {"text": str(rows["unit"].iloc[0])}}
    heading = title(result, lang, answer=result.extra.get("answer", ""))
    return go.Figure(data=traces, layout=ranked_layout(result, lang, heading, labels, axis))
