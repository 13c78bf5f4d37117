"""A workspace's pages hold its customers' data: no shared cache may keep them, and the
browser asks again instead of showing them from its cache (after a sign-out, on Back)."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.tenants.models import Role
from tests.factories import TenantFactory, member

PAGES = [
    "tenants:dashboard",
    "inbox:inbox",
    "inbox:visitors",
    "tenants:settings",
    "tenants:widget_settings",
    "inbox_settings:general",
    "tenants:members",
    "canned:list",
    "canned:api_list",
    "offline:hours",
]


@pytest.mark.django_db
def test_workspace_pages_are_kept_by_no_cache():
    owner = member(TenantFactory(), Role.OWNER)
    client = Client()
    client.force_login(owner.user)
    for name in PAGES:
        response = client.get(reverse(name, kwargs={"slug": owner.tenant.slug}))
        assert response.status_code == 200, name
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store", "no-cache"} <= directives, (name, directives)


@pytest.mark.django_db
def test_the_public_pages_are_not_marked_private():
    response = Client().get(reverse("tenants:landing"))
    assert "private" not in response.get("Cache-Control", "")
