"""Charts over time: a country's share of GDP across sources and editions (show), a path to a
target (path), a simulated plan with its band (simulate), the munitions model by month."""

from __future__ import annotations

from milex.charts.base import (
    Drawable,
    Spec,
    band,
    base_layout,
    colour,
    estimate_key,
    guidelines,
    percent,
    series_colours,
    share_axis,
    style,
    symbols,
    target_line,
    title,
    values,
    words,
)
from milex.errors import InputError


def path(result: Drawable, lang: str) -> Spec:
    """A path to a target: share of GDP per year (left axis, percent; the base year a NATO
    estimate and years past the WEO horizon as open markers) and spending per year (bars, right
    axis, in the result's unit: million national currency, or USD for a group), the target as a
    line."""
    said = words(lang)
    frame = result.frame
    q = result.query
    traces = [
        dict(
            type="bar",
            x=frame["year"].tolist(),
            y=values(frame["spend_current"]),
            name=f"{said['legend']['spending']} ({result.units.get('spend_current', '')})",
            marker={"color": colour("spending")},
            yaxis="y2",
            opacity=style()["marks"]["bar_opacity"],
        ),
        dict(
            type="scatter",
            x=frame["year"].tolist(),
            y=values(frame["share_gdp"]),
            name=said["legend"]["share"],
            mode="lines+markers",
            line={"color": colour("median")},
            marker={"symbol": symbols(frame["basis"]), "size": 9},
            hovertext=frame["basis"].astype(str).tolist(),
        ),
        estimate_key(lang),
    ]
    name = result.extra.get("name", q.get("country", ""))
    layout = base_layout(
        result,
        lang,
        title(result, lang, name=name, target=percent(q["target"], lang), by=q.get("by", "")),
        xaxis={"title": {"text": said["axes"]["year"]}, "dtick": 1},
        yaxis=share_axis(lang, rangemode="tozero"),
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
    return {"data": traces, "layout": layout}


def simulate(result: Drawable, lang: str) -> Spec:
    """A simulated plan: the planned share of GDP per year, the median of the draws and the band
    from their 5th to 95th percentile (percent of GDP), the target as a line, the probability of
    reaching it in the title."""
    said = words(lang)["legend"]
    frame = result.frame
    q = result.query
    years = frame["year"].tolist()
    traces = [
        *band(years, frame["p05"], frame["p95"], colour("band"), name=said["band"]),
        *(
            dict(
                type="scatter",
                x=years,
                y=values(frame[column]),
                mode=mode,
                name=said[role],
                line={"color": colour(role), "dash": dash},
            )
            for column, role, mode, dash in (
                ("median", "median", "lines+markers", "solid"),
                ("planned_share", "planned", "lines", "dot"),
            )
        ),
    ]
    probability = result.extra.get("probability")
    chance = "—" if probability is None else percent(100 * probability, lang, 1)
    target = result.extra.get("target", q.get("target"))
    heading = title(
        result,
        lang,
        name=result.extra.get("name", q.get("country", "")),
        target=percent(target, lang),
        by=q.get("by", ""),
        probability=chance,
    )
    layout = base_layout(
        result,
        lang,
        heading,
        xaxis={"title": {"text": words(lang)["axes"]["year"]}, "dtick": 1},
        yaxis=share_axis(lang),
    )
    target_line(layout, target, lang)
    return {"data": traces, "layout": layout}


def show(result: Drawable, lang: str) -> Spec:
    """A country's share of GDP per year, one line per source and edition (``milex.report``),
    so that revisions show; estimates as open markers; the guidelines as lines."""
    said = words(lang)
    frame = result.frame[result.frame["indicator"] == "share_gdp"]
    if frame.empty:
        raise InputError(said["errors"]["no_share"].format(country=result.query.get("country")))
    traces = [
        dict(
            type="scatter",
            x=part["year"].tolist(),
            y=values(part["value"]),
            mode="lines+markers",
            name=f"{said['sources'].get(source, source)} {vintage}",
            line={"color": tint},
            marker={"symbol": symbols(part["status"]), "size": 8},
            hovertext=part["status"].astype(str).tolist(),
        )
        for ((source, vintage), part), tint in zip(
            frame.groupby(["source", "vintage"], sort=True), series_colours(), strict=False
        )
    ]
    traces.append(estimate_key(lang))
    name = frame["name"].iloc[0] if "name" in frame else result.query.get("country", "")
    layout = base_layout(
        result,
        lang,
        title(result, lang, name=name),
        xaxis={"title": {"text": said["axes"]["year"]}, "dtick": 1},
        yaxis=share_axis(lang, rangemode="tozero"),
    )
    guidelines(layout, lang)
    return {"data": traces, "layout": layout}


def munitions(result: Drawable, lang: str) -> Spec:
    """The munitions model by month: each actor's stock (top) and cumulative production
    (bottom), each with the band between its low and high runs."""
    said = words(lang)
    traces = []
    for (actor, part), tint in zip(
        result.frame.groupby("actor", sort=False), series_colours(), strict=False
    ):
        months = part["month"].tolist()
        for column, row in (("stock", ""), ("cumulative_production", "2")):
            shown_ = {"legendgroup": actor, "xaxis": "x" + row, "yaxis": "y" + row}
            traces += [
                *band(
                    months,
                    part[f"{column}_low"],
                    part[f"{column}_high"],
                    tint,
                    name=said["legend"]["low_high"].format(actor=actor),
                    showlegend=False,
                    **shown_,
                ),
                dict(
                    type="scatter",
                    x=months,
                    y=values(part[column]),
                    mode="lines",
                    name=actor,
                    line={"color": tint},
                    showlegend=not row,
                    **shown_,
                ),
            ]
    axes = said["axes"]
    layout = base_layout(
        result,
        lang,
        title(result, lang, scenario=result.query.get("scenario", "")),
        xaxis={"anchor": "y", "matches": "x2", "showticklabels": False},
        yaxis={"title": {"text": axes["stock"]}, "domain": [0.54, 1], "rangemode": "tozero"},
        xaxis2={"anchor": "y2", "title": {"text": axes["month"]}},
        yaxis2={"title": {"text": axes["production"]}, "domain": [0, 0.46], "rangemode": "tozero"},
    )
    layout["height"] = style()["layout"]["height"] + 200
    return {"data": traces, "layout": layout}
