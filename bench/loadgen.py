"""Load generators, run as their own process: ``python -m bench.loadgen <scenario> '<json>'``.

Prints one JSON line with the measurements. Loopback only; bounded by the options' counts and
durations. Latency is measured from the moment a message was *due* to be sent (open loop), so a
slow server cannot hide its queueing delay by slowing the generator down.
"""

import asyncio
import json
import resource
import sys
import time
import uuid

import psutil
from websockets.asyncio.client import connect

from bench.common import summary, sustained

try:  # uvloop when installed, as the servers use it
    from uvloop import run as run_loop
except ImportError:  # pragma: no cover
    run_loop = asyncio.run

CONNECT = {"ping_interval": None, "compression": None, "max_size": 2**20, "open_timeout": 30}


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


SETUP_IN_FLIGHT = 8


async def recv_until(ws, predicate, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if predicate(frame):
            return frame


class Sohbet:
    def __init__(self, port: int):
        self.base = f"ws://127.0.0.1:{port}"
        self.origin = f"http://127.0.0.1:{port}"

    async def visitor(self, widget_key: str):
        ws = await connect(f"{self.base}/ws/widget/{widget_key}/", origin=self.origin, **CONNECT)
        await ws.send(json.dumps({"type": "hello", "token": None, "last_id": None}))
        ready = await recv_until(ws, lambda f: f["type"] == "ready")
        return ws, ready["visitor"]["id"]

    async def operator(self, slug: str, session: str):
        ws = await connect(
            f"{self.base}/ws/inbox/{slug}/",
            origin=self.origin,
            additional_headers={"Cookie": f"sessionid={session}"},
            **CONNECT,
        )
        ready = await recv_until(ws, lambda f: f["type"] in ("ready", "error"))
        if ready["type"] != "ready":
            raise RuntimeError(f"operator socket refused: {ready}")
        return ws, ready

    @staticmethod
    def message(body: str, client_id: str) -> str:
        return json.dumps({"type": "message", "client_id": client_id, "body": body})


async def chat(options: dict) -> dict:
    """B1/B2: N conversations, visitor → operator, at a fixed total rate."""
    raise_fd_limit()
    target, port = options["target"], options["port"]
    pairs = options["pairs"]  # [{widget_key, slug, session}] for Sohbet; count for baseline
    rates, duration = options["rates"], options["duration"]
    sohbet = Sohbet(port)
    visitors, operators = [], []
    if target == "sohbet":
        # Visitors first: each opens a conversation; then operators subscribe to theirs. A few
        # at a time (SETUP_IN_FLIGHT): one after another, the server waited for the load
        # generator between steps, and the set-up took longer than B1 itself.
        gate = asyncio.Semaphore(SETUP_IN_FLIGHT)

        async def open_visitor(i: int, pair: dict):
            async with gate:
                ws, visitor_id = await sohbet.visitor(pair["widget_key"])
                await ws.send(sohbet.message("hello", f"open-{i}-{uuid.uuid4().hex[:6]}"))
                await recv_until(ws, lambda f: f["type"] == "ack")
                return ws, visitor_id

        async def open_operator(pair: dict, visitor_id: str):
            async with gate:
                ws, _ready = await sohbet.operator(pair["slug"], pair["session"])
                # The inbox's first page (10 conversations per workspace: one page).
                await ws.send(json.dumps({"type": "list", "request": "first", "filters": {}}))
                listed = await recv_until(ws, lambda f: f["type"] == "list")
                number = next(
                    c["number"] for c in listed["conversations"] if c["visitor"]["id"] == visitor_id
                )
                await ws.send(json.dumps({"type": "subscribe", "conversation": number}))
                await recv_until(ws, lambda f: f["type"] == "history")
                return ws

        opened = await asyncio.gather(*(open_visitor(i, p) for i, p in enumerate(pairs)))
        visitors = [ws for ws, _ in opened]
        operators = list(
            await asyncio.gather(
                *(open_operator(pair, vid) for pair, (_, vid) in zip(pairs, opened, strict=True))
            )
        )
    else:
        base = f"ws://127.0.0.1:{port}"
        for i in range(pairs):
            operators.append(await connect(f"{base}/o/{i + 1}", **CONNECT))
            visitors.append(await connect(f"{base}/v/{i + 1}", **CONNECT))

    due: dict[str, float] = {}
    latencies: list[float] = []
    stop = asyncio.Event()

    async def drain(ws, measure: bool) -> None:
        try:
            async for raw in ws:
                # Only a frame with a message in it is decoded (a str search costs far less
                # than json.loads): the generator's core also runs PostgreSQL and Redis.
                if not measure or '"message"' not in raw:
                    continue
                frame = json.loads(raw)
                if frame.get("type") == "message":
                    message = frame.get("message", frame)
                    started = due.pop(message.get("client_id"), None)
                    if started is not None:
                        latencies.append((time.perf_counter() - started) * 1000)
        except Exception:
            if not stop.is_set():
                raise

    readers = [asyncio.create_task(drain(ws, True)) for ws in operators]
    readers += [asyncio.create_task(drain(ws, False)) for ws in visitors]

    server = psutil.Process(options["server_pid"]) if options.get("server_pid") else None

    def server_cpu() -> float:
        times = server.cpu_times()
        return times.user + times.system

    async def one_rate(rate: float, duration: float, grace_s: float) -> dict:
        """Send at ``rate`` for ``duration`` seconds over all conversations; wait for the rest.
        With ``server_pid``, also the server's CPU seconds per message sent, from the first
        send until the last delivery (or the end of the grace time)."""
        due.clear()
        cpu_before = server_cpu() if server else None
        latencies.clear()
        n = len(visitors)
        total = int(rate * duration)
        start = time.perf_counter() + 0.2
        late = 0
        run_id = uuid.uuid4().hex[:8]  # client ids are unique per conversation in both servers
        for k in range(total):
            when = start + k / rate
            delay = when - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.01:
                late += 1
            client_id = f"{run_id}-{k}"
            due[client_id] = when
            body = f"message {k} from the load generator"
            await visitors[k % n].send(Sohbet.message(body, client_id))
        grace = time.perf_counter() + grace_s
        while due and time.perf_counter() < grace:
            await asyncio.sleep(0.05)
        cpu_ms = None
        if server is not None and total:
            cpu_ms = 1000 * (server_cpu() - cpu_before) / total
        return {
            "server_cpu_ms_per_message": cpu_ms,
            "sent": total,
            "received": len(latencies),
            "lost_or_late": len(due),
            "generator_late": late,
            "rate": rate,
            "latency_ms": summary(list(latencies)),
        }

    if options.get("ready_file"):  # tells a profiler that the sockets are set up
        open(options["ready_file"], "w").close()
        await asyncio.sleep(options.get("ready_wait", 0))

    results = []
    for rate in rates:
        result = await one_rate(rate, duration, options.get("grace", 3))
        results.append(result)
        await asyncio.sleep(options.get("pause", 0.5))
    # A ramp after the fixed rates, on the same sockets (B2 after B1: one set-up, not two):
    # a step that is not sustained runs once more (twice per ramp at most, which bounds its
    # time), and the ramp stops at a step missed twice or at a third miss.
    # One stalled flush of the disk holds every commit for up
    # to a few hundred ms, whichever server it falls on; a rate the server cannot carry misses
    # both times.
    ramp = []
    if options.get("ramp") and due:
        # An overloaded fixed rate (500 msg/s) leaves messages in the server's queue: let them
        # arrive so that the ramp's first step does not measure the backlog. The full mode's
        # 20 s at 500 msg/s leaves up to 10 k of them, a minute's work for a process that
        # takes 200 a second; the wait ends when nothing has arrived for 10 s, or after 180 s.
        settle = time.perf_counter() + 180
        seen, quiet_since = len(due), time.perf_counter()
        while due and time.perf_counter() < settle and time.perf_counter() - quiet_since < 10:
            await asyncio.sleep(0.1)
            if len(due) != seen:
                seen, quiet_since = len(due), time.perf_counter()
        await asyncio.sleep(0.5)
    retries = 2
    for rate in options.get("ramp", []):
        result = await one_rate(rate, options["ramp_duration"], options.get("ramp_grace", 2))
        ramp.append(result)
        if not sustained(result):
            if not retries:
                break
            retries -= 1
            await asyncio.sleep(options.get("pause", 0.5))
            result = await one_rate(rate, options["ramp_duration"], options.get("ramp_grace", 2))
            ramp.append({**result, "retry": True})
            if not sustained(result):
                break
        # After a sustained step nothing is left to arrive: a short breath will do.
        await asyncio.sleep(min(options.get("pause", 0.5), 0.1))
    if options.get("done_file"):
        open(options["done_file"], "w").close()
    stop.set()
    for ws in visitors + operators:
        await ws.close()
    for task in readers:
        task.cancel()
    return {"results": results, "ramp": ramp}


async def broadcast(options: dict) -> dict:
    """B4: one workspace with many operators online; an event must reach all of them."""
    raise_fd_limit()
    target, port, events = options["target"], options["port"], options["events"]
    interval = options.get("interval", 0.05)
    sohbet = Sohbet(port)
    received: list[float] = []
    due: dict[str, float] = {}
    if target == "sohbet":
        operators = [
            (await sohbet.operator(options["slug"], session))[0] for session in options["sessions"]
        ]
        visitor, _ = await sohbet.visitor(options["widget_key"])
    else:
        base = f"ws://127.0.0.1:{port}"
        operators = [await connect(f"{base}/o/7", **CONNECT) for _ in options["sessions"]]
        visitor = await connect(f"{base}/v/7", **CONNECT)
    expected = len(operators)
    counts: dict[str, int] = {}
    seen: set[tuple[int, str]] = set()

    async def drain(ws, measure: bool) -> None:
        try:
            async for raw in ws:
                if not measure:
                    continue
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "conversation":  # Sohbet: the inbox list update
                    keys = [frame["conversation"]["preview"]]
                elif kind == "conversations":  # Sohbet: several rows gathered under load
                    keys = [row["preview"] for row in frame["conversations"]]
                elif kind == "message" and "client_id" in frame:  # baseline
                    keys = [frame["body"]]
                else:
                    continue
                now = time.perf_counter()
                for key in keys:
                    started = due.get(key)
                    if started is not None and (id(ws), key) not in seen:
                        # The first row per operator and event: Sohbet sends the first event's
                        # row again when the new conversation is assigned.
                        seen.add((id(ws), key))
                        received.append((now - started) * 1000)
                        counts[key] = counts.get(key, 0) + 1
        except Exception:  # the socket closes at the end of the run
            return

    readers = [asyncio.create_task(drain(ws, True)) for ws in operators]
    readers.append(asyncio.create_task(drain(visitor, False)))
    await asyncio.sleep(0.5)
    if options.get("ready_file"):  # bench.profile --fanout: the sockets are open
        open(options["ready_file"], "w").close()
    run_id = uuid.uuid4().hex[:8]
    for k in range(events):
        key = f"event {k}"
        due[key] = time.perf_counter()
        await visitor.send(Sohbet.message(key, f"{run_id}-{k}"))
        await asyncio.sleep(interval)
    deadline = time.perf_counter() + 5
    while sum(counts.values()) < events * expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    if options.get("done_file"):
        open(options["done_file"], "w").close()
    for ws in [*operators, visitor]:
        await ws.close()
    for task in readers:
        task.cancel()
    return {
        "operators": expected,
        "events": events,
        "deliveries": len(received),
        "expected_deliveries": events * expected,
        "latency_ms": summary(received),
    }


SCENARIOS = {"chat": chat, "broadcast": broadcast}

if __name__ == "__main__":
    scenario, raw_options = sys.argv[1], sys.argv[2]
    # The generator's core also runs PostgreSQL and Redis: uvloop costs it less per frame.
    result = run_loop(SCENARIOS[scenario](json.loads(raw_options)))
    print(json.dumps(result))
