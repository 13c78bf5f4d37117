"""The Redis channel layer, kept alive through a Redis outage.

channels-redis' ``RedisChannelLayer`` (lists and sorted sets; bounded per-channel queues) as it
is, with three of its public methods made patient, so that a socket outlives a Redis outage:

- ``receive`` waits for Redis to come back instead of failing the socket's consumer;
- ``group_add`` that fails is remembered and done when Redis answers again;
- when Redis answers again after a failure, every group membership of this process's live
  channels is added again: a Redis that restarted empty knows none of them.

Events published while Redis is down are lost; they are doorbells only. The database has the
data, and clients learn from the heartbeat (the ``pong``'s newest id) that they missed
something and fetch it (docs/widget-protocol.md, "When parts fail").
"""

import asyncio
import logging
from collections import defaultdict

from channels_redis.core import RedisChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)
RETRY_FIRST, RETRY_MAX = 0.1, 2.0


class PatientRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.memberships: dict[str, set[str]] = defaultdict(set)  # channel -> its groups
        self.unreachable = False
        self.recovering: asyncio.Task | None = None

    async def receive(self, channel: str) -> dict:
        delay = RETRY_FIRST
        while True:
            try:
                return await super().receive(channel)
            except UNREACHABLE as exc:
                self._lost(exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)

    async def group_add(self, group: str, channel: str) -> None:
        self.memberships[channel].add(group)
        try:
            await super().group_add(group, channel)
        except UNREACHABLE as exc:
            self._lost(exc)  # added when Redis is back (``_recover``)

    async def group_discard(self, group: str, channel: str) -> None:
        groups = self.memberships.get(channel)
        if groups is not None:
            groups.discard(group)
            if not groups:
                del self.memberships[channel]
        try:
            await super().group_discard(group, channel)
        except UNREACHABLE as exc:
            self._lost(exc)  # the entry expires in Redis by itself (group_expiry)

    def _lost(self, exc: BaseException) -> None:
        if not self.unreachable:
            logger.warning("channel layer: Redis unreachable (%r); waiting for it", exc)
        self.unreachable = True
        if self.recovering is None or self.recovering.done():
            self.recovering = asyncio.get_running_loop().create_task(self._recover())

    async def _recover(self) -> None:
        """Once Redis answers again, add back every membership of this process's channels."""
        delay = RETRY_FIRST
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)
            try:
                for channel, groups in list(self.memberships.items()):
                    for group in list(groups):
                        await super().group_add(group, channel)
            except UNREACHABLE:
                continue
            self.unreachable = False
            logger.warning(
                "channel layer: Redis is back; %s channels rejoined", len(self.memberships)
            )
            return
