"""Every page family sends a Content-Security-Policy, read here over real HTTP: the pages of the
app, the sign-in and signup pages, Django admin, error pages, the chat window (framed only by
the workspace's allowed sites) and the demo shop. Where a page has an inline script or style,
it carries a nonce that is new with every response and named by that response's header."""

import re

import pytest
from django_scopes import scope

from apps.conversations.services import label_create
from apps.tenants.models import Role
from apps.tenants.services import widget_settings_get
from tests.factories import PASSWORD, TenantFactory, UserFactory, member
from tests.http import WebClient

pytestmark = pytest.mark.django_db(transaction=True)

# The policy of every page but the chat window.
APP_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def policy(response) -> dict[str, list[str]]:
    header = response.header("Content-Security-Policy")
    assert header, f"no Content-Security-Policy ({response.status})"
    assert not response.header("Content-Security-Policy-Report-Only")
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice"
        directives[name] = sources
    return directives


def without_nonce(directives: dict) -> dict:
    return {
        name: [s for s in sources if not NONCE.fullmatch(s)] for name, sources in directives.items()
    }


def nonces(response) -> tuple[set[str], set[str]]:
    """The nonces the header names, and those the page's tags carry."""
    header = set(NONCE.findall(response.header("Content-Security-Policy")))
    tags = set(re.findall(r'<(?:script|style)\b[^>]*\snonce="([^"]+)"', response.text))
    return header, tags


@pytest.fixture
def owner():
    tenant = TenantFactory(name="Lale")
    owner = member(tenant, Role.OWNER, email="owner@lale.test")
    with scope(tenant=tenant):
        label_create(membership=owner, name="VIP", color="#aa3300")
    return owner


@pytest.fixture
def web(live_server):
    def client(user=None, *, admin: bool = False) -> WebClient:
        client = WebClient(live_server.url)
        if user is not None:
            login = "/admin/login/" if admin else "/accounts/login/"
            client.get(login)
            assert client.post(login, {"username": user.email, "password": PASSWORD}).status == 302
        return client

    return client


def test_public_pages_send_the_policy(web):
    client = web()
    for path in [
        "/",
        "/accounts/login/",
        "/signup/",
        "/signup/sent/",
        "/accounts/password/reset/",
        "/invite/no-such-invitation/",  # an error page (404)
        "/no/such/page/",
    ]:
        response = client.get(path)
        assert response.status in (200, 404), path
        assert policy(response) == APP_POLICY, path
        assert response.header("X-Frame-Options") == "DENY", path


def test_the_operators_pages_send_the_policy(web, owner):
    client = web(owner.user)
    slug = owner.tenant.slug
    for path in [
        f"/app/{slug}/",
        f"/app/{slug}/inbox/",
        f"/app/{slug}/canned/",
        f"/app/{slug}/members/",
        f"/app/{slug}/settings/",
        f"/app/{slug}/settings/widget/",
        f"/app/{slug}/settings/inbox/",
        f"/app/{slug}/settings/teams/",
        "/accounts/profile/",
        "/accounts/password/change/",
    ]:
        response = client.get(path)
        assert response.status == 200, path
        assert policy(response) == APP_POLICY, path
        assert response.header("X-Frame-Options") == "DENY", path


def test_a_page_with_an_inline_style_gets_a_fresh_nonce_per_response(web, owner):
    """The labels' settings colour their labels in a <style> element of the page."""
    client = web(owner.user)
    seen = set()
    for _ in range(2):
        response = client.get(f"/app/{owner.tenant.slug}/settings/labels/")
        assert response.status == 200
        assert without_nonce(policy(response)) == APP_POLICY
        header, tags = nonces(response)
        assert len(header) == 1 and tags == header
        assert len(next(iter(header))) >= 22  # 128 random bits, base64
        assert f"'nonce-{next(iter(header))}'" in policy(response)["style-src"]
        seen |= header
    assert len(seen) == 2


def test_django_admin_sends_the_policy(web):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = web(staff, admin=True)
    for path in ["/admin/", "/admin/tenants/tenant/", "/admin/tenants/user/", "/admin/login/"]:
        response = client.get(path)
        assert response.status in (200, 302), path
        assert policy(response) == APP_POLICY, path


def test_the_chat_window_is_framed_only_by_the_allowed_sites(web, owner):
    tenant = owner.tenant
    chat = f"/w/{tenant.widget_key}/chat/?embed=1"
    expected = {
        **APP_POLICY,
        "img-src": ["'self'", "data:", "https:"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    anyone = web().get(chat)
    assert anyone.status == 200
    assert policy(anyone) == {**expected, "frame-ancestors": ["*"]}
    assert not anyone.header("X-Frame-Options")

    def allow():
        with scope(tenant=tenant):
            widget = widget_settings_get(tenant=tenant)
            widget.allowed_origins = "https://shop.example.com\nhttps://www.example.com"
            widget.save()

    allow()
    listed = web().get(chat)
    assert policy(listed) == {
        **expected,
        "frame-ancestors": ["https://shop.example.com", "https://www.example.com"],
    }


def test_the_demo_shop_runs_its_snippet_with_a_fresh_nonce(web, owner):
    seen = set()
    for _ in range(2):
        response = web().get(f"/demo/?key={owner.tenant.widget_key}")
        assert response.status == 200
        directives = policy(response)
        assert without_nonce(directives) == APP_POLICY
        header, tags = nonces(response)
        assert len(header) == 1 and tags == header
        nonce = f"'nonce-{next(iter(header))}'"
        assert nonce in directives["script-src"] and nonce in directives["style-src"]
        seen |= header
    assert len(seen) == 2


def test_no_policy_allows_inline_code_or_eval(web, owner):
    pages = [web(owner.user).get(f"/app/{owner.tenant.slug}/inbox/"), web().get("/demo/?key=x")]
    pages.append(web().get(f"/w/{owner.tenant.widget_key}/chat/"))
    for response in pages:
        header = response.header("Content-Security-Policy")
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
