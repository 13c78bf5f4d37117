"""The stack's floor: the baseline's work done the way Sohbet's stack does it.

The same endpoints and frames as ``bench/baseline.py`` (``/v/<n>``, ``/o/<n>``, ``/healthz``),
but built on the parts Sohbet is built on: Channels' ``AsyncWebsocketConsumer`` under the same
ASGI server, the configured channel layer (Redis), and Django's database connection through
``database_sync_to_async`` on the same thread pool Sohbet uses. For one message: accept it,
insert the row (one autocommit ``INSERT``, the baseline's statement), acknowledge it and
``group_send`` it to the conversation's operators through the layer. No sessions, tenancy,
encryption, search index or inbox list.

Sohbet's figures divided by these say what Sohbet's own code costs; these divided by the
baseline's say what Channels, the layer and Django's database access cost before any of it.
"""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

django_app = get_asgi_application()

from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import path  # noqa: E402

from bench.baseline import INSERT  # noqa: E402


def insert(room: int, body: str, client_id: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [room, body, client_id])
        return cursor.fetchone()[0]


class Visitor(AsyncWebsocketConsumer):
    async def connect(self):
        self.room = int(self.scope["url_route"]["kwargs"]["room"])
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data or bytes_data or "{}")
        if frame.get("type") == "ping":
            await self.send('{"type": "pong"}')
            return
        row = await database_sync_to_async(insert, thread_sensitive=False)(
            self.room, frame["body"], frame["client_id"]
        )
        await self.send(json.dumps({"type": "ack", "id": row, "client_id": frame["client_id"]}))
        message = {"type": "message", "id": row, "client_id": frame["client_id"]}
        message["body"] = frame["body"]
        await self.channel_layer.group_send(
            f"floor.{self.room}", {"type": "chat.message", "message": message}
        )


class Operator(AsyncWebsocketConsumer):
    async def connect(self):
        self.group = f"floor.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def chat_message(self, event):
        await self.send(json.dumps(event["message"]))


application = ProtocolTypeRouter(
    {
        "http": django_app,  # /healthz is Sohbet's own
        "websocket": URLRouter(
            [path("v/<int:room>", Visitor.as_asgi()), path("o/<int:room>", Operator.as_asgi())]
        ),
    }
)
