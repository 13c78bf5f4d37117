"""The bot's part of a conversation: handing it to people, and an operator handing it back.

A conversation the bot holds (``Conversation.bot_holds``, decided by ``apps.conversations.intake``
when the visitor's message opens it) waits for nobody. A handoff puts it where any chat waits for
people: in the queue, counted as waiting, its visitor's unread messages unread for the team,
with a history line that says why and what the bot tried.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import kinds
from apps.conversations.models import Activity, Conversation, Message
from apps.conversations.services.assignment import publish_queue_positions, queue_drain
from apps.conversations.services.common import (
    WorkflowError,
    _publish_summary,
    activity_record,
    lock_conversation,
    publish_visitor_status,
    record,
)
from apps.tenants.models import Membership

REASON_MAX = 40
TRIED_MAX = 5


def conversation_handoff(
    *, conversation: Conversation, reason: str, tried: list[dict] | None = None
) -> bool:
    """The bot hands ``conversation`` to people. ``reason``: a short code the inbox words
    (``"asked"``, ``"button"``, ``"no_answer"``...); ``tried``: the knowledge-base entries the bot
    offered, ``[{"id": ..., "question": ...}]``. Returns False when the bot did not hold it
    (handed off already, or a person answered): nothing changes then."""
    reason = str(reason)[:REASON_MAX]
    tried = [
        {"id": item.get("id"), "question": str(item.get("question", ""))[:200]}
        for item in (tried or [])[:TRIED_MAX]
    ]
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        if not conversation.bot_holds:
            return False
        conversation.bot_holds = False
        fields = ["bot_holds"]
        if conversation.status != Conversation.Status.RESOLVED:
            conversation.waiting_since = timezone.now()
            conversation.operator_unread = Message.objects.filter(
                conversation=conversation, sender=Message.Sender.VISITOR, read_at__isnull=True
            ).count()
            fields += ["waiting_since", "operator_unread"]
        conversation.save(update_fields=fields)
        activity_record(conversation, Activity.Kind.HANDOFF, None, reason=reason, tried=tried)
        record(
            conversation,
            kinds.HANDED_OFF,
            reason=reason,
            tried=[item["id"] for item in tried],
        )
        _publish_summary(conversation)
        publish_visitor_status(conversation)
        tenant_id = conversation.tenant_id
        transaction.on_commit(lambda: queue_drain(tenant_id=tenant_id))
    return True


def conversation_bot_resume(
    *, membership: Membership | None, conversation: Conversation, flow: str = ""
) -> Conversation:
    """An operator hands ``conversation`` back to the bot (``membership`` None: Sohbet itself;
    ``flow``: the name of the flow that starts): it answers the visitor's next messages again,
    and the conversation leaves the queue and the waiting counts."""
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        if conversation.bot_holds:
            return conversation
        if conversation.status == Conversation.Status.RESOLVED:
            raise WorkflowError(
                "resolved", _("This conversation is resolved: reopen it first."), field="status"
            )
        was_queued = conversation.assignee_id is None and conversation.waiting_since is not None
        conversation.bot_holds = True
        conversation.waiting_since = None
        conversation.operator_unread = 0
        # The bot's turn starts now: a chat it holds is resolved once quiet for a while.
        conversation.last_activity_at = timezone.now()
        conversation.save(
            update_fields=["bot_holds", "waiting_since", "operator_unread", "last_activity_at"]
        )
        actor = membership.user if membership is not None else None
        activity_record(conversation, Activity.Kind.BOT, actor, **({"flow": flow} if flow else {}))
        record(conversation, kinds.BOT_RESUMED, actor=actor.pk if actor is not None else None)
        _publish_summary(conversation)
        publish_visitor_status(conversation)
        if was_queued:
            tenant_id = conversation.tenant_id
            transaction.on_commit(lambda: publish_queue_positions(tenant_id=tenant_id))
    return conversation
