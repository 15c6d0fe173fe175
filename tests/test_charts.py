"""Charts: each kind of result draws the published figures, titled with source and edition, in
four languages, missing values as gaps, guidelines at their values, Okabe-Ito colours."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import plotly.graph_objects as go
import pytest

import milex
from milex import charts
from milex.charts.base import style
from milex.errors import InputError

#: The Okabe-Ito palette (Okabe and Ito 2008), written out here, not read from the data file.
OKABE_ITO = {
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
}


@pytest.fixture(scope="module")
def status_2024(store):
    return milex.status(2024, store=store)


@pytest.fixture(scope="module")
def gap_2024(store):
    return milex.gap("hague-3.5", 2024, store=store)


def _point(fig: go.Figure, label: str, axis: str = "y") -> tuple[go.Bar, float | None]:
    """The trace holding a category and the value it draws for it."""
    other = "x" if axis == "y" else "y"
    for trace in fig.data:
        labels = list(getattr(trace, axis) or [])
        if label in labels:
            return trace, list(getattr(trace, other))[labels.index(label)]
    raise AssertionError(f"{label} is not drawn")


def _title(fig: go.Figure) -> str:
    """What the title says: what is shown, then the editions behind it (the subtitle)."""
    return f"{fig.layout.title.text} — {fig.layout.title.subtitle.text}"


# ------------------------------------------------------------------------------- status


def test_status_bars_hold_nato_2026_07_shares(status_2024):
    fig = charts.figure(status_2024)
    trace, value = _point(fig, "Poland")
    assert value == 3.75  # NATO 2026-07, Poland 2024, actual
    assert trace.marker.color == "#0072B2" and trace.marker.pattern.shape == ""
    assert _point(fig, "Germany")[1] == 2.0
    aggregate, total = _point(fig, "NATO Total")
    assert total == 2.65 and aggregate.marker.color == "#E69F00"  # aggregates told apart
    assert trace.orientation == "h"
    order = list(fig.layout.yaxis.categoryarray)
    assert order[0] == "Poland" and order[-1] == "Iceland"  # tallest first, missing last


def test_status_title_names_source_and_edition(status_2024):
    title = _title(charts.figure(status_2024))
    assert title.startswith("Defence expenditure as % of GDP, 2024")
    assert "NATO, edition 2026-07" in title
    assert (
        "NATO (2026), Defence Investment of NATO Countries"
        in charts.figure(status_2024).layout.annotations[0].text
    )


def test_status_draws_the_guidelines_at_their_values(status_2024):
    fig = charts.figure(status_2024)
    assert sorted(shape.x0 for shape in fig.layout.shapes) == [2, 3.5, 5]
    assert all(shape.x0 == shape.x1 and shape.yref == "paper" for shape in fig.layout.shapes)
    labels = [a.text for a in fig.layout.annotations]
    assert "3.5% (The Hague 2025, core)" in labels


def test_a_missing_figure_is_a_gap_not_zero(status_2024, gap_2024):
    trace, value = _point(charts.figure(status_2024), "Iceland")
    assert value is None and trace.name == "no published figure"
    assert "no armed forces" in trace.hovertext[0]
    gap_trace, gap = _point(charts.figure(gap_2024), "ISL")  # absent from the gap's frame
    assert gap is None and gap_trace.name == "no published figure"
    data = charts.figure_json(status_2024)["data"]
    iceland = next(t for t in data if "Iceland" in t["y"])
    assert iceland["x"][iceland["y"].index("Iceland")] is None


def test_estimates_are_hatched_with_a_legend_entry(store):
    fig = charts.figure(milex.status(2026, store=store))
    trace, value = _point(fig, "Poland")
    assert value == 4.68  # NATO 2026-07, Poland 2026, estimate
    assert trace.marker.pattern.shape == "/" and trace.name == "ally, estimate"


# ---------------------------------------------------------------------- gap, path, simulate


def test_gap_is_target_minus_the_published_share(gap_2024):
    fig = charts.figure(gap_2024)
    assert _point(fig, "Poland")[1] == pytest.approx(-0.25)  # 3.5 - 3.75
    assert _point(fig, "Germany")[1] == pytest.approx(1.5)  # 3.5 - 2.0
    assert "Gap to 3.5% of GDP, 2024" in _title(fig) and "2026-07" in _title(fig)
    money = charts.figure(gap_2024, value="gap_usd_current")
    assert money.layout.xaxis.title.text == "USD million current"
    with pytest.raises(InputError, match="gap_pp"):
        charts.figure(gap_2024, value="share_gdp")


def test_path_starts_at_nato_and_draws_the_target(store):
    fig = charts.figure(milex.path("POL", store=store))
    share = next(t for t in fig.data if t.name == "share of GDP")
    assert share.x[0] == 2026 and share.y[0] == pytest.approx(4.68, abs=0.005)
    assert share.marker.symbol[0] == "circle-open"  # NATO's 2026 figure is an estimate
    assert [s.y0 for s in fig.layout.shapes] == [3.5]
    assert "path to 3.5% of GDP by 2035" in _title(fig)
    assert "NATO, edition 2026-07" in _title(fig) and "Outlook, edition 2026-04" in _title(fig)


def test_simulate_band_median_target_and_probability(store):
    result = milex.simulate("DEU", draws=2000, seed=7, store=store)
    fig = charts.figure(result)
    low, high, median, planned = fig.data
    assert list(planned.y) == list(result.frame["planned_share"])
    assert list(low.y) == list(result.frame["p05"]) and high.fill == "tonexty"
    assert list(median.y) == list(result.frame["median"])
    assert [s.y0 for s in fig.layout.shapes] == [3.5]
    chance = f"{100 * result.extra['probability']:.1f}%"
    assert f"by 2035: {chance}" in _title(fig)
    assert _title(fig).startswith("Germany") and "DEU" not in _title(fig)


# ------------------------------------------------------------------------------- the other kinds


def test_report_draws_one_line_per_edition_so_revisions_show(store):
    fig = charts.figure(milex.report("POL", store=store))
    lines = {t.name: dict(zip(t.x, t.y, strict=True)) for t in fig.data if t.x[0] is not None}
    assert lines["NATO 2024-06"][2024] == 4.12  # estimate in June 2024
    assert lines["NATO 2025-08"][2024] == 3.79
    assert lines["NATO 2026-07"][2024] == 3.75  # actual two years later
    assert sorted(s.y0 for s in fig.layout.shapes) == [2, 3.5, 5]
    assert "NATO, editions 2024-06, 2025-08, 2026-07" in _title(fig)


def test_pledges_pledged_against_implied(store):
    fig = charts.figure(milex.pledges("CAN", store=store))
    pledged = next(t for t in fig.data if t.name == "pledged share")
    assert dict(zip(pledged.y, pledged.x, strict=True))["Canada 2035 (total)"] == 5.0
    dutch = charts.figure(milex.pledges("CAN", store=store), "nl").data[0]
    assert "Canada 2035 (totaal)" in dutch.y


def test_compare_tells_bases_apart_and_names_each_sides_edition(store):
    fig = charts.figure(milex.compare("europe-canada", "RUS", store=store))
    russia = [t for t in fig.data if t.name == "Russia (SIPRI 2026-04)"]
    assert len(russia) == 4  # one panel per basis
    market = fig.layout.xaxis.title.text
    assert market == "market exchange rates" and russia[0].y == (190416.6,)  # SIPRI 2026-04
    assert "purchasing power parity" in fig.layout.xaxis2.title.text
    assert "no published figure" in fig.layout.xaxis3.title.text  # defence PPP for 2025
    assert russia[2].y == (None,)  # a gap, not zero
    assert "SIPRI, edition 2026-04" in _title(fig)


def test_munitions_ratio_range_of_published_estimates(store):
    fig = charts.figure(milex.munitions_ratio("RUS", "NATO", 2025, store=store))
    bars = fig.data[0]
    russia = list(bars.y).index("RUS")
    assert bars.x[russia] == 3_000_000  # central: NATO intelligence via CNN, Mar 2024
    assert bars.error_x.arrayminus[russia] == 1_000_000  # lowest 2.0 m (Kasčiūnas)
    assert bars.error_x.array[russia] == 1_500_000  # highest 4.5 m
    assert "published estimates" in _title(fig)


def test_munitions_stock_and_production_with_bands(store):
    result = milex.munitions(store=store)
    fig = charts.figure(result)
    names = {t.name for t in fig.data if t.showlegend is not False}
    assert set(result.frame["actor"]) <= names
    bands = [t for t in fig.data if t.fill == "tonexty"]
    assert len(bands) == 2 * result.frame["actor"].nunique()
    assert "published estimates" in _title(fig)


def test_race_and_answer_draw(store):
    race = charts.figure(milex.race(store=store))
    russia = next(t for t in race.data if t.name == "Russia (SIPRI 2026-04)")
    assert russia.y == (190416.6,) and race.layout.xaxis.title.text == "market exchange rates"
    answer = milex.ask("How much did Poland spend on defence in 2024?", store=store)
    fig = charts.figure(answer)
    assert _point(fig, "POL 2024")[1] == 3.75
    assert _title(fig).startswith(answer.extra["answer"])


# ------------------------------------------------------------------------------- languages, style


def test_each_language_has_its_own_title_and_separators(status_2024, gap_2024):
    titles = {lang: _title(charts.figure(status_2024, lang)) for lang in charts.LANGS}
    assert len(set(titles.values())) == 4
    assert titles["nl"].startswith("Defensie-uitgaven in % van het bbp, 2024")
    assert "NAVO, editie 2026-07" in titles["nl"]
    assert titles["de"].startswith("Verteidigungsausgaben") and "OTAN" in titles["fr"]
    seps = {lang: charts.figure(status_2024, lang).layout.separators for lang in charts.LANGS}
    assert seps["en"] == ".," and seps["nl"] == ",." and seps["de"] == ",."
    assert seps["fr"][0] == ","
    assert "Afstand tot 3,5% van het bbp" in _title(charts.figure(gap_2024, "nl"))
    german = charts.figure(status_2024, "de")
    assert "3,5 % (Den Haag 2025, Kern)" in [a.text for a in german.layout.annotations]
    assert german.layout.xaxis.ticksuffix == " %"
    assert charts.figure(status_2024, "en").layout.xaxis.ticksuffix == "%"


def test_palette_is_okabe_ito():
    assert set(style()["palette"].values()) == OKABE_ITO
    assert set(charts.base.series_colours()) == OKABE_ITO


def test_result_plot_returns_a_figure(status_2024):
    fig = status_2024.plot("fr")
    assert isinstance(fig, go.Figure)
    assert _title(fig).startswith("Dépenses de défense en % du PIB, 2024")
    json.loads(fig.to_json())  # strict JSON for the pages


def test_undrawable_kinds_options_and_languages_are_refused(store, status_2024):
    checked = milex.check("Poland spent 4.1% of GDP on defence in 2024.", store=store)
    with pytest.raises(InputError, match=r"a check result has no chart; .*status, gap"):
        checked.plot()
    with pytest.raises(InputError, match="takes none"):
        status_2024.plot(value="gap_pp")
    with pytest.raises(InputError, match="en, nl, de, fr"):
        status_2024.plot("es")
    with pytest.raises(InputError, match="ISL: geen cijfers over het aandeel van het bbp"):
        milex.report("ISL", store=store).plot("nl")  # Iceland: no spending figures at all
    unanswered = milex.ask("What is the meaning of life?", store=store)
    with pytest.raises(InputError, match="no figures behind it"):
        unanswered.plot()


@pytest.mark.parametrize("kind", ["status", "gap"])
def test_figure_json_is_the_figure_plotly_validates(kind, status_2024, gap_2024):
    result = {"status": status_2024, "gap": gap_2024}[kind]
    validated = json.loads(charts.figure(result, "nl").to_json())
    validated["layout"].pop("template")  # figure() only: no plotly.py template
    fast = charts.figure_json(result, "nl")
    if not fast["layout"]["shapes"]:
        del fast["layout"]["shapes"]  # plotly drops an empty list
    assert fast == validated


def test_values_are_gaps_for_anything_not_a_finite_number():
    assert charts.base.values([1.5, math.nan, None, "x", math.inf]) == [1.5, None, None, None, None]


def test_importing_charts_does_not_import_plotly():
    code = "import sys, milex, milex.result, milex.charts; print('plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_print_draws_estimates_a_lighter_shade_instead_of_hatched(store):
    """A PDF printer turns every hatched bar into an image: for print, the 2026 estimates are
    bars at the opacity of charts.toml (0.45) and the 2024 actuals full (1), no pattern left."""
    drawn = charts.spec(milex.status(2026, store=store), medium="print")
    assert "pattern" not in json.dumps(drawn)
    assert style()["marks"]["print_estimate_opacity"] == 0.45
    bars = {t["name"]: t for t in drawn["data"] if t["type"] == "bar" and t["x"] != [None]}
    assert bars["ally, estimate"]["marker"]["opacity"] == 0.45
    actual = charts.spec(milex.status(2024, store=store), medium="print")
    assert {t["marker"].get("opacity") for t in actual["data"] if t.get("x") != [None]} <= {1}
    screen = charts.spec(milex.status(2026, store=store))
    assert "pattern" in json.dumps(screen)
    with pytest.raises(InputError, match="drawn for screen or print"):
        charts.spec(milex.status(2026, store=store), medium="paper")


def test_names_shown_by_code_replace_the_results_english_ones(store, status_2024):
    """A page in Dutch draws Duitsland, Rusland and NAVO-Europa; codes without a name keep
    the result's own (Poland), and the result itself is left as it was."""
    names = {"DEU": "Duitsland", "RUS": "Rusland", "NATO_EUROPE": "NAVO-Europa"}
    fig = charts.figure(status_2024, "nl", names=names)
    assert _point(fig, "Duitsland")[1] == 2.0  # NATO 2026-07, Germany 2024
    assert _point(fig, "Poland")[1] == 3.75
    assert "Duitsland" not in set(status_2024.frame["name"])
    compare = charts.figure(milex.compare("europe-canada", "RUS", store=store), names=names)
    assert any(t.name and t.name.startswith("Rusland (") for t in compare.data)
    munitions = charts.figure(milex.munitions(store=store), names=names)
    assert "NAVO-Europa" in {t.legendgroup for t in munitions.data}
    path = charts.figure(milex.path("DEU", store=store), names=names)
    assert _title(path).startswith("Duitsland")


def test_simulate_title_writes_the_probability_as_its_language_does(store):
    """German writes a percent sign after a space (``37,5 %``), as data/charts/de.toml says."""
    result = milex.simulate("DEU", draws=2000, seed=7, store=store)
    chance = f"{100 * result.extra['probability']:.1f}".replace(".", ",") + "\u00a0%"
    assert chance.replace("\u00a0", " ") in _title(charts.figure(result, "de")).replace(
        "\u00a0", " "
    )
