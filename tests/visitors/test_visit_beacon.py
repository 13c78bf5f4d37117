"""The loader's page-view beacon: recognises returning browsers, records pages, refuses abuse."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from apps.tenants.services import tenant_suspend, widget_settings_get
from apps.visitors.models import PageView, Visitor, VisitorSession, VisitorToken
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def beacon(client, tenant, origin="https://shop.example.com", **data):
    body = {"token": None, "url": "https://shop.example.com/", "title": "Shop", **data}
    return client.post(
        reverse("widget:visit", kwargs={"widget_key": tenant.widget_key}),
        data=json.dumps(body),
        content_type="text/plain",  # what the loader sends: no CORS preflight
        HTTP_ORIGIN=origin,
        HTTP_USER_AGENT=CHROME,
    )


def test_first_visit_issues_a_token_and_a_returning_browser_is_recognised(client):
    tenant = TenantFactory()
    first = beacon(client, tenant, language="tr-TR", timezone="Europe/Istanbul")
    assert first.status_code == 200
    assert first["Access-Control-Allow-Origin"] == "https://shop.example.com"
    token = first.json()["token"]
    assert token.startswith("vt_") and len(token) > 40 and first.json()["returning"] is False

    again = beacon(
        client,
        tenant,
        token=token,
        url="https://shop.example.com/pricing",
        title="Pricing",
        referrer="https://shop.example.com/",
    )
    assert again.json() == {"token": token, "visitor": first.json()["visitor"], "returning": True}
    with scope(tenant=tenant):
        assert Visitor.objects.count() == 1
        # Only a hash of the token is stored.
        assert not VisitorToken.objects.filter(token_hash=token).exists()
        session = VisitorSession.objects.get()
        assert (session.browser, session.os, session.language) == ("Chrome 131", "Windows", "tr-TR")
        assert session.timezone == "Europe/Istanbul"
        pages = list(PageView.objects.order_by("viewed_at").values_list("url", "title"))
    assert pages == [
        ("https://shop.example.com/", "Shop"),
        ("https://shop.example.com/pricing", "Pricing"),
    ]


def test_the_beacons_utc_offset_gives_way_to_the_zone_name_the_chat_window_sends(client):
    """The loader sends the UTC offset (Intl's zone name costs the host page 15-50 ms); the chat
    window's hello brings the name, which then stays."""
    from apps.visitors.services import visit_start

    tenant = TenantFactory()
    token = beacon(client, tenant, timezone="+03:00").json()["token"]
    with scope(tenant=tenant):
        assert VisitorSession.objects.get().timezone == "+03:00"
        visit_start(tenant=tenant, token=token, ip="10.0.0.1", tz="Europe/Istanbul")
        assert VisitorSession.objects.get().timezone == "Europe/Istanbul"
    beacon(client, tenant, token=token, timezone="+03:00")  # another page: still the name
    with scope(tenant=tenant):
        visit_start(tenant=tenant, token=token, ip="10.0.0.1", tz="Asia/Baku")  # not replaced
        assert VisitorSession.objects.get().timezone == "Europe/Istanbul"


def test_page_views_moments_apart_write_the_last_seen_times_once_a_minute(client):
    """Each page view sends a beacon and then opens its presence socket, both continuing the
    visit: the page is recorded each time, the "last seen" times at most once a minute."""
    tenant = TenantFactory()
    token = beacon(client, tenant).json()["token"]

    def seen():
        with scope(tenant=tenant):
            return (
                VisitorToken.objects.get().last_used_at,
                VisitorSession.objects.get().last_seen_at,
                Visitor.objects.get().last_seen_at,
            )

    first = seen()
    again = beacon(client, tenant, token=token, url="https://shop.example.com/b")
    assert again.status_code == 200 and again.json()["returning"] is True
    assert seen() == first  # moments later: not written again
    long_ago = timezone.now() - timedelta(minutes=2)
    with scope(tenant=tenant):
        VisitorToken.objects.update(last_used_at=long_ago)
        VisitorSession.objects.update(last_seen_at=long_ago)
        Visitor.objects.update(last_seen_at=long_ago)
    beacon(client, tenant, token=token, url="https://shop.example.com/c")
    assert all(value > long_ago for value in seen())
    with scope(tenant=tenant):
        assert PageView.objects.count() == 3 and Visitor.objects.get().visits == 1


def test_bad_beacons_get_clear_errors(client):
    tenant = TenantFactory()
    url = reverse("widget:visit", kwargs={"widget_key": tenant.widget_key})
    not_json = client.post(url, data="{oops", content_type="text/plain")
    assert not_json.status_code == 400 and not_json.json()["error"] == "bad_request"
    unknown = client.post("/w/wk_nope/visit", data="{}", content_type="text/plain")
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_widget"
    # A javascript: address is not recorded as a page.
    beacon(client, tenant, url="javascript:alert(1)")
    with scope(tenant=tenant):
        assert PageView.objects.count() == 0
    tenant_suspend(tenant=tenant)
    assert beacon(client, tenant).json()["error"] == "workspace_suspended"


def test_sites_off_the_allowlist_are_refused(client):
    tenant = TenantFactory()
    with scope(tenant=tenant):
        widget = widget_settings_get(tenant=tenant)
        widget.allowed_origins = "https://shop.example.com"
        widget.save()
    assert beacon(client, tenant).status_code == 200
    refused = beacon(client, tenant, origin="https://evil.example")
    assert refused.status_code == 403 and refused.json()["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in refused


def test_new_visitors_per_ip_are_limited(client, settings):
    settings.RATELIMIT_ENABLE = True
    settings.CHAT_NEW_VISITORS_PER_IP_PER_HOUR = 2
    tenant = TenantFactory()
    assert [beacon(client, tenant).status_code for _ in range(2)] == [200, 200]
    limited = beacon(client, tenant)
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert limited.json()["retry_after"] > 0
    with scope(tenant=tenant):
        assert Visitor.objects.count() == 2
