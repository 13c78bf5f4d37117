"""Notes about a contact: kept across conversations, live for the team, never for the visitor."""

import json

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from apps.conversations import services as conversation_services
from apps.core.crypto import hash_token
from apps.tenants.models import Role
from apps.tenants.services import widget_settings_get
from apps.visitors import selectors, services
from apps.visitors.models import ContactNote, Visitor, VisitorToken
from apps.visitors.services import VisitorError, identity_hash
from tests.factories import TenantFactory, member
from tests.visitors.conftest import chatting_visitor, inbox_for, long_ago

SECRET_NOTE = "Prefers phone calls; VIP since 2021"


@pytest.fixture
def contact(team):
    tenant, operator, admin = team
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)
    return tenant, operator, admin, visitor


def test_notes_are_added_listed_newest_first_and_encrypted_at_rest(contact):
    tenant, operator, admin, visitor = contact
    with scope(tenant=tenant):
        first = services.contact_note_add(
            membership=operator, visitor=visitor, body="  Likes tulips "
        )
        services.contact_note_add(membership=admin, visitor=visitor, body=SECRET_NOTE)
        listed = selectors.contact_notes(visitor=visitor, membership=operator)
    assert [n["body"] for n in listed] == [SECRET_NOTE, "Likes tulips"]
    assert listed[0]["author"]["name"] == "Deniz Admin" and listed[0]["can_delete"] is False
    assert listed[1]["author"]["name"] == "Ayşe Operator" and listed[1]["can_delete"] is True
    assert first.body == "Likes tulips"
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM visitors_contactnote")
        stored = [row[0] for row in cursor.fetchall()]
    # Whole phrases: a short word may turn up in random ciphertext by chance ("VIP" once did).
    assert len(stored) == 2
    assert not any("Likes tulips" in s or "phone calls" in s for s in stored)


def test_only_the_author_or_an_admin_deletes_a_note(contact):
    tenant, operator, admin, visitor = contact
    other = member(tenant, full_name="Other Operator")
    with scope(tenant=tenant):
        mine = services.contact_note_add(membership=operator, visitor=visitor, body="mine")
        theirs = services.contact_note_add(membership=other, visitor=visitor, body="theirs")
        with pytest.raises(VisitorError) as refused:
            services.contact_note_delete(membership=operator, visitor=visitor, note_id=theirs.pk)
        assert refused.value.code == "forbidden" and "author" in refused.value.message
        services.contact_note_delete(membership=operator, visitor=visitor, note_id=mine.pk)
        services.contact_note_delete(membership=admin, visitor=visitor, note_id=theirs.pk)
        assert ContactNote.objects.count() == 0


def test_a_demoted_admin_cannot_delete_others_notes_any_more(contact):
    tenant, operator, admin, visitor = contact
    with scope(tenant=tenant):
        note = services.contact_note_add(membership=operator, visitor=visitor, body="kept")
        stale = type(admin).objects.get(pk=admin.pk)
        type(admin).objects.filter(pk=admin.pk).update(role=Role.OPERATOR)
        with pytest.raises(VisitorError):
            services.contact_note_delete(membership=stale, visitor=visitor, note_id=note.pk)
        assert ContactNote.objects.filter(pk=note.pk).exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "empty"), ("   \n ", "empty"), ("x" * 2001, "too_long"), (["a list"], "invalid")],
)
def test_bad_notes_are_refused_and_nothing_is_stored(contact, body, code):
    tenant, operator, _admin, visitor = contact
    with scope(tenant=tenant), pytest.raises(VisitorError) as refused:
        services.contact_note_add(membership=operator, visitor=visitor, body=body)
    assert refused.value.code == code and refused.value.message
    with scopes_disabled():
        assert ContactNote.objects.count() == 0


def test_notes_are_sealed_per_workspace(contact):
    tenant, operator, _admin, visitor = contact
    other = TenantFactory()
    stranger = member(other)
    with scope(tenant=tenant):
        note = services.contact_note_add(membership=operator, visitor=visitor, body="ours")
    with scope(tenant=other):
        assert not ContactNote.objects.exists()
        with pytest.raises(VisitorError) as refused:
            services.contact_note_add(membership=stranger, visitor=visitor, body="theirs")
        assert refused.value.code == "not_found"
        with pytest.raises(VisitorError):
            services.contact_note_delete(membership=stranger, visitor=visitor, note_id=note.pk)
    with scopes_disabled():
        assert list(ContactNote.objects.values_list("body", flat=True)) == ["ours"]


def test_notes_follow_the_contact_when_an_anonymous_visitor_is_identified(contact):
    tenant, operator, _admin, anonymous = contact
    with scope(tenant=tenant):
        secret = widget_settings_get(tenant=tenant).identity_secret
        services.contact_note_add(membership=operator, visitor=anonymous, body="asked about vases")
        known = Visitor.objects.create(tenant=tenant)
        conversation_services.visitor_identify(
            visitor=known,
            token_hash="",
            user_id="u-1",
            user_hash=identity_hash(secret=secret, user_id="u-1"),
        )
        # the anonymous browser now proves it is the same person
        token = services.new_visitor_token()
        VisitorToken.objects.create(tenant=tenant, visitor=anonymous, token_hash=hash_token(token))
        result = conversation_services.visitor_identify(
            visitor=anonymous,
            token_hash=hash_token(token),
            user_id="u-1",
            user_hash=identity_hash(secret=secret, user_id="u-1"),
        )
        assert result.visitor.pk == known.pk
        notes = selectors.contact_notes(visitor=known, membership=operator)
    assert [n["body"] for n in notes] == ["asked about vases"]


# --- over the sockets ----------------------------------------------------------------------------


def test_notes_are_live_for_operators_looking_at_the_contact_and_never_reach_the_visitor(
    server, team
):
    tenant, operator, admin = team
    alice = inbox_for(server, operator)
    visitor, number = chatting_visitor(server, tenant, alice, "Do you ship to Izmir?")
    bob = inbox_for(server, admin)
    bob.send("subscribe", conversation=number, after_id=None)
    bob.expect("history")

    alice.send("contact_notes", conversation=number)
    listed = alice.expect("contact_notes")
    assert listed["conversation"] == number and listed["notes"] == []
    bob.send("contact_notes", conversation=number)
    bob.expect("contact_notes")

    alice.send("contact_note_add", conversation=number, body=SECRET_NOTE, client_id="ext:note:1")
    saved = alice.expect("contact_note_saved")
    assert saved["client_id"] == "ext:note:1"
    for client in (alice, bob):
        note = client.expect("contact_note")["note"]
        assert note["body"] == SECRET_NOTE and note["author"]["name"] == "Ayşe Operator"
        assert note["id"] == saved["id"]
    assert alice.seen[-1]["note"]["can_delete"] is True  # the author
    assert bob.seen[-1]["note"]["can_delete"] is True  # an admin

    # A later conversation of the same visitor shows the same notes.
    alice.send("resolve", conversation=number)
    assert visitor.expect("conversation")["conversation"]["status"] == "resolved"
    long_ago(tenant, number)  # past the window in which a visitor's message reopens it
    visitor.say("One more question")
    while (summary := alice.expect("conversation")["conversation"])["number"] == number:
        pass
    alice.send("contact_notes", conversation=summary["number"])
    assert [n["body"] for n in alice.expect("contact_notes")["notes"]] == [SECRET_NOTE]

    bob.send("contact_note_delete", conversation=number, note=saved["id"])
    assert alice.expect("contact_note_deleted")["id"] == saved["id"]

    # Nothing about the note ever reached the visitor's socket.
    visitor.send("ping")
    visitor.expect("pong")
    assert SECRET_NOTE not in json.dumps(visitor.seen)
    assert not [f for f in visitor.seen if f["type"].startswith("contact")]
    for client in (visitor, alice, bob):
        client.close()


def test_bad_note_frames_get_an_error_and_change_nothing(server, team):
    tenant, operator, admin = team
    inbox = inbox_for(server, operator)
    visitor, number = chatting_visitor(server, tenant, inbox)

    inbox.send("contact_note_add", conversation=number, body="   ", client_id="ext:note:a")
    error = inbox.expect("error")
    assert error["code"] == "empty" and error["message"] and error["client_id"] == "ext:note:a"
    inbox.send("contact_note_add", conversation=number, body="x" * 2001, client_id="ext:note:b")
    error = inbox.expect("error")
    assert error["code"] == "too_long" and "2000" in error["message"]
    inbox.send("contact_note_add", conversation=999, body="lost", client_id="ext:note:c")
    assert inbox.expect("error")["code"] == "not_found"
    inbox.send("contact_note_delete", conversation=number, note=12345)
    assert inbox.expect("error")["code"] == "not_found"
    # Someone else's note: only its author or an admin may delete it.
    with scope(tenant=tenant):
        conversation_visitor = Visitor.objects.get()
        kept = services.contact_note_add(
            membership=admin, visitor=conversation_visitor, body="kept"
        )
    inbox.send("contact_note_delete", conversation=number, note=kept.pk, client_id="ext:note:e")
    error = inbox.expect("error")
    assert error["code"] == "forbidden" and error["message"] and error["client_id"] == "ext:note:e"

    # Another workspace's conversation with the same number is out of reach.
    other = TenantFactory()
    stranger = inbox_for(server, member(other))
    stranger.send("contact_note_add", conversation=number, body="sneaky", client_id="ext:note:d")
    assert stranger.expect("error")["code"] == "not_found"
    stranger.send("contact_notes", conversation=number)
    assert stranger.expect("error")["code"] == "not_found"
    with scopes_disabled():
        assert list(ContactNote.objects.values_list("body", flat=True)) == ["kept"]
    for client in (visitor, inbox, stranger):
        client.close()
