"""Several ASGI processes share the work; losing a process or Redis loses no stored message."""

import json
import shutil
import socket
import subprocess
import time

import pytest
from django_scopes import scopes_disabled

from apps.conversations.models import Message
from tests.conversations.conftest import OperatorClient, VisitorClient, session_for
from tests.factories import TenantFactory, member
from tests.live import asgi_servers, free_port

pytestmark = pytest.mark.redis


@pytest.fixture
def team(transactional_db):
    tenant = TenantFactory()
    return tenant, member(tenant, full_name="Deniz")


def test_visitor_on_one_process_and_operator_on_another_chat_normally(team):
    tenant, operator = team
    with asgi_servers(2) as (a, b):
        inbox = OperatorClient(b, tenant.slug, session_for(operator.user))
        inbox.expect("ready")
        visitor = VisitorClient(a, tenant.widget_key)
        assert visitor.hello()["team"]["online"] is True
        visitor.say("hello from process A")
        number = inbox.expect("conversation")["conversation"]["number"]
        inbox.send("subscribe", conversation=number, after_id=None)
        inbox.expect("history")
        visitor.send("typing", typing=True)
        inbox.expect("typing")
        reply = inbox.reply(number, "hello from process B")
        assert visitor.expect_message(sender="operator")["id"] == reply["id"]
        second = visitor.say("and again")
        assert inbox.expect_message(sender="visitor")["id"] == second["id"]


def test_a_dead_server_process_loses_nothing(team):
    tenant, operator = team
    with asgi_servers(2) as (a, b):
        visitor = VisitorClient(a, tenant.widget_key)
        token = visitor.hello()["visitor"]["token"]
        acked = [visitor.say(f"before crash {i}")["id"] for i in range(3)]
        a.kill()  # the process dies; the visitor's socket with it

        back = VisitorClient(b, tenant.widget_key)
        ready = back.hello(token=token, last_id=None)
        assert [m["id"] for m in ready["messages"]] == acked
        inbox = OperatorClient(b, tenant.slug, session_for(operator.user))
        inbox.expect("ready")
        number = inbox.listed()[0]["number"]
        inbox.send("subscribe", conversation=number, after_id=None)
        assert [m["id"] for m in inbox.expect("history")["messages"]] == acked


def test_a_socket_that_stops_reading_is_ended_and_its_client_resumes_whole(team):
    """A chat window that stops reading (a frozen tab, a stalled network) is not held open
    with everything published for it piling up in the server: after SOCKET_SEND_STALL_SECONDS
    the server ends the socket (the inbox sees the visitor leave), the connection closes once
    what was already sent is read, and the window, back, fetches every reply it missed."""
    tenant, operator = team
    with asgi_servers(
        1,
        SOCKET_SEND_STALL_SECONDS="1",
        CHAT_MESSAGE_MAX_LENGTH="20000",
        CHAT_FRAME_MAX_BYTES="65536",
    ) as (server,):
        tcp = socket.socket()
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        tcp.connect(("127.0.0.1", server.port))
        frozen = VisitorClient(
            server, tenant.widget_key, connect_options={"sock": tcp, "max_queue": 1}
        )
        token = frozen.hello()["visitor"]["token"]
        first = frozen.say("hello")
        inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
        inbox.expect("ready")
        inbox.send("live_subscribe")
        inbox.expect("live_visitors")
        number = inbox.listed()[0]["number"]

        # From here on the window reads nothing. The team answers at length.
        replies = []
        for i in range(500):
            client_id = f"long-{i}"
            body = f"{i} " + "€" * 19_990  # 60 KB of UTF-8
            frame = {"type": "message", "conversation": number, "client_id": client_id}
            inbox.send_raw(json.dumps({**frame, "body": body}, ensure_ascii=False))
            replies.append(inbox.expect("ack", client_id=client_id)["id"])
            if any(f["type"] == "live_left" for f in inbox.seen):
                break
        inbox.take("live_left", timeout=10)
        assert len(replies) < 500

        assert frozen.closed_with(timeout=10) is None  # closed without a close frame: 1006
        back = VisitorClient(server, tenant.widget_key, connect_options={"max_size": None})
        ready = back.hello(token=token, last_id=first["id"])
        fetched = [m["id"] for m in ready["messages"]]
        fetched += [m["id"] for m in back.catch_up(known=max(fetched, default=first["id"]))]
        assert set(replies) <= set(fetched)


def test_one_message_sent_through_two_processes_at_once_is_stored_once_and_acked_twice(team):
    """A resend landing on another process while the first copy is being stored (or a
    duplicated tab): both sockets get an ``ack`` naming the same stored message."""
    tenant, _operator = team
    with asgi_servers(2) as (a, b):
        first = VisitorClient(a, tenant.widget_key)
        token = first.hello()["visitor"]["token"]
        first.say("opening the conversation")
        second = VisitorClient(b, tenant.widget_key)
        second.hello(token=token)
        for round_ in range(5):
            client_id = f"twice-{round_}"
            for window in (first, second):
                window.send("message", client_id=client_id, body=f"the same message {round_}")
            acks = [window.expect("ack", client_id=client_id) for window in (first, second)]
            assert acks[0]["id"] == acks[1]["id"]
            assert sorted(ack["duplicate"] for ack in acks) == [False, True]
        with scopes_disabled():
            bodies = list(Message.objects.filter(sender="visitor").values_list("body", flat=True))
        assert sorted(bodies) == sorted(
            ["opening the conversation"] + [f"the same message {n}" for n in range(5)]
        )


def _start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary")
def test_a_redis_outage_loses_nothing_and_the_heartbeat_brings_what_was_missed(team):
    """While Redis is down messages are stored and acknowledged and their doorbells are lost;
    a chat window opened meanwhile still gets ``ready``. The heartbeat names the newest message,
    so both sides fetch what they missed; once Redis is back live delivery works again."""
    tenant, operator = team
    port = free_port()
    redis = _start_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        with asgi_servers(1, REDIS_URL=url, CELERY_BROKER_URL="memory://") as (server,):
            visitor = VisitorClient(server, tenant.widget_key)
            token = visitor.hello()["visitor"]["token"]
            first = visitor.say("while Redis is up")
            inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
            inbox.expect("ready")
            number = inbox.listed()[0]["number"]
            inbox.send("subscribe", conversation=number, after_id=None)
            inbox.expect("history")

            redis.kill()
            redis.wait(10)
            during = visitor.say("sent while Redis was down")  # stored and acknowledged
            assert during["duplicate"] is False
            assert [m["id"] for m in inbox.catch_up(number, first["id"])] == [during["id"]]
            late = VisitorClient(server, tenant.widget_key)  # a window opened in the outage
            resumed = late.hello(token=token, last_id=first["id"])
            assert [m["id"] for m in resumed["messages"]] == [during["id"]]
            late.close()
            reply = inbox.reply(number, "answered while Redis was down")
            assert [m["id"] for m in visitor.catch_up(during["id"])] == [reply["id"]]

            redis = _start_redis(port)
            # Live again: a new window gets the operator's next message as it is sent.
            back = VisitorClient(server, tenant.widget_key)
            back.hello(token=token, last_id=reply["id"])
            again = inbox.reply(number, "Redis is back")
            assert back.expect_message(sender="operator", timeout=15)["id"] == again["id"]
    finally:
        redis.kill()
    with scopes_disabled():
        assert Message.objects.count() == 4


def test_idle_sockets_survive_quiet_periods_on_redis(team):
    """Regression: the Redis client's read timeout once equalled the layer's 5 s blocking read,
    so a visitor who said nothing for a few seconds lost the socket (code 1011). Sockets stay
    however long nothing is said: here, longer than this server's Redis read timeout (scaled
    down to 2 s; as deployed, REDIS_SOCKET_TIMEOUT is 15 s)."""
    tenant, operator = team
    with asgi_servers(1, REDIS_SOCKET_TIMEOUT="2") as (server,):
        visitor = VisitorClient(server, tenant.widget_key)
        visitor.hello()
        visitor.say("hello, then silence")
        inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
        inbox.expect("ready")
        number = inbox.listed()[0]["number"]
        # The quiet itself is the scenario, so a duration rather than a wait: nothing on either
        # socket for longer than the Redis read timeout.
        time.sleep(3)
        reply = inbox.reply(number, "still here?")
        assert visitor.expect_message(sender="operator")["id"] == reply["id"]
        assert "Timeout reading" not in server.log.read_text()
