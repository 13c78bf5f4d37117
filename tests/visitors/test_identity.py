"""Verified means signed: what a site's signature covers is shown as verified, and nothing else
(docs/embedding.md §5). Played over the real sockets, read back as operators see it: the inbox's
visitor panel, search and canned responses' variables."""

import pytest
from django_scopes import scope

from apps.canned import selectors as canned_selectors
from apps.conversations.models import Conversation
from apps.search.selectors import search_conversations
from apps.tenants import services as tenant_services
from apps.tenants.models import Role
from apps.visitors.services import claim_hash, identity_hash
from tests.conversations.conftest import OperatorClient, VisitorClient, session_for
from tests.factories import TenantFactory, member, signed_identity


@pytest.fixture
def shop(transactional_db):
    tenant = TenantFactory(auto_assign=False)
    admin = member(tenant, Role.ADMIN)
    with scope(tenant=tenant):
        secret = tenant_services.widget_settings_get(tenant=tenant).identity_secret
    return tenant, admin, secret


def _panel(server, tenant, admin, visitor: VisitorClient, fields: dict) -> dict:
    """The visitor says something, identifies with ``fields``; the operator's panel of it."""
    visitor.say("Hello, about my order")
    inbox = OperatorClient(server, tenant.slug, session_for(admin.user))
    inbox.expect("ready")
    inbox.send("subscribe", conversation=1, after_id=None)
    inbox.expect("history")
    visitor.send("identify", **fields)
    return inbox.expect("visitor", conversation=1)["visitor"]


def test_a_valid_user_hash_verifies_the_user_id_only(server, shop):
    tenant, admin, secret = shop
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    panel = _panel(
        server,
        tenant,
        admin,
        visitor,
        {
            "user_id": "cust-9",
            "user_hash": identity_hash(secret=secret, user_id="cust-9"),
            "email": "ceo@bigbank.example",
            "name": "The CEO",
        },
    )
    assert visitor.expect("ready")["visitor"]["verified"] is True
    # The person is known by their user id; the email and name are what the browser said.
    assert panel["verified"] is True
    assert panel["email"] == "" and panel["name"] != "The CEO"
    assert panel["unverified"] == {"email": "ceo@bigbank.example", "name": "The CEO"}

    with scope(tenant=tenant):
        assert search_conversations(membership=admin, query="ceo@bigbank.example") == []
        values = canned_selectors.fill_values(
            conversation=Conversation.objects.get(number=1), operator=admin.user
        )
    assert values["visitor.email"] == "" and "CEO" not in values["visitor.name"]


def test_signed_email_and_name_are_verified(server, shop):
    tenant, admin, secret = shop
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    fields = signed_identity(secret, "cust-9", email="ayse@example.com", name="Ayşe Yılmaz")
    panel = _panel(server, tenant, admin, visitor, fields)
    assert panel["verified"] is True
    assert (panel["email"], panel["name"]) == ("ayse@example.com", "Ayşe Yılmaz")
    assert panel["unverified"] == {}
    with scope(tenant=tenant):
        found = search_conversations(membership=admin, query="ayse@example.com")
    assert [r["number"] for r in found] == [1]


@pytest.mark.parametrize(
    "forged",
    [
        # another user's signed email, replayed under this user id
        lambda secret: claim_hash(
            secret=secret, user_id="someone-else", field="email", value="ceo@bigbank.example"
        ),
        # a name the site signed, passed off as an email
        lambda secret: claim_hash(
            secret=secret, user_id="cust-9", field="name", value="ceo@bigbank.example"
        ),
        lambda secret: "0" * 64,
        lambda secret: "ğ" * 64,  # not even hex: refused like any wrong signature
    ],
    ids=["other-user", "name-as-email", "zeros", "non-ascii"],
)
def test_a_signature_for_something_else_verifies_nothing(server, shop, forged):
    tenant, admin, secret = shop
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    fields = signed_identity(secret, "cust-9")
    fields.update(email="ceo@bigbank.example", email_hash=forged(secret))
    panel = _panel(server, tenant, admin, visitor, fields)
    assert panel["verified"] is True  # the user id itself was signed
    assert panel["email"] == ""
    assert panel["unverified"] == {"email": "ceo@bigbank.example"}


@pytest.mark.parametrize(
    ("user_hash", "code"),
    [
        ("ğ" * 64, "identity_invalid"),
        ("\u0130" * 64, "identity_invalid"),
        ("a" * 65, "identity_invalid"),
        (None, "identity_invalid"),
        (42, "invalid"),
        (["a"], "invalid"),
        ({"h": 1}, "invalid"),
    ],
)
def test_an_odd_user_hash_is_refused_clearly(server, shop, user_hash, code):
    tenant, _admin, _secret = shop
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.send("identify", user_id="cust-9", user_hash=user_hash, email="x@example.com")
    assert visitor.expect("error")["code"] == code
    assert visitor.say("still here")["id"]
