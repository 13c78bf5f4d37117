"""A visitor's personal details are encrypted at rest: what the database holds is never the
text a visitor or a site sent (docs/security.md, Encryption)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from apps.visitors.models import Visitor
from tests.conversations.conftest import VisitorClient
from tests.factories import TenantFactory


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, email, external_id, attributes, unverified FROM visitors_visitor "
            "WHERE id = %s",
            [pk],
        )
        return " ".join(str(value) for value in cursor.fetchone())


def test_attributes_and_claims_are_stored_encrypted(server, transactional_db):
    tenant = TenantFactory()
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello()
    visitor.send("attributes", attributes={"phone": "+90 555 123 45 67", "orders": 3})
    visitor.send("identify", user_id="u-1", user_hash="0" * 64, email="secret@example.com")
    assert visitor.expect("error")["code"] == "identity_invalid"
    with scopes_disabled():
        stored = Visitor.objects.get(tenant=tenant)
    assert stored.attributes == {"phone": "+90 555 123 45 67", "orders": 3}
    assert stored.unverified == {"email": "secret@example.com", "user_id": "u-1"}
    raw = _raw(stored.pk)
    for plain in ("555 123", "secret@example.com", "orders", "u-1"):
        assert plain not in raw


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_details_already_stored():
    executor = MigrationExecutor(connection)
    before = [("visitors", "0002_presence_and_contact_notes")]
    # Every app's latest state afterwards: migrating visitors back also unapplied the apps that
    # build on it (offline's tables), which the rest of the run needs.
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        tenant = old.get_model("tenants", "Tenant").objects.create(name="Old", slug="old")
        pk = (
            old.get_model("visitors", "Visitor")
            .objects.create(
                tenant_id=tenant.pk,
                attributes={"plan": "gold"},
                unverified={"email": "old@example.com"},
            )
            .pk
        )
        assert "old@example.com" in _raw(pk)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    assert "old@example.com" not in _raw(pk) and "gold" not in _raw(pk)
    with scopes_disabled():
        migrated = Visitor.objects.get(pk=pk)
    assert migrated.attributes == {"plan": "gold"}
    assert migrated.unverified == {"email": "old@example.com"}
