"""The JSON shapes of docs/widget-protocol.md for contact notes and live visitors. Pure functions.

Operators only: nothing here is ever sent on a visitor's socket.
"""

from datetime import datetime

from apps.tenants.models import Membership, Role
from apps.visitors.models import ContactNote


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def note(note: ContactNote) -> dict:
    """A contact note as every operator sees it (``can_delete`` is added per viewer)."""
    author = note.author
    return {
        "id": note.pk,
        "body": note.body,
        "author": {"id": author.pk, "name": author.get_full_name()} if author else None,
        "created_at": iso(note.created_at),
    }


def note_for(data: dict, membership: Membership) -> dict:
    """``data`` (from ``note``) with whether ``membership`` may delete it: author or admin."""
    author = data.get("author") or {}
    mine = author.get("id") is not None and author.get("id") == membership.user_id
    return {**data, "can_delete": mine or membership.has_role(Role.ADMIN)}
