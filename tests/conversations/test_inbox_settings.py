"""The inbox's sections of Settings: assignment and capacity, teams, labels (admins only)."""

import pytest
from django.test import Client
from django_scopes import scope

from apps.conversations.models import Label
from apps.tenants.models import Membership, Role, Team
from tests.factories import TenantFactory, member


@pytest.fixture
def admin_client(db):
    tenant = TenantFactory()
    with scope(tenant=tenant):
        admin = member(tenant, Role.ADMIN, full_name="Ayşe Kaya")
        op = member(tenant, full_name="Mehmet Demir")
    client = Client()
    client.force_login(admin.user)
    return tenant, client, admin, op


def url(tenant, section: str = "inbox") -> str:
    return f"/app/{tenant.slug}/settings/{section}/"


def test_admin_creates_a_team_puts_members_in_it_and_sets_capacity(admin_client):
    tenant, client, admin, op = admin_client
    page = client.get(url(tenant))
    assert page.status_code == 200 and "Inbox and assignment" in page.content.decode()
    # The old address leads there.
    assert client.get(f"/app/{tenant.slug}/inbox/settings/").url == url(tenant)

    response = client.post(
        url(tenant, "teams"), {"action": "team_create", "name": "Billing"}, follow=True
    )
    assert "Team “Billing” created." in response.content.decode()
    with scope(tenant=tenant):
        team = Team.objects.get()
    response = client.post(
        url(tenant, "teams"), {"action": "members", f"team-{team.pk}-{op.user_id}": "on"}
    )
    assert response.status_code == 302
    response = client.post(
        url(tenant),
        {"action": "capacity", f"capacity-{admin.user_id}": "3", f"capacity-{op.user_id}": "0"},
    )
    assert response.status_code == 302
    with scope(tenant=tenant):
        assert Membership.objects.get(pk=admin.pk).capacity == 3
        assert Membership.objects.get(pk=op.pk).capacity == 0
        assert list(team.members.values_list("user_id", flat=True)) == [op.user_id]


def test_a_bad_capacity_changes_nothing(admin_client):
    tenant, client, admin, op = admin_client
    with scope(tenant=tenant):
        team = Team.objects.create(tenant=tenant, name="Sales")
    response = client.post(
        url(tenant),
        {"action": "capacity", f"capacity-{admin.user_id}": "4", f"capacity-{op.user_id}": "150"},
    )
    assert response.status_code == 400
    assert "Capacity is a number from 0 to 100." in response.content.decode()
    with scope(tenant=tenant):
        assert Membership.objects.get(pk=admin.pk).capacity == 5  # the valid part is not kept
        assert not team.members.exists()


def test_visibility_auto_assign_and_labels(admin_client):
    tenant, client, _admin, _op = admin_client
    client.post(url(tenant), {"action": "general", "visibility": "teams"})
    tenant.refresh_from_db()
    assert (tenant.conversation_visibility, tenant.auto_assign, tenant.typing_preview) == (
        "teams",
        False,
        False,
    )
    response = client.post(url(tenant), {"action": "general", "visibility": "everyone"})
    assert response.status_code == 400 and "Unknown visibility." in response.content.decode()

    labels = url(tenant, "labels")
    client.post(labels, {"action": "label_create", "name": "VIP", "color": "#aa0000"})
    response = client.post(labels, {"action": "label_create", "name": "vip"})
    assert response.status_code == 400
    assert "A label with this name already exists." in response.content.decode()
    with scope(tenant=tenant):
        assert list(Label.objects.values_list("name", "color")) == [("VIP", "#aa0000")]


def test_operators_cannot_open_it_and_other_workspaces_ids_are_refused(admin_client):
    tenant, client, _admin, op = admin_client
    other = TenantFactory()
    with scope(tenant=other):
        foreign = Team.objects.create(tenant=other, name="Theirs")
    response = client.post(url(tenant, "teams"), {"action": "team_delete", "team": str(foreign.pk)})
    assert response.status_code == 400 and "No such team in this workspace." in (
        response.content.decode()
    )
    with scope(tenant=other):
        assert Team.objects.filter(pk=foreign.pk).exists()

    operator = Client()
    operator.force_login(op.user)
    for section in ("inbox", "teams", "labels"):
        assert operator.get(url(tenant, section)).status_code == 403
