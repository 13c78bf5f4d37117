"""Who may open which socket, and what bad frames get (docs/widget-protocol.md, Errors)."""

import json
import uuid

import pytest
from django_scopes import scope, scopes_disabled
from websockets.exceptions import InvalidStatus

from apps.conversations.models import Message
from apps.tenants import services as tenant_services
from apps.tenants.models import Role
from apps.visitors.models import Visitor
from apps.visitors.services import identity_hash
from tests.conversations.conftest import OperatorClient, Socket, VisitorClient, session_for
from tests.factories import TenantFactory, member, signed_identity
from tests.live import asgi_servers


@pytest.fixture
def tenant(transactional_db):
    return TenantFactory()


def test_handshake_from_another_origin_is_refused(server, tenant):
    for origin in ("http://evil.example", f"http://127.0.0.1:{server.port + 1}", None):
        with pytest.raises(InvalidStatus) as refused:
            Socket(f"{server.ws}/ws/widget/{tenant.widget_key}/", origin=origin)
        assert refused.value.response.status_code == 403


def test_unknown_widget_and_suspended_workspace_are_refused_with_a_reason(server, tenant):
    unknown = VisitorClient(server, "wk_nope")
    assert unknown.expect("error")["code"] == "unknown_widget"
    assert unknown.closed_with() == 4404

    tenant_services.tenant_suspend(tenant=tenant)
    suspended = VisitorClient(server, tenant.widget_key)
    assert suspended.expect("error")["code"] == "workspace_suspended"
    assert suspended.closed_with() == 4403


def test_bad_frames_get_error_frames_and_keep_the_socket(server, tenant):
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.send("message", client_id="x", body="too early")
    assert visitor.expect("error")["code"] == "hello_required"
    visitor.hello()
    stored = visitor.say("kept")

    visitor.send_raw("not json {")
    assert visitor.expect("error")["code"] == "bad_frame"
    visitor.send_raw(json.dumps([1, 2]))
    assert visitor.expect("error")["code"] == "bad_frame"
    visitor.send("launch_missiles")
    assert visitor.expect("error")["code"] == "bad_frame"
    visitor.send_raw(json.dumps({"type": "message", "client_id": "y", "body": "x" * 20000}))
    assert visitor.expect("error")["code"] == "frame_too_large"
    # Counted in bytes, not characters: 9,000 "ğ" are 18,000 bytes.
    visitor.send_raw(json.dumps({"type": "message", "client_id": "y", "body": "ğ" * 9000}))
    assert visitor.expect("error")["code"] == "frame_too_large"
    # Text that is not Unicode (a lone surrogate) and numbers that are not numbers.
    visitor.send_raw('{"type": "message", "client_id": "s", "body": "a\\ud800b"}')
    assert visitor.expect("error")["code"] == "bad_frame"
    visitor.send_raw('{"type": "read", "up_to": NaN}')
    assert visitor.expect("error")["code"] == "bad_frame"
    visitor.send("message", client_id="z", body="x" * 5001)
    error = visitor.expect("error")
    assert error["code"] == "too_long" and error["client_id"] == "z"
    visitor.send("message", client_id="w", body="   ")
    assert visitor.expect("error")["code"] == "empty"
    visitor.send("message", body="no client id")
    assert visitor.expect("error")["field"] == "client_id"
    visitor.send("message", client_id="nul\u0000", body="a client id PostgreSQL cannot store")
    assert visitor.expect("error")["field"] == "client_id"
    visitor.send("message", client_id="v", body={"html": "<b>"})
    assert visitor.expect("error")["field"] == "body"
    visitor.send("read", up_to="all")
    assert visitor.expect("error")["code"] == "invalid"
    visitor.send("attributes", attributes=["not", "an", "object"])
    assert visitor.expect("error")["code"] == "invalid"

    # Still open, and nothing accepted earlier was lost.
    visitor.send("ping")
    visitor.expect("pong")
    with scopes_disabled():
        assert list(Message.objects.values_list("id", "body")) == [(stored["id"], "kept")]


def test_a_visitor_cannot_read_or_mark_someone_elses_messages(server, tenant):
    alice = VisitorClient(server, tenant.widget_key)
    alice.hello()
    secret = alice.say("alice's secret")
    mallory = VisitorClient(server, tenant.widget_key)
    ready = mallory.hello(last_id=0)
    assert ready["messages"] == []
    mallory.send("read", up_to=secret["id"])
    assert mallory.expect("error")["code"] == "not_found"
    # A forged token is just a new visitor.
    forged = VisitorClient(server, tenant.widget_key)
    assert forged.hello(token="vt_guess", last_id=0)["messages"] == []
    alice.nothing(timeout=0.5)
    echoed = [f["message"]["id"] for f in alice.seen if f["type"] == "message"]
    assert set(echoed) <= {secret["id"]}  # only her own message, echoed to her other tabs


def test_message_rate_limit_answers_with_retry_after(tenant):
    with asgi_servers(1, RATELIMIT_ENABLE="1", CHAT_MESSAGES_PER_MINUTE="3") as (server,):
        visitor = VisitorClient(server, tenant.widget_key)
        visitor.hello()
        for i in range(3):
            visitor.say(f"m{i}")
        visitor.send("message", client_id="over", body="one too many")
        error = visitor.expect("error")
        assert error["code"] == "rate_limited" and 0 < error["retry_after"] <= 60
        # A retry of an already stored message is not counted and still acknowledged.
        with scopes_disabled():
            first = Message.objects.order_by("id").first()
        visitor.send("message", client_id=first.client_id, body="m0")
        assert visitor.expect("ack", client_id=first.client_id)["duplicate"] is True


def test_new_visitors_per_ip_are_limited(tenant):
    with asgi_servers(
        1,
        RATELIMIT_ENABLE="1",
        CHAT_NEW_VISITORS_PER_IP_PER_HOUR="2",
        CACHE_KEY_PREFIX=uuid.uuid4().hex,
    ) as (server,):
        for _ in range(2):
            VisitorClient(server, tenant.widget_key).hello()
        third = VisitorClient(server, tenant.widget_key)
        third.send("hello", token=None, last_id=None)
        assert third.expect("error")["code"] == "rate_limited"
        assert third.closed_with() == 4429


def test_operator_socket_needs_a_session_and_membership(server, tenant):
    anonymous = OperatorClient(server, tenant.slug, None)
    assert anonymous.expect("error")["code"] == "unauthenticated"
    assert anonymous.closed_with() == 4401

    outsider = member(TenantFactory())
    stranger = OperatorClient(server, tenant.slug, session_for(outsider.user))
    assert stranger.expect("error")["code"] == "forbidden"
    assert stranger.closed_with() == 4403


@pytest.mark.redis  # the removal happens in this process; the push crosses the channel layer
def test_removing_a_member_closes_their_inbox_socket_at_once(server, tenant):
    owner = member(tenant, Role.OWNER)
    operator = member(tenant)
    inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
    inbox.expect("ready")
    with scope(tenant=tenant):
        tenant_services.membership_remove(actor=owner, membership=operator)
    assert inbox.expect("revoked")["message"]
    assert inbox.closed_with() == 4403


def test_operator_cannot_touch_another_workspaces_conversation(server, tenant):
    other = TenantFactory()
    visitor = VisitorClient(server, other.widget_key)
    visitor.hello()
    visitor.say("other workspace")
    operator = member(tenant)
    inbox = OperatorClient(server, tenant.slug, session_for(operator.user))
    assert inbox.expect("ready")["attention"] == []
    assert inbox.listed() == [] and inbox.listed(status="open") == []
    for frame in ("subscribe", "resolve"):
        inbox.send(frame, conversation=1)
        assert inbox.expect("error")["code"] == "not_found"
    inbox.send("message", conversation=1, client_id="x", body="hi")
    assert inbox.expect("error")["code"] == "not_found"
    with scopes_disabled():
        assert Message.objects.count() == 1


def test_valid_identity_links_devices_and_forged_identity_links_nothing(server, tenant):
    with scope(tenant=tenant):
        secret = tenant_services.widget_settings_get(tenant=tenant).identity_secret
    good = identity_hash(secret=secret, user_id="user-42")

    laptop = VisitorClient(server, tenant.widget_key)
    laptop.hello()
    laptop.send(
        "identify", **signed_identity(secret, "user-42", email="jane@example.com", name="Jane")
    )
    ready = laptop.expect("ready")
    assert ready["visitor"]["verified"] is True and ready["visitor"]["name"] == "Jane"
    laptop.say("from my laptop")

    phone = VisitorClient(server, tenant.widget_key)
    phone.hello()
    phone.send("identify", user_id="user-42", user_hash=good)
    on_phone = phone.expect("ready")
    assert on_phone["visitor"]["id"] == ready["visitor"]["id"]
    assert [m["body"] for m in on_phone["messages"]] == ["from my laptop"]

    thief = VisitorClient(server, tenant.widget_key)
    thief.hello()
    thief.send("identify", user_id="user-42", user_hash="0" * 64, email="jane@example.com")
    assert thief.expect("error")["code"] == "identity_invalid"
    thief.send("hello", token=None, last_id=None)
    assert thief.expect("ready")["messages"] == []
    with scopes_disabled():
        assert Visitor.objects.filter(verified_at__isnull=False).count() == 1
        claims = [v.unverified for v in Visitor.objects.filter(verified_at__isnull=True)]
    assert {"email": "jane@example.com", "user_id": "user-42"} in claims
