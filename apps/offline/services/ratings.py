"""The visitor's rating after a chat: one per resolution of a conversation, from the chat
window or a one-click link in an email. Giving the same rating again changes nothing; a comment
can follow the rating. The rating is a line in the conversation's history (operators only), an
event (``rating.received``) for reports, and shows in the inbox.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from apps.conversations import services as conversation_services
from apps.conversations.models import Activity, Conversation
from apps.core import events
from apps.core.errors import Refusal
from apps.offline.models import Rating

COMMENT_MAX_LENGTH = 2000
RATING_RECEIVED = "rating.received"


class RatingError(Refusal):
    """A refused rating."""


def _score(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise RatingError("invalid", _("A rating is a whole number from 1 to 5."), field="score")
    return value


def rating_give(
    *, conversation: Conversation, score=None, comment=None, resolved_at=None
) -> Rating:
    """Rate the conversation's latest resolution (or the one at ``resolved_at``, which a link
    names). A second rating of the same resolution keeps the first score; a comment is added
    or replaced."""
    if comment is not None and not isinstance(comment, str):
        raise RatingError("invalid", _("The comment must be text."), field="comment")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise RatingError(
            "too_long",
            _("Use at most %(n)s characters.") % {"n": COMMENT_MAX_LENGTH},
            field="comment",
        )
    with transaction.atomic():
        conversation = conversation_services.lock_conversation(conversation.pk)
        resolved_at = resolved_at or conversation.resolved_at
        if resolved_at is None:
            raise RatingError("not_resolved", _("This conversation is still in progress."))
        rating = Rating.objects.filter(conversation=conversation, resolved_at=resolved_at).first()
        if rating is not None:
            if comment and comment != rating.comment:
                rating.comment = comment
                rating.save(update_fields=["comment"])
                _history(conversation, rating)
            return rating
        rating = Rating.objects.create(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            resolved_at=resolved_at,
            score=_score(score),
            comment=comment,
        )
        _history(conversation, rating)
        events.record(
            RATING_RECEIVED,
            tenant_id=conversation.tenant_id,
            stream=events.conversation_stream(conversation.pk),
            conversation=conversation.pk,
            score=rating.score,
            rating=rating.pk,
        )
    return rating


def _history(conversation: Conversation, rating: Rating) -> None:
    conversation_services.activity_record(
        conversation, Activity.Kind.RATED, None, text=rating.comment, score=rating.score
    )
