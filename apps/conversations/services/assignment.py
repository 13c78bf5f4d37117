"""Assignment, manual and automatic (round robin within capacity), and the waiting queue.

Locking, so two things happening at once never break a rule: every change to one conversation
first takes that conversation's row lock; automatic assignment then locks the candidate
members' rows, always in primary-key order (so two assigners never deadlock), counts their open
conversations while holding the locks and only then assigns. Every assignment to a member,
manual or automatic, takes that member's row lock, so a count read under the lock stays true
until commit: concurrent new conversations never push an operator past capacity, and a
conversation is never assigned twice (the queue takes its conversations with ``SKIP LOCKED``
and re-checks the assignee under the lock).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import kinds, selectors
from apps.conversations.models import Activity, Conversation
from apps.conversations.services.common import (
    WorkflowError,
    _member,
    _publish_summary,
    _team,
    activity_record,
    lock_conversation,
    record,
)
from apps.core import realtime
from apps.tenants.models import Membership, Tenant


def conversation_assign(
    *, membership: Membership | None, conversation: Conversation, assignee=..., team=...
) -> Conversation:
    """Assign to a member (``assignee`` a user id, or None to unassign) and/or route to a team
    (``team`` an id or None). Omitted arguments stay as they are. A member may be assigned
    beyond their capacity by hand; capacity limits automatic assignment only. ``membership``
    None: Sohbet itself (an automation rule)."""
    if assignee is ... and team is ...:
        raise WorkflowError("invalid", _("Say whom or which team to assign."), field="assignee")
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        new_team = conversation.team_id
        if team is not ...:
            new_team = None if team is None else _team(team).pk
        target = None
        if assignee is not ... and assignee is not None:
            target = _member(conversation.tenant_id, assignee, lock=True)
        changed = _apply_assignment(
            conversation,
            actor=membership.user if membership is not None else None,
            assignee_id=(conversation.assignee_id if assignee is ... else assignee),
            team_id=new_team,
            member=target,
        )
        if changed:
            _publish_summary(conversation)
    if changed and conversation.assignee_id is None:
        transaction.on_commit(lambda: queue_drain(tenant_id=conversation.tenant_id))
    return conversation


def _apply_assignment(
    conversation: Conversation, *, actor, assignee_id, team_id, member=None
) -> bool:
    """Change assignee/team of a locked conversation and record what happened."""
    old_assignee, old_team = conversation.assignee_id, conversation.team_id
    if old_assignee == assignee_id and old_team == team_id:
        return False
    now = timezone.now()
    conversation.assignee_id = assignee_id
    conversation.team_id = team_id
    if assignee_id != old_assignee:
        conversation.assigned_at = now if assignee_id else None
    conversation.save(update_fields=["assignee", "team", "assigned_at"])
    record(
        conversation,
        kinds.ASSIGNED,
        assignee=assignee_id,
        team=team_id,
        previous_assignee=old_assignee,
        previous_team=old_team,
        actor=actor.pk if actor is not None else None,
        auto=actor is None,
    )
    if team_id != old_team:
        activity_record(conversation, Activity.Kind.TEAM, actor, team=team_id, previous=old_team)
    if assignee_id != old_assignee:
        if assignee_id is None:
            activity_record(conversation, Activity.Kind.UNASSIGNED, actor, previous=old_assignee)
        else:
            activity_record(
                conversation,
                Activity.Kind.ASSIGNED,
                actor,
                assignee=assignee_id,
                previous=old_assignee,
                auto=actor is None,
            )
            if member is not None:
                Membership.objects.filter(pk=member.pk).update(last_assigned_at=now)
            if actor is None or actor.pk != assignee_id:
                realtime.publish_on_commit(
                    realtime.group_operator(conversation.tenant_id, assignee_id),
                    {
                        "type": "inbox.alert",
                        "kind": "assigned",
                        "number": conversation.number,
                        "by": actor.pk if actor else None,
                    },
                )
    return True


def assign_to_replier(conversation: Conversation, *, user) -> None:
    """An operator answered an unassigned, locked conversation: it is theirs now, and the
    visitors still queued move up."""
    member = _member(conversation.tenant_id, user.pk, lock=True)
    _apply_assignment(
        conversation, actor=user, assignee_id=user.pk, team_id=conversation.team_id, member=member
    )
    _publish_visitor_queue(conversation, None)
    tenant_id = conversation.tenant_id
    transaction.on_commit(lambda: publish_queue_positions(tenant_id=tenant_id))


def _open_counts(tenant_id: int, user_ids: list[int]) -> dict[int, int]:
    rows = (
        Conversation.objects.filter(
            tenant_id=tenant_id, assignee_id__in=user_ids, status=Conversation.Status.OPEN
        )
        .values("assignee_id")
        .annotate(n=Count("pk"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def _pick_member(conversation: Conversation) -> Membership | None:
    """Lock the online members with room (in pk order) and choose the one assigned longest ago.
    Runs while the caller holds the conversation's lock."""
    online = selectors.online_user_ids(tenant_id=conversation.tenant_id)
    if not online:
        return None
    candidates = Membership.objects.filter(
        tenant_id=conversation.tenant_id, user_id__in=online, capacity__gt=0
    )
    if conversation.team_id:
        candidates = candidates.filter(teams=conversation.team_id)
    members = list(candidates.select_for_update(of=("self",)).order_by("pk"))
    if not members:
        return None
    counts = _open_counts(conversation.tenant_id, [m.user_id for m in members])
    with_room = [m for m in members if counts.get(m.user_id, 0) < m.capacity]
    if not with_room:
        return None
    epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    return min(with_room, key=lambda m: (m.last_assigned_at or epoch, m.pk))


def queue_drain(*, tenant_id: int, limit: int = 200) -> int:
    """Assign waiting, unassigned open conversations (oldest first) to online members with room,
    round robin; then tell every visitor still waiting their place. Returns how many were
    assigned. Safe to call any time, from any number of processes at once."""
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None or not tenant.auto_assign:
        return 0
    from django_scopes import scope

    assigned = 0
    with scope(tenant=tenant):
        for _round in range(limit):
            with transaction.atomic():
                conversation = (
                    Conversation.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(_queued_q(tenant_id))
                    .order_by("waiting_since", "pk")
                    .select_related("visitor", "last_message")
                    .first()
                )
                if conversation is None:
                    break
                member = _pick_member(conversation)
                if member is None:
                    break
                _apply_assignment(
                    conversation,
                    actor=None,
                    assignee_id=member.user_id,
                    team_id=conversation.team_id,
                    member=member,
                )
                _publish_summary(conversation)
                _publish_visitor_queue(conversation, None)
                assigned += 1
        publish_queue_positions(tenant_id=tenant_id)
    return assigned


def _queued_q(tenant_id: int) -> Q:
    return Q(
        tenant_id=tenant_id,
        status=Conversation.Status.OPEN,
        assignee__isnull=True,
        waiting_since__isnull=False,
    )


def _publish_visitor_queue(conversation: Conversation, position: int | None) -> None:
    realtime.publish_on_commit(
        realtime.group_visitor(conversation.visitor_id),
        {"type": "chat.queue", "conversation": conversation.public_id, "position": position},
    )


def publish_queue_positions(*, tenant_id: int) -> None:
    """Tell each waiting visitor their place in the queue (1 = next); with nobody online, that
    they are in no line (the team is away)."""
    nobody = not selectors.team_online_count(tenant_id=tenant_id)
    queued = list(
        Conversation.objects.filter(_queued_q(tenant_id))
        .order_by("waiting_since", "pk")
        .values_list("visitor_id", "public_id")[:500]
    )
    items = [
        (
            realtime.group_visitor(visitor_id),
            {
                "type": "chat.queue",
                "conversation": public_id,
                "position": None if nobody else place,
            },
        )
        for place, (visitor_id, public_id) in enumerate(queued, start=1)
    ]
    if items:
        transaction.on_commit(lambda: realtime.publish_many(items))
