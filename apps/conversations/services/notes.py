"""Private notes on a conversation, with @mentions."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from apps.conversations import kinds
from apps.conversations.models import Activity, Conversation
from apps.conversations.services.common import (
    WorkflowError,
    _publish_activity,
    lock_conversation,
    record,
)
from apps.core import realtime
from apps.tenants.models import Membership

NOTE_MAX_LENGTH = 5000
MENTION = re.compile(r"(?<![\w@])@([\w.\-]+(?:\s[\w.\-]+)?)", re.UNICODE)


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


def note_add(
    *, membership: Membership | None, conversation: Conversation, body, by: str = ""
) -> Activity:
    """A private note for the team. Never sent to the visitor. ``@name`` notifies that member.
    ``membership`` None: written by Sohbet itself, ``by`` saying what (an automation rule)."""
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
        author_id = membership.user_id if membership is not None else None
        mentions = _mentions(body, conversation.tenant_id, author_id)
        data = {"mentions": mentions} if mentions else {}
        if membership is None and by:
            data["by"] = str(by)[:100]
        note = Activity.objects.create(
            tenant_id=conversation.tenant_id,
            conversation=conversation,
            kind=Activity.Kind.NOTE,
            actor=membership.user if membership is not None else None,
            body=body,
            data=data,
        )
        _publish_activity(conversation, note)
        record(
            conversation,
            kinds.NOTE_ADDED,
            activity=note.pk,
            author=author_id,
            mentions=mentions,
        )
        for user_id in mentions:
            realtime.publish_on_commit(
                realtime.group_operator(conversation.tenant_id, user_id),
                {
                    "type": "inbox.alert",
                    "kind": "mention",
                    "number": conversation.number,
                    "by": author_id,
                    "preview": body[:140],
                },
            )
    return note
