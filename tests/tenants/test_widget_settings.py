"""Widget settings: admins edit them, bad input is refused, the public config follows."""

import json
import re

import pytest
from django.urls import reverse
from django_scopes import scope

from apps.tenants.models import Role, WidgetSettings
from tests.factories import TenantFactory, member
from tests.utils import page_text

pytestmark = pytest.mark.django_db

VALID = {
    "color": "#aa3300",
    "position": "left",
    "launcher_text_en": "Ask us",
    "launcher_text_tr": "Bize sorun",
    "welcome_title_en": "Hello",
    "welcome_title_tr": "Merhaba",
    "welcome_message_en": "How can we help?",
    "welcome_message_tr": "Nasıl yardımcı olabiliriz?",
    "display_name": "Lale support",
    "allowed_origins": "https://shop.example.com/\nhttps://WWW.example.com",
}


@pytest.fixture
def admin_client(client):
    tenant = TenantFactory(name="Lale")
    client.force_login(member(tenant, Role.ADMIN).user)
    client.tenant = tenant
    return client


def url(tenant, name="tenants:widget_settings"):
    return reverse(name, kwargs={"slug": tenant.slug})


def config(client, tenant, **headers):
    return client.get(reverse("widget:config", kwargs={"widget_key": tenant.widget_key}), **headers)


def test_admin_saves_settings_and_the_public_config_follows(admin_client):
    tenant = admin_client.tenant
    page = admin_client.get(url(tenant))
    assert page.status_code == 200
    assert "Any website can show your chat" in page_text(page)
    assert tenant.widget_key in page_text(page)  # the embed snippet

    saved = admin_client.post(url(tenant), VALID)
    assert saved.status_code == 302
    with scope(tenant=tenant):
        widget = WidgetSettings.objects.get()
    assert widget.origins == ["https://shop.example.com", "https://www.example.com"]

    data = json.loads(config(admin_client, tenant).content)
    assert data["color"] == "#aa3300" and data["position"] == "left"
    assert data["welcome_title"] == "Hello" and data["display_name"] == "Lale support"
    turkish = json.loads(config(admin_client, tenant, HTTP_ACCEPT_LANGUAGE="tr-TR").content)
    assert turkish["welcome_title"] == "Merhaba" and turkish["launcher_text"] == "Bize sorun"
    assert "identity_secret" not in json.dumps(data) and widget.identity_secret not in str(data)
    # Sites on the list get the config; other sites are told no (the loader then draws nothing).
    assert config(admin_client, tenant, HTTP_ORIGIN="https://shop.example.com").status_code == 200
    refused = config(admin_client, tenant, HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403 and refused.json()["error"] == "origin_not_allowed"
    assert "Any website can show your chat" not in page_text(admin_client.get(url(tenant)))


@pytest.mark.parametrize(
    "field, value, complaint",
    [
        ("color", "red", "Use a colour like #2563eb."),
        ("allowed_origins", "shop.example.com", "is not a site address"),
        ("allowed_origins", "https://shop.example.com/path", "is not a site address"),
        ("allowed_origins", "javascript:alert(1)", "is not a site address"),
        ("position", "middle", "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(admin_client, field, value, complaint):
    tenant = admin_client.tenant
    admin_client.post(url(tenant), VALID)
    response = admin_client.post(
        url(tenant), {**VALID, field: value, "launcher_text_en": "Changed"}
    )
    assert response.status_code == 400
    assert complaint in page_text(response)
    with scope(tenant=tenant):
        assert WidgetSettings.objects.get().launcher_text == "Ask us"


def test_avatar_must_be_an_image(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    tenant = admin_client.tenant
    fake = SimpleUploadedFile("a.png", b"<script>alert(1)</script>", content_type="image/png")
    response = admin_client.post(url(tenant), {**VALID, "avatar": fake})
    assert response.status_code == 400
    assert "Upload a valid image" in page_text(response)


def test_identity_secret_regenerates_and_operators_cannot_see_it(admin_client, client):
    tenant = admin_client.tenant
    with scope(tenant=tenant):
        from apps.tenants.services import widget_settings_get

        before = widget_settings_get(tenant=tenant).identity_secret
    assert before in page_text(admin_client.get(url(tenant)))
    admin_client.post(url(tenant, "tenants:widget_secret_regenerate"))
    with scope(tenant=tenant):
        after = WidgetSettings.objects.get().identity_secret
    assert after != before and after in page_text(admin_client.get(url(tenant)))

    client.force_login(member(tenant, Role.OPERATOR).user)
    assert client.get(url(tenant)).status_code == 403
    assert client.post(url(tenant, "tenants:widget_secret_regenerate")).status_code == 403
    with scope(tenant=tenant):
        assert WidgetSettings.objects.get().identity_secret == after


def test_hosted_chat_page_and_frame_carry_the_allowlist(client):
    tenant = TenantFactory()
    page = client.get(reverse("widget:chat", kwargs={"widget_key": tenant.widget_key}))
    assert page.status_code == 200
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    assert "X-Frame-Options" not in page
    with scope(tenant=tenant):
        from apps.tenants.services import widget_settings_get

        widget = widget_settings_get(tenant=tenant)
        widget.allowed_origins = "https://shop.example.com"
        widget.save()
    framed = client.get(
        reverse("widget:chat", kwargs={"widget_key": tenant.widget_key}), {"embed": 1}
    )
    assert "frame-ancestors https://shop.example.com" in framed["Content-Security-Policy"]
    assert "script-src 'self'" in framed["Content-Security-Policy"]
    assert client.get("/w/wk_nope/chat/").status_code == 404


def test_the_preview_is_for_admins_and_only_the_settings_page_frames_it(admin_client, client):
    from apps.conversations.views.widget import launcher_css

    tenant = admin_client.tenant
    preview_url = url(tenant, "widget:preview")
    assert f'src="{preview_url}"' in admin_client.get(url(tenant)).content.decode()

    preview = admin_client.get(preview_url)
    assert preview.status_code == 200
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    policy = preview["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "'unsafe-inline'" not in policy
    body = preview.content.decode()
    # the chat window's own markup, and the launcher with the loader's own stylesheet
    assert '<main class="chat">' in body and 'id="composer"' in body
    assert launcher_css().startswith(":host{all:initial}") and ".l{display:flex" in launcher_css()
    assert launcher_css() in body
    # the chat window's words in every language, for the preview's language buttons
    data = json.loads(re.search(r'id="sohbet-preview"[^>]*>(.*?)</script>', body).group(1))
    assert data["strings"]["tr"]["placeholder"] == "Mesajınızı yazın…"
    assert data["strings"]["en"]["placeholder"] == "Type your message…"
    assert data["fallbacks"]["tr"] == ["tr", "en"]
    assert data["workspace"] == "Lale"

    client.force_login(member(tenant, Role.OPERATOR).user)
    assert client.get(preview_url).status_code == 403
    client.logout()
    assert client.get(preview_url).status_code == 302  # to the login page
