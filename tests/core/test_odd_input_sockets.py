"""A generated battery of odd frames against every frame type of the three sockets (visitor,
presence, inbox), over real sockets to a real web process: whatever a frame's fields hold (a
NUL, a lone surrogate, 100 KB of text, a number, a list, an object, null, true), the answer is
never ``server_error``, nothing is logged as an error, and the socket stays open and works.

The frame types come from the consumer classes (their ``frame_*`` methods), so a new frame type
joins the battery as soon as ``FRAMES`` says which fields it reads (a test checks that it does).
"""

import inspect
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.conversations.consumers.inbox import InboxConsumer
from apps.conversations.consumers.presence import PresenceConsumer
from apps.conversations.consumers.visitor import VisitorConsumer
from apps.conversations.models import Label, Message
from apps.tenants.models import Role
from apps.tenants.services import widget_settings_get
from apps.visitors.models import ContactNote, Visitor
from apps.visitors.services import identity_hash
from tests.conversations.conftest import OperatorClient, Socket, VisitorClient, session_for
from tests.core.odd import ODD_JSON
from tests.factories import TenantFactory, member
from tests.live import start_server

pytestmark = pytest.mark.postgres

SHOP = "https://shop.example.com"

# The fields each frame type reads, with a valid value each ("$name": filled in from the test's
# workspace). Every field, and every field of an object field, gets every odd value in turn; so
# does a field no frame type reads ("unexpected").
VISITOR_FRAMES = {
    "hello": {
        "token": "$token",
        "last_id": 0,
        "language": "en",
        "timezone": "Europe/Istanbul",
        "screen": "1280x800",
        "page": {"url": f"{SHOP}/", "title": "Shop", "referrer": ""},
    },
    "message": {"client_id": "$client_id", "body": "Hello"},
    "typing": {"typing": True, "text": "Hel"},
    "delivered": {"up_to": "$message_id"},
    "read": {"up_to": "$message_id"},
    "page": {"url": f"{SHOP}/roses", "title": "Roses", "referrer": f"{SHOP}/"},
    "identify": {
        "user_id": "customer-1",
        "user_hash": "$user_hash",
        "email": "ayse@example.com",
        "email_hash": "0" * 64,
        "name": "Ayşe",
        "name_hash": "0" * 64,
    },
    "attributes": {"attributes": {"plan": "pro", "seats": 3}},
    "ping": {},
    "resume": {"last_id": 0},
}
INBOX_FRAMES = {
    "ping": {},
    "subscribe": {"conversation": "$number", "after_id": 0},
    "unsubscribe": {"conversation": "$number"},
    "message": {"conversation": "$number", "client_id": "$client_id", "body": "Hi"},
    "typing": {"conversation": "$number", "typing": True},
    "read": {"conversation": "$number", "up_to": "$message_id"},
    "delivered": {"conversation": "$number", "up_to": "$message_id"},
    "resolve": {"conversation": "$number"},
    "reopen": {"conversation": "$number"},
    "status": {"conversation": "$number", "status": "snoozed", "until": "$until"},
    "assign": {"conversation": "$number", "assignee": "$user_id", "team": None},
    "label": {"conversation": "$number", "add": ["$label_id"], "remove": []},
    "note": {"conversation": "$number", "body": "A note", "client_id": "$client_id"},
    "list": {
        "request": "r1",
        "filters": {"assignee": "all", "status": "open", "label": "$label_id"},
        "sort": "activity",
        "cursor": None,
    },
    "counts": {"filters": {"assignee": "mine"}},
    "bulk": {"conversations": ["$number"], "action": "label", "value": "$label_id"},
    "label_create": {"name": "VIP", "color": "#112233"},
    "prefs": {"notify": {"mine": {"sound": True}}},
    "presence": {"status": "online"},
    "contact_notes": {"conversation": "$number"},
    "contact_note_add": {"conversation": "$number", "body": "Likes tea", "client_id": "c1"},
    "contact_note_delete": {"conversation": "$number", "note": "$note_id"},
    "live_subscribe": {},
    "live_unsubscribe": {},
    "proactive_start": {"visitor": "$visitor", "client_id": "$client_id", "body": "Hello!"},
}
FRAMES = {
    VisitorConsumer: VISITOR_FRAMES,
    PresenceConsumer: VISITOR_FRAMES,
    InboxConsumer: INBOX_FRAMES,
}


def frame_types(consumer: type) -> set[str]:
    """The frame types a socket takes: its ``frame_<type>`` handlers."""
    return {
        name.removeprefix("frame_")
        for name, _member in inspect.getmembers(consumer, inspect.iscoroutinefunction)
        if name.startswith("frame_")
    }


def test_the_battery_names_every_frame_type_of_every_socket():
    for consumer, table in FRAMES.items():
        assert frame_types(consumer) == set(table), consumer.__name__


def variants(fields: dict):
    """(where, fields) for every odd value in every field (and every field of an object
    field), the other fields valid."""
    for field in [*fields, "unexpected"]:
        for name, odd in ODD_JSON.items():
            yield f"{field}={name}", {**fields, field: odd}
        if isinstance(fields.get(field), dict):
            for inner in fields[field]:
                for name, odd in ODD_JSON.items():
                    yield (
                        f"{field}.{inner}={name}",
                        {**fields, field: {**fields[field], inner: odd}},
                    )


def filled(value, ids: dict):
    if isinstance(value, str) and value.startswith("$"):
        return uuid.uuid4().hex if value == "$client_id" else ids[value[1:]]
    if isinstance(value, dict):
        return {k: filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, ids) for v in value]
    return value


@pytest.fixture(scope="module")
def web(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the web process is another process")
    process = start_server()
    yield process
    process.stop()


class ServerLog:
    """What the web process logs from now on."""

    def __init__(self, server):
        self.path = server.log
        self.start = self.path.stat().st_size

    def errors(self) -> list[str]:
        with self.path.open(errors="replace") as log:
            log.seek(self.start)
            text = log.read()
        return [line for line in text.splitlines() if re.search(r"\bERROR\b|Traceback", line)]


@pytest.fixture
def workspace(web, transactional_db):
    """A workspace with an operator, a visitor in a conversation, a label, a contact note; and
    the values the frames' fields take."""
    tenant = TenantFactory()
    admin = member(tenant, Role.ADMIN, full_name="Deniz Admin")
    visitor = VisitorClient(web, tenant.widget_key)
    token = visitor.hello()["visitor"]["token"]
    ack = visitor.say("Hello there")
    with scope(tenant=tenant):
        secret = widget_settings_get(tenant=tenant).identity_secret
        label = Label.objects.create(tenant=tenant, name="Gold")
        who = Visitor.objects.get()
        note = ContactNote.objects.create(
            tenant=tenant, visitor=who, author=admin.user, body="Prefers email"
        )
        number = Message.objects.get(pk=ack["id"]).conversation.number
    visitor.close()
    ids = {
        "token": token,
        "message_id": ack["id"],
        "user_hash": identity_hash(secret=secret, user_id="customer-1"),
        "number": number,
        "until": (timezone.now() + timedelta(days=1)).isoformat(),
        "user_id": admin.user_id,
        "label_id": label.pk,
        "note_id": note.pk,
        "visitor": who.public_id.hex,
    }
    return tenant, admin, ids


def run_battery(socket: Socket, table: dict, ids: dict, log: ServerLog) -> None:
    """Every odd variant of every frame type; after each field's variants a ping, whose pong
    says the socket still answers. No answer may be ``server_error``."""
    failures = []
    for frame_type, fields in table.items():
        for where, odd in variants(fields):
            socket.send(frame_type, **filled(odd, ids))
            socket.send("ping")
            while (answer := socket.recv(timeout=10))["type"] != "pong":
                if answer["type"] == "error" and answer["code"] == "server_error":
                    failures.append(f"{frame_type} {where}: {answer}")
    assert failures == []
    assert log.errors() == []


def test_odd_frames_on_the_visitor_socket(web, workspace):
    tenant, _admin, ids = workspace
    log = ServerLog(web)
    visitor = VisitorClient(web, tenant.widget_key)
    visitor.hello(token=ids["token"])
    run_battery(visitor, VISITOR_FRAMES, ids, log)
    # Still open, still storing messages, and nothing stored before was lost.
    visitor.hello(token=ids["token"])
    stored = visitor.say("Still here")
    with scopes_disabled():
        bodies = set(Message.objects.values_list("body", flat=True))
    assert {"Hello there", "Still here"} <= bodies
    assert stored["id"] > ids["message_id"]


def test_odd_frames_on_the_presence_socket(web, workspace):
    tenant, _admin, ids = workspace
    log = ServerLog(web)
    page = Socket(f"{web.ws}/ws/presence/{tenant.widget_key}/", origin=SHOP)
    page.send("hello", token=ids["token"])
    page.expect("ready")
    run_battery(page, VISITOR_FRAMES, ids, log)
    page.send("page", url=f"{SHOP}/tulips", title="Tulips")
    page.send("ping")
    page.expect("pong")


def test_odd_frames_on_the_inbox_socket(web, workspace):
    tenant, admin, ids = workspace
    log = ServerLog(web)
    inbox = OperatorClient(web, tenant.slug, session_for(admin.user))
    inbox.expect("ready")
    run_battery(inbox, INBOX_FRAMES, ids, log)
    inbox.send("reopen", conversation=ids["number"])
    assert inbox.reply(ids["number"], "Still answering")["duplicate"] is False


def test_odd_handshakes_are_refused_or_answered_not_crashed(web, workspace):
    """A NUL in the address (``%00``) or in the session cookie never reaches the database."""
    tenant, _admin, _ids = workspace
    log = ServerLog(web)
    for path in ("/ws/widget/%00/", "/ws/presence/wk%00x/", f"/ws/inbox/{tenant.slug}%00/"):
        with pytest.raises(Exception) as refused:
            Socket(f"{web.ws}{path}", origin=web.url)
        assert "403" in str(refused.value) or "404" in str(refused.value)
    inbox = Socket(
        f"{web.ws}/ws/inbox/{tenant.slug}/", origin=web.url, cookie='sessionid="abcdefgh\\000"'
    )
    assert inbox.expect("error")["code"] == "unauthenticated"
    assert inbox.closed_with() == 4401
    assert log.errors() == []


def test_refusals_say_which_field_and_keep_what_was_stored(web, workspace):
    tenant, _admin, ids = workspace
    visitor = VisitorClient(web, tenant.widget_key)
    visitor.hello(token=ids["token"])
    visitor.send("attributes", attributes={"plan": "pro\x00"})
    error = visitor.expect("error")
    assert (error["code"], error["field"]) == ("invalid", "attributes.plan")
    assert "attributes.plan" in error["message"]
    visitor.send("page", url=f"{SHOP}/", title=["Shop"])
    error = visitor.expect("error")
    assert (error["code"], error["field"]) == ("invalid", "title")
    # A hash that is not 64 hex digits (here not even ASCII) verifies nothing: a refusal.
    visitor.send("identify", user_id="customer-1", user_hash="ğ" * 64)
    assert visitor.expect("error")["code"] == "identity_invalid"
    assert visitor.say("Still here")["duplicate"] is False
    with scopes_disabled():
        assert Visitor.objects.get().attributes == {}
