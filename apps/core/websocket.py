"""WebSocket handshake guard: only pages served by Sohbet itself may open its sockets.

The chat window (iframe and hosted page) and the inbox are both served from Sohbet's origin, so
the browser's ``Origin`` must name the very host the socket was opened on. Anything else
(another site, a missing Origin) is refused before the socket is accepted. ``config.routing``
wraps those two routes; the loader's presence socket, which the customer's page opens, checks
the workspace's allowed sites in its consumer instead.

``SocketAuthMiddlewareStack`` gives the inbox's socket its operator (session and user).
"""

from importlib import import_module
from urllib.parse import urlsplit

from channels.auth import AuthMiddleware
from channels.security.websocket import WebsocketDenier
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.http.request import validate_host

from apps.core.text import unstorable


class SocketSessionMiddleware:
    """The Django session named by the request's cookie, as ``scope["session"]``, for a
    WebSocket.

    Channels' ``SessionMiddleware`` also wraps ``send`` so that an HTTP response saves a
    modified session and sets its cookie. A socket sends no HTTP response, yet the wrapper
    looked at the session (through a lazy proxy) on every frame the socket sent: ten of a
    chat message's twelve frames go to inbox sockets. Here the
    session is loaded once, lazily, as Django loads it, and ``send`` is left alone. Nothing on
    the inbox's socket writes to the session."""

    def __init__(self, inner):
        self.inner = inner
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope, receive, send):
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        if key and unstorable(key):  # a quoted cookie can carry one ("\\000"): no session
            key = None
        return await self.inner(dict(scope, session=self.store(key)), receive, send)


def SocketAuthMiddlewareStack(inner):
    """Channels' ``AuthMiddlewareStack`` with ``SocketSessionMiddleware``."""
    return CookieMiddleware(SocketSessionMiddleware(AuthMiddleware(inner)))


class SameOriginValidator:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not self.allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)

    @staticmethod
    def allowed(scope) -> bool:
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode(errors="replace")
        host = headers.get(b"host", b"").decode(errors="replace").lower()
        if not origin or not host:
            return False
        parsed = urlsplit(origin)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return False
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not validate_host(hostname, settings.ALLOWED_HOSTS):
            return False
        return parsed.netloc.lower() == host
