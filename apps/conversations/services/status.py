"""A conversation's status: open, pending, snoozed (until a time) and resolved; snoozed ones
wake up.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import kinds, payloads
from apps.conversations.models import Activity, Conversation
from apps.conversations.services.assignment import publish_queue_positions, queue_drain
from apps.conversations.services.common import (
    WorkflowError,
    _publish_summary,
    activity_record,
    lock_conversation,
    publish_visitor_status,
    record,
)
from apps.core import realtime
from apps.tenants.models import Membership

SNOOZE_MAX = timedelta(days=365)


def _parse_until(value) -> datetime:
    if isinstance(value, datetime):
        until = value
    elif isinstance(value, str):
        try:
            until = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            until = None
    else:
        until = None
    if until is None:
        raise WorkflowError("invalid", _("Snooze needs a date and time to wake up."), field="until")
    if timezone.is_naive(until):
        raise WorkflowError("invalid", _("Give the snooze time with its time zone."), field="until")
    now = timezone.now()
    if until <= now:
        raise WorkflowError("invalid", _("Snooze until a time in the future."), field="until")
    if until > now + SNOOZE_MAX:
        raise WorkflowError("invalid", _("Snooze for a year at most."), field="until")
    return until


def conversation_set_status(
    *,
    membership: Membership | None,
    conversation: Conversation,
    status,
    until=None,
    by: str | None = None,
    only_if: Callable[[Conversation], bool] | None = None,
) -> Conversation:
    """Open, pending (waiting on the visitor), snoozed until ``until``, or resolved.

    ``membership`` None means the system (the snooze alarm; ``by`` names it otherwise, as
    ``"bot"``). ``only_if``: a test of the conversation once locked (it may have changed
    since it was read); when it fails, nothing changes."""
    if status not in Conversation.Status.values:
        raise WorkflowError("invalid", _("Unknown status."), field="status")
    snooze_until = _parse_until(until) if status == Conversation.Status.SNOOZED else None
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        if conversation.status == status and conversation.snoozed_until == snooze_until:
            return conversation
        if only_if is not None and not only_if(conversation):
            return conversation
        before = conversation.status
        was_open = before == Conversation.Status.OPEN
        conversation.status = status
        conversation.snoozed_until = snooze_until
        conversation.resolved_at = (
            timezone.now() if status == Conversation.Status.RESOLVED else None
        )
        fields = ["status", "snoozed_until", "resolved_at"]
        if status == Conversation.Status.RESOLVED:
            conversation.waiting_since = None
            conversation.operator_unread = 0
            fields += ["waiting_since", "operator_unread"]
        conversation.save(update_fields=fields)
        status_changed(
            conversation,
            actor=membership.user if membership else None,
            before=before,
            by=None if membership else by or "system",
        )
        _publish_summary(conversation)
        if was_open and conversation.assignee_id:
            # The assignee has room again: the queue may move.
            transaction.on_commit(lambda: queue_drain(tenant_id=conversation.tenant_id))
        elif was_open:
            # An unassigned open conversation may have held a place in the queue: the visitors
            # behind it move up.
            transaction.on_commit(lambda: publish_queue_positions(tenant_id=conversation.tenant_id))
    return conversation


def conversation_reply_by_email(*, conversation: Conversation, on: bool) -> Conversation:
    """Mark the conversation as waiting for a reply by email (the visitor left an address when
    nobody could answer) or clear the mark; the inbox's rows follow."""
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        if conversation.reply_by_email != on:
            conversation.reply_by_email = on
            conversation.save(update_fields=["reply_by_email"])
            _publish_summary(conversation)
    return conversation


def status_changed(conversation: Conversation, *, actor, before: str, by: str | None) -> None:
    """What follows a status change of a locked, saved conversation: the history line, the event,
    and the visitor's window told (pending and snoozed read as open to the visitor). ``by``:
    who, when not a member (``"visitor"``, ``"system"``, ``"snooze"``)."""
    data = {"status": conversation.status}
    if conversation.status == Conversation.Status.SNOOZED and conversation.snoozed_until:
        data["until"] = payloads.iso(conversation.snoozed_until)
    if by:
        data["by"] = by
    activity_record(conversation, Activity.Kind.STATUS, actor, **data)
    record(
        conversation,
        kinds.STATUS_CHANGED,
        previous=before,
        actor=actor.pk if actor is not None else None,
        **data,
    )
    publish_visitor_status(conversation)


def conversations_wake_snoozed(*, now: datetime | None = None) -> int:
    """Reopen every snoozed conversation whose time has come (all workspaces; beat job)."""
    now = now or timezone.now()
    from django_scopes import scope, scopes_disabled

    with scopes_disabled():
        due = list(
            Conversation.objects.filter(
                status=Conversation.Status.SNOOZED, snoozed_until__lte=now
            ).select_related("tenant")[:500]
        )
    woken = 0
    for conversation in due:
        with scope(tenant=conversation.tenant):
            with transaction.atomic():
                locked = lock_conversation(conversation.pk)
                if locked.status != Conversation.Status.SNOOZED or locked.snoozed_until > now:
                    continue  # the visitor wrote or an operator changed it meanwhile
                locked.status = Conversation.Status.OPEN
                locked.snoozed_until = None
                locked.save(update_fields=["status", "snoozed_until"])
                status_changed(locked, actor=None, before=Conversation.Status.SNOOZED, by="snooze")
                _publish_summary(locked)
                if locked.assignee_id:
                    realtime.publish_on_commit(
                        realtime.group_operator(locked.tenant_id, locked.assignee_id),
                        {"type": "inbox.alert", "kind": "snooze_ended", "number": locked.number},
                    )
            woken += 1
    return woken
