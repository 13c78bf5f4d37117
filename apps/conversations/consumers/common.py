"""What the live sockets share: the workspace scope around database calls, close codes and
the checks of frame fields."""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.translation import gettext as _
from django_scopes import scope

from apps.core import realtime
from apps.core.consumers import FrameError, JsonFrameConsumer
from apps.tenants.models import Tenant

CLOSE_BAD_HELLO = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN = 4404
CLOSE_RATE_LIMITED = 4429
TYPING_MIN_INTERVAL = 0.5
# The widget sends what the visitor types at most every 0.4 s (docs/widget-protocol.md).
VISITOR_TYPING_MIN_INTERVAL = 0.3
TYPING_PREVIEW_MAX_LENGTH = 1000
# How long a visitor socket trusts what it read about where its typing goes.
TYPING_TARGET_TTL = 5.0

logger = logging.getLogger(__name__)
PARALLEL_DB = not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def supported_language(value) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if isinstance(value, str) and value:
        base = value.split("-")[0].lower()
        if base in codes:
            return base
    return settings.LANGUAGE_CODE


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
        raise FrameError("invalid", _("%(field)s must be a list of ids.") % {"field": field})
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
        logger.warning("typing frame failed", exc_info=task.exception())


def header(scope_: dict, name: bytes) -> str:
    for key, value in scope_.get("headers", []):
        if key == name:
            return value.decode(errors="replace")
    return ""


class ScopedConsumer(JsonFrameConsumer):
    tenant: Tenant | None = None

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
