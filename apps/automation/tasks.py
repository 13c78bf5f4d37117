"""Automation's periodic job (CELERY_BEAT_SCHEDULE): thin, calls the service in each
workspace's scope."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from apps.automation import services
from apps.automation.models import Rule
from apps.tenants.models import Tenant


@shared_task
def silences() -> int:
    """Fire the "no reply for N minutes" rules of every workspace that has one."""
    with scopes_disabled():
        tenant_ids = set(
            Rule.objects.filter(enabled=True, trigger=Rule.Trigger.NO_REPLY).values_list(
                "tenant_id", flat=True
            )
        )
    fired = 0
    for tenant in Tenant.objects.filter(pk__in=tenant_ids):
        with scope(tenant=tenant):
            fired += services.silences_fire()
    return fired
