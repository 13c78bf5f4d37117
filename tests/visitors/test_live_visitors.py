"""Who is on the workspace's sites right now: arrive, navigate, leave; per workspace; a server that
dies says no goodbye and its visitors still drop out."""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.conversations import live
from apps.visitors import selectors, services
from apps.visitors.models import Visitor, VisitorPresence
from tests.conversations.conftest import VisitorClient
from tests.factories import TenantFactory, member
from tests.visitors.conftest import inbox_for

TULIPS = {"url": "https://shop.example.com/tulips", "title": "Tulips"}
ROSES = {"url": "https://shop.example.com/roses", "title": "Roses", "referrer": TULIPS["url"]}


def test_the_live_list_shows_arrivals_page_changes_and_departures(server, team):
    tenant, operator, _admin = team
    inbox = inbox_for(server, operator)
    inbox.send("live_subscribe")
    assert inbox.expect("live_visitors")["visitors"] == []

    visitor = VisitorClient(server, tenant.widget_key)
    ready = visitor.hello(page=TULIPS)
    arrived = inbox.expect("live_visitor")["visitor"]
    assert arrived["id"] == ready["visitor"]["id"]
    assert arrived["page"] == {"url": TULIPS["url"], "title": "Tulips"}
    assert arrived["returning"] is False and arrived["verified"] is False
    assert arrived["name"] == "" and arrived["on_site_since"]  # unnamed: labelled by each page
    assert arrived["conversation"] is None

    visitor.send("page", **ROSES)
    moved = inbox.expect("live_visitor")["visitor"]
    assert moved["id"] == arrived["id"] and moved["page"]["title"] == "Roses"
    assert moved["on_site_since"] == arrived["on_site_since"]  # the same visit

    # A second tab of the same visitor: still one row; closing one tab is not leaving.
    token = ready["visitor"]["token"]
    tab = VisitorClient(server, tenant.widget_key)
    tab.hello(token=token)
    assert inbox.expect("live_visitor")["visitor"]["id"] == arrived["id"]
    tab.close()
    inbox.send("live_subscribe")
    [row] = inbox.expect("live_visitors")["visitors"]
    assert row["id"] == arrived["id"]

    visitor.close()
    assert inbox.expect("live_left")["visitor"] == arrived["id"]
    inbox.send("live_subscribe")
    assert inbox.expect("live_visitors")["visitors"] == []

    # Back later: a returning visitor.
    again = VisitorClient(server, tenant.widget_key)
    again.hello(token=token, page=TULIPS)
    assert inbox.expect("live_visitor")["visitor"]["id"] == arrived["id"]
    again.close()
    inbox.close()


def test_the_live_list_is_per_workspace_and_only_for_sockets_that_asked(server, team):
    tenant, operator, admin = team
    other = TenantFactory()
    watcher = inbox_for(server, operator)
    watcher.send("live_subscribe")
    watcher.expect("live_visitors")
    bystander = inbox_for(server, admin)  # never asked for the list
    stranger = inbox_for(server, member(other))
    stranger.send("live_subscribe")
    stranger.expect("live_visitors")

    ours = VisitorClient(server, tenant.widget_key)
    ours.hello(page=TULIPS)
    theirs = VisitorClient(server, other.widget_key)
    theirs_ready = theirs.hello(page=ROSES)
    assert watcher.expect("live_visitor")["visitor"]["page"]["title"] == "Tulips"
    assert stranger.expect("live_visitor")["visitor"]["id"] == theirs_ready["visitor"]["id"]
    assert watcher.nothing(type_="live_visitor")
    assert bystander.nothing(type_="live_visitor")

    watcher.send("live_subscribe")
    [row] = watcher.expect("live_visitors")["visitors"]
    assert row["page"]["title"] == "Tulips"
    # Nothing about live visitors reaches a visitor's socket.
    assert not [f for f in ours.seen + theirs.seen if f["type"].startswith("live")]
    for client in (ours, theirs, watcher, bystander, stranger):
        client.close()


def test_a_visitor_whose_server_died_drops_out_after_the_timeout(team):
    tenant, _operator, _admin = team
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)
        live.arrived(visitor=visitor)
        assert [v["id"] for v in live.live_visitors()] == [visitor.public_id.hex]
        # The process holding its socket died: no disconnect, no more pings.
        stale = timezone.now() - selectors.PRESENCE_TIMEOUT - timedelta(seconds=1)
        VisitorPresence.objects.filter(visitor=visitor).update(last_seen_at=stale)
        assert live.live_visitors() == []
        # Its next socket starts afresh (one connection, not the dead one plus this one).
        live.arrived(visitor=visitor)
        presence = VisitorPresence.objects.get(visitor=visitor)
        assert presence.connections == 1
        live.left(tenant_id=tenant.pk, visitor_id=visitor.pk, public_id=visitor.public_id.hex)
        assert live.live_visitors() == []


def test_a_visitors_sockets_are_counted_and_the_last_one_gone_means_left(team):
    """Two tabs: two connections, online since the first; both closed: gone from the live
    list; back later: online since then."""
    tenant, _operator, _admin = team
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)
        live.arrived(visitor=visitor)
        first = VisitorPresence.objects.get(visitor=visitor)
        live.arrived(visitor=visitor)
        second = VisitorPresence.objects.get(visitor=visitor)
        assert (first.connections, second.connections) == (1, 2)
        assert second.online_since == first.online_since
        assert second.last_seen_at >= first.last_seen_at
        for _tab in range(2):
            live.left(tenant_id=tenant.pk, visitor_id=visitor.pk, public_id=visitor.public_id.hex)
        assert VisitorPresence.objects.get(visitor=visitor).connections == 0
        assert live.live_visitors() == []
        live.arrived(visitor=visitor)
        back = VisitorPresence.objects.get(visitor=visitor)
        assert back.connections == 1 and back.online_since > first.online_since
        assert [v["id"] for v in live.live_visitors()] == [visitor.public_id.hex]


def test_pings_keep_a_live_visitor_fresh(team):
    tenant, _operator, _admin = team
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)
        live.arrived(visitor=visitor)
        old = timezone.now() - timedelta(seconds=100)
        VisitorPresence.objects.filter(visitor=visitor).update(last_seen_at=old)
        assert services.presence_touch_many(visitor_ids=[visitor.pk]) == 1
        assert VisitorPresence.objects.get(visitor=visitor).last_seen_at > old
    with scopes_disabled():
        assert VisitorPresence.objects.filter(tenant=tenant).count() == 1
