"""Charts of one figure per country, as horizontal bars, largest on top: where each ally
stands (status), how far it is from a target (gap), pledges against what their amounts imply,
and the figures behind an answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from milex.charts.base import (
    Drawable,
    Spec,
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


def _text(value: Any) -> str:
    """A text cell, or "" for a missing one (None, NaN, NA)."""
    return value if isinstance(value, str) else ""


def _bars(
    frame: pd.DataFrame, column: str, lang: str, missing: dict[str, str] | None = None
) -> tuple[list[Spec], list[str]]:
    """Horizontal bars of ``column`` per country, largest on top, one trace per kind (ally or
    aggregate) and status (actual, estimate: hatched); rows without a figure, and the
    ``missing`` countries (code -> reason), are categories with a gap (None), in a trace of
    their own. Returns the traces and the categories in order. (The ~35 rows are walked in
    Python: pandas' grouping costs more than the chart.)"""
    said = words(lang)["legend"]
    marks = style()["marks"]
    wanted = [c for c in ("iso3", "name", "kind", "status", "note") if c in frame]
    rows = frame[wanted].to_dict("records")
    for row, value in zip(rows, values(frame[column]), strict=True):
        row["value"] = value
        row["label"] = _text(row.get("name")) or row["iso3"]
        row["status"] = (_text(row.get("status")) or "missing") if value is not None else "missing"
        row["kind"] = _text(row.get("kind")) or "country"
    rows.sort(key=lambda row: (row["value"] is None, -(row["value"] or 0)))
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["kind"], row["status"]), []).append(row)
    traces = []
    for (kind, status), part in groups.items():
        if status == "missing":
            continue
        traces.append(
            dict(
                type="bar",
                y=[row["label"] for row in part],
                x=[row["value"] for row in part],
                orientation="h",
                name=f"{said.get(kind, kind)}, {said.get(status, status)}",
                marker={
                    "color": colour(kind),
                    "pattern": {"shape": marks["estimate_pattern"] if status == "estimate" else ""},
                },
                customdata=[row["iso3"] for row in part],
                hovertemplate="%{y} (%{customdata}): %{x:.2f}<extra>"
                + said.get(status, status)
                + "</extra>",
            )
        )
    gaps = [row for row in rows if row["status"] == "missing"]
    missing = missing or {}
    labels = [row["label"] for row in gaps] + list(missing)
    if labels:
        traces.append(
            dict(
                type="bar",
                y=labels,
                x=[None] * len(labels),
                orientation="h",
                name=said["missing"],
                marker={"color": colour("missing")},
                hovertext=[_text(row.get("note")) for row in gaps] + list(missing.values()),
                hoverinfo="y+text",
            )
        )
    return traces, [row["label"] for row in rows] + list(missing)


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


def status(result: Drawable, lang: str) -> Spec:
    traces, order = _bars(result.frame, "share_gdp", lang)
    highest = max([*result.frame["share_gdp"].dropna(), *guideline_values()])
    axis = share_axis(lang, range=[0, highest * 1.08])
    layout = ranked_layout(
        result, lang, title(result, lang, year=result.query.get("year", "")), order, axis
    )
    guidelines(layout, lang, across=False)
    return {"data": traces, "layout": layout}


def gap(result: Drawable, lang: str, value: str = "gap_pp") -> Spec:
    """Gap per ally in percentage points of GDP (``value`` another money column of the frame,
    e.g. ``gap_usd_current``, ``shortfall_eur_current``)."""
    if value not in result.frame or not value.startswith(("gap", "shortfall")):
        choices = [c for c in result.units if c.startswith(("gap", "shortfall"))]
        raise InputError(f"value: got {shown(value)}; a gap chart draws {', '.join(choices)}")
    said = words(lang)
    traces, order = _bars(result.frame, value, lang, result.extra.get("missing") or {})
    text = said["axes"]["gap_pp"] if value == "gap_pp" else result.units.get(value, value)
    target = result.query.get("target")
    heading = title(result, lang, target=percent(target, lang), year=result.query.get("year", ""))
    axis = {"title": {"text": text}, "zeroline": True, "zerolinewidth": 2}
    return {"data": traces, "layout": ranked_layout(result, lang, heading, order, axis)}


def pledges(result: Drawable, lang: str) -> Spec:
    """Each pledge's share of GDP against the share its amount implies of projected GDP, with
    the share on a linear path to the Hague guideline that year; a pledge without an amount (or
    without a share) leaves its bar out."""
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
        dict(
            type="bar",
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
        dict(
            type="scatter",
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
    return {"data": traces, "layout": layout}


def answer(result: Drawable, lang: str) -> Spec:
    """The figures behind an answer, one bar each (shares of GDP if the answer has any, else
    the figures in the unit of its first), estimates hatched; the answer is the title."""
    frame = result.frame
    if frame.empty:
        raise InputError(words(lang)["errors"]["no_figures"])
    shares = frame[frame["unit"] == "percent of GDP"]
    rows = shares if not shares.empty else frame[frame["unit"] == frame["unit"].iloc[0]]
    unit = words(lang)["legend"]["share"] if not shares.empty else str(rows["unit"].iloc[0])
    labels = [f"{code} {year}" for code, year in zip(rows["iso3"], rows["year"], strict=True)]
    traces = [
        dict(
            type="bar",
            y=labels,
            x=values(rows["value"]),
            orientation="h",
            name=unit,
            marker={"color": colour("country"), "pattern": {"shape": hatches(rows["status"])}},
        ),
        hatch_key(lang),
    ]
    axis = share_axis(lang) if not shares.empty else {"title": {"text": unit}}
    heading = title(result, lang, answer=result.extra.get("answer", ""))
    return {"data": traces, "layout": ranked_layout(result, lang, heading, labels, axis)}
