"""The Redis channel layer, kept alive through a Redis outage.

channels-redis' ``RedisPubSubChannelLayer`` carries the events: one ``PUBLISH`` per group event,
one subscription per group and process, which hands each event to the process's sockets in the
group. It is wrapped here through its public methods only (composition, no subclass), so that a
socket outlives a Redis outage:

- ``new_channel`` that cannot reach Redis still gives the socket its channel: a socket's events
  all come through its groups, which the process delivers locally;
- ``receive`` waits for Redis instead of failing the socket's consumer;
- ``group_add`` that fails is remembered, and every membership of this process's channels is
  added again once Redis answers (a Redis that restarted knows none of them).

Events published while Redis is down are lost; they are doorbells only. The database has the
data, and clients learn from the heartbeat (the ``pong``'s newest id) that they missed
something and fetch it (docs/widget-protocol.md, "When parts fail").
"""

import asyncio
import logging
import uuid
from collections import defaultdict

from channels.layers import BaseChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)
RETRY_FIRST, RETRY_MAX = 0.1, 2.0


class PatientRedisChannelLayer(BaseChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(self, *, prefix: str = "asgi", expiry: int = 60, **config) -> None:
        super().__init__(expiry=expiry)
        self.prefix = prefix
        self.inner = RedisPubSubChannelLayer(prefix=prefix, **config)
        self.memberships: dict[str, set[str]] = defaultdict(set)  # channel -> its groups
        self.unreachable = False
        self.recovering: asyncio.Task | None = None

    async def new_channel(self, prefix: str = "specific.") -> str:
        try:
            return await self.inner.new_channel(prefix)
        except UNREACHABLE as exc:
            self._lost(exc)
            return f"{self.prefix}{prefix}{uuid.uuid4().hex}"

    async def receive(self, channel: str) -> dict:
        delay = RETRY_FIRST
        while True:
            try:
                return await self.inner.receive(channel)
            except UNREACHABLE as exc:
                self._lost(exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)

    async def send(self, channel: str, message: dict) -> None:
        await self.inner.send(channel, message)

    async def group_send(self, group: str, message: dict) -> None:
        await self.inner.group_send(group, message)

    async def group_add(self, group: str, channel: str) -> None:
        self.memberships[channel].add(group)
        try:
            await self.inner.group_add(group, channel)
        except UNREACHABLE as exc:
            self._lost(exc)  # added when Redis is back (``_recover``)

    async def group_discard(self, group: str, channel: str) -> None:
        groups = self.memberships.get(channel)
        if groups is not None:
            groups.discard(group)
            if not groups:
                del self.memberships[channel]
        try:
            await self.inner.group_discard(group, channel)
        except UNREACHABLE as exc:
            self._lost(exc)

    async def flush(self) -> None:
        self.memberships.clear()
        await self.inner.flush()

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
                        await self.inner.group_add(group, channel)
            except UNREACHABLE:
                continue
            self.unreachable = False
            rejoined = len(self.memberships)
            logger.warning("channel layer: Redis is back; %s channels rejoined", rejoined)
            return
