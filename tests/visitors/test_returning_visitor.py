"""Who is a returning visitor, as the live list and the visitor panel badge them: someone with
an earlier visit or an earlier conversation, also when they come back on another browser and
sign in as a known contact."""

from django_scopes import scope, scopes_disabled

from apps.conversations import live
from apps.tenants.services import widget_settings_get
from apps.visitors.models import Visitor
from tests.conversations.conftest import VisitorClient
from tests.factories import signed_identity
from tests.utils import in_thread
from tests.visitors.conftest import inbox_for

TULIPS = {"url": "https://shop.example.com/tulips", "title": "Tulips"}


def live_row(tenant, visitor_id: str) -> dict:
    def read():
        with scope(tenant=tenant):
            return {row["id"]: row for row in live.live_visitors()}[visitor_id]

    return in_thread(read)


def test_a_visitor_with_an_earlier_conversation_is_returning_in_the_live_list(server, team):
    tenant, operator, _admin = team
    inbox = inbox_for(server, operator)
    visitor = VisitorClient(server, tenant.widget_key)
    visitor_id = visitor.hello(page=TULIPS)["visitor"]["id"]
    assert live_row(tenant, visitor_id)["returning"] is False  # just arrived

    visitor.say("First question")
    number = inbox.expect("conversation")["conversation"]["number"]
    row = live_row(tenant, visitor_id)
    assert row["conversation"] == number and row["returning"] is False  # their first chat

    inbox.send("resolve", conversation=number)
    visitor.expect("conversation")
    row = live_row(tenant, visitor_id)
    assert row["conversation"] is None
    assert row["returning"] is True  # as the panel says: they chatted before
    visitor.close()
    inbox.close()


def test_a_known_contact_back_on_another_browser_is_returning(server, team):
    tenant, _operator, _admin = team
    with scope(tenant=tenant):
        secret = widget_settings_get(tenant=tenant).identity_secret
    identity = signed_identity(secret, "cust-7", name="Elif Yılmaz")
    laptop = VisitorClient(server, tenant.widget_key)
    laptop.hello(page=TULIPS)
    laptop.send("identify", **identity)
    contact_id = laptop.expect("ready")["visitor"]["id"]
    laptop.close()

    # Another browser: an anonymous first visit there, until the site signs them in.
    phone = VisitorClient(server, tenant.widget_key)
    anonymous = phone.hello(page=TULIPS)["visitor"]
    assert anonymous["id"] != contact_id
    assert live_row(tenant, anonymous["id"])["returning"] is False
    phone.send("identify", **identity)
    assert phone.expect("ready")["visitor"]["id"] == contact_id

    with scopes_disabled():
        contact = Visitor.objects.get(public_id=contact_id)
    assert contact.visits == 2  # the laptop's visit and the phone's
    row = live_row(tenant, contact_id)
    assert row["returning"] is True and row["visits"] == 2
    phone.close()
