"""Access that ends when it should: a change of who may see what reaches every open inbox socket
at once, whether or not the socket sends frames (docs/security.md, Sockets).

The changes are made in this process, as the pages and Django admin make them; the push crosses
the channel layer (Redis) to the web process that holds the sockets. A push arrives well within
PUSHED seconds, far sooner than the sockets' own re-check (INBOX_ACCESS_RECHECK_SECONDS, 60 s on
these servers), so a frame that arrives in time was pushed.
"""

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.tenants import services as tenant_services
from apps.tenants.models import Role, Tenant
from tests.conversations.conftest import OperatorClient, VisitorClient, session_for
from tests.factories import MembershipFactory, TenantFactory, UserFactory, member
from tests.live import asgi_servers

PUSHED = 3.0


@pytest.fixture
def tenant(transactional_db):
    return TenantFactory(
        auto_assign=False,
        conversation_visibility=Tenant.Visibility.TEAMS,
        typing_preview=True,
    )


def _team(admin, name, *members):
    with scope(tenant=admin.tenant):
        team = tenant_services.team_create(membership=admin, name=name)
        tenant_services.team_set_members(
            membership=admin, team_id=team.pk, user_ids=[m.user_id for m in members]
        )
    return team


def _route(admin, number, team):
    with scope(tenant=admin.tenant):
        conversation = Conversation.objects.get(number=number)
        conversation_services.conversation_assign(
            membership=admin, conversation=conversation, team=team.pk
        )


def _open(inbox, number):
    inbox.send("subscribe", conversation=number, after_id=None)
    inbox.expect("history", conversation=number)
    inbox.send("contact_notes", conversation=number)
    inbox.expect("contact_notes", conversation=number)


def _signed_in(user, password=None) -> Client:
    client = Client()
    if password:
        assert client.login(email=user.email, password=password)
    else:
        client.force_login(user)
    return client


@pytest.mark.redis
def test_a_demoted_admin_loses_what_only_admins_see_at_once(server, tenant):
    owner = member(tenant, Role.OWNER)
    admin = member(tenant, Role.ADMIN)
    billing = _team(owner, "Billing", owner)
    inbox = OperatorClient(server, tenant.slug, session_for(admin.user))
    assert inbox.expect("ready")["me"]["admin"] is True

    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.say("Where is my refund?")
    number = inbox.expect("conversation")["conversation"]["number"]
    _route(owner, number, billing)
    inbox.expect("conversation", timeout=PUSHED)
    assert [c["number"] for c in inbox.listed()] == [number]
    _open(inbox, number)

    with scope(tenant=tenant):
        tenant_services.membership_change_role(actor=owner, membership=admin, role=Role.OPERATOR)

    # Without a frame from the page: the conversation it had open is gone, and a fresh
    # `ready` says who the person is now.
    assert inbox.expect("conversation_hidden", timeout=PUSHED)["conversation"] == number
    ready = inbox.expect("ready", timeout=PUSHED)
    assert ready["me"]["admin"] is False
    assert inbox.listed() == []
    inbox.send("subscribe", conversation=number, after_id=None)
    assert inbox.expect("error")["code"] == "not_found"

    # What happens in that conversation no longer reaches the socket.
    visitor.say("Hello?")
    visitor.send("typing", typing=True, text="still there")
    assert inbox.nothing(timeout=1.0, type_="message")
    assert not [f for f in inbox.seen if f["type"] in ("message", "typing")]


@pytest.mark.redis
def test_a_conversation_moved_out_of_sight_stops_streaming_to_the_operator(server, tenant):
    admin = member(tenant, Role.ADMIN)
    mehmet = member(tenant)
    support = _team(admin, "Support", mehmet)
    billing = _team(admin, "Billing", admin)
    watcher = OperatorClient(server, tenant.slug, session_for(admin.user))
    watcher.expect("ready")
    m = OperatorClient(server, tenant.slug, session_for(mehmet.user))
    m.expect("ready")

    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.say("My order is late")
    number = m.expect("conversation")["conversation"]["number"]
    _route(admin, number, support)
    _open(m, number)
    _open(watcher, number)
    visitor.send("typing", typing=True, text="order 1234")
    assert m.expect("typing", timeout=PUSHED)["text"] == "order 1234"

    _route(admin, number, billing)
    assert m.expect("conversation_hidden", timeout=PUSHED)["conversation"] == number

    # Notes, the typing preview, the visitor's panel, contact notes and messages of the
    # conversation go on, seen by the admin who still has it open, and none reach Mehmet.
    watcher.send("note", conversation=number, body="refund approved", client_id="n1")
    watcher.expect("activity", conversation=number)
    watcher.send("contact_note_add", conversation=number, body="VIP", client_id="c1")
    watcher.expect("contact_note")
    visitor.send("typing", typing=True, text="card 4242")
    assert watcher.expect("typing")["text"] == "card 4242"
    visitor.send("attributes", attributes={"plan": "gold"})
    watcher.expect("visitor", conversation=number)
    visitor.say("any news?")
    watcher.expect("message", conversation=number)
    assert m.nothing(timeout=1.0, type_="message")
    leaked = {"activity", "contact_note", "typing", "visitor", "message", "receipt"}
    after = m.seen[[f["type"] for f in m.seen].index("conversation_hidden") :]
    assert not [f for f in after if f["type"] in leaked]


@pytest.mark.redis
def test_leaving_a_team_hides_its_conversations_from_the_open_inbox(server, tenant):
    admin = member(tenant, Role.ADMIN)
    mehmet = member(tenant)
    support = _team(admin, "Support", mehmet)
    m = OperatorClient(server, tenant.slug, session_for(mehmet.user))
    assert m.expect("ready")["me"]["teams"] == [support.pk]

    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.say("Can I change my plan?")
    number = m.expect("conversation")["conversation"]["number"]
    _route(admin, number, support)
    _open(m, number)

    with scope(tenant=tenant):
        tenant_services.team_set_members(membership=admin, team_id=support.pk, user_ids=[])

    assert m.expect("conversation_hidden", timeout=PUSHED)["conversation"] == number
    assert m.expect("ready", timeout=PUSHED)["me"]["teams"] == []
    assert m.listed() == []
    visitor.send("typing", typing=True, text="the yearly one")
    assert m.nothing(timeout=1.0, type_="typing")


def _signed_out(inbox) -> None:
    """The socket ended for want of a valid session: the page reconnects once with the
    browser's cookie as it is now (static/inbox/socket.js)."""
    assert inbox.expect("error", timeout=PUSHED)["code"] == "unauthenticated"
    assert inbox.closed_with() == 4401


@pytest.mark.redis
def test_a_password_change_ends_the_other_sessions_sockets(server, tenant):
    user = UserFactory(password="first-Passw0rd!")
    MembershipFactory(tenant=tenant, user=user)
    laptop = _signed_in(user, "first-Passw0rd!")
    phone = _signed_in(user, "first-Passw0rd!")
    laptop_tab = OperatorClient(server, tenant.slug, laptop.cookies["sessionid"].value)
    laptop_tab.expect("ready")
    phone_tab = OperatorClient(server, tenant.slug, phone.cookies["sessionid"].value)
    phone_tab.expect("ready")

    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": "first-Passw0rd!",
            "new_password1": "second-Passw0rd!",
            "new_password2": "second-Passw0rd!",
        },
    )
    assert response.status_code == 302

    # Both sockets end (the laptop's session got a new key with the new password); the
    # laptop's page reconnects with its new cookie and carries on, the phone is signed out.
    _signed_out(phone_tab)
    _signed_out(laptop_tab)
    assert OperatorClient(server, tenant.slug, laptop.cookies["sessionid"].value).expect("ready")
    again = OperatorClient(server, tenant.slug, phone.cookies["sessionid"].value)
    assert again.expect("error")["code"] == "unauthenticated"


@pytest.mark.redis
def test_an_account_deactivated_by_platform_staff_loses_its_sockets(server, tenant):
    operator = member(tenant)
    key = session_for(operator.user)
    inbox = OperatorClient(server, tenant.slug, key)
    inbox.expect("ready")
    staff = _signed_in(UserFactory(is_staff=True, is_superuser=True))

    response = staff.post(
        reverse("admin:tenants_user_changelist"),
        {"action": "deactivate", "_selected_action": [operator.user_id]},
    )
    assert response.status_code == 302

    _signed_out(inbox)
    again = OperatorClient(server, tenant.slug, key)
    assert again.expect("error")["code"] == "unauthenticated"


@pytest.mark.redis
def test_signing_out_ends_that_sessions_socket_and_keeps_the_others(server, tenant):
    operator = member(tenant)
    laptop = _signed_in(operator.user)
    phone = _signed_in(operator.user)
    leaving = OperatorClient(server, tenant.slug, laptop.cookies["sessionid"].value)
    leaving.expect("ready")
    staying = OperatorClient(server, tenant.slug, phone.cookies["sessionid"].value)
    staying.expect("ready")

    laptop.post(reverse("logout"))

    _signed_out(leaving)
    staying.send("ping")
    assert staying.expect("pong")
    assert not [f for f in staying.seen if f["type"] in ("revoked", "error")]


@pytest.mark.redis
def test_suspending_a_workspace_ends_its_inbox_sockets(server, tenant):
    operator = member(tenant)
    inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
    inbox.expect("ready")
    tenant_services.tenant_suspend(tenant=tenant)
    assert inbox.expect("revoked", timeout=PUSHED)["message"]
    assert inbox.closed_with() == 4403


def test_a_silent_socket_is_checked_again_without_any_push(tenant):
    """A change no push announced (made behind the services' back, or a push lost while the
    channel layer was down) still ends a socket that sends nothing at all."""
    with asgi_servers(1, INBOX_ACCESS_RECHECK_SECONDS="1", CACHE_KEY_PREFIX=uuid.uuid4().hex) as (
        server,
    ):
        owner = member(tenant, Role.OWNER)
        gone = member(tenant)
        demoted = member(tenant, Role.ADMIN)
        signed_out = member(tenant)
        removed = OperatorClient(server, tenant.slug, session_for(gone.user))
        removed.expect("ready")
        admin = OperatorClient(server, tenant.slug, session_for(demoted.user))
        assert admin.expect("ready")["me"]["admin"] is True
        key = session_for(signed_out.user)
        expired = OperatorClient(server, tenant.slug, key)
        expired.expect("ready")

        from django.contrib.sessions.models import Session

        with scopes_disabled():
            gone.delete()
            type(demoted).objects.filter(pk=demoted.pk).update(role=Role.OPERATOR)
            Session.objects.filter(session_key=key).delete()

        assert removed.expect("revoked", timeout=10)["message"]
        assert expired.expect("error", timeout=10)["code"] == "unauthenticated"
        assert admin.expect("ready", timeout=10)["me"]["admin"] is False
        assert owner.pk


@pytest.mark.redis
def test_a_contact_watched_from_a_conversation_that_left_sight_is_no_longer_streamed(
    server, tenant
):
    admin = member(tenant, Role.ADMIN)
    mehmet = member(tenant)
    support = _team(admin, "Support", mehmet)
    billing = _team(admin, "Billing", admin)
    watcher = OperatorClient(server, tenant.slug, session_for(admin.user))
    watcher.expect("ready")
    m = OperatorClient(server, tenant.slug, session_for(mehmet.user))
    m.expect("ready")
    first, second = (
        VisitorClient(server, tenant.widget_key),
        VisitorClient(server, tenant.widget_key),
    )
    for visitor in (first, second):
        visitor.hello()
        visitor.say("Hello")
    _route(admin, 1, support)
    _route(admin, 2, support)
    # Mehmet reads the first visitor's contact notes, then opens the second conversation.
    _open(m, 1)
    m.send("subscribe", conversation=2, after_id=None)
    m.expect("history", conversation=2)
    _open(watcher, 1)

    _route(admin, 1, billing)
    assert m.expect("conversation_hidden", timeout=PUSHED)["conversation"] == 1
    watcher.send("contact_note_add", conversation=1, body="pays late", client_id="c1")
    watcher.expect("contact_note")
    assert m.nothing(timeout=1.0, type_="contact_note")
