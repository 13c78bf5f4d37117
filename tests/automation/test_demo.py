"""The demo workspace works at once: its welcome message offers the welcome flow, its bot
answers a visitor in their language while nobody of the team is online, VIP customers' chats
are labelled, and the pricing page offers help after 30 seconds."""

import uuid

import pytest
from django.core.management import call_command
from django.utils import translation
from django_scopes import scope

from apps.automation import widget
from apps.automation.models import Rule
from apps.automation.services import flows as flow_services
from apps.conversations import services as conversation_services
from apps.conversations.models import Message
from apps.tenants.models import Tenant
from apps.visitors.services import visit_start, visitor_set_attributes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def demo() -> Tenant:
    call_command("seed_demo", "--no-superuser")
    call_command("seed_demo", "--no-superuser")  # made once
    return Tenant.objects.get(slug="demo")


def writes(visitor, body: str):
    return conversation_services.message_create(
        sender="visitor", visitor=visitor, client_id=uuid.uuid4().hex, body=body
    ).conversation


def test_the_demo_rules_are_made_once_and_label_a_vip_chat():
    tenant = demo()
    with scope(tenant=tenant):
        assert sorted(Rule.objects.values_list("name", flat=True)) == [
            "Help on the pricing page",
            "VIP customers",
        ]
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.5").visitor
        visitor_set_attributes(visitor=visitor, attributes={"plan": "VIP"})
        conversation = writes(visitor, "Merhaba")
        assert list(conversation.labels.values_list("name", flat=True)) == ["VIP"]


def test_the_welcome_message_offers_the_welcome_flow_and_it_greets_with_its_buttons():
    tenant = demo()
    with scope(tenant=tenant), translation.override("tr"):
        assert widget.config(tenant) == {
            "flows": [{"key": "welcome", "label": "Siparişimle ilgili yardım"}]
        }
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.5", language="en-GB").visitor
    with scope(tenant=tenant), translation.override("en"):
        flow_services.flow_start_for_visitor(visitor=visitor, key="welcome")
        [welcome] = Message.objects.filter(sender="bot")
        assert [c["label"] for c in welcome.content["flow"]["choices"]] == [
            "Order status",
            "Returns",
            "Talk to a person",
        ]


@pytest.mark.parametrize(
    ("language", "question", "answer"),
    [
        ("en-GB", "how many days does delivery take?", "Orders ship within 1-2 working days"),
        ("tr-TR", "kargo ucreti ne kadar", "750 TL ve üzeri siparişlerde kargo ücretsizdir"),
    ],
)
def test_the_demo_bot_answers_a_typed_question_while_nobody_is_online(language, question, answer):
    tenant = demo()
    with scope(tenant=tenant):
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.5", language=language).visitor
        conversation = writes(visitor, question)
        [reply] = Message.objects.filter(conversation=conversation, sender="bot")
    assert reply.body.startswith(answer)
