"""Reads for the widget and the inbox. Every function runs inside the workspace scope."""

from datetime import timedelta

from django.utils import timezone

from apps.conversations import payloads
from apps.conversations.models import Conversation, Message, OperatorPresence
from apps.visitors.models import PageView, Visitor, VisitorSession

HISTORY_LIMIT = 100
# An operator whose inbox socket has not been heard from for this long counts as away.
PRESENCE_TIMEOUT = timedelta(seconds=90)
# What an inbox-list row needs (payloads.summary): loading less keeps the list fast.
SUMMARY_FIELDS = (
    "tenant",
    "visitor",
    "last_message",
    "number",
    "public_id",
    "status",
    "operator_unread",
    "waiting_since",
    "last_activity_at",
    "created_at",
    "visitor__public_id",
    "visitor__name",
    "visitor__tenant",
    "last_message__body",
    "last_message__sender",
    "last_message__tenant",
)


def team_online_count(*, tenant_id: int) -> int:
    """How many members are online: chose online and have a live inbox socket."""
    return OperatorPresence.objects.filter(
        tenant_id=tenant_id,
        status=OperatorPresence.Status.ONLINE,
        connections__gt=0,
        last_seen_at__gte=timezone.now() - PRESENCE_TIMEOUT,
    ).count()


def visible_conversations(*, membership):
    """The conversations ``membership`` may see in this workspace (the inbox, search, bulk
    actions all start here). Fails closed: no membership, no conversations."""
    if membership is None:
        return Conversation.objects.none()
    return Conversation.objects.filter(tenant_id=membership.tenant_id)


def visitor_open_conversation(*, visitor: Visitor) -> Conversation | None:
    return (
        Conversation.objects.filter(visitor=visitor, status=Conversation.Status.OPEN)
        .order_by("-last_activity_at")
        .first()
    )


def visitor_messages(*, visitor: Visitor, after_id: int | None) -> list[dict]:
    """The visitor's messages after ``after_id`` (all of them, oldest first), or the latest 100."""
    qs = Message.objects.filter(conversation__visitor=visitor).select_related(
        "conversation", "author"
    )
    if after_id is not None:
        rows = list(qs.filter(id__gt=after_id).order_by("id")[:1000])
    else:
        rows = list(qs.order_by("-id")[:HISTORY_LIMIT])[::-1]
    return [payloads.message(m, m.conversation) for m in rows]


def conversation_by_number(*, number) -> Conversation | None:
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    return Conversation.objects.select_related("visitor").filter(number=number).first()


def conversation_messages(*, conversation: Conversation, after_id: int | None) -> list[dict]:
    qs = Message.objects.filter(conversation=conversation).select_related("author")
    if after_id is not None:
        rows = list(qs.filter(id__gt=after_id).order_by("id")[:1000])
    else:
        rows = list(qs.order_by("-id")[:HISTORY_LIMIT])[::-1]
    return [payloads.message(m, conversation) for m in rows]


def inbox_summaries(*, status: str | None = None, limit: int = 100) -> list[dict]:
    qs = (
        Conversation.objects.select_related("visitor", "last_message")
        .only(*SUMMARY_FIELDS)
        .order_by("-last_activity_at")
    )
    if status:
        qs = qs.filter(status=status)
    return [payloads.summary(c) for c in qs[:limit]]


def inbox_initial_summaries() -> list[dict]:
    """Every open conversation (up to 200) and the 50 most recently resolved."""
    return inbox_summaries(status=Conversation.Status.OPEN, limit=200) + inbox_summaries(
        status=Conversation.Status.RESOLVED, limit=50
    )


def visitor_panel(*, visitor: Visitor, exclude_conversation: Conversation | None = None) -> dict:
    session = VisitorSession.objects.filter(visitor=visitor).order_by("-last_seen_at").first()
    pages = list(
        PageView.objects.filter(visitor=visitor)
        .order_by("-viewed_at")
        .values("url", "title", "viewed_at")[:20]
    )
    previous = Conversation.objects.filter(visitor=visitor).order_by("-created_at")
    if exclude_conversation is not None:
        previous = previous.exclude(pk=exclude_conversation.pk)
    previous = list(previous.only("number", "status", "created_at")[:10])
    return {
        "id": visitor.public_id.hex,
        "name": str(visitor.display_name),
        "email": visitor.email if visitor.is_verified else "",
        "verified": visitor.is_verified,
        "returning": visitor.visits > 1 or bool(previous),
        "visits": visitor.visits,
        "current_page": ({"url": pages[0]["url"], "title": pages[0]["title"]} if pages else None),
        "pages": [
            {"url": p["url"], "title": p["title"], "at": payloads.iso(p["viewed_at"])}
            for p in pages
        ],
        "browser": session.browser if session else "",
        "os": session.os if session else "",
        "language": session.language if session else "",
        "timezone": session.timezone if session else "",
        "attributes": visitor.attributes,
        "unverified": visitor.unverified,
        "first_seen_at": payloads.iso(visitor.first_seen_at),
        "last_seen_at": payloads.iso(visitor.last_seen_at),
        "previous_conversations": [
            {"number": c.number, "status": c.status, "created_at": payloads.iso(c.created_at)}
            for c in previous
        ],
    }
