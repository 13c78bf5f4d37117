"""Socket clients for the live-chat tests: real websockets against a real web process."""

import json
import uuid

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.live import asgi_servers


class Socket:
    def __init__(
        self,
        url: str,
        origin: str,
        cookie: str | None = None,
        headers: dict | None = None,
        connect_options: dict | None = None,
    ):
        # Like a browser, the client offers permessage-deflate (websockets' default).
        headers = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
        options = {"additional_headers": headers, "open_timeout": 10, **(connect_options or {})}
        self._cm = connect(url, origin=origin, **options)
        self.conn = self._cm.__enter__()
        self.seen: list[dict] = []
        self.raw: list[dict] = []  # the frames as they came, ``conversations`` whole

    def send(self, type_: str, **fields) -> None:
        self.conn.send(json.dumps({"type": type_, **fields}))

    def send_raw(self, data) -> None:
        self.conn.send(data)

    def recv(self, timeout: float = 5) -> dict:
        """The next frame (``raw`` keeps every frame as received)."""
        frame = json.loads(self.conn.recv(timeout=timeout))
        self.raw.append(frame)
        self.seen.append(frame)
        return frame

    def expect(self, type_: str, timeout: float = 5, **match) -> dict:
        """The next frame of ``type_`` whose fields match; other frames are kept in ``seen``."""
        while True:
            frame = self.recv(timeout)
            if frame["type"] == type_ and all(frame.get(k) == v for k, v in match.items()):
                return frame

    def take(self, type_: str, timeout: float = 5, **match) -> dict:
        """Like ``expect``, but frames that arrived earlier (in any order) count too; each
        frame is taken once."""
        taken = getattr(self, "_taken", set())
        self._taken = taken
        for index, frame in enumerate(self.seen):
            if (
                index not in taken
                and frame["type"] == type_
                and all(frame.get(k) == v for k, v in match.items())
            ):
                taken.add(index)
                return frame
        frame = self.expect(type_, timeout, **match)
        taken.add(len(self.seen) - 1)
        return frame

    def expect_message(self, timeout: float = 5, **match) -> dict:
        """The next ``message`` frame whose message matches ``match`` (e.g. sender="operator")."""
        while True:
            frame = self.expect("message", timeout)
            if all(frame["message"].get(k) == v for k, v in match.items()):
                return frame["message"]

    def nothing(self, timeout: float = 0.5, type_: str | None = None) -> bool:
        """True when no frame (of ``type_``) arrives within ``timeout``."""
        try:
            while True:
                frame = self.recv(timeout)
                if type_ is None or frame["type"] == type_:
                    return False
        except TimeoutError:
            return True

    def closed_with(self, timeout: float = 5) -> int | None:
        try:
            while True:
                self.recv(timeout)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None

    def close(self) -> None:
        self.conn.close()


class VisitorClient(Socket):
    def __init__(self, server, widget_key: str, **kwargs):
        super().__init__(f"{server.ws}/ws/widget/{widget_key}/", origin=server.url, **kwargs)

    def hello(self, token=None, last_id=None, **extra) -> dict:
        self.send("hello", token=token, last_id=last_id, language="en", timezone="UTC", **extra)
        return self.expect("ready")

    def say(self, body: str, client_id: str | None = None) -> dict:
        client_id = client_id or uuid.uuid4().hex
        self.send("message", client_id=client_id, body=body)
        return self.expect("ack", client_id=client_id)

    def catch_up(self, known: int) -> list[dict]:
        """What a client does with the heartbeat (docs/widget-protocol.md, client duties): a
        ``pong`` naming a newer message than ``known`` is followed by ``resume`` pages."""
        self.send("ping")
        newest = self.expect("pong")["last_id"]
        fetched: list[dict] = []
        while newest > known:
            self.send("resume", last_id=known)
            page = self.expect("messages")
            fetched += page["messages"]
            known = max([known] + [m["id"] for m in page["messages"]])
            if not page["more"]:
                break
        return fetched


class OperatorClient(Socket):
    def __init__(self, server, slug: str, session_key: str | None):
        cookie = f"sessionid={session_key}" if session_key else None
        super().__init__(f"{server.ws}/ws/inbox/{slug}/", origin=server.url, cookie=cookie)

    def reply(self, number: int, body: str, client_id: str | None = None) -> dict:
        client_id = client_id or uuid.uuid4().hex
        self.send("message", conversation=number, client_id=client_id, body=body)
        return self.expect("ack", client_id=client_id)

    def catch_up(self, number: int, known: int) -> list[dict]:
        """The heartbeat names the newest message of the open conversation; a newer one than
        ``known`` means subscribing again after it."""
        self.send("ping")
        pong = self.expect("pong", conversation=number)
        if pong["last_id"] <= known:
            return []
        self.send("subscribe", conversation=number, after_id=known)
        return self.expect("history", conversation=number)["messages"]

    def listed(self, **filters) -> list[dict]:
        """The first page of the inbox list under ``filters``, as the inbox asks for it."""
        request = uuid.uuid4().hex[:12]
        self.send("list", request=request, filters=filters)
        return self.expect("list", request=request)["conversations"]


def session_for(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.fixture
def server(transactional_db):
    with asgi_servers(1) as servers:
        yield servers[0]
