"""Every frame type of every socket has a limit per socket (``FRAME_LIMITS``): within it every
frame is taken; over it a frame is dropped and answered ``rate_limited`` (the socket stays
open); a socket far over it is closed with 4429. Real sockets to a web process with its rate
limits on."""

import inspect
import uuid

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from apps.conversations.consumers.common import FRAME_LIMITS
from apps.conversations.consumers.inbox import InboxConsumer
from apps.conversations.consumers.presence import PresenceConsumer
from apps.conversations.consumers.visitor import VisitorConsumer
from apps.core.consumers import ABUSE_FACTOR, CLOSE_RATE_LIMITED
from apps.visitors.models import PageView, Visitor
from tests.conversations.conftest import VisitorClient
from tests.factories import TenantFactory, member
from tests.live import start_server
from tests.visitors.conftest import chatting_visitor, inbox_for

pytestmark = pytest.mark.postgres

SHOP = "https://shop.example.com"


def test_every_frame_type_of_every_socket_has_a_limit():
    for consumer in (VisitorConsumer, PresenceConsumer, InboxConsumer):
        types = {
            name.removeprefix("frame_")
            for name, _fn in inspect.getmembers(consumer, inspect.iscoroutinefunction)
            if name.startswith("frame_")
        }
        assert types <= set(FRAME_LIMITS), (consumer.__name__, types - set(FRAME_LIMITS))
        assert consumer.frame_limits is FRAME_LIMITS


@pytest.fixture(scope="module")
def web(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the web process is another process")
    process = start_server(RATELIMIT_ENABLE="1")
    yield process
    process.stop()


@pytest.fixture
def server(web, transactional_db):
    return web


@pytest.fixture
def team(transactional_db):
    tenant = TenantFactory()
    return tenant, member(tenant, full_name="Ayşe Operator"), member(tenant, role="admin")


def answers_until_pong(socket) -> list[dict]:
    """Everything the socket answered up to the pong of a ping sent now (frames are handled
    in order: the pong comes after the answers to every frame sent before it)."""
    socket.send("ping")
    answers = []
    while (frame := socket.recv(timeout=10))["type"] != "pong":
        answers.append(frame)
    return answers


def page_views() -> int:
    with scopes_disabled():
        return PageView.objects.count()


def test_page_views_within_the_limit_are_taken_and_beyond_it_refused(server, team):
    tenant, operator, _admin = team
    burst = FRAME_LIMITS["page"].burst
    inbox = inbox_for(server, operator)
    visitor, number = chatting_visitor(server, tenant, inbox)
    before = page_views()

    # A burst is taken whole: every page stored, every one shown to the operators.
    for i in range(burst):
        visitor.send("page", url=f"{SHOP}/p{i}", title=f"Page {i}")
    assert [f for f in answers_until_pong(visitor) if f["type"] == "error"] == []
    assert page_views() == before + burst

    # Many more at once: the frames over the limit are dropped, each answered, and the socket
    # stays open.
    for i in range(burst, burst * 3):
        visitor.send("page", url=f"{SHOP}/p{i}", title=f"Page {i}")
    refused = [f for f in answers_until_pong(visitor) if f["type"] == "error"]
    assert len(refused) >= burst
    assert {(f["code"], f["frame"]) for f in refused} == {("rate_limited", "page")}
    assert all(f["retry_after"] >= 1 for f in refused)
    taken = page_views() - before
    assert taken == burst * 3 - len(refused)

    # The operators heard of each page taken, and of none refused.
    visitor.say("Still here")
    shown = 0
    while (frame := inbox.recv(timeout=10))["type"] != "message":
        shown += frame["type"] == "visitor" and frame["conversation"] == number
    assert shown == taken


def test_attributes_over_the_limit_are_refused(server, team):
    tenant, _operator, _admin = team
    burst = FRAME_LIMITS["attributes"].burst
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    for i in range(burst * 2):
        visitor.send("attributes", attributes={"step": i})
    refused = [f for f in answers_until_pong(visitor) if f["type"] == "error"]
    assert len(refused) >= burst // 2
    assert {f["code"] for f in refused} == {"rate_limited"}
    with scopes_disabled():
        step = Visitor.objects.get().attributes["step"]
    assert step >= burst - 1  # the first burst was taken whole


def test_a_socket_far_over_the_limit_is_closed(server, team):
    """Pings too (they take the fast path): a flood of them ends the socket."""
    tenant, _operator, _admin = team
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    flood = FRAME_LIMITS["ping"].burst * ABUSE_FACTOR * 2
    for _ in range(flood):
        visitor.send("ping")
    assert visitor.closed_with(timeout=10) == CLOSE_RATE_LIMITED
    answers = visitor.seen
    assert any(f["type"] == "error" and f["code"] == "rate_limited" for f in answers)
    assert sum(f["type"] == "pong" for f in answers) <= FRAME_LIMITS["ping"].burst + 2
    # Another socket of the same workspace is not affected.
    other = VisitorClient(server, tenant.widget_key)
    other.hello()
    other.say(uuid.uuid4().hex)
