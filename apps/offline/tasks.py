"""Background jobs of the offline app (Celery beat runs the periodic ones; see
CELERY_BEAT_SCHEDULE): thin, each calls a service inside the right scope."""

import smtplib

from celery import shared_task
from django_scopes import scope

from apps.offline import services
from apps.offline.services import imap
from apps.tenants.models import Tenant


@shared_task
def email_due() -> int:
    """Email the unread replies that are due (every ``offline-email-due`` tick)."""
    return services.replies_email_due()


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
)
def transcript_send(*, tenant_id: int, conversation_id: int, key: str) -> int:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return 0
    with scope(tenant=tenant):
        return services.transcript_send_now(conversation_id=conversation_id, key=key)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
)
def rating_ask_send(*, tenant_id: int, conversation_id: int, key: str) -> int:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return 0
    with scope(tenant=tenant):
        return services.rating_ask_send_now(conversation_id=conversation_id, key=key)


@shared_task
def imap_poll() -> int:
    """Take the IMAP mailbox's new messages in (nothing when INBOUND_IMAP_URL is empty)."""
    return imap.imap_poll()


@shared_task
def prune_inbound() -> int:
    """Drop incoming emails kept longer than INBOUND_EMAIL_KEEP_DAYS."""
    return services.inbound_prune()
