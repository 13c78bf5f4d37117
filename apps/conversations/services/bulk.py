"""One action on many conversations at once (the inbox's selection)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from apps.conversations import selectors
from apps.conversations.models import Conversation
from apps.conversations.services.assignment import _apply_assignment
from apps.conversations.services.common import (
    WorkflowError,
    _member,
    _publish_summary,
    lock_conversation,
)
from apps.conversations.services.labels import _change_labels, _label_ids
from apps.conversations.services.status import conversation_set_status
from apps.tenants.models import Membership

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
