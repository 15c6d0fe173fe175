"""The newest embedded editions, checked against figures as their publishers printed them.

Every expected value is a literal copied from the publication (or the workbook cell) named in
the comment beside it, and read back through the public API (``milex.series``, ``milex.notes``,
``milex.sources``) with an explicit ``vintage``. The store is built in the temporary milex home
that tests/conftest.py sets up.
"""

from __future__ import annotations

import csv
import io
from importlib.resources import files

import pytest

import milex


def value(country, indicator, year, vintage, source="nato"):
    """The one figure of a series in one edition."""
    frame = milex.series(country, indicator, year, source=source, vintage=vintage)
    assert len(frame) == 1, frame
    return frame.iloc[0]


def embedded_notes() -> list[dict[str, str]]:
    """The shipped notes table, to check which edition and years a note is scoped to."""
    text = (files("milex") / "data" / "notes.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- SIPRI April 2026


def test_sipri_2026_russia_2025():
    # SIPRI fact sheet "Trends in world military expenditure, 2025" (April 2026): Russia
    # 190 bn USD, 7.5% of GDP. Cells of SIPRI-Milex-data-1949-2025_v1.2.xlsx, sheets
    # "Current US$" (190,416.6 US$ m) and "Share of GDP" (0.075015), both SIPRI estimates (blue).
    usd = value("RUS", "spend_usd_current", 2025, "2026-04", "sipri")
    share = value("RUS", "share_gdp", 2025, "2026-04", "sipri")
    assert usd["value"] == pytest.approx(190416.6)
    assert usd["unit"] == "USD million current"
    assert round(usd["value"] / 1000) == 190
    assert share["value"] == pytest.approx(7.5015)
    assert round(share["value"], 1) == 7.5
    assert usd["status"] == share["status"] == "estimate"


def test_sipri_2026_world_total_2025():
    # SIPRI fact sheet (April 2026): world military expenditure 2025 = 2,887 bn USD; workbook
    # sheet "Regional totals", World, "2025 (current prices)" = 2,886.5722 US$ bn.
    world = value("WLD", "spend_usd_current", 2025, "2026-04", "sipri")
    assert world["value"] == pytest.approx(2886572.2)
    assert round(world["value"] / 1000) == 2887
    # The constant-price series moved to 2024 US$ (2023 US$ in the April 2025 release).
    const = value("WLD", "spend_usd_const", 2025, "2026-04", "sipri")
    assert const["unit"] == "USD million constant 2024"
    assert value("WLD", "spend_usd_const", 2024, "2025-04", "sipri")["unit"] == (
        "USD million constant 2023"
    )


def test_sipri_releases_stay_apart_and_newest_is_default():
    # Russia 2024 share of GDP: 7.0523% in the April 2025 release (0.070523 in
    # SIPRI-Milex-data-1949-2024_2.xlsx), revised to 6.8742% in the April 2026 release.
    assert value("RUS", "share_gdp", 2024, "2025-04", "sipri")["value"] == pytest.approx(7.0523)
    assert value("RUS", "share_gdp", 2024, "2026-04", "sipri")["value"] == pytest.approx(6.8742)
    newest = milex.series("RUS", "share_gdp", 2024, source="sipri")
    assert newest["vintage"].tolist() == ["2026-04"]


def test_sipri_2026_subset_is_under_the_reuse_limit():
    # SIPRI's terms: reproducing more than 10% of the database needs permission. The April 2026
    # workbook has 173 country rows (official/README.md of the reference data; counted in the
    # workbook's data sheets): milex ships 10 comparison countries and the world total.
    frame = milex.series(source="sipri", vintage="2026-04")
    embedded = set(frame["iso3"])
    assert embedded == {"RUS", "UKR", "CHN", "BLR", "IRN", "IND", "JPN", "KOR", "ISR", "AUS", "WLD"}
    assert 100 * len(embedded) / 173 < 10
    assert not embedded & set(milex.members("nato"))
    # the edition's metadata says the subset is partial
    row = milex.sources().set_index(["source", "vintage"]).loc[("sipri", "2026-04")]
    assert not row["complete"] and "subset" in row["coverage_note"]


def test_sipri_2026_belarus_local_currency_in_byn():
    # April 2026 workbook, Belarus 2024: 4,881.37 m BYN (sheet "Local currency calendar years")
    # and 1,503.7 US$ m: 3.25 BYN per USD, the market rate. The April 2025 release's
    # local-currency figures were left out (implied rate ten times too high).
    local = value("BLR", "spend_national_current", 2024, "2026-04", "sipri")
    assert local["unit"] == "BYN million current"
    assert local["value"] == pytest.approx(4881.37)
    usd = value("BLR", "spend_usd_current", 2024, "2026-04", "sipri")["value"]
    assert local["value"] / usd == pytest.approx(3.246, abs=0.001)
    assert milex.series("BLR", "spend_national_current", source="sipri", vintage="2025-04").empty


# --------------------------------------------------------------------------- IMF WEO April 2026


def test_weo_2026_projects_to_2031():
    # IMF WEO April 2026 (published 14 April 2026), Germany 2031: NGDP 5,418.259 bn EUR,
    # NGDPD 6,351.962 bn USD, NGDP_RPCH 0.623%, all projections; April 2025 ended in 2030.
    germany = milex.series("DEU", None, 2031, source="weo", vintage="2026-04")
    assert len(germany) == 7 and set(germany["status"]) == {"projection"}
    by_indicator = germany.set_index("indicator")["value"]
    assert by_indicator["gdp_national_current"] == pytest.approx(5418.259)
    assert by_indicator["gdp_usd_current"] == pytest.approx(6351.962)
    assert by_indicator["gdp_real_growth"] == pytest.approx(0.623)
    assert milex.series("DEU", None, 2031, source="weo", vintage="2025-04").empty
    row = milex.sources().set_index(["source", "vintage"]).loc[("weo", "2026-04")]
    assert str(row["published"])[:10] == "2026-04-14"
    assert "inferred" in row["coverage_note"]


def test_weo_2026_status_is_inferred_and_kept():
    # Reference data README: status "projection" from 2026, "unknown" between the April 2025
    # WEO's last actual year and 2026 (mostly 2025); kept as the shared file gives it.
    usa = milex.series("USA", "gdp_usd_current", (2024, 2026), source="weo", vintage="2026-04")
    assert usa.set_index("year")["status"].to_dict() == {
        2024: "actual",
        2025: "unknown",
        2026: "projection",
    }
    assert any("inferred" in note for note in milex.notes("weo"))


def test_weo_2026_bulgaria_in_euro():
    # IMF WEO April 2026: Bulgaria's NGDP is in euro for all years (2014: 43.024 bn EUR);
    # April 2025 gave leva (84.148 bn BGN); 84.148 / 1.95583 (BGN per EUR) = 43.024.
    april_2026 = value("BGR", "gdp_national_current", 2014, "2026-04", "weo")
    april_2025 = value("BGR", "gdp_national_current", 2014, "2025-04", "weo")
    assert (april_2026["value"], april_2026["unit"]) == (43.024, "EUR billion current")
    assert (april_2025["value"], april_2025["unit"]) == (84.148, "BGN billion current")
    assert april_2025["value"] / 1.95583 == pytest.approx(april_2026["value"], abs=0.001)
    assert any("euro" in note for note in milex.notes("weo", "BGR", only_country=True))


@pytest.mark.parametrize(
    ("iso3", "base_2025", "base_2026"),
    # IMF WEO NGDP_D: the year at 100 in April 2025 and in April 2026
    [("GBR", 2022, 2023), ("ISL", 2015, 2020), ("NOR", 2022, 2023), ("SWE", 2023, 2024),
     ("UKR", 2016, 2021)],
)  # fmt: skip
def test_weo_2026_deflators_rebased(iso3, base_2025, base_2026):
    old = milex.series(iso3, "gdp_deflator", source="weo", vintage="2025-04")
    new = milex.series(iso3, "gdp_deflator", source="weo", vintage="2026-04")
    old, new = old.set_index("year")["value"], new.set_index("year")["value"]
    assert (old[base_2025], new[base_2026]) == (100.0, 100.0)
    assert abs(new[2014] - old[2014]) > 1  # levels are not comparable across the two vintages
    note = milex.notes("weo", iso3, only_country=True)
    assert any("compare its growth, not its level" in text for text in note)


def test_weo_2026_norway_deflator_growth_comparable():
    # Norway NGDP_D 2014 and 2020: 62.882 and 64.778 in April 2025 (2022 = 100), 71.582 and
    # 73.801 in April 2026 (2023 = 100): levels differ, growth agrees to 0.1 point.
    def growth(vintage):
        s = milex.series("NOR", "gdp_deflator", (2014, 2020), source="weo", vintage=vintage)
        s = s.set_index("year")["value"]
        return 100 * (s[2020] / s[2014] - 1)

    assert growth("2025-04") == pytest.approx(3.015, abs=0.01)
    assert growth("2026-04") == pytest.approx(growth("2025-04"), abs=0.1)


def test_weo_2026_poland_2014_cpi_blank():
    # The reference extract of the April 2026 WEO has no Poland 2014 CPI inflation (PCPIPCH).
    cpi = milex.series("POL", "inflation_cpi", (2014, 2015), source="weo", vintage="2026-04")
    assert cpi["year"].tolist() == [2015]
    [note] = [
        row
        for row in embedded_notes()
        if row["kind"] == "missing" and row["source"] == "weo" and row["iso3"] == "POL"
    ]
    assert (note["vintage"], note["indicator"], note["years"]) == (
        "2026-04",
        "inflation_cpi",
        "2014",
    )


# --------------------------------------------------------------------------- NATO August 2025


def test_nato_2025_table3_for_every_ally():
    # NATO "Defence Expenditure of NATO Countries (2014-2025)", 28 Aug 2025, Table 3: share of
    # real GDP 2014-2024 for the 31 allies with figures and both aggregates (33 x 11 = 363).
    table3 = milex.series(None, "share_gdp", (2014, 2024), vintage="2025-08")
    assert len(table3) == 363
    assert table3.groupby("iso3")["year"].nunique().eq(11).all()
    assert {"NATO_TOTAL", "NATO_EUROPE_CANADA"} <= set(table3["iso3"])
    assert set(table3.loc[table3["year"] == 2024, "status"]) == {"estimate"}
    # Germany 2024e 2.00 (Table 3); Poland 2024e 3.79 (Table 3, the edition's highest)
    assert value("DEU", "share_gdp", 2024, "2025-08")["value"] == 2.00
    poland = value("POL", "share_gdp", 2024, "2025-08")
    assert (poland["value"], poland["status"]) == (3.79, "estimate")


def test_nato_2025_still_partial():
    # Only Table 3 (plus some 2025 estimates and Sweden's 2025 equipment share) of the 2025
    # edition is embedded: it stays marked partial, and says so.
    row = milex.sources().set_index(["source", "vintage"]).loc[("nato", "2025-08")]
    assert not row["complete"]
    assert "2014-2024 for all 31 allies" in row["coverage_note"]
    assert milex.series(None, "spend_usd_current", vintage="2025-08").empty
    estimates_2025 = milex.series(None, "share_gdp", 2025, vintage="2025-08")
    assert len(estimates_2025) == 21 and "DEU" not in set(estimates_2025["iso3"])
    edition_note = milex.notes("nato", kind="missing")
    assert any("2014-2024 for every ally" in text for text in edition_note)


def test_albania_2023_kept_as_each_edition_published():
    # Albania 2023 share of GDP: 1.75 in the 2024 edition (estimate) and the 2025 edition
    # (Table 3), 1.29 in the 2026 edition (revised). Editions are never mixed.
    assert value("ALB", "share_gdp", 2023, "2024-06")["value"] == 1.75
    assert value("ALB", "share_gdp", 2023, "2025-08")["value"] == 1.75
    assert value("ALB", "share_gdp", 2023, "2026-07")["value"] == 1.29
    assert value("ALB", "share_gdp", 2023, None)["vintage"] == "2026-07"
    assert any("1.75" in t and "1.29" in t for t in milex.notes("nato", "ALB", only_country=True))


# --------------------------------------------------------------------------- Luxembourg


def test_luxembourg_denominator_caveat_per_edition():
    # NATO 2024 edition: LUX 2022 438 EUR m at 0.56%, 2023e 594 EUR m at 1.12% (Tables 1, 3):
    # implied GDP 78,214 -> 53,036 EUR m, the smaller denominator from 2023.
    # NATO 2025 edition, Table 3: 0.56 (2022) -> 1.06 (2023).
    # NATO 2026 edition, Table 5 (2021 prices): GDP 85,331 USD m in 2022, 58,042 in 2023.
    def share(year, vintage):
        return value("LUX", "share_gdp", year, vintage)["value"]

    def spend(year, vintage):
        return value("LUX", "spend_national_current", year, vintage)["value"]

    implied = {y: 100 * spend(y, "2024-06") / share(y, "2024-06") for y in (2022, 2023)}
    assert round(implied[2022], -2) == 78200 and round(implied[2023], -3) == 53000
    gdp = milex.series("LUX", "gdp_usd_const", (2022, 2023), vintage="2026-07")
    assert gdp["value"].tolist() == [85331.0, 58042.0]
    assert (share(2022, "2025-08"), share(2023, "2025-08")) == (0.56, 1.06)

    texts = milex.notes("nato", "LUX", only_country=True)
    quoted = {
        "The 2024 edition's": ["438", "594", "0.56", "1.12", "78,200", "53,000"],
        "The 2025 edition's": ["0.56", "1.06", "27.41"],
        "GDP in the 2026 edition": ["85,331 USD million in 2022", "58,042 in 2023"],
    }
    for edition, numbers in quoted.items():
        [text] = [t for t in texts if edition in t]
        assert all(n in text for n in numbers), (edition, text)
    assert value("LUX", "real_change_pct", 2023, "2026-07")["value"] == 27.41

    # one caveat per affected edition, each from 2023 to that edition's last year
    scopes = {
        (row["vintage"], row["years"])
        for row in embedded_notes()
        if row["kind"] == "caveat" and row["source"] == "nato" and row["iso3"] == "LUX"
    }
    assert scopes == {("2024-06", "2023-2024"), ("2025-08", "2023-2025"), ("2026-07", "2023-2026")}
