"""The bot's periodic job (CELERY_BEAT_SCHEDULE); thin, it calls the service."""

from celery import shared_task

from apps.bot.services.idle import conversations_resolve_idle


@shared_task
def resolve_idle() -> int:
    """Resolve the chats the bot holds that have been quiet for BOT_RESOLVE_IDLE_MINUTES."""
    return conversations_resolve_idle()
