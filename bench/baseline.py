"""The raw baseline: the least a Python ASGI server must do for one chat message.

Accept the visitor's message on a socket, insert the row into a table of the same shape as
Sohbet's messages (``bench_message``, created LIKE ``conversations_message`` with its indexes),
acknowledge it and forward it to the operator sockets of that conversation, all in one process
(no channel layer, no sessions, no tenancy, no encryption). Run under the same ASGI server as
Sohbet. Endpoints:

- ``GET /healthz``
- ``ws /v/<conversation>``: a visitor; sends ``{"client_id", "body"}``, gets ``{"type": "ack"}``
- ``ws /o/<conversation>``: an operator; gets ``{"type": "message", ...}`` for each message
- ``ws /idle``: holds the socket; answers ``{"type": "ping"}`` with ``{"type": "pong"}``
"""

import json
import os
from collections import defaultdict

from psycopg_pool import AsyncConnectionPool

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sohbet_bench"
)
INSERT = (
    "INSERT INTO bench_message"
    " (tenant_id, conversation_id, sender, body, content, client_id, created_at)"
    " VALUES (1, %s, 'visitor', %s, '{}', %s, now()) RETURNING id"
)

pool: AsyncConnectionPool | None = None
operators: dict[str, set] = defaultdict(set)


async def get_pool() -> AsyncConnectionPool:
    global pool
    if pool is None:
        pool = AsyncConnectionPool(DATABASE_URL, min_size=4, max_size=16, open=False)
        await pool.open()
    return pool


async def http(scope, receive, send) -> None:
    status, body = (200, b"ok") if scope["path"] == "/healthz" else (404, b"not found")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def websocket(scope, receive, send) -> None:
    path = scope["path"].strip("/").split("/")
    kind, room = path[0], (path[1] if len(path) > 1 else "")
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    if kind == "o":
        operators[room].add(send)
    try:
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            frame = json.loads(event.get("text") or event.get("bytes") or "{}")
            if frame.get("type") == "ping":
                await send({"type": "websocket.send", "text": '{"type": "pong"}'})
                continue
            if kind != "v":
                continue
            db = await get_pool()
            async with db.connection() as conn:
                row = await (
                    await conn.execute(INSERT, (int(room or 0), frame["body"], frame["client_id"]))
                ).fetchone()
            out = json.dumps(
                {
                    "type": "message",
                    "id": row[0],
                    "client_id": frame["client_id"],
                    "body": frame["body"],
                }
            )
            await send(
                {
                    "type": "websocket.send",
                    "text": json.dumps(
                        {"type": "ack", "id": row[0], "client_id": frame["client_id"]}
                    ),
                }
            )
            for operator in list(operators.get(room, ())):
                try:
                    await operator({"type": "websocket.send", "text": out})
                except Exception:
                    operators[room].discard(operator)
    finally:
        operators[room].discard(send)


async def application(scope, receive, send) -> None:
    if scope["type"] == "http":
        await http(scope, receive, send)
    elif scope["type"] == "websocket":
        await websocket(scope, receive, send)
    elif scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
