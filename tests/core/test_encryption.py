"""Encrypted columns: unreadable in the database, readable in the app, and rotatable."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django_scopes import scope

from apps.conversations.services import message_create
from apps.core import crypto
from apps.visitors.models import Visitor
from apps.visitors.services import visit_start
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


def raw(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def test_keys_rotate_without_losing_data(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    tenant = TenantFactory()
    with scope(tenant=tenant):
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.1").visitor
        Visitor.objects.filter(pk=visitor.pk).update(email="jane@example.com")
        message_create(sender="visitor", visitor=visitor, client_id="a", body="secret body")
    stored_before = raw("SELECT body FROM conversations_message")[0]
    assert "secret" not in stored_before
    assert "jane" not in raw("SELECT email FROM visitors_visitor")[0]

    settings.ENCRYPTION_KEYS = [new, old]  # the new key first: it encrypts, both decrypt
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    assert raw("SELECT body FROM conversations_message")[0] != stored_before

    settings.ENCRYPTION_KEYS = [new]  # the old key is gone and everything still reads
    with scope(tenant=tenant):
        assert Visitor.objects.get().email == "jane@example.com"
        assert visitor.conversations.get().messages.get().body == "secret body"

    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # a wrong key fails loudly
    with scope(tenant=tenant), pytest.raises(ValueError, match="Cannot decrypt"):
        Visitor.objects.get().email  # noqa: B018


def test_keyed_hash_is_stable_and_purpose_bound():
    a = crypto.keyed_hash("user-1", purpose="x")
    assert a == crypto.keyed_hash("user-1", purpose="x")
    assert a != crypto.keyed_hash("user-1", purpose="y")


def test_values_written_by_fernet_still_read_and_rotation_rewrites_them(settings):
    # Before version 2 values were Fernet tokens: they read with the same key, and
    # rotate_encryption_keys rewrites them in the current form.
    key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [key]
    tenant = TenantFactory()
    with scope(tenant=tenant):
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.1").visitor
        message_create(sender="visitor", visitor=visitor, client_id="a", body="new body")
    assert raw("SELECT body FROM conversations_message")[0].startswith(crypto.V2)
    legacy = Fernet(key.encode()).encrypt(b"old secret").decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE conversations_message SET body = %s", [legacy])
    with scope(tenant=tenant):
        assert visitor.conversations.get().messages.get().body == "old secret"

    call_command("rotate_encryption_keys", stdout=io.StringIO())
    stored = raw("SELECT body FROM conversations_message")[0]
    assert stored.startswith(crypto.V2) and "secret" not in stored
    with scope(tenant=tenant):
        assert visitor.conversations.get().messages.get().body == "old secret"


@pytest.mark.parametrize("damage", ["flip", "cut", "garble"])
def test_an_altered_value_fails_loudly(settings, damage):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = crypto.encrypt("jane@example.com")
    body = token[len(crypto.V2) :]
    if damage == "flip":  # one character of the ciphertext changed: the tag no longer fits
        i = len(body) // 2
        body = body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1 :]
    elif damage == "cut":
        body = body[:10]
    else:
        body = "%%%not base64"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(crypto.V2 + body)
    assert crypto.decrypt(token) == "jane@example.com"
    assert crypto.encrypt("jane@example.com") != token  # a new nonce every time
