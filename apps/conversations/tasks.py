"""Background jobs for conversations (Celery beat runs them; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django_scopes import scopes_disabled

from apps.conversations import services
from apps.conversations.models import Conversation


@shared_task
def wake_snoozed() -> int:
    """Snoozed conversations whose time has come are open again."""
    return services.conversations_wake_snoozed()


@shared_task
def drain_queues() -> int:
    """Assign what waits in every workspace's queue, where someone has room."""
    with scopes_disabled():
        tenants = set(
            Conversation.objects.filter(
                status=Conversation.Status.OPEN,
                assignee__isnull=True,
                waiting_since__isnull=False,
                tenant__auto_assign=True,
            ).values_list("tenant_id", flat=True)
        )
    return sum(services.queue_drain(tenant_id=tenant_id) for tenant_id in sorted(tenants))
