"""Encrypted columns: unreadable in the database, readable in the app, and rotatable."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django_scopes import scope

from apps.conversations.services import message_post_from_visitor
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
        message_post_from_visitor(visitor=visitor, client_id="a", body="secret body")
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
