"""WebSocket URL routes."""

from django.urls import path

from apps.conversations.consumers import InboxConsumer, VisitorConsumer

websocket_urlpatterns: list = [
    path("ws/widget/<str:widget_key>/", VisitorConsumer.as_asgi()),
    path("ws/inbox/<slug:slug>/", InboxConsumer.as_asgi()),
]
