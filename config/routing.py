"""WebSocket URL routes. Each app with consumers appends its routes here."""

websocket_urlpatterns: list = []
