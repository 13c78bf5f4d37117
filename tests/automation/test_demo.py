"""The demo workspace comes with automation that works at once: VIP customers' chats are
labelled, and the pricing page offers help after 30 seconds."""

import uuid

import pytest
from django.core.management import call_command
from django_scopes import scope

from apps.automation.models import Rule
from apps.conversations import services as conversation_services
from apps.conversations.models import Message
from apps.tenants.models import Tenant
from apps.visitors.services import visit_start, visitor_set_attributes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_demo_rules_are_made_once_and_label_a_vip_chat():
    call_command("seed_demo", "--no-superuser")
    call_command("seed_demo", "--no-superuser")
    tenant = Tenant.objects.get(slug="demo")
    with scope(tenant=tenant):
        assert sorted(Rule.objects.values_list("name", flat=True)) == [
            "Help on the pricing page",
            "VIP customers",
            "Welcome flow",
        ]
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.5").visitor
        visitor_set_attributes(visitor=visitor, attributes={"plan": "VIP"})
        conversation = conversation_services.message_create(
            sender="visitor", visitor=visitor, client_id=uuid.uuid4().hex, body="Merhaba"
        ).conversation
        assert list(conversation.labels.values_list("name", flat=True)) == ["VIP"]
        # The welcome flow greets the chat with its buttons.
        [welcome] = Message.objects.filter(conversation=conversation, sender="bot")
        assert [c["label"] for c in welcome.content["flow"]["choices"]] == [
            "Order status",
            "Returns",
            "Talk to a person",
        ]
