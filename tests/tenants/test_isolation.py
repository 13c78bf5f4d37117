"""Two workspaces side by side: every workspace URL of B, tried by a member of A, is a 404 and
changes nothing; object ids of B in A's URLs are 404 too."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope, scopes_disabled

from apps.automation.services import flow_save, rule_save
from apps.bot.services import entry_save
from apps.canned.services import canned_create
from apps.conversations.services import message_create
from apps.tenants import services
from apps.tenants.models import Invitation, Membership, Role
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, member

pytestmark = pytest.mark.django_db


def workspace_url_names() -> list[tuple[str, list[str]]]:
    """(namespaced url name, its parameters) for every route that takes a workspace slug."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                if "<slug:slug>" in route:
                    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
                    name = f"{namespace}:{p.name}" if namespace else p.name
                    found.append((name, params))

    walk(get_resolver().url_patterns, "", None)
    return found


@pytest.fixture
def two_workspaces():
    a, b = TenantFactory(name="Alpha"), TenantFactory(name="Beta")
    a_owner = member(a, Role.OWNER)
    b_owner = member(b, Role.OWNER)
    b_operator = member(b, Role.OPERATOR)
    with scope(tenant=b):
        invitation = services.invitation_create(
            actor=b_owner, email="x@example.com", role="operator", accept_url_template="{token}"
        )
        start = visit_start(tenant=b, token=None, ip="127.0.0.1")
        chat = message_create(
            sender="visitor", visitor=start.visitor, client_id="c1", body="Beta secret"
        )
        canned = canned_create(
            actor=b_owner, personal=False, shortcut="b", titles={"en": "B"}, bodies={"en": "B"}
        )
        entry = entry_save(
            tenant_id=b.pk, data={"id": "b1", "question_en": "Beta?", "answer_en": "Beta."}
        )
        rule = rule_save(
            tenant_id=b.pk,
            data={
                "name": "Beta rule",
                "trigger": "visitor_message",
                "actions": [{"type": "note", "text": "Beta."}],
            },
        )
        flow = flow_save(
            tenant_id=b.pk,
            data={
                "key": "hello",
                "name": "Hello",
                "definition": {"steps": [{"id": "end", "type": "end"}]},
            },
        )
    return {
        # What each URL parameter stands for: objects of workspace B.
        "ids": {
            "member_id": b_operator.pk,
            "invitation_id": invitation.pk,
            "number": chat.conversation.number,
            "response_id": canned.pk,
            "entry_id": entry.pk,
            "kind": "json",
            "rule_id": rule.pk,
            "flow_id": flow.pk,
        },
        "a": a,
        "b": b,
        "a_owner": a_owner,
        "b_operator": b_operator,
        "b_inv": invitation,
        "b_conversation": chat.conversation,
        "b_canned": canned,
    }


def test_every_workspace_route_is_covered():
    names = {name for name, _ in workspace_url_names()}
    assert {"tenants:dashboard", "tenants:members", "tenants:settings"} <= names
    assert len(names) >= 8


@pytest.mark.parametrize("method", ["get", "post"])
def test_member_of_a_gets_404_for_every_url_of_b(client, two_workspaces, method):
    w = two_workspaces
    client.force_login(w["a_owner"].user)
    ids = w["ids"]
    for name, params in workspace_url_names():
        kwargs = {"slug": w["b"].slug, **{p: ids[p] for p in params if p != "slug"}}
        url = reverse(name, kwargs=kwargs)
        response = getattr(client, method)(
            url, {"role": "owner", "email": "evil@example.com", "name": "Pwned"}
        )
        assert response.status_code == 404, f"{method.upper()} {url} -> {response.status_code}"
        assert b"Beta" not in response.content
    with scope(tenant=w["b"]):
        assert Membership.objects.get(pk=w["b_operator"].pk).role == Role.OPERATOR
        assert Invitation.objects.get(pk=w["b_inv"].pk).revoked_at is None
    w["b"].refresh_from_db()
    assert w["b"].name == "Beta"


@pytest.mark.parametrize("method", ["get", "post"])
def test_b_object_ids_inside_a_urls_are_404(client, two_workspaces, method):
    w = two_workspaces
    client.force_login(w["a_owner"].user)
    ids = w["ids"]
    for name, params in workspace_url_names():
        # An object's id (not a file format such as the export's "kind").
        if not any(p == "number" or p.endswith("_id") for p in params):
            continue
        url = reverse(
            name, kwargs={"slug": w["a"].slug, **{p: ids[p] for p in params if p != "slug"}}
        )
        response = getattr(client, method)(url, {"role": "owner"})
        assert response.status_code in {404, 405}, f"{url} -> {response.status_code}"
    with scope(tenant=w["b"]):
        assert Membership.objects.get(pk=w["b_operator"].pk).role == Role.OPERATOR
        assert Invitation.objects.get(pk=w["b_inv"].pk).revoked_at is None


def test_anonymous_is_sent_to_login_for_every_workspace_url(client, two_workspaces):
    w = two_workspaces
    ids = w["ids"]
    for name, params in workspace_url_names():
        url = reverse(
            name, kwargs={"slug": w["b"].slug, **{p: ids[p] for p in params if p != "slug"}}
        )
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_unknown_workspace_is_404_not_500(client, two_workspaces):
    client.force_login(two_workspaces["a_owner"].user)
    assert client.get("/app/does-not-exist/").status_code == 404


def test_membership_listing_never_mixes_workspaces(two_workspaces):
    with scopes_disabled():
        total = Membership.objects.count()
    with scope(tenant=two_workspaces["a"]):
        assert Membership.objects.count() == 1 < total
