"""Small database helpers that Django does not ship for both our databases."""

import functools

from django.db.models import Aggregate, TextField, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute


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


@functools.cache
def _direct(model) -> bool:
    """Whether ``stored_instance`` may fill an instance's ``__dict__`` itself: nothing listens
    for its ``pre_init``/``post_init`` (modeltranslation does for translated models), and every
    field is a plain attribute or a foreign key's id (whose setter only forgets a cached
    object, and a new instance has none)."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return False
    for field in model._meta.concrete_fields:
        descriptor = model.__dict__.get(field.attname)
        if type(descriptor) not in (DeferredAttribute, ForeignKeyDeferredAttribute):
            return False
    return True


def stored_instance(model, values: dict, connection):
    """A stored row of ``model`` from a hand-written statement's ``values`` (by attname, as
    Python values), the other fields at their defaults: what Django builds for a query's row
    (``from_db``), without ``Model.__init__``'s per-field work where nothing depends on it
    (``_direct``). With keyword arguments ``__init__`` cost the message path about 3 % of its
    CPU, with positional ones 2 % (docs/performance.md, items 48 and 59)."""
    columns = _columns(model)
    if not _direct(model):
        return model.from_db(
            connection.alias,
            [name for name, _default, _field in columns],
            [
                values[name] if name in values else (field.get_default() if field else default)
                for name, default, field in columns
            ],
        )
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding = False
    state.db = connection.alias
    attrs = instance.__dict__
    for name, default, field in columns:
        attrs[name] = (
            values[name] if name in values else (field.get_default() if field else default)
        )
    return instance
