"""WebSocket URL routes."""

from channels.security.websocket import WebsocketDenier
from django.urls import path, re_path

from apps.conversations.consumers.inbox import InboxConsumer
from apps.conversations.consumers.presence import PresenceConsumer
from apps.conversations.consumers.visitor import VisitorConsumer
from apps.core.websocket import SameOriginValidator, SocketAuthMiddlewareStack

websocket_urlpatterns: list = [
    # Served by Sohbet's own pages: the handshake must come from Sohbet's origin.
    path("ws/widget/<str:widget_key>/", SameOriginValidator(VisitorConsumer.as_asgi())),
    # Only the operator's socket reads Sohbet's session cookie: a visitor's sockets never load
    # a session or a user, even when an operator visits a customer's site (and every page view
    # is spared the objects).
    path(
        "ws/inbox/<slug:slug>/",
        SameOriginValidator(SocketAuthMiddlewareStack(InboxConsumer.as_asgi())),
    ),
    # The loader's socket on the customer's page: checked against the workspace's allowed
    # sites by the consumer.
    path("ws/presence/<str:widget_key>/", PresenceConsumer.as_asgi()),
    # Any other address (a mistyped slug, junk): refused (HTTP 403), not an error in the log.
    re_path(r"", WebsocketDenier.as_asgi()),
]
