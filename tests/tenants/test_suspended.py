import pytest
from django.urls import reverse

from apps.tenants import services
from apps.tenants.models import Role
from tests.factories import TenantFactory, member
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def test_members_of_a_suspended_workspace_see_a_clear_page(client):
    m = member(TenantFactory(name="Gone Shop"), Role.OWNER)
    services.tenant_suspend(tenant=m.tenant)
    client.force_login(m.user)
    for name in ["dashboard", "members", "settings"]:
        response = client.get(reverse(f"tenants:{name}", kwargs={"slug": m.tenant.slug}))
        assert response.status_code == 403
        assert "This workspace is suspended" in page_text(response)
    services.tenant_reactivate(tenant=m.tenant)
    assert (
        client.get(reverse("tenants:dashboard", kwargs={"slug": m.tenant.slug})).status_code == 200
    )


def test_public_widget_endpoint_refuses_politely_when_suspended(client):
    tenant = TenantFactory()
    url = reverse("widget:config", kwargs={"widget_key": tenant.widget_key})
    ok = client.get(url)
    assert ok.status_code == 200 and ok.json()["workspace"] == tenant.name
    services.tenant_suspend(tenant=tenant)
    refused = client.get(url)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "workspace_suspended",
        "message": "Chat is not available on this site at the moment.",
    }
    unknown = client.get(reverse("widget:config", kwargs={"widget_key": "wk_nope"}))
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_widget"


def test_widget_keys_are_long_and_random():
    keys = {TenantFactory().widget_key for _ in range(20)}
    assert len(keys) == 20 and all(len(k) >= 32 for k in keys)
