"""Writing output never destroys anything (issue 7, part 1): devices and FIFOs are written
through, symbolic links followed, a file's mode kept, errors name the target in one line, and an
export killed at any moment leaves the old file or the new one, never half of one, nor leftovers.
"""

from __future__ import annotations

import io
import json
import os
import pty
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from milex import outfile
from milex.errors import OutputError

from .test_cli import embedded_rows, run

ROOT = Path(__file__).resolve().parents[1]
MILEX = [sys.executable, "-m", "milex"]
#: The same command with Linux's anonymous temporary files switched off: named ones instead.
MILEX_NAMED = [
    sys.executable,
    "-c",
    "import os, sys; del os.O_TMPFILE; from milex.cli import main; main(sys.argv[1:])",
]
NEW = b"iso3,value\nDEU,2.1\n"
OLD = b"old,complete\n1,2\n"


def _payload(stream) -> None:
    stream.write(NEW)


def _half_then_fail(stream) -> None:
    stream.write(NEW[:5])
    stream.flush()
    raise RuntimeError("the writer fails halfway")


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(params=["anonymous", "named"])
def temporaries(request, monkeypatch) -> str:
    """Both kinds of temporary file: Linux's O_TMPFILE, and the named file used elsewhere."""
    if request.param == "named":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    return request.param


# ------------------------------------------------------------------ regular files


def test_a_new_file_is_written_and_nothing_else_is_left(tmp_path, temporaries):
    target = tmp_path / "out.csv"
    assert outfile.write(target, _payload) == target
    assert target.read_bytes() == NEW
    assert _names(tmp_path) == ["out.csv"]


def test_a_failing_writer_leaves_the_old_file_and_no_leftovers(tmp_path, temporaries):
    target = tmp_path / "out.csv"
    target.write_bytes(OLD)
    with pytest.raises(RuntimeError, match="halfway"):
        outfile.write(target, _half_then_fail)
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["out.csv"]


def test_an_existing_files_mode_is_kept(tmp_path, temporaries):
    target = tmp_path / "secret.csv"
    target.write_bytes(OLD)
    target.chmod(0o600)
    outfile.write(target, _payload)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == NEW


@pytest.mark.parametrize(("umask", "mode"), [(0o027, 0o640), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_open_gives(tmp_path, temporaries, umask, mode):
    """0o666 less the umask, as open() gives (mkstemp alone would give 0o600)."""
    before = os.umask(umask)
    try:
        outfile.write(tmp_path / "new.csv", _payload)
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == mode


def test_a_symbolic_link_is_kept_and_its_target_replaced(tmp_path, temporaries):
    real = tmp_path / "data" / "real.csv"
    real.parent.mkdir()
    real.write_bytes(OLD)
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    outfile.write(link, _payload)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == NEW and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert _names(real.parent) == ["real.csv"] and _names(tmp_path) == ["data", "link.csv"]


def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "later.csv")
    outfile.write(link, _payload)
    assert link.is_symlink() and (tmp_path / "later.csv").read_bytes() == NEW


def test_leftovers_of_dead_exports_are_removed_and_live_ones_kept(tmp_path):
    """Temporary names carry host and process id: a later export removes those whose process
    is gone (a process that has exited and been waited for), never a running one's."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = outfile._host()
    gone = tmp_path / f".out.csv.milex-{dead.pid}@{host}-0123abcd.part"
    alive = tmp_path / f".out.csv.milex-{os.getpid()}@{host}-4567cdef.part"
    elsewhere = tmp_path / f".out.csv.milex-{dead.pid}@another-host-89abcdef.part"
    mine = tmp_path / "notes.part"
    for path in (gone, alive, elsewhere, mine):
        path.write_bytes(b"partial")
    outfile.write(tmp_path / "other.csv", _payload)
    assert not gone.exists()
    assert alive.exists() and elsewhere.exists() and mine.exists()


# ------------------------------------------------------------------ refusals and errors


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(OutputError) as info:
        outfile.write(tmp_path, _payload)
    assert str(info.value) == (
        f"cannot write {tmp_path}: it is a folder; give a file name, not a folder, e.g. milex.csv"
    )
    assert info.value.exit_code == 2


def test_a_missing_folder_is_named(tmp_path):
    target = tmp_path / "nowhere" / "out.csv"
    with pytest.raises(OutputError) as info:
        outfile.write(target, _payload)
    assert str(info.value) == (
        f"cannot write {target}: no folder {target.parent}; give a file name in an existing folder"
    )


@pytest.mark.skipif(sys.platform != "linux", reason="/dev/full is Linux's")
def test_no_space_is_an_error_naming_the_target_not_the_temporary(tmp_path):
    """/dev/full fails every write with ENOSPC; the device stays a device."""
    before = os.stat("/dev/full")
    with pytest.raises(OutputError) as info:
        outfile.write(Path("/dev/full"), _payload)
    assert str(info.value) == (
        "cannot write /dev/full: no space left on device; free some space or write elsewhere"
    )
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_read_only_folder_is_an_error_naming_the_target(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user (root) writes into a read-only folder: chmod cannot stop it")
        with pytest.raises(OutputError) as info:
            outfile.write(folder / "out.csv", _payload)
        assert str(info.value) == (
            f"cannot write {folder / 'out.csv'}: permission denied; check the permissions or "
            "write elsewhere"
        )
    finally:
        folder.chmod(0o755)


# ------------------------------------------------------------------ the export command


def test_export_to_dev_null_writes_through(capsys):
    code, _, err = run(capsys, "export", "-s", "nato", "-f", "csv", "-o", "/dev/null")
    assert code == 0 and err == "wrote /dev/null\n"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_export_to_dev_full_fails_with_exit_2(capsys):
    for fmt in ("csv", "json", "parquet"):
        code, _, err = run(capsys, "export", "-s", "nato", "-f", fmt, "-o", "/dev/full")
        assert code == 2, fmt
        assert err == (
            "error: cannot write /dev/full: no space left on device; free some space or write "
            "elsewhere\n"
        )
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_export_into_a_fifo_reaches_its_reader(capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, _ = run(capsys, "export", "-s", "sipri", "-f", "csv", "-o", str(fifo))
    reader.join(timeout=60)
    assert code == 0 and stat.S_ISFIFO(fifo.lstat().st_mode)
    frame = pd.read_csv(io.BytesIO(received[0]))
    assert len(frame) == len(embedded_rows("sipri_2025-04.csv", "sipri_2026-04.csv"))
    assert set(frame["source"]) == {"sipri"}


def test_export_to_a_folder_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "export", "-f", "csv", "-o", str(tmp_path))
    assert code == 2 and "it is a folder" in err and err.count("\n") == 1


def test_export_into_a_missing_folder_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "export", "-o", str(tmp_path / "nowhere" / "x.csv"))
    assert code == 2 and f"no folder {tmp_path / 'nowhere'}" in err


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_dash_writes_to_standard_output(capsys, fmt):
    code, out, err = run(
        capsys, "export", "-s", "sipri", "--vintage", "2025-04", "-f", fmt, "-o", "-"
    )
    assert code == 0 and err == ""
    rows = pd.read_csv(io.StringIO(out)) if fmt == "csv" else pd.DataFrame(json.loads(out))
    assert len(rows) == len(embedded_rows("sipri_2025-04.csv"))
    assert set(rows["vintage"]) == {"2025-04"}


def test_parquet_to_standard_output_through_a_pipe(store):
    done = subprocess.run(
        [*MILEX, "export", "-s", "nato", "--vintage", "2024-06", "-f", "parquet", "-o", "-"],
        capture_output=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    frame = pd.read_parquet(io.BytesIO(done.stdout))
    assert len(frame) == len(embedded_rows("nato_2024-06.csv"))


def test_parquet_is_not_written_to_a_terminal(store):
    main, child = pty.openpty()
    try:
        done = subprocess.run(
            [*MILEX, "export", "-f", "parquet", "-o", "-"],
            stdout=child,
            stderr=subprocess.PIPE,
            timeout=120,
            cwd=ROOT,
        )
    finally:
        os.close(child)
        os.close(main)
    assert done.returncode == 2
    assert done.stderr.decode().startswith(
        "error: parquet is binary and standard output is a terminal: redirect it"
    )


# ------------------------------------------------------------------ crash trials


def _export(command: list[str], target: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*command, "export", "-f", "csv", "-o", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("command", "trials"), [(MILEX, 20), (MILEX_NAMED, 10)], ids=["O_TMPFILE", "named"]
)
def test_an_export_killed_at_any_moment_leaves_a_complete_file(store, tmp_path, command, trials):
    """SIGKILL at random moments over an export of all data: the target is always the old
    complete file or the new complete one, and the next export leaves no temporary file."""
    target = tmp_path / "all.csv"
    start = time.monotonic()
    assert _export(command, target).wait(timeout=120) == 0
    duration = time.monotonic() - start
    complete = target.read_bytes()
    assert complete.startswith(b"iso3,name,year,indicator,value") and complete.endswith(b"\n")
    rng = random.Random(7)
    outcomes = []
    for _ in range(trials):
        target.write_bytes(OLD)
        proc = _export(command, target)
        time.sleep(rng.uniform(0, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        content = target.read_bytes()
        assert content in (OLD, complete), f"a partial file of {len(content)} bytes"
        outcomes.append(content == complete)
    assert _export(command, target).wait(timeout=120) == 0
    assert _names(tmp_path) == ["all.csv"] and target.read_bytes() == complete
    assert not all(outcomes), "no kill landed before the rename: the trials prove nothing"
