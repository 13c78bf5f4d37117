"""Automation's writes: an admin's rules (saved whole, checked by ``conditions.clean`` and
``actions.clean``), and firing them when something happens (``rules_fire``, called by the event
handlers in ``events.py`` and by the silence check).

A rule never blocks a conversation: an action that fails is recorded on the firing and the
next one runs; every firing (which rule, which conversation, what it did) is kept for the
admin. Rules do not chase each other for ever: an event that a chain of handlers has already
reacted to ``MAX_DEPTH`` times fires nothing (``Event.depth``), and what a rule sends is the
bot's, never a visitor message.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.automation import actions, conditions, selectors
from apps.automation.conditions import Context, RuleError
from apps.automation.models import NAME_MAX, Firing, Rule
from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.visitors.models import Visitor, VisitorSession

logger = logging.getLogger(__name__)

MAX_DEPTH = 3
MAX_RULES = 100
TRIGGER_LIMITS = {  # the trigger's value: (smallest, largest)
    Rule.Trigger.NO_REPLY: (1, 7 * 24 * 60),  # minutes
    Rule.Trigger.PAGE_TIME: (1, 3600),  # seconds
}


# --- an admin's rules ---------------------------------------------------------------------------


def rule_clean(*, tenant_id: int, data: dict) -> dict:
    """The rule's fields in their stored shape, or ``RuleError`` naming the first bad one."""
    if not isinstance(data, dict):
        raise RuleError("", _("A rule must be an object."))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleError("name", _("Give the rule a name."))
    if len(name.strip()) > NAME_MAX:
        raise RuleError("name", _("The name has %(n)s characters at most.") % {"n": NAME_MAX})
    trigger = data.get("trigger")
    if trigger not in Rule.Trigger.values:
        raise RuleError("trigger", _("Choose when the rule runs."))
    value = None
    if trigger in TRIGGER_LIMITS:
        low, high = TRIGGER_LIMITS[trigger]
        value = data.get("trigger_value")
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not conditions._is_id(value) or not low <= value <= high:
            raise RuleError(
                "trigger_value",
                _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            )
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RuleError("enabled", _("Choose on or off."))
    return {
        "name": name.strip(),
        "trigger": trigger,
        "trigger_value": value,
        "enabled": enabled,
        "conditions": conditions.clean(data.get("conditions"), tenant_id=tenant_id),
        "actions": actions.clean(data.get("actions"), tenant_id=tenant_id),
    }


def rule_save(*, tenant_id: int, data: dict, rule: Rule | None = None) -> Rule:
    """Create (``rule`` None, placed last) or replace a rule; nothing changes when a part is
    refused."""
    fields = rule_clean(tenant_id=tenant_id, data=data)
    with transaction.atomic():
        if rule is None:
            if Rule.objects.count() >= MAX_RULES:
                raise RuleError("", _("A workspace has %(n)s rules at most.") % {"n": MAX_RULES})
            last = Rule.objects.aggregate(last=Max("position"))["last"]
            rule = Rule(tenant_id=tenant_id, position=0 if last is None else last + 1)
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.save()
    return rule


def rule_delete(*, rule: Rule) -> None:
    rule.delete()


def rule_toggle(*, rule: Rule, enabled: bool) -> Rule:
    rule.enabled = bool(enabled)
    rule.save(update_fields=["enabled", "updated_at"])
    return rule


def rule_move(*, rule: Rule, up: bool) -> None:
    """Swap the rule with the one before (``up``) or after it."""
    with transaction.atomic():
        rules = list(Rule.objects.select_for_update().order_by("position", "id"))
        for i, item in enumerate(rules):
            item.position = i
        at = next(i for i, item in enumerate(rules) if item.pk == rule.pk)
        other = at - 1 if up else at + 1
        if 0 <= other < len(rules):
            rules[at], rules[other] = rules[other], rules[at]
        for i, item in enumerate(rules):
            if item.position != i:
                Rule.objects.filter(pk=item.pk).update(position=i)


# --- firing -----------------------------------------------------------------------------------


def rules_fire(trigger: str, context: Context, *, key: str, depth: int = 0) -> int:
    """Run the workspace's enabled rules for ``trigger`` whose conditions hold in ``context``;
    how many fired. ``key`` names the cause: a rule fires once per cause."""
    if depth >= MAX_DEPTH:
        logger.info("automation: %s at depth %s fires no rules (a chain of reactions)", key, depth)
        return 0
    fired = 0
    for rule in selectors.enabled_rules(trigger=trigger):
        fired += rule_fire(rule, context, key=key)
    return fired


def rule_fire(rule: Rule, context: Context, *, key: str) -> int:
    """Fire one rule if its conditions hold (and it did not fire for ``key`` before)."""
    try:
        if not conditions.holds(rule.conditions, context):
            return 0
    except Exception:
        logger.exception("automation: the conditions of rule %s failed", rule.pk)
        return 0
    try:
        with transaction.atomic():
            firing = Firing.objects.create(
                tenant_id=rule.tenant_id,
                rule=rule,
                conversation=context.conversation,
                visitor=context.visitor,
                key=key,
            )
    except IntegrityError:
        return 0  # fired for this cause already
    done, errors = [], []
    for i, action in enumerate(rule.actions):
        try:
            with transaction.atomic():
                skipped = actions.run(action, context, key=f"{rule.pk}-{key}-{i}", rule=rule)
            done.append({"type": action["type"], **({"skipped": skipped} if skipped else {})})
            if action["type"] == "open_widget" and context.conversation is None:
                firing.shown = actions.shown_text(action, context)
        except Exception as exc:
            message = getattr(exc, "message", "") or repr(exc)
            logger.warning("automation: rule %s, action %s failed: %s", rule.pk, i, message)
            done.append({"type": action["type"], "failed": True})
            errors.append(f"{action['type']}: {message}"[:500])
        if context.conversation is not None:
            context.conversation.refresh_from_db()
    firing.done = done
    firing.error = "\n".join(errors)
    firing.save(update_fields=["done", "error", "shown"])
    Rule.objects.filter(pk=rule.pk).update(
        fired_count=F("fired_count") + 1, last_fired_at=timezone.now()
    )
    return 1


def conditions_test(*, definition: dict, conversation: Conversation) -> dict:
    """Which of the conditions ``definition`` (cleaned) hold for ``conversation`` now, doing
    nothing: the editor's "test against a conversation". The message tested is the visitor's
    latest."""
    context = selectors.context_for(conversation=conversation, message="latest_visitor")
    ok, items = conditions.explain(definition, context)
    return {"holds": ok, "items": items}


def silences_fire(*, now=None) -> int:
    """Fire the "no reply from the team for N minutes" rules of the current workspace: a
    conversation waiting for people (not the bot) since N minutes or more, once per wait."""
    now = now or timezone.now()
    fired = 0
    for rule in selectors.enabled_rules(trigger=Rule.Trigger.NO_REPLY):
        cutoff = now - timedelta(minutes=rule.trigger_value or 1)
        waiting = Conversation.objects.filter(
            status=Conversation.Status.OPEN,
            bot_holds=False,
            waiting_since__isnull=False,
            waiting_since__lte=cutoff,
        ).select_related("visitor", "tenant")[:500]
        for conversation in waiting:
            context = selectors.context_for(conversation=conversation)
            key = f"w{conversation.pk}-{int(conversation.waiting_since.timestamp())}"
            fired += rule_fire(rule, context, key=key)
    return fired


def page_time_reached(*, tenant_id: int, visitor_id: int, seconds: int) -> int:
    """The visitor has been on a page for ``seconds`` (their socket counted): fire the "stays
    on a page" rules waiting that long, once per visit."""
    visitor = Visitor.objects.filter(pk=visitor_id).select_related("tenant").first()
    if visitor is None:
        return 0
    session = VisitorSession.objects.filter(visitor=visitor).order_by("-started_at").first()
    if session is None:
        return 0
    context = selectors.context_for_visitor(visitor=visitor)
    fired = 0
    for rule in selectors.enabled_rules(trigger=Rule.Trigger.PAGE_TIME):
        if rule.trigger_value == seconds:
            fired += rule_fire(rule, context, key=f"v{session.pk}")
    return fired


def greeting_note(*, conversation: Conversation) -> bool:
    """A conversation the visitor starts soon after a rule greeted them: the team is told, in
    a note, what the greeting said (it was shown, not stored as a message)."""
    firing = selectors.recent_greeting(visitor_id=conversation.visitor_id)
    if firing is None:
        return False
    with translation.override(conversation.tenant.default_language):  # the team's language
        body = _("The chat window greeted the visitor: “%(text)s”") % {"text": firing.shown}
    conversation_services.note_add(
        membership=None, conversation=conversation, body=body, by=firing.rule.name
    )
    firing.conversation = conversation  # told once
    firing.save(update_fields=["conversation"])
    return True
