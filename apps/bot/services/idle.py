"""Chats the bot answered alone are resolved once quiet: nobody has written in a chat the bot
holds for ``BOT_RESOLVE_IDLE_MINUTES`` (beat job, every minute), so they do not pile up among
the team's open conversations. The visitor who writes again within the reopening window
reopens the same chat, and the bot answers it as before."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation

BATCH = 500
BY = "bot"  # the status event's ``by``: resolved by the bot, not by a person


def conversations_resolve_idle(*, now: datetime | None = None) -> int:
    """Resolve the open chats the bot holds that nobody has written in for the set time (all
    workspaces). Returns how many."""
    minutes = settings.BOT_RESOLVE_IDLE_MINUTES
    if minutes <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(minutes=minutes)
    with scopes_disabled():
        quiet = list(
            Conversation.objects.filter(
                bot_holds=True, status=Conversation.Status.OPEN, last_activity_at__lte=cutoff
            ).select_related("tenant")[:BATCH]
        )

    def still_quiet(locked: Conversation) -> bool:
        return (
            locked.bot_holds
            and locked.status == Conversation.Status.OPEN
            and locked.last_activity_at <= cutoff
        )

    resolved = 0
    for conversation in quiet:
        with scope(tenant=conversation.tenant):
            after = conversation_services.conversation_set_status(
                membership=None,
                conversation=conversation,
                status=Conversation.Status.RESOLVED,
                by=BY,
                only_if=still_quiet,
            )
        resolved += after.status == Conversation.Status.RESOLVED
    return resolved
