"""The hand-written statements of the message path, for ``services`` only.

A message is the product's hot path (DESIGN.md §4). Built by the ORM, each of its statements
cost more CPU in Python than PostgreSQL spent running it (docs/performance.md, items 2 and 14),
so the path writes SQL by hand: table and column names come from the models, every value is a
parameter, and the caller holds the transaction. On PostgreSQL the visitor's message is two
statements: the conversation locked together with the client-id look-up, then the message, its
search entry and the conversation's row in one statement of writable CTEs. Elsewhere (SQLite,
the one-command local run) each part is its own statement, with the same results.
"""

import asyncio
import weakref
from datetime import UTC, datetime
from typing import NamedTuple

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.conversations.models import Conversation, Message
from apps.core import adb
from apps.core.db import stored_instance
from apps.search.services import (
    index_new_message,
    message_tokens_text,
    new_message_entries_sql,
    new_message_entry_sql,
)
from apps.visitors.models import Visitor

_M, _C = Message._meta, Conversation._meta
_INSERT_COLUMNS = ("tenant", "conversation", "sender", "author", "body", "client_id", "created_at")
_INSERT_INTO = (
    f"INSERT INTO {_M.db_table} ({', '.join(_M.get_field(c).column for c in _INSERT_COLUMNS)}) "
)
_INSERT_SQL = _INSERT_INTO + f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})"
OPEN_FIELDS = (
    "id",
    "number",
    "public_id",
    "status",
    "operator_unread",
    "waiting_since",
    "created_at",
    "assignee_id",
    "team_id",
    "snoozed_until",
)
_DATETIME_FIELDS = ("waiting_since", "created_at", "snoozed_until")
_STORED_SQL = (
    f"SELECT m.id FROM {_M.db_table} m JOIN {_C.db_table} c ON c.id = m.conversation_id "  # noqa: S608
    "WHERE c.tenant_id = %s AND c.visitor_id = %s AND m.client_id = %s AND m.client_id <> '' "
    "AND m.sender = %s LIMIT 1"
)
_OPEN_WHERE = (
    f"FROM {_C.db_table} WHERE tenant_id = %s AND visitor_id = %s "
    f"AND (status IN ({', '.join(['%s'] * len(Conversation.ACTIVE_STATUSES))}) "
    "OR (status = %s AND resolved_at >= %s)) "
    "ORDER BY last_activity_at DESC LIMIT 1"
)
_OPEN_SQL = f"SELECT {', '.join(OPEN_FIELDS)} {_OPEN_WHERE}"
# PostgreSQL: the look-up rides along as a column. Its snapshot may predate the lock wait; a
# message stored meanwhile under the same client id then fails the insert on the unique index,
# and the service answers with the stored one (message_post_from_visitor).
_OPEN_AND_STORED_SQL = (
    f"SELECT {', '.join(OPEN_FIELDS)}, ({_STORED_SQL}) {_OPEN_WHERE} FOR UPDATE OF {_C.db_table}"
)
UPDATABLE = frozenset(f.column for f in _C.concrete_fields) - {"id", "tenant_id"}


def _datetime(value):
    """A datetime column read by hand: PostgreSQL gives datetimes, SQLite gives text."""
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
    return value


def _stored_params(visitor: Visitor, client_id: str) -> list:
    return [visitor.tenant_id, visitor.pk, client_id, Message.Sender.VISITOR]


def _open_params(visitor: Visitor, connection, now) -> list:
    return [visitor.tenant_id, visitor.pk, *_eligible_params(connection, now)]


def _eligible_params(connection, now) -> list:
    """The statuses of a conversation a visitor's next message may go to, for ``_OPEN_WHERE``
    after its workspace and visitor: active, or resolved within CHAT_REOPEN_WINDOW."""
    recently = now - settings.CHAT_REOPEN_WINDOW
    return [
        *Conversation.ACTIVE_STATUSES,
        Conversation.Status.RESOLVED,
        connection.ops.adapt_datetimefield_value(recently),
    ]


def _loaded(instance, connection):
    """Mark an instance built by hand as a stored row."""
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


_VISITOR = Conversation._meta.get_field("visitor")
_OF_CONVERSATION = Message._meta.get_field("conversation")


def _conversation(visitor: Visitor, row, connection, **more) -> Conversation:
    """The light in-memory conversation of a row that starts with ``OPEN_FIELDS``."""
    values = dict(zip(OPEN_FIELDS, row[: len(OPEN_FIELDS)], strict=True))
    for field in _DATETIME_FIELDS:
        values[field] = _datetime(values[field])
    values.update(more, tenant_id=visitor.tenant_id, visitor_id=visitor.pk)
    conversation = stored_instance(Conversation, values, connection)
    _VISITOR.set_cached_value(conversation, visitor)
    return conversation


def stored_visitor_message(visitor: Visitor, client_id: str) -> int | None:
    """The id of the visitor's message sent with ``client_id``, in any of their conversations."""
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_STORED_SQL, _stored_params(visitor, client_id))
        row = cursor.fetchone()
    return row[0] if row else None


def open_conversation_locked(
    visitor: Visitor, client_id: str | None
) -> tuple[Conversation | None, int | None]:
    """The conversation a visitor's next message belongs to, row-locked, as a light in-memory
    object: the latest one still active (open, pending, snoozed) or resolved within
    CHAT_REOPEN_WINDOW (the message reopens it); and the id of a message of theirs already
    stored under ``client_id``, if any (``None``: not looked up). One statement on
    PostgreSQL."""
    connection = transaction.get_connection()
    postgres = connection.vendor == "postgresql" and client_id is not None
    params = _open_params(visitor, connection, timezone.now())
    if postgres:
        sql = _OPEN_AND_STORED_SQL
        params = [*_stored_params(visitor, client_id), *params]
    else:
        sql = _OPEN_SQL + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if client_id is None:
        stored = None
    elif postgres:
        stored = row[-1] if row is not None else stored_visitor_message(visitor, client_id)
    else:
        stored = stored_visitor_message(visitor, client_id)
    if row is None:
        return None, stored
    return _conversation(visitor, row, connection), stored


def _assignments(values: dict, connection) -> tuple[str, list]:
    if not values.keys() <= UPDATABLE:
        raise ValueError(f"not conversation columns: {set(values) - UPDATABLE}")
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(v) if isinstance(v, datetime) else v for v in values.values()]
    return ", ".join(f"{column} = %s" for column in values), params


def update_conversation(pk: int, **values) -> None:
    """``UPDATE`` one conversation row (keyword names are the table's columns)."""
    connection = transaction.get_connection()
    assignments, params = _assignments(values, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_C.db_table} SET {assignments} WHERE id = %s",  # noqa: S608 (names checked)
            [*params, pk],
        )


def insert_message(
    conversation: Conversation,
    *,
    tokens: frozenset[str],
    update: dict | None = None,
    **fields,
) -> Message:
    """Insert a message while the caller holds the conversation's row lock (so ids commit in
    order), with its search entry (``tokens``: ``message_tokens``, computed before the lock) and,
    given ``update`` (columns and values), the conversation's row, whose ``last_message_id``
    becomes the new message. One statement on PostgreSQL."""
    connection = transaction.get_connection()
    fields.setdefault("created_at", timezone.now())
    message = Message(tenant_id=conversation.tenant_id, conversation=conversation, **fields)
    values = [
        message.tenant_id,
        conversation.pk,
        message.sender,
        message.author_id,
        _M.get_field("body").get_prep_value(message.body),
        message.client_id,
        connection.ops.adapt_datetimefield_value(message.created_at),
    ]
    if connection.vendor == "postgresql":
        sql, params = f"WITH m AS ({_INSERT_SQL} RETURNING id)", values
        entry = new_message_entry_sql(
            source="m",
            tenant_id=message.tenant_id,
            conversation_id=conversation.pk,
            tokens=tokens,
            connection=connection,
        )
        if entry is not None:
            sql, params = f"{sql}, e AS ({entry[0]})", [*params, *entry[1]]
        if update is not None:
            assignments, update_params = _assignments(update, connection)
            sql += (
                f", u AS (UPDATE {_C.db_table} SET last_message_id = m.id, {assignments} "  # noqa: S608
                f"FROM m WHERE {_C.db_table}.id = %s)"
            )
            params = [*params, *update_params, conversation.pk]
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} SELECT id FROM m", params)  # noqa: S608 (names only)
            message.pk = cursor.fetchone()[0]
    else:
        returning = connection.features.can_return_columns_from_insert
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_SQL + (" RETURNING id" if returning else ""), values)
            message.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
        index_new_message(
            tenant_id=message.tenant_id,
            message_id=message.pk,
            conversation_id=conversation.pk,
            tokens=tokens,
        )
        if update is not None:
            update_conversation(conversation.pk, last_message_id=message.pk, **update)
    return _loaded(message, connection)


# Visitors' messages in the common case, as one statement in autocommit (PostgreSQL), for one
# message or several of different visitors at once (``apps.core.adb.GroupWriter``: under load,
# the messages that arrive while a statement is on its way go together in the next one). For
# each: the visitor's latest conversation locked (the same choice as
# ``open_conversation_locked``), their client id looked up, and, when that conversation is open
# and the id is new, the message, its search entry and the conversation's row written. A
# single statement is a transaction of its own, so each lock is held until the messages have
# committed, as in the two-statement path, without BEGIN and COMMIT. PostgreSQL follows a
# row's newest version for the lock and the update, so ``operator_unread + 1`` is exact under
# concurrent messages. The messages come as one JSON parameter (one row each, numbered ``n``).
_ITEMS = "n int, tenant_id bigint, visitor_id bigint, client_id text, body text, tokens text"
_STORED_OF_ITEM = (
    f"SELECT s.id FROM {_M.db_table} s JOIN {_C.db_table} sc ON sc.id = s.conversation_id "  # noqa: S608
    "WHERE sc.tenant_id = i.tenant_id AND sc.visitor_id = i.visitor_id "
    "AND s.client_id = i.client_id AND s.client_id <> '' AND s.sender = %s LIMIT 1"
)
_OPEN_OF_ITEM = _OPEN_WHERE.replace(
    "WHERE tenant_id = %s AND visitor_id = %s",
    "WHERE tenant_id = i.tenant_id AND visitor_id = i.visitor_id",
)
_ENTRIES = (
    "(SELECT c.tenant_id, m.id AS message_id, m.conversation_id, c.tokens "
    "FROM m JOIN c ON c.id = m.conversation_id) r"
)
_POST_OPEN_SQL = (
    f"WITH i AS (SELECT * FROM json_to_recordset(%s::json) AS i({_ITEMS})), "  # noqa: S608
    f"c AS (SELECT i.n, i.tenant_id, i.client_id, i.body, i.tokens, o.*, ({_STORED_OF_ITEM}) "
    f"AS stored FROM i CROSS JOIN LATERAL (SELECT {', '.join(OPEN_FIELDS)} {_OPEN_OF_ITEM} "
    "FOR UPDATE) o), "
    f"m AS ({_INSERT_INTO}SELECT c.tenant_id, c.id, %s, NULL, c.body, c.client_id, %s FROM c "
    "WHERE c.status = %s AND c.stored IS NULL ORDER BY c.n RETURNING id, conversation_id), "
    f"e AS ({new_message_entries_sql(_ENTRIES)}), "
    f"u AS (UPDATE {_C.db_table} SET last_message_id = m.id, last_activity_at = %s, "
    f"operator_unread = {_C.db_table}.operator_unread + 1, "
    f"waiting_since = COALESCE({_C.db_table}.waiting_since, %s) "
    f"FROM m WHERE {_C.db_table}.id = m.conversation_id "
    f"RETURNING {_C.db_table}.id, {_C.db_table}.operator_unread, {_C.db_table}.waiting_since) "
    f"SELECT c.n, {', '.join(f'c.{name}' for name in OPEN_FIELDS)}, c.stored, m.id, "
    "u.operator_unread, u.waiting_since "
    "FROM c LEFT JOIN m ON m.conversation_id = c.id LEFT JOIN u ON u.id = c.id"
)


class Post(NamedTuple):
    """A visitor's message for ``_POST_OPEN_SQL`` (``tokens``: ``message_tokens``)."""

    visitor: Visitor
    client_id: str
    body: str
    tokens: frozenset[str]


def _post_open_statement(posts: list[Post], *, connection, now) -> tuple[str, list]:
    """``_POST_OPEN_SQL`` and its parameters."""
    adapt = connection.ops.adapt_datetimefield_value
    prep_body = _M.get_field("body").get_prep_value
    # In the visitors' order, whoever sent first: two processes' statements lock the
    # conversations they share in the same order, so they wait for each other, not deadlock.
    ordered = sorted(enumerate(posts), key=lambda numbered: numbered[1].visitor.pk)
    items = [
        {
            "n": n,
            "tenant_id": post.visitor.tenant_id,
            "visitor_id": post.visitor.pk,
            "client_id": post.client_id,
            "body": prep_body(post.body),
            "tokens": message_tokens_text(post.tokens, connection),
        }
        for n, post in ordered
    ]
    params = [
        orjson.dumps(items).decode(),
        Message.Sender.VISITOR,  # c: the client id already stored?
        *_eligible_params(connection, now),  # c: the eligible conversation
        Message.Sender.VISITOR,  # m: the message, into an open conversation only
        adapt(now),
        Conversation.Status.OPEN,
        adapt(now),  # u: the conversation's row
        adapt(now),
    ]
    return _POST_OPEN_SQL, params


def _post_open_result(post: Post, row, *, connection, now):
    if row is None:
        return None, None, None
    visitor = post.visitor
    fields = len(OPEN_FIELDS)
    stored, message_id, unread, waiting_since = row[fields:]
    if message_id is None:
        return None, None, stored
    conversation = _conversation(
        visitor,
        row,
        connection,
        operator_unread=unread,
        waiting_since=_datetime(waiting_since),
        last_activity_at=now,
    )
    message = stored_instance(
        Message,
        {
            "id": message_id,
            "tenant_id": visitor.tenant_id,
            "conversation_id": conversation.pk,
            "sender": Message.Sender.VISITOR,
            "body": post.body,
            "client_id": post.client_id,
            "created_at": now,
        },
        connection,
    )
    _OF_CONVERSATION.set_cached_value(message, conversation)
    conversation.last_message = message
    return conversation, message, None


def _post_open_results(posts: list[Post], rows, *, connection, now) -> list[tuple]:
    found = {row[0]: row[1:] for row in rows}
    return [
        _post_open_result(post, found.get(n), connection=connection, now=now)
        for n, post in enumerate(posts)
    ]


def post_to_open_conversation(
    visitor: Visitor, *, client_id: str, body: str, tokens: frozenset[str]
) -> tuple[Conversation | None, Message | None, int | None]:
    """The visitor's message stored in one statement when their latest conversation is open
    (PostgreSQL, outside a transaction: the statement commits by itself). Returns
    ``(conversation, message, None)`` when stored; ``(None, None, stored_id)`` when the client
    id was already stored; ``(None, None, None)`` when the message needs the full path (no
    conversation, one to reopen, or another database)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return None, None, None
    now = timezone.now()
    posts = [Post(visitor, client_id, body, tokens)]
    sql, params = _post_open_statement(posts, connection=connection, now=now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _post_open_results(posts, rows, connection=connection, now=now)[0]


async def _write_posts(posts: list[Post]) -> list[tuple]:
    connection = adb.django_connection()
    now = timezone.now()
    sql, params = _post_open_statement(posts, connection=connection, now=now)
    rows = await adb.fetchall(sql, params)
    return _post_open_results(posts, rows, connection=connection, now=now)


_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, adb.GroupWriter]" = (
    weakref.WeakKeyDictionary()
)


def writer() -> adb.GroupWriter:
    """This event loop's writer of visitors' messages (one key per visitor)."""
    loop = asyncio.get_running_loop()
    found = _writers.get(loop)
    if found is None:
        found = _writers[loop] = adb.GroupWriter(_write_posts)
    return found


async def apost_to_open_conversation(
    visitor: Visitor, *, client_id: str, body: str, tokens: frozenset[str]
) -> tuple[Conversation | None, Message | None, int | None]:
    """``post_to_open_conversation`` from the event loop (apps.core.adb), PostgreSQL only:
    in a statement of its own, or, while the loop's statement is on its way, in the next one,
    with the messages of other visitors that arrive meanwhile."""
    return await writer().submit(visitor.pk, Post(visitor, client_id, body, tokens))
