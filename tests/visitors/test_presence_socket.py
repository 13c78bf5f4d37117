"""The loader's presence socket (``/ws/presence/<key>/``), opened by the customer's page before
the chat window exists: it keeps the visitor in the live list, rings on the team's messages
without carrying their text, takes the integrator's identify, refuses chat frames, and only
opens from the workspace's allowed sites."""

import uuid

from django_scopes import scope
from websockets.exceptions import InvalidStatus

from apps.tenants.services import widget_settings_get
from tests.conversations.conftest import Socket, VisitorClient
from tests.factories import signed_identity
from tests.utils import wait_for
from tests.visitors.conftest import inbox_for

SHOP = "https://shop.example.com"


class PresenceClient(Socket):
    def __init__(self, server, widget_key: str, origin: str = SHOP):
        super().__init__(f"{server.ws}/ws/presence/{widget_key}/", origin=origin)

    def hello(self, token: str) -> dict:
        self.send("hello", token=token, last_id=None, language="en", timezone="UTC")
        return self.expect("ready")


def new_visitor(server, tenant) -> str:
    """A visitor as the page-view beacon would make it: returns its token."""
    window = VisitorClient(server, tenant.widget_key)
    token = window.hello()["visitor"]["token"]
    window.close()
    return token


def allow_sites(tenant, *origins: str) -> None:
    with scope(tenant=tenant):
        widget = widget_settings_get(tenant=tenant)
        widget.allowed_origins = "\n".join(origins)
        widget.save()


def test_the_presence_socket_keeps_the_visitor_live_and_rings_without_the_text(server, team):
    tenant, operator, _admin = team
    token = new_visitor(server, tenant)
    inbox = inbox_for(server, operator)
    inbox.send("live_subscribe")
    assert inbox.expect("live_visitors")["visitors"] == []

    page = PresenceClient(server, tenant.widget_key)
    ready = page.hello(token)
    assert ready["team"] == {"online": True}  # the operator's inbox is open
    assert "messages" not in ready and "conversation" not in ready  # no history here
    arrived = inbox.expect("live_visitor")["visitor"]
    assert arrived["id"] == ready["visitor"]["id"]

    # The team starts a chat: the page is told to open the window, and rung for the message,
    # but the words only ever travel on the chat window's own socket.
    inbox.send(
        "proactive_start", visitor=arrived["id"], client_id=uuid.uuid4().hex, body="Need help?"
    )
    number = inbox.expect("proactive_started")["conversation"]
    opened = page.take("open")
    assert opened["conversation"]["status"] == "open"
    rung = page.take("message")
    assert set(rung) == {"type"}
    inbox.reply(number, "Our tulips are half price today.")
    assert set(page.expect("message")) == {"type"}
    assert all("Need help" not in str(f) and "tulips" not in str(f) for f in page.seen)

    # Chat frames are refused with a clear error; the socket stays usable.
    page.send("message", client_id="c1", body="hello?")
    error = page.expect("error")
    assert error["code"] == "not_supported"
    for refused in ("typing", "read", "delivered"):
        page.send(refused, typing=True, up_to=1)
        assert page.expect("error")["code"] == "not_supported"
    page.send("ping")
    page.expect("pong")

    # The chat window is made and connects; the page hangs up: the visitor never "left".
    window = VisitorClient(server, tenant.widget_key)
    window_ready = window.hello(token=token)
    assert [m["body"] for m in window_ready["messages"]] == [
        "Need help?",
        "Our tulips are half price today.",
    ]
    page.close()
    assert inbox.nothing(timeout=0.5, type_="live_left")
    window.close()
    assert inbox.expect("live_left")["visitor"] == arrived["id"]
    inbox.close()


def test_identify_on_the_presence_socket_names_the_visitor_for_the_team(server, team):
    tenant, operator, _admin = team
    with scope(tenant=tenant):
        secret = widget_settings_get(tenant=tenant).identity_secret
    token = new_visitor(server, tenant)
    inbox = inbox_for(server, operator)
    inbox.send("live_subscribe")
    inbox.expect("live_visitors")

    page = PresenceClient(server, tenant.widget_key)
    page.hello(token)
    inbox.expect("live_visitor")
    page.send(
        "identify",
        **signed_identity(secret, "cust-7", name="Jane Doe", email="jane@example.com"),
    )
    assert page.expect("ready")["visitor"]["verified"] is True
    named = inbox.expect("live_visitor")["visitor"]
    assert named["name"] == "Jane Doe" and named["verified"] is True

    page.send("identify", user_id="cust-7", user_hash="0" * 64, name="Mallory")
    assert page.expect("error")["code"] == "identity_invalid"
    page.close()
    inbox.close()


def test_only_the_workspaces_sites_may_open_it(server, team):
    tenant, _operator, _admin = team
    token = new_visitor(server, tenant)
    allow_sites(tenant, SHOP)

    stranger = PresenceClient(server, tenant.widget_key, origin="https://evil.example")
    error = stranger.expect("error")
    assert error["code"] == "origin_not_allowed" and error["message"]
    assert stranger.closed_with() == 4403

    page = PresenceClient(server, tenant.widget_key, origin=SHOP)
    assert page.hello(token)["visitor"]["verified"] is False
    page.close()

    unknown = PresenceClient(server, "wk_nope", origin=SHOP)
    assert unknown.expect("error")["code"] == "unknown_widget"
    assert unknown.closed_with() == 4404

    # The chat window's own socket still takes only Sohbet's origin.
    try:
        Socket(f"{server.ws}/ws/widget/{tenant.widget_key}/", origin=SHOP)
    except InvalidStatus as exc:
        assert exc.response.status_code == 403
    else:
        raise AssertionError("the chat window's socket opened from another site")


def _visit(tenant, token: str):
    from apps.core.crypto import hash_token
    from apps.visitors.models import VisitorPresence, VisitorSession, VisitorToken

    with scope(tenant=tenant):
        visitor = VisitorToken.objects.get(token_hash=hash_token(token)).visitor
        presence = VisitorPresence.objects.filter(visitor=visitor).first()
        sessions = list(VisitorSession.objects.filter(visitor=visitor).order_by("started_at"))
    return visitor, presence, sessions


def _wait_until_gone(tenant, token: str) -> None:
    """The server counts a closed socket out when its disconnect has run."""
    wait_for(lambda: _visit(tenant, token)[1].connections == 0, timeout=5)


def test_every_page_view_counts_the_visitor_once_and_continues_or_starts_their_visit(server, team):
    """Page views one after another (the loader's socket on each page, right after the page's
    beacon): each socket counts once, the visit goes on, its "last seen" is written when due
    again, and a visitor back after SESSION_GAP starts a new visit."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.visitors.models import VisitorSession
    from apps.visitors.services import SESSION_GAP, TOUCH_EVERY

    tenant, _operator, _admin = team
    token = new_visitor(server, tenant)
    before, _none, [visit] = _visit(tenant, token)

    first, second = (
        PresenceClient(server, tenant.widget_key),
        PresenceClient(server, tenant.widget_key),
    )
    assert first.hello(token)["team"] == {"online": False}  # nobody's inbox is open
    second.hello(token)
    visitor, presence, sessions = _visit(tenant, token)
    assert presence.connections == 2 and sessions == [visit]  # two tabs, one visit
    assert visitor.visits == before.visits and visitor.last_seen_at == before.last_seen_at
    first.close()
    second.close()
    _wait_until_gone(tenant, token)

    def page_view_after(ago: timedelta):
        """The visit last seen ``ago``; then one page view, its socket closed again after."""
        with scope(tenant=tenant):
            VisitorSession.objects.filter(pk=visit.pk).update(last_seen_at=timezone.now() - ago)
        page = PresenceClient(server, tenant.widget_key)
        page.hello(token)
        seen = _visit(tenant, token)
        page.close()
        _wait_until_gone(tenant, token)
        return seen

    # A minute and more later, the same visit: its "last seen" times move on.
    visitor, presence, sessions = page_view_after(TOUCH_EVERY + timedelta(seconds=5))
    assert [s.pk for s in sessions] == [visit.pk]
    assert sessions[0].last_seen_at > timezone.now() - timedelta(seconds=30)
    assert presence.connections == 1  # the two closed tabs were counted out

    # Back after the visit ended: a new visit, one more in the visitor's count.
    visitor, presence, sessions = page_view_after(SESSION_GAP + timedelta(minutes=1))
    assert len(sessions) == 2 and visitor.visits == before.visits + 1
    assert presence.connections == 1


def test_a_page_view_of_a_visitor_in_a_chat_refreshes_the_operators_panel(server, team):
    """The operator looking at the visitor's conversation sees each new page view come in."""
    tenant, operator, _admin = team
    window = VisitorClient(server, tenant.widget_key)
    token = window.hello()["visitor"]["token"]
    window.say("Do you ship to Izmir?")
    window.close()
    inbox = inbox_for(server, operator)
    number = inbox.expect("conversation")["conversation"]["number"]
    inbox.send("subscribe", conversation=number, after_id=None)
    inbox.expect("history", conversation=number)

    page = PresenceClient(server, tenant.widget_key)
    page.hello(token)
    panel = inbox.expect("visitor", conversation=number)["visitor"]
    assert panel["id"] == page.seen[-1]["visitor"]["id"]
    page.close()
    inbox.close()
