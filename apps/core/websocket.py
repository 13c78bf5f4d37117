"""WebSocket handshake guard: only pages served by Sohbet itself may open its sockets.

The chat window (iframe and hosted page) and the inbox are both served from Sohbet's origin, so
the browser's ``Origin`` must name the very host the socket was opened on. Anything else
(another site, a missing Origin) is refused before the socket is accepted. The one exception is
the loader's presence socket (``PresenceConsumer``), which the customer's page opens.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host


class SameOriginValidator:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not self.allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)

    # The loader's presence socket is opened by the customer's page: its consumer checks the
    # Origin against the workspace's allowed sites instead (it carries no cookies and no text).
    CROSS_SITE_PREFIXES = ("/ws/presence/",)

    @classmethod
    def allowed(cls, scope) -> bool:
        if scope.get("path", "").startswith(cls.CROSS_SITE_PREFIXES):
            return True
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
