"""Web API throughput: requests per second and p50/p99 latency of milex's ``/api/status`` and
``/api/series?country=DEU`` under a bounded loopback load (wrk), next to datasette serving the
same observations table (the baseline), in the same run.

    python benchmarks/bench_web.py [--repeats 3] [--duration 5] [--connections 16]

Each server runs as one uvicorn worker process on 127.0.0.1 on a free port: milex as served
(its API answers kept in its response cache after the first request: ``X-Milex-Cache: hit``),
milex with that cache off (``create_app(cache_bytes=0)``: every request computed), and
datasette. datasette serves
``obs.db``: the store's observations table copied to SQLite with Python's sqlite3 (DuckDB's
sqlite extension would need the network), with indexes on ``iso3`` and on
``(indicator, year)`` (datasette creates none itself; a datasette deployment filtering on these
columns would add them, e.g. ``sqlite-utils create-index``), served ``--immutable``. The pairs:

- status: milex ``/api/status`` (every ally in the newest year, NATO's newest edition) against
  datasette's rows of ``share_gdp`` in that year and edition;
- series: milex ``/api/series?country=DEU`` against datasette's rows of DEU in the same
  source and edition (the same rows).

Each answer is checked before the load (a JSON answer with the expected rows), so no error
pages are measured. Runs are interleaved (milex, milex uncached, datasette, milex ...) and the
median is reported with the min-max range; the ratio is requests per second against
datasette's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"
#: The milex servers measured: as served (response cache on) and computing every answer.
MILEX = ("milex", "milex-uncached")
#: milex without its response cache, as one uvicorn worker: ``python -c UNCACHED HOST PORT``.
UNCACHED = (
    "import sys, uvicorn; from milex.web.app import create_app; "
    "uvicorn.run(create_app(cache_bytes=0), host=sys.argv[1], port=int(sys.argv[2]), "
    "log_level='warning')"
)
#: wrk's time units, in milliseconds.
UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def free_port() -> int:
    """A TCP port of the loopback address that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def export_sqlite(target: Path) -> int:
    """Copy the store's observations table to the SQLite file ``target``, indexed on ``iso3`` and
    on ``(indicator, year)``; the number of rows copied."""
    from milex.store import default_store

    frame = default_store().sql("SELECT * FROM observations")
    with sqlite3.connect(target) as con:
        frame.to_sql("observations", con, index=False)
        con.execute("CREATE INDEX observations_iso3 ON observations (iso3)")
        con.execute("CREATE INDEX observations_indicator_year ON observations (indicator, year)")
    con.close()
    return len(frame)


def get_json(url: str) -> object:
    """The JSON answer of a GET (raises on a non-2xx status)."""
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


@contextmanager
def serving(command: list[str], probe: str, env: dict | None = None, timeout: float = 60.0):
    """Run a server process until the block ends; waits until ``probe`` answers."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(probe, timeout=5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{command[0]} did not start: {process.stderr.read()[-2000:]}"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(10)


def wrk(url: str, *, threads: int, connections: int, duration: int) -> dict:
    """One bounded wrk run: requests per second, p50 and p99 latency (ms). A request waits up
    to 30 s (wrk's default, 2 s, would drop the slow answers of the uncached server)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    out = subprocess.run(
        [*command, "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors on {url}:\n{out}")

    def latency(pct: str) -> float:
        value, unit = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * UNITS_MS[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99")}


def check_answers(urls: dict[tuple[str, str], str], edition: tuple[str, str, int]) -> None:
    """Each URL answers with the expected rows: Germany's observations of the edition (the
    same count from every server) and the newest year's shares of GDP (status)."""
    source, vintage, year = edition
    series_d = get_json(urls["series", "datasette"])
    status_d = get_json(urls["status", "datasette"])
    assert {r["iso3"] for r in series_d} == {"DEU"}, series_d[:3]
    for server in MILEX:
        rows = get_json(urls["series", server])["rows"]
        assert {(r["iso3"], r["source"], r["vintage"]) for r in rows} == {
            ("DEU", source, vintage)
        }, rows[:3]
        assert len(rows) == len(series_d), f"{server} {len(rows)} rows, datasette {len(series_d)}"
        status = get_json(urls["status", server])
        assert status["query"]["year"] == year, status["query"]
        shown = {r["iso3"] for r in status["rows"] if r["share_gdp"] is not None}
        assert {"DEU", "POL", "USA"} <= shown <= {r["iso3"] for r in status_d}, sorted(shown)


def missing_tools() -> list[str]:
    """What the benchmark needs and cannot find, with how to install it."""
    needs = {"wrk": "apt-get install wrk", "datasette": "pip install 'milex[bench]'"}
    return [f"{tool} (install: {how})" for tool, how in needs.items() if not shutil.which(tool)]


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args(argv)

    missing = missing_tools()
    if missing:
        print(f"SKIPPED bench_web: missing {'; '.join(missing)}")
        return []

    import milex
    from milex.store import default_store

    source, vintage = "nato", default_store().newest_vintage("nato", "share_gdp")
    year = int(
        default_store()
        .sql(
            "SELECT max(year) y FROM observations WHERE source = ? AND vintage = ? "
            "AND indicator = 'share_gdp'",
            [source, vintage],
        )
        .y[0]
    )
    folder = Path(tempfile.mkdtemp(prefix="milex-bench-web-"))
    rows_copied = export_sqlite(folder / "obs.db")
    env = dict(os.environ)  # the server imports the milex this benchmark imported
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(milex.__file__).parents[1]), env.get("PYTHONPATH")])
    )
    mport, uport, dport = free_port(), free_port(), free_port()
    base = {
        server: f"http://{HOST}:{port}" for server, port in zip(MILEX, (mport, uport), strict=True)
    }
    table = f"http://{HOST}:{dport}/obs/observations.json?_shape=array&_size=max&source={source}"
    urls = {("status", server): f"{url}/api/status" for server, url in base.items()}
    urls["status", "datasette"] = f"{table}&vintage={vintage}&indicator=share_gdp&year={year}"
    urls |= {("series", server): f"{url}/api/series?country=DEU" for server, url in base.items()}
    urls["series", "datasette"] = f"{table}&vintage={vintage}&iso3=DEU"
    milex_cmd = [sys.executable, "-m", "uvicorn", "milex.web.app:create_app", "--factory"]
    milex_cmd += ["--host", HOST, "--port", str(mport), "--workers", "1", "--log-level", "warning"]
    uncached_cmd = [sys.executable, "-c", UNCACHED, HOST, str(uport)]
    data_cmd = ["datasette", "serve", "--immutable", str(folder / "obs.db")]
    data_cmd += ["-h", HOST, "-p", str(dport)]
    print(
        f"obs.db: {rows_copied} observations (indexes on iso3 and indicator, year); "
        f"edition {source} {vintage}, status year {year}; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s, {args.repeats} interleaved repetitions"
    )
    runs: dict[tuple[str, str], list[dict]] = {key: [] for key in urls}
    try:
        with (
            serving(milex_cmd, urls["status", "milex"], env),
            serving(uncached_cmd, urls["status", "milex-uncached"], env),
            serving(data_cmd, f"http://{HOST}:{dport}/obs.json"),
        ):
            check_answers(urls, (source, vintage, year))
            for _ in range(args.repeats):
                for key, url in urls.items():
                    runs[key].append(
                        wrk(
                            url,
                            threads=args.threads,
                            connections=args.connections,
                            duration=args.duration,
                        )
                    )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report(runs)


def report(runs: dict[tuple[str, str], list[dict]]) -> list[dict]:
    """Print the medians (min-max) and the milex / datasette ratio; the rows printed."""
    print(
        f"{'endpoint':<8} {'server':<15} {'req/s (min-max)':>24} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'x datasette':>12}"
    )
    rows = []
    for (endpoint, server), found in runs.items():
        rps = [r["rps"] for r in found]
        base = statistics.median(r["rps"] for r in runs[endpoint, "datasette"])
        row = {
            "endpoint": endpoint,
            "server": server,
            "rps": statistics.median(rps),
            "rps_min": min(rps),
            "rps_max": max(rps),
            "p50_ms": statistics.median(r["p50_ms"] for r in found),
            "p99_ms": statistics.median(r["p99_ms"] for r in found),
        }
        row["ratio"] = row["rps"] / base
        rows.append(row)
        print(
            f"{endpoint:<8} {server:<15} {row['rps']:>8.0f} ({row['rps_min']:.0f}-"
            f"{row['rps_max']:.0f}){'':>4} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
            f"{row['ratio']:>11.2f}x"
        )
    return rows


if __name__ == "__main__":
    main()
