"""B3's load generator: open many idle WebSocket clients from one process and hold them.

Run as its own process on the load core (``bench.common.pin(LOAD_CPU)``)::

    python -m bench.idle_clients '{"port": 8000, "path": "/ws/presence/wk_…/", "n": 5000,
                                   "mode": "hello"}'

A deliberately small client (asyncio.Protocol, hand-written RFC 6455 framing) so that 10 k
sockets fit in one process without a task per socket: the load generator's own cost must not
disturb the server being measured. Each socket:

- opens with ``Origin: http://<host>:<port>`` (Sohbet refuses other origins);
- ``mode == "hello"`` (Sohbet's visitor socket): sends
  ``{"type":"hello","token":…,"last_id":null}`` and counts as open when ``ready`` arrives. The
  token is the next line of ``tokens_file`` when given (a visitor the beacon made, as the
  loader's presence socket always has one), else null (a new visitor);
  ``mode == "ping"`` (the raw baseline's ``/idle``):
  sends ``{"type":"ping"}`` and counts as open when ``pong`` arrives. Either way one JSON request
  and one answer went through the application, not only the server's handshake;
- then idles, sending ``{"type":"ping"}`` every ``ping_interval`` s (45 s in B3, like the
  loader's timer; one scheduler task for all sockets). Its first ping comes at a random moment
  of its first interval: page views open at random times, so a server holding them sees their
  pings spread evenly, though the bench opens them all within seconds. It answers the server's
  protocol-level pings (sent to a socket that has been silent for the server's ping interval).

Control: stdout carries one JSON object per line (events); stdin takes commands, one per line.

1. ``warmup`` sockets (default 100) open and close; prints ``{"event": "warm", ...}``; waits for
   ``go`` (the orchestrator samples the server's RSS in between);
2. opens ``n`` sockets, ``concurrency`` at a time, each within ``open_timeout`` s; prints
   ``{"event": "opened", "opened", "failed", "seconds", "errors"}``;
3. idles until ``close`` (or ``max_hold`` s), then closes every socket and prints
   ``{"event": "done", "pongs", "pings_sent", "dropped", ...}`` and exits.
"""

from __future__ import annotations

import asyncio
import base64
import heapq
import itertools
import json
import os
import random
import resource
import struct
import sys
import time
from collections import Counter
from pathlib import Path

HELLO = json.dumps({"type": "hello", "token": None, "last_id": None}).encode()
PING = json.dumps({"type": "ping"}).encode()


def emit(**event) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 §5.2)."""
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    mask = os.urandom(4)
    if not n:
        return header + mask
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big")
    return header + mask + masked


class Stats:
    def __init__(self) -> None:
        self.pongs = 0
        self.server_pings = 0
        self.other_frames = Counter()
        self.dropped = 0  # closed by the server (or reset) after opening
        self.close_codes = Counter()
        self.holding = False


class Client(asyncio.Protocol):
    def __init__(self, request: bytes, first: bytes, want: str, stats: Stats):
        self.request = request
        self.first = first
        self.want = want
        self.stats = stats
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed = False
        self.is_open = False

    # --- asyncio.Protocol -----------------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end])
            del self.buffer[: end + 4]
            status = head.split(b"\r\n", 1)[0]
            if b" 101 " not in status + b" ":
                self._fail(f"handshake: {status.decode(errors='replace')[:60]}")
                return
            self.upgraded = True
            self.transport.write(frame(0x1, self.first))
        self._parse()

    def connection_lost(self, exc) -> None:
        was_open = self.is_open and not self.closed
        self.closed = True
        if was_open and self.stats.holding:
            self.stats.dropped += 1
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"lost before ready: {exc!r}"))

    # --- frames ---------------------------------------------------------------------------

    def _parse(self) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            opcode, n, pos = b0 & 0x0F, b1 & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    return
                n, pos = struct.unpack_from("!H", buf, 2)[0], 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, pos = struct.unpack_from("!Q", buf, 2)[0], 10
            if b1 & 0x80:  # servers do not mask; tolerate it anyway
                pos += 4
            if len(buf) < pos + n:
                return
            payload = bytes(buf[pos : pos + n])
            del buf[: pos + n]
            self._frame(opcode, payload)

    def _frame(self, opcode: int, payload: bytes) -> None:
        if opcode == 0x9:  # server ping: answer with the same payload
            self.stats.server_pings += 1
            self.transport.write(frame(0xA, payload))
        elif opcode == 0x8:  # close
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self.stats.close_codes[code] += 1
            if not self.closed:
                self.transport.write(frame(0x8, payload[:2]))
            self._fail(f"closed by server: {code}")
            self.transport.close()
        elif opcode == 0x1:
            try:
                kind = json.loads(payload).get("type")
            except ValueError:
                kind = "?"
            if not self.ready.done():
                if kind == self.want:
                    self.is_open = True
                    self.ready.set_result(True)
                elif kind == "error":
                    self._fail(f"error frame: {payload[:120]!r}")
                return  # e.g. nothing else is expected before the answer
            if kind == "pong":
                self.stats.pongs += 1
            else:
                self.stats.other_frames[kind] += 1

    def _fail(self, why: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(why))

    # --- actions --------------------------------------------------------------------------

    def send_ping(self) -> bool:
        if self.closed or self.transport is None or self.transport.is_closing():
            return False
        self.transport.write(frame(0x1, PING))
        return True

    def close(self) -> None:
        if not self.closed and self.transport is not None and not self.transport.is_closing():
            self.closed = True
            self.transport.write(frame(0x8, struct.pack("!H", 1000)))
            self.transport.close()


class Opener:
    def __init__(self, opts: dict, stats: Stats):
        self.host = opts.get("host", "127.0.0.1")
        self.port = int(opts["port"])
        self.path = opts["path"]
        self.origin = opts.get("origin") or f"http://{self.host}:{self.port}"
        self.mode = opts.get("mode", "hello")
        tokens_file = opts.get("tokens_file")
        self.tokens = iter(Path(tokens_file).read_text().split() if tokens_file else ())
        self.timeout = float(opts.get("open_timeout", 30))
        self.stats = stats
        self.errors: Counter = Counter()

    def request(self) -> bytes:
        key = base64.b64encode(os.urandom(16)).decode()
        return (
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {self.origin}\r\nUser-Agent: sohbet-bench-idle/1\r\n\r\n"
        ).encode()

    def hello(self) -> bytes:
        token = next(self.tokens, None)
        if token is None:
            return HELLO
        return json.dumps({"type": "hello", "token": token, "last_id": None}).encode()

    async def open_one(self) -> Client | None:
        first, want = (self.hello(), "ready") if self.mode == "hello" else (PING, "pong")
        loop = asyncio.get_running_loop()
        client: Client | None = None
        try:
            async with asyncio.timeout(self.timeout):
                _t, client = await loop.create_connection(
                    lambda: Client(self.request(), first, want, self.stats), self.host, self.port
                )
                await client.ready
            return client
        except Exception as exc:
            self.errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
            if client is not None:
                client.close()
            return None

    async def open_many(
        self, n: int, concurrency: int, schedule: Schedule | None = None
    ) -> list[Client]:
        """Open ``n`` sockets; each one opened joins ``schedule``."""
        out: list[Client] = []
        next_index = 0

        async def worker() -> None:
            nonlocal next_index
            while next_index < n:
                next_index += 1
                client = await self.open_one()
                if client is not None:
                    out.append(client)
                    if schedule is not None:
                        schedule.join(client)

        await asyncio.gather(*(worker() for _ in range(min(concurrency, n))))
        return out


class Schedule:
    """When each socket pings next: a heap of (due, tie-breaker, client)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.heap: list = []
        self.order = itertools.count()

    def join(self, client: Client) -> None:
        if self.interval > 0:
            first = time.monotonic() + random.uniform(0, self.interval)
            heapq.heappush(self.heap, (first, next(self.order), client))


async def pinger(schedule: Schedule, counter: list[int]) -> None:
    """Send each socket's ping when it is due, then schedule its next one an interval later."""
    heap = schedule.heap
    while True:
        await asyncio.sleep(0.1)
        now = time.monotonic()
        while heap and heap[0][0] <= now:
            due, order, client = heapq.heappop(heap)
            if client.send_ping():
                counter[0] += 1
                heapq.heappush(heap, (due + schedule.interval, order, client))


async def read_command(reader: asyncio.StreamReader, timeout: float) -> str:
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except TimeoutError:
        return "timeout"
    return line.decode().strip() or "eof"


async def main(opts: dict) -> None:
    nofile = raise_nofile()
    n = int(opts["n"])
    concurrency = int(opts.get("concurrency", 200))
    warmup = int(opts.get("warmup", 100))
    interval = float(opts.get("ping_interval", 25))
    max_hold = float(opts.get("max_hold", 600))
    if n + warmup + 50 > nofile:
        raise SystemExit(f"RLIMIT_NOFILE {nofile} is too low for {n} sockets")

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    stats = Stats()
    opener = Opener(opts, stats)

    t0 = time.monotonic()
    warm = await opener.open_many(warmup, min(concurrency, 50))
    for c in warm:
        c.close()
    await asyncio.sleep(0.5)
    emit(
        event="warm",
        opened=len(warm),
        seconds=round(time.monotonic() - t0, 2),
        errors=dict(opener.errors.most_common(5)),
        nofile=nofile,
    )
    opener.errors.clear()
    command = await read_command(reader, max_hold)
    if command != "go":
        emit(event="done", aborted=command)
        return

    pings_sent = [0]
    schedule = Schedule(interval)
    ping_task = asyncio.create_task(pinger(schedule, pings_sent))
    t0 = time.monotonic()
    clients = await opener.open_many(n, concurrency, schedule)
    opened_s = time.monotonic() - t0
    stats.holding = True
    emit(
        event="opened",
        opened=len(clients),
        failed=n - len(clients),
        seconds=round(opened_s, 2),
        rate=round(len(clients) / opened_s, 1) if opened_s else None,
        errors=dict(opener.errors.most_common(5)),
    )

    t_hold = time.monotonic()
    command = await read_command(reader, max_hold)
    held = time.monotonic() - t_hold
    ping_task.cancel()
    alive = sum(1 for c in clients if not c.closed)
    for c in clients:
        c.close()
    await asyncio.sleep(0.5)
    emit(
        event="done",
        command=command,
        held_seconds=round(held, 1),
        alive_at_close=alive,
        dropped=stats.dropped,
        pings_sent=pings_sent[0],
        pongs=stats.pongs,
        server_pings=stats.server_pings,
        other_frames=dict(stats.other_frames),
        close_codes={str(k): v for k, v in stats.close_codes.items()},
    )


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
