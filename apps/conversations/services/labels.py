"""The workspace's labels and a conversation's labels."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.conversations import kinds, selectors
from apps.conversations.models import Activity, Conversation, Label
from apps.conversations.services.common import (
    WorkflowError,
    _publish_summary,
    activity_record,
    lock_conversation,
    record,
)
from apps.core import realtime
from apps.tenants.models import Membership


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
    *, membership: Membership | None, conversation: Conversation, add=(), remove=()
) -> Conversation:
    """Add and remove labels (ids of this workspace's labels; any other id refuses all).
    ``membership`` None: Sohbet itself (an automation rule)."""
    add_ids, remove_ids = _label_ids(list(add)), _label_ids(list(remove))
    with transaction.atomic():
        conversation = lock_conversation(conversation.pk)
        actor = membership.user if membership is not None else None
        _change_labels(conversation, actor, add_ids, remove_ids)
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
