"""Rules on time spent on a page, through real sockets against a real web process: the loader's
presence socket counts the seconds on each page, and a rule opens the chat window with its
greeting; the team reads the greeting when the visitor writes."""

import pytest
from django_scopes import scope

from apps.automation import services
from apps.conversations.models import Activity
from tests.conversations.conftest import Socket, VisitorClient
from tests.factories import TenantFactory
from tests.utils import wait_for

pytestmark = [pytest.mark.postgres]


class PresenceClient(Socket):
    def __init__(self, server, widget_key: str):
        super().__init__(
            f"{server.ws}/ws/presence/{widget_key}/", origin="https://shop.example.com"
        )


def page_rule(tenant, seconds=1, contains="/pricing"):
    with scope(tenant=tenant):
        return services.rule_save(
            tenant_id=tenant.pk,
            data={
                "name": "Pricing help",
                "trigger": "page_time",
                "trigger_value": seconds,
                "conditions": {
                    "match": "all",
                    "items": [{"field": "page", "op": "contains", "value": contains}],
                },
                "actions": [
                    {
                        "type": "open_widget",
                        "text": {
                            "en": "Questions about our plans?",
                            "tr": "Paketlerimizle ilgili sorunuz mu var?",
                        },
                    }
                ],
            },
        )


def test_a_visitor_on_the_pricing_page_is_greeted_once_per_visit(server):
    tenant = TenantFactory(default_language="en")
    rule = page_rule(tenant)
    presence = PresenceClient(server, tenant.widget_key)
    presence.send(
        "hello",
        token=None,
        language="tr-TR",
        page={"url": "https://shop.example.com/", "title": "Home"},
    )
    token = presence.expect("ready")["visitor"]["token"]
    assert presence.nothing(timeout=2.5, type_="open")  # not on a pricing page
    presence.send("page", url="https://shop.example.com/pricing", title="Pricing")
    opened = presence.expect("open", timeout=10)
    assert opened["greeting"] == "Paketlerimizle ilgili sorunuz mu var?"  # the visitor's language
    # Again on the page in the same visit: not again.
    presence.send("page", url="https://shop.example.com/pricing?plan=pro", title="Pricing")
    assert presence.nothing(timeout=2.5, type_="open")
    presence.close()

    # The visitor answers in the chat window: the team sees what they were greeted with.
    chat = VisitorClient(server, tenant.widget_key)
    chat.hello(token=token)
    chat.say("Evet, kurumsal paket ne kadar?")
    chat.close()

    def note():
        with scope(tenant=tenant):
            return Activity.objects.filter(kind="note").first()

    found = wait_for(note)
    greeting = "Paketlerimizle ilgili sorunuz mu var?"
    assert found.body == f"The chat window greeted the visitor: “{greeting}”"
    assert found.data["by"] == "Pricing help"
    with scope(tenant=tenant):
        rule.refresh_from_db()
    assert rule.fired_count == 1


def test_leaving_the_page_before_the_time_is_up_fires_nothing(server):
    tenant = TenantFactory()
    page_rule(tenant, seconds=2)
    presence = PresenceClient(server, tenant.widget_key)
    presence.send("hello", token=None, page={"url": "https://shop.example.com/pricing"})
    presence.expect("ready")
    presence.send("page", url="https://shop.example.com/about")
    assert presence.nothing(timeout=3.5, type_="open")
