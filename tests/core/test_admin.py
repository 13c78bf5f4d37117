"""Every Django admin page opens for a superuser, across workspaces (admin runs unscoped)."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from apps.automation import demo as automation_demo
from apps.automation.models import Firing, Rule
from apps.conversations import services as conversation_services
from apps.conversations.services import message_create, presence_connect
from apps.offline import services as offline_services
from apps.tenants import services
from apps.tenants.models import Role, Team, Tenant
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    a, b = TenantFactory(name="Alpha"), TenantFactory(name="Beta")
    for tenant in (a, b):
        owner = member(tenant, Role.OWNER)
        member(tenant, Role.OPERATOR)
        with scope(tenant=tenant):
            services.invitation_create(
                actor=owner,
                email=f"inv@{tenant.slug}.test",
                role="operator",
                accept_url_template="{token}",
            )
            start = visit_start(
                tenant=tenant, token=None, ip="10.0.0.1", page={"url": "https://shop.test/"}
            )
            posted = message_create(
                sender="visitor", visitor=start.visitor, client_id="c1", body="hello"
            )
            Team.objects.create(tenant=tenant, name="Billing")
            label = conversation_services.label_create(membership=owner, name="VIP")
            conversation_services.conversation_label(
                membership=owner, conversation=posted.conversation, add=[label.pk]
            )
            conversation_services.note_add(
                membership=owner, conversation=posted.conversation, body="PRIVATE-NOTE"
            )
            services.widget_settings_get(tenant=tenant)
            presence_connect(membership=owner)
            # Offline: settings, an email thread, a rating.
            offline_services.offline_settings_update(membership=owner, values={})
            offline_services.email_thread_open(
                conversation=posted.conversation, address="deniz@example.com"
            )
            resolved = conversation_services.conversation_set_status(
                membership=owner, conversation=posted.conversation, status="resolved"
            )
            offline_services.rating_give(conversation=resolved, score=5, comment="Thanks")
            # Automation: the demo's flow and rules, and a firing of one of them.
            automation_demo.seed(tenant)
            Firing.objects.create(
                tenant=tenant,
                rule=Rule.objects.first(),
                conversation=posted.conversation,
                key="e1",
                done=[{"type": "label_add"}],
            )
    return a, b


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_changelist_and_change_page_opens(superuser_client, data):
    assert admin.site._registry, "no models registered"
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = superuser_client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, model
        search = superuser_client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "a"})
        assert search.status_code == 200, model
        if model_admin.has_add_permission(changelist.wsgi_request):
            add = superuser_client.get(reverse("admin:{}_{}_add".format(*info)))
            assert add.status_code == 200, model
        with scopes_disabled():
            objects = list(model._default_manager.all()[:3])
        for obj in objects:
            change = superuser_client.get(
                reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            )
            assert change.status_code == 200, (model, obj.pk)
            assert b"hello" not in change.content or model._meta.model_name != "message"
            assert b"PRIVATE-NOTE" not in change.content  # private notes stay out of admin


def test_tenant_owned_rows_of_all_workspaces_are_listed(superuser_client, data):
    body = superuser_client.get(reverse("admin:tenants_invitation_changelist")).content.decode()
    assert "inv@workspace" in body and body.count("inv@") >= 2
    filtered = superuser_client.get(
        reverse("admin:tenants_membership_changelist"), {"tenant__id__exact": data[0].pk}
    )
    assert filtered.status_code == 200


def test_suspend_and_reactivate_actions(superuser_client, data):
    a, b = data
    url = reverse("admin:tenants_tenant_changelist")
    superuser_client.post(url, {"action": "suspend", "_selected_action": [a.pk]})
    a.refresh_from_db(), b.refresh_from_db()
    assert a.status == Tenant.Status.SUSPENDED and a.suspended_at is not None
    assert b.status == Tenant.Status.ACTIVE
    superuser_client.post(url, {"action": "reactivate", "_selected_action": [a.pk]})
    a.refresh_from_db()
    assert a.status == Tenant.Status.ACTIVE and a.suspended_at is None


def test_staff_switch_a_workspaces_rule_off_and_on(superuser_client, data):
    """A rule that misbehaves can be stopped from admin; it is not edited there."""
    with scopes_disabled():
        rule = Rule.objects.filter(tenant=data[0], enabled=True).first()
    url = reverse("admin:automation_rule_changelist")
    superuser_client.post(url, {"action": "switch_off", "_selected_action": [rule.pk]})
    rule.refresh_from_db()
    assert not rule.enabled
    with scopes_disabled():
        assert Rule.objects.filter(tenant=data[1], enabled=False).count() == 0  # only that one
    superuser_client.post(url, {"action": "switch_on", "_selected_action": [rule.pk]})
    rule.refresh_from_db()
    assert rule.enabled
    change = superuser_client.get(reverse("admin:automation_rule_change", args=[rule.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content


def test_non_staff_cannot_open_admin(client, data):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:tenants_membership_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url
