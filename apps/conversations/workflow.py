"""Services for running a team's inbox: status, assignment (manual and automatic, with
capacity), teams, labels, private notes and bulk actions (DESIGN.md §4: services write).

Locking, so two things happening at once never break a rule:

- Every change to one conversation first takes that conversation's row lock.
- Automatic assignment then locks the candidate members' rows, always in primary-key order (so
  two assigners never deadlock), counts their open conversations while holding the locks and
  only then assigns. Every assignment to a member, manual or automatic, takes that member's row
  lock, so a count read under the lock stays true until commit: concurrent new conversations
  never push an operator past capacity, and a conversation is never assigned twice (the queue
  takes its conversations with ``SKIP LOCKED`` and re-checks the assignee under the lock).

Side effects (socket events) go out after commit.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import kinds, payloads, selectors
from apps.conversations.models import Activity, Conversation, Label
from apps.core import events, realtime
from apps.core.errors import Refusal
from apps.tenants.models import Membership, Team, Tenant

NOTE_MAX_LENGTH = 5000
SNOOZE_MAX = timedelta(days=365)
MENTION = re.compile(r"(?<![\w@])@([\w.\-]+(?:\s[\w.\-]+)?)", re.UNICODE)


class WorkflowError(Refusal):
    """A refused inbox action: the error frame's code and message; nothing changed."""


# --- small pieces ---------------------------------------------------------------------------


def lock_conversation(conversation_pk: int) -> Conversation:
    """The conversation row-locked until commit, with its visitor and last message (every
    change to a conversation, here and in the message services, starts here)."""
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("visitor", "last_message")
        .get(pk=conversation_pk)
    )


def _member(tenant_id: int, user_id, *, lock: bool = False) -> Membership:
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise WorkflowError("invalid", _("Choose a member of this workspace."), field="assignee")
    qs = Membership.objects.filter(tenant_id=tenant_id, user_id=user_id).select_related("user")
    if lock:
        qs = qs.select_for_update(of=("self",))
    member = qs.first()
    if member is None:
        raise WorkflowError(
            "not_a_member", _("That person is not a member of this workspace."), field="assignee"
        )
    return member


def _team(team_id) -> Team:
    if not isinstance(team_id, int) or isinstance(team_id, bool):
        raise WorkflowError("invalid", _("Choose a team of this workspace."), field="team")
    team = Team.objects.filter(pk=team_id).first()  # scoped: another workspace's team is absent
    if team is None:
        raise WorkflowError("unknown_team", _("No such team in this workspace."), field="team")
    return team


def record(conversation: Conversation, kind: str, **data) -> None:
    """Record an event about ``conversation`` in the event stream (apps.core.events)."""
    events.record(
        kind,
        tenant_id=conversation.tenant_id,
        stream=events.conversation_stream(conversation.pk),
        conversation=conversation.pk,
        **data,
    )


def activity_record(conversation: Conversation, kind: str, actor, **data) -> Activity:
    activity = Activity.objects.create(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        kind=kind,
        actor=actor,
        data=data,
    )
    _publish_activity(conversation, activity)
    return activity


def _publish_activity(conversation: Conversation, activity: Activity) -> None:
    # Only the conversation's group: inbox sockets watching it. Visitors never join that group.
    realtime.publish_on_commit(
        realtime.group_conversation(conversation.pk),
        {
            "type": "inbox.activity",
            "number": conversation.number,
            "activity": payloads.activity(activity),
        },
    )


def publish_summary(
    conversation: Conversation, labels: list[int] | None = None, *, message: dict | None = None
) -> None:
    """Send the inbox-list row of ``conversation`` (with its visitor and last message loaded,
    as the caller holds them) to the workspace's inbox sockets after commit. ``labels`` (ids)
    when known; without them the row is a partial update and clients keep the labels they had
    (reading them would cost the message path a query). ``message``: a new message's payload,
    which the sockets that have the conversation open show."""
    row = payloads.summary(conversation, labels)
    inbox = realtime.group_inbox(conversation.tenant_id)
    if message is None:
        realtime.publish_on_commit(inbox, {"type": "inbox.conversation", "conversation": row})
        return
    # The message to the sockets that have the conversation open (with the row, which says
    # whether each may still see it); its list row to every inbox socket.
    realtime.publish_on_commit(
        realtime.group_conversation(conversation.pk),
        {"type": "inbox.message", "conversation": row, "message": message},
    )
    realtime.publish_on_commit(
        inbox, {"type": "inbox.conversation", "conversation": row, "from_message": True}
    )


def _publish_summary(conversation: Conversation) -> None:
    """The full row, labels read now (workflow changes are rare; messages use the partial one)."""
    publish_summary(conversation, list(conversation.labels.values_list("pk", flat=True)))


def publish_visitor_status(conversation: Conversation) -> None:
    realtime.publish_on_commit(
        realtime.group_visitor(conversation.visitor_id),
        {"type": "chat.status", "conversation": payloads.conversation_ref(conversation)},
    )


# --- status ---------------------------------------------------------------------------------


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
    *, membership: Membership | None, conversation: Conversation, status, until=None
) -> Conversation:
    """Open, pending (waiting on the visitor), snoozed until ``until``, or resolved.

    ``membership`` None means the system (the snooze alarm)."""
    if status not in Conversation.Status.values:
        raise WorkflowError("invalid", _("Unknown status."), field="status")
    snooze_until = _parse_until(until) if status == Conversation.Status.SNOOZED else None
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        if conversation.status == status and conversation.snoozed_until == snooze_until:
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
            by=None if membership else "system",
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


# --- assignment -----------------------------------------------------------------------------


def conversation_assign(
    *, membership: Membership, conversation: Conversation, assignee=..., team=...
) -> Conversation:
    """Assign to a member (``assignee`` a user id, or None to unassign) and/or route to a team
    (``team`` an id or None). Omitted arguments stay as they are. A member may be assigned
    beyond their capacity by hand; capacity limits automatic assignment only."""
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
            actor=membership.user,
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


# --- labels ---------------------------------------------------------------------------------


def label_create(*, membership: Membership, name, color="#6b7280") -> Label:
    name = _clean_name(name, 40)
    label = Label(tenant_id=membership.tenant_id, name=name, color=_clean_color(color))
    _save_unique(label, _("A label with this name already exists."))
    _publish_labels(membership.tenant_id)
    return label


def label_delete(*, membership: Membership, label_id) -> None:
    label = _label(label_id)
    label.delete()
    _publish_labels(membership.tenant_id)


def _label(label_id) -> Label:
    if not isinstance(label_id, int) or isinstance(label_id, bool):
        raise WorkflowError("invalid", _("Choose a label."), field="label")
    label = Label.objects.filter(pk=label_id).first()
    if label is None:
        raise WorkflowError("unknown_label", _("No such label in this workspace."), field="label")
    return label


def _save_unique(obj, taken_message: str) -> None:
    """Save a row whose name must be unique in the workspace; a taken name is a refusal."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise WorkflowError("duplicate", taken_message, field="name") from None


def _clean_name(value, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WorkflowError("invalid", _("Give it a name."), field="name")
    value = " ".join(value.split())
    if len(value) > limit:
        raise WorkflowError(
            "too_long", _("Names have %(n)s characters at most.") % {"n": limit}, field="name"
        )
    return value


def _clean_color(value) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise WorkflowError("invalid", _("Use a colour like #1f6feb."), field="color")
    return value.lower()


def _publish_labels(tenant_id: int) -> None:
    def send():
        realtime.publish(
            realtime.group_inbox(tenant_id),
            {"type": "inbox.labels", "labels": selectors.labels_payload()},
        )

    transaction.on_commit(send)


def _label_ids(values) -> set[int]:
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        raise WorkflowError("invalid", _("Labels are a list of label ids."), field="labels")
    wanted = set(values)
    found = set(Label.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise WorkflowError("unknown_label", _("No such label in this workspace."), field="labels")
    return wanted


def conversation_label(
    *, membership: Membership, conversation: Conversation, add=(), remove=()
) -> Conversation:
    """Add and remove labels (ids of this workspace's labels; any other id refuses all)."""
    add_ids, remove_ids = _label_ids(list(add)), _label_ids(list(remove))
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        _change_labels(conversation, membership.user, add_ids, remove_ids)
    return conversation


def _change_labels(conversation: Conversation, actor, add_ids: set, remove_ids: set) -> bool:
    current = set(conversation.labels.values_list("pk", flat=True))
    to_add, to_remove = add_ids - current, (remove_ids & current) - add_ids
    if not to_add and not to_remove:
        return False
    if to_add:
        conversation.labels.add(*to_add)
    if to_remove:
        conversation.labels.remove(*to_remove)
    activity_record(
        conversation, Activity.Kind.LABELS, actor, added=sorted(to_add), removed=sorted(to_remove)
    )
    record(
        conversation,
        kinds.LABELS_CHANGED,
        added=sorted(to_add),
        removed=sorted(to_remove),
        actor=actor.pk if actor is not None else None,
    )
    _publish_summary(conversation)
    return True


# --- notes ----------------------------------------------------------------------------------


def _mentions(body: str, tenant_id: int, author_id: int) -> list[int]:
    """Members named ``@First``, ``@First Last`` or ``@email-name`` in a note."""
    words = [m.group(1).lower() for m in MENTION.finditer(body)]
    if not words:
        return []
    found: list[int] = []
    members = Membership.objects.filter(tenant_id=tenant_id).select_related("user")
    for member in members:
        user = member.user
        full = " ".join((user.full_name or "").lower().split())
        first = full.split(" ")[0] if full else ""
        handle = user.email.split("@")[0].lower()
        for word in words:
            # "@Ayşe Kaya" and "@Ayşe" (a two-word match also tries its first word alone).
            if word in (full, first, handle) or word.split(" ")[0] in (first, handle):
                if user.pk not in found and user.pk != author_id:
                    found.append(user.pk)
                break
    return found


def note_add(*, membership: Membership, conversation: Conversation, body) -> Activity:
    """A private note for the team. Never sent to the visitor. ``@name`` notifies that member."""
    if not isinstance(body, str) or not body.strip():
        raise WorkflowError("empty", _("The note is empty."), field="body")
    body = body.replace("\r\n", "\n").strip()
    if len(body) > NOTE_MAX_LENGTH:
        raise WorkflowError(
            "too_long",
            _("The note is too long: %(n)s characters at most.") % {"n": NOTE_MAX_LENGTH},
            field="body",
        )
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        if conversation.status == Conversation.Status.RESOLVED:
            raise WorkflowError(
                "conversation_resolved",
                _("This conversation is resolved. Reopen it to add a note."),
            )
        mentions = _mentions(body, conversation.tenant_id, membership.user_id)
        note = Activity.objects.create(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            kind=Activity.Kind.NOTE,
            actor=membership.user,
            body=body,
            data={"mentions": mentions} if mentions else {},
        )
        _publish_activity(conversation, note)
        record(
            conversation,
            kinds.NOTE_ADDED,
            activity=note.pk,
            author=membership.user_id,
            mentions=mentions,
        )
        for user_id in mentions:
            realtime.publish_on_commit(
                realtime.group_operator(conversation.tenant_id, user_id),
                {
                    "type": "inbox.alert",
                    "kind": "mention",
                    "number": conversation.number,
                    "by": membership.user_id,
                    "preview": body[:140],
                },
            )
    return note


# --- bulk -----------------------------------------------------------------------------------

BULK_LIMIT = 200


@dataclass
class BulkResult:
    changed: list[int]


def conversations_bulk(*, membership: Membership, numbers, action, value=None) -> BulkResult:
    """Resolve, assign or label many conversations at once. Everything is checked first: one
    unknown conversation, member or label refuses the whole request and changes nothing."""
    if (
        not isinstance(numbers, list)
        or not numbers
        or len(numbers) > BULK_LIMIT
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
    ):
        raise WorkflowError(
            "invalid",
            _("Choose between 1 and %(n)s conversations.") % {"n": BULK_LIMIT},
            field="conversations",
        )
    if action not in ("resolve", "assign", "label", "unlabel"):
        raise WorkflowError("invalid", _("Unknown bulk action."), field="action")
    visible = selectors.visible_conversations(membership=membership)
    found = dict(visible.filter(number__in=numbers).values_list("number", "pk"))
    missing = sorted(set(numbers) - set(found))
    if missing:
        raise WorkflowError(
            "not_found",
            _("No such conversation in this workspace: %(list)s.")
            % {"list": ", ".join(f"#{n}" for n in missing)},
            field="conversations",
        )
    label_ids: set[int] = set()
    target = None
    if action in ("label", "unlabel"):
        label_ids = _label_ids(value if isinstance(value, list) else [value])
    elif action == "assign" and value is not None:
        target = _member(membership.tenant_id, value)
    changed = []
    with transaction.atomic():
        for number in sorted(found):
            conversation = lock_conversation(found[number])
            if action == "resolve":
                if conversation.status != Conversation.Status.RESOLVED:
                    conversation_set_status(
                        membership=membership,
                        conversation=conversation,
                        status=Conversation.Status.RESOLVED,
                    )
                    changed.append(number)
            elif action == "assign":
                if target is not None:
                    Membership.objects.select_for_update(of=("self",)).filter(pk=target.pk).first()
                if _apply_assignment(
                    conversation,
                    actor=membership.user,
                    assignee_id=target.user_id if target else None,
                    team_id=conversation.team_id,
                    member=target,
                ):
                    _publish_summary(conversation)
                    changed.append(number)
            elif _change_labels(
                conversation,
                membership.user,
                label_ids if action == "label" else set(),
                label_ids if action == "unlabel" else set(),
            ):
                changed.append(number)
    return BulkResult(changed)
