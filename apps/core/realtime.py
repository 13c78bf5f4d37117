"""Real-time publishing: the doorbell, never the source of truth.

Services call ``publish_on_commit`` inside their transaction; the event goes to the channel layer
only after the data is committed. If the channel layer is down the event is dropped and logged:
clients catch up from the database when they reconnect (DESIGN.md §4).
"""

import asyncio
import logging
import threading
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def group_conversation(conversation_id: int) -> str:
    return f"conv.{conversation_id}"


def group_inbox(tenant_id: int) -> str:
    return f"inbox.{tenant_id}"


def group_widget(tenant_id: int) -> str:
    return f"widget.{tenant_id}"


def group_visitor(visitor_id: int) -> str:
    return f"visitor.{visitor_id}"


def group_operator(tenant_id: int, user_id: int) -> str:
    return f"operator.{tenant_id}.{user_id}"


def group_user(user_id: int) -> str:
    return f"user.{user_id}"


def group_live_visitors(tenant_id: int) -> str:
    """Inbox sockets showing the workspace's live visitors (they join on ``live_subscribe``)."""
    return f"live.{tenant_id}"


def group_contact(visitor_id: int) -> str:
    """Inbox sockets looking at one contact's notes. Operators only: never a visitor's socket."""
    return f"contact.{visitor_id}"


def publish(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` (``{"type": "handler.name", ...}``) to every socket in ``group`` now."""
    publish_many([(group, event)])


class Handover:
    """Events published by a service that a consumer runs in a worker thread, handed back to
    the consumer's event loop (``ScopedConsumer.run``) instead of sent from the thread."""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []
        self.open = True
        self.lock = threading.Lock()

    def add(self, items: list) -> bool:
        with self.lock:
            if self.open:
                self.items.extend(items)
            return self.open

    def take(self) -> list:
        with self.lock:
            self.open = False
            items, self.items = self.items, []
        return items


_handover: ContextVar[Handover | None] = ContextVar("sohbet_realtime_handover", default=None)


@contextmanager
def handed_over(handover: Handover):
    """Inside: ``publish_many`` (and so every publish after commit) adds its events to
    ``handover`` while it is open, rather than hopping back to the event loop and waiting there
    for Redis; the caller on the loop sends them (``asend_many``) when the work is done."""
    token = _handover.set(handover)
    try:
        yield
    finally:
        _handover.reset(token)


async def run_handing_over(call):
    """Await ``call(handover)`` (work in a worker thread that runs inside
    ``handed_over(handover)``), then send the events it published, in order, even when it
    failed. If the wait is cancelled, the thread sends what it publishes from then on itself."""
    handover = Handover()
    try:
        return await call(handover)
    finally:
        items = handover.take()
        if items:
            await asend_many(items)


# --- rows: the latest state of many things, gathered under load --------------------------
#
# An event with ``ROWS`` (its value names the field that identifies a row) carries ``rows``, the
# latest state of some things, such as a workspace's inbox-list rows: in a busy workspace a
# visitor writes every few milliseconds, and each message's row goes to every operator's
# socket. A process that serves sockets sends the first such event to a group at once, and
# gathers the ones that follow within ``ROWS_WINDOW`` seconds into one event sent at the
# window's end: one row per thing (a later row's fields over an earlier one's), one delivery
# and one frame per socket instead of one per row. A list repaints at most that often per
# workspace, which nobody sees; the deliveries it saves are most of a message's under load
# (docs/performance.md, item 58). Any other event to the group sends the gathered rows first,
# so the events of a process keep their order.
ROWS = "__rows"
ROWS_WINDOW = 0.02


class _RowGatherer:
    """The rows waiting, per group, on one event loop that serves sockets."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.sent_at: dict[str, float] = {}  # group -> when its last rows went out
        self.waiting: dict[str, dict[str, Any]] = {}  # group -> the event gathering its rows
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.sending: set[asyncio.Task] = set()
        self.pruned_at = 0.0

    def take(self, items: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
        """Of ``items``, what goes out now, in order; rows that wait are kept."""
        now = self.loop.time()
        out = []
        for group, event in items:
            key = event.get(ROWS)
            if key is None:
                if group in self.waiting:
                    out.append((group, self._release(group, now)))
                out.append((group, event))
                continue
            waiting = self.waiting.get(group)
            if waiting is not None:
                _merge_rows(waiting, event, key)
                continue
            due = self.sent_at.get(group, -ROWS_WINDOW) + ROWS_WINDOW
            if now >= due:
                self.sent_at[group] = now
                out.append((group, event))
                continue
            self.waiting[group] = {**event, "rows": list(event["rows"])}
            self.timers[group] = self.loop.call_at(due, self._due, group)
        if len(self.sent_at) > 4096 and now - self.pruned_at > ROWS_WINDOW:
            # A group quiet for a window needs no memory of its last rows.
            self.pruned_at = now
            for quiet in [g for g, at in self.sent_at.items() if at < now - ROWS_WINDOW]:
                del self.sent_at[quiet]
        return out

    def _release(self, group: str, now: float) -> dict[str, Any]:
        timer = self.timers.pop(group, None)
        if timer is not None:
            timer.cancel()
        self.sent_at[group] = now
        return self.waiting.pop(group)

    def _due(self, group: str) -> None:
        # The rows stay waiting until the task runs: an event sent before then, from the
        # loop's other callbacks, takes them out first (``take``) and so keeps its place.
        self.timers.pop(group, None)
        task = self.loop.create_task(self._send_waiting(group))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def _send_waiting(self, group: str) -> None:
        if group in self.waiting:
            await _send_now([(group, self._release(group, self.loop.time()))])


def _merge_rows(into: dict[str, Any], event: dict[str, Any], key: str) -> None:
    rows = into["rows"]
    for row in event["rows"]:
        for i, held in enumerate(rows):
            if held[key] == row[key]:
                rows[i] = {**held, **row}
                break
        else:
            rows.append(row)


_gatherers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _RowGatherer]" = (
    weakref.WeakKeyDictionary()
)


def serving() -> None:
    """Called by every socket's consumer: this event loop serves sockets and lives as long as
    the server, so rows published on it may wait for their window. Elsewhere (a worker's
    short-lived loop, a script) they go out at once."""
    loop = asyncio.get_running_loop()
    if loop not in _gatherers:
        _gatherers[loop] = _RowGatherer(loop)


async def asend_many(items: list[tuple[str, dict[str, Any]]]) -> None:
    """Send events from the event loop; failures are logged (a doorbell: the database has the
    data). Rows may wait for their window (``ROWS``)."""
    gatherer = _gatherers.get(asyncio.get_running_loop())
    if gatherer is not None:
        items = gatherer.take(items)
    await _send_now(items)


async def _send_now(items: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None or not items:
        return
    many = getattr(layer, "group_send_many", None)
    if many is not None and len(items) > 1:  # one round trip (apps.core.layers)
        try:
            await many(items)
        except Exception as exc:
            logger.warning("realtime publish to %s failed: %r", [g for g, _e in items], exc)
        return
    results = await asyncio.gather(
        *(layer.group_send(group, event) for group, event in items), return_exceptions=True
    )
    for (group, _event), result in zip(items, results, strict=True):
        if isinstance(result, BaseException):
            logger.warning("realtime publish to %s failed: %r", group, result)


def publish_many(items: list[tuple[str, dict[str, Any]]]) -> None:
    """Send several events in one hop to the event loop (they go out concurrently); inside
    ``handed_over``, hand them to the waiting loop instead."""
    if not items:
        return
    handover = _handover.get()
    if handover is not None and handover.add(items):
        return
    if get_channel_layer() is None:
        return

    def send() -> None:
        try:
            async_to_sync(asend_many)(items)
        except Exception:
            logger.warning("realtime publish failed", exc_info=True)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send()
    else:
        # Sync code running under an event loop in this thread (a sync caller inside an async
        # framework, e.g. a test driving a browser): async_to_sync cannot run here.
        worker = threading.Thread(target=send)
        worker.start()
        worker.join()


async def apublish(group: str, event: dict[str, Any]) -> None:
    await asend_many([(group, event)])


@contextmanager
def gathered():
    """Outside a transaction (after a statement that committed by itself): the
    ``publish_on_commit`` calls made inside are sent together at the end, in one hop."""
    connection = transaction.get_connection()
    items: list = []
    connection._sohbet_gathered = items
    try:
        yield
    finally:
        connection._sohbet_gathered = None
    publish_many(items)


class _Batch:
    """Events published one after another at one savepoint depth of a transaction, sent by one
    ``on_commit`` callback (``flush``)."""

    __slots__ = ("flush", "items", "where")

    def __init__(self, where: tuple, items: list) -> None:
        self.where = where
        self.items = items
        self.flush = None


def _still_registered(connection, flush) -> bool:
    """Django drops a transaction's (or a savepoint's) callbacks when it rolls back, and clears
    the list when it commits: a batch is reusable only while its callback is still waiting."""
    return any(entry[1] is flush for entry in reversed(connection.run_on_commit))


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Publish after the current transaction commits; nothing when it (or the savepoint the
    event was published in) rolls back. Consecutive events of one transaction are gathered and
    sent together, in one hop to the event loop."""
    if _handover.get() is not None and asyncio._get_running_loop() is not None:
        # On the event loop, after one of its own statements (apps.core.adb), which committed
        # by itself: no Django transaction runs here, and Django's connection is not to be
        # touched (asgiref keeps one per socket's context). Handed over now, in order.
        publish_many([(group, event)])
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        items = getattr(connection, "_sohbet_gathered", None)
        if items is not None:
            items.append((group, event))
        else:
            publish(group, event)
        return
    # The batch is reused only by the same transaction, at the same savepoint depth, while its
    # callback is still registered. Not by identity of the atomic block: a decorator's block is
    # one object for every call, and a finished block's id can be given to the next one.
    where = tuple(connection.savepoint_ids)
    batch = getattr(connection, "_sohbet_pending_events", None)
    if batch is None or batch.where != where or not _still_registered(connection, batch.flush):
        batch = connection._sohbet_pending_events = _Batch(where, [])

        def flush(batch=batch) -> None:
            if getattr(connection, "_sohbet_pending_events", None) is batch:
                connection._sohbet_pending_events = None
            publish_many(batch.items)

        batch.flush = flush
        transaction.on_commit(flush)
    batch.items.append((group, event))
