"""A visitor stops the emails about a conversation (the link in every email, or their mail
client's one-click unsubscribe). Asking for a transcript from the chat subscribes again."""

from django.db import transaction
from django.utils import timezone

from apps.conversations.models import Conversation
from apps.offline.models import EmailThread


def email_unsubscribe(*, conversation: Conversation) -> bool:
    """No more emails about ``conversation``: replies and automatic transcripts stop. True when
    this changed something (False: already unsubscribed, or it never continued by email)."""
    with transaction.atomic():
        changed = EmailThread.objects.filter(
            conversation=conversation, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=timezone.now(), due_at=None)
    return bool(changed)
