"""Fixed-window counters in the cache, for limits outside Django views (sockets, services)."""

import time

from django.conf import settings
from django.core.cache import cache


def hit(key: str, *, limit: int, window: int) -> tuple[bool, int]:
    """Count one hit on ``key``; return (allowed, seconds until the window resets)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return True, 0
    now = int(time.time())
    bucket = now // window
    full_key = f"rl:{key}:{bucket}"
    if cache.add(full_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(full_key)
        except ValueError:  # expired between add and incr
            cache.add(full_key, 1, timeout=window + 1)
            count = 1
    retry_after = window - (now % window)
    return count <= limit, retry_after
