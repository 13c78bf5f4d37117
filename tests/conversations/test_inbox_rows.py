"""A busy workspace's list rows: a burst of messages reaches each operator's list at its latest,
the open conversation's messages in order, and each operator sees only what they may see."""

import time
import uuid

import pytest
from django_scopes import scope

from apps.conversations.models import Conversation
from apps.tenants.models import Role, Tenant
from tests.conversations.conftest import OperatorClient, VisitorClient, session_for
from tests.factories import TenantFactory, member


@pytest.fixture
def workspace(transactional_db):
    tenant = TenantFactory(auto_assign=False, conversation_visibility=Tenant.Visibility.TEAMS)
    with scope(tenant=tenant):
        ayse = member(tenant, Role.ADMIN, full_name="Ayşe Kaya", email="ayse@example.com")
        mehmet = member(tenant, full_name="Mehmet Demir", email="mehmet@example.com")
    return tenant, ayse, mehmet


def _rows_until(operator: OperatorClient, want: dict[int, str], timeout: float = 10) -> dict:
    """Apply the operator's frames as the inbox page does until every conversation in
    ``want`` shows its preview there; returns the list as shown (number -> preview, or None
    for a row the list dropped)."""
    shown: dict[int, str | None] = {}
    deadline = time.monotonic() + timeout
    while any(shown.get(n) != preview for n, preview in want.items()):
        frame = operator.recv(timeout=max(0.1, deadline - time.monotonic()))
        if frame["type"] == "conversation":
            shown[frame["conversation"]["number"]] = frame["conversation"]["preview"]
        elif frame["type"] == "conversation_hidden":
            shown[frame["conversation"]] = None
    return shown


def test_a_burst_of_messages_reaches_the_lists_and_each_operator_sees_their_own(server, workspace):
    tenant, ayse, mehmet = workspace
    visitors = []
    for i in range(4):
        visitor = VisitorClient(server, tenant.widget_key)
        visitor.hello()
        visitor.say(f"first {i}")
        visitors.append(visitor)
    with scope(tenant=tenant):
        ordered = Conversation.objects.filter(tenant=tenant).order_by("pk")
        numbers = list(ordered.values_list("number", flat=True))
        # The first visitor's conversation is Ayşe's: Mehmet (no team) may not see it.
        Conversation.objects.filter(tenant=tenant, number=numbers[0]).update(assignee=ayse.user)
    a = OperatorClient(server, tenant.slug, session_for(ayse.user))
    a.expect("ready")
    m = OperatorClient(server, tenant.slug, session_for(mehmet.user))
    m.expect("ready")
    a.send("subscribe", conversation=numbers[1], after_id=None)
    a.expect("history")

    # Twelve messages, three per conversation, sent without waiting for any answer.
    sent = []
    for round_ in range(3):
        for i, visitor in enumerate(visitors):
            client_id = uuid.uuid4().hex
            visitor.send("message", client_id=client_id, body=f"round {round_} from {i}")
            sent.append((visitor, client_id))
    for visitor, client_id in sent:
        visitor.expect("ack", client_id=client_id)

    latest = {numbers[i]: f"round 2 from {i}" for i in range(4)}
    assert _rows_until(a, latest) == latest
    # The open conversation's messages came one by one, in order, each at once.
    bodies = [f["message"]["body"] for f in a.seen if f["type"] == "message"]
    assert bodies == [f"round {r} from 1" for r in range(3)]
    # Mehmet's list: the three conversations he may see, at their latest; Ayşe's never shown.
    mine = {n: p for n, p in latest.items() if n != numbers[0]}
    shown = _rows_until(m, mine)
    assert {n: p for n, p in shown.items() if n != numbers[0]} == mine
    assert shown.get(numbers[0]) is None
    assert numbers[0] not in {
        f["conversation"]["number"] for f in m.raw if f["type"] == "conversation"
    }
    assert not any(f["type"] == "message" for f in m.seen)
