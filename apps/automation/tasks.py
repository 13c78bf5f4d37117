"""Automation's jobs: the periodic one (CELERY_BEAT_SCHEDULE) and a flow's webhook call; thin,
each calls the service in the workspace's scope."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from apps.automation import services
from apps.automation.models import FlowRun, Rule
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


@shared_task(acks_late=True)
def flow_webhook(run_id: int, step_id: str) -> None:
    """A flow's webhook step: the call, then the flow goes on (``services.flow_webhook_call``)."""
    with scopes_disabled():
        run = FlowRun.objects.select_related("tenant").filter(pk=run_id).first()
    if run is None:
        return
    with scope(tenant=run.tenant):
        services.flow_webhook_call(run_id=run_id, step_id=step_id)
