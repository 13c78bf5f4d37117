"""One Redis connection pool per process for Django's Redis cache.

Django keeps one cache object per async context, and Channels runs each socket's database work
(``database_sync_to_async``) in a fresh copy of the socket's context: each such call that
touches the cache builds a new cache client, and with it, by default, a new connection pool and
a new TCP connection to Redis. The cache's documented ``pool_class`` option names this class,
whose ``from_url`` (redis-py's public constructor) hands out one shared pool per address and
options. redis-py's pools are thread-safe and reset themselves in a forked child.
"""

import threading

import redis

_pools: dict = {}
_lock = threading.Lock()


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **kwargs) -> redis.ConnectionPool:
        key = (url, repr(sorted(kwargs.items())))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = super().from_url(url, **kwargs)
            return pool
