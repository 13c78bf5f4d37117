"""Reads about visitors for the inbox: contact notes, the visitor behind a public id.

Every function runs inside the workspace scope (``django_scopes.scope(tenant=...)``).
"""

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils import timezone

from apps.core.crypto import hash_token
from apps.tenants.models import Membership, Tenant
from apps.visitors import payloads
from apps.visitors.models import (
    Consent,
    ContactNote,
    PageView,
    Visitor,
    VisitorPresence,
    VisitorToken,
)

# A visitor whose chat window has not been heard from for this long is gone (its server died).
PRESENCE_TIMEOUT = timedelta(seconds=180)
NOTES_LIMIT = 100


def visitor_by_public_id(*, public_id) -> Visitor | None:
    """The workspace's visitor with this public id (hex), or None (also for junk)."""
    if not isinstance(public_id, str) or len(public_id) > 64:
        return None
    try:
        value = uuid.UUID(public_id)
    except ValueError:
        return None
    return Visitor.objects.filter(public_id=value).first()


def visitor_fresh(*, visitor: Visitor) -> Visitor:
    """``visitor`` as stored now (what another request changed included); the object given
    when the row is gone (merged into a known contact meanwhile)."""
    return Visitor.objects.filter(pk=visitor.pk).first() or visitor


def visitor_by_token(*, token) -> Visitor | None:
    """The workspace's visitor a browser's token names, or None (also for junk)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    found = VisitorToken.objects.select_related("visitor").filter(token_hash=hash_token(token))
    row = found.first()
    return row.visitor if row is not None else None


def contact_notes(*, visitor: Visitor, membership: Membership) -> list[dict]:
    """The team's notes about ``visitor``, newest first, as ``membership`` sees them."""
    rows = (
        ContactNote.objects.filter(visitor=visitor)
        .select_related("author")
        .order_by("-created_at", "-id")[:NOTES_LIMIT]
    )
    return [payloads.note_for(payloads.note(n), membership) for n in rows]


def typing_preview_enabled(*, tenant_id: int) -> bool:
    """Whether the workspace lets operators see what visitors type before they send it."""
    value = Tenant.objects.filter(pk=tenant_id).values_list("typing_preview", flat=True).first()
    return bool(value)


def online_presences():
    """The presence rows of the visitors on the workspace's sites now: a socket open and heard
    from within PRESENCE_TIMEOUT. The one rule for "online" (the live list, the home page)."""
    return VisitorPresence.objects.filter(
        connections__gt=0, last_seen_at__gte=timezone.now() - PRESENCE_TIMEOUT
    )


def visitors_online_count() -> int:
    return online_presences().count()


def page_view_recorded(*, tenant: Tenant) -> bool:
    """Whether a page of the workspace's sites has ever reported a view: the snippet is live."""
    return PageView.objects.filter(tenant=tenant).exists()


def consent_given(*, visitor_id: int, purpose: str) -> bool:
    """Whether the visitor's consent to ``purpose`` stands (given and not taken back)."""
    return Consent.objects.filter(
        visitor_id=visitor_id, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


def came_from(*, first_url: str | None, referrer: str | None) -> str:
    """Where a visitor came from on a visit whose first page was ``first_url``: its referrer
    when that is another site, else "" (they typed the address, or came from the site)."""
    if not referrer or not first_url:
        return ""
    return "" if urlsplit(referrer).netloc == urlsplit(first_url).netloc else referrer
