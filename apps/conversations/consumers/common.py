"""What the live sockets share: the workspace scope around database calls, close codes, the
limits of each frame type and the checks of frame fields."""

import asyncio
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.translation import gettext as _
from django_scopes import scope

from apps.core import realtime
from apps.core.consumers import FrameError, FrameLimit, JsonFrameConsumer
from apps.tenants.models import Tenant

CLOSE_BAD_HELLO = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN = 4404
TYPING_MIN_INTERVAL = 0.5
# The widget sends what the visitor types at most every 0.4 s (docs/widget-protocol.md).
VISITOR_TYPING_MIN_INTERVAL = 0.3
TYPING_PREVIEW_MAX_LENGTH = 1000
# How long a visitor socket trusts what it read about where its typing goes.
TYPING_TARGET_TTL = 5.0

# Every frame type of the three sockets (visitor, presence, inbox) and how many of it one socket
# may send: ``burst`` at once, then ``per_second``. Well above what the bundled chat window,
# loader and inbox send (docs/widget-protocol.md, "Limits"); a frame over it gets
# ``rate_limited``, and a socket far over it is closed (apps.core.consumers.ABUSE_FACTOR).
# Chat messages are also limited per visitor across sockets (CHAT_MESSAGES_PER_MINUTE).
FRAME_LIMITS: dict[str, FrameLimit] = {
    # both sides
    "ping": FrameLimit(burst=10, per_second=1),  # clients ping every 25-45 s
    "message": FrameLimit(burst=30, per_second=2),  # a reconnecting client resends its queue
    "typing": FrameLimit(burst=20, per_second=5),  # the widget sends at most ~3 a second
    "read": FrameLimit(burst=30, per_second=5),
    "delivered": FrameLimit(burst=30, per_second=5),
    # visitor and presence sockets
    "hello": FrameLimit(burst=5, per_second=0.2),  # once per socket
    "page": FrameLimit(burst=10, per_second=1),  # a page of the site: each one reaches operators
    "identify": FrameLimit(burst=10, per_second=0.2),
    "attributes": FrameLimit(burst=20, per_second=1),
    "resume": FrameLimit(burst=20, per_second=2),  # a page of 500 messages each
    # inbox socket
    "subscribe": FrameLimit(burst=60, per_second=10),  # keyboard navigation opens each row
    "unsubscribe": FrameLimit(burst=60, per_second=10),
    "contact_notes": FrameLimit(burst=60, per_second=10),  # with every conversation opened
    "list": FrameLimit(burst=30, per_second=5),
    "counts": FrameLimit(burst=20, per_second=2),  # the inbox asks at most once a second
    "resolve": FrameLimit(burst=30, per_second=3),
    "reopen": FrameLimit(burst=30, per_second=3),
    "status": FrameLimit(burst=30, per_second=3),
    "assign": FrameLimit(burst=30, per_second=3),
    "label": FrameLimit(burst=30, per_second=3),
    "note": FrameLimit(burst=20, per_second=1),
    "bulk": FrameLimit(burst=10, per_second=1),
    "label_create": FrameLimit(burst=10, per_second=0.5),
    "prefs": FrameLimit(burst=20, per_second=2),
    "presence": FrameLimit(burst=10, per_second=1),
    "contact_note_add": FrameLimit(burst=10, per_second=1),
    "contact_note_delete": FrameLimit(burst=10, per_second=1),
    "live_subscribe": FrameLimit(burst=10, per_second=1),  # again every minute
    "live_unsubscribe": FrameLimit(burst=10, per_second=1),
    "proactive_start": FrameLimit(burst=10, per_second=1),
}

logger = logging.getLogger(__name__)
PARALLEL_DB = not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def _spoken(value) -> str | None:
    """``value``'s language ("tr-TR" -> "tr") when Sohbet speaks it."""
    base = value.split("-")[0].lower() if isinstance(value, str) else ""
    return base if base in dict(settings.LANGUAGES) else None


def page_language(scope: dict) -> str | None:
    """The ``language`` a page put in its socket's address (``?language=tr``), when Sohbet
    speaks it: the socket then answers in the page's own language."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("language")
    return _spoken(values[0]) if values else None


def supported_language(value) -> str:
    return _spoken(value) or settings.LANGUAGE_CODE


def optional_int(frame: dict, field: str) -> int | None:
    value = frame.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FrameError(
            "invalid", _("%(field)s must be a message id.") % {"field": field}, field=field
        )
    return value


def id_list(frame: dict, field: str) -> list:
    value = frame.get(field, [])
    if not isinstance(value, list):
        raise FrameError(
            "invalid", _("%(field)s must be a list of ids.") % {"field": field}, field=field
        )
    return value


def optional_text(frame: dict, field: str, limit: int | None = None, *, name: str = "") -> str:
    """A text field that may be left out (or null), "" when it is; cut to ``limit`` characters
    (descriptive text, a page's title or a browser's language, is cut, not refused). ``name``:
    the field as the client knows it, when ``frame`` is an object inside the frame."""
    value = frame.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        name = name or field
        raise FrameError("invalid", _("%(field)s must be text.") % {"field": name}, field=name)
    return value[:limit] if limit is not None else value


def optional_bool(frame: dict, field: str) -> bool:
    value = frame.get(field, False)
    if not isinstance(value, bool):
        raise FrameError(
            "invalid", _("%(field)s must be true or false.") % {"field": field}, field=field
        )
    return value


def client_ip(scope_: dict) -> str:
    header = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    if header and header.startswith("HTTP_"):
        wanted = header[5:].lower().replace("_", "-").encode()
        for name, value in scope_.get("headers", []):
            if name == wanted:
                return value.decode(errors="replace").split(",")[0].strip()
    client = scope_.get("client") or ["unknown"]
    return str(client[0])


def log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("a socket's background task failed", exc_info=task.exception())


def header(scope_: dict, name: bytes) -> str:
    for key, value in scope_.get("headers", []):
        if key == name:
            return value.decode(errors="replace")
    return ""


class ScopedConsumer(JsonFrameConsumer):
    tenant: Tenant | None = None
    frame_limits = FRAME_LIMITS

    async def run(self, fn, /, **kwargs):
        """Run a sync function (a service or selector) in a worker thread, inside the scope."""

        def call():
            with scope(tenant=self.tenant):
                return fn(**kwargs)

        # Sockets' database work runs on a pool of threads (one connection each), so one slow
        # query or commit does not hold up every other socket of the process. SQLite (the local
        # run) keeps to one thread: it has one writer anyway. What it publishes goes out from
        # this loop (realtime.serving).
        realtime.serving()
        return await database_sync_to_async(call, thread_sensitive=not PARALLEL_DB)()
