"""The cache files in the milex home: one store per fingerprint, each with the SHA-256 of its
bytes beside it, the temporary files of a build, and pruning of stores no longer used.

Layout of the home::

    store-<fingerprint>.duckdb         a built store (opened read-only, never changed)
    store-<fingerprint>.sha256         SHA-256 of its bytes; its mtime is the store's last use
    .building-store-<fp>-<token>.*     a build in progress (a leftover once no build runs)
    .build.lock                        the build lock (see milex.store.locks)
    user.duckdb, backups/              the user's editions (see milex.store.userdata)

A store is opened read-only and never written after its build, so comparing its bytes with the
recorded digest (about 1 ms per MB) tells truncation, random bytes and any edit. A write-ahead log
beside a store means it was opened for writing: DuckDB would replay it, so it counts as damage.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import time
from pathlib import Path

STORE_PREFIX = "store-"
BUILDING_PREFIX = ".building-"
#: Stores of other fingerprints kept besides the current one (another install, other data).
KEEP_OTHERS = 3
#: Days a store of another fingerprint is kept after its last use.
KEEP_DAYS = 30


def store_path(home: Path, fingerprint: str) -> Path:
    """The store file of a fingerprint."""
    return home / f"{STORE_PREFIX}{fingerprint}.duckdb"


def digest_path(store: Path) -> Path:
    """The file holding the SHA-256 of a store's bytes."""
    return store.with_suffix(".sha256")


def wal_path(path: Path) -> Path:
    """DuckDB's write-ahead log of a database file."""
    return path.with_name(path.name + ".wal")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_problem(store: Path) -> str | None:
    """What is wrong with a store file's bytes, or None when they are as built."""
    try:
        recorded = digest_path(store).read_bytes().decode("ascii").strip()
    except FileNotFoundError:
        return "its checksum file is missing"
    except (OSError, UnicodeDecodeError):
        return "its checksum file cannot be read"
    if wal_path(store).exists():
        return "it was opened for writing (a write-ahead log lies beside it)"
    try:
        actual = file_sha256(store)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})"
    if actual != recorded:
        return "its bytes differ from those recorded when it was built"
    return None


def touch(store: Path) -> None:
    """Record a store's use (the mtime of its digest file); silent in a read-only home."""
    with contextlib.suppress(OSError):
        os.utime(digest_path(store))


def last_used(store: Path) -> float:
    """When a store was last opened (seconds since the epoch)."""
    for path in (digest_path(store), store):
        with contextlib.suppress(OSError):
            return path.stat().st_mtime
    return 0.0


def temp_path(target: Path) -> Path:
    """A fresh temporary name for building ``target``, recognisable as a build's leftover."""
    return target.with_name(f"{BUILDING_PREFIX}{target.stem}-{secrets.token_hex(4)}.duckdb")


def publish(tmp: Path, target: Path) -> None:
    """Move a finished build into place: its digest first, then the store, then drop any
    write-ahead log of the store it replaces. A reader between two steps sees a mismatch and
    waits for the build lock."""
    digest_tmp = tmp.with_suffix(".sha256")
    digest_tmp.write_text(file_sha256(tmp) + "\n", encoding="ascii")
    os.replace(digest_tmp, digest_path(target))
    os.replace(tmp, target)
    wal_path(target).unlink(missing_ok=True)


def remove_file(path: Path) -> None:
    """Remove a database file with its write-ahead log."""
    path.unlink(missing_ok=True)
    wal_path(path).unlink(missing_ok=True)


def remove_build(tmp: Path) -> None:
    """Remove what a build to ``tmp`` may leave: the file, its write-ahead log, its digest and
    DuckDB's spill folder (``<file>.tmp``). Silent: a file that cannot go is a leftover that
    the next build removes."""
    for path in (tmp, wal_path(tmp), tmp.with_suffix(".sha256")):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    shutil.rmtree(tmp.with_name(tmp.name + ".tmp"), ignore_errors=True)


def leftovers(home: Path) -> list[Path]:
    """Files of interrupted builds, and digests whose store is gone (call under the build
    lock: then no build runs and every ``.building-*`` file is stale)."""
    if not home.is_dir():
        return []
    found = list(home.glob(f"{BUILDING_PREFIX}*"))
    found += [
        p for p in home.glob(f"{STORE_PREFIX}*.sha256") if not p.with_suffix(".duckdb").exists()
    ]
    return sorted(found)


def remove_leftovers(home: Path) -> None:
    """Remove :func:`leftovers` (files, and DuckDB's spill folders of interrupted builds)."""
    for path in leftovers(home):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()


def stores(home: Path) -> list[Path]:
    """Every store file in the home, the most recently used first."""
    if not home.is_dir():
        return []
    return sorted(home.glob(f"{STORE_PREFIX}*.duckdb"), key=last_used, reverse=True)


def stale_stores(home: Path, keep: Path, now: float | None = None) -> list[Path]:
    """Stores to prune: not ``keep``, and either unused for :data:`KEEP_DAYS` days or beyond
    the :data:`KEEP_OTHERS` most recently used. ``now`` is in seconds since the epoch
    (default: the current time)."""
    now = time.time() if now is None else now
    others = [p for p in stores(home) if p != keep]
    recent = [p for p in others if now - last_used(p) <= KEEP_DAYS * 86400][:KEEP_OTHERS]
    return [p for p in others if p not in recent]


def prune(home: Path, keep: Path) -> list[Path]:
    """Remove :func:`stale_stores` with their digests and logs; returns the stores removed."""
    removed = []
    for store in stale_stores(home, keep):
        with contextlib.suppress(OSError):
            remove_file(store)
            digest_path(store).unlink(missing_ok=True)
            removed.append(store)
    return removed
