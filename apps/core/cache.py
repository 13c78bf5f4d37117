"""Django's Redis cache with one client, and so one connection pool, per process.

Django keeps one cache object per async context, and Channels runs each socket's database work
(``database_sync_to_async``) in a fresh copy of the socket's context: every such call that
touched the cache built a new client, a new pool and a new TCP connection to Redis, and dropped
it afterwards. That was one Redis connection per visitor hello and, with rate limits on, per chat
message (docs/performance.md, item 17). The cache objects stay per context; the client behind
them is shared, keyed by its servers and options. redis-py's pools are thread-safe and reset
themselves in a forked child.
"""

import threading

from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property

_clients: dict = {}
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())), self._class)
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
        return client
