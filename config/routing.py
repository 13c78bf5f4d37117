"""WebSocket URL routes."""

from django.urls import path

from apps.conversations.consumers import InboxConsumer, PresenceConsumer, VisitorConsumer
from apps.core.websocket import SameOriginValidator

websocket_urlpatterns: list = [
    # Served by Sohbet's own pages: the handshake must come from Sohbet's origin.
    path("ws/widget/<str:widget_key>/", SameOriginValidator(VisitorConsumer.as_asgi())),
    path("ws/inbox/<slug:slug>/", SameOriginValidator(InboxConsumer.as_asgi())),
    # The loader's socket on the customer's page: checked against the workspace's allowed
    # sites by the consumer.
    path("ws/presence/<str:widget_key>/", PresenceConsumer.as_asgi()),
]
