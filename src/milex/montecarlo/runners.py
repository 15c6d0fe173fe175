"""Where the chunks of a Monte Carlo run execute (local threads or processes, or a Dask
cluster), and :func:`simulate`, the entry point that plans a run, runs it and merges it.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Any

import numpy as np

from milex.errors import InputError, first_line, shown
from milex.montecarlo.engine import (
    MAX_SD_RATIO,
    ChunkResult,
    Merger,
    Plan,
    Scratch,
    SimulationResult,
    build_result,
    check_int,
    plan_grid,
    run_chunk,
    split_chunks,
    validate_inputs,
    validate_options,
    yearly_sds,
)
from milex.montecarlo.uncertainty import Uncertainty, checked

#: Environment variable: seconds to wait for a Dask scheduler before saying it cannot be
#: reached (the name lookup, the connection and its first answer together).
DASK_TIMEOUT_VAR = "MILEX_DASK_TIMEOUT"
#: Seconds waited when ``$MILEX_DASK_TIMEOUT`` is not set.
DASK_CONNECT_TIMEOUT_S = 5.0
#: Longest wait ``$MILEX_DASK_TIMEOUT`` may ask for (an hour).
MAX_DASK_TIMEOUT_S = 3600.0
#: A scheduler address: ``[tcp|tls|ws|wss://]host:port`` (host a name, IPv4 or [IPv6]), or an
#: in-process one (``inproc://...``, a LocalCluster without processes).
_ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ws|wss)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})|inproc://\S+"
)
_ADDRESS_FORM = "tcp://host:port, e.g. tcp://127.0.0.1:8786"


def check_scheduler(address: object) -> tuple[str, int] | None:
    """The host and port of a Dask scheduler address (None for an in-process one), refusing
    malformed ones (no port, a scheme Dask does not speak) before any connection is tried."""
    found = _ADDRESS.fullmatch(address) if isinstance(address, str) else None
    if found is None or (found[2] is not None and not 0 < int(found[2]) < 65536):
        raise InputError(
            f"the Dask scheduler address must be text such as 'tcp://127.0.0.1:8786' (host and "
            f"port), not {shown(address)}; give none to run locally"
        )
    return None if found[2] is None else (found[1].strip("[]"), int(found[2]))


def dask_timeout() -> float:
    """Seconds to wait for a Dask scheduler: ``$MILEX_DASK_TIMEOUT`` (read at each call), or
    :data:`DASK_CONNECT_TIMEOUT_S`. A value that is not a number of seconds above 0 and at most
    :data:`MAX_DASK_TIMEOUT_S` is an InputError naming the variable."""
    text = os.environ.get(DASK_TIMEOUT_VAR, "").strip()
    if not text:
        return DASK_CONNECT_TIMEOUT_S
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_DASK_TIMEOUT_S:
        raise InputError(
            f"{DASK_TIMEOUT_VAR} must be a number of seconds above 0 and at most "
            f"{MAX_DASK_TIMEOUT_S:g}, e.g. 5, not {shown(text)}"
        )
    return seconds


def _in_thread(work: Callable[[], Any], seconds: float) -> Any:
    """``work()`` run in a daemon thread, given ``seconds``: its result, or its exception
    raised here, or TimeoutError (the thread is left to finish on its own: a blocking name
    lookup cannot be interrupted, and a daemon thread does not hold up the exit)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="milex-dask-check", daemon=True)
    thread.start()
    thread.join(max(seconds, 0.0))
    if thread.is_alive():
        raise TimeoutError("timed out")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _connect(host: str, port: int, deadline: float) -> None:
    """Open (and close) a TCP connection to ``host:port`` before ``deadline`` (a
    ``time.monotonic`` time): one name lookup, then each address it gives in turn, all
    within the one deadline. Raises OSError (TimeoutError when the time ran out)."""
    infos = _in_thread(
        lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM),
        deadline - time.monotonic(),
    )
    error: OSError = TimeoutError("timed out")
    for family, kind, proto, _, sockaddr in infos:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(left)
            sock.connect(sockaddr)
            return
        except OSError as exc:
            error = exc
        finally:
            sock.close()
    raise error


def _cannot_reach(address: str, reason: str, timeout: float) -> InputError:
    return InputError(
        f"cannot reach a Dask scheduler at {shown(address)}: {reason} (waited up to "
        f"{timeout:g} s); start one (dask scheduler) or give its address, {_ADDRESS_FORM}"
    )


def _reach(address: str, timeout: float) -> None:
    """Refuse, within ``timeout`` seconds in all, a scheduler that does not answer (dask's own
    client would retry and stall, then linger on exit)."""
    where = check_scheduler(address)
    if where is None:  # in this process: nothing to reach
        return
    try:
        _connect(*where, time.monotonic() + timeout)
    except OSError as exc:
        if isinstance(exc, TimeoutError):
            reason = "no answer"
        elif isinstance(exc, socket.gaierror):
            reason = f"unknown host {where[0]!r} ({(exc.strerror or str(exc)).lower()})"
        else:
            reason = (exc.strerror or str(exc)).lower()
        raise _cannot_reach(address, reason, timeout) from None


def _identify(address: str, timeout: float) -> None:
    """Refuse, within ``timeout`` seconds, something at ``address`` that does not answer as a
    Dask scheduler (dask's Client would wait for its handshake without end, or fail and then
    print a traceback when it is collected): ask it who it is, as dask's own comms do."""
    if check_scheduler(address) is None:
        return
    import asyncio

    from distributed.comm import connect
    from distributed.security import Security

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout, **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    def ask() -> Any:
        return asyncio.run(asyncio.wait_for(identity(), timeout))

    try:
        answer = _in_thread(ask, timeout + 0.5)
    except TimeoutError:
        why = f"something accepts connections there but said nothing within {timeout:g} s"
    except Exception as exc:  # a server that is not Dask's fails in any way
        why = f"what listens there does not speak Dask's protocol ({_cut(first_line(exc))})"
    else:
        if isinstance(answer, dict) and answer.get("type") == "Scheduler":
            return
        why = f"what listens there is not a scheduler (it answered {shown(answer)})"
    raise InputError(
        f"no Dask scheduler answers at {shown(address)}: {why}; start one (dask scheduler) or "
        f"give its address, {_ADDRESS_FORM}"
    )


def _cut(text: str, most: int = 60) -> str:
    """A library's message cut to about ``most`` characters."""
    return text if len(text) <= most else text[: most - 3].rstrip() + "..."


def _run_local(
    plan: Plan,
    chunks: list[tuple[int, int]],
    workers: int,
    pool: str,
) -> Generator[ChunkResult, None, None]:
    """The chunks' results as they finish. Local threads keep their counts in their own
    histograms (``run_chunk(keep=True)``), handed over with the last result (``dense``)."""
    if workers == 1 or len(chunks) == 1:
        scratch = Scratch(plan)
        for i, (first, count) in enumerate(chunks, start=1):
            res = run_chunk(plan, first, count, scratch, keep=True)
            if i == len(chunks):
                res.dense.append(scratch.hist)
            yield res  # merged before the generator resumes
        return
    executor: Executor
    scratches: list[Scratch] = []  # one per thread, handed over with the last result
    if pool == "thread":
        from concurrent.futures import ThreadPoolExecutor

        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="milex-sim")
        local = threading.local()  # each thread reuses its buffers from chunk to chunk

        def task(first: int, count: int) -> ChunkResult:
            if not hasattr(local, "scratch"):
                local.scratch = Scratch(plan)
                scratches.append(local.scratch)
            return run_chunk(plan, first, count, local.scratch, keep=True)

    elif pool == "process":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        task = functools.partial(run_chunk, plan)
    else:
        raise InputError(f"pool must be 'thread' or 'process', got {pool!r}.")
    try:
        todo = iter(chunks)
        running: set[Future[ChunkResult]] = set()
        limit = 2 * workers  # bounded in flight: memory does not grow with the draw count
        for first, count in todo:
            running.add(executor.submit(task, first, count))
            if len(running) >= limit:
                break
        left = len(chunks)
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                res = fut.result()
                left -= 1
                if not left:  # every thread is idle: its histogram is complete
                    res.dense.extend(scratch.hist for scratch in scratches)
                yield res  # the caller has merged it when the generator resumes
                del res
                nxt = next(todo, None)
                if nxt is not None:
                    running.add(executor.submit(task, *nxt))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _dask_client(address: str) -> Any:
    """A client of the scheduler at ``address``, refusing one that cannot be reached or is not
    a scheduler, and a missing dask.distributed, with a clear error."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError(
            "a Dask scheduler address was given but dask.distributed is not installed: "
            "install milex with its dask extra (milex[dask]), or run locally without one"
        ) from exc
    timeout = dask_timeout()
    _reach(address, timeout)
    _identify(address, timeout)
    try:
        client = Client(address, set_as_default=False, timeout=timeout)
    except Exception as exc:  # something answers, but not as a scheduler: it fails in any way
        raise InputError(
            f"no Dask scheduler answers at {shown(address)} ({shown(str(exc))}): start one "
            f"(dask scheduler) or give its address, {_ADDRESS_FORM}"
        ) from exc
    return client


#: Tasks per Dask worker thread at least, when the run is long enough: each task pays a pass
#: over its histogram, the transfer of its non-zero bins and a scheduler round trip, so
#: tasks larger than ``chunk_size`` pay; a few per thread keep the threads evenly loaded.
DASK_TASKS_PER_THREAD = 3


def dask_chunk_blocks(plan: Plan, chunk_blocks: int, threads: int) -> int:
    """Blocks per Dask task: ``chunk_blocks`` (from ``chunk_size``), raised so that there are
    about :data:`DASK_TASKS_PER_THREAD` tasks per worker thread (results do not depend on
    it; a task's non-zero bins are at most the histogram's, so memory stays flat)."""
    per_thread = -(-plan.n_blocks // (DASK_TASKS_PER_THREAD * max(threads, 1)))
    return min(max(chunk_blocks, per_thread), (2**31 - 1) // plan.block)


def _run_dask(
    plan: Plan, chunks: list[tuple[int, int]], client: Any
) -> Generator[ChunkResult, None, None]:
    """The chunks' results as they finish on the cluster; closes ``client`` at the end."""
    from distributed import as_completed

    try:
        plan_future = client.scatter(plan, broadcast=True)
        limit = max(2, 2 * sum(client.nthreads().values()))
        todo = iter(chunks)
        first = [
            client.submit(run_chunk, plan_future, b, n, pure=False)
            for b, n in itertools.islice(todo, limit)
        ]
        queue = as_completed(first, loop=client.loop)
        for fut in queue:
            res = fut.result()
            fut.release()
            yield res
            nxt = next(todo, None)
            if nxt is not None:
                queue.add(client.submit(run_chunk, plan_future, *nxt, pure=False))
    finally:
        client.close()


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def simulate(
    amounts: Any,
    gdp_base: Any,
    growth: Any,
    inflation: Any,
    targets: Any,
    *,
    draws: int,
    seed: int | None = None,
    uncertainty: Uncertainty | None = None,
    spend_bias: Any = None,
    spend_sd: Any = None,
    share_plan: Any = None,
    weights: Any = None,
    group_target: float | None = None,
    chunk_size: int = 25_000,
    workers: int | None = None,
    dask_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    pool: str = "thread",
) -> SimulationResult:
    """Monte Carlo distribution of defence spending as a share of nominal GDP (the model is in
    :mod:`milex.montecarlo.engine`'s docstring).

    Args:
        amounts: ``[n_countries, n_years]`` planned spending, million national currency,
            current prices, on the central GDP path, for the years after the base year
            (column 0 = base year + 1).
        gdp_base: ``[n_countries]`` nominal GDP in the base year, same currency and units as
            ``amounts`` (> 0).
        growth: ``[n_countries, n_years]`` central real GDP growth path, percent per year
            (2.0 means 2%), e.g. the IMF WEO forecast.
        inflation: ``[n_countries, n_years]`` central GDP-deflator inflation path, percent per
            year.
        targets: ``[n_countries]`` (or one number for all) target share, percent of GDP, in
            [0, 100] (3.5 means 3.5%).
        draws: number of Monte Carlo draws (a positive int); memory does not depend on it.
        seed: non-negative int for a reproducible run; ``None`` draws fresh entropy (reported
            in the result's ``seed``).
        uncertainty: shock sizes, biases, recession regime and correlations; ``None`` uses
            ``load_uncertainty()``.
        spend_bias: mean relative spending error, percent of the planned amount (outturn
            minus plan; -5 = 5% under-spent), one number or ``[n_countries]``; ``None`` takes
            ``uncertainty.spend_bias``, and 0 if that is None too.
        spend_sd: sd of the relative spending error, percent of the planned amount, one
            number or ``[n_countries]``; ``None`` as for ``spend_bias``.
        share_plan: ``None`` (all money plans) or ``[n_countries]`` bool: True where the plan
            is a share of GDP (spending moves with the drawn GDP), False where it is a fixed
            nominal budget.
        weights: ``None``, or ``[n_countries]`` > 0: each member's base-year GDP at constant
            prices and exchange rates in one common currency (e.g. NATO's million USD at 2021
            prices); then ``result.group`` holds the group's share with the members weighted
            by their drawn real GDP, as NATO's aggregates are.
        group_target: the group's target, percent of GDP; ``None`` = the members' common
            target (an InputError if their targets differ).
        chunk_size: draws per task, rounded up to a multiple of ``BLOCK`` (the unit of the
            random streams; on Dask raised to about :data:`DASK_TASKS_PER_THREAD` tasks per
            worker thread); it sets how often ``progress`` is called, not the results or
            the memory.  Memory, whatever ``draws`` is: one histogram per worker (4 bytes
            per bin), the total (8 bytes per bin; about 5.4 million bins for 32 countries x
            11 years and their group with the default uncertainty and a 5% spending error,
            at most ``MAX_BINS``) and, from process or Dask workers, the non-zero bins of up
            to ``2 * workers`` chunks in flight (8 bytes each, at most all the bins), plus
            about 0.05 MB per country per worker.  The first run after installing compiles the
            kernel (about 3 s; cached on disk, see ``benchmarks/bench_simulation.py``).
        workers: local worker threads (the compiled kernel releases the GIL); ``None`` = the
            CPUs available, 1 = run in the calling thread.  Ignored with ``dask_address``.
        dask_address: address of a running Dask scheduler (e.g. ``'tcp://127.0.0.1:8786'``);
            chunks then run as tasks on that cluster, whose workers must have milex installed.
        progress: called as ``progress(done_chunks, total_chunks)`` after each chunk finishes
            (in the calling thread).
        pool: kind of local pool, ``'thread'`` (default) or ``'process'`` (for benchmarks).

    Returns:
        :class:`SimulationResult`: median, p05, p95, mean (percent of GDP) and prob_meet
        (probability), each ``[n_countries, n_years]``, and ``group`` (a
        :class:`~milex.montecarlo.engine.GroupResult`) when ``weights`` were given.

    Raises:
        InputError: bad draws/seed/chunk_size/workers, shapes that do not match, NaN or
            infinite inputs, negative amounts, non-positive ``gdp_base``, growth or inflation
            <= -100, targets outside [0, 100], amounts above ``MAX_SHARE_PCT`` of GDP on the
            central path, bad uncertainty parameters or spending errors, bad ``share_plan``,
            ``weights`` or ``group_target``, a sd so large that GDP could be wiped out (more
            than ``1/MAX_SD_RATIO`` of the distance of the lowest path from -100%), a
            malformed Dask address, a bad ``$MILEX_DASK_TIMEOUT``, or a scheduler not
            reached within ``$MILEX_DASK_TIMEOUT`` seconds (:func:`dask_timeout`, 5 by
            default).
    """
    draws = check_int("draws", draws, minimum=1, hint="Give a positive whole number, e.g. 100000.")
    if seed is not None:
        seed = check_int(
            "seed",
            seed,
            minimum=0,
            hint="Give a non-negative whole number, or none for a fresh seed.",
        )
    chunk_size = check_int(
        "chunk_size", chunk_size, minimum=1, hint="Use the default 25_000 unless memory is tight."
    )
    if workers is not None:
        workers = check_int(
            "workers", workers, minimum=1, hint="Pass None to use every available CPU."
        )
    if dask_address is not None:
        check_scheduler(dask_address)
    uncertainty = checked(uncertainty)
    arrays = validate_inputs(amounts, gdp_base, growth, inflation, targets)
    opts = validate_options(
        uncertainty, arrays[4], spend_bias, spend_sd, share_plan, weights, group_target
    )
    n_years = arrays[0].shape[1]
    s_g, s_p = yearly_sds(uncertainty, n_years)
    for name, path, sd, drift in (
        ("growth", arrays[2], s_g, uncertainty.growth_bias - uncertainty.recession_growth),
        ("inflation", arrays[3], s_p, uncertainty.inflation_bias),
    ):
        room = 100.0 + float((path - drift).min())
        if float(sd.max()) * MAX_SD_RATIO >= room:
            raise InputError(
                f"{name}_sd = {sd.max():g} percentage points (in the last year, with the "
                f"horizon slope) is too large for a {name} path that reaches "
                f"{room - 100:g}% (bias and recession included): a {MAX_SD_RATIO:g}-sd shock "
                f"would take {name} to -100% or below (GDP wiped out), which this "
                f"normal-shock model cannot represent. Use {name}_sd < "
                f"{room / MAX_SD_RATIO / (sd.max() / sd[0]):g}, a smaller horizon_slope "
                f"({uncertainty.horizon_slope:g} now), or a nearer target year."
            )
    entropy = np.random.SeedSequence(seed).entropy if seed is None else seed
    plan, width = plan_grid(*arrays, uncertainty, opts, draws, int(entropy))
    chunk_blocks = min(-(-chunk_size // plan.block), (2**31 - 1) // plan.block)
    chunks = split_chunks(plan, chunk_blocks)

    if dask_address is not None:
        client = _dask_client(dask_address)
        try:
            threads = sum(client.nthreads().values())
        except BaseException:
            client.close()
            raise
        chunks = split_chunks(plan, dask_chunk_blocks(plan, chunk_blocks, threads))
        results = _run_dask(plan, chunks, client)
    else:
        results = _run_local(plan, chunks, workers or _default_workers(), pool)
    merger = Merger(plan)
    with contextlib.closing(results):  # stops the pool/client even if progress() raises
        for done, res in enumerate(results, start=1):
            merger.add(res)
            del res
            if progress is not None:
                progress(done, len(chunks))
    return build_result(merger, plan, width, int(entropy))
