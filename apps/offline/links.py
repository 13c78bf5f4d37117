"""The links in emails to visitors: back to the chat, unsubscribe, and one-click ratings.

Each is a signed token (``django.core.signing``, a salt per purpose, so a token made for one
purpose is refused for another) that expires after ``EMAIL_LINK_MAX_AGE_DAYS``. A token names
the workspace and the conversation's public id; a rating's also the resolution it rates and
the score. Nothing secret is inside (the signature is what counts), and nothing in it can be
changed without the signature failing.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.conversations.models import Conversation

OPEN, UNSUBSCRIBE, RATE = "open", "unsubscribe", "rate"
_SALT = "apps.offline.links."
LOCAL_BASE_URL = "http://127.0.0.1:8000"  # the local run's address, when PUBLIC_BASE_URL is empty


class LinkError(Exception):
    """A link that cannot be used: ``expired`` (too old) or ``invalid`` (changed or unknown)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Link:
    tenant_id: int
    conversation: str  # the conversation's public id
    resolved_at: datetime.datetime | None = None  # a rating's resolution
    score: int | None = None  # a rating's score


def absolute(path: str) -> str:
    return (settings.PUBLIC_BASE_URL or LOCAL_BASE_URL) + path


def make(purpose: str, conversation: Conversation, **extra) -> str:
    payload = {"w": conversation.tenant_id, "c": conversation.public_id, **extra}
    return signing.dumps(payload, salt=_SALT + purpose)


def read(purpose: str, token: str) -> Link:
    """The link's content; ``LinkError`` when it expired or is not one of ours for
    ``purpose``."""
    max_age = datetime.timedelta(days=settings.EMAIL_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=_SALT + purpose, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None
    try:
        resolved_at = payload.get("r")
        return Link(
            tenant_id=int(payload["w"]),
            conversation=str(payload["c"]),
            resolved_at=datetime.datetime.fromisoformat(resolved_at) if resolved_at else None,
            score=int(payload["s"]) if "s" in payload else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise LinkError("invalid") from None


def open_chat_url(conversation: Conversation) -> str:
    return absolute(reverse("offline_email:open", args=[make(OPEN, conversation)]))


def unsubscribe_url(conversation: Conversation) -> str:
    return absolute(reverse("offline_email:unsubscribe", args=[make(UNSUBSCRIBE, conversation)]))


def rate_url(conversation: Conversation, *, score: int) -> str:
    """A one-click rating of the conversation's current resolution."""
    token = make(RATE, conversation, r=conversation.resolved_at.isoformat(), s=score)
    return absolute(reverse("offline_email:rate", args=[token]))
