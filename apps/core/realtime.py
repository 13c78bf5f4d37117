"""Real-time publishing: the doorbell, never the source of truth.

Services call ``publish_on_commit`` inside their transaction; the event goes to the channel layer
only after the data is committed (Django's ``transaction.on_commit``). If the channel layer is
down the event is dropped and logged: clients learn from the heartbeat's latest id that they
missed something and fetch it from the database (DESIGN.md §4, docs/widget-protocol.md).
"""

import asyncio
import collections
import logging
import threading
import weakref
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


# The event loop of the socket whose work runs in this worker thread (``serving``): events
# published there are handed to that loop's publisher instead of waiting for Redis here.
_serving_loop: ContextVar[asyncio.AbstractEventLoop | None] = ContextVar(
    "sohbet_serving_loop", default=None
)


def serving() -> None:
    """Called on a socket's event loop before its work goes to a worker thread: what that work
    publishes is sent from this loop, in order, by one task (``_Publisher``)."""
    _serving_loop.set(asyncio.get_running_loop())


class _Publisher:
    """Sends what worker threads hand over to one event loop, in the order handed, with one
    task at a time (so two messages' doorbells never overtake each other)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: collections.deque = collections.deque()
        self.sending = False

    def hand(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        self.loop.call_soon_threadsafe(self._add, items)

    def _add(self, items) -> None:
        self.pending.append(items)
        if not self.sending:
            self.sending = True
            self.loop.create_task(self._send())

    async def _send(self) -> None:
        try:
            while self.pending:
                await asend_many(self.pending.popleft())
        finally:
            self.sending = False


_publishers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Publisher]" = (
    weakref.WeakKeyDictionary()
)
_publishers_lock = threading.Lock()


def _publisher(loop: asyncio.AbstractEventLoop) -> _Publisher:
    with _publishers_lock:
        publisher = _publishers.get(loop)
        if publisher is None:
            publisher = _publishers[loop] = _Publisher(loop)
        return publisher


def publish_many(items: list[tuple[str, dict[str, Any]]]) -> None:
    """Send several events, in order, from sync code (a service, a task). In a socket's worker
    thread they are handed to the socket's event loop and go out from there; elsewhere they
    are sent before this returns."""
    if not items or get_channel_layer() is None:
        return
    loop = _serving_loop.get()
    if loop is not None and not loop.is_closed():
        _publisher(loop).hand(list(items))
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


async def asend_many(items: list[tuple[str, dict[str, Any]]]) -> None:
    """Send events from the event loop, in order; failures are logged (a doorbell: the database
    has the data)."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, event in items:
        try:
            await layer.group_send(group, event)
        except Exception as exc:
            logger.warning("realtime publish to %s failed: %r", group, exc)


async def apublish(group: str, event: dict[str, Any]) -> None:
    await asend_many([(group, event)])


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Publish after the current transaction commits (at once outside one); nothing when it, or
    the savepoint the event was published in, rolls back."""
    transaction.on_commit(lambda: publish(group, event), robust=True)
