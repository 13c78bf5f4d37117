"""The pub/sub channel layer, made to say when it may have lost events.

``channels_redis``' ``RedisPubSubChannelLayer`` keeps sockets open through a Redis outage and
reconnects by itself, but whatever was published meanwhile is gone and nobody is told. Our
sockets already resume from the database (``hello`` with ``last_id``, ``subscribe`` with
``after_id``), so the one missing piece is a signal: when this process's subscriber connection
comes back after an error, every socket of the process gets a ``layer.resync`` event and closes
with 4012; clients reconnect at once and fetch what they missed.

This hooks one private method of channels_redis (``RedisSingleShardConnection._do_receiving``),
so the version is pinned in pyproject.toml; tests/conversations/test_resilience.py fails if an
upgrade changes it.
"""

import asyncio
import logging

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisSingleShardConnection

logger = logging.getLogger(__name__)

RESYNC_EVENT = {"type": "layer.resync"}


class _ResyncingShard(RedisSingleShardConnection):
    async def _do_receiving(self):
        broken = False
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    if broken:
                        broken = False
                        logger.warning("channel layer: Redis is back; local sockets resync")
                        self._tell_every_local_socket()
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (TimeoutError, asyncio.CancelledError, GeneratorExit):
                raise
            except Exception:
                if not broken:
                    logger.warning("channel layer: lost Redis; events may be lost", exc_info=True)
                broken = True
                await asyncio.sleep(0.5)

    def _tell_every_local_socket(self) -> None:
        loop_layer = self.channel_layer
        data = loop_layer.channel_layer.serialize(RESYNC_EVENT)
        for queue in list(loop_layer.channels.values()):
            queue.put_nowait(data)


class ResyncingPubSubChannelLayer(RedisPubSubChannelLayer):
    def _get_layer(self):
        layer = super()._get_layer()
        for shard in layer._shards:
            if type(shard) is RedisSingleShardConnection:
                shard.__class__ = _ResyncingShard
        return layer
