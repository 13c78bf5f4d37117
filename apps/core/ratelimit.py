"""Fixed-window counters in the cache, for limits outside Django views (sockets, services)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache, caches

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
# through its asyncio client, one round trip, no worker thread; any other cache (in-process, the
# local run) through ``hit`` and ``unhit``, as it does no I/O.


async def ahit(key: str, *, limit: int, window: int) -> tuple[bool, int]:
    """``hit`` from the event loop."""
    backend = caches["default"]
    if not isinstance(backend, SharedRedisCache):
        return hit(key, limit=limit, window=window)
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return True, 0
    now = int(time.time())
    name = backend.make_and_validate_key(_window_key(key, window, now))
    try:
        async with backend.async_client().pipeline(transaction=False) as pipe:
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
    backend = caches["default"]
    if not isinstance(backend, SharedRedisCache):
        unhit(key, window=window)
        return
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    name = backend.make_and_validate_key(_window_key(key, window, int(time.time())))
    try:
        client = backend.async_client()
        if await client.exists(name):  # a window that just turned keeps its count
            await client.decr(name)
    except Exception:  # the cache is down: nothing to take back
        return
