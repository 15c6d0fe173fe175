"""The API's boundary, beyond the fuzz (review of issue 7): streams that cannot be written,
observations of the wrong kinds, a reversed pair of years, one-line refusals showing values
plainly, the doctor's repair, and the Dask connect timeout (loopback only)."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

import milex
from milex import api
from milex.errors import InputError, OutputError
from milex.montecarlo import runners
from milex.vocab import parse_years

PLAN = {"base_year": 2025, "by": 2029, "draws": 1_000, "seed": 1}


def _refused(call, phrase: str, error: type[Exception] = milex.InputError) -> str:
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert phrase in message, message
    assert "\n" not in message, message
    return message


# ------------------------------------------------------------------ export to a stream


def test_export_to_a_closed_stream_is_an_output_error(store):
    stream = io.StringIO()
    stream.close()
    message = _refused(
        lambda: milex.export(stream, "csv", source="nato", vintage="2026-07", store=store),
        "cannot write to the stream given: I/O operation on closed file",
        OutputError,
    )
    assert message.endswith("; give an open text stream or a file name")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_to_a_stream_open_for_reading_is_an_output_error(store, fmt):
    with open(os.devnull) as stdin_like:  # as sys.stdin: a text stream that cannot be written
        _refused(
            lambda: milex.export(stdin_like, fmt, source="nato", vintage="2026-07", store=store),
            "cannot write to the stream given: not writable; give an open text stream",
            OutputError,
        )


def test_export_to_an_open_stream_still_writes(store):
    stream = io.StringIO()
    assert milex.export(stream, "csv", source="nato", vintage="2026-07", store=store) is stream
    assert stream.getvalue().startswith("iso3,name,year,indicator,value")


# ------------------------------------------------------------------ side_by_side's observations


def _frame(**columns) -> pd.DataFrame:
    good = {"source": ["nato"], "vintage": ["2026-07"], "year": [2024], "value": [2.1]}
    return pd.DataFrame({**good, **columns})


def _empty(**dtypes) -> pd.DataFrame:
    kinds = {"source": "str", "vintage": "str", "year": "int64", "value": "float64", **dtypes}
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in kinds.items()})


@pytest.mark.parametrize(
    ("obs", "phrase"),
    [
        (_empty(source="float64"), "source must hold text"),  # was a numpy UFuncTypeError
        (_empty(year="str"), "year must hold whole numbers"),
        (_empty(value="str"), "value must hold numbers"),
        (_empty(value="bool"), "value must hold numbers"),
        (_frame(value=["2.1"]), "value must hold numbers"),  # was a TypeError
        (_frame(value=[[2.1]]), "value must hold numbers"),  # was a TypeError
        (_frame(year=["2024"]), "year must hold whole numbers"),
        (_frame(year=[2024.5]), "year must hold whole numbers"),
        (_frame(year=[True]), "year must hold whole numbers"),
        (_frame(source=[1], vintage=[None]), "source must hold text; vintage must hold text"),
        (
            pd.DataFrame([["nato", "x", 1, 2.0, 3]], columns=[*"sv", "year", "value", "year"]),
            "no source, vintage column",
        ),
        (
            pd.DataFrame(
                [["nato", "x", 2024, 2.0, 3]],
                columns=["source", "vintage", "year", "value", "year"],
            ),
            "more than one year column",
        ),
    ],
)
def test_observations_of_the_wrong_kind_are_refused(obs, phrase):
    message = _refused(lambda: api.side_by_side(obs), phrase)
    assert message.startswith("obs: got a table of ")


@pytest.mark.parametrize(
    "obs",
    [_empty(), pd.DataFrame(columns=["source", "vintage", "year", "value"])],
    ids=["typed", "untyped"],
)
def test_empty_observations_give_an_empty_view(obs):
    assert api.side_by_side(obs).empty


def test_observations_of_the_right_kinds_are_set_side_by_side(store):
    obs = milex.series("DEU", "share_gdp", "2020-2024", source=None, vintage="all", store=store)
    wide = api.side_by_side(obs)
    assert list(wide.index) == [2020, 2021, 2022, 2023, 2024] and "nato 2026-07" in wide
    objects = obs.astype({"year": object, "value": object})  # Python numbers in object columns
    pd.testing.assert_frame_equal(api.side_by_side(objects), wide, check_dtype=False)


# ------------------------------------------------------------------ years


def test_a_reversed_pair_is_refused_as_a_reversed_range_is():
    hint = "the first year comes after the last (did you mean 2014-2024?)"
    assert _refused(lambda: parse_years((2024, 2014)), hint).startswith("invalid years (2024, ")
    _refused(lambda: parse_years("2024-2014"), hint)
    _refused(lambda: parse_years((np.int64(2024), np.int64(2014))), "invalid years (2024, 2014)")
    _refused(lambda: milex.series("DEU", years=(2024, 2014)), hint)


def test_a_list_is_years_in_any_order_and_a_pair_a_range():
    assert parse_years([2024, 2014]) == (2014, 2024)
    assert parse_years((2014, 2024)) == (2014, 2024)
    assert parse_years((2024, 2014, 2020)) == (2014, 2024)  # three years: a list of them
    assert "a tuple of two years" in parse_years.__doc__


# ------------------------------------------------------------------ one line, plain values


def test_refusals_show_values_plainly_on_one_line():
    assert _refused(lambda: milex.resolve(object()), "name: got an object of type object;")
    _refused(lambda: milex.resolve(lambda: 0), "name: got an object of type function;")
    message = _refused(lambda: milex.resolve([object()]), "name: got [<object object>]")
    assert " at 0x" not in message
    _refused(lambda: milex.status(year=np.float64(2020.5)), "year: got 2020.5 (")
    _refused(lambda: milex.series("DEU", years=np.float64(2020.0)), "invalid years 2020.0:")
    many = pd.concat([_frame(year=["x"])] * 50)
    message = _refused(lambda: api.side_by_side(many), "a table of 50 rows")
    assert "np." not in message


def test_several_refused_arguments_are_joined_by_semicolons():
    message = _refused(lambda: milex.gap(target=True, year="x", group=3), "target: got True")
    assert message.count("; give ") == 3 and "; year: got 'x'" in message
    assert "; group: got 3;" in message


def test_a_long_value_is_still_cut_short():
    message = _refused(lambda: milex.resolve(["x" * 10_000, object()]), "name: got [")
    assert len(message) < 300


# ------------------------------------------------------------------ doctor


def test_doctor_repair_rebuilds_a_home_and_finds_no_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("MILEX_HOME", str(tmp_path / "home"))  # not the session's store
    result = milex.doctor(repair=True)
    assert isinstance(result, milex.Result)
    assert result.extra["problems"] == 0, result.df
    assert result.notes and result.notes[0].startswith("rebuilt")


# ------------------------------------------------------------------ the Dask connect timeout


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_port():
    """A loopback port whose listener never takes another connection: connecting waits (its
    queue of one is full), as for a scheduler behind a firewall that drops packets."""
    with socket.socket() as server, socket.socket() as first:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        first.connect(server.getsockname())
        yield server.getsockname()[1]


def test_an_unreachable_loopback_port_fails_fast_naming_the_address(store, monkeypatch):
    monkeypatch.setenv("MILEX_DASK_TIMEOUT", "1")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    start = time.perf_counter()
    message = _refused(
        lambda: milex.simulate("DEU", dask=address, store=store, **PLAN),
        f"cannot reach a Dask scheduler at '{address}'",
    )
    assert time.perf_counter() - start < 3
    assert "waited up to 1 s" in message


def test_one_deadline_covers_every_address_a_name_gives(store, monkeypatch, silent_port):
    """Three addresses that do not answer share the 0.5 s, not 0.5 s each."""
    real = socket.getaddrinfo
    asked = []

    def three(host, port, *args, **kwargs):
        asked.append(host)
        return real("127.0.0.1", silent_port, *args, **kwargs)[:1] * 3

    monkeypatch.setattr(runners.socket, "getaddrinfo", three)
    monkeypatch.setenv("MILEX_DASK_TIMEOUT", "0.5")
    start = time.perf_counter()
    _refused(
        lambda: milex.simulate("DEU", dask="tcp://scheduler.invalid:8786", store=store, **PLAN),
        "cannot reach a Dask scheduler at 'tcp://scheduler.invalid:8786': no answer (waited up "
        "to 0.5 s)",
    )
    assert time.perf_counter() - start < 1.2 and asked == ["scheduler.invalid"]


def test_a_name_lookup_that_hangs_is_bounded_too(store, monkeypatch):
    def hangs(*args, **kwargs):
        time.sleep(5)

    monkeypatch.setattr(runners.socket, "getaddrinfo", hangs)
    monkeypatch.setenv("MILEX_DASK_TIMEOUT", "0.3")
    start = time.perf_counter()
    _refused(
        lambda: milex.simulate("DEU", dask="tcp://scheduler.invalid:8786", store=store, **PLAN),
        "no answer (waited up to 0.3 s)",
    )
    assert time.perf_counter() - start < 1.5


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf", "1e9"])
def test_a_bad_dask_timeout_is_refused_naming_the_variable(store, monkeypatch, value):
    monkeypatch.setenv("MILEX_DASK_TIMEOUT", value)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    _refused(
        lambda: milex.simulate("DEU", dask=address, store=store, **PLAN),
        "MILEX_DASK_TIMEOUT must be a number of seconds above 0",
    )


@pytest.mark.parametrize(("value", "seconds"), [("", 5.0), (" 2.5 ", 2.5), ("0.1", 0.1)])
def test_the_dask_timeout_is_read_from_the_environment(monkeypatch, value, seconds):
    monkeypatch.setenv("MILEX_DASK_TIMEOUT", value)
    assert runners.dask_timeout() == seconds


#: A server on loopback that is not Dask's: it accepts and then behaves as ``mode`` says.
NOT_DASK = textwrap.dedent(
    """
    import socket, sys, threading, time
    import milex

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    mode = sys.argv[1]
    held = []

    def serve():
        while True:
            conn, _ = server.accept()
            held.append(conn)
            if mode == "http":
                conn.recv(1000)
                conn.sendall(b"HTTP/1.0 400 Bad Request\\r\\n\\r\\n")
                conn.close()
            elif mode == "close":
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    address = "tcp://127.0.0.1:%d" % server.getsockname()[1]
    try:
        milex.simulate("DEU", by=2029, draws=1000, seed=1, dask=address)
    except milex.InputError as exc:
        print("refused:", exc)
    """
)


@pytest.mark.network
@pytest.mark.parametrize("mode", ["http", "close", "silent"])
def test_a_server_that_is_not_dask_is_refused_without_a_traceback(mode):
    pytest.importorskip("distributed")
    env = {**os.environ, "MILEX_DASK_TIMEOUT": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", NOT_DASK, mode], capture_output=True, text=True, timeout=60, env=env
    )
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused: no Dask scheduler answers at 'tcp://127.0.0.1:")
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert elapsed < 15, f"took {elapsed:.1f} s"


def test_a_refusal_lists_few_known_values_and_points_to_many():
    # 4 sources (nato, sipri, wdi, weo) are listed; the 22 indicators are too many to list
    # (more than 8), so the message points to where they are and suggests the closest.
    with pytest.raises(InputError) as sources:
        milex.series("DEU", source="natto")
    assert "known are nato, sipri, wdi, weo" in str(sources.value)
    with pytest.raises(InputError) as indicators:
        milex.series("DEU", "Share_GDP")
    message = str(indicators.value)
    assert "22 are known (see indicators)" in message and "Did you mean share_gdp?" in message


@pytest.mark.parametrize(
    ("value", "locale", "digits", "exact", "written"),
    [
        (3.75, "nl_NL", 2, False, "3,75"),
        (3.5, "en_GB", 2, True, "3.50"),
        (1482905.0, "de_DE", 0, False, "1.482.905"),
        (1482905.4, "fr_FR", 1, False, "1\u202f482\u202f905,4"),
        (-0.001, "en_GB", 2, False, "0"),  # rounds to zero: never "-0"
        (2.0, "nl_NL", 2, False, "2"),
    ],
)
def test_decimal_writes_numbers_the_way_each_locale_does(value, locale, digits, exact, written):
    """The one number formatter of the claims, charts and pages (babel's patterns)."""
    from milex.vocab import decimal

    assert decimal(value, locale, digits, exact=exact) == written


def test_many_refused_arguments_stay_one_readable_line():
    # eight bad arguments (a target "x" may be a guideline id: refused later): the first six
    # (api.MAX_REFUSALS) explained, the last two named
    bad = {"draws": 0, "seed": -1, "method": 5, "basis": 5, "base_year": "x", "settings": "x"}
    with pytest.raises(milex.InputError) as caught:
        milex.simulate(2000, "x", "y", **bad)
    message = str(caught.value)
    explained = ["country", "by", "draws", "seed", "method", "basis"]
    assert [name for name in explained if f"{name}: got " in message] == explained
    assert "base_year: got" not in message and "settings: got" not in message
    assert message.endswith("; also refused: base_year, settings")
    assert "\n" not in message
