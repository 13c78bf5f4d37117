"""Real-time publishing: the doorbell, never the source of truth.

Services call ``publish_on_commit`` inside their transaction; the event goes to the channel layer
only after the data is committed. If the channel layer is down the event is dropped and logged:
clients catch up from the database when they reconnect (DESIGN.md §4).
"""

import asyncio
import logging
import threading
from contextlib import contextmanager
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


def publish_many(items: list[tuple[str, dict[str, Any]]]) -> None:
    """Send several events in one hop to the event loop (they go out concurrently)."""
    layer = get_channel_layer()
    if layer is None or not items:
        return

    async def send_all() -> None:
        many = getattr(layer, "group_send_many", None)
        if many is not None and len(items) > 1:  # one round trip (apps.core.layers)
            try:
                await many(items)
            except Exception as exc:  # a doorbell; the database has the data
                logger.warning("realtime publish to %s failed: %r", [g for g, _e in items], exc)
            return
        results = await asyncio.gather(
            *(layer.group_send(group, event) for group, event in items), return_exceptions=True
        )
        for (group, _event), result in zip(items, results, strict=True):
            if isinstance(result, BaseException):  # a doorbell; the database has the data
                logger.warning("realtime publish to %s failed: %r", group, result)

    def send() -> None:
        try:
            async_to_sync(send_all)()
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


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Publish after the current transaction commits. Events of one transaction are gathered
    and sent together, in one hop to the event loop."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        items = getattr(connection, "_sohbet_gathered", None)
        if items is not None:
            items.append((group, event))
        else:
            publish(group, event)
        return
    # One list per outermost transaction; a list left by a rolled-back one is dropped.
    outer = id(connection.atomic_blocks[0])
    pending = getattr(connection, "_sohbet_pending_events", None)
    if pending is None or pending[0] != outer:
        pending = connection._sohbet_pending_events = (outer, [])

        def flush(items=pending[1]) -> None:
            if getattr(connection, "_sohbet_pending_events", None) is not None and (
                connection._sohbet_pending_events[1] is items
            ):
                connection._sohbet_pending_events = None
            publish_many(items)

        transaction.on_commit(flush)
    pending[1].append((group, event))
