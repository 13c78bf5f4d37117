"""Fixed-window counters in the cache, for limits outside Django views (sockets, services)."""

import asyncio
import logging
import time
import weakref

from django.conf import settings
from django.core.cache import cache, caches
from redis import asyncio as aioredis

from apps.core.cache import SharedRedisCache

logger = logging.getLogger(__name__)


def hit(key: str, *, limit: int, window: int) -> tuple[bool, int]:
    """Count one hit on ``key``; return (allowed, seconds until the window resets)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return True, 0
    now = int(time.time())
    try:
        count = _count(_window_key(key, window, now), window)
    except Exception:
        # The cache (Redis) is down: a visitor's message matters more than the limit. Fail open.
        logger.warning("rate limit %s not counted: cache unavailable", key, exc_info=True)
        return True, 0
    retry_after = window - (now % window)
    return count <= limit, retry_after


def _window_key(key: str, window: int, now: int) -> str:
    return f"rl:{key}:{now // window}"


def _count(full_key: str, window: int) -> int:
    if cache.add(full_key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.add(full_key, 1, timeout=window + 1)
        return 1


def unhit(key: str, *, window: int) -> None:
    """Take back one hit on ``key`` counted in the current window (the caller counted before it
    knew the hit should not count). Best effort: a window that just turned keeps its count."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    try:
        cache.decr(_window_key(key, window, int(time.time())))
    except Exception:  # gone or expired, or the cache is down: nothing to take back
        return


# --- From the event loop ---------------------------------------------------------------------
# The same counters, for a socket's hot path that runs on the event loop (apps.core.adb): Redis
# through its asyncio client, one round trip, no worker thread; an in-process cache (the local
# run) is called directly, as it does no I/O.

_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]" = (
    weakref.WeakKeyDictionary()
)


def _async_client(backend) -> aioredis.Redis | None:
    if not isinstance(backend, SharedRedisCache):
        return None
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = _clients[loop] = aioredis.Redis.from_url(backend._servers[0])
    return client


async def ahit(key: str, *, limit: int, window: int) -> tuple[bool, int]:
    """``hit`` from the event loop."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return True, 0
    now = int(time.time())
    full_key = _window_key(key, window, now)
    backend = caches["default"]
    try:
        client = _async_client(backend)
        if client is None:
            count = _count(full_key, window)
        else:
            name = backend.make_and_validate_key(full_key)
            async with client.pipeline(transaction=False) as pipe:
                # As ``add`` then ``incr``: the window's first hit sets the expiry.
                pipe.incr(name)
                pipe.expire(name, window + 1, nx=True)
                count, _set = await pipe.execute()
    except Exception:
        logger.warning("rate limit %s not counted: cache unavailable", key, exc_info=True)
        return True, 0
    return count <= limit, window - (now % window)


async def aunhit(key: str, *, window: int) -> None:
    """``unhit`` from the event loop."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    full_key = _window_key(key, window, int(time.time()))
    backend = caches["default"]
    try:
        client = _async_client(backend)
        if client is None:
            backend.decr(full_key)
        else:
            name = backend.make_and_validate_key(full_key)
            if await client.exists(name):  # a window that just turned keeps its count
                await client.decr(name)
    except Exception:
        return


async def aclose() -> None:
    """Close this event loop's Redis client (tests; a process's clients go with it)."""
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
