"""The pub/sub channel layer, made to say when it may have lost events.

``channels_redis``' ``RedisPubSubChannelLayer`` keeps sockets open through a Redis outage and
reconnects by itself, but whatever was published meanwhile is gone and nobody is told. Our
sockets already resume from the database (``hello`` with ``last_id``, ``subscribe`` with
``after_id``), so the one missing piece is a signal: when this process's subscriber connection
comes back after an error, every socket of the process gets a ``layer.resync`` event and closes
with 4012; clients reconnect at once and fetch what they missed.

It also sends the events of one transaction in one Redis round trip (``group_send_many``, a
pipeline of ``PUBLISH`` commands per shard) instead of one locked round trip per group, and
decodes a group event once per process instead of once per socket: the sockets of a group get
the same dict, which handlers treat as read-only (``JsonFrameConsumer.send_shared`` keeps the
encoded frame on it, so ten operators' inbox updates cost one ``json.dumps``).

A socket's own channel stays in this process: Channels gives every consumer a channel name,
and the pub/sub layer subscribes each name in Redis, one ``SUBSCRIBE`` when a socket opens
and one ``UNSUBSCRIBE`` when it closes, so that another process could ``send`` to it. Sohbet
never does: every event goes to a group (``apps.core.realtime``), and a name is never stored
for later. So a new channel is a local queue only, and a ``send`` to one of this process's
channels goes straight to its queue. A ``send`` to any other name is still published through
Redis, and ``receive`` on a name that is not local still subscribes to it. This saves two Redis
commands on every socket's opening and closing: a page view's presence socket is the busiest
kind (docs/performance.md, item 39).

A group's sockets in the publishing process get its events at once, from the publisher
(``group_send_many``), not back from Redis: each event is still published, for the other
processes, and carries its publisher's origin (a random id per event loop's layer), by which
the publisher's own subscriber drops the copy Redis sends back. A chat message's operators in
the visitor's process no longer wait for the round trip through Redis, and the process no
longer decodes its own events a second time (docs/performance.md, item 55). Phoenix's PubSub
delivers the same way: local subscribers directly, the other nodes through the adapter.

This uses private parts of channels_redis (``RedisSingleShardConnection._do_receiving``, its
lock and client), so the version is pinned in pyproject.toml; tests/conversations/
test_resilience.py and tests/core/test_layers.py fail if an upgrade changes them.
"""

import asyncio
import logging
import os
import uuid
from collections import defaultdict

import hiredis
import msgpack
import redis.asyncio
import redis.exceptions
from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)

logger = logging.getLogger(__name__)

RESYNC_EVENT = {"type": "layer.resync"}
ORIGIN = "__origin"  # the key of a group event's publisher (the first key of the map)
_ORIGIN_KEY = msgpack.packb(ORIGIN)


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
                    if message is not None:
                        await self._receive_buffered()
                else:
                    await asyncio.sleep(0.1)
            except (TimeoutError, asyncio.CancelledError, GeneratorExit):
                raise
            except Exception:
                if not broken:
                    logger.warning("channel layer: lost Redis; events may be lost", exc_info=True)
                broken = True
                await asyncio.sleep(0.5)

    async def _receive_buffered(self) -> None:
        """The messages that came in with the last read, already parsed by hiredis, taken
        straight from its reader: redis-py's way to each (``get_message``: a health check, a
        retry wrapper, a timeout context, its metrics hook and a dict) cost the layer about as
        much as the delivery. A chat message's events arrive together (one pipeline), and
        under load many more. Anything but a plain message goes the usual way."""
        connection = self._pubsub.connection if self._pubsub else None
        reader = getattr(getattr(connection, "_parser", None), "_reader", None)
        if not isinstance(reader, hiredis.Reader):
            return
        while True:
            reply = reader.gets()
            if reply is False or type(reply) is object:  # no whole reply left (redis-py's
                return  # reader says so with a plain object() of its own)
            if isinstance(reply, Exception):
                raise reply  # as redis-py would: the receiving loop reconnects and resyncs
            if type(reply) is list and len(reply) == 3 and reply[0] == b"message":
                self._receive_message({"channel": reply[1], "data": reply[2]})
            else:
                self._receive_message(
                    await self._pubsub.handle_message(reply, ignore_subscribe_messages=True)
                )

    def _receive_message(self, message) -> None:
        if message is None:
            return
        local = self.channel_layer
        data = message["data"]
        if type(data) is bytes and local.is_own(data):
            return  # delivered here when it was published (group_send_many)
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        receivers = local.groups.get(name)
        if name in local.channels or not receivers or len(receivers) == 1:
            super()._receive_message(message)
            return
        local.hand_to(receivers, local.channel_layer.deserialize(data))  # decoded once

    # --- publishing: one pipeline for whatever waits ---------------------------------------
    _outbox: list | None = None
    _drainer: asyncio.Task | None = None

    async def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        """``PUBLISH`` each ``(channel, data)``, in order. Events handed in while a pipeline
        is on its way wait and then go out together in the next one, still in the order they
        were handed in: under load, one round trip carries the events of several chat
        messages (docs/performance.md, item 42). Returns once they are sent; raises what
        sending them raised."""
        done = asyncio.get_running_loop().create_future()
        if self._outbox is None:
            self._outbox = []
        self._outbox.append((messages, done))
        if self._drainer is None:
            self._drainer = asyncio.ensure_future(self._drain())
        await done

    async def _drain(self) -> None:
        try:
            while self._outbox:
                batch, self._outbox = self._outbox, []
                try:
                    async with self._lock:
                        self._ensure_redis()
                        await self._publish(
                            [
                                (channel, data)
                                for messages, _done in batch
                                for channel, data in messages
                            ]
                        )
                except BaseException as exc:
                    failure = exc
                else:
                    failure = None
                for _messages, done in batch:
                    if not done.done():
                        if failure is None:
                            done.set_result(None)
                        else:
                            done.set_exception(failure)
                if failure is not None and not isinstance(failure, Exception):
                    raise failure  # cancelled (the loop is closing), or the process is ending
        finally:
            self._drainer = None
            for _messages, done in self._outbox or ():
                if not done.done():
                    done.cancel()
            self._outbox = None

    # The publishing connection: a connection of the shard's pool's kind held by the shard and
    # used under its lock, without the per-read timeout the pool's connections have (for the
    # subscriber's blocking reads); one deadline covers a whole pipeline instead. redis-py's
    # own pipeline (a retry wrapper, a metrics hook and a timeout context per reply) cost more
    # CPU than the rest of the publishing (docs/performance.md, item 59).
    _publisher = None

    def _publishing_connection(self):
        if self._publisher is None:
            pool = self._redis.connection_pool
            if type(pool) is not redis.asyncio.ConnectionPool:
                return None  # a sentinel's pool: its connections find their master themselves
            kwargs = {**pool.connection_kwargs, "socket_timeout": None}
            self._publish_deadline = pool.connection_kwargs.get("socket_timeout") or 15
            self._publisher = pool.connection_class(**kwargs)
        return self._publisher

    async def _publish(self, messages: list[tuple[str, bytes]]) -> None:
        """``PUBLISH`` each ``(channel, data)`` in one round trip. A connection found broken
        (Redis restarted since its last use) is replaced once, as redis-py's retry does."""
        for attempt in (1, 2):
            connection = self._publishing_connection()
            if connection is None:
                pipe = self._redis.pipeline(transaction=False)
                for channel, data in messages:
                    pipe.publish(channel, data)
                await pipe.execute()
                return
            try:
                async with asyncio.timeout(self._publish_deadline):
                    await connection.send_packed_command(
                        connection.pack_commands([("PUBLISH", c, d) for c, d in messages]),
                        check_health=False,
                    )
                    for _message in messages:
                        await connection.read_response()
                return
            except TimeoutError:
                # The deadline (an OSError too): not sent again, Redis may have them already.
                await connection.disconnect(nowait=True)
                raise
            except (redis.exceptions.ConnectionError, OSError):
                await connection.disconnect(nowait=True)
                if attempt == 2:
                    raise
            except BaseException:
                # A cancellation or an error reply: replies may be left unread.
                await connection.disconnect(nowait=True)
                raise

    async def flush(self):
        await super().flush()
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            await publisher.disconnect(nowait=True)

    def _tell_every_local_socket(self) -> None:
        loop_layer = self.channel_layer
        data = loop_layer.channel_layer.serialize(RESYNC_EVENT)
        for queue in list(loop_layer.channels.values()):
            queue.put_nowait(data)


class _LocalChannelsLoopLayer(RedisPubSubLoopLayer):
    origin: bytes = b""  # empty: every event goes through Redis
    _mark: bytes = b""

    def set_origin(self, serializer) -> None:
        """A random id for the events this layer publishes, and the bytes it starts them with
        after the map's header (one byte below 16 keys, three from 16). Not with an encrypting
        or prefixing serializer (Sohbet configures neither): the bytes would not show it, so
        events then all go through Redis, as channels_redis sends them."""
        if serializer.crypter or serializer.random_prefix_length:
            return
        self.origin = os.urandom(12)
        self._mark = _ORIGIN_KEY + msgpack.packb(self.origin)

    def is_own(self, data: bytes) -> bool:
        """Whether ``data`` is an event this layer published (and so already delivered)."""
        mark = self._mark
        if not mark:
            return False
        return data.startswith(mark, 1) or (data[:1] == b"\xde" and data.startswith(mark, 3))

    def hand_to(self, receivers, event: dict) -> None:
        """Put one decoded group event into the queues of ``receivers`` (channel names); every
        member gets the same dict, which handlers treat as read-only."""
        for channel_name in receivers:
            queue = self.channels.get(channel_name)
            if queue is not None:
                queue.put_nowait(event)

    def deliver_here(self, group_channel: str, data: bytes) -> None:
        """Hand a group event published as ``data`` to this process's members of the group,
        decoded once, as the subscriber does for the events of other processes, so that each
        member gets what Redis would have carried."""
        receivers = self.groups.get(group_channel)
        if receivers:
            self.hand_to(receivers, self.channel_layer.deserialize(data))

    async def new_channel(self, prefix="specific."):
        channel = f"{self.prefix}{prefix}{uuid.uuid4().hex}"
        self.channels[channel] = asyncio.Queue()
        return channel

    async def send(self, channel, message):
        queue = self.channels.get(channel)
        if queue is None:
            await super().send(channel, message)
            return
        # Encoded as Redis would carry it: the receiver gets its own copy.
        queue.put_nowait(self.channel_layer.serialize(message))


class ResyncingPubSubChannelLayer(RedisPubSubChannelLayer):
    def deserialize(self, message):
        if isinstance(message, dict):  # decoded once for its group (_ResyncingShard)
            return message
        event = super().deserialize(message)
        if type(event) is dict:
            event.pop(ORIGIN, None)
        return event

    async def group_send_many(self, items: list[tuple[str, dict]]) -> None:
        """``group_send`` each ``(group, message)``, in order: this process's members of the
        group get it now, the others' through Redis, with one pipelined round trip per shard
        (the layer publishes one at a time under a lock otherwise), shared with whatever else
        waits to be published (``_ResyncingShard.publish_many``). A failed publish raises
        after the local members have their events."""
        layer = self._get_layer()
        by_shard: dict = defaultdict(list)
        for group, message in items:
            channel = layer._get_group_channel_name(group)
            if layer.origin:
                data = self.serialize({ORIGIN: layer.origin, **message})
                layer.deliver_here(channel, data)
            else:  # an encrypting or prefixing serializer: every member through Redis
                data = self.serialize(message)
            by_shard[layer._get_shard(channel)].append((channel, data))
        for shard, messages in by_shard.items():
            await shard.publish_many(messages)

    # The calls of every delivery, made directly: channels_redis reaches its per-loop layer
    # through ``__getattr__``, a ``functools.partial`` and a proxy coroutine on each call.

    async def receive(self, channel):
        return await self._get_layer().receive(channel)

    async def group_send(self, group, message):
        # Through the same outbox as group_send_many: the events of a process leave in the
        # order they were published, whichever of the two published them.
        await self.group_send_many([(group, message)])

    _last: tuple | None = None  # (loop, its layer), the one asked for last

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        last = self._last
        if last is not None and last[0] is loop:
            return last[1]
        layer = super()._get_layer()
        if type(layer) is RedisPubSubLoopLayer:
            layer.__class__ = _LocalChannelsLoopLayer
            layer.set_origin(self._serializer)
        for shard in layer._shards:
            if type(shard) is RedisSingleShardConnection:
                shard.__class__ = _ResyncingShard
        # Kept until another loop asks: a loop's layer lives as long as the loop
        # (channels_redis drops it when the loop closes, and a closed loop asks no more).
        self._last = (loop, layer)
        return layer
