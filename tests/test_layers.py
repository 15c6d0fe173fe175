"""The shape of the house: layers import only from layers below, and light entry points stay
light (DESIGN.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "milex"
#: Each top-level module or package of milex and its layer, lowest first (DESIGN.md).
LAYERS = {
    "errors": 0,
    "vocab": 1,
    "catalog": 1,
    "outfile": 1,
    "charts": 2,
    "result": 3,
    "geo": 2,
    "readers": 3,
    "store": 4,
    "money": 5,
    "montecarlo": 5,
    "revisions": 5,
    "targets": 6,
    "projection": 7,
    "checks": 8,
    "comparison": 8,
    "arsenal": 8,
    "claims": 9,
    "api": 10,
    "web": 11,
    "cli": 12,
    "__main__": 13,
}


def _unit(path: Path) -> str:
    """The top-level module or package a file belongs to (``store/query.py`` -> ``store``)."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The top-level milex units a file imports (``from milex.store import x`` -> ``store``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("milex"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:  # from milex import geo, errors
                found |= {alias.name for alias in node.names if alias.name in LAYERS}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("milex.")}
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_imports_only_from_layers_below_or_its_own_package(path):
    unit = _unit(path)
    assert unit in LAYERS, f"{unit} has no layer in this test: add it to LAYERS and DESIGN.md"
    above = {
        other for other in _imports(path) if other != unit and LAYERS.get(other, 99) >= LAYERS[unit]
    }
    assert not above, f"{path.name} ({unit}) imports from its own layer or above: {above}"


def test_the_layer_test_sees_a_violation(tmp_path):
    """The checker itself bites: a store module importing the API is caught."""
    bad = PACKAGE / "store" / "query.py"
    assert "api" not in _imports(bad)
    fake = tmp_path / "x.py"
    fake.write_text("from milex.api import status\nfrom milex import geo\n")
    assert _imports(fake) == {"api", "geo"}


@pytest.mark.parametrize(
    ("code", "absent"),
    [
        ("import milex.montecarlo", ["pandas", "duckdb", "milex.api"]),
        ("import milex", ["pandas", "duckdb", "milex.api"]),
        ("from milex.cli import app", ["pandas", "duckdb", "milex.api"]),
    ],
)
def test_light_entry_points_do_not_import_pandas_or_duckdb(code, absent):
    """Process and Dask workers import the engine alone; --help and --version import the CLI
    alone: neither pays for pandas and DuckDB (issue 6, item 4)."""
    probe = f"{code}; import sys; print(' '.join(m for m in {absent!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_subpackage_shadows_an_api_function():
    """``milex.check`` must be the claim checker, not a folder ``milex/check/``: a submodule of
    an API function's name replaces the function on the package once it is imported."""
    import milex

    clashes = [name for name in milex.API if (PACKAGE / name).is_dir()]
    clashes += [name for name in milex.API if (PACKAGE / f"{name}.py").is_file()]
    assert not clashes, f"rename the module(s) {clashes}: they shadow milex.<name>()"


def test_the_api_names_resolve_lazily_from_the_package():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, milex; assert 'milex.api' not in sys.modules; f = milex.gap; "
            "print(f.__module__, 'milex.api' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["milex.api", "True"]
