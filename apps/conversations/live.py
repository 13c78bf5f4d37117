"""The live visitors list: who is on the workspace's sites right now, with the conversation
each is in, for the inbox. Presence itself (sockets counted per visitor) is the visitors app's;
this module reads it with the conversations and tells the inbox sockets that show the list.

Reads run inside the workspace scope; ``arrived``, ``left`` and ``changed`` are called by the
visitor sockets after they changed presence (``apps.visitors.services.presence_*``).
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery

from apps.conversations.models import Conversation
from apps.core import realtime
from apps.visitors import payloads
from apps.visitors import selectors as visitor_selectors
from apps.visitors import services as visitor_services
from apps.visitors.models import PageView, Visitor, VisitorPresence, VisitorSession

logger = logging.getLogger(__name__)

# An inbox socket that asked for the live list keeps it coming for this long; the list asks
# again every minute while it is on screen.
LIVE_WATCH_SECONDS = 150
LIVE_LIST_LIMIT = 500


def watch(*, tenant_id: int) -> None:
    """An inbox socket shows the live list: publish visitors' comings and goings for
    LIVE_WATCH_SECONDS (the list asks again every minute while it is on screen)."""
    cache.set(live_watch_key(tenant_id), 1, timeout=LIVE_WATCH_SECONDS)


def live_watch_key(tenant_id: int) -> str:
    return f"live:watched:{tenant_id}"


def live_watched(*, tenant_id: int) -> bool:
    """Whether an inbox socket of the workspace shows the live list (``watch``).
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
    first_page = PageView.objects.filter(session=OuterRef("visit_session")).order_by("viewed_at")
    return (
        visitor_selectors.online_presences()
        .select_related("visitor")
        .annotate(visit_session=Subquery(latest_session.values("pk")[:1]))
        .annotate(
            first_url=Subquery(first_page.values("url")[:1]),
            first_referrer=Subquery(first_page.values("referrer")[:1]),
            page_url=Subquery(latest_page.values("url")[:1]),
            page_title=Subquery(latest_page.values("title")[:1]),
            session_started=Subquery(latest_session.values("started_at")[:1]),
            browser=Subquery(latest_session.values("browser")[:1]),
            os=Subquery(latest_session.values("os")[:1]),
            language=Subquery(latest_session.values("language")[:1]),
            conversation_number=Subquery(active.values("number")[:1]),
            conversation_count=Subquery(
                Conversation.objects.filter(visitor=OuterRef("visitor"))
                .values("visitor")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
    )


def _row(presence: VisitorPresence) -> dict:
    visitor = presence.visitor
    current = 1 if presence.conversation_number is not None else 0
    earlier_conversations = (presence.conversation_count or 0) - current
    return {
        "id": visitor.public_id.hex,
        "name": visitor.name,  # empty when none: each page labels it in its own language
        "verified": visitor.is_verified,
        # As the visitor panel has it: an earlier visit, or a conversation before this one.
        "returning": visitor.visits > 1 or earlier_conversations > 0,
        "visits": visitor.visits,
        "page": {"url": presence.page_url, "title": presence.page_title or ""}
        if presence.page_url
        else None,
        "on_site_since": payloads.iso(presence.session_started or presence.online_since),
        "online_since": payloads.iso(presence.online_since),
        "browser": presence.browser or "",
        "os": presence.os or "",
        "language": presence.language or "",
        "came_from": visitor_selectors.came_from(
            first_url=presence.first_url, referrer=presence.first_referrer
        ),
        "conversation": presence.conversation_number,
    }


def live_visitors(*, limit: int = LIVE_LIST_LIMIT) -> list[dict]:
    """Who is on the workspace's sites right now, latest arrival first."""
    return [_row(p) for p in _online().order_by("-online_since")[:limit]]


def live_visitor(*, visitor_id: int) -> dict | None:
    """One visitor's live row, or None when they are not online."""
    presence = _online().filter(visitor_id=visitor_id).first()
    return _row(presence) if presence is not None else None


# --- telling the inbox ------------------------------------------------------------------------


def arrived(*, visitor: Visitor) -> bool:
    """A socket of ``visitor`` opened (``visitor_services.presence_connect``); False when the
    visitor is gone (merged into a known contact meanwhile)."""
    if not visitor_services.presence_connect(visitor=visitor):
        return False
    _publish(visitor.tenant_id, visitor.pk)
    return True


def left(*, tenant_id: int, visitor_id: int, public_id: str) -> bool:
    """A socket of the visitor closed; the last one gone, the list loses the visitor and the
    operators in their conversation read that they left (True)."""
    if not visitor_services.presence_disconnect(visitor_id=visitor_id):
        return False
    _publish(tenant_id, visitor_id, public_id)
    number = (
        Conversation.objects.filter(visitor_id=visitor_id, status__in=Conversation.ACTIVE_STATUSES)
        .values_list("pk", "number")
        .first()
    )
    if number is not None:
        realtime.publish_on_commit(
            realtime.group_conversation(number[0]),
            {
                "type": "chat.visitor",
                "number": number[1],
                "visitor": {"online": False},
                "partial": True,
            },
        )
    return True


def changed(*, visitor: Visitor) -> None:
    """Something on the visitor's live row changed (a new page, a name)."""
    _publish(visitor.tenant_id, visitor.pk)


def _publish(tenant_id: int, visitor_id: int, public_id: str | None = None) -> None:
    """After commit, send the visitor's live row (or that they left) to the inbox sockets showing
    the live list. Only when one is: with nobody watching it costs a cache read."""

    def send() -> None:
        if not live_watched(tenant_id=tenant_id):
            return
        row = live_visitor(visitor_id=visitor_id)
        if row is not None:
            event = {"type": "live.visitor", "visitor": row}
        else:
            gone = public_id or _public_id(visitor_id)
            if gone is None:
                return
            event = {"type": "live.left", "visitor": gone}
        realtime.publish(realtime.group_live_visitors(tenant_id), event)

    transaction.on_commit(send)


def _public_id(visitor_id: int) -> str | None:
    value = Visitor.objects.filter(pk=visitor_id).values_list("public_id", flat=True).first()
    return value.hex if value else None
