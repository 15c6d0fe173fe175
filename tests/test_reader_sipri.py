"""The reader of SIPRI's Military Expenditure Database workbook (milex.readers.sipri).

Two kinds of evidence: the real April 2026 workbook (../shared/data/official, where it exists)
read to exactly the figures of the reference extract ../shared/data/sipri_milex_2026.csv; and
workbooks written here in SIPRI's layout (tests/sipri_workbook.py) holding published figures,
with malformed variants refused with messages that name sheet and cell.
"""

from __future__ import annotations

import copy
import hashlib
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from milex import geo
from milex.catalog import read_toml
from milex.errors import DataFileError
from milex.readers import sipri
from milex.readers.xlsx import Workbook, text
from tests.conftest import SHARED
from tests.sipri_workbook import Country, full_size, write

OFFICIAL = SHARED / "official" / "SIPRI-Milex-data-1949-2025_v1.2.xlsx"
SHA256 = "6cc3a30b1064f9f02e60236667eef82e08cad42910ce630909d004ad2c398a9d"
REFERENCE = SHARED / "sipri_milex_2026.csv"
#: Decimals of the reference extract per indicator (it rounds: shares to 4 dp, USD to 0.1,
#: local currency to 0.001 million).
DECIMALS = {"share_gdp": 4, "spend_usd_const": 1, "spend_usd_current": 1, "spend_local_current": 3}
#: Countries whose local-currency unit the reference writes as "local currency": the reader
#: writes LCU (local currency units, no ISO code claimed; see data/sipri_currencies.csv).
LOCAL_CURRENCY = {"CUB", "VEN", "YAR", "YUG", "ZWE"}


# --- the real workbook -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def official() -> Path:
    if not OFFICIAL.is_file() or not REFERENCE.is_file():
        message = (
            f"the real SIPRI workbook or its reference extract is not in {SHARED} "
            "(../shared/data beside the repository): the reader was NOT checked against SIPRI's "
            "published figures"
        )
        # skipped, like the other tests of the reference folder, in CI too: a clone checked
        # out alone has no ../shared; the warning shows in pytest's summary
        warnings.warn(f"SKIPPED LOUDLY: {message}", stacklevel=1)
        pytest.skip(f"SKIPPED LOUDLY: {message}")
    assert hashlib.sha256(OFFICIAL.read_bytes()).hexdigest() == SHA256, "not SIPRI's file"
    return OFFICIAL


@pytest.fixture(scope="module")
def parsed(official: Path) -> sipri.Parsed:
    return sipri.read([official])


@pytest.fixture(scope="module")
def matched(parsed) -> pd.DataFrame:
    """The reference's rows beside the reader's (inner join on country, year, indicator)."""
    reference = pd.read_csv(REFERENCE)
    ours = parsed.observations.assign(
        indicator=parsed.observations["indicator"].replace(
            {"spend_national_current": "spend_local_current"}
        )
    )
    both = reference.merge(
        ours, on=["iso3", "year", "indicator"], how="left", suffixes=("_ref", ""), indicator=True
    )
    assert len(reference) == 34_718
    return both


def test_every_reference_figure_is_read_to_its_published_value(matched):
    missing = matched[matched["_merge"] != "both"]
    assert missing.empty, missing[["iso3", "year", "indicator"]].head()
    half = 0.5 * 10.0 ** -matched["indicator"].map(DECIMALS)
    gap = (matched["value"] - matched["value_ref"]).abs()
    wrong = matched[gap > half * (1 + 1e-9) + matched["value_ref"].abs() * 1e-12]
    assert wrong.empty, wrong[["iso3", "year", "indicator", "value_ref", "value"]].head()
    assert set(matched["indicator"]) == set(DECIMALS)


def test_reader_gives_no_figure_the_reference_lacks(parsed):
    reference = pd.read_csv(REFERENCE)
    counts = parsed.observations["indicator"].value_counts()
    assert counts["share_gdp"] == (reference["indicator"] == "share_gdp").sum() == 8541
    assert counts["spend_usd_const"] == 8472
    assert counts["spend_usd_current"] == 8729
    assert counts["spend_national_current"] == 8976
    # the two sheets the reference leaves out, read all the same
    assert counts["per_capita_usd_current"] > 5000 and counts["share_govt_spending"] > 4000


def test_units_are_the_references_in_milex_words(matched):
    theirs = matched["unit_ref"].str.replace(
        r"^million (\w+) current$", r"\1 million current", regex=True
    )
    differ = matched[theirs != matched["unit"]]
    assert set(differ["iso3"]) == LOCAL_CURRENCY
    assert set(differ["unit"]) == {"LCU million current"}
    assert set(differ["unit_ref"].str.slice(0, 23)) == {"million local currency "}
    assert (
        matched.loc[matched["iso3"] == "POL", "unit"].str.startswith(("PLN", "USD", "percent"))
    ).all()


def test_blue_and_red_figures_are_the_references_estimates(matched):
    blue = matched["source"].str.endswith("SIPRI estimate (blue cell)")
    red = matched["source"].str.endswith("highly uncertain data (red cell)")
    assert blue.sum() == 7572 and red.sum() == 438
    assert (matched["status"] == "estimate").equals(blue | red)
    assert matched["citation"].str.contains("(blue figure)", regex=False).equals(blue)
    assert (
        matched["citation"].str.contains("highly uncertain (red figure)", regex=False).equals(red)
    )
    assert set(matched.loc[~(blue | red), "status"]) == {"actual"}


def test_zeros_only_where_sipri_shows_no_armed_forces(matched, parsed):
    zero = parsed.observations[parsed.observations["value"] == 0]
    assert set(zero["iso3"]) == {"CRI", "ISL", "PAN", "HTI"}  # Haiti: share of govt spending
    kept = matched["source"].str.contains("zero as published")
    assert matched["citation"].str.contains("0 as published").equals(kept)
    # Yugoslavia's current US$ zeros (1958-1990) stand for missing figures: not read
    yug = parsed.observations.query("iso3 == 'YUG' and indicator == 'spend_usd_current'")
    assert yug.empty


def test_published_headlines_of_2025(parsed):
    """SIPRI's fact sheet 'Trends in world military expenditure, 2025': world 2,887 bn US$,
    the US 954 bn, China 336 bn, Russia 190 bn and 7.5% of GDP, Germany 114 bn."""
    obs = parsed.observations.set_index(["iso3", "year", "indicator"])["value"]
    assert round(obs["WLD", 2025, "spend_usd_current"] / 1000) == 2887
    assert round(obs["USA", 2025, "spend_usd_current"] / 1000) == 954
    assert round(obs["CHN", 2025, "spend_usd_current"] / 1000) == 336
    assert round(obs["RUS", 2025, "spend_usd_current"] / 1000) == 190
    assert round(obs["RUS", 2025, "share_gdp"], 1) == 7.5
    assert round(obs["DEU", 2025, "spend_usd_current"] / 1000) == 114
    assert round(obs["POL", 2024, "share_gdp"], 2) == 3.75  # 4.15% in the April 2025 release
    assert ("WLD", 1991, "spend_usd_const") not in obs.index  # "…" in the regional totals


def test_edition_of_the_april_2026_release(parsed):
    assert parsed.source == "sipri" and parsed.layout == "sipri-milex"
    assert parsed.vintage == "2026-04"
    assert parsed.edition["published"] == "2026-04-27"
    assert parsed.edition["complete"] is True
    assert parsed.edition["edition"] == (
        "April 2026 release (data 1949-2025, constant 2024 US$; workbook "
        "SIPRI-Milex-data-1949-2025_v1.2.xlsx)"
    )
    assert set(
        parsed.observations["unit"][parsed.observations["indicator"] == "spend_usd_const"]
    ) == {"USD million constant 2024"}


def test_every_country_row_of_the_workbook_has_one_code(official):
    """Every row with a cell in a data sheet, other than the regions of the regional totals,
    resolves through geo to one code, the reference's where it has the country; no two names
    share a code."""
    book = Workbook(official)
    totals = {text(row[0]) for row in book.rows("Regional totals")}
    names: set[str] = set()
    for sheet in book.sheet_names[2:9]:
        rows = book.rows(sheet)
        start = next(i for i, row in enumerate(rows) if text(row[0]) == "Country") + 1
        names |= {
            text(row[0])
            for row in rows[start:]
            if text(row[0]) and text(row[0]) not in totals and any(c != "" for c in row[3:])
        }
    codes = {name: geo.resolve(name) for name in names}
    assert len(set(codes.values())) == len(codes) == 174
    reference = pd.read_csv(REFERENCE).drop_duplicates("country").set_index("country")["iso3"]
    sipri_names = {name: code for name, code in reference.items() if name in codes}
    assert all(codes[name] == code for name, code in sipri_names.items())
    assert {"XKX", "EUU", "SUN", "CSK", "DDR", "YUG", "YAR", "KOR", "COD"} <= set(codes.values())
    assert all(geo.is_known_code(code) for code in codes.values())


# --- workbooks written in SIPRI's layout ------------------------------------------------------

COUNTRIES = [
    Country("Poland", "Europe", "Central Europe", "Zlotys", "78"),
    Country("Kosovo", "Europe", "Central Europe", "Euro"),
    Country("Yugoslavia", "Europe", "Central Europe", "Dinar", "80"),
    Country("Russia", "Europe", "Eastern Europe", "Roubles", "83"),
    Country("Iceland", "Europe", "Western Europe", "Krónur", "86"),
    Country("Korea, South", "Asia & Oceania", "East Asia", "Won", "58"),
    Country("Myanmar", "Asia & Oceania", "South East Asia", "Kyats", "§¶64"),
]
SHEET_KEYS = ["constant", "current", "share_gdp", "local", "per_capita", "share_govt"]


def _figures() -> dict:
    """SIPRI's published figures (April 2026 release), written as its cells hold them: shares
    as fractions, local currency in full units, the world in US$ billions."""
    poland = {
        2024: [34459.5, 34459.5, 0.037547, 137_176_000_000.0, 890.16, 0.076244],
        2025: [42528.1, 46760.1, 0.044969, 175_733_000_000.0, 1218.77, 0.090178],
    }
    figures: dict = {}
    for year, values in poland.items():
        figures |= {(k, "Poland", year): v for k, v in zip(SHEET_KEYS, values, strict=True)}
    russia = [158236.4, 190416.6, 0.075015, 15_963_560_000_000.0, 1318.35, 0.198266]
    figures |= {(k, "Russia", 2025): (v, "blue") for k, v in zip(SHEET_KEYS, russia, strict=True)}
    figures |= {(k, "Russia", 1991): "xxx" for k in SHEET_KEYS}
    kosovo = [217.3, 234.5, 0.018528, 207_875_000.0]
    figures |= {(k, "Kosovo", 2025): v for k, v in zip(SHEET_KEYS, kosovo, strict=False)}
    figures |= {(k, "Iceland", 2025): 0.0 for k in SHEET_KEYS}
    korea = [48848.0, 47770.9, 0.026015, 67_924_500_000_000.0]
    figures |= {(k, "Korea, South", 2025): v for k, v in zip(SHEET_KEYS, korea, strict=False)}
    figures[("current", "Yugoslavia", 1989)] = 0.0  # SIPRI's zero for a missing figure
    figures[("local", "Yugoslavia", 1989)] = 61_130_000_000_000.0
    figures[("share_gdp", "Myanmar", 2024)] = (0.066048, "red")
    figures[("current", "Myanmar", 2024)] = (5011.3, "red")
    figures[("totals", "World", 2024)] = 2692.3076
    figures[("totals", "World", 1991)] = "…"
    figures[("totals", "World", 1990)] = (1673.6733, "red")  # >10% of it estimated by SIPRI
    figures[("totals current", "World", 2025)] = 2886.6
    return figures


CURRENT, CONST = "USD million current", "USD million constant 2024"
PCT, GOVT, HEAD = "percent of GDP", "percent of government spending", "USD current"
#: What the reader must give for the figures above: shares x 100, local currency / 1e6, the
#: world's billions x 1000; blue and red figures are estimates; Iceland's zeros (its share of
#: GDP is 0: no armed forces) kept, Yugoslavia's zero dropped.
EXPECTED = {
    ("POL", 2024, "spend_usd_const"): (34459.5, CONST, "actual"),
    ("POL", 2024, "spend_usd_current"): (34459.5, CURRENT, "actual"),
    ("POL", 2024, "share_gdp"): (3.7547, PCT, "actual"),
    ("POL", 2024, "spend_national_current"): (137_176.0, "PLN million current", "actual"),
    ("POL", 2024, "per_capita_usd_current"): (890.16, HEAD, "actual"),
    ("POL", 2024, "share_govt_spending"): (7.6244, GOVT, "actual"),
    ("POL", 2025, "spend_usd_const"): (42528.1, CONST, "actual"),
    ("POL", 2025, "spend_usd_current"): (46760.1, CURRENT, "actual"),
    ("POL", 2025, "share_gdp"): (4.4969, PCT, "actual"),
    ("POL", 2025, "spend_national_current"): (175_733.0, "PLN million current", "actual"),
    ("POL", 2025, "per_capita_usd_current"): (1218.77, HEAD, "actual"),
    ("POL", 2025, "share_govt_spending"): (9.0178, GOVT, "actual"),
    ("RUS", 2025, "spend_usd_const"): (158236.4, CONST, "estimate"),
    ("RUS", 2025, "spend_usd_current"): (190416.6, CURRENT, "estimate"),
    ("RUS", 2025, "share_gdp"): (7.5015, PCT, "estimate"),
    ("RUS", 2025, "spend_national_current"): (15_963_560.0, "RUB million current", "estimate"),
    ("RUS", 2025, "per_capita_usd_current"): (1318.35, HEAD, "estimate"),
    ("RUS", 2025, "share_govt_spending"): (19.8266, GOVT, "estimate"),
    ("XKX", 2025, "spend_usd_const"): (217.3, CONST, "actual"),
    ("XKX", 2025, "spend_usd_current"): (234.5, CURRENT, "actual"),
    ("XKX", 2025, "share_gdp"): (1.8528, PCT, "actual"),
    ("XKX", 2025, "spend_national_current"): (207.875, "EUR million current", "actual"),
    ("ISL", 2025, "spend_usd_const"): (0.0, CONST, "actual"),
    ("ISL", 2025, "spend_usd_current"): (0.0, CURRENT, "actual"),
    ("ISL", 2025, "share_gdp"): (0.0, PCT, "actual"),
    ("ISL", 2025, "spend_national_current"): (0.0, "ISK million current", "actual"),
    ("ISL", 2025, "per_capita_usd_current"): (0.0, HEAD, "actual"),
    ("ISL", 2025, "share_govt_spending"): (0.0, GOVT, "actual"),
    ("KOR", 2025, "spend_usd_const"): (48848.0, CONST, "actual"),
    ("KOR", 2025, "spend_usd_current"): (47770.9, CURRENT, "actual"),
    ("KOR", 2025, "share_gdp"): (2.6015, PCT, "actual"),
    ("KOR", 2025, "spend_national_current"): (67_924_500.0, "KRW million current", "actual"),
    ("YUG", 1989, "spend_national_current"): (61_130_000.0, "LCU million current", "actual"),
    ("MMR", 2024, "share_gdp"): (6.6048, PCT, "estimate"),
    ("MMR", 2024, "spend_usd_current"): (5011.3, CURRENT, "estimate"),
    ("WLD", 1990, "spend_usd_const"): (1_673_673.3, CONST, "estimate"),
    ("WLD", 2024, "spend_usd_const"): (2_692_307.6, CONST, "actual"),
    ("WLD", 2025, "spend_usd_current"): (2_886_600.0, CURRENT, "actual"),
}


def _check(parsed: sipri.Parsed, expected: dict = EXPECTED) -> None:
    """The parsed figures are exactly ``expected`` (no more, no fewer)."""
    got = {
        (r.iso3, r.year, r.indicator): (r.value, r.unit, r.status)
        for r in parsed.observations.itertuples()
    }
    assert set(got) == set(expected)
    for key, (value, unit, status) in expected.items():
        assert got[key][0] == pytest.approx(value, rel=1e-12, abs=1e-9), key
        assert got[key][1:] == (unit, status), key


@pytest.fixture
def fixture(tmp_path) -> Path:
    return write(
        tmp_path / "SIPRI-Milex-data-1988-2025.xlsx", COUNTRIES, _figures(), first_year=1988
    )


def test_fixture_is_read_to_the_published_figures(fixture):
    parsed = sipri.read([fixture])
    _check(parsed)
    assert parsed.vintage == "2026-04"
    assert parsed.edition["edition"] == (
        "April 2026 release (data 1988-2025, constant 2024 US$; workbook "
        "SIPRI-Milex-data-1988-2025.xlsx)"
    )
    cited = parsed.observations.set_index(["iso3", "year", "indicator"])["citation"]
    assert cited["POL", 2024, "share_gdp"] == (
        "SIPRI Military Expenditure Database, April 2026 release, "
        "SIPRI-Milex-data-1988-2025.xlsx, sheet 'Share of GDP'"
    )
    assert cited["RUS", 2025, "share_gdp"].endswith("; SIPRI estimate (blue figure)")
    assert cited["MMR", 2024, "share_gdp"].endswith("highly uncertain (red figure)")
    assert cited["ISL", 2025, "spend_usd_current"].endswith(
        "0 as published: no military expenditure (share of GDP 0)"
    )
    assert "(US$ billions, x 1000)" in cited["WLD", 2024, "spend_usd_const"]
    assert cited["WLD", 1990, "spend_usd_const"].endswith(
        "; more than 10% of the total estimated by SIPRI (red figure)"
    )


def test_progress_is_told_per_sheet(fixture):
    seen = []
    sipri.read([fixture], progress=lambda done, total, what: seen.append((done, total, what)))
    assert seen[0] == (1, 7, "Regional totals") and seen[-1] == (7, 7, "Share of Govt. spending")


#: The workbook's last-saved date (data to 2025) -> the vintage, the day published, and what
#: the edition's text adds. SIPRI saves its release from March to June of 2026 (v1.2 on 27
#: April); any other date is a user's later save (or none at all): April 2026, the year after
#: the data's last.
FROM_DATA = "edition taken from the data's last year"
SAVES = "(SIPRI's own saves: March to June 2026)"
SAVED = {
    "2026-04-27T15:13:29Z": ("2026-04", "2026-04-27", ""),  # the real file's date
    "2026-03-02T09:00:00Z": ("2026-03", "2026-03-02", ""),  # the window's first month
    "2026-06-29T09:00:00Z": ("2026-06", "2026-06-29", ""),  # a re-issue, its last month
    "2026-11-30T10:00:00Z": (
        "2026-04",
        None,
        f"; saved 2026-11-30, after the release {SAVES}: {FROM_DATA}",
    ),
    "2026-07-01T08:00:00Z": ("2026-04", None, f"; saved 2026-07-01, after the release {SAVES}"),
    "2026-02-27T17:00:00Z": ("2026-04", None, f"; saved 2026-02-27, before the release {SAVES}"),
    # the April 2025 release's day, on a workbook whose data run to 2025: not SIPRI's
    "2025-04-28T10:00:00Z": ("2026-04", None, f"; saved 2025-04-28, before the release {SAVES}"),
    None: ("2026-04", None, f"; no date in the workbook: {FROM_DATA}"),
}


def _check_edition(parsed: sipri.Parsed, stamp: str | None) -> None:
    """The vintage, the day published and the edition's text the last-saved ``stamp`` gives
    (:data:`SAVED`)."""
    vintage, published, note = SAVED[stamp]
    assert parsed.vintage == vintage
    assert parsed.edition.get("published") == published
    release = "March" if vintage == "2026-03" else "June" if vintage == "2026-06" else "April"
    text = parsed.edition["edition"]
    assert text.startswith(f"{release} 2026 release (data 1988-2025, constant 2024 US$; ")
    assert text.partition("SIPRI-Milex-data-1988-2025.xlsx)")[2].startswith(note)
    assert bool(note) == text.endswith(FROM_DATA)
    cited = parsed.observations.set_index(["iso3", "year", "indicator"])["citation"]
    assert cited["POL", 2024, "share_gdp"].startswith(
        f"SIPRI Military Expenditure Database, {release} 2026 release, "
    )


def _saved_on(folder: Path, stamp: str | None) -> Path:
    """The fixture's workbook, last saved at ``stamp`` (None: no dates)."""
    path = folder / "SIPRI-Milex-data-1988-2025.xlsx"
    return write(path, COUNTRIES, _figures(), first_year=1988, modified=stamp)


@pytest.mark.parametrize("stamp", list(SAVED))
def test_the_edition_is_the_month_sipri_saved_it_else_april_after_the_last_year(tmp_path, stamp):
    """A workbook opened and saved again by a user (Excel, openpyxl: 30 November 2026) is still
    SIPRI's April 2026 release, not a new edition of November."""
    _check_edition(sipri.read([_saved_on(tmp_path, stamp)]), stamp)


def test_a_workbook_saved_again_with_openpyxl_stays_the_april_release(fixture):
    """openpyxl stamps the present time (here after June 2026) as the last save."""
    from openpyxl import load_workbook

    load_workbook(fixture).save(fixture)
    parsed = sipri.read([fixture])
    _check(parsed)
    assert parsed.vintage == "2026-04" and "published" not in parsed.edition
    assert re.search(r"; saved \d{4}-\d\d-\d\d, after the release ", parsed.edition["edition"])


def test_a_new_last_year_moves_the_release(tmp_path):
    """Data to 2026 saved on 27 April 2026: before the release of data to 2026 (April 2027)."""
    figures = _figures() | {("share_gdp", "Poland", 2026): 0.05}
    path = write(tmp_path / "w.xlsx", COUNTRIES, figures, first_year=1988, last_year=2026)
    parsed = sipri.read([path])
    assert parsed.vintage == "2027-04" and "published" not in parsed.edition
    assert parsed.edition["edition"].endswith(
        "; saved 2026-04-27, before the release (SIPRI's own saves: March to June 2027): "
        "edition taken from the data's last year"
    )


@pytest.mark.parametrize(
    ("window", "stamp"),
    [
        ((1, 12), "2026-11-30T10:00:00Z"),  # the rule dropped: any month saved an edition
        ((4, 6), "2026-03-02T09:00:00Z"),  # a month shorter at either end
        ((3, 5), "2026-06-29T09:00:00Z"),
    ],
)
def test_mutations_of_the_release_window_are_caught(tmp_path, monkeypatch, window, stamp):
    monkeypatch.setattr(sipri, "SIPRI_SAVES", window)
    with pytest.raises(AssertionError):
        _check_edition(sipri.read([_saved_on(tmp_path, stamp)]), stamp)


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        (
            {"omit": ("Share of GDP",)},
            "w.xlsx: no sheet 'Share of GDP' (sheets: Front page, Regional",
        ),
        ({"omit": ("Constant (2024) US$",)}, "no sheet 'Constant (YYYY) US$'"),
        (
            {"headers": {"share_gdp": ["Nation", "Notes"]}},
            "w.xlsx, sheet 'Share of GDP': no header row starting with 'Country' in column A",
        ),
        (
            {"headers": {"local": ["Country", "Currency code", "Notes"]}},
            "sheet 'Local currency calendar years', cell B7: header 'Currency code' where "
            "SIPRI's layout has 'Currency'",
        ),
        (
            {"figures": {("share_gdp", "Poland", 2024): "abc"}},
            # Share of GDP: title, 1 note, 2 legend lines, a blank, header in row 6, a blank,
            # Europe (8), Central Europe (9), Poland (10); 2024 is column 3 + 36 = AM
            "w.xlsx, sheet 'Share of GDP', cell AM10: 'abc' is not a number",
        ),
        # an extra country after Myanmar: in the constant US$ sheet (read first) the header
        # is row 6, then a blank, Europe, Central Europe, 3 countries, Eastern Europe, Russia,
        # Western Europe, Iceland (16), Asia & Oceania, East Asia, Korea (19), South East Asia,
        # Myanmar (21), then the new one's region and sub-region (22, 23) and itself (24), or
        # after the new sub-region heading of the same region (22), itself (23); 2025 is
        # column 4 + 37 = AO (Country, a blank column, Notes, 1988 ...)
        (
            {"extra": [Country("Atlantis", "Europe", "Western Europe")]},
            "sheet 'Constant (2024) US$', cell A24: unknown country 'Atlantis'; add the name "
            "to milex/data/aliases.csv",
        ),
        (
            {"extra": [Country("South Korea", "Asia & Oceania", "East Asia")]},
            "KOR 2025 spend_usd_const is given twice (sheet 'Constant (2024) US$', cell AO19 "
            "and sheet 'Constant (2024) US$', cell AO23)",
        ),
        (
            {"totals_base": 2023},
            "say constant 2023 prices, where the constant US$ sheet is at 2024",
        ),
    ],
)
def test_a_changed_layout_is_refused_where_it_changed(tmp_path, variant, message):
    figures = _figures() | variant.get("figures", {})
    extra = variant.get("extra", [])
    for country in extra:
        figures[("constant", country.name, 2025)] = 1.0
    options = {k: v for k, v in variant.items() if k in ("omit", "headers", "totals_base")}
    path = write(tmp_path / "w.xlsx", COUNTRIES + extra, figures, first_year=1988, **options)
    with pytest.raises(DataFileError) as caught:
        sipri.read([path])
    assert message in str(caught.value)


def test_a_year_header_that_is_no_year_is_refused(fixture):
    from openpyxl import load_workbook

    book = load_workbook(fixture)
    book["Current US$"]["AN6"] = "2025 (prelim.)"  # header row 6; 2025 is column 3 + 37 = AN
    book.save(fixture)
    with pytest.raises(
        DataFileError,
        match=r"sheet 'Current US\$', cell AN6: header '2025 \(prelim\.\)' is not a year",
    ):
        sipri.read([fixture])


def test_extra_aggregate_rows_and_headings_are_passed_over(tmp_path):
    """A region's or the world's row of figures among the countries, and a new heading, are
    not countries: the figures read are the same."""
    countries = [
        *COUNTRIES[:4],
        Country("Europe", "Europe", "Western Europe"),
        Country("World", "Europe", "Western Europe"),
        Country("Iceland", "Europe", "Nordic countries", "Krónur", "86"),
        *COUNTRIES[5:],
    ]
    figures = _figures() | {(k, n, 2025): 5.0 for k in SHEET_KEYS for n in ("Europe", "World")}
    _check(sipri.read([write(tmp_path / "w.xlsx", countries, figures, first_year=1988)]))


def test_a_new_year_column_is_read(tmp_path):
    figures = _figures() | {
        ("share_gdp", "Poland", 2026): 0.05,
        ("totals current", "World", 2026): 3000.0,
    }
    path = write(tmp_path / "w.xlsx", COUNTRIES, figures, first_year=1988, last_year=2026)
    expected = {k: v for k, v in EXPECTED.items() if k[0] != "WLD" or k[1] != 2025}
    expected[("POL", 2026, "share_gdp")] = (5.0, PCT, "actual")
    expected[("WLD", 2026, "spend_usd_current")] = (3_000_000.0, CURRENT, "actual")
    parsed = sipri.read([path])
    _check(parsed, expected)
    assert "(data 1988-2026," in parsed.edition["edition"]


def test_only_one_workbook_is_read(fixture):
    with pytest.raises(DataFileError, match="reads one workbook"):
        sipri.read([fixture, fixture])


def test_an_unknown_currency_is_refused_with_the_table_to_complete():
    with pytest.raises(DataFileError, match=r"add a row to milex/data/sipri_currencies\.csv"):
        sipri.currency("ATA", 2025)  # Antarctica: no currency in CLDR
    assert sipri.currency("HRV", 2025) == "EUR"  # SIPRI's column says kunas, the values are euro
    assert sipri.currency("BGR", 2025) == "BGN" and sipri.currency("ZWE", 2025) == "LCU"


@pytest.mark.parametrize(
    "mutation",
    ["no x100 for shares", "no /1e6 for local currency", "blue read as actual", "zeros kept"],
)
def test_mutations_of_the_conversions_are_caught(fixture, monkeypatch, mutation):
    """Flip a scale or the colour mapping and the fixture's published figures no longer match."""
    layout = copy.deepcopy(read_toml("sipri.toml"))
    sheets = {spec["indicator"]: spec for spec in layout["sheets"]}
    if mutation == "no x100 for shares":
        sheets["share_gdp"]["percent"] = False
    elif mutation == "no /1e6 for local currency":
        del sheets["spend_national_current"]["scale"]
    elif mutation == "blue read as actual":
        monkeypatch.setitem(sipri.MARKS, "blue", ("actual", ""))
    else:
        sheets["spend_usd_current"]["money"] = False
    monkeypatch.setattr(sipri, "read_toml", lambda name: layout)
    with pytest.raises(AssertionError):
        _check(sipri.read([fixture]))


def test_zero_rule_follows_the_share_of_gdp(fixture):
    obs = sipri.read([fixture]).observations
    assert not ((obs["iso3"] == "YUG") & (obs["indicator"] == "spend_usd_current")).any()
    assert np.isclose(obs.loc[obs["iso3"] == "ISL", "value"], 0).all()


def test_the_price_base_year_comes_from_the_sheets_name(tmp_path):
    """The April 2025 release was at constant 2023 prices: 'Constant (2023) US$'."""
    path = write(tmp_path / "w.xlsx", COUNTRIES, _figures(), first_year=1988, base_year=2023)
    obs = sipri.read([path]).observations
    constant = obs[obs["indicator"] == "spend_usd_const"]
    assert set(constant["unit"]) == {"USD million constant 2023"}
    assert len(constant) == sum(1 for key in EXPECTED if key[2] == "spend_usd_const")


def test_the_full_size_fixture_has_sipris_size(tmp_path):
    """The benchmark's and crash trials' workbook: 175 countries, 1949-2025, six data sheets."""
    parsed = sipri.read([full_size(tmp_path / "full.xlsx")])
    obs = parsed.observations
    assert obs.loc[obs["iso3"] != "WLD", "iso3"].nunique() == 175
    assert (obs["year"].min(), obs["year"].max()) == (1949, 2025)
    assert obs.groupby("indicator")["iso3"].nunique().min() == 175
    assert obs["indicator"].nunique() == 6 and len(obs) > 45_000
    assert 0.05 < (obs["status"] == "estimate").mean() < 0.15
