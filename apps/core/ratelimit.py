"""Fixed-window counters in the cache, for limits outside Django views (sockets, services)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

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
    try:
        return cache.incr(full_key)
    except ValueError:  # the window's first hit
        if cache.add(full_key, 1, timeout=window + 1):
            return 1
        return cache.incr(full_key)  # another process counted the first meanwhile


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
