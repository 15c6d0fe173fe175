"""Every command of the CLI, fuzzed (issue 7, part 4): whatever the arguments, milex exits 0, 1
or 2, shows no traceback, says an error in one short line, and never reaches the fallback that
reports an unexpected exception as a bug in milex."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from milex.cli import main

NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=1890, max_value=2110),
).map(str)
WEIRD = st.sampled_from(
    [
        "",
        " ",
        "nan",
        "-nan",
        "inf",
        "-inf",
        "1e308",
        "-1e308",
        "0x10",
        "٢٠٢٤",  # Arabic-Indic digits
        "2024\x00",
        "2014--2020",
        "2024-2014",
        "-2024",
        "2014-",
        "-",
        "2014-2020-2030",
        "2027=1e300",
        "2027=,2028=5",
        "2027=5,2027=6",
        "=",
        "tcp://",
        "Duitsland",
        "Côte d'Ivoire",
        "🇩🇪",
        "x" * 100_000,
        "9" * 5_000,
        "hague-3.5",
        "wales-2",
    ]
)
TEXT = st.text(min_size=0, max_size=30)
VALUE = st.one_of(NUMBERS, WEIRD, TEXT)
COUNTRY = st.one_of(st.sampled_from(["DEU", "POL", "USA", "ISL", "nato", "Duitsland"]), VALUE)
FORMAT = st.sampled_from(["table", "json", "csv"])

#: Per command: its positional argument (or None) and its options with their values. Draws stay
#: small (or are refused): a valid 100-million-draw simulation is slow by design, not a defect.
COMMANDS: dict[str, tuple[st.SearchStrategy | None, dict[str, st.SearchStrategy]]] = {
    "status": (
        None,
        {"--year": VALUE, "--source": VALUE, "--vintage": VALUE, "--format": FORMAT},
    ),
    "show": (
        COUNTRY,
        {"--indicator": VALUE, "--source": VALUE, "--years": VALUE, "--format": FORMAT},
    ),
    "sources": (None, {"--format": st.one_of(FORMAT, VALUE)}),
    "export": (
        None,
        {
            "--source": st.one_of(st.sampled_from(["nato", "sipri", "weo", "wdi"]), VALUE),
            "--vintage": st.one_of(st.sampled_from(["2024-06", "2026-04"]), VALUE),
            "--format": st.one_of(st.sampled_from(["csv", "json", "parquet", "CSV"]), VALUE),
            # Never a /dev path: in-process as root a regression would replace the host's device
            # (the devices are tested on nodes of their own in test_outfile.py).
            "--output": st.sampled_from(
                ["-", "", "/", ".", "..", "/nonexistent/x.csv", "x" * 5000, "x.csv/"]
            ),
        },
    ),
    "gap": (
        None,
        {
            "--target": VALUE,
            "--year": VALUE,
            "--group": VALUE,
            "--currency": VALUE,
            "--prices": VALUE,
            "--vintage": VALUE,
            "--format": FORMAT,
        },
    ),
    "path": (
        COUNTRY,
        {
            "--target": VALUE,
            "--by": VALUE,
            "--method": st.one_of(st.sampled_from(["linear", "real-growth"]), VALUE),
            "--base-year": VALUE,
            "--growth-after": VALUE,
            "--inflation-after": VALUE,
            "--format": FORMAT,
        },
    ),
    "pledges": (st.one_of(st.none(), COUNTRY), {"--format": FORMAT}),
    # Without --repair (a rebuild of the shared store each example): test_cli_robust runs it.
    "doctor": (None, {"--format": st.one_of(FORMAT, VALUE)}),
    "simulate": (
        COUNTRY,
        {
            "--target": VALUE,
            "--by": VALUE,
            "--draws": st.one_of(
                st.integers(min_value=-(10**20), max_value=2000).map(str),
                st.sampled_from(["1e5", "100000001", "nan", ""]),
            ),
            "--seed": VALUE,
            "--method": VALUE,
            "--amounts": VALUE,
            "--dask": st.sampled_from(["", "garbage", "tcp://localhost", "http://127.0.0.1:8786"]),
            "--format": FORMAT,
        },
    ),
}


#: Longest error line: values echoed are cut to ~80 characters, and a few messages list what is
#: accepted (the 20 indicators: ~390 characters).
LONGEST = 400
#: Options added unless drawn, to keep an example quick: few draws, one edition's export.
CHEAP = {"simulate": ("--draws", "1000"), "export": ("--vintage", "2024-06")}


@st.composite
def command_lines(draw, command: str) -> list[str]:
    """``command`` with its argument (maybe) and a random subset of its options."""
    argument, options = COMMANDS[command]
    args = [command]
    if argument is not None:
        value = draw(argument)
        if value is not None:
            args.append(value)
    for name in draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=4)):
        args += [name, draw(options[name])]
    assert not any(arg.startswith("/dev") for arg in args), args
    cheap = CHEAP.get(command)
    return args + list(cheap) if cheap and cheap[0] not in args else args


def invoke(args: list[str]) -> tuple[int, str, str]:
    """Run ``milex ARGS`` in-process through its real entry point (its error handling
    included), with standard streams captured by typer's CliRunner."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        sys.stdout.flush()
        sys.stderr.flush()
        text = out.getvalue().decode(errors="replace"), err.getvalue().decode(errors="replace")
    return code, *text


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_any_arguments_end_in_a_result_or_one_line(store, command):
    @settings(
        max_examples=60,
        deadline=10_000,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(command_lines(command))
    def check(args: list[str]) -> None:
        code, out, err = invoke(args)
        event(f"exit {code}")
        shown = f"{[a[:40] for a in args]}: {err[:500]!r}"
        assert code in (0, 1, 2), shown
        assert "Traceback" not in out + err, shown
        assert "bug in milex" not in err, shown
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        if code:
            assert len(errors) == 1 and len(errors[0]) < LONGEST, shown
        else:
            assert errors == [], shown

    check()
    assert list(Path.cwd().iterdir()) == []  # no output name above is a new regular file
