"""The live chat path over real sockets on a real web process (DESIGN.md §4)."""

import uuid

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from apps.conversations.models import Conversation, Message
from tests.conversations.conftest import OperatorClient, VisitorClient, session_for
from tests.factories import TenantFactory, member


@pytest.fixture
def team(transactional_db):
    tenant = TenantFactory()
    operator = member(tenant, full_name="Ayşe Operator")
    return tenant, operator


def test_visitor_and_operator_chat_both_ways(server, team):
    tenant, operator = team
    inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
    ready = inbox.expect("ready")
    assert ready["attention"] == [] and inbox.listed() == []
    assert ready["me"]["name"] == "Ayşe Operator"

    visitor = VisitorClient(server, tenant.widget_key)
    hello = visitor.hello()
    assert hello["visitor"]["token"].startswith("vt_")
    assert hello["team"]["online"] is True  # the operator's socket is open
    assert hello["messages"] == [] and hello["conversation"] is None

    ack = visitor.say("Where is my order?")
    assert ack["duplicate"] is False
    summary = inbox.expect("conversation")["conversation"]
    assert summary["preview"] == "Where is my order?"
    assert summary["unread"] == 1 and summary["waiting_since"]
    number = summary["number"]

    inbox.send("subscribe", conversation=number, after_id=None)
    history = inbox.expect("history")
    assert [m["body"] for m in history["messages"]] == ["Where is my order?"]
    assert history["visitor"]["returning"] is False

    reply = inbox.reply(number, "It ships today.")
    got = visitor.expect_message(sender="operator")
    assert got["id"] == reply["id"] and got["body"] == "It ships today."
    assert got["sender"] == "operator" and got["author"]["name"] == "Ayşe Operator"

    # The visitor reads the reply: the operator sees the read receipt.
    visitor.send("read", up_to=reply["id"])
    receipt = inbox.expect("receipt")
    assert receipt == {
        "type": "receipt",
        "conversation": number,
        "up_to": reply["id"],
        "state": "read",
    }

    # Typing both ways.
    visitor.send("typing", typing=True)
    assert inbox.expect("typing")["author"] == "visitor"
    inbox.send("typing", conversation=number, typing=True)
    assert visitor.expect("typing")["author"]["name"] == "Ayşe Operator"

    # Resolve: the visitor is told; the visitor's next message reopens the same conversation.
    inbox.send("resolve", conversation=number)
    assert visitor.expect("conversation")["conversation"]["status"] == "resolved"
    ack2 = visitor.say("One more thing")
    assert ack2["conversation"] == ack["conversation"]
    assert visitor.expect("conversation")["conversation"]["status"] == "open"
    visitor.close()
    inbox.close()


def test_only_the_operators_who_have_a_conversation_open_get_its_messages(server, team):
    """Every inbox gets the conversation's list row; the message itself goes to the sockets
    that have the conversation open, before the row, and stops when they close it."""
    tenant, operator = team
    colleague = member(tenant, full_name="Can Colleague")
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.say("first")
    watching = OperatorClient(server, tenant.slug, session_for(operator.user))
    watching.expect("ready")
    number = watching.listed()[0]["number"]
    watching.send("subscribe", conversation=number, after_id=None)
    watching.expect("history")
    other = OperatorClient(server, tenant.slug, session_for(colleague.user))
    other.expect("ready")

    sent = visitor.say("second")
    got = watching.expect("message")
    assert got["conversation"] == number
    assert got["message"]["id"] == sent["id"] and got["message"]["body"] == "second"
    # The row comes after the message (a row that came first was read past above).
    assert watching.expect("conversation", timeout=2)["conversation"]["preview"] == "second"
    assert other.expect("conversation")["conversation"]["preview"] == "second"
    assert not any(frame["type"] == "message" for frame in other.seen)

    watching.send("unsubscribe", conversation=number)
    visitor.say("third")
    assert watching.expect("conversation")["conversation"]["preview"] == "third"
    assert other.expect("conversation")["conversation"]["preview"] == "third"
    assert watching.nothing(0.3, type_="message") and other.nothing(0.3, type_="message")
    for sock in (visitor, watching, other):
        sock.close()


def test_the_sending_tab_gets_an_ack_and_the_visitors_other_tabs_the_message(server, team):
    """A visitor's message goes back to their other tabs, not to the socket that sent it: its
    ack says it is stored (half the frames a message costs the visitor's side). Both the
    first message, which opens the conversation, and the next ones; an operator's reply
    still reaches every tab."""
    tenant, operator = team
    inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
    inbox.expect("ready")
    sender = VisitorClient(server, tenant.widget_key)
    token = sender.hello()["visitor"]["token"]
    other = VisitorClient(server, tenant.widget_key)
    other.hello(token=token)

    first = sender.say("Hello from tab one")
    second = sender.say("And again")
    for ack in (first, second):
        got = other.expect_message()
        assert (got["id"], got["client_id"], got["sender"]) == (
            ack["id"],
            ack["client_id"],
            "visitor",
        )
    number = inbox.expect("conversation")["conversation"]["number"]
    reply = inbox.reply(number, "Hi both tabs")
    assert sender.expect_message()["id"] == reply["id"]  # the first message frame it gets
    assert other.expect_message()["id"] == reply["id"]
    assert sender.nothing(timeout=0.5, type_="message")
    for client in (sender, other, inbox):
        client.close()


def test_same_client_id_is_stored_and_shown_once(server, team):
    tenant, _operator = team
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    client_id = str(uuid.uuid4())
    first = visitor.say("hello once", client_id=client_id)
    again = visitor.say("hello once", client_id=client_id)
    assert again["id"] == first["id"] and again["duplicate"] is True
    with scopes_disabled():
        assert Message.objects.filter(client_id=client_id).count() == 1


def test_returning_visitor_is_recognised_with_history(server, team):
    tenant, _operator = team
    first = VisitorClient(server, tenant.widget_key)
    ready = first.hello()
    token = ready["visitor"]["token"]
    first.say("I was here before")
    first.close()

    again = VisitorClient(server, tenant.widget_key)
    ready2 = again.hello(token=token)
    assert ready2["visitor"]["id"] == ready["visitor"]["id"]
    assert "token" not in ready2["visitor"]  # the browser keeps its token; no new one
    assert ready2["visitor"]["returning"] is True
    assert [m["body"] for m in ready2["messages"]] == ["I was here before"]


def test_resume_after_disconnect_gets_everything_missed_in_order(server, team):
    tenant, operator = team
    visitor = VisitorClient(server, tenant.widget_key)
    token = visitor.hello()["visitor"]["token"]
    last = visitor.say("first")["id"]
    visitor.close()  # the visitor's connection drops

    inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
    inbox.expect("ready")
    number = inbox.listed()[0]["number"]
    sent = [inbox.reply(number, f"reply {i}")["id"] for i in range(5)]

    back = VisitorClient(server, tenant.widget_key)
    ready = back.hello(token=token, last_id=last)
    assert [m["id"] for m in ready["messages"]] == sent
    assert [m["body"] for m in ready["messages"]] == [f"reply {i}" for i in range(5)]


def test_message_bodies_are_encrypted_at_rest(server, team):
    tenant, _operator = team
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.say("my card ends 4242")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM conversations_message")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all("4242" not in body for body in stored)
    with scope(tenant=tenant):
        assert Message.objects.get().body == "my card ends 4242"
        assert Conversation.objects.get().number == 1


def test_widget_shows_the_team_online_only_while_an_operator_is(server, team):
    tenant, operator = team
    visitor = VisitorClient(server, tenant.widget_key)
    assert visitor.hello()["team"]["online"] is False  # nobody has the inbox open

    inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
    inbox.expect("ready")
    assert visitor.expect("team")["online"] is True
    inbox.send("presence", status="away")
    assert inbox.expect("presence", status="away")["team"] == {"online": 0}
    assert visitor.expect("team")["online"] is False
    inbox.send("presence", status="online")
    assert visitor.expect("team")["online"] is True
    inbox.send("presence", status="dancing")
    assert inbox.expect("error")["field"] == "status"
    inbox.close()  # the last inbox socket closes: the team is away
    assert visitor.expect("team")["online"] is False
