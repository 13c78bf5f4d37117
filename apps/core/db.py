"""Small database helpers that Django does not ship for both our databases."""

from django.db.models import Aggregate, TextField


class GroupConcat(Aggregate):
    """Comma-joined values of a group: ``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on SQLite.
    (Django 6 has ``StringAgg`` for every backend; 5.2 has it for PostgreSQL only.)"""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ',')",
            **extra,
        )
