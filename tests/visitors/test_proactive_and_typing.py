"""Proactive chats (an operator writes first) and the typing sneak peek, over real sockets."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from apps.conversations.models import Activity, Conversation, Message
from apps.tenants.models import Team, Tenant
from tests.conversations.conftest import VisitorClient
from tests.factories import PASSWORD, TenantFactory
from tests.utils import page_text
from tests.visitors.conftest import chatting_visitor, inbox_for

TULIPS = {"url": "https://shop.example.com/tulips", "title": "Tulips"}


def test_an_operator_starts_a_chat_and_the_visitors_window_is_asked_to_open(server, team):
    tenant, operator, _admin = team
    inbox = inbox_for(server, operator)
    inbox.send("live_subscribe")
    inbox.expect("live_visitors")
    visitor = VisitorClient(server, tenant.widget_key)
    ready = visitor.hello(page=TULIPS)
    public_id = inbox.expect("live_visitor")["visitor"]["id"]

    inbox.send(
        "proactive_start", visitor=public_id, client_id="ext:p1", body="Need help with tulips?"
    )
    started = inbox.expect("proactive_started")
    assert started["client_id"] == "ext:p1" and started["visitor"] == public_id
    assert started["duplicate"] is False
    number = started["conversation"]

    got = visitor.expect_message(sender="operator")
    assert got["body"] == "Need help with tulips?" and got["author"]["name"] == "Ayşe Operator"
    opened = visitor.expect("open")
    assert opened["message"] == got["id"] and opened["conversation"]["status"] == "open"
    assert "number" not in opened["conversation"]  # visitors never see workspace numbers

    while not (summary := inbox.expect("conversation")["conversation"])["preview"]:
        pass  # the new conversation's row, then the same row with the message
    assert summary["number"] == number and summary["preview"] == "Need help with tulips?"
    assert summary["assignee"] == operator.user_id
    with scopes_disabled():
        conversation = Conversation.objects.get(tenant=tenant, number=number)
        assert conversation.assignee_id == operator.user_id and conversation.assigned_at
        assert conversation.visitor.public_id.hex == ready["visitor"]["id"]
        assert Activity.objects.filter(
            conversation=conversation, kind=Activity.Kind.ASSIGNED, actor=operator.user
        ).exists()

    # Resending the same frame (a lost answer) stores nothing twice and opens nothing again.
    inbox.send(
        "proactive_start", visitor=public_id, client_id="ext:p1", body="Need help with tulips?"
    )
    again = inbox.expect("proactive_started")
    assert again["duplicate"] is True and again["id"] == started["id"]
    # A second proactive message goes into the same conversation.
    inbox.send("proactive_start", visitor=public_id, client_id="ext:p2", body="We deliver today.")
    assert inbox.expect("proactive_started")["conversation"] == number

    # The visitor answers in that conversation.
    ack = visitor.say("Yes please!")
    assert ack["conversation"] == conversation.public_id
    with scopes_disabled():
        assert Conversation.objects.filter(tenant=tenant).count() == 1
        assert Message.objects.filter(conversation=conversation).count() == 3
    visitor.close()
    inbox.close()


def test_a_proactive_chat_joins_the_visitors_open_conversation_and_keeps_its_assignee(server, team):
    tenant, operator, admin = team
    alice = inbox_for(server, operator)
    visitor, number = chatting_visitor(server, tenant, alice, "Anyone there?")
    with scopes_disabled():
        Conversation.objects.filter(number=number, tenant=tenant).update(assignee=operator.user)
    bob = inbox_for(server, admin)
    public_id = visitor.seen[0]["visitor"]["id"]
    bob.send("proactive_start", visitor=public_id, client_id="ext:b1", body="Deniz here, hi!")
    assert bob.expect("proactive_started")["conversation"] == number
    with scopes_disabled():
        assert Conversation.objects.get(number=number, tenant=tenant).assignee == operator.user
    visitor.close()
    alice.close()
    bob.close()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"visitor": "0" * 32, "body": "Hi"}, "not_found"),
        ({"visitor": "not-an-id", "body": "Hi"}, "not_found"),
        ({"visitor": None, "body": "Hi"}, "not_found"),
        ({"body": "   "}, "empty"),
        ({"body": "x" * 5001}, "too_long"),
        ({"body": {"html": "<b>hi</b>"}}, "invalid"),
    ],
)
def test_bad_proactive_starts_get_an_error_and_change_nothing(server, team, fields, code):
    tenant, operator, _admin = team
    inbox = inbox_for(server, operator)
    visitor = VisitorClient(server, tenant.widget_key)
    public_id = visitor.hello()["visitor"]["id"]
    inbox.send("proactive_start", **{"visitor": public_id, "client_id": "ext:x", **fields})
    error = inbox.expect("error")
    assert error["code"] == code and error["message"] and error["client_id"] == "ext:x"
    with scopes_disabled():
        assert not Conversation.objects.exists() and not Message.objects.exists()
    assert visitor.nothing(type_="open")
    visitor.close()
    inbox.close()


def test_a_proactive_chat_cannot_reach_another_workspaces_visitor(server, team):
    _tenant, operator, _admin = team
    other = TenantFactory()
    theirs = VisitorClient(server, other.widget_key)
    public_id = theirs.hello()["visitor"]["id"]
    inbox = inbox_for(server, operator)
    inbox.send("proactive_start", visitor=public_id, client_id="ext:y", body="Hello stranger")
    error = inbox.expect("error")
    assert error["code"] == "not_found" and error["message"]
    assert theirs.nothing()
    with scopes_disabled():
        assert not Conversation.objects.exists() and not Message.objects.exists()
    theirs.close()
    inbox.close()


# --- typing sneak peek -------------------------------------------------------------------------


def test_operators_see_what_the_visitor_types_when_the_workspace_allows_it(server, team):
    tenant, operator, _admin = team
    assert tenant.typing_preview is True  # the default
    inbox = inbox_for(server, operator)
    visitor, number = chatting_visitor(server, tenant, inbox)

    visitor.send("typing", typing=True, text="My order number is 12")
    frame = inbox.expect("typing")
    assert frame == {
        "type": "typing",
        "conversation": number,
        "typing": True,
        "author": "visitor",
        "text": "My order number is 12",
    }
    visitor.send("typing", typing=False)
    stopped = inbox.expect("typing")
    assert stopped["typing"] is False and "text" not in stopped

    # Frames that come too fast are held back, not lost: the latest text still arrives.
    visitor.send("typing", typing=True, text="I")
    visitor.send("typing", typing=True, text="I n")
    visitor.send("typing", typing=True, text="I need")
    while (latest := inbox.expect("typing")["text"]) != "I need":
        assert latest in ("I", "I n")
    assert inbox.nothing(timeout=0.5, type_="typing")  # and nothing older comes after it
    # Capped, whatever the client sends.
    visitor.send("typing", typing=True, text="y" * 3000)
    assert len(inbox.expect("typing")["text"]) == 1000
    visitor.close()
    inbox.close()


def test_without_the_setting_operators_get_only_the_typing_flag(server, team):
    tenant, operator, _admin = team
    Tenant.objects.filter(pk=tenant.pk).update(typing_preview=False)
    inbox = inbox_for(server, operator)
    visitor, number = chatting_visitor(server, tenant, inbox)
    visitor.send("typing", typing=True, text="my secret draft")
    frame = inbox.expect("typing")
    assert frame == {"type": "typing", "conversation": number, "typing": True, "author": "visitor"}
    assert "my secret draft" not in str(inbox.seen)
    visitor.close()
    inbox.close()


def test_the_widget_says_so_only_while_the_setting_is_on_and_admins_can_turn_it_off(client, team):
    tenant, _operator, admin = team
    config_url = reverse("widget:config", kwargs={"widget_key": tenant.widget_key})
    chat_url = reverse("widget:chat", kwargs={"widget_key": tenant.widget_key}) + "?embed=1"
    note = "Our team may see your message as you type it"
    assert client.get(config_url).json()["typing_preview"] is True
    assert note in page_text(client.get(chat_url))

    # The admin turns it off on the inbox settings page (apps.conversations).
    client.login(email=admin.user.email, password=PASSWORD)
    settings_url = reverse("inbox_settings:general", kwargs={"slug": tenant.slug})
    assert "Show operators what visitors are typing" in page_text(client.get(settings_url))
    general = {"action": "general", "visibility": "all", "auto_assign": "on"}
    assert client.post(settings_url, general).status_code == 302  # the box unticked
    tenant.refresh_from_db()
    assert tenant.typing_preview is False
    assert client.get(config_url).json()["typing_preview"] is False
    assert note not in page_text(client.get(chat_url))

    client.post(settings_url, {**general, "typing_preview": "on"})
    tenant.refresh_from_db()
    assert tenant.typing_preview is True
    assert note in page_text(client.get(chat_url))


def test_operators_cannot_change_the_setting(client, team):
    tenant, operator, _admin = team
    client.login(email=operator.user.email, password=PASSWORD)
    settings_url = reverse("inbox_settings:general", kwargs={"slug": tenant.slug})
    response = client.post(settings_url, {"action": "general", "visibility": "all"})
    assert response.status_code == 403
    tenant.refresh_from_db()
    assert tenant.typing_preview is True


def test_a_proactive_chat_respects_who_sees_which_conversation(server, team):
    tenant, operator, admin = team
    Tenant.objects.filter(pk=tenant.pk).update(conversation_visibility=Tenant.Visibility.TEAMS)
    with scope(tenant=tenant):
        sales = Team.objects.create(tenant=tenant, name="Sales")
        admin.teams.add(sales)
    watcher = inbox_for(server, admin)
    visitor, number = chatting_visitor(server, tenant, watcher, "Price for 100 roses?")
    with scopes_disabled():
        Conversation.objects.filter(tenant=tenant, number=number).update(
            team=sales, assignee=admin.user
        )
    public_id = visitor.seen[0]["visitor"]["id"]
    outsider = inbox_for(server, operator)  # not in Sales
    outsider.send("proactive_start", visitor=public_id, client_id="ext:z", body="Hi!")
    error = outsider.expect("error")
    assert error["code"] == "forbidden" and "team" in error["message"]
    with scopes_disabled():
        assert Message.objects.filter(conversation__number=number).count() == 1
    visitor.nothing()
    assert not [
        f for f in visitor.seen if f["type"] == "open" or f.get("message", {}).get("body") == "Hi!"
    ]
    for client in (visitor, watcher, outsider):
        client.close()
