"""Real-time publishing: the doorbell, never the source of truth.

Services call ``publish_on_commit`` inside their transaction; the event goes to the channel layer
only after the data is committed. If the channel layer is down the event is dropped and logged:
clients catch up from the database when they reconnect (DESIGN.md §4).
"""

import asyncio
import logging
import threading
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


def publish(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` (``{"type": "handler.name", ...}``) to every socket in ``group`` now."""
    layer = get_channel_layer()
    if layer is None:
        return

    def send() -> None:
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception:  # the layer is a doorbell; the database already has the data
            logger.warning("realtime publish to %s failed", group, exc_info=True)

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


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: publish(group, event))
