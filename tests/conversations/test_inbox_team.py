"""Two operators and visitors over real sockets: assignment, notes, labels, queue places and
bad input, as the inbox and the widget see them."""

import json

import pytest
from django_scopes import scope

from apps.tenants.models import Role
from tests.conversations.conftest import OperatorClient, VisitorClient, session_for
from tests.factories import TenantFactory, member


@pytest.fixture
def pair(transactional_db):
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        ayse = member(tenant, Role.ADMIN, full_name="Ayşe Kaya", email="ayse@example.com")
        mehmet = member(tenant, full_name="Mehmet Demir", email="mehmet@example.com")
    return tenant, ayse, mehmet


def test_assignment_notes_and_labels_reach_the_other_operator_live(server, pair):
    tenant, ayse, mehmet = pair
    a = OperatorClient(server, tenant.slug, session_for(ayse.user))
    ready = a.expect("ready")
    assert {m["name"] for m in ready["members"]} == {"Ayşe Kaya", "Mehmet Demir"}
    assert ready["me"]["admin"] is True
    m = OperatorClient(server, tenant.slug, session_for(mehmet.user))
    m.expect("ready")

    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.say("I was charged twice")
    number = a.expect("conversation")["conversation"]["number"]
    m.expect("conversation")

    # Ayşe assigns it to Mehmet: both lists update; Mehmet gets an alert; the history says so.
    a.send("subscribe", conversation=number, after_id=None)
    a.expect("history")
    a.send("assign", conversation=number, assignee=mehmet.user_id)
    assert m.expect("conversation")["conversation"]["assignee"] == mehmet.user_id
    alert = m.take("alert")
    assert (alert["kind"], alert["conversation"], alert["by"]) == (
        "assigned",
        number,
        ayse.user_id,
    )
    entry = a.take("activity")["activity"]
    assert entry["kind"] == "assigned" and entry["data"]["assignee"] == mehmet.user_id

    # Mehmet filters "mine" and finds it; the first page brings the tabs' counts.
    m.send("list", request="r1", filters={"assignee": "mine", "status": "open"})
    listed = m.expect("list", request="r1")
    assert [c["number"] for c in listed["conversations"]] == [number]
    assert listed["counts"] == {"mine": 1, "unassigned": 0, "teams": 0, "all": 1}
    assert listed["more"] is False and listed["cursor"] is None
    m.send("counts", filters={"status": "open"})
    assert m.expect("counts")["counts"]["mine"] == 1

    # A private note with a mention: Mehmet is alerted; the visitor gets nothing.
    a.send("note", conversation=number, body="@Mehmet refund it please", client_id="n1")
    assert a.expect("note_ack", client_id="n1")["conversation"] == number
    mention = m.take("alert", kind="mention")
    assert mention["preview"] == "@Mehmet refund it please"
    m.send("subscribe", conversation=number, after_id=None)
    history = m.expect("history")
    assert [x["body"] for x in history["activities"] if x["kind"] == "note"] == [
        "@Mehmet refund it please"
    ]

    # Labels: created once, applied, and the list row carries it.
    a.send("label_create", name="Refund", color="#d14343")
    label = a.expect("label_created")["label"]
    assert m.take("labels")["labels"][0]["name"] == "Refund"
    m.send("label", conversation=number, add=[label["id"]])
    assert a.expect("conversation")["conversation"]["labels"] == [label["id"]]

    # The visitor saw the operator side of none of this.
    while not visitor.nothing(timeout=1.0):
        pass  # read everything the visitor was sent
    raw = json.dumps(visitor.seen)
    assert '"ack"' in raw  # (what they did receive is in there: their message's ack)
    for secret in ("refund it please", "Refund", "assigned", "Mehmet"):
        assert secret not in raw
    for client in (visitor, a, m):
        client.close()


def test_bad_requests_get_clear_errors_and_change_nothing(server, pair):
    tenant, ayse, _mehmet = pair
    other = TenantFactory()
    with scope(tenant=other):
        stranger = member(other)
    a = OperatorClient(server, tenant.slug, session_for(ayse.user))
    a.expect("ready")
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.say("hello")
    number = a.expect("conversation")["conversation"]["number"]

    a.send("assign", conversation=number, assignee=stranger.user_id)
    error = a.expect("error")
    assert error["code"] == "not_a_member" and "not a member" in error["message"]

    a.send("list", filters={"colour": "red"})
    error = a.expect("error")
    assert error["code"] == "unknown_filter" and "colour" in error["message"]
    a.send("list", request="p2", filters={}, cursor="somewhere")
    error = a.expect("error")
    assert (error["code"], error["request"]) == ("invalid_cursor", "p2")

    a.send("label", conversation=number, add=[987654])
    assert a.expect("error")["code"] == "unknown_label"

    a.send("status", conversation=number, status="resolved")
    a.expect("conversation")
    a.send("note", conversation=number, body="too late")
    error = a.expect("error")
    assert error["code"] == "conversation_resolved" and "Reopen" in error["message"]

    a.send("status", conversation=number, status="snoozed", until="tomorrow")
    assert a.expect("error")["field"] == "until"

    a.send("list", request="after", filters={})
    row = a.expect("list", request="after")["conversations"][0]
    assert (row["status"], row["assignee"], row["labels"]) == ("resolved", None, [])
    a.close()
    visitor.close()


def test_a_waiting_visitor_sees_their_place_in_the_queue(server, transactional_db):
    tenant = TenantFactory(auto_assign=True)
    with scope(tenant=tenant):
        op = member(tenant, full_name="Only One")
        op.capacity = 1
        op.save()
    inbox = OperatorClient(server, tenant.slug, session_for(op.user))
    inbox.expect("ready")

    first = VisitorClient(server, tenant.widget_key)
    first.hello()
    first.say("first!")
    assert first.expect("queue")["position"] is None  # assigned straight away
    second = VisitorClient(server, tenant.widget_key)
    second.hello()
    second.say("second")
    assert second.expect("queue")["position"] == 1
    third = VisitorClient(server, tenant.widget_key)
    token = third.hello()["visitor"]["token"]
    third.say("third")
    assert third.expect("queue")["position"] == 2
    # A reconnecting visitor learns their place in the ready frame.
    third.close()
    again = VisitorClient(server, tenant.widget_key)
    assert again.hello(token=token)["queue"] == 2

    # The operator resolves the first conversation: the queue moves up.
    number = inbox.expect("conversation")["conversation"]["number"]
    inbox.send("status", conversation=number, status="resolved")
    assert second.take("queue", position=None)
    assert again.take("queue", position=1)
    for client in (inbox, first, second, again):
        client.close()


def test_the_inbox_list_comes_a_page_at_a_time_and_opens_any_conversation_whole(server, pair):
    from apps.conversations import selectors, services
    from apps.visitors.models import Visitor

    tenant, ayse, _mehmet = pair
    with scope(tenant=tenant):
        numbers = [
            services.message_create(
                sender="visitor",
                visitor=Visitor.objects.create(tenant=tenant),
                client_id=f"c{i}",
                body=f"n{i}",
            ).conversation.number
            for i in range(selectors.LIST_PAGE + 5)
        ]
    a = OperatorClient(server, tenant.slug, session_for(ayse.user))
    ready = a.expect("ready")
    # The title's count needs no list: every one of them waits for an answer.
    assert sorted(ready["attention"]) == sorted(numbers)
    assert "conversations" not in ready

    a.send("list", request="p1", filters={"status": "open"})
    first = a.expect("list", request="p1")
    assert len(first["conversations"]) == selectors.LIST_PAGE and first["more"] is True
    assert first["counts"]["all"] == len(numbers)
    a.send("list", request="p2", filters={"status": "open"}, cursor=first["cursor"])
    second = a.expect("list", request="p2")
    assert second["more"] is False and "counts" not in second
    listed = [c["number"] for c in first["conversations"] + second["conversations"]]
    assert listed == sorted(numbers, reverse=True)  # newest activity first, each once

    # The oldest one is on no page loaded first; opening it brings its summary with it.
    a.send("subscribe", conversation=numbers[0], after_id=None)
    history = a.expect("history")
    assert history["summary"]["number"] == numbers[0]
    assert history["summary"]["preview"] == "n0" and history["messages"][0]["body"] == "n0"
    a.close()
