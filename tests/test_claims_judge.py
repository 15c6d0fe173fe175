"""Judging readings against the embedded figures: tolerances, intervals, editions as of a date,
groups, pledges, changes, rankings and ratios (docs/claims.md).

Readings are built by hand here, so these tests do not depend on the language layer; every
expected verdict is worked out from the published figures written next to it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from milex.claims import verdicts
from milex.claims.claim import Reading
from milex.claims.figures import Figures
from milex.claims.judging import judge
from milex.store import default_store

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def store():
    return default_store()


def outcome(store, reading, date=None, today=TODAY):
    return judge(reading, Figures(store, date), date or today)


# ------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize(
    ("scale", "stated", "precision", "expected"),
    [
        ("share", 3.5, 0.1, 0.05),  # half of 0.1
        ("share", 4.0, 1.0, 0.25),  # half of 1 = 0.5, bounded to 0.25
        ("share", 3.48, 0.01, 0.05),  # half of 0.01 = 0.005, raised to 0.05
        ("amount", 86e9, 1e9, 1.72e9),  # half of 1 bn = 0.5 bn, raised to 2% of 86 bn
        ("amount", 70e9, 10e9, 5e9),  # half of 10 bn = 5 bn (7.1%, within 2-10%)
        ("amount", 100e9, 100e9, 10e9),  # half of 100 bn = 50 bn, bounded to 10% = 10 bn
        ("growth", 12.0, 1.0, 0.5),
        ("growth", 20.0, 10.0, 2.5),  # half of 10 = 5, bounded to 2.5
    ],
)
def test_tolerance_is_half_the_precision_within_bounds(scale, stated, precision, expected):
    assert verdicts.tolerance(scale, stated, precision) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("figure", "relation", "stated", "tol", "expected"),
    [
        (3.48, "equals", 3.5, 0.05, "supported"),  # |3.48-3.5| = 0.02 <= 0.05
        (3.42, "equals", 3.5, 0.05, "partly supported"),  # 0.08: beyond 0.05, within 0.10
        (3.75, "equals", 4.1, 0.05, "contradicted"),  # 0.35 > 0.10
        (3.46, "at_least", 3.5, 0.05, "partly supported"),  # 0.04 below 3.5
        (3.28, "at_least", 3.5, 0.05, "contradicted"),  # 0.22 below
        (3.5, "at_least", 3.5, 0.05, "supported"),
        (2.0, "above", 2.0, 0.25, "partly supported"),  # not above, 0 away
        (2.01, "above", 2.0, 0.25, "supported"),
        (1.9, "nearly", 2.0, 0.25, "supported"),  # [1.5, 2.25]
        (2.3, "nearly", 2.0, 0.25, "partly supported"),  # 0.05 above 2.25
        (1.6, "about", 2.0, 0.1, "contradicted"),  # [1.8, 2.2]: 1.6 is 0.2 out, more than t
        (1.95, "below", 2.0, 0.25, "supported"),
        (2.0, "at_most", 2.0, 0.25, "supported"),  # a negated "more than 2%": (-inf, 2]
        (2.1, "at_most", 2.0, 0.25, "partly supported"),
        (2.3, "at_most", 2.0, 0.25, "contradicted"),  # 0.3 above, more than t
    ],
)
def test_acceptance_intervals(figure, relation, stated, tol, expected):
    assert verdicts.against(figure, relation, stated, tol) == expected


@pytest.mark.parametrize(
    ("ratio", "word", "expected"),
    [
        (1.9, "nearly_doubling", "supported"),  # the example: [1.7, 2.0]
        (2.26, "nearly_doubling", "contradicted"),  # 0.26 above 2.0 > margin 0.2
        (2.1, "nearly_doubling", "partly supported"),
        (2.1, "doubling", "supported"),  # [1.8, 2.2]
        (1.5, "doubling", "contradicted"),  # 0.3 below 1.8
    ],
)
def test_doubling_words(ratio, word, expected):
    assert verdicts.doubling(ratio, word) == expected


@pytest.mark.parametrize(
    ("ratio", "word", "expected"),
    [
        # the ends of each interval (claims.toml [doubling]) and of the 0.2 margin beyond it
        (1.8, "doubling", "supported"),
        (2.2, "doubling", "supported"),
        (1.6, "doubling", "partly supported"),
        (1.59, "doubling", "contradicted"),
        (2.41, "doubling", "contradicted"),
        (1.7, "nearly_doubling", "supported"),
        (2.0, "nearly_doubling", "supported"),
        (2.7, "tripling", "supported"),
        (3.3, "tripling", "supported"),
        (2.69, "tripling", "partly supported"),
    ],
)
def test_doubling_interval_ends(ratio, word, expected):
    assert verdicts.doubling(ratio, word) == expected


def test_rapid_growth_and_ratio_limits_at_their_ends():
    # "at breakneck speed" is a real change of at least 10% (claims.toml rapid_growth_pct)
    assert verdicts.growth(10.0, "rapid") == "supported"
    assert verdicts.growth(9.99, "rapid") == "partly supported"
    assert verdicts.growth(0.0, "rising") == "contradicted"
    # a stated ratio up to 1.25 x the range's ends is partly supported, beyond contradicted
    assert verdicts.ratio(4.0 * 1.25, 1.0, 4.0) == "partly supported"
    assert verdicts.ratio(4.0 * 1.25 + 0.01, 1.0, 4.0) == "contradicted"
    assert verdicts.ratio(1.0 / 1.25, 1.0, 4.0) == "partly supported"
    assert verdicts.ratio(1.0 / 1.25 - 0.01, 1.0, 4.0) == "contradicted"


def test_combining_checks():
    assert verdicts.combine(["supported", "supported"]) == "supported"
    assert verdicts.combine(["supported", "contradicted"]) == "partly supported"
    assert verdicts.combine(["contradicted", "partly supported"]) == "partly supported"
    assert verdicts.combine(["contradicted", "contradicted"]) == "contradicted"
    assert verdicts.combine(["not checkable", "supported"]) == "supported"
    assert verdicts.combine(["not checkable"]) == "not checkable"


# ------------------------------------------------------------------ against the figures


def share(actors, value, precision, year=None, relation="equals", kind="share"):
    return Reading(kind, tuple(actors), relation, value, precision, "percent of GDP", year)


def test_poland_2024_judged_by_the_edition_of_its_day_and_revised_later(store):
    reading = share(["POL"], 4.1, 0.1, 2024)
    # June 2024 edition (published 17 June 2024): Poland 2024 4.12 (estimate); |4.12-4.1| = 0.02
    june = outcome(store, reading, dt.date(2024, 7, 1))
    assert june.verdict == "supported"
    assert (june.evidence[0].value, june.evidence[0].vintage) == (4.12, "2024-06")
    # July 2026 edition: 3.75 (actual); 0.35 away, beyond 2 x 0.05
    newest = outcome(store, reading)
    assert newest.verdict == "contradicted"
    assert (newest.evidence[0].value, newest.evidence[0].status) == (3.75, "actual")
    # August 2025 edition (published 28 August 2025): 3.79; 0.31 away
    august = outcome(store, reading, dt.date(2025, 9, 1))
    assert (august.evidence[0].vintage, august.verdict) == ("2025-08", "contradicted")


def test_baltics_and_poland_already_at_3_5(store):
    reading = share(["baltics", "POL"], 3.5, 0.1, None, "at_least", "reached")
    # newest (July 2026 edition, 2026 estimates): EST 5.10, LVA 4.92, LTU 5.33, POL 4.68
    newest = outcome(store, reading)
    assert newest.verdict == "supported"
    assert {e.actor: e.value for e in newest.evidence} == {
        "EST": 5.1,
        "LVA": 4.92,
        "LTU": 5.33,
        "POL": 4.68,
    }
    # on 24 June 2025 the June 2024 edition was current; it ends in 2024: EST 3.43, LVA 3.15,
    # LTU 2.85, POL 4.12 -> only Poland at 3.5 or more; Estonia 0.07 short (more than 0.05)
    dated = outcome(store, reading, dt.date(2025, 6, 24))
    assert {e.actor: (e.year, e.verdict) for e in dated.evidence} == {
        "EST": (2024, "contradicted"),
        "LVA": (2024, "contradicted"),
        "LTU": (2024, "contradicted"),
        "POL": (2024, "supported"),
    }
    assert dated.verdict == "partly supported"
    assert ("group_misses", {"actors": ["EST", "LTU", "LVA"]}) in dated.reasons


def test_iceland_is_not_checkable_with_nato_s_reason(store):
    result = outcome(store, share(["ISL"], 0.1, 0.1, 2024))
    assert result.verdict == "not checkable"
    assert "no armed forces" in result.reasons[0][1]["note"]


def test_a_future_year_is_not_checkable_as_a_share(store):
    result = outcome(store, share(["DEU"], 3.5, 0.1, 2029))
    assert result.verdict == "not checkable"
    assert result.reasons[0] == ("future", {"actor": "DEU", "year": 2029, "last": 2026})


def test_before_the_first_edition_nothing_is_checkable(store):
    result = outcome(store, share(["POL"], 3.9, 0.1, 2023), dt.date(2023, 5, 1))
    assert result.verdict == "not checkable"
    assert result.reasons[0][0] == "before_first"


def test_amount_in_euro(store):
    reading = Reading("amount", ("DEU",), "equals", 86e9, 1e9, "EUR", 2024)
    result = outcome(store, reading)
    # July 2026 edition: 86,638 EUR million; |86.638 - 86| bn = 0.638 bn <= 1.72 bn (2%)
    assert result.verdict == "supported"
    assert result.evidence[0].value == pytest.approx(86_638e6)
    wrong = outcome(store, Reading("amount", ("DEU",), "equals", 95e9, 1e9, "EUR", 2024))
    # 95 bn: 8.36 bn away, more than 2 x 1.9 bn (2% of 95 bn)
    assert wrong.verdict == "contradicted"


def test_pledge_judged_on_the_registry_as_of_the_date(store):
    reading = share(["DEU"], 3.5, 0.1, 2029, kind="pledge")
    # Klingbeil, 24 June 2025: 3.5% in 2029
    assert outcome(store, reading, dt.date(2025, 7, 1)).verdict == "supported"
    # a week earlier the registry holds no German pledge yet
    early = outcome(store, reading, dt.date(2025, 6, 17))
    assert (early.verdict, early.reasons[0][0]) == ("not checkable", "no_pledge")
    # the registry says 2029, not 2030
    assert outcome(store, share(["DEU"], 3.5, 0.1, 2030, kind="pledge")).verdict == ("contradicted")
    # NATO's 5% by 2035 (The Hague, 25 June 2025)
    assert outcome(store, share(["nato"], 5.0, 1.0, 2035, kind="pledge")).verdict == "supported"


def test_pledge_gives_the_path_that_reaches_it(store):
    result = outcome(store, share(["DEU"], 3.5, 0.1, 2029, kind="pledge"))
    path = dict(result.reasons)["path"]
    # from 2.69 (2026 estimate, July 2026 edition) to 3.5 in 2029: 0.81 / 3 = 0.27 a year
    assert (path["from"], path["from_year"]) == (2.69, 2026)
    assert path["step"] == pytest.approx((3.5 - 2.69) / 3)


def doubled_since(year: int) -> Reading:
    """ "Germany has doubled its defence spending since YEAR" (no amounts stated)."""
    return Reading("change", ("DEU",), "doubling", unit="national", year_from=year, metric="amount")


def test_doubling_since_2014(store):
    result = outcome(store, doubled_since(2014))
    # 2014: 34,749; 2026 (estimate): 124,660 EUR million; ratio 3.59 -> not a doubling
    ratio = dict(result.reasons)["ratio_of_figures"]["ratio"]
    assert ratio == pytest.approx(124_660 / 34_749)
    assert result.verdict == "contradicted"
    since_2022 = outcome(store, doubled_since(2022))
    # 124,660 / 58,266 = 2.14: within [1.8, 2.2]
    assert since_2022.verdict == "supported"


def test_change_with_a_planned_end(store):
    reading = Reading(
        "change",
        ("DEU",),
        "nearly_doubling",
        150e9,
        10e9,
        "EUR",
        None,
        70e9,
        10e9,
        None,
        metric="amount",
    )
    result = outcome(store, reading, dt.date(2025, 6, 25))
    # start: the latest actual year of the June 2024 edition is 2022 (58,266; 2023 was an
    # estimate): 70 bn +- 5 bn -> 58.3 is 11.7 bn away: contradicted
    start, end = result.evidence[:2]
    assert (start.year, start.verdict) == (2022, "contradicted")
    # end: plans announced by 25 June 2025 for DEU in EUR billion a year: 153 and 152.8
    # (2029) and 162 (2029, FT), 86 (2025)...: nearest to 150 is 152.8, 2.8 bn away <= 5 bn
    assert (end.value, end.verdict) == (152.8e9, "supported")
    # nearly doubling: 152.8 / 58.266 = 2.62, more than 0.2 above 2.0: contradicted
    assert result.verdict == "partly supported"


def test_ranking(store):
    largest = Reading("ranking", ("USA",), "largest", 1.0, 1.0, "rank", None, metric="amount")
    assert outcome(store, largest).verdict == "supported"
    # Poland's 4.68% in 2026 is behind Lithuania 5.33, Estonia 5.10 and Latvia 4.92
    poland = Reading(
        "ranking", ("POL",), "largest", 1.0, 1.0, "rank", None, metric="share", scope="nato-europe"
    )
    result = outcome(store, poland)
    assert result.verdict == "contradicted"
    assert result.reasons[0][1]["rank"] == 4
    assert result.reasons[0][1]["first"] == "LTU"


def test_ratio_against_the_munitions_range(store):
    # RUS/NATO 2025: the estimates give 0.81 to 4.17 (a low 2.0 m / b high 2.48 m;
    # a high 4.5 m / b low 1.08 m)
    four = Reading("ratio", ("RUS", "nato"), "equals", 4.0, None, "ratio", 2025)
    assert outcome(store, four).verdict == "supported"
    twelve = Reading("ratio", ("RUS", "nato"), "equals", 12.0, None, "ratio", 2025)
    assert outcome(store, twelve).verdict == "contradicted"  # 12 > 4.17 x 1.25 = 5.2
    # 5.5 is beyond 4.17 x 1.25 = 5.21: contradicted; 0.7 is within 0.81 / 1.25 = 0.65
    beyond = Reading("ratio", ("RUS", "nato"), "equals", 5.5, None, "ratio", 2025)
    assert outcome(store, beyond).verdict == "contradicted"
    below = Reading("ratio", ("RUS", "nato"), "equals", 0.7, None, "ratio", 2025)
    assert outcome(store, below).verdict == "partly supported"
    five = Reading("ratio", ("RUS", "nato"), "equals", 5.0, None, "ratio", 2025)
    assert outcome(store, five).verdict == "partly supported"  # 4.17 < 5 <= 5.2


def test_growth(store):
    # Germany 2024: real change +24.26% (July 2026 edition)
    rapid = Reading("growth", ("DEU",), "rapid", year=2024, unit="percent")
    assert outcome(store, rapid).verdict == "supported"
    # 2023: +8.77%, rising but under the 10% that "at breakneck speed" asks
    slower = Reading("growth", ("DEU",), "rapid", year=2023, unit="percent")
    assert outcome(store, slower).verdict == "partly supported"
    numeric = Reading("growth", ("DEU",), "equals", 24.0, 1.0, "percent", 2024, real=True)
    assert outcome(store, numeric).verdict == "supported"  # 0.26 <= 0.5
    # 2021: -0.65%: not rising
    falling = Reading("growth", ("DEU",), "rising", year=2021, unit="percent")
    assert outcome(store, falling).verdict == "contradicted"
