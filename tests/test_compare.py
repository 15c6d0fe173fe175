"""Comparisons (issue 8, parts 1 and 4): bases worked out by hand, both sides on one basis,
group sums, defence-PPP estimates with their citations, bad input, the CLI."""

from __future__ import annotations

import csv
import filecmp
import inspect
import math
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import milex
from milex.catalog import data_dir
from milex.cli import main
from milex.comparison.bases import BASES, on_basis
from milex.errors import DataFileError, InputError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")


def rows(name: str) -> list[dict[str, str]]:
    """An embedded observation file read with the csv module (not through milex)."""
    with (data_dir() / "observations" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def figure(name: str, iso3: str, year: int, indicator: str) -> float:
    found = [
        float(r["value"])
        for r in rows(name)
        if r["iso3"] == iso3 and r["year"] == str(year) and r["indicator"] == indicator
    ]
    assert len(found) == 1, (name, iso3, year, indicator)
    return found[0]


def spending(result, basis: str, year: int):
    frame = result.frame
    part = frame[(frame["measure"] == "spending") & (frame["basis"] == basis)]
    return part[part["year"] == year].iloc[0]


# ------------------------------------------------------------------ bases worked out by hand


def test_russia_2024_at_gdp_ppp_by_hand():
    # SIPRI (April 2026): Russia spent RUB 13,827,502 million in 2024.
    # IMF WEO (April 2026) PPP conversion factor for Russia 2024: 29.033 RUB per int$.
    # 13,827,502 / 29.033 = 476,268.45 million international dollars.
    assert figure("sipri_2026-04.csv", "RUS", 2024, "spend_national_current") == 13_827_502
    assert figure("weo_2026-04.csv", "RUS", 2024, "ppp_conversion") == 29.033
    row = spending(milex.compare("europe-canada", "RUS", 2024, basis="ppp"), "ppp", 2024)
    assert row["side_b"] == pytest.approx(476_268.45, abs=0.01)
    assert row["unit"] == "international dollar million current"
    assert "13,827,502.0" in row["how_b"] and "29.033" in row["how_b"]


def test_russia_2024_at_market_rates_and_real_growth_by_hand():
    result = milex.compare("europe-canada", "RUS", 2024)
    # SIPRI (April 2026): USD 149,401.9 million current.
    assert spending(result, "mer", 2024)["side_b"] == 149_401.9
    # Real growth: constant 2024 USD 149,401.9 (2024) / 108,959.5 (2023) - 1 = 37.117 %.
    frame = result.frame
    growth = frame[frame["measure"] == "real_growth"].iloc[0]
    assert growth["side_b"] == pytest.approx(100 * (149_401.9 / 108_959.5 - 1))
    assert growth["side_b"] == pytest.approx(37.117, abs=0.001)


def test_split_weights_equipment_at_market_rates_by_hand():
    # Poland 2024 (NATO July 2026): equipment share e, spending USD m and PLN m; WEO PPP factor.
    eq = figure("nato_2026-07.csv", "POL", 2024, "equipment_share") / 100
    usd = figure("nato_2026-07.csv", "POL", 2024, "spend_usd_current")
    pln = figure("nato_2026-07.csv", "POL", 2024, "spend_national_current")
    factor = figure("weo_2026-04.csv", "POL", 2024, "ppp_conversion")
    result = milex.compare("POL", "RUS", 2024, basis="split")
    assert spending(result, "split", 2024)["side_a"] == pytest.approx(
        eq * usd + (1 - eq) * pln / factor
    )
    # SIPRI publishes no equipment share: Russia's split is missing, and said so.
    row = spending(result, "split", 2024)
    assert math.isnan(row["side_b"]) and "SIPRI publishes no equipment share" in row["missing_b"]


# ------------------------------------------------------------------ defence-specific PPP


def test_defence_ppp_gives_iiss_figure_for_russia_2024_with_its_citation():
    result = milex.compare("RUS", "CHN", 2024, basis="defence-ppp")
    row = spending(result, "defence-ppp", 2024)
    assert row["side_a"] == 461_600  # IISS: 461.6 bn, in million
    assert "IISS, The Military Balance 2025" in row["how_a"]
    assert "145.9 bn at market rates" in row["how_a"]
    # China has no estimate for 2024 (CNA/Connolly's is for 2018): missing, with the reason.
    assert math.isnan(row["side_b"])
    assert "no published defence-specific PPP estimate for 2024" in row["missing_b"]
    assert "2018" in row["missing_b"]


def test_defence_ppp_year_without_an_estimate_is_missing_with_a_reason():
    result = milex.compare("RUS", "UKR", 2017, basis="defence-ppp")
    row = spending(result, "defence-ppp", 2017)
    assert math.isnan(row["side_a"])
    # WMEAT's 2017 spread is named but not taken for a PPP figure
    assert "no published defence-specific PPP estimate for 2017" in row["missing_a"]
    assert "66.5-159 bn" in row["missing_a"]
    assert any("Russia" in n and "defence-ppp" in n for n in result.notes)


def test_defence_ppp_table_is_embedded_with_sources_and_reproducible(tmp_path, store):
    table = store.defence_ppp_table()
    iiss = table[(table["actor"] == "RUS") & (table["year"] == 2024)].iloc[0]
    assert iiss["value_usd_bn"] == 461.6 and iiss["compare_mer_usd_bn"] == 145.9
    assert iiss["source"].startswith("IISS, The Military Balance 2025")
    assert table["source"].str.len().min() > 0
    if not SHARED.is_dir():
        pytest.skip("needs the reference folder shared/data")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    import embed_reference

    out = tmp_path / "data"
    shutil.copytree(data_dir(), out)
    embed_reference.main(["--reference", str(SHARED), "--out", str(out)])
    assert filecmp.cmp(out / "defence_ppp.csv", data_dir() / "defence_ppp.csv", shallow=False)


def test_a_bad_defence_ppp_row_is_refused_naming_file_and_field(data_copy):
    from milex.store.build import load_tables

    path = data_copy / "defence_ppp.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("461.6", "-461.6"), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"defence_ppp.csv, line 2, field value_usd_bn"):
        load_tables(data_copy)


# ------------------------------------------------------------------ both sides on one basis

SIDES = [
    "europe-canada",
    "nato",
    "eu",
    "eastern-flank",
    "baltics",
    "DEU",
    "POL",
    "FRA",
    "USA",
    "RUS",
    "CHN",
    "UKR",
    "BLR",
    "IND",
    "JPN",
]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pair=st.lists(st.sampled_from(SIDES), min_size=2, max_size=2, unique=True),
    basis=st.sampled_from([*BASES, "all"]),
    year=st.integers(2014, 2024),
)
def test_both_sides_are_always_on_the_same_basis(pair, basis, year):
    a, b = pair
    result = milex.compare(a, b, year, basis=basis)
    money = result.frame[result.frame["measure"] == "spending"]
    asked = list(BASES) if basis == "all" else [basis]
    assert list(money["basis"]) == asked
    for row in money.itertuples(index=False):
        # one basis, one unit per row: both sides' figures are in the basis's unit
        assert row.unit == BASES[row.basis].unit
        for value, how in ((row.side_a, row.how_a), (row.side_b, row.how_b)):
            if row.basis == "ppp" and not math.isnan(value):
                assert "per int$" in how or how.startswith("sum of")
    # a side's figure does not depend on the side it is set against: swapped, the same figures
    swapped = milex.compare(b, a, year, basis=basis).frame
    swapped = swapped[swapped["measure"] == "spending"]
    assert list(swapped["side_a"].fillna(-1)) == list(money["side_b"].fillna(-1))
    assert list(swapped["side_b"].fillna(-1)) == list(money["side_a"].fillna(-1))


def test_one_basis_for_both_sides_is_the_shape_of_the_code():
    assert [p for p in inspect.signature(on_basis).parameters] == [
        "basis",
        "sides",
        "year",
        "estimates",
    ]
    for mixed in ("ppp/mer", "ppp,mer", ["ppp", "mer"], ("mer", "ppp")):
        with pytest.raises(InputError, match=r"mixed comparison .* is refused"):
            milex.compare("europe-canada", "RUS", 2024, basis=mixed)


# ------------------------------------------------------------------ groups


def test_a_group_sum_equals_the_sum_of_its_members_at_the_same_basis():
    members = milex.members("eastern-flank", 2024)
    for basis in ("mer", "ppp", "split"):
        group = spending(milex.compare("eastern-flank", "RUS", 2024, basis=basis), basis, 2024)
        each = [
            spending(milex.compare(m, "RUS", 2024, basis=basis), basis, 2024)["side_a"]
            for m in members
        ]
        assert group["side_a"] == pytest.approx(math.fsum(each))
    # at market rates, by hand from NATO's July 2026 file
    usd = [figure("nato_2026-07.csv", m, 2024, "spend_usd_current") for m in members]
    group = spending(milex.compare("eastern-flank", "RUS", 2024, basis="mer"), "mer", 2024)
    assert group["side_a"] == pytest.approx(math.fsum(usd))


def test_missing_members_of_a_group_are_listed_not_dropped():
    row = spending(milex.compare("eu", "RUS", 2024, basis="mer"), "mer", 2024)
    # Austria, Cyprus, Ireland and Malta are EU members but not NATO allies
    for code in ("AUT", "CYP", "IRL", "MLT"):
        assert code in row["missing_a"]
    assert row["missing_a"].startswith("4 of 27 missing")
    europe = spending(milex.compare("europe-canada", "RUS", 2024, basis="mer"), "mer", 2024)
    assert "ISL" in europe["missing_a"] and "no armed forces" in europe["missing_a"]


def test_sipri_for_both_sides_says_when_allies_are_not_in_the_subset():
    with pytest.raises(InputError, match="not in the SIPRI subset milex embeds"):
        milex.compare("DEU", "RUS", 2024, source="sipri")
    result = milex.compare("UKR", "RUS", 2024, source="sipri")
    assert [s["source"] for s in result.extra["sides"]] == ["sipri", "sipri"]
    mixed = milex.compare("POL", "RUS", 2024)
    assert [s["source"] for s in mixed.extra["sides"]] == ["nato", "sipri"]
    assert any("like-for-like" in c for c in mixed.caveats)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("args", "kwargs", "said"),
    [
        (("europe-canada", "RUS"), {"basis": "gdp"}, "basis: got 'gdp'"),
        (("europe-canada", "RUS", 2030), {}, "year 2030 is outside"),
        (("europe-canada", "RUS", "1990-2000"), {}, "outside the figures of both sides"),
        (("RUS", "Russia"), {}, "the same"),
        (("europe-canada", "NATO_EUROPE_CANADA"), {}, "the same"),
        (("RUS", "CHN"), {"source": "nato"}, "allies only"),
        (("RUS", "CHN"), {"source": "weo"}, "nato or sipri"),
    ],
)
def test_bad_input_is_one_line(args, kwargs, said):
    with pytest.raises(InputError) as info:
        milex.compare(*args, **kwargs)
    assert said in str(info.value)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------ race and CLI


def test_race_sets_russias_roubles_and_growth_against_europe():
    result = milex.race("RUS", "2023-2024")
    assert result.kind == "race" and result.query["side_b"] == "europe-canada"
    frame = result.frame
    roubles = frame[(frame["measure"] == "spending_national") & (frame["year"] == 2024)].iloc[0]
    assert roubles["side_a"] == 13_827_502 and roubles["unit"].startswith("RUB million")
    assert "no single currency" in roubles["missing_b"]
    assert set(frame["year"]) == {2023, 2024}
    assert {"sipri", "nato", "weo"} <= set(result.sources["source"])


def test_cli_compare_prints_each_basis_with_its_explanation(capsys):
    with pytest.raises(SystemExit) as info:
        main(["compare", "europe-canada", "RUS", "--years", "2024"])
        raise SystemExit(0)
    out = capsys.readouterr().out
    assert info.value.code in (0, None)
    for basis, meta in BASES.items():
        line = f"Basis {basis}: {meta.explains}"
        assert " ".join(line.split()) in " ".join(out.split())
    assert "461.6 bn" in out and "IISS" in out


def test_cli_compare_bad_input_is_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["compare", "europe-canada", "europe-canada"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and "the same" in err
