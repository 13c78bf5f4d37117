"""A generated battery of odd input against every HTTP endpoint: each URL pattern (from the
resolver, so a new one joins by itself), its path filled from a real workspace, visitor,
conversation, canned response and invitation, asked with GET and POST by an anonymous visitor,
an operator and a workspace admin, with odd query strings, form fields, JSON bodies, headers and
cookies. Nothing may answer 500 or log an error; refused input is a 400 that says why, in the
endpoint's own shape."""

import json
import logging
import re
from http.cookies import Morsel
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope

from apps.automation.services import flow_save, rule_save
from apps.bot.services import entry_save
from apps.canned.services import canned_create
from apps.conversations.services import message_create
from apps.core.text import unstorable
from apps.offline.services import offline_settings_update
from apps.tenants import services
from apps.tenants.models import Role
from apps.visitors.services import visit_start
from tests.core.odd import ODD_JSON
from tests.factories import TenantFactory, member

pytestmark = pytest.mark.django_db

# Django admin is reached by platform staff only: the identities here are sent to its login
# page before any admin view reads input, so its index and login stand for its other hundred
# routes (Django's own code, behind the same input check).
ADMIN_ROUTES = {"admin:index", "admin:login"}


def routes() -> list[tuple[str, list[str]]]:
    """(url name, its path parameters) for every URL pattern."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace])) or None
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if p.callback.__module__ == "django.views.static":
                    continue  # files under MEDIA_URL, served this way with DEBUG only
                name = f"{namespace}:{p.name}" if namespace else p.name
                if name and name.startswith("admin:") and name not in ADMIN_ROUTES:
                    continue
                if p.name is None and route.startswith("admin/"):
                    continue  # the admin's catch-all
                assert p.name, f"a route without a name: {route}"
                found.append((name, re.findall(r"<(?:\w+:)?(\w+)>", route)))

    walk(get_resolver().url_patterns, "", None)
    return found


ROUTES = routes()

# Names of fields the endpoints read (forms and JSON bodies): each request sets them all.
FIELDS = [
    "q", "name", "email", "password", "username", "full_name", "language", "action", "role",
    "color", "visibility", "shortcut", "title_en", "body_en", "title_tr", "body_tr", "audience",
    "workspace_name", "welcome_message", "allowed_origins", "conversation", "token", "url",
    "title", "referrer", "timezone", "screen", "label", "team", "next", "new_password1",
    "new_password2", "old_password", "capacity-1", "auto_assign",
]  # fmt: skip

ODD_QUERY = {
    "nul": "q=a%00b&next=%00",
    "nul_name": "a%00b=1",
    "surrogate_bytes": "q=%ED%A0%80",  # a lone surrogate as UTF-8 would write it: not UTF-8
    "not_utf8": "q=%FF%FE",
    "100kb": "q=" + "x" * 100_000,
}
ODD_HEADERS = {
    "user_agent": {"HTTP_USER_AGENT": "Mozilla\x00"},
    "referer": {"HTTP_REFERER": "https://shop.example.com/\x00"},
    "accept_language": {"HTTP_ACCEPT_LANGUAGE": "tr\x00"},
    "origin": {"HTTP_ORIGIN": "https://shop.example.com\x00"},
    "surrogate": {"HTTP_USER_AGENT": "Mozilla\ud800"},
}
ODD_BODIES = {
    "not_utf8": b'{"url": "\xff\xfe"}',
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "not_json": b'{"url": ',
    "array": b"[1, 2]",
    "string": b'"url"',
    "number": b"12",
    "null": b"null",
}


@pytest.fixture
def world():
    """A workspace with an owner, an admin and an operator; a visitor in a conversation; a
    canned response; an invitation. The values that fill each route's path."""
    tenant = TenantFactory()
    owner = member(tenant, Role.OWNER)
    admin = member(tenant, Role.ADMIN)
    operator = member(tenant, Role.OPERATOR)
    with scope(tenant=tenant):
        invitation = services.invitation_create(
            actor=owner, email="new@example.com", role="operator", accept_url_template="{token}"
        )
        start = visit_start(tenant=tenant, token=None, ip="127.0.0.1")
        chat = message_create(sender="visitor", visitor=start.visitor, client_id="c1", body="Hi")
        canned = canned_create(
            actor=owner, personal=False, shortcut="hi", titles={"en": "Hi"}, bodies={"en": "Hi"}
        )
        offline = offline_settings_update(membership=owner, values={})
        entry = entry_save(
            tenant_id=tenant.pk, data={"id": "k1", "question_en": "Hi?", "answer_en": "Hello."}
        )
        rule = rule_save(
            tenant_id=tenant.pk,
            data={
                "name": "R",
                "trigger": "visitor_message",
                "actions": [{"type": "note", "text": "x"}],
            },
        )
        flow = flow_save(
            tenant_id=tenant.pk,
            data={
                "key": "hello",
                "name": "Hello",
                "definition": {"steps": [{"id": "end", "type": "end"}]},
            },
        )
    values = {
        "slug": tenant.slug,
        "widget_key": tenant.widget_key,
        "number": chat.conversation.number,
        "response_id": canned.pk,
        "member_id": operator.pk,
        "invitation_id": invitation.pk,
        "token": "not-a-real-invitation-token",
        "uidb64": "MQ",
        "secret": offline.inbound_secret,  # the incoming-mail endpoint's
        "entry_id": entry.pk,
        "kind": "json",  # the knowledge base's export format
        "rule_id": rule.pk,
        "flow_id": flow.pk,
    }
    return {"values": values, "operator": operator.user, "admin": admin.user}


def requests(path: str):
    """(what, method, path, keyword arguments for the test client) for every odd request."""
    for what, query in ODD_QUERY.items():
        yield f"query {what}", "get", f"{path}?{query}", {}
    for what, headers in ODD_HEADERS.items():
        yield f"header {what}", "get", path, headers
        yield f"header {what}", "post", path, {**headers, "data": {}}
    yield (
        "cookie nul",
        "get",
        path,
        {"HTTP_COOKIE": 'sessionid="abcdefgh\\000"; csrftoken="\\000"'},
    )
    for what, odd in ODD_JSON.items():
        if isinstance(odd, str):
            # On the wire a lone surrogate can only be bytes that are not UTF-8.
            raw = odd.encode("utf-8", "surrogatepass")
            form = "&".join(f"{field}={quote(raw)}" for field in FIELDS)
            yield f"form {what}", "post", path, {"data": form, "content_type": FORM}
            if not unstorable(odd) or "\x00" in odd:  # a multipart form is UTF-8 text
                yield f"multipart {what}", "post", path, {"data": dict.fromkeys(FIELDS, odd)}
        body = json.dumps(dict.fromkeys(FIELDS, odd))
        yield f"json {what}", "post", path, {"data": body, "content_type": "application/json"}
        yield f"text json {what}", "post", path, {"data": body, "content_type": "text/plain"}
    yield "form not_utf8", "post", path, {"data": "name=%FF", "content_type": FORM}
    for what, body in ODD_BODIES.items():
        yield f"body {what}", "post", path, {"data": body, "content_type": "application/json"}


FORM = "application/x-www-form-urlencoded"


def odd_paths(name: str, params: list[str], values: dict) -> list[str]:
    """The route's path, and with each text parameter (not a slug or an id) made odd."""
    paths = [reverse(name, kwargs={p: values[p] for p in params})]
    for param in params:
        if param in ("widget_key", "token", "uidb64", "secret"):
            odd_values = {**values, param: "ODD"}
            template = reverse(name, kwargs={p: odd_values[p] for p in params})
            paths += [template.replace("ODD", "%00"), template.replace("ODD", "x" * 2000)]
    return paths


def test_the_battery_reaches_every_kind_of_route():
    names = {name for name, _params in ROUTES}
    assert {"widget:visit", "widget:config", "search:search", "canned:api_use"} <= names
    assert {"tenants:signup", "login", "inbox:settings", "admin:login"} <= names


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[name for name, _p in ROUTES])
def test_odd_input_never_breaks_an_endpoint(name, params, world, caplog):
    caplog.set_level(logging.WARNING)
    failures = []
    for identity in ("anonymous", "operator", "admin"):
        client = Client(raise_request_exception=False)
        for path in odd_paths(name, params, world["values"]):
            for what, method, url, kwargs in requests(path):
                if identity != "anonymous" and not client.cookies.get("sessionid", Morsel()).value:
                    client.force_login(world[identity])  # at first, and after signing out
                response = getattr(client, method)(url, **kwargs)
                if response.status_code >= 500:
                    failures.append(f"{identity} {method.upper()} {what}: {response.status_code}")
    errors = [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == []
    assert errors == []


def test_refused_input_is_answered_in_the_endpoints_shape(client, world):
    values = world["values"]
    # The widget's endpoints: {"error": code, "message": …}.
    beacon = client.post(
        reverse("widget:visit", kwargs={"widget_key": values["widget_key"]}),
        data=json.dumps({"url": "https://shop.example.com/\x00"}),
        content_type="text/plain",
    )
    assert beacon.status_code == 400
    assert beacon.json()["error"] == "invalid" and "url" in beacon.json()["message"]
    wrong_type = client.post(
        reverse("widget:visit", kwargs={"widget_key": values["widget_key"]}),
        data=json.dumps({"url": ["https://shop.example.com/"]}),
        content_type="text/plain",
    )
    assert wrong_type.status_code == 400
    assert wrong_type.json() == {
        "error": "invalid",
        "message": "url must be text.",
        "field": "url",
    }
    # The inbox's JSON endpoints: {"error": {"code", "message"}}.
    client.force_login(world["operator"])
    search = client.get(reverse("search:search", kwargs={"slug": values["slug"]}) + "?q=a%00")
    assert search.status_code == 400
    assert search.json()["error"]["code"] == "invalid"
    assert "q" in search.json()["error"]["message"]
    # A page: the error page, in the person's language.
    page = client.post(
        reverse("tenants:signup"), {"email": "a\x00@example.com"}, HTTP_ACCEPT_LANGUAGE="tr"
    )
    assert page.status_code == 400
    assert "email" in page.content.decode() and "<html" in page.content.decode().lower()
