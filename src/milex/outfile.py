"""Writing a user's output file: to a temporary name first, then renamed over the target, so a
failed write leaves no half file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def write(target: Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer`` with a temporary path next to ``target`` and move the result into place."""
    tmp = target.with_name(target.name + ".part")
    try:
        writer(tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
