"""Names resolve in English, Dutch, German and French; groups know who was a member when."""

from __future__ import annotations

import tomllib
import unicodedata

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import milex
from milex import geo
from milex.catalog import data_dir
from milex.errors import InputError


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Duitsland", "DEU"),
        ("Allemagne", "DEU"),
        ("Deutschland", "DEU"),
        ("Germany", "DEU"),
        ("DEU", "DEU"),
        ("de", "DEU"),
        ("UK", "GBR"),
        ("Verenigd Koninkrijk", "GBR"),
        ("Royaume-Uni", "GBR"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Turkije", "TUR"),
        ("Türkei", "TUR"),
        ("Turquie", "TUR"),
        ("turkiye", "TUR"),
        ("Czech Republic", "CZE"),
        ("Czechia", "CZE"),
        ("Tsjechië", "CZE"),
        ("Tchéquie", "CZE"),
        ("North Macedonia", "MKD"),
        ("Noord-Macedonië", "MKD"),
        ("Nordmazedonien", "MKD"),
        ("Macédoine du Nord", "MKD"),
        ("Verenigde Staten", "USA"),
        ("États-Unis", "USA"),
        ("Russland", "RUS"),
        ("Russie", "RUS"),
        ("Zuid-Korea", "KOR"),
        ("Weißrussland", "BLR"),
        ("Biélorussie", "BLR"),
        ("NATO Total", "NATO_TOTAL"),
        ("  poland ", "POL"),
    ],
)
def test_names_resolve(name, iso3):
    assert geo.resolve(name) == iso3


def test_unknown_name_names_closest_matches():
    with pytest.raises(InputError) as info:
        geo.resolve("Germny")
    message = str(info.value)
    assert "'Germny'" in message and "Germany (DEU)" in message


@pytest.mark.parametrize(
    ("year", "count", "inside", "outside"),
    [
        (2014, 28, ["ALB", "HRV"], ["MNE", "MKD", "FIN", "SWE"]),
        (2017, 29, ["MNE"], ["MKD"]),
        (2020, 30, ["MKD"], ["FIN"]),
        (2023, 31, ["FIN"], ["SWE"]),
        (2024, 32, ["SWE", "ISL"], []),
    ],
)
def test_nato_membership_by_year(year, count, inside, outside):
    allies = geo.members("nato", year)
    assert len(allies) == count
    assert set(inside) <= set(allies)
    assert not set(outside) & set(allies)


def test_groups():
    assert geo.members("baltics") == ["EST", "LTU", "LVA"]
    assert "USA" not in geo.members("europe-canada", 2024)
    assert len(geo.members("europe-canada", 2024)) == 31
    assert "GBR" in geo.members("eu", 2019) and "GBR" not in geo.members("eu", 2020)
    assert geo.expand(["baltics", "Polen"]) == ["EST", "LTU", "LVA", "POL"]
    with pytest.raises(InputError, match="known groups"):
        geo.group_info("warsaw-pact")


def test_api_members_of_nato_in_2023():
    """Finland joined NATO on 4 April 2023, Sweden on 7 March 2024 (NATO, member countries)."""
    allies = milex.members("nato", 2023)
    assert "FIN" in allies and "SWE" not in allies
    assert len(allies) == 31
    assert "SWE" in milex.members("nato", 2024) and len(milex.members("nato", 2024)) == 32
    assert "FIN" not in milex.members("nato", 2022)


def test_api_groups_table():
    with (data_dir() / "groups.toml").open("rb") as handle:
        declared = tomllib.load(handle)
    table = milex.groups().set_index("group")
    assert list(table.index) == list(declared)
    assert table.loc["baltics", "members"] == "EST LTU LVA"
    assert table.loc["nato", "aggregate"] == "NATO_TOTAL"
    assert table.loc["europe-canada", "aggregate"] == "NATO_EUROPE_CANADA"
    # NATO publishes aggregates for the Alliance and for Europe and Canada only
    assert set(table.index[table["aggregate"].notna()]) == {"nato", "europe-canada"}
    assert "USA" in table.loc["nato", "members"].split()
    assert "USA" not in table.loc["europe-canada", "members"].split()
    assert len(table.loc["nato", "members"].split()) == 32
    assert table["description"].str.len().gt(0).all()


# ------------------------------------------------------------------ properties of name lookup

COUNTRIES = sorted(pycountry.countries, key=lambda c: c.alpha_3)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(COUNTRIES))
def test_every_iso_code_resolves_to_itself(country):
    assert geo.resolve(country.alpha_3) == country.alpha_3
    assert geo.resolve(country.alpha_3.lower()) == country.alpha_3
    assert geo.resolve(country.alpha_2) == country.alpha_3
    assert geo.resolve(country.name) == country.alpha_3


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


NAMES = [
    "Duitsland",
    "Allemagne",
    "Türkiye",
    "Tsjechië",
    "Tchéquie",
    "Noord-Macedonië",
    "Macédoine du Nord",
    "États-Unis",
    "Weißrussland",
    "Biélorussie",
    "Royaume-Uni",
    "Côte d'Ivoire",
    "Österreich",
    "Suède",
    "Zuid-Korea",
    *(c.name for c in COUNTRIES),
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NAMES), st.lists(st.booleans(), min_size=40, max_size=40), st.booleans())
def test_case_and_accents_do_not_matter(name, upper, composed):
    """Any mix of upper and lower case, accents or none, composed or decomposed, same code."""
    code = geo.resolve(name)
    mixed = "".join(ch.upper() if upper[i % 40] else ch.lower() for i, ch in enumerate(name))
    assert geo.resolve(mixed) == code
    assert geo.resolve(_strip_accents(name)) == code
    assert geo.resolve(unicodedata.normalize("NFC" if composed else "NFD", name)) == code
    assert geo.resolve(f"  {name}\t") == code
