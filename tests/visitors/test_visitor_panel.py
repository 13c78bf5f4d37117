"""The visitor panel an operator sees next to a conversation, kept live over the inbox socket."""

from django_scopes import scope

from apps.tenants.services import widget_settings_get
from tests.conversations.conftest import VisitorClient
from tests.factories import signed_identity
from tests.visitors.conftest import BrowserVisitorClient, inbox_for, long_ago

CHROME_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def test_the_panel_shows_who_where_and_history_and_follows_the_visitor_live(server, team):
    tenant, operator, _admin = team
    with scope(tenant=tenant):
        secret = widget_settings_get(tenant=tenant).identity_secret
    inbox = inbox_for(server, operator)
    visitor = BrowserVisitorClient(
        server, tenant.widget_key, {"User-Agent": CHROME_UA, "Accept-Language": "tr-TR"}
    )
    visitor.send(
        "hello",
        token=None,
        last_id=None,
        language="tr-TR",
        timezone="Europe/Istanbul",
        page={"url": "https://shop.example.com/", "title": "Home"},
    )
    token = visitor.expect("ready")["visitor"]["token"]
    first = visitor.say("First question")
    number_1 = inbox.expect("conversation")["conversation"]["number"]
    inbox.send("resolve", conversation=number_1)
    visitor.expect("conversation")
    long_ago(tenant, number_1)  # past the window in which a visitor's message reopens it
    visitor.send("page", url="https://shop.example.com/tulips", title="Tulips")
    second = visitor.say("Second question")
    assert second["conversation"] != first["conversation"]
    while (summary := inbox.expect("conversation")["conversation"])["number"] == number_1:
        pass
    number_2 = summary["number"]

    inbox.send("subscribe", conversation=number_2, after_id=None)
    panel = inbox.expect("history", conversation=number_2)["visitor"]
    assert panel["verified"] is False and panel["name"] == ""  # unnamed: labelled by each page
    assert panel["current_page"] == {"url": "https://shop.example.com/tulips", "title": "Tulips"}
    assert [p["title"] for p in panel["pages"]] == ["Tulips", "Home"]
    assert panel["browser"].startswith("Chrome") and panel["os"] == "Mac OS X"
    assert panel["language"] == "tr-TR" and panel["timezone"] == "Europe/Istanbul"
    assert [c["number"] for c in panel["previous_conversations"]] == [number_1]
    assert panel["previous_conversations"][0]["status"] == "resolved"
    assert panel["returning"] is True  # an earlier conversation

    # The visitor moves on: the operator's panel follows without a reload.
    visitor.send("page", url="https://shop.example.com/checkout", title="Checkout")
    live = inbox.expect("visitor", conversation=number_2)["visitor"]
    assert live["current_page"]["title"] == "Checkout"

    visitor.send("attributes", attributes={"plan": "gold", "orders": 3})
    assert inbox.expect("visitor")["visitor"]["attributes"] == {"plan": "gold", "orders": 3}

    visitor.send(
        "identify",
        **signed_identity(secret, "cust-7", name="Elif Yılmaz", email="elif@example.com"),
    )
    verified = inbox.expect("visitor")["visitor"]
    assert verified["verified"] is True and verified["name"] == "Elif Yılmaz"
    assert verified["email"] == "elif@example.com"

    # Another page of the site loads (a new chat window says hello): the panel follows too.
    next_page = VisitorClient(server, tenant.widget_key)
    next_page.hello(token=token, page={"url": "https://shop.example.com/vases", "title": "Vases"})
    assert inbox.expect("visitor")["visitor"]["current_page"]["title"] == "Vases"

    # The panel is for operators: the visitor's socket never gets it.
    assert not [f for f in visitor.seen + next_page.seen if f["type"] == "visitor"]
    visitor.close()
    next_page.close()
    inbox.close()
