"""Each condition and action of a rule, and the triggers not covered elsewhere: what a rule sees
of a conversation and its visitor, and what it changes (real PostgreSQL; handlers after
commit)."""

import uuid

import pytest
from django.core import mail
from django_scopes import scope

from apps.automation import conditions, selectors
from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.offline.services import rating_give
from apps.tenants.models import Role
from apps.tenants.services import widget_settings_get
from apps.visitors.models import Visitor
from apps.visitors.services import visit_start, visitor_set_attributes
from tests.automation.helpers import Workspace
from tests.factories import member, signed_identity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def holds(ws, *items, match="all"):
    with scope(tenant=ws.tenant):
        definition = conditions.clean(
            {"match": match, "items": list(items)}, tenant_id=ws.tenant.pk
        )
        conversation = Conversation.objects.select_related("visitor", "tenant").get(
            pk=ws.conversation.pk
        )
        context = selectors.context_for(conversation=conversation, message="latest_visitor")
        return conditions.holds(definition, context)


def test_every_condition_on_a_conversation_and_its_visitor():
    ws = Workspace()
    with scope(tenant=ws.tenant):
        visitor_set_attributes(
            visitor=ws.visitor, attributes={"country": "TR", "plan": "Gold Plus", "spent": 250}
        )
    ws.writes("Merhaba, kargo ücreti ne kadar?")
    number = ws.fresh().number
    assert number == 1
    cases = [
        ({"field": "text", "op": "contains", "value": "KARGO"}, True),
        ({"field": "text", "op": "not_contains", "value": "iade"}, True),
        ({"field": "text", "op": "matches", "value": r"ücret\w* ne"}, True),
        ({"field": "language", "op": "is", "value": "tr"}, True),
        ({"field": "language", "op": "is_not", "value": "tr"}, False),
        ({"field": "attribute", "name": "plan", "op": "contains", "value": "gold"}, True),
        ({"field": "attribute", "name": "spent", "op": "lt", "value": "300"}, True),
        ({"field": "attribute", "name": "spent", "op": "gt", "value": "300"}, False),
        ({"field": "attribute", "name": "nickname", "op": "not_set"}, True),
        ({"field": "attribute", "name": "plan", "op": "set"}, True),
        ({"field": "country", "op": "is", "value": "tr"}, True),
        ({"field": "verified", "op": "is", "value": False}, True),
        ({"field": "returning", "op": "is", "value": False}, True),
        ({"field": "earlier_conversations", "op": "equals", "value": 0}, True),
        ({"field": "business_hours", "op": "is", "value": True}, True),  # no hours: always open
        ({"field": "team_online", "op": "is", "value": False}, True),  # nobody online
        ({"field": "label", "op": "has_not", "value": ws.label("VIP")}, True),
        ({"field": "team", "op": "is", "value": None}, True),
        ({"field": "assignee", "op": "is", "value": None}, True),
        ({"field": "channel", "op": "is", "value": "chat"}, True),
        ({"field": "status", "op": "is", "value": "open"}, True),
        ({"field": "page", "op": "contains", "value": "/pricing"}, False),
    ]
    wrong = [item for item, expected in cases if holds(ws, item) is not expected]
    assert wrong == []
    # A returning visitor: a second conversation after the first is resolved.
    with scope(tenant=ws.tenant):
        conversation_services.conversation_resolve(membership=ws.admin, conversation=ws.fresh())
        Conversation.objects.filter(pk=ws.conversation.pk).update(
            resolved_at="2020-01-01T00:00:00Z"
        )
    ws.writes("yine ben")
    assert ws.fresh().number == 2
    assert holds(ws, {"field": "returning", "op": "is", "value": True})
    assert holds(ws, {"field": "earlier_conversations", "op": "gt", "value": 0})
    assert holds(
        ws,
        {"field": "text", "op": "contains", "value": "iade"},
        {"field": "text", "op": "contains", "value": "yine"},
        match="any",
    )


def test_status_attribute_and_team_email_actions():
    ws = Workspace()
    colleague = member(ws.tenant, Role.OPERATOR, full_name="Mehmet Yılmaz")
    with scope(tenant=ws.tenant):
        ws.team.members.add(colleague)
    ws.rule(
        name="Night shift",
        trigger="visitor_message",
        actions=[
            {"type": "set_attribute", "name": "asked_at_night", "value": True},
            {"type": "notify_team", "team": ws.team.pk},
            {"type": "set_status", "status": "snoozed", "minutes": 30},
        ],
    )
    ws.writes("acil yardım lazım")
    conversation = ws.fresh()
    assert conversation.status == "snoozed" and conversation.snoozed_until is not None
    with scope(tenant=ws.tenant):
        assert Visitor.objects.get(pk=ws.visitor.pk).attributes == {"asked_at_night": True}
    [email] = mail.outbox
    assert email.to == [colleague.user.email]
    assert f"#{conversation.number}" in email.subject
    assert f"/app/{ws.tenant.slug}/inbox/{conversation.number}/" in email.body


def test_assigned_rated_and_identified_trigger_their_rules():
    ws = Workspace()
    for trigger in ("assigned", "rating_received", "visitor_identified"):
        ws.rule(
            name=trigger,
            trigger=trigger,
            actions=[{"type": "set_attribute", "name": trigger, "value": "yes"}],
        )
    with scope(tenant=ws.tenant):
        start = visit_start(tenant=ws.tenant, token=None, ip="10.0.0.7", language="tr")
    ws.visitor = start.visitor
    ws.writes("merhaba")
    with scope(tenant=ws.tenant):
        conversation_services.conversation_assign(
            membership=ws.admin, conversation=ws.fresh(), assignee=ws.admin.user_id
        )
        conversation_services.conversation_resolve(membership=ws.admin, conversation=ws.fresh())
        rating_give(conversation=ws.fresh(), score=5)
        secret = widget_settings_get(tenant=ws.tenant).identity_secret
        conversation_services.visitor_identify(
            visitor=ws.visitor,
            token_hash=start.token_hash,
            **signed_identity(secret, "customer-42"),
        )
        attributes = Visitor.objects.get(pk=ws.visitor.pk).attributes
    assert attributes == {"assigned": "yes", "rating_received": "yes", "visitor_identified": "yes"}


def test_a_message_rule_fires_once_however_often_the_message_is_sent():
    ws = Workspace()
    rule = ws.rule(
        trigger="visitor_message", actions=[{"type": "label_add", "label": ws.label("a")}]
    )
    client_id = uuid.uuid4().hex
    with scope(tenant=ws.tenant):
        for _ in range(2):
            conversation_services.message_create(
                sender="visitor", visitor=ws.visitor, client_id=client_id, body="hi"
            )
    assert len(ws.firings(rule)) == 1
