"""Automation's reads: the rules that a trigger runs, what a rule looks at, and the record of
firings for the admin."""

from apps.automation.conditions import Context
from apps.automation.models import Firing, Rule
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


def firings(*, rule: Rule | None = None, limit: int = RECENT_FIRINGS) -> list[Firing]:
    found = Firing.objects.select_related("rule", "conversation")
    if rule is not None:
        found = found.filter(rule=rule)
    return list(found.order_by("-created_at", "-id")[:limit])


def context_for(
    *, conversation: Conversation, message: Message | str | None = None, page=None
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
    )
