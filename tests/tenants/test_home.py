"""The workspace's home page: the conversations at a glance as each member may see them, who is
online and on the site, and the getting-started checklist that ticks itself."""

import json
import re
import uuid

import pytest
from django.urls import reverse
from django_scopes import scope

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.conversations.services.presence import presence_connect
from apps.tenants import home
from apps.tenants.models import Role, Team, Tenant
from apps.visitors.models import Visitor
from apps.visitors.services import presence_connect as visitor_presence_connect
from tests.factories import TenantFactory, member
from tests.utils import page_text

pytestmark = pytest.mark.django_db

STAT = re.compile(
    r'<a class="stat" href="([^"]+)" data-stat="([a-z_]+)"><span class="stat-value">(\d+)</span>'
)
STEP = re.compile(r'<li(?: class="(done)")? data-step="([a-z_]+)">')


def dashboard_url(tenant) -> str:
    return reverse("tenants:dashboard", kwargs={"slug": tenant.slug})


def counts_on(client, tenant) -> dict[str, int]:
    page = client.get(dashboard_url(tenant))
    assert page.status_code == 200
    found = STAT.findall(page.content.decode())
    inbox = reverse("inbox:inbox", kwargs={"slug": tenant.slug})
    # Each count opens the inbox, the conversation counts on the view they count.
    views = {
        "waiting": "?assignee=all&amp;status=open&amp;sort=waiting",
        "unassigned": "?assignee=unassigned&amp;status=open",
        "open": "?assignee=all&amp;status=open",
        "mine": "?assignee=mine&amp;status=open",
    }
    assert {key: url for url, key, _value in found} == {
        key: inbox + views.get(key, "") for _url, key, _value in found
    }
    return {key: int(value) for _url, key, value in found}


def steps_on(client, tenant) -> dict[str, bool]:
    """The checklist's steps on the home page: done or not ({} when the checklist is gone)."""
    page = client.get(dashboard_url(tenant))
    return {key: bool(done) for done, key in STEP.findall(page.content.decode())}


def visitor_writes(tenant, body="Hello?"):
    visitor = Visitor.objects.create(tenant=tenant)
    return conversation_services.message_create(
        sender="visitor", visitor=visitor, client_id=uuid.uuid4().hex, body=body
    ).conversation


@pytest.fixture
def crew():
    """A workspace where operators see only their teams' conversations: Ayşe (admin) and
    Mehmet (operator, in Billing), and a conversation of every kind the counts tell apart."""
    tenant = TenantFactory(
        name="Lale Çiçekçilik", auto_assign=False, conversation_visibility=Tenant.Visibility.TEAMS
    )
    ayse = member(tenant, Role.ADMIN, full_name="Ayşe Kaya")
    mehmet = member(tenant, full_name="Mehmet Demir")
    with scope(tenant=tenant):
        billing = Team.objects.create(tenant=tenant, name="Billing")
        sales = Team.objects.create(tenant=tenant, name="Sales")
        mehmet.teams.add(billing)

        def assign(conversation, **how):
            conversation_services.conversation_assign(
                membership=ayse, conversation=conversation, **how
            )

        visitor_writes(tenant, "nobody's yet")  # seen by both
        assign(visitor_writes(tenant, "for billing"), team=billing.pk)  # seen by both
        assign(visitor_writes(tenant, "for sales"), team=sales.pk)  # Ayşe's eyes only
        answered = visitor_writes(tenant, "Mehmet answered")
        assign(answered, assignee=mehmet.user_id)
        conversation_services.message_create(
            sender="operator",
            conversation=answered,
            author=mehmet.user,
            client_id=uuid.uuid4().hex,
            body="On it",
        )
        assign(visitor_writes(tenant, "Ayşe's"), assignee=ayse.user_id, team=sales.pk)
        done = visitor_writes(tenant, "all done")
        conversation_services.conversation_resolve(membership=ayse, conversation=done)
    return tenant, ayse, mehmet


def test_the_counts_are_what_each_member_may_see(client, crew):
    tenant, ayse, mehmet = crew
    client.force_login(ayse.user)
    assert counts_on(client, tenant) == {
        "waiting": 4,  # every open one but the one Mehmet answered
        "unassigned": 3,
        "open": 5,  # the resolved one is not counted
        "mine": 1,
        "operators_online": 0,
        "visitors_online": 0,
    }
    client.force_login(mehmet.user)  # not Sales': neither "for sales" nor Ayşe's
    assert counts_on(client, tenant) == {
        "waiting": 2,
        "unassigned": 2,
        "open": 3,
        "mine": 1,
        "operators_online": 0,
        "visitors_online": 0,
    }
    with scope(tenant=tenant):
        assert Conversation.objects.filter(status=Conversation.Status.OPEN).count() == 5


def test_operators_online_and_visitors_on_the_site_are_counted(client, crew):
    tenant, ayse, mehmet = crew
    with scope(tenant=tenant):
        presence_connect(membership=mehmet)  # his inbox is open
        for visitor in Visitor.objects.all()[:2]:
            assert visitor_presence_connect(visitor=visitor)
    client.force_login(ayse.user)
    counts = counts_on(client, tenant)
    assert (counts["operators_online"], counts["visitors_online"]) == (1, 2)


def test_a_new_workspace_gets_the_checklist_with_the_snippet_to_paste(client):
    tenant = TenantFactory(name="Kahve Evi")
    client.force_login(member(tenant, Role.OWNER).user)
    page = client.get(dashboard_url(tenant))
    text = page_text(page)
    assert "Getting started" in text and "4 of 4 steps left." in text
    assert steps_on(client, tenant) == {
        "snippet": False,
        "teammate": False,
        "welcome": False,
        "hours": False,
    }
    assert f'"{tenant.widget_key}"' in text  # the tag to paste, under its step
    html = page.content.decode()
    widget = reverse("tenants:widget_settings", kwargs={"slug": tenant.slug})
    members = reverse("tenants:members", kwargs={"slug": tenant.slug})
    assert f'<a class="item-title" href="{widget}">Add the chat to your site</a>' in html
    assert f'<a class="item-title" href="{members}">Invite a teammate</a>' in html
    assert f'<a class="item-title" href="{widget}">Write your welcome message</a>' in html
    hours = reverse("offline:hours", kwargs={"slug": tenant.slug})
    assert f'<a class="item-title" href="{hours}">Set your business hours</a>' in html


def test_the_old_getting_started_address_opens_the_home_page(client):
    tenant = TenantFactory()
    client.force_login(member(tenant, Role.OWNER).user)
    response = client.get(reverse("tenants:onboarding", kwargs={"slug": tenant.slug}))
    assert response.status_code == 302 and response.url == dashboard_url(tenant)


def test_the_snippet_step_ticks_once_a_page_view_is_recorded(client):
    tenant = TenantFactory()
    client.force_login(member(tenant, Role.OWNER).user)
    assert steps_on(client, tenant)["snippet"] is False
    # The loader on the customer's page reports the view (the real beacon).
    beacon = client.post(
        reverse("widget:visit", kwargs={"widget_key": tenant.widget_key}),
        data=json.dumps({"token": None, "url": "https://shop.example.com/", "title": "Shop"}),
        content_type="text/plain",
        HTTP_ORIGIN="https://shop.example.com",
    )
    assert beacon.status_code == 200
    steps = steps_on(client, tenant)
    assert steps["snippet"] is True and steps["teammate"] is False
    assert f'"{tenant.widget_key}"' not in page_text(client.get(dashboard_url(tenant)))


def test_the_teammate_step_ticks_once_an_invitation_is_sent(client):
    tenant = TenantFactory()
    client.force_login(member(tenant, Role.OWNER).user)
    sent = client.post(
        reverse("tenants:member_invite", kwargs={"slug": tenant.slug}),
        {"email": "deniz@example.com", "role": Role.OPERATOR},
    )
    assert sent.status_code == 302
    assert steps_on(client, tenant)["teammate"] is True


def test_the_teammate_step_ticks_with_a_second_member(client):
    tenant = TenantFactory()
    client.force_login(member(tenant, Role.OWNER).user)
    member(tenant)
    assert steps_on(client, tenant)["teammate"] is True


def test_the_welcome_step_ticks_once_the_widget_settings_are_saved(client):
    tenant = TenantFactory()
    client.force_login(member(tenant, Role.OWNER).user)
    widget = reverse("tenants:widget_settings", kwargs={"slug": tenant.slug})
    client.get(widget)  # opening the page is not enough
    assert steps_on(client, tenant)["welcome"] is False
    saved = client.post(
        widget,
        {
            "color": "#2563eb",
            "position": "right",
            "welcome_title_en": "Hello",
            "welcome_message_en": "How can we help?",
        },
    )
    assert saved.status_code == 302
    assert steps_on(client, tenant)["welcome"] is True


def test_the_checklist_goes_away_when_every_step_is_done(client):
    tenant = TenantFactory()
    client.force_login(member(tenant, Role.OWNER).user)
    client.post(
        reverse("widget:visit", kwargs={"widget_key": tenant.widget_key}),
        data=json.dumps({"token": None, "url": "https://shop.example.com/"}),
        content_type="text/plain",
        HTTP_ORIGIN="https://shop.example.com",
    )
    member(tenant)
    client.post(
        reverse("tenants:widget_settings", kwargs={"slug": tenant.slug}),
        {"color": "#2563eb", "position": "right"},
    )
    client.post(
        reverse("offline:hours", kwargs={"slug": tenant.slug}),
        {"action": "hours", "enabled": "on", "start-0": "09:00", "end-0": "17:00"},
    )
    text = page_text(client.get(dashboard_url(tenant)))
    assert "Getting started" not in text and "At a glance" in text
    assert steps_on(client, tenant) == {}


def test_operators_see_the_counts_but_not_the_checklist(client):
    tenant = TenantFactory()
    client.force_login(member(tenant).user)
    text = page_text(client.get(dashboard_url(tenant)))
    assert "At a glance" in text and "Getting started" not in text


def test_another_app_adds_a_step_without_touching_the_home_page(client, monkeypatch):
    """The checklist is a registry: a later app (business hours, the bot) adds its step."""
    monkeypatch.setattr(home, "_checklist", dict(home._checklist))
    home.checklist_item(
        key="bot",
        label="Teach the bot",
        url_name="tenants:settings",
        done=lambda tenant: tenant.name == "Open all day",
        order=15,
    )
    tenant = TenantFactory(name="Closed at night")
    client.force_login(member(tenant, Role.OWNER).user)
    assert list(steps_on(client, tenant)) == ["snippet", "bot", "teammate", "welcome", "hours"]
    assert "5 of 5 steps left." in page_text(client.get(dashboard_url(tenant)))
