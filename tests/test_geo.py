"""Names resolve in English, Dutch, German and French; groups know who was a member when."""

from __future__ import annotations

import pytest

from milex import geo
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
