"""Automation's reads: the rules that a trigger runs, what a rule looks at, and the record of
firings for the admin."""

from datetime import timedelta

from django.utils import timezone

from apps.automation.conditions import Context
from apps.automation.models import Firing, Flow, FlowRun, Rule
from apps.conversations.models import Conversation, Message

RECENT_FIRINGS = 50


def enabled_rules(*, trigger: str) -> list[Rule]:
    """The current workspace's enabled rules for ``trigger``, in order."""
    return list(Rule.objects.filter(enabled=True, trigger=trigger).order_by("position", "id"))


def rules() -> list[Rule]:
    return list(Rule.objects.order_by("position", "id"))


def rule(*, rule_id) -> Rule | None:
    if not isinstance(rule_id, int):
        return None
    return Rule.objects.filter(pk=rule_id).first()


def page_times(tenant_id: int) -> list[int]:
    """How long a visitor must stay on a page for the workspace's "stays on a page" rules."""
    return list(
        Rule.objects.filter(tenant_id=tenant_id, enabled=True, trigger=Rule.Trigger.PAGE_TIME)
        .exclude(trigger_value=None)
        .values_list("trigger_value", flat=True)
        .distinct()
    )


def conversation_in_progress(*, visitor) -> Conversation | None:
    return (
        Conversation.objects.select_related("visitor", "tenant")
        .filter(visitor=visitor)
        .exclude(status=Conversation.Status.RESOLVED)
        .order_by("-id")
        .first()
    )


def context_for_visitor(*, visitor) -> Context:
    """What a rule looks at for a visitor: their conversation in progress, if any."""
    conversation = conversation_in_progress(visitor=visitor)
    if conversation is not None:
        return context_for(conversation=conversation)
    return Context(tenant=visitor.tenant, visitor=visitor)


GREETING_FRESH = timedelta(minutes=30)


def recent_greeting(*, visitor_id: int) -> Firing | None:
    """The firing of a rule that greeted this visitor in the last half hour, outside any
    conversation (``shown``: the words, as shown)."""
    return (
        Firing.objects.filter(
            visitor_id=visitor_id,
            conversation=None,
            created_at__gte=timezone.now() - GREETING_FRESH,
        )
        .exclude(shown="")
        .select_related("rule")
        .order_by("-created_at")
        .first()
    )


def firings(*, rule: Rule | None = None, limit: int = RECENT_FIRINGS) -> list[Firing]:
    found = Firing.objects.select_related("rule", "conversation")
    if rule is not None:
        found = found.filter(rule=rule)
    return list(found.order_by("-created_at", "-id")[:limit])


def context_for(
    *, conversation: Conversation, message: Message | str | None = None, page=None, since=None
) -> Context:
    """What a rule looks at for ``conversation``: its visitor, and ``message`` (a message, or
    ``"latest_visitor"``: the visitor's latest in it)."""
    if message == "latest_visitor":
        message = (
            Message.objects.filter(conversation=conversation, sender=Message.Sender.VISITOR)
            .order_by("-id")
            .first()
        )
    return Context(
        tenant=conversation.tenant,
        conversation=conversation,
        visitor=conversation.visitor,
        message=message,
        page=page,
        since=since,
    )


def active_run(*, conversation_id: int) -> FlowRun | None:
    return (
        FlowRun.objects.select_related(
            "version",
            "version__flow",
            "conversation",
            "conversation__visitor",
            "conversation__tenant",
        )
        .filter(conversation_id=conversation_id, state=FlowRun.State.ACTIVE)
        .first()
    )


def flows() -> list[Flow]:
    return list(Flow.objects.select_related("published").order_by("name", "id"))


def flow(*, flow_id) -> Flow | None:
    if not isinstance(flow_id, int):
        return None
    return Flow.objects.select_related("published").filter(pk=flow_id).first()


def flow_by_key(*, key) -> Flow | None:
    if not isinstance(key, str):
        return None
    return Flow.objects.select_related("published").filter(key=key).first()


def flow_started_since(*, conversation_id: int, since) -> bool:
    """Whether a flow started in the conversation after ``since`` (a rule's cause): a rule
    does not walk a visitor out of the flow they chose."""
    return FlowRun.objects.filter(conversation_id=conversation_id, started_at__gte=since).exists()
