"""The Python API checks its arguments (issue 7, part 3): for any input each public function
returns a result or raises a MilexError (InputError for bad arguments), in bounded time, and
refuses nonsense instead of running with it.

The expected phrases come from the issue's list of defects and from the accepted forms the
functions document (years 1900-2100, draws from 1, shares of GDP up to 100% as in
data/indicators.csv), not from the code's output.
"""

from __future__ import annotations

import inspect
import io
import os
import socket
import subprocess
import sys
import tempfile
import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import milex
from milex import api
from milex.montecarlo import runners
from milex.vocab import parse_years

#: Every public function: the names milex re-exports, and side_by_side (used by the CLI).
#: Every API function but update, which downloads from the publishers' hosts (its arguments are
#: tested against a loopback host in test_cli_update.py and test_update_crash.py).
FUNCTIONS = [*(n for n in milex.API if n != "update"), "side_by_side"]
HUGE = "x" * 100_000
#: The huge argument, drawn without printing 100 KB in every report.
HUGE_TEXT = st.just(100_000).map("x".__mul__)

# ------------------------------------------------------------------------ strategies

#: Names milex knows, mixed into the garbage so that valid calls are tried too.
KNOWN = st.sampled_from(
    [
        "DEU",
        "Duitsland",
        "nato",
        "europe-canada",
        "NATO_TOTAL",
        "ISL",
        "share_gdp",
        "nato",
        "sipri",
        "weo",
        "2026-07",
        "all",
        "hague-3.5",
        "2014-2024",
        "caveat",
        "missing",
        "linear",
        "real-growth",
        "hold",
        "converge",
        "default",
        "none",
        "csv",
        "json",
    ]
)
#: Anything a caller might pass by mistake, and (a third of the time) a name milex knows.
GARBAGE = st.one_of(
    KNOWN,
    st.integers(min_value=2000, max_value=2035),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=1890, max_value=2110),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.just(""),
    HUGE_TEXT,
    st.lists(st.one_of(st.text(max_size=5), st.integers(), KNOWN), max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=4), st.integers()), st.integers(), max_size=3),
    st.tuples(st.integers(1890, 2110), st.integers(1890, 2110)),
    st.just(object()),
)
#: What a column of observations may hold: the right kind, or any wrong one.
CELLS = {
    "text": st.sampled_from(["nato", "sipri", "2026-07"]),
    "whole": st.integers(min_value=1890, max_value=2110),
    "number": st.floats(allow_nan=True, allow_infinity=True),
    "any text": st.text(max_size=4),
    "list": st.lists(st.integers(), max_size=2),
    "bool": st.booleans(),
    "none": st.none(),
    "object": st.just(object()),
}
#: The dtypes of an empty column: a frame with no rows still has them.
EMPTY_DTYPES = ["float64", "int64", "object", "str", "bool", "datetime64[ns]"]


@st.composite
def _frames(draw) -> pd.DataFrame:
    """Tables side_by_side may be given: the columns it reads (some missing, one more) each of
    one kind of value, or of a dtype when the table has no rows."""
    rows = draw(st.integers(min_value=0, max_value=3))
    names = ["source", "vintage", "year", "value", "unit"]
    columns = draw(st.lists(st.sampled_from(names), min_size=3, max_size=5, unique=True))
    data = {}
    for column in columns:
        if rows == 0:
            data[column] = pd.Series([], dtype=draw(st.sampled_from(EMPTY_DTYPES)))
            continue
        cells = draw(st.sampled_from(list(CELLS)))
        values = draw(st.lists(CELLS[cells], min_size=rows, max_size=rows))
        data[column] = pd.Series(values, dtype=object if cells in ("list", "object") else None)
    return pd.DataFrame(data)


#: simulate runs what it is given: draws stay small (or are refused), addresses need no DNS.
SAFE = {
    "draws": st.one_of(
        st.integers(min_value=-10, max_value=3_000),
        st.integers(min_value=api.MAX_DRAWS + 1, max_value=2**64),
        st.booleans(),
        st.none(),
        st.text(max_size=5),
        st.floats(max_value=3_000),
        st.just(float("nan")),
    ),
    "dask": st.one_of(
        st.none(),
        st.integers(),
        st.sampled_from(["", "garbage", "tcp://localhost", "http://127.0.0.1:8786"]),
        HUGE_TEXT,
    ),
    "progress": st.one_of(
        st.none(), st.just(lambda done, total: None), st.just(lambda: None), st.integers()
    ),
    "amounts": st.one_of(
        GARBAGE,
        st.dictionaries(
            st.integers(2020, 2035),
            st.one_of(st.floats(allow_nan=True), st.integers(-5, 10**6), st.booleans()),
            max_size=12,
        ),
    ),
    "obs": st.one_of(GARBAGE, st.just(pd.DataFrame({"year": [2024]})), _frames()),
    # doctor(repair=True) rebuilds the store (seconds each): tested once, in test_api_validation
    "repair": GARBAGE.filter(lambda value: value is not True),
}


#: A call of each function that works: the base that one spoiled argument is put into.
GOOD = {
    "series": {"countries": "DEU", "indicators": "share_gdp", "years": "2014-2024"},
    "latest": {"countries": ["DEU", "FRA"]},
    "profile": {"country": "DEU", "years": "2020-2024"},
    "members": {"group": "nato", "year": 2024},
    "resolve": {"name": "Duitsland"},
    "origins": {"ids": ["nato-2026-07-1"]},
    "coverage": {"source": "sipri"},
    "sipri_share": {"vintage": None},
    "differences": {"country": "DEU"},
    "reasons": {"country": "DEU"},
    "notes": {"source": "nato", "iso3": "LUX"},
    "export": {"fmt": "csv", "source": "nato", "vintage": "2026-07"},
    "status": {"year": 2024},
    "report": {"country": "DEU", "years": "2020-2024"},
    "gap": {"target": 3.5, "year": 2024, "group": "europe-canada"},
    "path": {"country": "DEU", "target": 3.5, "by": 2030},
    "pledges": {"country": "DEU"},
    "simulate": {"country": "DEU", "by": 2029, "draws": 1_000, "seed": 1},
    "sensitivity": {"country": "DEU", "by": 2029, "draws": 500},
    "backtest": {"draws": 1_000},
}
#: Observations side_by_side takes (the columns it reads).
FRAME = pd.DataFrame({"source": ["nato"], "vintage": ["2026-07"], "year": [2024], "value": [2.1]})


def _value(name: str, param: str, folder: str) -> st.SearchStrategy:
    """What a parameter is drawn from: anything, but simulate's draws stay small, addresses
    need no DNS and files go to a scratch folder."""
    if name == "export" and param == "path":
        names = st.sampled_from(["out.csv", "out.json", "out.parquet", "out", "", "sub/x.csv"])
        in_scratch = names.map(lambda n: os.path.join(folder, n))
        return st.one_of(in_scratch, GARBAGE.filter(lambda p: not isinstance(p, str)))
    return SAFE.get(param, GARBAGE)


def _parameters(name: str) -> list[str]:
    return [p for p in inspect.signature(getattr(api, name)).parameters if p != "store"]


def _anything(name: str, folder: str) -> st.SearchStrategy[dict]:
    """Keyword arguments for one function: each parameter left out or given anything."""
    params = inspect.signature(getattr(api, name)).parameters
    values = {p: _value(name, p, folder) for p in _parameters(name)}
    # draws always drawn (small or refused): a default of 20,000-100,000 draws per run, times a
    # backtest's five tests or a tornado's 24 runs, is a benchmark, not a fuzz case
    required = [p for p in values if params[p].default is inspect.Parameter.empty or p == "draws"]
    needed = {p: values.pop(p) for p in required}
    return st.fixed_dictionaries(needed, optional=values)


@st.composite
def _one_spoiled(draw, name: str, folder: str) -> dict:
    """A call that works with one of its arguments replaced by anything."""
    given = {**GOOD.get(name, {}), "path": io.StringIO(), "obs": FRAME}  # export, side_by_side
    kwargs = {k: v for k, v in given.items() if k in _parameters(name)}
    spoiled = draw(st.sampled_from(_parameters(name)))
    kwargs[spoiled] = draw(_value(name, spoiled, folder))
    return kwargs


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory(prefix="milex-fuzz-") as folder:
        yield folder


#: Examples per function: the costly ones (a Monte Carlo run, the whole export) fewer.
EXAMPLES = {"export": 10, "simulate": 20, "pledges": 15, "report": 20, "path": 20, "gap": 25}


def _check(function, kwargs: dict, store) -> None:
    """The call returns, or raises a MilexError with a short message, within 10 s."""
    start = time.perf_counter()
    try:
        stored = "store" in inspect.signature(function).parameters
        function(**kwargs, **({"store": store} if stored else {}))
    except milex.MilexError as exc:
        message = str(exc)
        assert message and "Traceback" not in message
        assert HUGE[:200] not in message, "a huge argument was echoed whole"
        assert "\n" not in message and len(message) < 1_500, message
        assert " at 0x" not in message, "an object was shown by its address"
    assert time.perf_counter() - start < 10


def _fuzz(name: str, strategy: st.SearchStrategy[dict], store) -> None:
    function = getattr(api, name)

    @settings(
        max_examples=EXAMPLES.get(name, 50),
        deadline=10_000,
        derandomize=True,  # the same draws on every run (as the CLI fuzz)
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    @given(strategy)
    def call(kwargs):
        _check(function, kwargs, store)

    call()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_anything_anywhere_gives_a_result_or_a_milex_error(name, store, scratch):
    _fuzz(name, _anything(name, scratch), store)


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if _parameters(n)])
def test_one_bad_argument_in_a_good_call_gives_a_result_or_a_milex_error(name, store, scratch):
    _fuzz(name, _one_spoiled(name, scratch), store)


# ------------------------------------------------------------------------ the issue's defects


def _refused(call, phrase: str) -> str:
    """The message of the InputError a call raises; it must contain ``phrase``."""
    with pytest.raises(milex.InputError) as info:
        call()
    assert phrase in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize(
    ("call", "phrase"),
    [
        # raw exceptions before
        (lambda: milex.status(year=""), "year: got ''"),
        (lambda: milex.resolve(None), "name: got None"),
        (lambda: milex.series(source=["nato"]), "source: got ['nato']"),
        (lambda: milex.pledges(tolerance_pp="x"), "tolerance_pp: got 'x'"),
        (lambda: milex.pledges(tolerance_pp=-1), "tolerance_pp -1 is out of range"),
        (lambda: milex.series(bogus=1), "series has no argument named bogus"),
        (lambda: milex.resolve(), "resolve needs name"),
        # nonsense accepted before
        (lambda: milex.gap(target=True), "target: got True"),
        (lambda: milex.members("nato", float("nan")), "year: got nan"),
        (lambda: milex.members("nato", float("inf")), "year: got inf"),
        (lambda: milex.members("nato", True), "a yes/no value is not a number"),
        (lambda: milex.notes(source="bogus"), "unknown source 'bogus'"),
        (lambda: milex.notes(source="nato", iso3="Narnia"), "unknown country 'Narnia'"),
        (lambda: milex.notes("nato", only_country="yes"), "only_country: got 'yes'"),
        (lambda: milex.notes("nato", kind="note"), "kind: got 'note'"),
        (lambda: milex.origins(ids=""), "ids: got ''"),
        (lambda: milex.origins(ids="bogus"), "unknown source id 'bogus'"),
        (lambda: milex.export(io.StringIO(), fmt=[]), "fmt: got []"),
        (lambda: milex.export(42), "path: got 42"),
        (lambda: milex.series("DEU", years=0), "out of range, give years from 1900 to 2100"),
        (lambda: milex.series("DEU", years=99999), "out of range, give years from 1900 to 2100"),
        (lambda: milex.series("DEU", years=[2014, 2101]), "out of range"),
        (lambda: milex.series("DEU", years={2014: 1}), "invalid years {2014: 1}"),
        (lambda: milex.series("DEU", years=2014.5), "invalid years 2014.5"),
        (lambda: milex.series(countries=""), "countries: got ''"),
        (lambda: milex.series(countries={"DEU": 1}), "countries: got {'DEU': 1}"),
        (lambda: milex.series(indicators=[3]), "indicators: got [3]"),
        (lambda: milex.status(year=True), "year: got True"),
        (lambda: milex.status(year=1850), "give a year from 1900 to 2100"),
        (lambda: milex.gap(target=float("nan")), "target: got nan"),
        (lambda: milex.path("DEU", by=2030, growth_after=float("inf")), "growth_after: got inf"),
        (lambda: milex.path("DEU", by=2030, inflation_after=True), "inflation_after: got True"),
        (lambda: milex.simulate("DEU", by=2029, draws=True), "draws: got True"),
        (lambda: milex.simulate("DEU", by=2029, draws=-1), "draws: got -1"),
        (lambda: milex.simulate("DEU", by=2029, seed=-1), "seed: got -1"),
        (lambda: milex.simulate("DEU", by=2029, progress=lambda: 0), "take two arguments"),
        (lambda: milex.sipri_share("all"), "vintage 'all' mixes editions"),
        (lambda: milex.path("DEU", by=99999), "target year 99999 is out of range"),
        (lambda: milex.path("DEU", by=True), "by: got True (a yes/no value is not a number)"),
        (lambda: api.side_by_side("DEU"), "obs: got 'DEU'"),
        (lambda: api.side_by_side(pd.DataFrame({"x": [1]})), "no source, vintage, year, value"),
    ],
)
def test_the_defects_of_the_issue_are_refused(call, phrase):
    _refused(call, phrase)


def test_a_huge_argument_is_not_echoed_whole():
    for call in (
        lambda: milex.resolve(HUGE),
        lambda: milex.series(source="y" * 100),  # long enough to pass, unknown: _suggest
        lambda: parse_years(HUGE),
        lambda: milex.gap(target="z" * 100),
    ):
        with pytest.raises(milex.InputError) as info:
            call()
        assert len(str(info.value)) < 400, str(info.value)


def test_a_malformed_range_says_so_and_shows_the_forms():
    message = _refused(lambda: parse_years("2014--2020"), "invalid years '2014--2020'")
    assert "a range (2014-2024)" in message and "first year comes after" not in message
    _refused(lambda: parse_years("2024-2014"), "first year comes after the last")


@pytest.mark.parametrize("years", [1900, "1900-2100", (1999, 2001), [2100]])
def test_years_at_the_edges_of_the_range_are_accepted(years):
    first, last = parse_years(years)
    assert 1900 <= first <= last <= 2100


def test_several_problems_are_told_on_one_line():
    message = _refused(lambda: milex.status(year="", source=3), "year: got ''")
    assert "\n" not in message
    first, second = message.split("; source: ")
    assert first.startswith("year: got ''") and second.startswith("got 3")


# ------------------------------------------------------------------------ simulate's amounts

#: DEU from base year 2025 to 2029: the plan's years are 2026-2029.
PLAN = {"base_year": 2025, "by": 2029, "draws": 1_000, "seed": 1}


@pytest.mark.parametrize(
    "amounts",
    [
        {2026: 1e300, 2027: 1e5, 2028: 1e5, 2029: 1e5},  # was an IndexError in the engine
        {2026: 1e20, 2027: 1e25, 2028: 1e30, 2029: 1e40},  # was shares of quadrillions %
    ],
)
def test_amounts_beyond_any_share_of_gdp_are_refused(store, amounts):
    message = _refused(
        lambda: milex.simulate("DEU", amounts=amounts, store=store, **PLAN),
        "above the 200% limit of a share of GDP",  # share_gdp's max in data/indicators.csv
    )
    assert message.startswith("amounts for 2026")


@pytest.mark.parametrize("extra", [2025, 2030, 2040])
def test_amounts_outside_the_plan_are_refused_naming_its_years(store, extra):
    amounts = {year: 1e5 for year in (2026, 2027, 2028, 2029, extra)}
    message = _refused(
        lambda: milex.simulate("DEU", amounts=amounts, store=store, **PLAN),
        f"amounts given for {extra}, outside the plan",
    )
    assert "each year 2026-2029" in message


def test_amounts_with_a_yes_no_value_are_refused(store):
    amounts = {2026: True, 2027: 1e5, 2028: 1e5, 2029: 1e5}
    _refused(
        lambda: milex.simulate("DEU", amounts=amounts, store=store, **PLAN),
        "amounts for 2026 are not a non-negative number",
    )


def test_the_engine_refuses_a_share_it_cannot_place_on_its_lattice():
    """Called directly, the engine raised IndexError for 1e300 (issue 7)."""
    with pytest.raises(milex.InputError, match="of GDP on the central path"):
        runners.simulate([[1e300]], [1e4], [[1.0]], [[2.0]], 3.5, draws=1_000, seed=1)


# ------------------------------------------------------------------------ Dask addresses


@pytest.mark.parametrize("address", ["garbage", "tcp://localhost", "http://127.0.0.1:8786"])
def test_a_malformed_dask_address_is_refused_at_once(store, address):
    start = time.perf_counter()
    _refused(
        lambda: milex.simulate("DEU", dask=address, store=store, **PLAN),
        "the Dask scheduler address must be text such as 'tcp://127.0.0.1:8786'",
    )
    assert time.perf_counter() - start < 2


def _closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_scheduler_fails_within_the_timeout(store, monkeypatch):
    monkeypatch.setenv("MILEX_DASK_TIMEOUT", "1")
    start = time.perf_counter()
    address = f"tcp://127.0.0.1:{_closed_port()}"
    _refused(
        lambda: milex.simulate("DEU", dask=address, store=store, **PLAN),
        f"cannot reach a Dask scheduler at '{address}'",
    )
    assert time.perf_counter() - start < 3


# ------------------------------------------------------------------------ what stays light


def test_importing_milex_imports_neither_pydantic_nor_the_api():
    probe = "import sys, milex; print([m for m in ('pydantic', 'milex.api') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_signatures_stay_as_documented():
    """Validation keeps each function's parameters and defaults (help and IDEs show them)."""
    signature = inspect.signature(milex.series)
    assert list(signature.parameters) == [
        "countries",
        "indicators",
        "years",
        "source",
        "vintage",
        "store",
    ]
    assert signature.parameters["source"].default == "nato"
    assert inspect.signature(milex.simulate).parameters["draws"].default == 100_000


def test_every_parameter_says_what_it_accepts():
    for name in FUNCTIONS:
        for param in inspect.signature(getattr(api, name)).parameters:
            assert param in api.ACCEPTED, (name, param)
