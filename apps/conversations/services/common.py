"""What the conversation services share: the refusal they raise, the row lock every change
starts with, the operators-only history (activities) and the after-commit doorbells.
"""

from django.utils.translation import gettext as _

from apps.conversations import payloads
from apps.conversations.models import Activity, Conversation
from apps.core import events, realtime
from apps.core.errors import Refusal
from apps.tenants.models import Membership, Team


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


def activity_record(
    conversation: Conversation, kind: str, actor, *, text: str = "", **data
) -> Activity:
    """A line in the conversation's operators-only history (``text``: its words, e.g. a
    visitor's comment with a rating), shown live to the inbox sockets that have it open."""
    activity = Activity.objects.create(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        kind=kind,
        actor=actor,
        body=text,
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
