"""WebSocket URL routes."""

from django.urls import path

from apps.conversations.consumers import InboxConsumer, PresenceConsumer, VisitorConsumer

websocket_urlpatterns: list = [
    path("ws/widget/<str:widget_key>/", VisitorConsumer.as_asgi()),
    path("ws/inbox/<slug:slug>/", InboxConsumer.as_asgi()),
    # The loader's socket on the customer's page: checked against the workspace's allowed
    # sites by the consumer, not by the same-origin rule (apps.core.websocket).
    path("ws/presence/<str:widget_key>/", PresenceConsumer.as_asgi()),
]
