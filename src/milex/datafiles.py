"""Where milex's shipped data lives, and small readers for its TOML/CSV tables."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any


def data_dir() -> Path:
    """The folder of data shipped inside the package (``milex/data``)."""
    return Path(str(files("milex") / "data"))


@cache
def read_toml(name: str) -> dict[str, Any]:
    """Parse ``milex/data/<name>`` (a TOML file) once per process."""
    return tomllib.loads((data_dir() / name).read_text(encoding="utf-8"))
