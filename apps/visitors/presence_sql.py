"""The hand-written statements of presence, for ``services`` only: a socket counting its
visitor online (``CONNECT_SQL``, any database) and a page view's presence hello
(``HELLO_SQL``, PostgreSQL), which counts them by the same upsert.

Every page of a customer's site opens the loader's presence socket, whose hello comes from a
returning visitor moments after the page's beacon continued their visit
(``services.visit_start``). So the common case writes nothing but the presence row, and one
statement does all of it from the event loop (``apps.core.adb``): the token and its visitor,
their visit, and, only when none of them is due a write (a new visit, "last seen" times due
again), the presence row counted; with the team's online count and whether the visitor has
a conversation in progress, for ``ready``. Anything else goes the full way, in a worker
thread. Table and column names come from the models; every value is a parameter.
"""

from dataclasses import dataclass
from datetime import datetime

from apps.conversations.models import Conversation, OperatorPresence
from apps.core import adb
from apps.core.crypto import EncryptedTextField
from apps.core.db import stored_instance
from apps.visitors.models import Visitor, VisitorPresence, VisitorSession, VisitorToken

_T, _V, _S = VisitorToken._meta, Visitor._meta, VisitorSession._meta
_P, _O, _C = VisitorPresence._meta, OperatorPresence._meta, Conversation._meta


def _loaded(model, values, connection):
    """An instance of ``model`` from its concrete columns as psycopg gives them: JSON and
    timestamps are already Python values; encrypted text is decrypted as Django would."""
    return stored_instance(
        model,
        {
            f.attname: f.from_db_value(value, None, connection)
            if isinstance(f, EncryptedTextField)
            else value
            for f, value in zip(model._meta.concrete_fields, values, strict=True)
        },
        connection,
    )


def _col(meta, name: str) -> str:
    return meta.get_field(name).column


def _cols(meta, alias: str) -> str:
    return ", ".join(f"{alias}.{f.column}" for f in meta.concrete_fields)


_P_COL = {
    n: _col(_P, n) for n in ("tenant", "visitor", "connections", "online_since", "last_seen_at")
}
_FRESH = f"p.{_P_COL['connections']} = 0 OR p.{_P_COL['last_seen_at']} < %(stale)s"


def _presence_upsert(rows: str) -> str:
    """The visitor counted online for the row ``rows`` gives (tenant, visitor, 1, now, now):
    their presence row made, or one socket more; a row whose visitor had left (no sockets) or
    whom a dead server left behind (not seen since ``%(stale)s``) starts afresh. PostgreSQL
    and SQLite read the old row in every SET."""
    return (
        f"INSERT INTO {_P.db_table} AS p ({', '.join(_P_COL.values())}) {rows} "
        f"ON CONFLICT ({_P_COL['visitor']}) DO UPDATE SET "
        f"{_P_COL['connections']} = CASE WHEN {_FRESH} THEN 1 "
        f"ELSE p.{_P_COL['connections']} + 1 END, "
        f"{_P_COL['online_since']} = CASE WHEN {_FRESH} "
        f"THEN excluded.{_P_COL['online_since']} ELSE p.{_P_COL['online_since']} END, "
        f"{_P_COL['last_seen_at']} = excluded.{_P_COL['last_seen_at']}"
    )


# services.presence_connect, any database: parameters tenant, visitor, now, stale.
CONNECT_SQL = _presence_upsert("VALUES (%(tenant)s, %(visitor)s, 1, %(now)s, %(now)s)")

# t: the token of this workspace and its visitor; s: their visit, if one is still going on;
# ok: both, with nothing due a write; p: the presence row, counted only then.
HELLO_SQL = (
    f"WITH t AS (SELECT k.{_col(_T, 'token_hash')} AS token_hash, "  # noqa: S608 (model names)
    f"k.{_col(_T, 'last_used_at')} AS token_used_at, {_cols(_V, 'v')} "
    f"FROM {_T.db_table} k JOIN {_V.db_table} v ON v.{_V.pk.column} = k.{_col(_T, 'visitor')} "
    f"WHERE k.{_col(_T, 'token_hash')} = %(token_hash)s AND k.{_col(_T, 'tenant')} = %(tenant)s), "
    f"s AS (SELECT {_cols(_S, 'x')} FROM {_S.db_table} x JOIN t "
    f"ON x.{_col(_S, 'visitor')} = t.{_V.pk.column} "
    f"WHERE x.{_col(_S, 'last_seen_at')} >= %(visit_from)s "
    f"ORDER BY x.{_col(_S, 'last_seen_at')} DESC LIMIT 1), "
    f"ok AS (SELECT t.{_V.pk.column} AS id FROM t JOIN s ON true "
    f"WHERE t.token_used_at >= %(touch_from)s AND s.{_col(_S, 'last_seen_at')} >= %(touch_from)s "
    f"AND t.{_col(_V, 'last_seen_at')} >= %(touch_from)s), "
    f"c AS ({_presence_upsert('SELECT %(tenant)s, ok.id, 1, %(now)s, %(now)s FROM ok')} "
    "RETURNING 1) "
    f"SELECT t.*, s.*, (SELECT count(*) FROM c), "
    f"(SELECT count(*) FROM {_O.db_table} o WHERE o.{_col(_O, 'tenant')} = %(tenant)s "
    f"AND o.{_col(_O, 'status')} = %(online)s AND o.{_col(_O, 'connections')} > 0 "
    f"AND o.{_col(_O, 'last_seen_at')} >= %(operators_from)s), "
    f"EXISTS (SELECT 1 FROM {_C.db_table} y WHERE y.{_col(_C, 'visitor')} = t.{_V.pk.column} "
    f"AND y.{_col(_C, 'status')} = ANY(%(active)s)) "
    "FROM t LEFT JOIN s ON true"
)


@dataclass
class Hello:
    visitor: Visitor
    session: VisitorSession
    token_hash: str
    team_online: int
    in_conversation: bool


async def ahello(
    *,
    tenant_id: int,
    token_hash: str,
    now: datetime,
    visit_from: datetime,
    touch_from: datetime,
    stale: datetime,
    operators_from: datetime,
) -> Hello | None:
    """The presence hello in one statement; None when it needs the full path (an unknown
    token, no visit going on, or something due a write): nothing was written then."""
    row = await adb.fetchone(
        HELLO_SQL,
        {
            "tenant": tenant_id,
            "token_hash": token_hash,
            "visit_from": visit_from,
            "touch_from": touch_from,
            "now": now,
            "stale": stale,
            "online": OperatorPresence.Status.ONLINE,
            "operators_from": operators_from,
            "active": list(Conversation.ACTIVE_STATUSES),
        },
    )
    if row is None:
        return None
    v_end = 2 + len(_V.concrete_fields)
    s_end = v_end + len(_S.concrete_fields)
    counted, team_online, in_conversation = row[s_end:]
    if not counted:
        return None
    connection = adb.django_connection()
    visitor = _loaded(Visitor, row[2:v_end], connection)
    session = _loaded(VisitorSession, row[v_end:s_end], connection)
    return Hello(visitor, session, row[0], team_online, in_conversation)
