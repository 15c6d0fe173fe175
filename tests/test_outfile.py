"""Writing output never destroys anything (issue 7, part 1): devices and FIFOs are written
through, symbolic links followed, a file's mode kept, errors name the target in one line, and an
export killed at any moment leaves the old file or the new one, never half of one, nor leftovers.
"""

from __future__ import annotations

import io
import json
import os
import pty
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
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
#: The same command on the portable path (Windows'): a named temporary file, os.replace, chmod.
MILEX_PORTABLE = [
    sys.executable,
    "-c",
    "import sys; from milex import outfile; outfile._descriptor_relative = lambda: False; "
    "from milex.cli import main; main(sys.argv[1:])",
]
#: The same command marking on standard error when the writer starts and ends writing.
MILEX_TIMED = [
    sys.executable,
    "-c",
    """import sys, time
from milex import outfile
write = outfile.write
def timed(target, writer):
    def marked(stream):
        print("writer-start", time.monotonic(), file=sys.stderr, flush=True)
        writer(stream)
        print("writer-end", time.monotonic(), file=sys.stderr, flush=True)
    return write(target, marked)
outfile.write = timed
from milex.cli import main
main(sys.argv[1:])
""",
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


@pytest.fixture(params=["anonymous", "named", "portable"])
def temporaries(request, monkeypatch) -> str:
    """Every way of writing the temporary file: Linux's O_TMPFILE; a named file relative to a
    folder descriptor (macOS, the BSDs); and the portable path of a system without
    descriptor-relative calls (Windows), forced here by hiding them from the capability check."""
    if request.param != "anonymous":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    if request.param == "portable":
        monkeypatch.setattr(os, "supports_dir_fd", frozenset())
        monkeypatch.setattr(outfile, "_replace_at", _not_on_the_portable_path)
    return request.param


def _not_on_the_portable_path(*args) -> None:
    raise AssertionError("the descriptor-relative path was taken")


@pytest.fixture
def devices(tmp_path) -> dict[str, Path]:
    """This test's own null and full devices (Linux's character devices 1,3 and 1,7), made in
    its temporary folder: a regression replaces these, never the host's /dev/null or /dev/full.
    Skipped where device nodes cannot be made or opened (not root, or a nodev file system)."""
    if sys.platform != "linux":
        pytest.skip("the device numbers of null and full are Linux's")
    made = {}
    for name, minor in (("null", 3), ("full", 7)):
        node = tmp_path / "dev" / name
        node.parent.mkdir(exist_ok=True)
        try:
            os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
            with open(node, "wb"):
                pass
        except OSError as exc:
            pytest.skip(f"cannot make and open a device node here: {exc.strerror} (needs root)")
        made[name] = node
    return made


def _still_a_device(node: Path, minor: int) -> bool:
    found = node.lstat()
    return stat.S_ISCHR(found.st_mode) and found.st_rdev == os.makedev(1, minor)


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


@pytest.mark.parametrize(
    "hide",
    ["supports_dir_fd", "O_DIRECTORY", "fchmod", "name"],
    ids=["no dir_fd calls", "no O_DIRECTORY", "no fchmod", "not posix"],
)
def test_without_descriptor_calls_the_portable_path_writes_a_whole_file(
    tmp_path, monkeypatch, hide
):
    """Where os lacks what the descriptor-relative path uses (Windows; an os without dir_fd
    calls), a named temporary file is moved with os.replace: the whole file, the old mode, no
    temporary file left, and os.kill never used."""
    target = tmp_path / "secret.csv"
    target.write_bytes(OLD)
    target.chmod(0o600)
    used = []
    monkeypatch.setattr(outfile, "_replace_at", _not_on_the_portable_path)
    monkeypatch.setattr(outfile, "_replace_portably", _spy(outfile._replace_portably, used))
    if hide == "supports_dir_fd":
        monkeypatch.setattr(os, "supports_dir_fd", frozenset())
    elif hide == "name":  # only the check sees it: pathlib would pick WindowsPath
        check = outfile._descriptor_relative
        monkeypatch.setattr(outfile, "_descriptor_relative", lambda: _as_if_on_windows(check))
    else:
        monkeypatch.delattr(os, hide)
    outfile.write(target, _payload)
    assert used == [target]
    assert target.read_bytes() == NEW and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _names(tmp_path) == ["secret.csv"]


def _spy(function, calls: list):
    def spied(real, *args):
        calls.append(real)
        return function(real, *args)

    return spied


def _as_if_on_windows(check):
    """``check()`` with os.name "nt", only while it runs (pathlib reads os.name)."""
    real = os.name
    os.name = "nt"
    try:
        return check()
    finally:
        os.name = real


def test_a_failing_writer_on_the_portable_path_leaves_no_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "supports_dir_fd", frozenset())
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError, match="halfway"):
        outfile.write(target, _half_then_fail)
    assert _names(tmp_path) == []


def test_on_windows_leftovers_are_left_alone_and_no_process_signalled(tmp_path, monkeypatch):
    """os.kill(pid, 0) terminates the process on Windows: there a leftover's owner is never
    asked about, and the leftover stays."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = tmp_path / f".out.csv.milex-{dead.pid}@{outfile._host()}-0123abcd.part"
    leftover.write_bytes(b"partial")
    signalled = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: signalled.append(pid))
    monkeypatch.setattr(os, "name", "nt")
    try:
        outfile._sweep(tmp_path)
        gone = outfile._gone(dead.pid)
        portable = not outfile._descriptor_relative()
    finally:
        monkeypatch.undo()  # before anything builds a Path: pathlib reads os.name
    assert leftover.exists() and not gone and signalled == [] and portable


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


def test_no_space_is_an_error_naming_the_target_not_the_temporary(devices):
    """A full device fails every write with ENOSPC; the device stays a device."""
    full = devices["full"]
    with pytest.raises(OutputError) as info:
        outfile.write(full, _payload)
    assert str(info.value) == (
        f"cannot write {full}: no space left on device; free some space or write elsewhere"
    )
    assert _still_a_device(full, 7)


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


def test_export_to_a_null_device_writes_through(capsys, devices):
    null = devices["null"]
    code, _, err = run(capsys, "export", "-s", "nato", "-f", "csv", "-o", str(null))
    assert code == 0 and err == f"wrote {null}\n"
    assert _still_a_device(null, 3)


def test_export_to_a_full_device_fails_with_exit_2(capsys, devices):
    full = devices["full"]
    for fmt in ("csv", "json", "parquet"):
        code, _, err = run(capsys, "export", "-s", "nato", "-f", fmt, "-o", str(full))
        assert code == 2, fmt
        assert err == (
            f"error: cannot write {full}: no space left on device; free some space or write "
            "elsewhere\n"
        )
        assert _still_a_device(full, 7)


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


def test_parquet_appended_to_a_file_keeps_what_it_held(store, tmp_path):
    """milex export -f parquet >> keep.txt: before the fix the safe writer renamed a temporary
    file over /dev/fd/1, so keep.txt held only the parquet and its first line was lost."""
    keep = tmp_path / "keep.txt"
    keep.write_bytes(b"precious\n")
    inode = keep.stat().st_ino
    with open(keep, "ab") as appended:
        done = subprocess.run(
            [*MILEX, "export", "-s", "nato", "--vintage", "2024-06", "-f", "parquet"],
            stdout=appended,
            stderr=appended,  # as 2>&1: nothing said after the parquet may be lost either
            timeout=120,
            cwd=ROOT,
        )
        appended.write(b"after\n")
    assert done.returncode == 0
    content = keep.read_bytes()
    assert keep.stat().st_ino == inode and _names(tmp_path) == ["keep.txt"]
    assert content.startswith(b"precious\nPAR1") and content.endswith(b"PAR1after\n")
    table = pq.read_table(pa.BufferReader(content[len(b"precious\n") : -len(b"after\n")]))
    assert table.num_rows == len(embedded_rows("nato_2024-06.csv"))


# ------------------------------------------------------------------ crash trials

#: Per way of writing the temporary file: the command, and how many exports are killed while
#: it is being written. At least half of these kills must land in the write window.
CRASH_TRIALS = {
    "O_TMPFILE": (MILEX, 8),
    "named": (MILEX_NAMED, 6),
    "portable": (MILEX_PORTABLE, 6),
}


def _export(command: list[str], target: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*command, "export", "-f", "csv", "-o", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


def _write_window(target: Path) -> float:
    """How long an export of all data spends in its writer (seconds), from a run that marks
    the writer's start and end."""
    done = subprocess.run(
        [*MILEX_TIMED, "export", "-f", "csv", "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    marks = dict(line.split() for line in done.stderr.splitlines() if line.startswith("writer-"))
    return float(marks["writer-end"]) - float(marks["writer-start"])


def _temporary_open(pid: int, target: Path) -> bool:
    """Whether process ``pid`` holds a file open next to ``target`` other than ``target``: an
    anonymous O_TMPFILE shows as ``folder/#inode (deleted)``, a named one by its name."""
    folder = str(target.parent.resolve())
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for descriptor in descriptors:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{descriptor}")
        except OSError:  # closed meanwhile
            continue
        if os.path.dirname(link) == folder and os.path.basename(link) != target.name:
            return True
    return False


def _kill_while_writing(command: list[str], target: Path, delay: float) -> tuple[bytes, bool]:
    """Export into ``target`` (holding OLD); once the export has its temporary file open, wait
    ``delay`` seconds and SIGKILL it. Returns the target's content and whether the temporary
    file was seen open before the kill."""
    target.write_bytes(OLD)
    proc = _export(command, target)
    seen, deadline = False, time.monotonic() + 60
    while not seen and proc.poll() is None and time.monotonic() < deadline:
        seen = _temporary_open(proc.pid, target)
        time.sleep(0.001)
    time.sleep(delay if seen else 0)
    proc.kill()
    proc.wait(timeout=60)
    return target.read_bytes(), seen


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="watches /proc/<pid>/fd")
def test_an_export_killed_while_writing_leaves_the_old_file_or_the_new_one(store, tmp_path):
    """20 SIGKILLs spread over the write window, measured first, of exports of all data (two at
    a time), for every way of writing the temporary file. Each kill comes once the export is
    seen holding its temporary file open; a kill that leaves the old content has landed
    between that file's creation and the rename, and at least half must. The target is always
    the old complete file or the new complete one (a write into the target itself would leave
    a partial file, or no temporary file to see), and the next export leaves no temporary file."""
    window = _write_window(tmp_path / "timed.csv")
    complete = (tmp_path / "timed.csv").read_bytes()
    assert complete.startswith(b"iso3,name,year,indicator,value") and complete.endswith(b"\n")
    trials = [
        (way, command, tmp_path / f"{way}-{i}.csv", window * (i + 0.5) / count)
        for way, (command, count) in CRASH_TRIALS.items()
        for i in range(count)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda t: _kill_while_writing(*t[1:]), trials))
    inside = dict.fromkeys(CRASH_TRIALS, 0)
    for (way, _, _, delay), (content, seen) in zip(trials, outcomes, strict=True):
        assert content in (OLD, complete), f"{way}, {delay:.2f} s: {len(content)} bytes"
        inside[way] += seen and content == OLD
    sweep = [*MILEX_NAMED, "export", "-s", "nato", "--vintage", "2024-06", "-o"]
    assert subprocess.run([*sweep, str(tmp_path / "nato.csv")], timeout=120).returncode == 0
    assert _names(tmp_path) == sorted(["nato.csv", "timed.csv", *(t[2].name for t in trials)])
    short = {way: n for way, n in inside.items() if n < CRASH_TRIALS[way][1] // 2}
    assert not short, f"too few kills in the {window:.2f} s write window: {inside}"
