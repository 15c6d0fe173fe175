"""The store reproduces the reference figures, keeps editions apart and refuses bad data."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import milex
from milex import geo
from milex.errors import DataFileError
from milex.store import open_store


def value(store, source, vintage, iso3, indicator, year):
    obs = store.observations(source, vintage, [iso3], [indicator], (year, year))
    assert len(obs) == 1, f"expected one figure for {iso3} {indicator} {year}"
    return obs.iloc[0]


@pytest.mark.parametrize(
    ("iso3", "share"), [("POL", 4.48), ("LTU", 4.00), ("LVA", 3.73), ("EST", 3.38)]
)
def test_nato_2025_edition_estimates(store, iso3, share):
    row = value(store, "nato", "2025-08", iso3, "share_gdp", 2025)
    assert row["value"] == pytest.approx(share)
    assert row["status"] == "estimate"
    assert row["unit"] == "percent of GDP"


def test_editions_are_kept_apart(store):
    """Poland 2024: 4.12% estimate in the 2024 edition, 3.75% actual in the 2026 edition."""
    old = value(store, "nato", "2024-06", "POL", "share_gdp", 2024)
    new = value(store, "nato", "2026-07", "POL", "share_gdp", 2024)
    assert (old["value"], old["status"]) == (4.12, "estimate")
    assert (new["value"], new["status"]) == (3.75, "actual")
    default = milex.series("POL", "share_gdp", 2024, store=store)
    assert default["vintage"].tolist() == ["2026-07"]
    every = milex.series("POL", "share_gdp", 2024, vintage="all", store=store)
    assert sorted(every["vintage"]) == ["2024-06", "2025-08", "2026-07"]


def test_default_series_never_mixes_editions(store):
    obs = milex.series(indicators="share_gdp", store=store)
    assert (obs.groupby(["iso3", "indicator"])["vintage"].nunique() == 1).all()


@pytest.mark.parametrize(
    ("vintage", "spend_2024", "share_2024"),
    [
        # SIPRI April 2025 release (/work/shared/data/sipri_milex.csv)
        ("2025-04", 148967.3, 7.0523),
        # SIPRI April 2026 release, the newest and the default (sipri_milex_2026.csv): 2024 revised
        (None, 149401.9, 6.8742),
    ],
)
def test_sipri_russia_series(store, vintage, spend_2024, share_2024):
    rus = milex.series(
        "RUS", ["share_gdp", "spend_usd_current"], source="sipri", vintage=vintage, store=store
    )
    assert set(rus["vintage"]) == {vintage or "2026-04"}
    by = rus.set_index(["indicator", "year"])
    assert by.loc[("spend_usd_current", 2024), "value"] == pytest.approx(spend_2024)
    assert by.loc[("share_gdp", 2024), "value"] == pytest.approx(share_2024)
    assert by.loc[("share_gdp", 2024), "status"] == "estimate"
    assert by.loc[("share_gdp", 2014), "status"] == "actual"
    assert rus["year"].min() == 1992
    assert by.loc[("spend_usd_current", 2024), "unit"] == "USD million current"


def test_sipri_2026_release_has_2025(store):
    """SIPRI April 2026: Russia 2025 USD 190,416.6 m = 7.5015% of GDP, SIPRI estimates."""
    rus = milex.series("RUS", ["share_gdp", "spend_usd_current"], 2025, source="sipri", store=store)
    by = rus.set_index("indicator")
    assert by.loc["spend_usd_current", "value"] == pytest.approx(190416.6)
    assert by.loc["share_gdp", "value"] == pytest.approx(7.5015)
    assert set(rus["status"]) == {"estimate"} and set(rus["vintage"]) == {"2026-04"}


def test_sipri_subset_only_comparison_countries(store):
    embedded = set(store.sql("SELECT DISTINCT iso3 FROM observations WHERE source='sipri'").iso3)
    assert embedded == {"RUS", "UKR", "CHN", "BLR", "IRN", "IND", "JPN", "KOR", "ISR", "AUS", "WLD"}
    share = milex.sipri_share(store=store)
    assert share["share_of_countries_pct"] < 10
    assert share["share_of_cells_pct"] < 10


def test_every_observation_has_source_and_vintage(store):
    missing = store.sql(
        """SELECT count(*) n FROM observations o LEFT JOIN sources s ON s.id = o.source_id
           WHERE s.id IS NULL OR o.vintage IS NULL OR s.licence IS NULL OR s.cite IS NULL
              OR s.citation IS NULL OR s.url IS NULL"""
    )
    assert missing["n"].iloc[0] == 0
    assert store.sql("SELECT count(*) n FROM observations")["n"].iloc[0] > 15000


def test_no_value_is_filled(store):
    """Iceland has no NATO figure; Germany 2025 is absent from the 2025 edition."""
    assert milex.series("ISL", source="nato", vintage="all", store=store).empty
    deu = milex.series("DEU", "share_gdp", 2025, vintage="2025-08", store=store)
    assert deu.empty


@pytest.mark.parametrize("indicator", ["spend_usd_current", "spend_usd_const"])
def test_nato_aggregates_are_the_sum_of_the_allies(store, indicator):
    """NATO Total = sum of the allies that were members that year (2026 edition, USD m)."""
    obs = store.observations("nato", "2026-07", indicators=[indicator])
    wide = obs.pivot_table(index="year", columns="iso3", values="value")
    for year, row in wide.iterrows():
        allies = [c for c in geo.members("nato", year) if c in row.index]
        total = row[allies].sum()
        assert total == pytest.approx(row["NATO_TOTAL"], abs=0.5 * len(allies)), year
        europe = [c for c in geo.members("europe-canada", year) if c in row.index]
        assert row[europe].sum() == pytest.approx(row["NATO_EUROPE_CANADA"], abs=0.5 * len(europe))


def test_sweden_not_in_nato_aggregates_before_2024(store):
    obs = store.observations(
        "nato", "2026-07", indicators=["spend_usd_current"], years=(2023, 2024)
    )
    wide = obs.pivot_table(index="year", columns="iso3", values="value")
    allies_2023 = geo.members("nato", 2023)
    assert "SWE" not in allies_2023 and "FIN" in allies_2023
    assert "SWE" in geo.members("nato", 2024)
    sum_2023 = wide.loc[2023, [c for c in allies_2023 if c != "ISL"]].sum()
    assert sum_2023 == pytest.approx(wide.loc[2023, "NATO_TOTAL"], abs=20)
    with_sweden = sum_2023 + wide.loc[2023, "SWE"]
    assert with_sweden - wide.loc[2023, "NATO_TOTAL"] > 1000


def test_nato_total_share_is_spending_over_gdp(store):
    obs = store.observations("nato", "2026-07", indicators=["spend_usd_const", "gdp_usd_const"])
    wide = obs.pivot_table(index=["year", "iso3"], columns="indicator", values="value")
    shares = store.observations("nato", "2026-07", ["NATO_TOTAL"], ["share_gdp"])
    for row in shares.itertuples():
        allies = [c for c in geo.members("nato", row.year) if (row.year, c) in wide.index]
        part = wide.loc[[(row.year, c) for c in allies]]
        computed = 100 * part["spend_usd_const"].sum() / part["gdp_usd_const"].sum()
        assert computed == pytest.approx(row.value, abs=0.01), row.year


# ------------------------------------------------------------------ bad data is refused


def corrupt(folder: Path, name: str, line: int | None, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` on line ``line`` (1-based) of a data file, or with ``line``
    None on the first line that starts with ``old``."""
    path = folder / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if line is None:
        line = next(i for i, text in enumerate(lines, start=1) if text.startswith(old))
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "line", "old", "new", "expected"),
    [
        ("observations/nato_2026-07.csv", 2, ",16.65,", ",160.65,", "line 2, field value"),
        ("observations/nato_2026-07.csv", 3, ",ALB,", ",XXA,", "line 3, field iso3"),
        (
            "observations/nato_2026-07.csv",
            4,
            "equipment_share",
            "equipmnt_share",
            "field indicator",
        ),
        ("observations/nato_2026-07.csv", 5, ",actual", ",guess", "line 5, field status"),
        (
            "observations/nato_2026-07.csv",
            3,
            ",2015,",
            ",2014,",
            "line 3, field iso3/year/indicator",
        ),
        ("observations/sipri_2025-04.csv", 2, "percent of GDP", "fraction", "line 2, field unit"),
        ("pledges.csv", 2, ",total,", ",everything,", "pledges.csv, line 2, field scope"),
        ("munitions.csv", 2, ",250000,", ",lots,", "munitions.csv, line 2, field value"),
        ("observations/nato_2026-07.csv", 2, ",2014,", ",20x4,", "line 2, field year: '20x4'"),
        ("notes.csv", 2, "missing,nato", "absent,nato", "notes.csv, line 2, field kind"),
        ("notes.csv", 3, "missing,sipri", "missing,sipro", "notes.csv, line 3, field source"),
        ("editions.toml", None, "[nato.", "[[nato.", "editions.toml:"),
    ],
)
def test_malformed_files_are_refused(data_copy, tmp_path, name, line, old, new, expected):
    corrupt(data_copy, name, line, old, new)
    with pytest.raises(DataFileError) as info:
        open_store(data_copy, tmp_path / "home")
    assert expected in str(info.value)
    assert Path(name).name in str(info.value)


def test_failed_build_keeps_the_existing_store(data_copy, tmp_path):
    home = tmp_path / "home"
    good = open_store(data_copy, home)
    before = good.path.read_bytes()
    good.close()
    corrupt(data_copy, "observations/nato_2026-07.csv", 2, ",16.65,", ",-5,")
    with pytest.raises(DataFileError):
        open_store(data_copy, home)
    assert good.path.read_bytes() == before
    assert sorted(p.name for p in home.glob("store-*")) == [
        good.path.name,
        good.path.with_suffix(".sha256").name,
    ]
    assert not list(home.glob(".building-*"))


def test_store_is_rebuilt_when_data_change_and_reused_when_not(data_copy, tmp_path):
    home = tmp_path / "home"
    first = open_store(data_copy, home)
    mtime = os.stat(first.path).st_mtime_ns
    first.close()
    again = open_store(data_copy, home)
    assert again.path == first.path and os.stat(again.path).st_mtime_ns == mtime
    again.close()
    corrupt(data_copy, "observations/nato_2026-07.csv", 2, ",16.65,", ",17.65,")
    changed = open_store(data_copy, home)
    # One store per fingerprint: the other data's store stays while it was used recently.
    assert changed.path != first.path and first.path.exists()
    figure = changed.observations("nato", "2026-07", ["ALB"], ["equipment_share"], (2014, 2014))
    assert figure["value"].tolist() == [17.65]


def test_tidy_columns(store):
    obs = milex.series("Polen", "share_gdp", "2020-2022", store=store)
    assert list(obs.columns) == [
        "iso3",
        "name",
        "year",
        "indicator",
        "value",
        "unit",
        "status",
        "source",
        "vintage",
        "source_id",
    ]
    assert obs["year"].tolist() == [2020, 2021, 2022]
    assert pd.api.types.is_float_dtype(obs["value"])


def test_damaged_cache_is_rebuilt(data_copy, tmp_path):
    home = tmp_path / "home"
    first = open_store(data_copy, home)
    path = first.path
    first.close()
    path.write_bytes(path.read_bytes()[:1000])  # a cut-off file, as after a crash
    again = open_store(data_copy, home)
    assert again.path == path
    assert again.sql("SELECT count(*) n FROM observations")["n"].iloc[0] > 15000


def test_store_without_its_tables_is_rebuilt(data_copy, tmp_path):
    import duckdb

    home = tmp_path / "home"
    first = open_store(data_copy, home)
    first.close()
    duckdb.connect(str(first.path)).execute("DROP TABLE meta").close()  # opens, not a store
    again = open_store(data_copy, home)
    assert again.sql("SELECT count(*) n FROM meta")["n"].iloc[0] == 1


def test_home_that_is_a_file_is_refused(data_copy, tmp_path):
    from milex.errors import MilexError

    home = tmp_path / "home"
    home.write_text("not a folder")
    with pytest.raises(MilexError, match="is a file, not a folder"):
        open_store(data_copy, home)


# ------------------------------------------------------------------ lookups of the API


def test_countries_with_their_nato_accession(store):
    table = milex.countries(store=store)
    assert table["code"].is_unique
    by = table.set_index("code")
    # Accession dates published by NATO ("NATO member countries", nato.int)
    joined = {
        "USA": 1949,
        "DEU": 1955,
        "ESP": 1982,
        "POL": 1999,
        "ALB": 2009,
        "MNE": 2017,
        "MKD": 2020,
        "FIN": 2023,
        "SWE": 2024,
    }
    assert {code: by.loc[code, "nato_since"] for code in joined} == joined
    assert by["nato_since"].notna().sum() == 32  # NATO has 32 allies since March 2024
    for code in ("RUS", "UKR", "CHN"):  # SIPRI comparison countries, never allies
        assert pd.isna(by.loc[code, "nato_since"]) and by.loc[code, "kind"] == "country"
    assert (
        by.loc["NATO_TOTAL", "kind"] == "aggregate" and by.loc["NATO_TOTAL", "name"] == "NATO Total"
    )
    assert by.loc["DEU", "name"] == "Germany" and by.loc["RUS", "name"] == "Russia"


def test_indicators_table(store):
    table = milex.indicators(store=store).set_index("indicator")
    share = table.loc["share_gdp"]
    assert share["unit_pattern"] == "^percent of GDP$"
    assert (share["min"], share["max"]) == (0, 200)  # SIPRI: Kuwait 1991 at 117% of GDP
    assert table.loc["spend_usd_current", "unit_pattern"] == "^USD million current$"
    used = set(store.sql("SELECT DISTINCT indicator FROM observations")["indicator"])
    assert used <= set(table.index)
    assert table["description"].notna().all()


def test_latest_is_the_newest_year_of_each_series(store):
    # NATO 2026 edition: Poland 4.68% and Lithuania 5.33% of GDP in 2026 (estimates)
    latest = milex.latest(["POL", "LTU"], store=store).set_index("iso3")
    assert latest["year"].tolist() == [2026, 2026]
    assert latest.loc["POL", "value"] == 4.68 and latest.loc["LTU", "value"] == 5.33
    assert set(latest["status"]) == {"estimate"} and set(latest["vintage"]) == {"2026-07"}
    # SIPRI April 2026 release: Russia 2025, 7.5015% of GDP (sipri_milex_2026.csv)
    rus = milex.latest("RUS", source="sipri", store=store)
    assert rus[["year", "value"]].values.tolist() == [[2025, 7.5015]]
