"""Small database helpers that Django does not ship for both our databases."""

import functools

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


@functools.cache
def _columns(model) -> tuple:
    """``(attname, default, field)`` of each concrete field: ``field`` where the default is
    computed per instance (a callable), else the default itself."""
    return tuple(
        (f.attname, None, f)
        if callable(f.default) and f.has_default()
        else (f.attname, f.get_default(), None)
        for f in model._meta.concrete_fields
    )


def stored_instance(model, values: dict, connection):
    """A stored row of ``model`` from a hand-written statement's ``values`` (by attname, as
    Python values), the other fields at their defaults, built as Django builds a query's rows
    (``from_db``, positional values): with keyword arguments ``Model.__init__`` cost the
    message path about 3 % of its CPU (docs/performance.md, item 48)."""
    columns = _columns(model)
    return model.from_db(
        connection.alias,
        [name for name, _default, _field in columns],
        [
            values[name] if name in values else (field.get_default() if field else default)
            for name, default, field in columns
        ],
    )
