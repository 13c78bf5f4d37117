"""The shared shape of Sohbet's JSON WebSocket consumers.

Frames are JSON objects with a ``type``; ``frame_<type>`` handles each. Oversized, malformed and
unknown frames, and frames holding text that cannot be stored (a NUL anywhere in them), get an
``error`` frame and the socket stays open (docs/widget-protocol.md). Handlers and the services
they call raise ``apps.core.errors.Refusal`` subclasses for a refusal; each becomes an error
frame.

Every frame type has a limit per socket (``JsonFrameConsumer.frame_limits``): a burst, then a
steady rate. A frame over it is dropped and answered with ``rate_limited``; a socket far over it
(``ABUSE_FACTOR`` times) is closed.
"""

import asyncio
import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import orjson
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.errors import Refusal
from apps.core.text import unstorable, unstorable_at

logger = logging.getLogger(__name__)

CLOSE_RATE_LIMITED = 4429
# A socket that keeps sending this many times its limit of a frame type is closed.
ABUSE_FACTOR = 10


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


def _refuse_unstorable(frame: dict) -> None:
    """Refuse a frame holding a NUL anywhere (in a value or a key, however deep)."""
    where = unstorable_at(frame)
    if where is None:
        return
    if not where:
        raise FrameError("invalid", _("A field name holds a character that is not allowed."))
    raise FrameError(
        "invalid",
        _("%(field)s holds a character that is not allowed.") % {"field": where[:100]},
        field=where[:100],
    )


@dataclass(frozen=True, slots=True)
class FrameLimit:
    """How many frames of one type a socket may send: ``burst`` at once, then ``per_second``."""

    burst: int
    per_second: float


class FrameAllowance:
    """One socket's allowance for one frame type (a token bucket of ``FrameLimit.burst``
    refilled at ``per_second``), and beside it a bucket ``ABUSE_FACTOR`` times larger and
    faster that every frame, refused or not, also draws on: a client that empties that one
    sends far more than any real client would."""

    __slots__ = ("abuse", "at", "tokens")

    def __init__(self, limit: FrameLimit, now: float) -> None:
        self.tokens = float(limit.burst)
        self.abuse = float(limit.burst * ABUSE_FACTOR)
        self.at = now

    def spend(self, limit: FrameLimit, now: float) -> float:
        """Take one frame: 0 when it may go; else the seconds until one may (``math.inf`` when
        the client is far over the limit)."""
        elapsed, self.at = now - self.at, now
        self.tokens = min(limit.burst, self.tokens + elapsed * limit.per_second)
        self.abuse = min(
            limit.burst * ABUSE_FACTOR, self.abuse + elapsed * limit.per_second * ABUSE_FACTOR
        )
        if self.abuse < 1:
            return math.inf
        self.abuse -= 1
        if self.tokens < 1:
            return (1 - self.tokens) / limit.per_second
        self.tokens -= 1
        return 0.0


class JsonFrameConsumer(AsyncWebsocketConsumer):
    language = "en"
    groups_joined: set[str]
    # Frame type -> its limit per socket; a subclass names every type it handles (a type
    # missing here has no limit). Off with the other rate limits (``RATELIMIT_ENABLE``).
    frame_limits: dict[str, FrameLimit] = {}
    allowances: dict[str, FrameAllowance] | None = None
    ended_for_abuse = False

    async def websocket_connect(self, message: dict) -> None:
        """A handshake whose path or headers hold a NUL (``/ws/widget/%00/``) is refused before
        anything reads them (HTTP 403)."""
        if unstorable(self.scope.get("path", "")) or any(
            b"\x00" in value for _name, value in self.scope.get("headers", [])
        ):
            await self.close()
            return
        await super().websocket_connect(message)

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

    def over_limit(self, frame_type: str) -> float:
        """Count one frame of ``frame_type`` against this socket's limit: 0 when it may go,
        else the seconds until one may (``math.inf``: far over, ``ABUSE_FACTOR``)."""
        limit = self.frame_limits.get(frame_type)
        if limit is None or not settings.RATELIMIT_ENABLE:
            return 0.0
        now = time.monotonic()
        if self.allowances is None:
            self.allowances = {}
        allowance = self.allowances.get(frame_type)
        if allowance is None:
            allowance = self.allowances[frame_type] = FrameAllowance(limit, now)
        return allowance.spend(limit, now)

    async def refuse_over_limit(self, frame: dict, wait: float) -> None:
        """The answer to a frame over its limit: ``rate_limited`` (the frame is dropped); far
        over it, the socket is closed too."""
        with translation.override(self.language):
            await self.send_error(
                "rate_limited",
                _("Too many “%(type)s” frames. Please wait a moment.") % {"type": frame["type"]},
                **_about(frame, {"retry_after": 60 if wait == math.inf else math.ceil(wait)}),
            )
        if wait == math.inf:
            logger.info("a socket sent far too many %s frames; closing it", frame["type"])
            self.ended_for_abuse = True
            await self.close(CLOSE_RATE_LIMITED)

    async def receive(self, text_data=None, bytes_data=None):
        if self.ended_for_abuse:
            return
        if text_data in PING_FRAMES:
            # By far the commonest frame (every idle socket, every 25 s): no parsing, no
            # translation switch, a pong encoded once (B3's idle CPU, docs/performance.md).
            wait = self.over_limit("ping")
            if wait:
                await self.refuse_over_limit(PING, wait)
            else:
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
                # (and lone surrogates: orjson refuses "\ud800" escapes that pair with nothing)
                await self.send_error("bad_frame", _("Frames must be JSON objects."))
                return
            if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                await self.send_error("bad_frame", _("Frames must be JSON objects with a type."))
                return
            handler = self.frame_handler(frame["type"])
            if handler is None:
                await self.send_error(
                    "bad_frame",
                    _("Unknown frame type “%(type)s”.") % {"type": frame["type"][:40]},
                )
                return
            wait = self.over_limit(frame["type"])
            if wait:
                await self.refuse_over_limit(frame, wait)
                return
            try:
                # JSON text can carry a NUL only as the escape \u0000 (raw control characters
                # are not JSON): most frames are spared the walk.
                if ("\\u0000" if isinstance(raw, str) else b"\\u0000") in raw:
                    _refuse_unstorable(frame)
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

    def frame_handler(self, frame_type: str):
        """The coroutine that handles a frame of ``frame_type`` (``frame_<type>``), or None: an
        unknown type. A socket that takes frames registered by other apps extends this."""
        if frame_type.startswith("_"):
            return None
        return getattr(self, "frame_" + frame_type.replace(".", "_"), None)

    async def frame_ping(self, frame: dict) -> None:
        await self.send_pong()

    async def send_pong(self) -> None:
        await self.send_text(PONG)
