"""Reading one sentence into a structured claim (docs/claims.md, "The reading").

The language layer finds the pieces (:mod:`~milex.claims.names` the actors,
:mod:`~milex.claims.numbers` the numbers with their scale, percent sign and currency,
:mod:`~milex.claims.dates` the years, :func:`~milex.claims.words.find` the cue words of the
language file); this module decides which kind of claim the pieces make. A sentence without an
actor, or without a metric cue, holds no claim (None).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from milex.claims import dates, names, numbers, words
from milex.claims.claim import NATIONAL, NEGATED, Reading

#: How far before a number (characters) a relation word ("about", "meer dan") still binds to it,
#: and what may stand between: no letters, or one short word ("de", "the", "la").
RELATION_REACH = 30
BOUND = re.compile(r"[^\w]*(?:\b\w{1,3}\b[^\w]*)?|[^a-zA-Z\u00c0-\u024f]*")
#: Relation cues, tried in this order (``at_most`` before ``above``: "no more than" holds
#: "more than"; ``nearly`` before ``about``: "près de" is in both).
RELATIONS = ("at_most", "nearly", "at_least", "above", "below", "about")
#: Cue lists that are phrases of their own: another cue inside one of them does not count
#: ("at least" holds no "least", "more than" no "more").
PHRASES = (*RELATIONS, "not_only")
#: Group keys that give a ranking its scope rather than naming the ranked actor.
SCOPES = ("nato", "nato-europe", "eu", "europe-canada")


@dataclass(frozen=True)
class Pieces:
    """What the language layer found in a sentence."""

    sentence: str
    lang: str
    actors: list[names.Actor]
    numbers: list[numbers.Number]
    years: list[dates.YearMention]
    found: dict = field(default_factory=dict, compare=False)

    def cue(self, key: str) -> list[tuple[int, int, str]]:
        """Where the cue words of ``key`` (language file, ``[cues]``) are, found once; outside
        the relation phrases unless ``key`` is one of them."""
        if key not in self.found:
            found = words.find(self.sentence, self.lang, "cues", key)
            if key not in PHRASES:
                taken = [(s, e) for other in PHRASES for s, e, _w in self.cue(other)]
                found = [m for m in found if not any(a < m[1] and m[0] < b for a, b in taken)]
            self.found[key] = found
        return self.found[key]

    def has(self, *keys: str) -> bool:
        return any(self.cue(key) for key in keys)


def pieces(sentence: str, lang: str, today: dt.date) -> Pieces:
    """Find the actors, numbers and years of a sentence."""
    found = numbers.numbers(sentence, lang)
    yrs = dates.years(sentence, lang, today)
    spans = [(y.start, y.end) for y in yrs]
    values = [n for n in found if not n.year or not any(a <= n.start < b for a, b in spans)]
    values = [n for n in values if not n.year]
    return Pieces(sentence, lang, names.actors(sentence, lang), values, yrs)


def _relation(p: Pieces, number: numbers.Number) -> str:
    """The relation word bound to a number: a cue right before it, with at most one short word
    between ("more than $1 trillion", "meer dan de 2 procent"; not "under Tusk, Poland spent
    3.75%")."""
    best, where = "equals", -1
    for relation in RELATIONS:
        for _start, end, _phrase in p.cue(relation):
            gap = p.sentence[end : number.start]
            if 0 <= len(gap) <= RELATION_REACH and BOUND.fullmatch(gap) and end > where:
                best, where = relation, end
    return best


def _year(p: Pieces, skip: tuple[int, ...] = ()) -> tuple[int | None, bool]:
    """The year the sentence is about (a period's last year for a deadline), and whether one
    was stated."""
    for i, mention in enumerate(p.years):
        if i in skip or mention.since:
            continue
        return (mention.last if mention.by or mention.last != mention.year else mention.year), True
    return None, False


def _subjects(p: Pieces, drop_scope: bool = False) -> tuple[str, ...]:
    codes = [a.code for a in p.actors]
    if drop_scope and len(codes) > 1:
        codes = [c for c in codes if c not in SCOPES] or codes[:1]
    return tuple(dict.fromkeys(codes))


def _times(p: Pieces) -> float | None:
    """ "three times as much" -> 3; "twice as many" -> 2; None without such words."""
    if p.cue("twice"):
        return 2.0
    times = p.cue("times_as_much")
    if not times:
        return None
    # the multiplier stands right before the words ("drie keer zoveel") or is one word with
    # them ("fünfmal so viel")
    cue = times[0][0]
    before = [n for n in p.numbers if n.start < cue and cue - n.end <= 2 and not n.ordinal]
    return before[-1].value if before else None


def _periods(p: Pieces) -> list[tuple[float, int]]:
    """Production periods in months with their position: "drie maanden" (3), "een jaar" (12)."""
    found = []
    for n in p.numbers:
        after = p.sentence[n.end : n.end + 16].lstrip()
        for key, months in (("months", 1.0), ("weeks", 12 / 52)):
            if any(s == 0 for s, _e, _w in words.find(after, p.lang, "cues", key)):
                found.append((n.value * months, n.start))
    found += [(1.0, start) for start, _e, _w in p.cue("month_period")]
    found += [(12.0, start) for start, _e, _w in p.cue("year_period")]
    return sorted(found, key=lambda x: x[1])


def _ratio(p: Pieces) -> Reading | None:
    """ "X produces in three months what Y produces in a year" / "three times as much as"."""
    codes = _subjects(p)
    if len(codes) < 2 or not p.has("production", "artillery"):
        return None
    times = _times(p)
    periods = _periods(p)
    year = _year(p)[0]
    if len(periods) >= 2:
        owners = []
        for _months, where in periods[:2]:
            before = [a.code for a in p.actors if a.start < where]
            owners.append(before[-1] if before else codes[0])
        (m1, _), (m2, _) = periods[:2]
        if owners[0] == owners[1]:
            owners = list(codes[:2])
        fast, slow = (owners[0], owners[1]) if m1 <= m2 else (owners[1], owners[0])
        if min(m1, m2) <= 0:
            return None
        value = max(m1, m2) / min(m1, m2) * (times or 1.0)
        return Reading("ratio", (fast, slow), "equals", value, None, "ratio", year)
    if times is not None:
        return Reading("ratio", codes[:2], "equals", times, None, "ratio", year)
    return None


def _ranking(p: Pieces) -> Reading | None:
    """ "Poland is the largest spender in Europe", "second-largest", "spends the most"."""
    largest, smallest = p.cue("largest"), p.cue("smallest")
    ordinal = next((n for n in p.numbers if n.ordinal), None)
    if not (largest or smallest or ordinal) or not p.has("spending", "spender") or p.has("ever"):
        return None
    countries = [a.code for a in p.actors if not a.group]
    groups = [a.code for a in p.actors if a.group]
    codes = tuple(dict.fromkeys(countries)) or _subjects(p, drop_scope=True)
    scope = next((g for g in groups if g not in codes), None)
    rank = ordinal.value if ordinal else 1.0
    year, stated = _year(p)
    return Reading(
        "ranking",
        codes[:1],
        "smallest" if smallest and not largest else "largest",
        rank,
        1.0,
        "rank",
        year,
        metric="share" if p.has("gdp") else "amount",
        scope=scope,
        year_stated=stated,
    )


def _two_values(p: Pieces) -> list[numbers.Number]:
    """The two ends of a change: amounts (one currency word may serve both: "van 140 tot 188
    miljard kronen") or shares of GDP; empty when the sentence has no two."""
    money = [n for n in p.numbers if not n.percent and (n.currency or n.scale > 1)]
    currency = next((n.currency for n in money if n.currency), None)
    if len(money) >= 2 and currency:
        return [n if n.currency else replace(n, currency=currency) for n in money]
    shares = [n for n in p.numbers if n.percent and not n.points]
    return shares if len(shares) >= 2 else []


def _change(p: Pieces) -> Reading | None:
    """ "from 70 to 150 billion euro", "doubled since 2014"."""
    pair = _two_values(p)
    doubling = "tripling" if p.has("tripling") else "doubling" if p.has("doubling") else None
    if not pair and not doubling:
        return None
    if doubling and p.has("nearly") and doubling == "doubling":
        doubling = "nearly_doubling"
    currency = next((n.currency for n in pair if n.currency), None)
    # without numbers, a doubling is measured in the figures' own (national) currency
    unit = currency or ("percent of GDP" if pair else NATIONAL)
    since = [y for y in p.years if y.since]
    plain = [y for y in p.years if not y.since]
    year_from = since[0].year if since else (plain[0].year if len(plain) >= 2 else None)
    year = plain[-1].last if plain and (len(plain) >= 2 or not pair or plain[-1].by) else None
    if pair and len(plain) == 1 and not plain[0].by:
        # one year: it belongs to the end it stands nearer to ("which spent 3.75% in 2024, is
        # now at 4.68%": the start)
        near_start = abs(plain[0].start - pair[0].end) < abs(plain[0].start - pair[-1].end)
        year, year_from = (
            (None, plain[0].year)
            if near_start and year_from is None
            else (plain[0].year, year_from)
        )
    first, last = (pair[0], pair[-1]) if pair else (None, None)
    if year_from is not None and year is not None and year_from > year:
        # "137 billion in 2024, double the 68 billion of 2022": the earlier year is the start
        year_from, year = year, year_from
        first, last = last, first
    if first and first.scale == 1 and last.scale != 1:  # "van 70 tot 150 miljard"
        first = replace(first, value=first.stated * last.scale, scale=last.scale)
    return Reading(
        "change",
        _subjects(p),
        doubling or "equals",
        last.value if last else None,
        last.precision * last.scale if last else None,
        unit,
        year,
        first.value if first else None,
        first.precision * first.scale if first else None,
        year_from,
        metric="amount" if currency or not pair else "share",
        year_stated=bool(plain),
    )


def _value_claim(p: Pieces, today: dt.date) -> Reading | None:
    """Share, amount, pledge, reached and growth claims around one stated number."""
    if p.has("other_base"):  # a share of a budget, not of GDP: milex holds none
        return None
    percents = [n for n in p.numbers if n.percent and not n.points]
    money = [n for n in p.numbers if n.currency and not n.percent]
    codes = _subjects(p)
    year, stated = _year(p)
    deadline = any(y.by for y in p.years)
    forecast = p.has("forecast")
    # a pledge: pledge words ("wants to", "hat zugesagt", "s'engage"), or a verb of reaching
    # or a target ("de norm") with a later year or a deadline ("uitkomen op 3,5 procent in
    # 2029"); a verb of reaching about this year or before says it was reached ("erreichte
    # 2024"); a forecast ("laut Prognosen wird") is no pledge
    later = year is not None and (year > today.year or deadline)
    pledge_cue = not forecast and (p.has("pledge") or (p.has("reach", "target") and later))
    growth_cue = p.has("growth_rising", "growth_rapid", "real")
    if percents:
        n = percents[0]
        relation = _relation(p, n)
        if pledge_cue and not growth_cue:
            kind = "pledge"
        elif growth_cue and not p.has("gdp"):
            kind = "growth"
        elif p.has("reached") or (p.has("reach") and not pledge_cue):
            kind, relation = "reached", relation if relation == "above" else "at_least"
        elif pledge_cue:
            kind = "pledge"
        elif p.has("gdp", "spending"):
            kind = "share"
        else:
            return None
        growth = kind == "growth"
        return Reading(
            kind,
            codes,
            relation,
            n.value,
            n.precision,
            "percent" if growth else "percent of GDP",
            year,
            real=growth and p.has("real"),
            nominal=growth and p.has("nominal"),
            year_stated=stated,
        )
    if money and (p.has("spending") or pledge_cue):
        n = money[0]
        kind = "pledge" if pledge_cue else "amount"
        return Reading(
            kind,
            codes,
            _relation(p, n),
            n.value,
            n.precision * n.scale,
            n.currency,
            year,
            year_stated=stated,
        )
    rate = "rapid" if p.has("growth_rapid") else "rising" if p.has("growth_rising") else None
    if rate and p.has("spending"):
        return Reading("growth", codes, rate, year=year, unit="percent", year_stated=stated)
    return None


def read(sentence: str, lang: str, today: dt.date) -> Reading | None:
    """The claim a sentence makes, or None when it holds no checkable claim."""
    p = pieces(sentence, lang, today)
    if not p.actors:
        return None
    reading = _ratio(p) or _ranking(p) or _change(p) or _value_claim(p, today)
    if reading is not None and p.has("past"):
        reading = replace(reading, past=True)
    if reading is None or not _negated(p):
        return reading
    return replace(reading, negated=True, relation=NEGATED.get(reading.relation, reading.relation))


def _negated(p: Pieces) -> bool:
    """Whether a negation word stands in the sentence outside a relation phrase ("nog geen",
    "no more than" are relations of their own) and outside "not only"."""
    return bool(p.cue("negation"))
