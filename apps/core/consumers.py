"""The shared shape of Sohbet's JSON WebSocket consumers.

Frames are JSON objects with a ``type``; ``frame_<type>`` handles each. Oversized, malformed and
unknown frames get an ``error`` frame and the socket stays open (docs/widget-protocol.md).
Handlers and the services they call raise ``apps.core.errors.Refusal`` subclasses for a refusal;
each becomes an error frame.
"""

import asyncio
import json
import logging
from typing import Any

import orjson
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.errors import Refusal

logger = logging.getLogger(__name__)


PING = {"type": "ping"}
# A ping as the widget and the inbox send it (JSON.stringify) and as Python writes it.
PING_FRAMES = frozenset({json.dumps(PING), json.dumps(PING, separators=(",", ":"))})
PONG = json.dumps({"type": "pong"})


def encode(frame: dict) -> str:
    """A frame's JSON text: UTF-8 as is, no spaces; keys that are not strings (a number)
    written as strings, as ``json`` does. orjson takes a quarter of ``json.dumps``' time,
    and a chat message is encoded for several sockets."""
    return orjson.dumps(frame, option=orjson.OPT_NON_STR_KEYS).decode()


def _about(frame: dict, extra: dict) -> dict:
    """An error frame's fields that say what it answers: the frame's type, and its
    ``client_id`` or ``request`` (so the client knows which message or request failed)."""
    extra = dict(extra)
    for echo in ("client_id", "request"):
        if isinstance(frame.get(echo), str):
            extra.setdefault(echo, frame[echo][:64])
    extra.setdefault("frame", frame["type"][:40])
    return extra


class FrameError(Refusal):
    """A frame the socket refuses."""


class JsonFrameConsumer(AsyncWebsocketConsumer):
    language = "en"
    groups_joined: set[str]

    async def dispatch(self, message: dict) -> None:
        """Run the handler of ``message`` (a socket event or a group event). Channels' own
        ``dispatch`` first hops to the sync thread to close stale database connections, once
        for every event every socket gets; these consumers reach the database only through
        ``database_sync_to_async``, which closes them in the worker thread itself, so that
        hop (one per operator per message in a busy inbox) is left out."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send_text(self, text: str) -> None:
        """One text frame. A client that has gone meanwhile makes the server raise an OSError
        (ASGI: uvicorn's ``ClientDisconnected``); its disconnect event is queued behind, and
        must still run (presence, groups), so the frame is dropped quietly. Nothing is lost:
        what was stored is stored, and the client resumes from the database.

        A client that stops reading (its network stalls, a tab frozen in the background)
        makes the server wait before it can write more, and meanwhile everything published
        for this socket would wait in the process's memory. After
        ``SOCKET_SEND_STALL_SECONDS`` of that the socket is ended: the consumer disconnects
        (groups left, presence updated) and the server closes the connection once what it
        holds is written, without a close frame (code 1006), so the client resumes as after
        any drop (docs/widget-protocol.md)."""
        try:
            async with asyncio.timeout(settings.SOCKET_SEND_STALL_SECONDS):
                await self.send(text_data=text)
        except TimeoutError:  # before OSError, of which it is a kind
            logger.info("a socket's client stopped reading; ending it")
            await self.websocket_disconnect({"type": "websocket.disconnect", "code": 1006})
        except OSError:
            pass

    async def send_frame(self, frame_type: str, **fields: Any) -> None:
        await self.send_text(encode({"type": frame_type, **fields}))

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_frame("error", code=code, message=str(message), **extra)

    async def join(self, group: str) -> None:
        if not hasattr(self, "groups_joined"):
            self.groups_joined = set()
        if group in self.groups_joined:
            return
        await self.channel_layer.group_add(group, self.channel_name)
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
                await self.send_error(exc.code, exc.message, **_about(frame, exc.extra))
            except StopConsumer:  # the socket ended (send_text)
                raise
            except Exception:  # a bug: logged, and the client still gets an answer
                logger.exception("frame %s failed", frame["type"])
                await self.send_error(
                    "server_error", _("Something went wrong on our side."), **_about(frame, {})
                )

    async def frame_ping(self, frame: dict) -> None:
        await self.send_pong()

    async def send_pong(self) -> None:
        await self.send_text(PONG)
