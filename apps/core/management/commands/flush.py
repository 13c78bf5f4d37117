"""``flush``: Django's command, except that on PostgreSQL, asked without questions and without
resetting sequences (as Django's test cases ask after every test that commits), it deletes the
rows of the tables that hold any and leaves the others alone.

Django's flush empties every table with one TRUNCATE, and PostgreSQL gives each table and index
it names new files, rows or not: over Sohbet's tables that is about half a second, most of the
cost of a test that commits. Such a test leaves a few rows in a few tables: one query finds
those tables, and their rows are deleted in one transaction (every foreign key is checked at
commit, as Django creates them on PostgreSQL: deferrable, initially deferred). The database
ends as empty as with Django's own flush, and ``post_migrate`` is sent as Django sends it.
Asked any other way, this is Django's own command.
"""

from django.core.management.commands import flush
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction


class Command(flush.Command):
    def handle(self, **options):
        database = options["database"]
        connection = connections[database]
        if (
            connection.vendor != "postgresql"
            or options["interactive"]
            or options.get("reset_sequences", True)
        ):
            return super().handle(**options)
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if not tables:
            return
        quote = connection.ops.quote_name  # table names from the schema, quoted
        probe = " UNION ALL ".join(
            f"(SELECT {i} FROM {quote(table)} LIMIT 1)"  # noqa: S608
            for i, table in enumerate(tables)
        )
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(probe)
            holding = [tables[i] for (i,) in cursor.fetchall()]
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in holding:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        if not options.get("inhibit_post_migrate", False):
            emit_post_migrate_signal(options["verbosity"], False, database)
