"""The Redis cache shares one connection pool per process (apps.core.cache)."""

import asyncio

import pytest
import redis
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache

from tests.utils import run

pytestmark = pytest.mark.redis


def _connections_received() -> int:
    return redis.Redis.from_url(settings.REDIS_URL).info("stats")["total_connections_received"]


def test_sockets_database_work_reuses_redis_connections():
    """Each socket's database work runs in its own copy of the socket's context, where Django
    builds a new cache object; 40 of them touching the cache must not open 40 connections."""

    def touch(i: int) -> int | None:
        cache.set(f"test-shared-{i}", i, 5)
        return cache.get(f"test-shared-{i}")

    async def sockets():
        # One task per "socket", each with its own context, as Channels runs consumers.
        return await asyncio.gather(
            *(database_sync_to_async(touch, thread_sensitive=False)(i) for i in range(40))
        )

    run(sockets())  # the pool's connections exist now
    before = _connections_received()
    assert run(sockets()) == list(range(40))
    opened = _connections_received() - before - 1  # minus the INFO client's own
    assert opened <= 2, f"{opened} new Redis connections for 40 cache calls"
