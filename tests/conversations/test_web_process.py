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
from tests.utils import wait_for


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
    """A WebSocket client that shows protocol frames, pings included (websockets' sans-I/O
    protocol over a plain socket). It answers the server's pings while ``answer_pings``."""

    answer_pings = True

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
        if self.answer_pings and not self.closed:
            self._flush()  # the pongs the protocol queued
        return events

    def send_json(self, **frame) -> None:
        self.protocol.send_text(json.dumps(frame).encode())
        self._flush()

    def read_once(self, timeout: float) -> None:
        """Read what arrives within ``timeout`` (answering pings while ``answer_pings``)."""
        self._read(timeout)

    def count(self, opcode: Opcode) -> int:
        return sum(1 for f in self.frames if f.opcode is opcode)


def test_the_server_drops_sockets_that_never_answer_its_pings(tenant):
    """Scaled down to a 1 s interval and a 1 s timeout (as deployed: 50 s and 30 s)."""
    with asgi_servers(1, WS_PING_INTERVAL_S="1", WS_PING_TIMEOUT_S="1") as (server,):
        url = f"{server.ws}/ws/widget/{tenant.widget_key}/"
        answering, silent = BareSocket(url, server.url), BareSocket(url, server.url)
        for client in (answering, silent):
            client.send_json(type="hello", token=None, last_id=None, language="en")
        silent.answer_pings = False

        # A client that answers the server's pings stays; one that never does is dropped
        # (1011, keepalive ping timeout). Both are read together (the answering one answers
        # as it reads) until the silent one is gone and the answering one has answered pings
        # for longer than that took.
        def silent_dropped_and_answering_outlived_it() -> bool:
            for client in (answering, silent):
                if not client.closed:
                    client.read_once(0.05)
            silent_gone = silent.closed or silent.count(Opcode.CLOSE) > 0
            return silent_gone and answering.count(Opcode.PING) >= 3

        wait_for(silent_dropped_and_answering_outlived_it, timeout=15)
        assert not answering.closed
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

    def all_gone():
        """three visitors, none of them online"""
        with scopes_disabled():
            presences = list(VisitorPresence.objects.values_list("connections", flat=True))
        return len(presences) == 3 and not any(presences)

    wait_for(all_gone, timeout=10)
    log = server.log.read_text()
    assert "Traceback" not in log, log[-3000:]


def test_on_the_embedded_defaults_a_snoozed_conversation_wakes_live_in_the_open_inbox(tenant):
    """No Redis, no Celery beat (the README's run command): the web process runs the periodic
    jobs itself, so what they change reaches its own sockets (an in-memory channel layer)."""
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scope

    from apps.conversations import services
    from apps.conversations.models import Conversation
    from apps.tenants.models import Role
    from apps.visitors.models import Visitor
    from tests.conversations.conftest import OperatorClient, session_for
    from tests.factories import member

    with scope(tenant=tenant):
        admin = member(tenant, Role.ADMIN, full_name="Ayşe")
        visitor = Visitor.objects.create(tenant=tenant)
        conversation = services.message_create(
            sender="visitor", visitor=visitor, client_id="c1", body="Merhaba"
        ).conversation
        services.conversation_set_status(
            membership=admin,
            conversation=conversation,
            status="snoozed",
            until=(timezone.now() + timedelta(hours=1)).isoformat(),
        )
    embedded = {"REDIS_URL": "", "CELERY_BROKER_URL": "memory://", "SNOOZE_CHECK_EVERY_S": "0.5"}
    with asgi_servers(1, **embedded) as (server,):
        inbox = OperatorClient(server, tenant.slug, session_for(admin.user))
        inbox.expect("ready")
        with scopes_disabled():
            Conversation.objects.filter(pk=conversation.pk).update(
                snoozed_until=timezone.now() - timedelta(seconds=1)
            )
        woken = inbox.expect("conversation", timeout=15)["conversation"]
        while woken["status"] != "open":
            woken = inbox.expect("conversation", timeout=15)["conversation"]
        assert woken["number"] == conversation.number
