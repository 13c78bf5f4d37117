"""Reads about visitors for the inbox: contact notes and who is on the site right now.

Every function runs inside the workspace scope (``django_scopes.scope(tenant=...)``).
"""

import logging
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from apps.conversations.models import Conversation
from apps.tenants.models import Membership, Tenant
from apps.visitors import payloads
from apps.visitors.models import ContactNote, PageView, Visitor, VisitorPresence, VisitorSession

logger = logging.getLogger(__name__)

# A visitor whose chat window has not been heard from for this long is gone (its server died).
PRESENCE_TIMEOUT = timedelta(seconds=180)
# An inbox socket that asked for the live list keeps it coming for this long; the list asks
# again every minute while it is on screen.
LIVE_WATCH_SECONDS = 150
LIVE_LIST_LIMIT = 500
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


# --- live visitors ---------------------------------------------------------------------------


def live_watch_key(tenant_id: int) -> str:
    return f"live:watched:{tenant_id}"


def live_watched(*, tenant_id: int) -> bool:
    """Whether an inbox socket of the workspace shows the live list (services.live_watch).
    The cache (Redis) being down reads as nobody: arrivals are not announced meanwhile, and
    the live list catches up when it asks again."""
    try:
        return bool(cache.get(live_watch_key(tenant_id)))
    except Exception:
        logger.warning("live list watch not read: cache unavailable", exc_info=True)
        return False


def _online():
    """Presence rows of visitors online now, with what a live row shows (one query)."""
    latest_page = PageView.objects.filter(visitor=OuterRef("visitor")).order_by("-viewed_at")
    latest_session = VisitorSession.objects.filter(visitor=OuterRef("visitor")).order_by(
        "-last_seen_at"
    )
    active = Conversation.objects.filter(
        visitor=OuterRef("visitor"), status__in=Conversation.ACTIVE_STATUSES
    ).order_by("-last_activity_at")
    return (
        VisitorPresence.objects.filter(
            connections__gt=0, last_seen_at__gte=timezone.now() - PRESENCE_TIMEOUT
        )
        .select_related("visitor")
        .annotate(
            page_url=Subquery(latest_page.values("url")[:1]),
            page_title=Subquery(latest_page.values("title")[:1]),
            session_started=Subquery(latest_session.values("started_at")[:1]),
            browser=Subquery(latest_session.values("browser")[:1]),
            os=Subquery(latest_session.values("os")[:1]),
            language=Subquery(latest_session.values("language")[:1]),
            conversation_number=Subquery(active.values("number")[:1]),
        )
    )


def _row(presence: VisitorPresence) -> dict:
    visitor = presence.visitor
    return {
        "id": visitor.public_id.hex,
        "name": str(visitor.display_name),
        "verified": visitor.is_verified,
        "returning": visitor.visits > 1,
        "visits": visitor.visits,
        "page": {"url": presence.page_url, "title": presence.page_title or ""}
        if presence.page_url
        else None,
        "on_site_since": payloads.iso(presence.session_started or presence.online_since),
        "online_since": payloads.iso(presence.online_since),
        "browser": presence.browser or "",
        "os": presence.os or "",
        "language": presence.language or "",
        "conversation": presence.conversation_number,
    }


def live_visitors(*, limit: int = LIVE_LIST_LIMIT) -> list[dict]:
    """Who is on the workspace's sites right now, latest arrival first."""
    return [_row(p) for p in _online().order_by("-online_since")[:limit]]


def live_visitor(*, visitor_id: int) -> dict | None:
    """One visitor's live row, or None when they are not online."""
    presence = _online().filter(visitor_id=visitor_id).first()
    return _row(presence) if presence is not None else None
