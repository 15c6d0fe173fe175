"""Query time of ``status`` and ``show`` on a grown store, next to today's embedded store, in the
same run (issue 11).

The grown store holds the full SIPRI database (the April 2026 workbook read by ``milex update``:
the real file from ``../shared/data/official`` where it exists, else a fixture of the same
layout and size written by ``tests/sipri_workbook.py``) and five editions of each source: the
embedded ones, plus copies of each source's newest edition under later vintages, added as user
editions (the copies are synthetic and only make the store as large as five years of updates
would; their figures are never shown). Both stores are opened in this process; each query runs
``--runs`` times per round, rounds interleaved, and the medians and min-max are printed with the
ratio grown / embedded.

    python benchmarks/bench_store.py [--runs 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "official" / "SIPRI-Milex-data-1949-2025_v1.2.xlsx"
#: Editions of each source in the grown store.
EDITIONS = 5
#: The queries timed: (label, API function name, arguments, keyword arguments).
QUERIES = [
    ("status (NATO)", "status", (), {}),
    ("status (SIPRI)", "status", (), {"source": "sipri"}),
    ("show DEU", "report", ("DEU",), {}),
    ("show RUS", "report", ("RUS",), {}),
]


def _sipri_workbook(folder: Path) -> Path:
    """The real SIPRI workbook, or a full-size fixture in its layout."""
    if REAL.exists():
        return REAL
    sys.path.insert(0, str(ROOT / "tests"))
    from sipri_workbook import write_full_size

    return write_full_size(folder / "SIPRI-Milex-data-1949-2025.xlsx")


def grow(home: Path) -> dict[str, int]:
    """Fill ``home`` with the full SIPRI database and copies up to :data:`EDITIONS` editions
    per source; returns the editions per source."""
    import pandas as pd

    from milex.api import series
    from milex.store import open_store, update, userdata

    full = update.prepare("sipri", [_sipri_workbook(home)], cache_dir=home)
    update.commit(full, cache_dir=home)
    store = open_store(cache_dir=home)
    everything = series(source=None, vintage="all", store=store)
    store.close()
    counts = {}
    for source, rows in everything.groupby("source"):
        held = sorted(rows["vintage"].unique())
        newest = rows[rows["vintage"] == held[-1]]
        for n in range(EDITIONS - len(held)):
            vintage = f"{2040 + n}-{held[-1][5:]}"
            ids = {
                old: f"copy-{source}-{vintage}-{i}"
                for i, old in enumerate(newest["source_id"].unique())
            }
            origins = pd.DataFrame(
                [
                    (new, source, vintage, f"copy of {source} {held[-1]} (benchmark)")
                    for new in ids.values()
                ],
                columns=["id", "source", "vintage", "citation"],
            )
            userdata.add_edition(
                {
                    "source": source,
                    "vintage": vintage,
                    "publisher": "benchmark copy",
                    "title": f"copy of {source} {held[-1]}",
                    "published": f"{vintage}-01",
                    "url": "https://example.org/benchmark",
                    "licence": "as the original",
                    "cite": f"copy of {source} {held[-1]}",
                    "reader": "benchmark",
                },
                newest.assign(source_id=newest["source_id"].map(ids))[
                    ["source_id", "iso3", "year", "indicator", "value", "unit", "status"]
                ],
                origins,
                cache_dir=home,
            )
        counts[source] = max(EDITIONS, len(held))
    return counts


def _time(function, args, kwargs, store, runs: int) -> float:
    """Median seconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(*args, store=store, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="calls per query per round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    args = parser.parse_args(argv)
    import milex.api as api
    from milex.store import open_store

    grown_home = Path(tempfile.mkdtemp(prefix="milex-bench-grown-"))
    embedded_home = Path(tempfile.mkdtemp(prefix="milex-bench-embedded-"))
    counts = grow(grown_home)
    stores = {
        "embedded": open_store(cache_dir=embedded_home),
        "grown": open_store(cache_dir=grown_home),
    }
    sizes = {
        k: s.con.execute("SELECT count(*) FROM observations").fetchone()[0]
        for k, s in stores.items()
    }
    print(f"figures: embedded {sizes['embedded']:,}, grown {sizes['grown']:,} ({counts})")
    results = []
    for label, name, call_args, kwargs in QUERIES:
        function = getattr(api, name)
        samples = {"embedded": [], "grown": []}
        for _ in range(args.rounds):
            for kind in ("embedded", "grown"):
                samples[kind].append(_time(function, call_args, kwargs, stores[kind], args.runs))
        medians = {k: statistics.median(v) for k, v in samples.items()}
        row = {"query": label, **{f"{k}_ms": 1000 * v for k, v in medians.items()}}
        row["ratio"] = medians["grown"] / medians["embedded"]
        results.append(row)
        spread = {k: f"{1000 * min(v):.1f}-{1000 * max(v):.1f}" for k, v in samples.items()}
        print(
            f"{label:16} embedded {row['embedded_ms']:7.1f} ms ({spread['embedded']})  "
            f"grown {row['grown_ms']:7.1f} ms ({spread['grown']})  ratio {row['ratio']:.2f}x"
        )
    for store in stores.values():
        store.close()
    return results


if __name__ == "__main__":
    main()
