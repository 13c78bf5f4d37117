"""B3: idle widget sockets held by one server process: RSS per socket and CPU while idle.

For each ASGI server (uvicorn, daphne) Sohbet and the raw baseline (``bench/baseline.py``,
``/idle``) each run as one process on the server core. One load-generator process per target
(``bench/idle_clients.py``, pinned to the load core) first opens and closes a warm-up batch of 100
(so lazy imports, the database connection, the thread pool and the Redis pool exist before the
"before" sample), then opens N sockets (5 k quick, 10 k full) with bounded concurrency:

- Sohbet: the loader's presence socket ``/ws/presence/<widget_key>/``, the one every page view of
  a customer's site holds (docs/widget-protocol.md; the chat window's own socket opens only when
  the chat does); each socket completes hello/ready with its own visitor's token, as the
  loader's does (the loader opens it only once its beacon has made the visitor: the bench
  seeds the visitors, their tokens and visits beforehand), so each is a returning visitor
  counted online, with a presence row and channel-layer groups; 50 in flight;
- baseline: ``/idle``; each socket gets one ping/pong through the application; 200 in flight.

RSS/socket = (RSS after opening - RSS before) / sockets opened (server process and children).
Idle CPU = (user + system CPU time) delta over the idle window / wall time, as % of one core;
every socket sends the loader's ``ping`` every 45 s from its opening (``PING_INTERVAL``, as
``static/widget/loader.js`` does) and answers the server's protocol pings, which both servers
send as deployed: only to a socket silent for 50 s (``bench.common.DAPHNE_KEEPALIVE``).

One ASGI server at a time; its Sohbet and baseline processes run side by side and are measured
in the same idle window (an idle process uses a few % of a core, so they hardly compete; RSS and
CPU are per process). Sohbet runs on the server core, the baseline on the load core with the
two load generators: while the sockets open, each server has a core of its own.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
import time

import psutil

from bench import setup
from bench.common import (
    DEFAULT_SERVER,
    LOAD_CPU,
    ROOT,
    Env,
    Proc,
    Row,
    pin,
    start_baseline,
    start_sohbet,
)

MIN_OPENED = 0.95
WARMUP = 100
# The loader's presence socket pings every 45 s (static/widget/loader.js).
PING_INTERVAL = 45


class Clients:
    """One ``bench.idle_clients`` process and its line-oriented control channel."""

    def __init__(self, env: Env, name: str, options: dict):
        self.name = name
        self.stderr_path = env.out_dir / f"b3-clients-{name}.log"
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "bench.idle_clients", json.dumps(options)],
            cwd=ROOT,
            env=env.server_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr_path.open("w"),
            text=True,
            preexec_fn=pin(LOAD_CPU),
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.popen.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def expect(self, event: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(0.01, left))
            except queue.Empty:
                raise RuntimeError(f"B3 {self.name}: no '{event}' within {timeout:.0f} s") from None
            if line is None:
                raise RuntimeError(
                    f"B3 {self.name}: load generator exited ({self.popen.poll()}): "
                    f"{self.stderr_path.read_text()[-2000:]}"
                )
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if data.get("event") == event:
                return data

    def send(self, command: str) -> None:
        try:
            self.popen.stdin.write(command + "\n")
            self.popen.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.send("close")
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


def _procs(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def rss(pid: int) -> int:
    total = 0
    for p in _procs(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in _procs(pid):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def measure(env: Env, servers: tuple[str, ...], workspace, n: int, idle_s: float) -> dict:
    """Sohbet and the baseline under each of ``servers``, all at once; their figures by
    ``(server, target)``."""
    targets: dict[tuple[str, str], Proc] = {}
    clients: dict[tuple[str, str], Clients] = {}
    try:
        for server in servers:
            targets[server, "sohbet"] = start_sohbet(
                env, server=server, name="b3-sohbet", wait=False
            )
            # The baseline on the load core: B3's figures are memory and idle CPU, not speed,
            # and opening its sockets beside Sohbet's on one core made Sohbet's opening, the
            # longest part of the quick mode, a third longer.
            targets[server, "baseline"] = start_baseline(
                env, server=server, wait=False, cpu=LOAD_CPU
            )
        for proc in targets.values():
            proc.wait_ready()
        for (server, target), proc in targets.items():
            options = {
                "n": n,
                "warmup": WARMUP,
                "ping_interval": PING_INTERVAL,
                "open_timeout": 60,
                "max_hold": 900,
                "port": proc.port,
            }
            if target == "sohbet":
                # More hellos in flight than the server can answer make later handshakes wait
                # past daphne's 5 s connect timeout (403); 50 keeps it busy.
                # Each socket says hello with its own visitor's token, as the loader does (it
                # opens the presence socket only once the beacon has given it one).
                tokens = env.out_dir / f"b3-tokens-{server}.txt"
                tokens.write_text(
                    "\n".join(setup.seed_visitor_tokens(workspace.tenant_id, n + WARMUP))
                )
                options.update(
                    tokens_file=str(tokens),
                    path=f"/ws/presence/{workspace.widget_key}/",
                    origin="https://shop.example",  # the customer's page (any site allowed)
                    mode="hello",
                    concurrency=50,
                )
            else:
                options.update(path="/idle", mode="ping", concurrency=200)
            clients[server, target] = Clients(env, f"{target}-{server}", options)

        warm = {k: c.expect("warm", 120) for k, c in clients.items()}
        time.sleep(1.0)
        before = {k: rss(p.pid) for k, p in targets.items()}
        cpu_open0 = {k: cpu_seconds(p.pid) for k, p in targets.items()}
        for c in clients.values():
            c.send("go")
        open_timeout = 60 + n / 20  # at worst 20 hellos/s
        opened = {k: c.expect("opened", open_timeout) for k, c in clients.items()}
        cpu_open1 = {k: cpu_seconds(p.pid) for k, p in targets.items()}
        for (server, target), o in opened.items():
            if o["opened"] < MIN_OPENED * n:
                raise RuntimeError(
                    f"B3 {target} under {server}: only {o['opened']} of {n} sockets opened "
                    f"(errors: {o['errors']}); see {targets[server, target].log}"
                )
        time.sleep(2.0)  # let the opening's stragglers (DB commits, logs) finish
        after = {k: rss(p.pid) for k, p in targets.items()}

        cpu0 = {k: cpu_seconds(p.pid) for k, p in targets.items()}
        t0 = time.monotonic()
        time.sleep(idle_s)
        wall = time.monotonic() - t0
        cpu1 = {k: cpu_seconds(p.pid) for k, p in targets.items()}
        end = {k: rss(p.pid) for k, p in targets.items()}

        # Servers first, killed: their sockets' goodbyes (5 k presence updates, cut off by the
        # graceful shutdown's 8 s anyway) are not measured, and waiting for them made the quick
        # mode longer than it may be.
        for p in targets.values():
            p.stop(graceful=False)
        for c in clients.values():
            c.send("close")
        done = {k: c.expect("done", 60) for k, c in clients.items()}
        out = {}
        for k in targets:
            count = opened[k]["opened"]
            out[k] = {
                "warm": warm[k],
                "opened": opened[k],
                "done": done[k],
                "rss_before": before[k],
                "rss_after": after[k],
                "rss_end": end[k],
                "kb_per_socket": (after[k] - before[k]) / 1024 / count,
                "cpu_pct": 100 * (cpu1[k] - cpu0[k]) / wall,
                "open_cpu_s": cpu_open1[k] - cpu_open0[k],
                "idle_s": wall,
            }
        return out
    finally:
        for c in clients.values():
            c.stop()
        for p in targets.values():
            p.stop()


def _note(s: dict, n: int) -> str:
    o, d = s["opened"], s["done"]
    mb = 1024 * 1024
    return (
        f"{o['opened']}/{n} opened in {o['seconds']} s ({o['rate']}/s); "
        f"RSS {s['rss_before'] / mb:.0f}→{s['rss_after'] / mb:.0f} MB "
        f"({s['rss_end'] / mb:.0f} MB after idling); "
        f"{d['pongs']} pongs/{d['pings_sent']} pings, {d['dropped']} dropped"
    )


def run(env: Env, workspaces, servers=(DEFAULT_SERVER,)) -> list[Row]:
    n = env.size(full=10000, quick=5000, smoke=200)
    idle_s = env.size(full=30.0, quick=10.0, smoke=2.0)
    # One ASGI server at a time: two Sohbets opening at once share the server core and open no
    # faster in total, and 4 × 10 k client sockets would not fit the ephemeral ports.
    groups = [(server,) for server in servers]
    results: dict = {}
    for group in groups:
        results.update(measure(env, group, workspaces[0], n, idle_s))
    (env.out_dir / "b3-idle.json").write_text(
        json.dumps({f"{s}/{t}": v for (s, t), v in results.items()}, indent=2, default=str)
    )
    rows: list[Row] = []
    for server in servers:
        s, b = results[server, "sohbet"], results[server, "baseline"]
        together = " (Sohbet and baseline measured in the same window)"
        rows.append(
            Row(
                "B3",
                f"RSS per idle socket ({server})",
                round(s["kb_per_socket"], 1),
                "KB",
                baseline=round(b["kb_per_socket"], 1),
                target="≤ 2× baseline",
                ok=s["kb_per_socket"] <= 2 * b["kb_per_socket"],
                note=f"{n} sockets. Sohbet: {_note(s, n)}. Baseline: {_note(b, n)}",
            )
        )
        rows.append(
            Row(
                "B3",
                f"Idle CPU, {n} sockets ({server})",
                round(s["cpu_pct"], 2),
                "% core",
                baseline=round(b["cpu_pct"], 2),
                target="≤ 5 % of a core",
                ok=s["cpu_pct"] <= 5.0,
                note=f"over {s['idle_s']:.0f} s{together}; each socket pings every "
                f"{PING_INTERVAL} s (first at a random moment, as page views opened at random "
                "times would); the server pings "
                + (
                    "every socket every 50 s"
                    if server == "uvicorn-legacy"
                    else "sockets silent for 50 s"
                ),
            )
        )
        rows.append(
            Row(
                "B3",
                f"Idle sockets opened per second ({server})",
                s["opened"]["rate"],
                "sockets/s",
                baseline=b["opened"]["rate"],
                note=f"Sohbet: presence hello→ready (a new visitor + visit each), 50 in flight, "
                f"{s['open_cpu_s']:.1f} s CPU; baseline: ping→pong, 200 in flight"
                + " (opening at the same time, on the load core)",
            )
        )
    return rows
