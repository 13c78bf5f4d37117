"""Real-time publishing: the doorbell, never the source of truth.

Services call ``publish_on_commit`` inside their transaction; the event goes to the channel layer
only after the data is committed. If the channel layer is down the event is dropped and logged:
clients catch up from the database when they reconnect (DESIGN.md §4).
"""

import asyncio
import logging
import threading
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


# An event's key naming another group: those of the event's receivers that are also in it get
# the event before the others (apps.core.layers; other layers ignore it). A new message's inbox
# row names its conversation's group, so the operator who has the conversation open sees the
# message before ten list rows are written (docs/performance.md, item 55).
FIRST = "__first"


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


async def asend_many(items: list[tuple[str, dict[str, Any]]]) -> None:
    """Send events from the event loop; failures are logged (a doorbell: the database has the
    data)."""
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
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, event)
    except Exception:
        logger.warning("realtime publish to %s failed", group, exc_info=True)


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
