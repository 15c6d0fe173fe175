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

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import milex
from milex.catalog import data_dir
from milex.cli import main
from milex.comparison.bases import BASES, member_amount, on_basis
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


# NATO Defence Expenditure (July 2026, nato_2026-07.csv), spend_usd_current for 2024, USD million
# current, the 30 allies of NATO Europe and Canada counted in 2024 (Iceland has no armed forces
# and no figure), as read from the file.
EUROPE_CANADA_USD_2024 = {
    "ALB": 367.0,
    "BEL": 8549.0,
    "BGR": 2193.0,
    "CAN": 32071.0,
    "CZE": 6889.0,
    "DEU": 93747.0,
    "DNK": 9720.0,
    "ESP": 24555.0,
    "EST": 1425.0,
    "FIN": 6302.0,
    "FRA": 64332.0,
    "GBR": 84169.0,
    "GRC": 7103.0,
    "HRV": 1718.0,
    "HUN": 4934.0,
    "ITA": 36142.0,
    "LTU": 2626.0,
    "LUX": 784.0,
    "LVA": 1441.0,
    "MKD": 312.0,
    "MNE": 138.0,
    "NLD": 21885.0,
    "NOR": 10825.0,
    "POL": 34454.0,
    "PRT": 4849.0,
    "ROU": 8312.0,
    "SVK": 2800.0,
    "SVN": 981.0,
    "SWE": 13300.0,
    "TUR": 28274.0,
}


def test_europe_canada_2024_at_market_rates_is_the_sum_of_30_allies_by_hand():
    assert len(EUROPE_CANADA_USD_2024) == 30
    for code, usd in EUROPE_CANADA_USD_2024.items():
        assert figure("nato_2026-07.csv", code, 2024, "spend_usd_current") == usd
    # 367 + 8,549 + ... + 28,274 = 515,197 (NATO's own aggregate, rounded per ally: 515,198)
    assert math.fsum(EUROPE_CANADA_USD_2024.values()) == 515_197
    row = spending(milex.compare("europe-canada", "RUS", 2024, basis="mer"), "mer", 2024)
    assert row["side_a"] == 515_197
    assert row["missing_a"].startswith("1 of 31 missing: ISL")
    # every input is NATO's "actual"; Russia's SIPRI 2024 figure is a SIPRI estimate
    assert row["status"] == "estimate"
    mer_only = spending(milex.compare("europe-canada", "USA", 2024, basis="mer"), "mer", 2024)
    assert mer_only["status"] == "actual"


def test_europe_canada_2024_at_gdp_ppp_by_hand():
    # national currency (NATO July 2026) / IMF WEO April 2026 ppp_conversion, 2024:
    #   Poland  PLN 137,176 m / 1.911 PLN per int$ = 71,782.31 int$ m
    #   Germany EUR  86,638 m / 0.722 EUR per int$ = 119,997.23 int$ m
    #   Estonia EUR   1,317 m / 0.608 EUR per int$ = 2,166.12 int$ m
    by_hand = {"POL": (137_176, 1.911), "DEU": (86_638, 0.722), "EST": (1_317, 0.608)}
    for code, (national, factor) in by_hand.items():
        assert figure("nato_2026-07.csv", code, 2024, "spend_national_current") == national
        assert figure("weo_2026-04.csv", code, 2024, "ppp_conversion") == factor
        row = spending(milex.compare(code, "RUS", 2024, basis="ppp"), "ppp", 2024)
        assert row["side_a"] == pytest.approx(national / factor)
    assert round(137_176 / 1.911, 2) == 71_782.31
    assert round(86_638 / 0.722, 2) == 119_997.23
    assert round(1_317 / 0.608, 2) == 2_166.12
    # the 30 allies' quotients summed the same way (same files, same filter): 760,614.06 int$ m
    row = spending(milex.compare("europe-canada", "RUS", 2024, basis="ppp"), "ppp", 2024)
    assert row["side_a"] == pytest.approx(760_614.06, abs=0.01)
    # WEO April 2026 gives Albania's, Denmark's, Luxembourg's and Montenegro's 2024 factor as
    # "unknown" status: the row says so, and a note names them
    assert row["status"] == "estimate"  # Russia's SIPRI figure is an estimate
    against_usa = milex.compare("europe-canada", "USA", 2024, basis="ppp")
    assert spending(against_usa, "ppp", 2024)["status"] == "unknown"
    assert any(
        n.startswith("NATO Europe and Canada, spending (ppp), 2024: rests on figures that are not")
        and "weo 2026-04 ppp_conversion 2024 unknown (ALB, DNK, LUX, MNE)" in n
        for n in against_usa.notes
    )


# ------------------------------------------------------------------ status of the inputs


def test_projected_and_estimated_inputs_are_flagged_with_a_note():
    # Poland 2026 (NATO July 2026, estimates): PLN 193,789 m, USD 53,080 m; Germany EUR 124,660
    # m, USD 147,002 m. WEO April 2026 PPP factors for 2026 are projections: PLN 1.913, EUR 0.722.
    result = milex.compare("POL", "DEU", 2026)
    mer, ppp = spending(result, "mer", 2026), spending(result, "ppp", 2026)
    assert (mer["side_a"], mer["side_b"]) == (53_080, 147_002)
    assert mer["status"] == "estimate"
    assert ppp["side_a"] == pytest.approx(193_789 / 1.913)
    assert ppp["side_b"] == pytest.approx(124_660 / 0.722)
    assert ppp["status"] == "projection"  # the weakest input: estimate < projection
    assert any(
        n.startswith("Poland, spending (ppp)") and "weo 2026-04 ppp_conversion 2026 projection" in n
        for n in result.notes
    )
    # 2025: the WEO does not say whether its 2025 factor is actual ("unknown"); NATO's 2025
    # figures are estimates: estimate is the weaker
    assert spending(milex.compare("POL", "DEU", 2025), "ppp", 2025)["status"] == "estimate"
    # 2023: everything actual, no note on status
    old = milex.compare("POL", "DEU", 2023)
    assert set(old.frame["status"]) == {"actual"}
    assert not any("not actual" in n for n in old.notes)


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


def test_several_defence_ppp_estimates_for_one_year_are_all_cited_none_picked(store):
    table = store.defence_ppp_table()
    second = table[(table["actor"] == "RUS") & (table["year"] == 2024)].copy()
    second["value_usd_bn"], second["source"] = 400.0, "A second estimate (2025)"
    both = pd.concat([table, second], ignore_index=True)
    value, why = member_amount("defence-ppp", None, "RUS", 2024, both)
    assert value is None
    assert "2 published defence-specific PPP estimates for 2024 (400-461.6 bn)" in why
    assert "IISS, The Military Balance 2025" in why and "461.6 bn" in why
    assert "A second estimate (2025): 400 bn" in why


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
    source=st.sampled_from([None, "nato", "sipri"]),
)
def test_both_sides_are_always_on_the_same_basis(pair, basis, year, source):
    a, b = pair
    try:
        result = milex.compare(a, b, year, basis=basis, source=source)
    except InputError as refused:
        # a source without figures for a side is refused (NATO: allies only; SIPRI: the
        # embedded subset), never half-applied
        assert source is not None
        assert "allies only" in str(refused) or "SIPRI subset" in str(refused)
        return
    if source:
        assert [s["source"] for s in result.extra["sides"]] == [source, source]
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
    swapped = milex.compare(b, a, year, basis=basis, source=source).frame
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


def test_an_ally_without_armed_forces_is_refused_with_that_reason():
    # Iceland is an ally (groups.csv, since 1949) with no armed forces (notes.csv): the refusal
    # gives that reason, not "not an ally"
    with pytest.raises(InputError) as info:
        milex.compare("ISL", "RUS", 2024)
    said = str(info.value)
    assert "Iceland has no armed forces" in said and "not an ally" not in said


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
