"""Several ASGI processes share the work; losing a process or Redis loses no stored message."""

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
def test_losing_the_redis_channel_layer_loses_no_stored_message(team):
    """The classic layer (core): sockets drop with Redis and clients resume from the database."""
    tenant, operator = team
    port = free_port()
    redis = _start_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        with asgi_servers(
            1, REDIS_URL=url, CELERY_BROKER_URL="memory://", CHANNEL_LAYER="core"
        ) as (server,):
            visitor = VisitorClient(server, tenant.widget_key)
            token = visitor.hello()["visitor"]["token"]
            first = visitor.say("while Redis is up")
            redis.kill()
            redis.wait(10)
            # Sockets drop with the channel layer; what was stored stays stored. The client
            # keeps what the visitor typed meanwhile and resends it (same client_id) later.
            assert visitor.closed_with(timeout=10) == 1011
            queued_id = "typed-while-redis-was-down"
            redis = _start_redis(port)
            back = VisitorClient(server, tenant.widget_key)
            resumed = back.hello(token=token, last_id=None)
            assert [m["id"] for m in resumed["messages"]] == [first["id"]]
            second = back.say("typed while Redis was down", client_id=queued_id)
            assert back.say("typed while Redis was down", client_id=queued_id)["duplicate"]
            inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
            inbox.expect("ready")
            summary = inbox.listed()[0]
            inbox.send("subscribe", conversation=summary["number"], after_id=None)
            history = inbox.expect("history")["messages"]
            assert [m["id"] for m in history] == [first["id"], second["id"]]
    finally:
        redis.kill()
    with scopes_disabled():
        assert Message.objects.count() == 2


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary")
def test_the_pubsub_layer_keeps_chatting_through_a_redis_outage_and_resyncs(team):
    """The pub/sub layer (the default): sockets stay open while Redis is down, messages are
    stored and acknowledged, events published meanwhile are lost; when Redis is back every
    socket is closed with 4012 and the clients resume from the database with nothing missing."""
    tenant, operator = team
    port = free_port()
    redis = _start_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        with asgi_servers(
            1, REDIS_URL=url, CELERY_BROKER_URL="memory://", CHANNEL_LAYER="pubsub"
        ) as (server,):
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
            redis = _start_redis(port)

            # Redis is back: both sockets are told to resync.
            assert visitor.closed_with(timeout=20) == 4012
            assert inbox.closed_with(timeout=20) == 4012
            back = VisitorClient(server, tenant.widget_key)
            resumed = back.hello(token=token, last_id=first["id"])
            assert [m["body"] for m in resumed["messages"]] == ["sent while Redis was down"]
            inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
            inbox.expect("ready")
            inbox.send("subscribe", conversation=number, after_id=first["id"])
            history = inbox.expect("history")["messages"]
            assert [m["id"] for m in history] == [during["id"]]

            # And live delivery works again.
            reply = inbox.reply(number, "got it")
            assert back.expect_message(sender="operator")["id"] == reply["id"]
    finally:
        redis.kill()


def test_idle_sockets_survive_quiet_periods_on_redis(team):
    """Regression: the Redis client's read timeout once equalled the layer's 5 s blocking read,
    so a visitor who said nothing for a few seconds lost the socket (code 1011)."""
    tenant, operator = team
    with asgi_servers(1) as (server,):
        visitor = VisitorClient(server, tenant.widget_key)
        visitor.hello()
        visitor.say("hello, then silence")
        inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
        inbox.expect("ready")
        number = inbox.listed()[0]["number"]
        time.sleep(12)  # quiet: nothing on either socket, longer than the layer's read timeout
        reply = inbox.reply(number, "still here?")
        assert visitor.expect_message(sender="operator")["id"] == reply["id"]
        assert "Timeout reading" not in server.log.read_text()
