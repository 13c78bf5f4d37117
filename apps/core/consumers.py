"""The shared shape of Sohbet's JSON WebSocket consumers.

Frames are JSON objects with a ``type``; ``frame_<type>`` handles each. Oversized, malformed and
unknown frames get an ``error`` frame and the socket stays open (docs/widget-protocol.md).
Handlers and the services they call raise ``apps.core.errors.Refusal`` subclasses for a refusal;
each becomes an error frame.
"""

import asyncio
import contextlib
import functools
import json
import logging
from typing import Any

import orjson
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core import realtime
from apps.core.errors import Refusal

logger = logging.getLogger(__name__)


CLOSE_RESYNC = 4012  # reconnect now and resume from the database (docs/widget-protocol.md)
PING = {"type": "ping"}
# A ping as the widget and the inbox send it (JSON.stringify) and as Python writes it.
PING_FRAMES = frozenset({json.dumps(PING), json.dumps(PING, separators=(",", ":"))})
PONG = json.dumps({"type": "pong"})


def encode(frame: dict) -> str:
    """A frame's JSON text: UTF-8 as is, no spaces; keys that are not strings (a number)
    written as strings, as ``json`` does. orjson takes a quarter of ``json.dumps``' time,
    and a chat message is encoded for several sockets (docs/performance.md, item 59)."""
    return orjson.dumps(frame, option=orjson.OPT_NON_STR_KEYS).decode()


_handler_names: dict[str, str] = {}  # message type -> handler name (get_handler_name)


class FrameError(Refusal):
    """A frame the socket refuses."""


class JsonFrameConsumer(AsyncWebsocketConsumer):
    language = "en"
    groups_joined: set[str]

    async def __call__(self, scope, receive, send):
        """Channels' ``AsyncConsumer.__call__`` with two changes.

        - A send on a connection the client has closed raises an OSError (ASGI; uvicorn's
          ClientDisconnected). The client's disconnect event is already queued behind it, and
          it must still run (presence, groups), so the frame is dropped quietly here instead of
          ending the consumer. Nothing is lost: what was stored is stored, and the client
          resumes from the database when it comes back.
        - Channels waits for the socket and the channel layer with ``asyncio.wait`` and a new
          task for every message; here each source has one task for the socket's life that
          hands its messages to ``dispatch`` one at a time (a lock, free when nobody waits).
          Same order and the same one-at-a-time handling, without a task and a wait per
          message: a chat message reaches about twelve sockets (docs/performance.md, item 34).
        """

        async def send_unless_gone(message):
            try:  # noqa: SIM105 (no context-manager object per frame: the hottest call)
                await send(message)
            except OSError:
                pass

        self.scope = scope
        self.base_send = send_unless_gone
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            realtime.serving()
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        one_at_a_time = asyncio.Lock()

        async def pump(source):
            while True:
                message = await source()
                async with one_at_a_time:
                    await self.dispatch(message)

        pumps = [asyncio.ensure_future(pump(source)) for source in sources]
        try:
            done, _pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()  # a pump ends only by raising: StopConsumer, or a bug
        except StopConsumer:
            pass
        finally:
            for task in pumps:
                task.cancel()
            for task in pumps:
                with contextlib.suppress(asyncio.CancelledError, StopConsumer):
                    await task

    async def dispatch(self, message):
        """Channels closes stale database connections before *every* message (a hop to the
        database thread, even for a ping). Ours do their database work through
        ``database_sync_to_async``, which does that itself, so skip it here."""
        kind = message.get("type")
        name = _handler_names.get(kind)
        if name is None:
            name = get_handler_name(message)
            if len(_handler_names) < 256:  # the server's and our own event types: a few dozen
                _handler_names[kind] = name
        handler = getattr(self, name, None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def layer_resync(self, event: dict) -> None:
        """The channel layer may have lost events (apps.core.layers): close so the client
        reconnects and resumes from the database."""
        await self.close(code=CLOSE_RESYNC)

    async def send_text(self, text: str) -> None:
        """One text frame, handed straight to the server: ``send`` goes through two more
        coroutines of Channels' for the same message, and most frames are deliveries (a chat
        message reaches about twelve sockets)."""
        await self.base_send({"type": "websocket.send", "text": text})

    async def send_frame(self, frame_type: str, **fields: Any) -> None:
        await self.send_text(encode({"type": frame_type, **fields}))

    async def send_shared(
        self, event: dict, frame_type: str, variant: str = "", **fields: Any
    ) -> None:
        """Send a frame that depends on ``event`` alone, never on this socket: the channel layer
        hands every socket of a group the same event (apps.core.layers), so the frame is
        encoded once per process and kept on the event. ``variant`` names which of several
        frames of one type, when sockets differ in what they may see of the event."""
        frames = event.get("_frames")
        if frames is None:
            frames = event["_frames"] = {}
        key = f"{type(self).__name__}.{frame_type}.{variant}"
        text = frames.get(key)
        if text is None:
            text = frames[key] = encode({"type": frame_type, **fields})
        await self.send_text(text)

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_frame("error", code=code, message=str(message), **extra)

    async def join(self, group: str) -> None:
        if not hasattr(self, "groups_joined"):
            self.groups_joined = set()
        if group in self.groups_joined:
            return
        for attempt in range(3):
            try:
                await self.channel_layer.group_add(group, self.channel_name)
                break
            except Exception:
                # A pooled connection to a Redis that restarted fails once; a fresh one works.
                # If the layer stays down, the socket fails and the client reconnects later.
                if attempt == 2:
                    raise
                logger.warning("joining %s failed; retrying", group, exc_info=True)
                await asyncio.sleep(0.2 * (attempt + 1))
        self.groups_joined.add(group)

    async def leave(self, group: str) -> None:
        if group in getattr(self, "groups_joined", set()):
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)

    async def leave_all(self) -> None:
        for group in list(getattr(self, "groups_joined", set())):
            try:
                await self.leave(group)
            except Exception:  # the layer may be down; its group entries expire on their own
                logger.warning("leaving %s failed", group, exc_info=True)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data in PING_FRAMES:
            # By far the commonest frame (every idle socket, every 25 s): no parsing, no
            # translation switch, a pong encoded once (B3's idle CPU, docs/performance.md).
            await self.frame_ping(PING)
            return
        with translation.override(self.language):
            raw = text_data if text_data is not None else bytes_data
            if raw is None:
                return
            limit = settings.CHAT_FRAME_MAX_BYTES
            if len(raw) * 4 > limit and len(raw.encode() if isinstance(raw, str) else raw) > limit:
                await self.send_error(
                    "frame_too_large",
                    _("A frame may be %(n)s bytes at most.") % {"n": settings.CHAT_FRAME_MAX_BYTES},
                )
                return
            try:
                frame = orjson.loads(raw)
            except ValueError:  # orjson's errors are ValueErrors, bad UTF-8 included
                await self.send_error("bad_frame", _("Frames must be JSON objects."))
                return
            if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                await self.send_error("bad_frame", _("Frames must be JSON objects with a type."))
                return
            handler = getattr(self, "frame_" + frame["type"].replace(".", "_"), None)
            if handler is None or frame["type"].startswith("_"):
                await self.send_error(
                    "bad_frame",
                    _("Unknown frame type “%(type)s”.") % {"type": frame["type"][:40]},
                )
                return
            try:
                await handler(frame)
            except Refusal as exc:  # a refusal becomes an error frame; the socket stays open
                extra = dict(exc.extra)
                for echo in ("client_id", "request"):  # so the client knows what was refused
                    if isinstance(frame.get(echo), str):
                        extra.setdefault(echo, frame[echo][:64])
                extra.setdefault("frame", frame["type"][:40])
                await self.send_error(exc.code, exc.message, **extra)
            except Exception:  # a bug: logged, and the client still gets an answer
                logger.exception("frame %s failed", frame["type"])
                await self.send_error("server_error", _("Something went wrong on our side."))

    async def frame_ping(self, frame: dict) -> None:
        await self.send_pong()

    async def send_pong(self) -> None:
        await self.send_text(PONG)
