"""The commitment commands: gap, path, pledges and simulate, as a user runs them."""

from __future__ import annotations

import json

import pytest

from .test_cli import run
from .test_projection import deu_gdp


def test_gap_json_for_a_group(capsys):
    code, out, _ = run(
        capsys, "gap", "--target", "3.5", "--year", "2024", "--group", "baltics", "--format", "json"
    )
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "milex.gap.v1"
    rows = {r["iso3"]: r for r in doc["rows"]}
    assert set(rows) == {"EST", "LVA", "LTU", "baltics"}
    assert rows["EST"]["gap_pp"] == pytest.approx(0.19)
    assert doc["units"]["gap_eur_current"] == "EUR million current"
    assert doc["sources"] and doc["eur_per_usd"]["current"] == pytest.approx(86638 / 93747)


def test_gap_table_in_euro(capsys):
    code, out, _ = run(capsys, "gap", "--target", "3.5", "--year", "2024", "--currency", "EUR")
    assert code == 0
    assert "Gap to 3.5% of GDP in 2024" in out and "EUR billion" in out
    assert "Belgium" in out and "Not shown: ISL" in out


def test_path_germany(capsys):
    code, out, _ = run(capsys, "path", "DEU", "--target", "3.5", "--by", "2029")
    assert code == 0
    assert "Germany: linear path to 3.5% of GDP by 2029" in out
    # 3.5% of Germany's projected 2029 GDP, EUR billion, worked out by hand in test_projection
    assert f"{3.5 / 100 * deu_gdp(2029) / 1000:.1f} bn" in out


def test_path_group_csv(capsys):
    code, out, _ = run(
        capsys, "path", "europe-canada", "--target", "3.5", "--by", "2035", "--format", "csv"
    )
    lines = out.strip().splitlines()
    assert code == 0 and lines[0].startswith("iso3,year,method,share_gdp")
    assert len(lines) == 1 + len(range(2026, 2036))


def test_pledges_germany(capsys):
    code, out, _ = run(capsys, "pledges", "Duitsland", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    flagged = [r for r in doc["rows"] if r["adds_up"] is False]
    assert any("153 bn EUR" in r["flag"] for r in flagged)
    assert all(r["source"] and r["iso3"] == "DEU" for r in doc["rows"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gap", "--target", "0.035"], "not 0.035"),
        (["gap", "--group", "benelux"], "unknown group 'benelux'"),
        (["path", "DEU", "--by", "2020"], "not after the base year"),
        (["path", "Narnia", "--by", "2030"], "unknown country 'Narnia'"),
        (["pledges", "Iceland"], "no pledges recorded for ISL"),
        (["simulate", "DEU", "--by", "2029", "--draws", "0"], "draws"),
        (["simulate", "europe-canada", "--by", "2030"], "takes one country, not"),
        (["pledges", "baltics"], "takes one country, not"),
        (["show", "nato"], "show takes one country, not 'nato'"),
        (["status", "--vintage", "all"], "vintage 'all' mixes editions"),
        (["gap", "--vintage", "all"], "vintage 'all' mixes editions"),
        (["path", "DEU", "--by", "99999"], "target year 99999 is out of range"),
        (["simulate", "DEU", "--by", "2030", "--draws", "1000000000"], "more than milex runs"),
        (["show", "DEU", "--years", "2014-"], "invalid years '2014-'"),
        (["gap", "--currency", "JPY"], "'JPY' is not one of"),
        (["path", "DEU", "--by", "2035", "--growth-after", "-150"], "out of range"),
        (["path", "DEU", "--by", "2035", "--inflation-after", "-100"], "out of range"),
        (["simulate", "DEU", "--by", "2029", "--amounts", "2027:5"], "invalid --amounts"),
        (["simulate", "DEU", "--by", "2029", "--amounts", "2027=5"], "amounts missing for 2028"),
    ],
)
def test_bad_input_is_one_line(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_gap_to_five_percent_warns_that_core_figures_cannot_show_it(capsys):
    code, out, _ = run(capsys, "gap", "--target", "hague-5", "--year", "2026", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and "1.5%" in doc["caveat"]
    code, out, _ = run(capsys, "gap", "--target", "hague-3.5", "--year", "2026", "--format", "json")
    assert "caveat" not in json.loads(out)


def test_pledges_cite_their_gdp_sources(capsys):
    """Poland's plans fall in years NATO has figures for; Germany's 2029 needs the IMF outlook."""
    code, out, _ = run(capsys, "pledges", "POL", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert {s["source"] for s in doc["sources"]} == {"nato"}
    assert [r["target_year"] for r in doc["rows"]] == [2025, 2026]
    code, out, _ = run(capsys, "pledges", "DEU", "--format", "json")
    assert {s["source"] for s in json.loads(out)["sources"]} == {"nato", "weo"}


def test_group_without_money_figures_is_missing_not_zero(capsys):
    """The 2025 edition is embedded without money tables: the Baltic total has no gap in USD."""
    code, out, _ = run(
        capsys,
        "gap",
        "--vintage",
        "2025-08",
        "--year",
        "2025",
        "--group",
        "baltics",
        "--format",
        "json",
    )
    doc = json.loads(out)
    total = doc["rows"][-1]
    assert code == 0 and total["iso3"] == "baltics"
    assert total["gap_usd_current"] is None and total["spend_usd_current"] is None
    assert "gap_usd_current" in doc["column_notes"]
    code, out, _ = run(capsys, "gap", "--vintage", "2025-08", "--year", "2025", "--format", "json")
    assert "Only part of the 2025 edition" in json.loads(out)["missing"]["DNK"]


def test_path_of_an_aggregate_is_its_group(capsys):
    code, out, _ = run(capsys, "path", "NATO_TOTAL", "--by", "2030", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["name"] == "NATO" and "USA" in doc["members"]


def test_show_marks_imf_projections(capsys):
    code, out, _ = run(
        capsys, "show", "DEU", "-i", "gdp_real_growth", "--source", "weo", "--years", "2024-2026"
    )
    assert code == 0
    assert "0.92p" in out and "-0.23p" not in out  # 2024 is an IMF actual, 2026 a projection
