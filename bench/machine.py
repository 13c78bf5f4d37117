"""How fast this machine is right now, for reading a run's table beside another run's.

Ratios to the baseline are measured in the same run, but a machine does not slow down evenly:
a noisy or nested-virtualised host makes every switch between threads or processes dearer, and
a server that does more per message (more code, more round trips to Redis and PostgreSQL, more
sockets written) loses more than the small raw baseline. Three figures, each the best of a few
tries, taken on the server core before and after the benchmarks:

- ``loop_s``: a 10 M-iteration empty Python loop (the interpreter alone, fits in cache);
- ``thread_hop_us``: CPU of one round trip from an asyncio loop to a worker thread and back
  (what ``sync_to_async`` costs, the GIL handed over twice);
- ``process_switch_us``: one hand-over between two processes on the same core through a pipe
  (what every round trip to PostgreSQL or Redis and every socket write to a client on the same
  core pays).

And the disk under PostgreSQL (``disk``): every persisted message waits for one WAL flush,
Sohbet's and the baseline's alike, so a disk whose flushes stall now and then puts those stalls
into both servers' p99, wherever they happen to fall. ``disk_flushes`` writes and flushes 8 KB
beside PostgreSQL's data for a few seconds, as a commit does, and reports the spread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import time

from bench.common import SERVER_CPU


def _pin() -> None:
    if hasattr(os, "sched_setaffinity") and SERVER_CPU in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {SERVER_CPU})


def _loop_seconds() -> float:
    start = time.perf_counter()
    for _ in range(10_000_000):
        pass
    return time.perf_counter() - start


def _thread_hop_us(hops: int = 2000) -> float:
    async def hop() -> float:
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            await loop.run_in_executor(pool, int)
            start = time.process_time()
            for _ in range(hops):
                await loop.run_in_executor(pool, int)
            return (time.process_time() - start) / hops * 1e6

    return asyncio.run(hop())


def _process_switch_us(rounds: int = 5000) -> float:
    there_r, there_w = os.pipe()
    back_r, back_w = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child echoes and leaves
        try:
            _pin()
            for _ in range(rounds + 1):
                os.read(there_r, 1)
                os.write(back_w, b"x")
        finally:
            os._exit(0)
    try:
        os.write(there_w, b"x")
        os.read(back_r, 1)
        start = time.perf_counter()
        for _ in range(rounds):
            os.write(there_w, b"x")
            os.read(back_r, 1)
        return (time.perf_counter() - start) / rounds / 2 * 1e6
    finally:
        os.waitpid(child, 0)
        for fd in (there_r, there_w, back_r, back_w):
            os.close(fd)


def calibrate(tries: int = 3) -> dict[str, float]:
    """The three figures on the server core (best of ``tries``); the process's own affinity
    is restored afterwards."""
    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    try:
        _pin()
        return {
            "loop_s": round(min(_loop_seconds() for _ in range(tries)), 3),
            "thread_hop_us": round(min(_thread_hop_us() for _ in range(tries)), 1),
            "process_switch_us": round(min(_process_switch_us() for _ in range(tries)), 1),
        }
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)


def disk_flushes(directory: str | None, seconds: float) -> dict | None:
    """8 KB written and flushed (``fdatasync``) every 5 ms for ``seconds`` in a scratch file in
    ``directory`` (the one holding PostgreSQL's data directory: the same disk as its WAL in the
    usual layouts): the flush's median,
    99.9th percentile and slowest time in ms, and how many took over 20 ms. None when the
    directory is not on this machine or not writable."""
    if not directory or not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        return None
    path = os.path.join(directory, f"sohbet-bench-flush-{os.getpid()}.tmp")
    block, took = b"\0" * 8192, []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            os.pwrite(fd, block, 0)
            os.fdatasync(fd)
            took.append((time.perf_counter() - start) * 1000)
            time.sleep(0.005)
    finally:
        os.close(fd)
        os.unlink(path)
    took.sort()
    return {
        "flushes": len(took),
        "p50_ms": round(took[len(took) // 2], 2),
        "p999_ms": round(took[min(len(took) - 1, int(len(took) * 0.999))], 1),
        "max_ms": round(took[-1], 1),
        "over_20ms": sum(1 for t in took if t > 20),
    }


def describe_disk(disk: dict | None) -> str:
    if disk is None:
        return "not measured (PostgreSQL's data directory is not on this machine)"
    return (
        f"{disk['flushes']} flushes of 8 KB: median {disk['p50_ms']:.2f} ms, "
        f"99.9th percentile {disk['p999_ms']:.1f} ms, slowest {disk['max_ms']:.1f} ms, "
        f"{disk['over_20ms']} over 20 ms"
    )


def describe(figures: dict[str, float]) -> str:
    return (
        f"{figures['loop_s']:.2f} s for the 10 M-iteration loop, "
        f"{figures['thread_hop_us']:.0f} µs CPU per thread hop, "
        f"{figures['process_switch_us']:.1f} µs per process switch"
    )
