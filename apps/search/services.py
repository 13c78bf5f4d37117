"""Writes of the search index. Callers run inside the workspace scope (``reindex_workspace``
enters it itself).

``index_message`` runs on the hot path of every message, inside the insert's transaction: one
``INSERT … ON CONFLICT DO UPDATE`` statement, nothing read. ``index_visitor`` follows a
visitor's name and email. ``reindex_workspace`` rebuilds a workspace's rows under the current
key (after a key rotation, or for data written before the index existed), batch by batch, each
batch its own transaction, so searches keep working while it runs.
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
    tokens = text_tokens(tenant_id=tenant_id, texts=[body])
    if not tokens:
        return None
    return MessageEntry(
        tenant_id=tenant_id, message_id=message_id, conversation_id=conversation_id, tokens=tokens
    )


def _upsert_messages(entries: list[MessageEntry]) -> None:
    MessageEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["message"], update_fields=["tokens"]
    )


def index_message(message: Message) -> None:
    """Index a stored message's body (one statement; none for a body without words)."""
    entry = _message_entry(
        tenant_id=message.tenant_id,
        message_id=message.pk,
        conversation_id=message.conversation_id,
        body=message.body,
    )
    if entry is not None:
        _upsert_messages([entry])


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
    result = ReindexResult()
    with scope(tenant=tenant):
        after = 0
        while True:
            with transaction.atomic():
                rows = list(
                    Message.objects.filter(pk__gt=after)
                    .order_by("pk")
                    .values_list("pk", "conversation_id", "body")[:BATCH]
                )
                if not rows:
                    break
                entries = []
                empty = []
                for pk, conversation_id, body in rows:
                    entry = _message_entry(
                        tenant_id=tenant.pk,
                        message_id=pk,
                        conversation_id=conversation_id,
                        body=body,
                    )
                    if entry is None:
                        empty.append(pk)
                    else:
                        entries.append(entry)
                if entries:
                    _upsert_messages(entries)
                if empty:
                    MessageEntry.objects.filter(message_id__in=empty).delete()
                result.messages += len(entries)
                after = rows[-1][0]

        after = 0
        while True:
            with transaction.atomic():
                rows = list(
                    Visitor.objects.filter(pk__gt=after)
                    .order_by("pk")
                    .values_list("pk", "name", "email")[:BATCH]
                )
                if not rows:
                    break
                entries = []
                empty = []
                for pk, name, email in rows:
                    entry = _visitor_entry(pk, tenant.pk, name, email)
                    if entry is None:
                        empty.append(pk)
                    else:
                        entries.append(entry)
                if entries:
                    _upsert_visitors(entries)
                if empty:
                    VisitorEntry.objects.filter(visitor_id__in=empty).delete()
                result.visitors += len(entries)
                after = rows[-1][0]
    return result
