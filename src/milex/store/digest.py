"""Row counts and checksums of tables: recorded when a store or a user edition is written,
compared by ``milex doctor`` and before a user edition goes into the cache.

The checksum is computed in Python (SHA-256 over the sorted ``repr`` of each row), not with
DuckDB's ``hash()``, whose values are not promised to stay the same across DuckDB releases: a
user's editions outlive many upgrades. About 40 ms for the 22,000 embedded observations.
"""

from __future__ import annotations

import hashlib

import duckdb

#: Tables whose rows are checked per edition (source, vintage); the others as a whole.
PER_EDITION = ("observations", "sources")


def rows_digest(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: str | None = None,
    vintage: str | None = None,
) -> tuple[int, str]:
    """Number of rows and SHA-256 (hex) of a table, or of one edition's rows of it."""
    where, params = ("source = ? AND vintage = ?", [source, vintage]) if source else ("TRUE", [])
    rows = con.execute(f"SELECT * FROM {table} WHERE {where}", params).fetchall()
    text = "\n".join(sorted(repr(row) for row in rows))
    return len(rows), hashlib.sha256(text.encode()).hexdigest()


def table_digests(con: duckdb.DuckDBPyConnection, tables: list[str]) -> list[tuple]:
    """``(table, source, vintage, rows, digest)`` for each edition of the per-edition tables
    and for each other table as a whole (source and vintage None)."""
    found = []
    for table in tables:
        if table not in PER_EDITION:
            found.append((table, None, None, *rows_digest(con, table)))
            continue
        editions = con.execute(f"SELECT DISTINCT source, vintage FROM {table} ORDER BY ALL")
        for source, vintage in editions.fetchall():
            found.append((table, source, vintage, *rows_digest(con, table, source, vintage)))
    return found
