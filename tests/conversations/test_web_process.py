"""The web process as deployed (``python -m config.serve``): the server settings a visitor or an
operator would notice (config/serve.py says why each is set)."""

import contextlib
import json
import signal
import socket
import time
import uuid
from urllib.request import urlopen

import pytest
from django_scopes import scopes_disabled
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Origin
from websockets.uri import parse_uri

from apps.visitors.models import VisitorPresence
from tests.conversations.conftest import VisitorClient
from tests.factories import TenantFactory
from tests.live import asgi_servers, start_server


@pytest.fixture
def tenant(transactional_db):
    return TenantFactory()


def test_sockets_stay_uncompressed_and_a_huge_frame_closes_only_its_own_socket(server, tenant):
    visitor = VisitorClient(server, tenant.widget_key)
    # The client offered permessage-deflate, as browsers do; the server declines it, so an idle
    # page view keeps no compression state.
    assert visitor.conn.response.headers.get("Sec-WebSocket-Extensions") is None
    token = visitor.hello()["visitor"]["token"]
    visitor.say("before the flood")

    neighbour = VisitorClient(server, tenant.widget_key)
    neighbour.hello()
    with contextlib.suppress(ConnectionClosed):  # the server may close while it is sent
        visitor.send_raw("x" * (2 << 20))  # 2 MiB: over the server's 1 MiB limit
    # 1009 "message too big", or no close frame when the server's close overtook the upload.
    assert visitor.closed_with() in (1009, None)

    # Everyone else goes on, and what was accepted before is still there.
    neighbour.say("still here")
    back = VisitorClient(server, tenant.widget_key).hello(token=token)
    assert [m["body"] for m in back["messages"]] == ["before the flood"]


def test_a_client_cannot_claim_another_address_and_the_server_does_not_name_itself(tenant):
    with asgi_servers(
        1,
        RATELIMIT_ENABLE="1",
        CHAT_NEW_VISITORS_PER_IP_PER_HOUR="1",
        CACHE_KEY_PREFIX=uuid.uuid4().hex,
    ) as (server,):
        VisitorClient(server, tenant.widget_key).hello()
        # Another "address" claimed in headers is still the same TCP peer: limited.
        forged = {"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}
        liar = VisitorClient(server, tenant.widget_key, headers=forged)
        liar.send("hello", token=None, last_id=None)
        assert liar.expect("error")["code"] == "rate_limited"

        with urlopen(f"{server.url}/healthz", timeout=5) as response:  # noqa: S310 (loopback)
            assert response.status == 200
            assert response.headers.get("Server") is None


def test_a_stopping_server_closes_sockets_as_a_restart_and_exits(tenant):
    server = start_server()
    try:
        visitor = VisitorClient(server, tenant.widget_key)
        visitor.hello()
        visitor.say("just before the deploy")
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        # 1012 "service restart": the chat window reconnects (to another process) and resumes.
        assert visitor.closed_with(timeout=10) == 1012
        server.process.wait(timeout=15)
        assert time.monotonic() - started < 15
    finally:
        server.stop()


class BareSocket:
    """A WebSocket client that shows protocol frames, pings included, and answers nothing by
    itself (websockets' sans-I/O protocol over a plain socket: a pong it queues is sent only
    with the next frame this client sends)."""

    def __init__(self, url: str, origin: str):
        uri = parse_uri(url)
        self.protocol = ClientProtocol(uri, origin=Origin(origin))
        self.sock = socket.create_connection((uri.host, uri.port), timeout=5)
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        self.frames: list[Frame] = []
        self.closed = False
        while not any(isinstance(e, Response) for e in self._read(5)):
            pass

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)

    def _read(self, timeout: float) -> list:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return []
        if not data:
            self.closed = True
            self.protocol.receive_eof()
        else:
            self.protocol.receive_data(data)
        events = self.protocol.events_received()
        self.frames += [e for e in events if isinstance(e, Frame)]
        return events

    def send_json(self, **frame) -> None:
        self.protocol.send_text(json.dumps(frame).encode())
        self._flush()

    def read_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.closed and (left := deadline - time.monotonic()) > 0:
            self._read(left)

    def count(self, opcode: Opcode) -> int:
        return sum(1 for f in self.frames if f.opcode is opcode)


def test_the_server_pings_only_silent_sockets_and_drops_those_that_never_answer(tenant):
    """Scaled down to a 1 s interval and a 1 s timeout (as deployed: 50 s and 30 s)."""
    with asgi_servers(1, WS_PING_INTERVAL_S="1", WS_PING_TIMEOUT_S="1") as (server,):
        url = f"{server.ws}/ws/widget/{tenant.widget_key}/"
        chatty, silent = BareSocket(url, server.url), BareSocket(url, server.url)
        for client in (chatty, silent):
            client.send_json(type="hello", token=None, last_id=None, language="en")

        # A client that keeps talking (the chat window pings every 25 s) is never pinged.
        started = time.monotonic()
        while time.monotonic() - started < 3.5:
            chatty.send_json(type="ping")
            chatty.read_for(0.3)
        assert chatty.count(Opcode.PING) == 0
        assert not chatty.closed
        assert any(b'"pong"' in f.data for f in chatty.frames if f.opcode is Opcode.TEXT)

        # One that went quiet was pinged, and, never answering, dropped (1011).
        silent.read_for(3)
        assert silent.count(Opcode.PING) >= 1
        closing = [f for f in silent.frames if f.opcode is Opcode.CLOSE]
        assert silent.closed or closing
        assert closing and int.from_bytes(closing[0].data[:2], "big") == 1011


def test_a_visitor_who_leaves_before_the_answer_is_not_left_online(server, tenant):
    """The page closes right after its socket said hello: the server's answer finds the socket
    gone (ASGI: the send raises), and the visitor must still be counted as gone."""
    url = f"{server.ws}/ws/widget/{tenant.widget_key}/"
    for _ in range(3):
        leaving = BareSocket(url, server.url)
        leaving.send_json(type="hello", token=None, last_id=None, language="en")
        leaving.sock.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with scopes_disabled():
            presences = list(VisitorPresence.objects.values_list("connections", flat=True))
        if len(presences) == 3 and not any(presences):
            break
        time.sleep(0.2)
    assert len(presences) == 3 and not any(presences), presences
    log = server.log.read_text()
    assert "Traceback" not in log, log[-3000:]
