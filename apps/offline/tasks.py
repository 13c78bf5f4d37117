"""Background jobs for email coming in (Celery beat runs them; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from apps.offline.services import imap, inbound_prune


@shared_task
def imap_poll() -> int:
    """Take the IMAP mailbox's new messages in (nothing when INBOUND_IMAP_URL is empty)."""
    return imap.imap_poll()


@shared_task
def prune_inbound() -> int:
    """Drop incoming emails kept longer than INBOUND_EMAIL_KEEP_DAYS."""
    return inbound_prune()
