"""Readiness checks for load balancers: database, channel layer and Celery broker."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from celery import current_app
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings
from django.db import connection

CHECK_TIMEOUT_SECONDS = 2.0


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


async def _channel_layer_roundtrip() -> None:
    """One event out through the layer's backend and back, by a group send. A layer instance
    of its own: the process's layer receives on the server's event loop, and this check runs
    on another one."""
    if get_channel_layer() is None:
        raise RuntimeError("no channel layer configured")
    layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    channel = await layer.new_channel("healthz.")
    group = f"healthz.{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    try:
        await asyncio.wait_for(layer.group_add(group, channel), CHECK_TIMEOUT_SECONDS)
        await asyncio.wait_for(
            layer.group_send(group, {"type": "healthz", "token": token}), CHECK_TIMEOUT_SECONDS
        )
        message = await asyncio.wait_for(layer.receive(channel), CHECK_TIMEOUT_SECONDS)
    finally:
        await layer.group_discard(group, channel)
        if hasattr(layer, "close_pools"):
            await layer.close_pools()
    if message.get("token") != token:
        raise RuntimeError("channel layer returned a different message")


def check_channel_layer() -> str:
    async_to_sync(_channel_layer_roundtrip)()
    return "ok"


def check_broker() -> str:
    app = current_app  # the project's Celery app (config/celery.py), without importing config
    if app.conf.task_always_eager:
        return "in-process"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
    return "ok"


CHECKS = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


def run_checks() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:
            healthy = False
            detail = str(exc) if settings.DEBUG else exc.__class__.__name__
            results[name] = f"error: {detail}"[:300]
    return healthy, results
