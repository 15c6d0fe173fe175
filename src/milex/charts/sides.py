"""Charts of two sides: spending of one side against another on each conversion basis
(compare, race) and two actors' yearly artillery output (munitions_ratio)."""

from __future__ import annotations

from milex.charts.base import (
    Drawable,
    Spec,
    base_layout,
    hatch_key,
    hatches,
    number,
    series_colours,
    title,
    values,
    words,
)


def compare(result: Drawable, lang: str) -> Spec:
    """Spending of side A and side B on each conversion basis (market rates, PPP, defence PPP,
    split), one panel per basis (its own unit, named over it) with the years along it, one
    colour per side, each side named with its source and edition; estimates hatched, a figure
    that is not published left out (the hover says why)."""
    said = words(lang)
    rows = result.frame[result.frame["measure"] == "spending"]
    sides = result.extra.get("sides") or [{"name": "A"}, {"name": "B"}]
    bases = list(dict.fromkeys(rows["basis"].astype(str)))
    width = 1 / max(len(bases), 1)
    traces, panels = [], {}
    for i, basis in enumerate(bases):
        part = rows[rows["basis"] == basis]
        axis_id = "" if i == 0 else str(i + 1)
        heading = said["bases"].get(basis, basis)
        if part[["side_a", "side_b"]].isna().all(axis=None):
            heading += f"<br>({said['legend']['missing']})"
        panels[f"xaxis{axis_id}"] = {
            "domain": [i * width + 0.03, (i + 1) * width - 0.03],
            "anchor": f"y{axis_id}",
            "type": "category",
            "title": {"text": heading, "font": {"size": 11}},
        }
        panels[f"yaxis{axis_id}"] = {"anchor": f"x{axis_id}", "rangemode": "tozero"}
        for key, side, tint in zip(("a", "b"), sides, series_colours(), strict=False):
            edition = said["sources"].get(side.get("source"), side.get("source"))
            hover = [
                f"{unit}<br>{how or missing}"
                for unit, how, missing in zip(
                    part["unit"],
                    part[f"how_{key}"].fillna(""),
                    part[f"missing_{key}"].fillna(""),
                    strict=True,
                )
            ]
            traces.append(
                dict(
                    type="bar",
                    x=[str(year) for year in part["year"]],
                    y=values(part[f"side_{key}"]),
                    name=f"{side.get('name')} ({edition} {side.get('vintage')})",
                    legendgroup=key,
                    showlegend=i == 0,
                    marker={"color": tint, "pattern": {"shape": hatches(part["status"])}},
                    hovertext=hover,
                    xaxis=f"x{axis_id}",
                    yaxis=f"y{axis_id}",
                )
            )
    traces.append(hatch_key(lang))
    span = "–".join(dict.fromkeys(str(y) for y in result.query.get("years") or []))
    names = [side.get("name") for side in sides]
    layout = base_layout(
        result,
        lang,
        title(result, lang, a=names[0], b=names[-1], years=span),
        barmode="group",
        **panels,
    )
    layout["yaxis"]["title"] = {"text": said["axes"]["spending_million"]}
    return {"data": traces, "layout": layout}


def munitions_ratio(result: Drawable, lang: str) -> Spec:
    """Two actors' yearly artillery output: the central estimate as a bar, the lowest to the
    highest published estimate as whiskers; the ratio's range in a note on the chart."""
    said = words(lang)
    frame = result.frame
    sides = frame[frame["side"].isin(["a", "b"])]
    central = values(sides["central"])
    low, high = values(sides["low"]), values(sides["high"])
    trace = dict(
        type="bar",
        y=sides["actor"].tolist(),
        x=central,
        orientation="h",
        name=said["legend"]["central"],
        marker={"color": series_colours()[: len(sides)]},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [
                h - c if None not in (h, c) else None for h, c in zip(high, central, strict=True)
            ],
            "arrayminus": [
                c - lo if None not in (lo, c) else None for lo, c in zip(low, central, strict=True)
            ],
        },
    )
    layout = base_layout(
        result,
        lang,
        title(
            result,
            lang,
            year=result.query.get("year", ""),
            a=result.query.get("a"),
            b=result.query.get("b"),
        ),
        xaxis={"title": {"text": said["axes"]["rounds_year"]}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
        showlegend=True,
    )
    ratio = frame[frame["side"] == "ratio"]
    if not ratio.empty:
        row = ratio.iloc[0]
        layout["annotations"].append(
            {
                "text": said["legend"]["ratio"].format(
                    ratio=row["actor"],
                    central=number(row["central"], lang, 1),
                    low=number(row["low"], lang, 1),
                    high=number(row["high"], lang, 1),
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    return {"data": [trace], "layout": layout}
