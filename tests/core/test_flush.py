"""``manage.py flush`` (apps/core/management/commands/flush.py) as the tests use it after every
test that commits: every table ends empty, whatever held rows, and what ``post_migrate`` makes
(content types, permissions) is made again."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django_scopes import scope

from apps.conversations.services import message_create
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, member


def rows_left() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return {table: n for table, n in counts.items() if n}


@pytest.mark.postgres
@pytest.mark.parametrize("reset_sequences", [False, True])
def test_flush_empties_every_table_and_runs_post_migrate(transactional_db, reset_sequences):
    tenant = TenantFactory()
    with scope(tenant=tenant):
        member(tenant)
        start = visit_start(tenant=tenant, token=None, ip="127.0.0.1")
        message_create(sender="visitor", visitor=start.visitor, client_id="c1", body="Merhaba")
    assert len(rows_left()) > 5

    call_command("flush", interactive=False, reset_sequences=reset_sequences, verbosity=0)

    assert set(rows_left()) == {"django_content_type", "auth_permission"}
    assert ContentType.objects.filter(app_label="conversations", model="message").exists()
