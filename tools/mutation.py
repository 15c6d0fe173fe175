"""Mutation testing of milex's analysis modules with mutmut, in a throw-away copy of the repo.

Run from anywhere inside the repository:

    python tools/mutation.py                       # the default analysis modules, whole suite
    python tools/mutation.py src/milex/targets.py --tests tests/test_targets.py tests/test_cli.py
    python tools/mutation.py src/milex/montecarlo/engine.py --sample 5 --report /tmp/mm.md
    python tools/mutation.py --rev c6032d5 src/milex/targets.py      # an older commit
    python tools/mutation.py --worktree                             # uncommitted changes too

What it does:

1. copies the code into a new temporary folder, never touching the caller's working tree: a
   ``git clone`` checked out at ``--rev`` (default: the committed HEAD), or with ``--worktree``
   a copy of the working tree's tracked and untracked, not ignored, files;
2. makes a virtual environment there with the project (editable, pointing at the copy), its
   ``test`` extra and mutmut, unless ``--venv`` names one to reuse (it needs mutmut and the
   project's dependencies);
3. writes mutmut's configuration (``setup.cfg``, ``[mutmut]``) into the copy, with the modules to
   mutate and the tests to run, and runs ``mutmut run`` there with one worker and ``TMPDIR``
   inside the temporary folder;
4. prints, for each module, the mutants, how many the tests killed, how many timed out, survived
   or had no test calling them, and the score, and optionally writes the surviving mutants
   (file:line and the mutation) to ``--report`` (Markdown) and ``--json``.

The score is mutmut's own (``mutmut badge``): killed plus timed out, over the mutants tried.
A mutant that no selected test calls ("no tests") counts against the score.

Notes on mutmut 3:

* It mutates code inside functions and methods only: module-level constants, class bodies and
  decorated functions (other than static and class methods) are not mutated.
* Each mutant runs only the selected tests that call the mutated function (mutmut records that
  in a first, instrumented run of the selected tests), stopping at the first failure. Selecting
  fewer test files (``--tests``) shortens that first run, and leaves out the tests that reach a
  module only through the CLI, so it can lower the score.
* mutmut copies the sources to ``mutants/`` and puts ``mutants/src`` first on ``sys.path``;
  the copy is installed editable so that, should that ever fail, importing the package fails
  rather than silently testing unmutated code (mutmut issue 486). The run is refused as broken
  if mutmut's forced-failure check fails or no mutant at all is killed.
* ``--sample K`` tries every K-th mutant of each module, in mutmut's order (file order, then
  mutant number), for modules too large to run whole; the table says so.

Mutation testing is slow (minutes to an hour per module on two cores): it is not part of CI.
Exit status: 0 when the run completed (and every score reached ``--fail-under``), 1 otherwise,
2 for a usage error.
"""

from __future__ import annotations

import argparse
import ast
import configparser
import difflib
import fnmatch
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

#: The analysis modules (new layout): a file, or a folder for all the .py files under it.
DEFAULT_MODULES = [
    "src/milex/targets.py",
    "src/milex/money.py",
    "src/milex/projection/",
    "src/milex/checks/",
    "src/milex/claims/",
    "src/milex/montecarlo/engine.py",
]
DEFAULT_TESTS = ["tests"]
MUTMUT_REQUIREMENT = "mutmut>=3.8,<4"
#: Top-level entries of the copy that mutmut must not copy into mutants/ (src and tests it
#: handles itself; shared is a link to the reference data beside the repository).
NOT_COPIED = {".git", "mutants", "src", "tests", "shared", "setup.cfg", "pyproject.toml"}

#: mutmut's exit codes per mutant (mutmut/stats.py), grouped as this report counts them.
KILLED = {1, 3, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}
TIMEOUT = {36, 24, -24, 152, 255}
#: A pattern that matches no mutant: running it makes mutmut generate the mutants and record
#: which tests call each function, then stop (used before a sampled run).
NOTHING = "no-such-mutant-*"


class UsageError(Exception):
    """A problem with the arguments or the environment; reported in one line, exit status 2."""


class RunError(Exception):
    """The run failed; reported in one line, exit status 1."""


@dataclass
class Mutant:
    key: str
    path: str
    exit_code: int | None
    line: int | None = None
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return status_of(self.exit_code)


def status_of(code: int | None) -> str:
    if code is None:
        return "not run"
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    if code in TIMEOUT:
        return "timeout"
    return "other"


@dataclass
class ModuleResult:
    module: str
    generated: int
    mutants: list[Mutant]

    def count(self, status: str) -> int:
        return sum(m.status == status for m in self.mutants)

    @property
    def tried(self) -> int:
        return sum(m.status != "not run" for m in self.mutants)

    @property
    def score(self) -> float | None:
        tried = self.tried
        if not tried:
            return None
        return 100 * (self.count("killed") + self.count("timeout")) / tried


# --- the copy -------------------------------------------------------------------------------


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise UsageError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout


def repo_root(start: Path) -> Path:
    return Path(git("rev-parse", "--show-toplevel", cwd=start).strip())


def make_copy(root: Path, dest: Path, *, rev: str | None, worktree: bool) -> str:
    """Copy the repository at ``root`` into ``dest``; return a description of what was copied."""
    if worktree:
        listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=root)
        for name in filter(None, listed.split("\0")):
            source = root / name
            if not source.is_file():  # deleted in the working tree, or a submodule
                continue
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        head = git("rev-parse", "--short", "HEAD", cwd=root).strip()
        return f"working tree of {root} (HEAD {head} plus uncommitted changes)"
    commit = git(
        "rev-parse", "--verify", "--quiet", f"{rev or 'HEAD'}^{{commit}}", cwd=root
    ).strip()
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", "--no-checkout", str(root), str(dest)],
        check=True,
    )
    subprocess.run(
        ["git", "-c", "advice.detachedHead=false", "checkout", "--quiet", commit],
        cwd=dest,
        check=True,
    )
    subject = git("log", "-1", "--format=%h %s", commit, cwd=root).strip()
    return f"commit {subject}"


def module_files(copy: Path, modules: list[str]) -> dict[str, list[str]]:
    """Each module argument and the .py files (relative to the copy) it stands for."""
    files: dict[str, list[str]] = {}
    for module in modules:
        path = copy / module
        if path.is_file() and path.suffix == ".py":
            files[module] = [module.replace(os.sep, "/")]
        elif path.is_dir():
            found = sorted(p.relative_to(copy).as_posix() for p in path.rglob("*.py"))
            if not found:
                raise UsageError(f"{module} holds no .py file")
            files[module] = found
        else:
            raise UsageError(
                f"{module} is not a .py file or a folder in the code being tested; give modules "
                "as paths from the repository root, e.g. src/milex/targets.py or "
                "src/milex/projection/ (the defaults are the new layout's; for an older commit "
                "name its modules)"
            )
        outside = [f for f in files[module] if not f.startswith("src/")]
        if outside:
            raise UsageError(f"{outside[0]} is not under src/: mutmut mutates the src/ tree only")
    return files


def write_config(copy: Path, patterns: list[str], tests: list[str], timeout_multiplier: float):
    """Write mutmut's configuration into the copy (setup.cfg), and drop any [tool.mutmut] table
    of the copy's pyproject.toml, which mutmut would otherwise read instead."""
    pyproject = copy / "pyproject.toml"
    if pyproject.is_file():
        kept, skipping = [], False
        for line in pyproject.read_text(encoding="utf-8").splitlines(keepends=True):
            header = re.match(r"\s*\[+([^\]]+)\]+\s*(#.*)?$", line)
            if header:
                skipping = header.group(1).strip().startswith("tool.mutmut")
            if not skipping:
                kept.append(line)
        pyproject.write_text("".join(kept), encoding="utf-8")
    also_copy = sorted(p.name for p in copy.iterdir() if p.name not in NOT_COPIED)
    settings = {
        "source_paths": ["src"],
        "only_mutate": patterns,
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
        "also_copy": also_copy,
        "timeout_multiplier": [str(timeout_multiplier)],
        "use_git_change_detection": ["false"],
    }
    parser = configparser.ConfigParser()
    parser.read(copy / "setup.cfg")
    parser["mutmut"] = {key: "\n" + "\n".join(values) for key, values in settings.items()}
    with (copy / "setup.cfg").open("w", encoding="utf-8") as handle:
        parser.write(handle)


# --- the environment ------------------------------------------------------------------------


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def check_venv(venv: Path) -> None:
    python = venv_python(venv)
    if not python.exists():
        raise UsageError(f"{venv} is not a virtual environment (no {python})")
    done = subprocess.run([str(python), "-c", "import mutmut"], capture_output=True)
    if done.returncode:
        raise UsageError(
            f"mutmut is not installed in {venv}: run  "
            f"{python} -m pip install '{MUTMUT_REQUIREMENT}'"
        )


def make_venv(copy: Path, venv: Path, log: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    command = [
        str(venv_python(venv)),
        "-m",
        "pip",
        "install",
        "--quiet",
        "-e",
        f"{copy}[test]",
        MUTMUT_REQUIREMENT,
    ]
    with log.open("a", encoding="utf-8") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT)
    if done.returncode:
        raise RunError(f"installing the project and mutmut failed; see {log}")


def clean_env(venv: Path, tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MILEX_HOME"}
    }
    env["PATH"] = f"{venv_python(venv).parent}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["TMPDIR"] = str(tmp)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# --- running mutmut -------------------------------------------------------------------------

STATUS_LINE = re.compile(r"(\d+)/(\d+)\s+🎉 (\d+) 🫥 (\d+)\s+⏰ (\d+)\s+🤔 (\d+)\s+🙁 (\d+)")


def run_mutmut(
    copy: Path, venv: Path, env: dict[str, str], names: list[str], log: Path, every: float
) -> int:
    """Run ``mutmut run`` in the copy; log its output and print its progress every ``every`` s."""
    command = [str(venv_python(venv).parent / "mutmut"), "run", "--max-children", "1", *names]
    started = last = time.monotonic()
    latest = None
    with log.open("ab") as handle:
        process = subprocess.Popen(
            command,
            cwd=copy,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert process.stdout is not None
        try:
            while chunk := process.stdout.read1(65536):
                handle.write(chunk)
                for match in STATUS_LINE.finditer(chunk.decode("utf-8", "replace")):
                    latest = match
                now = time.monotonic()
                if latest and now - last >= every:
                    done, total, killed, notests, timeout, _, survived = latest.groups()
                    print(
                        f"  [{(now - started) / 60:5.1f} min] {done}/{total} mutants: "
                        f"{killed} killed, {survived} survived, {notests} no tests, "
                        f"{timeout} timeout",
                        flush=True,
                    )
                    last = now
            return process.wait()
        except BaseException:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise


def read_meta(copy: Path, path: str) -> dict[str, int | None]:
    meta = copy / "mutants" / f"{path}.meta"
    if not meta.is_file():
        return {}
    return json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]


def sample(keys: list[str], every: int) -> list[str]:
    return keys[::every]


def as_pattern(key: str, all_keys: list[str]) -> str:
    """A pattern naming one mutant for ``mutmut run``. A bare name whose function no selected
    test calls makes mutmut 3.8 fail (KeyError); a leading ``*`` takes its pattern route, which
    marks such a mutant "no tests". The pattern must match that one mutant only."""
    pattern = "*" + key
    matches = [k for k in all_keys if fnmatch.fnmatchcase(k, pattern)]
    if matches != [key]:
        raise RunError(f"cannot name mutant {key} alone (pattern matches {len(matches)})")
    return pattern


# --- describing mutants ---------------------------------------------------------------------

FUNCTION = re.compile(r"^(?P<func>.+)__mutmut_(?P<n>\d+)$")


def functions_by_name(tree: ast.AST) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def original_def_line(tree: ast.Module, mangled: str) -> int | None:
    """Line of the ``def`` of the function mutmut calls ``mangled`` (``x_name`` or
    ``xǁClassǁname``) in the original source."""
    parts = mangled[2:].split("ǁ") if mangled.startswith("xǁ") else [mangled[2:]]
    body = tree.body
    for cls in parts[:-1]:
        found = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == cls), None)
        if found is None:
            return None
        body = found.body
    func = next(
        (
            n
            for n in body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == parts[-1]
        ),
        None,
    )
    return func.lineno if func else None


def describe(copy: Path, mutants: list[Mutant]) -> None:
    """Fill in each mutant's line in the original file and the lines it changes."""
    by_path: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_path.setdefault(mutant.path, []).append(mutant)
    for path, group in by_path.items():
        mutated_source = (copy / "mutants" / path).read_text(encoding="utf-8")
        mutated_lines = mutated_source.splitlines()
        generated = functions_by_name(ast.parse(mutated_source))
        original = ast.parse((copy / path).read_text(encoding="utf-8"))
        for mutant in group:
            name = FUNCTION.match(mutant.key.rpartition(".")[2])
            if not name:
                continue
            func = name.group("func")
            orig, mut = (
                generated.get(f"{func}__mutmut_orig"),
                generated.get(f"{func}__mutmut_{name.group('n')}"),
            )
            start = original_def_line(original, func)
            if orig is None or mut is None or start is None:
                continue
            a = mutated_lines[orig.lineno - 1 : orig.end_lineno]
            b = mutated_lines[mut.lineno - 1 : mut.end_lineno]
            b[0] = b[0].replace(mut.name, orig.name, 1)
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
                if tag == "equal":
                    continue
                if mutant.line is None:
                    mutant.line = start + i1
                mutant.removed += [line.strip() for line in a[i1:i2]]
                mutant.added += [line.strip() for line in b[j1:j2]]
            mutant.kinds = kinds_of_change(mutant.removed, mutant.added)


COMPARISONS = {"<", "<=", ">", ">=", "==", "!=", "is", "not", "in"}
ARITHMETIC = {"+", "-", "*", "/", "//", "%", "**", "+=", "-=", "*=", "/=", "//=", "%=", "**="}
#: A literal that is a year (1900-2099) or a dated id such as an edition's "2025-04".
YEAR = re.compile(r"(19|20)\d\d")
DATE = re.compile(r"[rbuRBU]?(\"|')(19|20)\d\d(-\d\d){0,2}(\"|')")
UNPACKED_AFTER = {"(", "[", "{", ",", "=", ":"}
SKIPPED_TOKENS = {
    tokenize.NEWLINE,
    tokenize.NL,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.COMMENT,
}


def tokens(lines: list[str]) -> list[tuple[int, str]]:
    """Python tokens of some lines (which may stop mid-statement), as (type, text)."""
    found: list[tuple[int, str]] = []
    text = "\n".join(line.strip() for line in lines) + "\n"
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type not in SKIPPED_TOKENS:
                found.append((token.type, token.string))
    except (tokenize.TokenError, SyntaxError):  # an unclosed bracket: keep what was read
        pass
    return found


def kinds_of_change(removed: list[str], added: list[str]) -> list[str]:
    """What a mutation touches: "number" (a figure, factor, tolerance or index), "comparison"
    (a threshold or a condition), "arithmetic" (an operator), "date" (a year, or a string that
    is a date or a dated id such as "2025-04"). A whole expression replaced by None is none of
    these."""
    matcher = difflib.SequenceMatcher(a=tokens(removed), b=tokens(added), autojunk=False)
    changed = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = matcher.a[i1:i2], matcher.b[j1:j2]
        if tag == "equal" or ([text for _, text in after] == ["None"] and len(before) > 1):
            continue
        for side, start, end in ((matcher.a, i1, i2), (matcher.b, j1, j2)):
            for i in range(start, end):
                kind, text = side[i]
                if text in {"*", "**"} and (i == 0 or side[i - 1][1] in UNPACKED_AFTER):
                    kind = tokenize.NAME  # unpacking (*args, {**d}), not arithmetic
                changed.append((kind, text))
    kinds = []
    if any(kind == tokenize.NUMBER for kind, _ in changed):
        kinds.append("number")
    if any(text in COMPARISONS for _, text in changed):
        kinds.append("comparison")
    if any(kind == tokenize.OP and text in ARITHMETIC for kind, text in changed):
        kinds.append("arithmetic")
    if any(
        (kind == tokenize.STRING and DATE.fullmatch(text))
        or (kind == tokenize.NUMBER and YEAR.fullmatch(text))
        for kind, text in changed
    ):
        kinds.append("date")
    return kinds


# --- reporting ------------------------------------------------------------------------------


def table(results: list[ModuleResult], every: int) -> str:
    width = max(len("module"), *(len(r.module) for r in results))
    head = (
        f"{'module':<{width}}  {'mutants':>7}  {'killed':>6}  {'timeout':>7}  "
        f"{'survived':>8}  {'no tests':>8}  {'other':>5}  {'score':>6}"
    )
    rows = [head, "-" * len(head)]
    for r in results:
        score = "n/a" if r.score is None else f"{r.score:.1f}%"
        rows.append(
            f"{r.module:<{width}}  {r.tried:>7}  {r.count('killed'):>6}  {r.count('timeout'):>7}  "
            f"{r.count('survived'):>8}  {r.count('no tests'):>8}  {r.count('other'):>5}  "
            f"{score:>6}"
        )
    if every > 1:
        rows.append(
            f"(sampled: one mutant in {every} of each module, every {every}-th in mutmut's order; "
            "generated: " + ", ".join(f"{r.module} {r.generated}" for r in results) + ")"
        )
    return "\n".join(rows)


def markdown(
    results: list[ModuleResult], every: int, what: str, tests: list[str], minutes: float
) -> str:
    out = [
        f"# Mutation testing: {what}",
        "",
        f"mutmut, one worker, tests: {' '.join(tests)}; {minutes:.1f} min.",
        "",
        "```",
        table(results, every),
        "```",
        "",
    ]
    for r in results:
        alive = [m for m in r.mutants if m.status in {"survived", "no tests"}]
        flagged = [m for m in alive if m.kinds]
        out += [
            f"## {r.module}: {len(alive)} not killed, {len(flagged)} of them change a "
            "number, a comparison or a date",
            "",
        ]
        for m in sorted(alive, key=lambda m: (not m.kinds, m.path, m.line or 0, m.key)):
            where = f"{m.path}:{m.line}" if m.line else m.path
            tags = f" [{', '.join(m.kinds)}]" if m.kinds else ""
            change = " / ".join(f"`{a}` -> `{b}`" for a, b in zip(m.removed, m.added, strict=False))
            change = change or " ".join(f"`-{x}`" for x in m.removed)
            out.append(f"- {where} ({m.status}){tags}: {change}  <sub>{m.key}</sub>")
        out.append("")
    return "\n".join(out)


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python tools/mutation.py",
        description="Mutation testing (mutmut) of milex's analysis modules, in a temporary copy "
        "of the repository; the caller's working tree is never touched.",
        epilog="Example: python tools/mutation.py src/milex/targets.py "
        "--tests tests/test_targets.py tests/test_cli.py --report /tmp/targets.md",
    )
    parser.add_argument(
        "modules",
        nargs="*",
        metavar="MODULE",
        help="files or folders under src/ to mutate (default: " + " ".join(DEFAULT_MODULES) + ")",
    )
    parser.add_argument(
        "--tests",
        nargs="+",
        metavar="PATH",
        default=DEFAULT_TESTS,
        help="test files or folders to run (default: tests)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=1,
        metavar="K",
        help="try every K-th mutant of each module only (default: 1, all)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--rev", metavar="REV", help="commit to test (default: HEAD)")
    where.add_argument(
        "--worktree",
        action="store_true",
        help="test the working tree as it is, uncommitted changes included",
    )
    parser.add_argument(
        "--venv",
        type=Path,
        metavar="DIR",
        help="reuse this virtual environment (with mutmut and the project's "
        "dependencies) instead of making one",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        help="make the copy in this new folder and keep it (default: a "
        "temporary folder, removed at the end unless --keep)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (to run mutmut show/browse there)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="write the table and the surviving mutants as Markdown",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="write every mutant's status (and survivors' changes) as JSON",
    )
    parser.add_argument(
        "--timeout-multiplier",
        type=float,
        default=15.0,
        metavar="X",
        help="mutmut's timeout_multiplier (default: 15)",
    )
    parser.add_argument(
        "--fail-under",
        type=float,
        metavar="PCT",
        help="exit 1 if a module scores below PCT percent",
    )
    parser.add_argument(
        "--progress-every",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="print progress this often (default: 60)",
    )
    args = parser.parse_args(argv)
    if args.sample < 1:
        parser.error("--sample must be 1 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except (UsageError, RunError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2 if isinstance(error, UsageError) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    if shutil.which("git") is None:
        raise UsageError("git is not on PATH")
    root = repo_root(Path(__file__).resolve().parent)
    if args.venv:
        check_venv(args.venv.resolve())
    if args.workdir:
        if args.workdir.exists() and any(args.workdir.iterdir()):
            raise UsageError(f"--workdir {args.workdir} exists and is not empty")
        work = args.workdir.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="milex-mutation-"))
    if work == root or root in work.parents:
        raise UsageError("the work folder must be outside the repository")
    keep = args.keep or args.workdir is not None
    try:
        return run_in(args, root, work, started)
    except RunError:
        keep = True  # for mutmut's log
        raise
    finally:
        if keep:
            print(f"work folder kept: {work} (mutmut's log: {work / 'mutmut.log'})")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run_in(args: argparse.Namespace, root: Path, work: Path, started: float) -> int:
    copy, tmp, log = work / "repo", work / "tmp", work / "mutmut.log"
    tmp.mkdir()
    what = make_copy(root, copy, rev=args.rev, worktree=args.worktree)
    shared = root.parent / "shared"
    if shared.is_dir():  # tests find the reference data at <repo>/../shared (mutants/ is one down)
        (copy / "shared").symlink_to(shared)
    modules = args.modules or DEFAULT_MODULES
    files = module_files(copy, modules)
    for test in args.tests:
        if not (copy / test).exists():
            raise UsageError(f"--tests {test} is not in the code being tested")
    patterns = sorted({f for fs in files.values() for f in fs})
    write_config(copy, patterns, args.tests, args.timeout_multiplier)
    print(
        f"testing {what}\n  in {work}\n  modules: {' '.join(modules)}\n  tests: "
        f"{' '.join(args.tests)}"
        + (f"\n  sample: one mutant in {args.sample}" if args.sample > 1 else ""),
        flush=True,
    )

    if args.venv:
        venv = args.venv.resolve()
    else:
        venv = work / "venv"
        print("making a virtual environment (project, test extra, mutmut)...", flush=True)
        make_venv(copy, venv, log)
    env = clean_env(venv, tmp)

    names: list[str] = []
    if args.sample > 1:
        print("generating mutants and finding the tests that call each function...", flush=True)
        run_mutmut(copy, venv, env, [NOTHING], log, args.progress_every)
        metas = {path: read_meta(copy, path) for path in patterns}
        if not any(metas.values()):
            raise RunError(f"mutmut generated no mutants; see {log}")
        all_keys = [key for meta in metas.values() for key in meta]
        for fs in files.values():
            keys = [key for f in fs for key in metas[f]]
            names += [as_pattern(key, all_keys) for key in sample(keys, args.sample)]
    print("running mutmut (one worker)...", flush=True)
    code = run_mutmut(copy, venv, env, names, log, args.progress_every)
    output = log.read_text(encoding="utf-8", errors="replace")
    if "Unable to force test failures" in output:
        raise RunError(
            "mutmut's forced-failure check failed: the tests do not run the "
            f"mutated code (see {log})"
        )
    if code:
        tail = "\n".join(output.replace("\r", "\n").splitlines()[-15:])
        raise RunError(f"mutmut run exited with status {code}; last lines of {log}:\n{tail}")

    sampled = {name.lstrip("*") for name in names}
    results = []
    for module, fs in files.items():
        mutants = []
        for f in fs:
            for key, exit_code in read_meta(copy, f).items():
                if sampled and key not in sampled:
                    continue
                mutants.append(Mutant(key=key, path=f, exit_code=exit_code))
        generated = sum(len(read_meta(copy, f)) for f in fs)
        results.append(ModuleResult(module=module, generated=generated, mutants=mutants))
    all_mutants = [m for r in results for m in r.mutants]
    if all_mutants and not any(m.status == "killed" for m in all_mutants):
        raise RunError(
            "no mutant was killed: the tests are probably not running the mutated "
            f"code (mutmut issue 486); see {log}"
        )
    describe(copy, [m for m in all_mutants if m.status in {"survived", "no tests"}])

    minutes = (time.monotonic() - started) / 60
    print()
    print(table(results, args.sample))
    print(f"\n{minutes:.1f} min in all")
    if args.report:
        args.report.write_text(
            markdown(results, args.sample, what, args.tests, minutes) + "\n", encoding="utf-8"
        )
        print(f"surviving mutants: {args.report}")
    if args.json:
        data = {
            "what": what,
            "tests": args.tests,
            "sample": args.sample,
            "minutes": minutes,
            "modules": [
                {
                    "module": r.module,
                    "generated": r.generated,
                    "tried": r.tried,
                    "killed": r.count("killed"),
                    "timeout": r.count("timeout"),
                    "survived": r.count("survived"),
                    "no_tests": r.count("no tests"),
                    "other": r.count("other"),
                    "score": r.score,
                    "mutants": [
                        {
                            "key": m.key,
                            "path": m.path,
                            "status": m.status,
                            "line": m.line,
                            "removed": m.removed,
                            "added": m.added,
                            "kinds": m.kinds,
                        }
                        for m in r.mutants
                    ],
                }
                for r in results
            ],
        }
        args.json.write_text(
            json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if args.fail_under is not None:
        low = [r.module for r in results if r.score is None or r.score < args.fail_under]
        if low:
            print(f"below {args.fail_under}%: {', '.join(low)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
