"""Writes of the search index. Callers run inside the workspace scope (``reindex_workspace``
enters it itself).

A stored message is indexed by ``index_message`` and an identified visitor's name and email by
``index_visitor``, both called by the app's event handlers (``apps/search/events.py``).
``reindex_workspace`` rebuilds a workspace's rows under the current key (after a key rotation,
or for data written before the index existed), batch by batch, each batch its own transaction,
so searches keep working while it runs.
"""

from dataclasses import dataclass

from django.db import transaction
from django_scopes import scope

from apps.conversations.models import Message
from apps.search.models import MessageEntry, VisitorEntry
from apps.search.tokens import text_tokens
from apps.tenants.models import Tenant
from apps.visitors.models import Visitor

BATCH = 500


def _message_entry(*, tenant_id: int, message_id: int, conversation_id: int, body: str):
    tokens = message_tokens(tenant_id=tenant_id, body=body)
    if not tokens:
        return None
    return MessageEntry(
        tenant_id=tenant_id, message_id=message_id, conversation_id=conversation_id, tokens=tokens
    )


def _upsert_messages(entries: list[MessageEntry]) -> None:
    MessageEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["message"], update_fields=["tokens"]
    )


def message_tokens(*, tenant_id: int, body: str) -> frozenset[str]:
    """The index tokens of a message body: HMACs only, no database."""
    return frozenset(text_tokens(tenant_id=tenant_id, texts=[body]))


def index_message(message: Message) -> None:
    """Index a stored message (one insert; none for a body without words)."""
    entry = _message_entry(
        tenant_id=message.tenant_id,
        message_id=message.pk,
        conversation_id=message.conversation_id,
        body=message.body,
    )
    if entry is not None:
        entry.save(force_insert=True)


def _visitor_entry(visitor_id: int, tenant_id: int, name: str, email: str):
    tokens = text_tokens(tenant_id=tenant_id, texts=[name or "", email or ""])
    if not tokens:
        return None
    return VisitorEntry(tenant_id=tenant_id, visitor_id=visitor_id, tokens=tokens)


def _upsert_visitors(entries: list[VisitorEntry]) -> None:
    VisitorEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["visitor"], update_fields=["tokens"]
    )


def index_visitor(visitor: Visitor) -> None:
    """Index (or un-index) a visitor's name and email, as they are now on ``visitor``."""
    entry = _visitor_entry(visitor.pk, visitor.tenant_id, visitor.name, visitor.email)
    if entry is None:
        VisitorEntry.objects.filter(visitor_id=visitor.pk).delete()
    else:
        _upsert_visitors([entry])


@dataclass
class ReindexResult:
    messages: int = 0
    visitors: int = 0


def reindex_workspace(tenant: Tenant) -> ReindexResult:
    """Rebuild every index row of ``tenant`` under the current search key."""
    with scope(tenant=tenant):
        messages = _reindex_in_batches(
            Message.objects.values_list("pk", "conversation_id", "body"),
            lambda pk, conversation_id, body: _message_entry(
                tenant_id=tenant.pk, message_id=pk, conversation_id=conversation_id, body=body
            ),
            _upsert_messages,
            lambda pks: MessageEntry.objects.filter(message_id__in=pks).delete(),
        )
        visitors = _reindex_in_batches(
            Visitor.objects.values_list("pk", "name", "email"),
            lambda pk, name, email: _visitor_entry(pk, tenant.pk, name, email),
            _upsert_visitors,
            lambda pks: VisitorEntry.objects.filter(visitor_id__in=pks).delete(),
        )
    return ReindexResult(messages=messages, visitors=visitors)


def _reindex_in_batches(rows_qs, build, upsert, drop) -> int:
    """Walk ``rows_qs`` (value tuples starting with the pk) in pk order, BATCH rows per
    transaction: upsert the entries ``build`` returns, drop the rows that have no words.
    Returns how many entries were written."""
    written, after = 0, 0
    while True:
        with transaction.atomic():
            rows = list(rows_qs.filter(pk__gt=after).order_by("pk")[:BATCH])
            if not rows:
                return written
            entries, empty = [], []
            for row in rows:
                entry = build(*row)
                if entry is None:
                    empty.append(row[0])
                else:
                    entries.append(entry)
            if entries:
                upsert(entries)
            if empty:
                drop(empty)
            written += len(entries)
            after = rows[-1][0]
