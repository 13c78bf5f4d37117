"""Every write about conversations and messages (DESIGN.md §4).

One transaction per message: the row is inserted idempotently on ``client_id`` while the
conversation row is locked, so message ids within a conversation commit in order and a client
resuming "after id N" never skips one. Broadcasts go out only after commit; the channel layer is a
doorbell and losing it loses nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import payloads
from apps.conversations.models import Conversation, Message, OperatorPresence
from apps.core import realtime
from apps.core.errors import Refusal
from apps.core.ratelimit import hit
from apps.tenants.models import Membership, Tenant
from apps.visitors.models import Visitor

PRESENCE_TIMEOUT = timedelta(seconds=90)


class ChatError(Refusal):
    """A refused chat request (docs/widget-protocol.md, Errors)."""


@dataclass
class PostResult:
    message: Message
    conversation: Conversation
    duplicate: bool
    conversation_created: bool = False


def _clean_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not (1 <= len(client_id) <= 64):
        raise ChatError(
            "invalid", _("Each message needs a client_id of 1 to 64 characters."), field="client_id"
        )
    return client_id


def _clean_body(body) -> str:
    if not isinstance(body, str):
        raise ChatError("invalid", _("The message must be text."), field="body")
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ChatError("empty", _("The message is empty."))
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if len(body) > limit:
        raise ChatError(
            "too_long",
            _("The message is too long: %(n)s characters at most.") % {"n": limit},
            limit=limit,
        )
    return body


def _next_number(tenant_id: int) -> int:
    # An UPDATE takes the row lock until commit, so two new conversations never share a number.
    Tenant.objects.filter(pk=tenant_id).update(conversation_seq=F("conversation_seq") + 1)
    return Tenant.objects.values_list("conversation_seq", flat=True).get(pk=tenant_id)


def _publish_message(message: Message, conversation: Conversation) -> None:
    data = payloads.message(message, conversation)
    event = {"type": "chat.message", "message": data, "number": conversation.number}
    realtime.publish_on_commit(realtime.group_visitor(conversation.visitor_id), event)
    realtime.publish_on_commit(realtime.group_conversation(conversation.pk), event)
    _publish_summary(conversation)


def _publish_summary(conversation: Conversation) -> None:
    def send():
        fresh = (
            Conversation.objects.select_related("visitor", "last_message")
            .filter(pk=conversation.pk)
            .first()
        )
        if fresh is not None:
            realtime.publish(
                realtime.group_inbox(fresh.tenant_id),
                {"type": "inbox.conversation", "conversation": payloads.summary(fresh)},
            )

    transaction.on_commit(send)


def _insert(conversation: Conversation, **fields) -> tuple[Message, bool]:
    client_id = fields.get("client_id", "")
    if client_id:
        existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
        if existing is not None:
            return existing, True
    try:
        with transaction.atomic():
            message = Message.objects.create(
                tenant_id=conversation.tenant_id, conversation=conversation, **fields
            )
    except IntegrityError:
        existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
        if existing is None:
            raise
        return existing, True
    return message, False


def message_post_from_visitor(*, visitor: Visitor, client_id, body) -> PostResult:
    """Store a visitor's message in their open conversation (opened now if there is none)."""
    client_id = _clean_client_id(client_id)
    body = _clean_body(body)
    with transaction.atomic():
        # The visitor row lock serialises this visitor's sends (several tabs, a retry in flight).
        Visitor.objects.select_for_update().filter(pk=visitor.pk).first()
        existing = (
            Message.objects.select_related("conversation", "conversation__visitor")
            .filter(
                conversation__visitor=visitor, client_id=client_id, sender=Message.Sender.VISITOR
            )
            .first()
        )
        if existing is not None:
            return PostResult(existing, existing.conversation, duplicate=True)

        allowed, retry_after = hit(
            f"msg:{visitor.pk}", limit=settings.CHAT_MESSAGES_PER_MINUTE, window=60
        )
        if not allowed:
            raise ChatError(
                "rate_limited",
                _("You are sending messages too fast. Please wait %(s)s seconds.")
                % {"s": retry_after},
                retry_after=retry_after,
            )

        conversation = (
            Conversation.objects.select_for_update()
            .filter(visitor=visitor, status=Conversation.Status.OPEN)
            .order_by("-last_activity_at")
            .first()
        )
        created = False
        if conversation is None:
            conversation = Conversation.objects.create(
                tenant_id=visitor.tenant_id, visitor=visitor, number=_next_number(visitor.tenant_id)
            )
            conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
            created = True
        message, duplicate = _insert(
            conversation, sender=Message.Sender.VISITOR, body=body, client_id=client_id
        )
        now = timezone.now()
        conversation.last_message = message
        conversation.last_activity_at = now
        conversation.operator_unread = F("operator_unread") + 1
        if conversation.waiting_since is None:
            conversation.waiting_since = message.created_at
        conversation.save(
            update_fields=["last_message", "last_activity_at", "operator_unread", "waiting_since"]
        )
        conversation.refresh_from_db()
        conversation.visitor = visitor
        _publish_message(message, conversation)
    return PostResult(message, conversation, duplicate, created)


def message_post_from_operator(
    *, membership: Membership, conversation: Conversation, client_id, body
) -> PostResult:
    """Store an operator's reply. Replying to a resolved conversation reopens it."""
    client_id = _clean_client_id(client_id)
    body = _clean_body(body)
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .select_related("visitor")
            .get(pk=conversation.pk)
        )
        message, duplicate = _insert(
            conversation,
            sender=Message.Sender.OPERATOR,
            author=membership.user,
            body=body,
            client_id=client_id,
        )
        if duplicate:
            return PostResult(message, conversation, duplicate=True)
        conversation.last_message = message
        conversation.last_activity_at = timezone.now()
        conversation.waiting_since = None
        conversation.operator_unread = 0
        conversation.visitor_unread = F("visitor_unread") + 1
        fields = [
            "last_message",
            "last_activity_at",
            "waiting_since",
            "operator_unread",
            "visitor_unread",
        ]
        if conversation.status == Conversation.Status.RESOLVED:
            conversation.status = Conversation.Status.OPEN
            conversation.resolved_at = None
            fields += ["status", "resolved_at"]
        conversation.save(update_fields=fields)
        conversation.refresh_from_db()
        # Everything the visitor wrote before this reply has now been read by the team.
        Message.objects.filter(
            conversation=conversation, sender=Message.Sender.VISITOR, read_at__isnull=True
        ).update(read_at=message.created_at)
        _publish_message(message, conversation)
        if "status" in fields:
            _publish_status(conversation)
    return PostResult(message, conversation, duplicate)


def _publish_status(conversation: Conversation) -> None:
    event = {"type": "chat.status", "conversation": payloads.conversation_ref(conversation)}
    realtime.publish_on_commit(realtime.group_visitor(conversation.visitor_id), event)
    _publish_summary(conversation)


def _set_status(*, conversation: Conversation, status: str) -> Conversation:
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.status == status:
            return conversation
        conversation.status = status
        conversation.resolved_at = (
            timezone.now() if status == Conversation.Status.RESOLVED else None
        )
        if status == Conversation.Status.RESOLVED:
            conversation.waiting_since = None
            conversation.operator_unread = 0
        conversation.save(
            update_fields=["status", "resolved_at", "waiting_since", "operator_unread"]
        )
        _publish_status(conversation)
    return conversation


def conversation_resolve(*, membership: Membership, conversation: Conversation) -> Conversation:
    return _set_status(conversation=conversation, status=Conversation.Status.RESOLVED)


def conversation_reopen(*, membership: Membership, conversation: Conversation) -> Conversation:
    return _set_status(conversation=conversation, status=Conversation.Status.OPEN)


def messages_mark(*, conversation: Conversation, reader: str, up_to, state: str) -> int | None:
    """Mark the other side's messages up to ``up_to`` as delivered or read by ``reader``.

    ``reader`` is "visitor" (marks operator/bot messages) or "operator" (marks visitor messages).
    Returns the highest id marked, or None when nothing changed.
    """
    if not isinstance(up_to, int) or isinstance(up_to, bool) or up_to < 1:
        raise ChatError("invalid", _("up_to must be a message id."), field="up_to")
    if state not in ("delivered", "read"):
        raise ChatError("invalid", _("Unknown receipt state."), field="type")
    if reader == "visitor":
        senders = [Message.Sender.OPERATOR, Message.Sender.BOT, Message.Sender.SYSTEM]
    else:
        senders = [Message.Sender.VISITOR]
    now = timezone.now()
    with transaction.atomic():
        base = Message.objects.filter(conversation=conversation, sender__in=senders, id__lte=up_to)
        changed = base.filter(delivered_at__isnull=True).update(delivered_at=now)
        if state == "read":
            changed += base.filter(read_at__isnull=True).update(read_at=now)
        unread_reset = False
        if state == "read":
            field = "visitor_unread" if reader == "visitor" else "operator_unread"
            unread_reset = (
                Conversation.objects.filter(pk=conversation.pk, **{f"{field}__gt": 0}).update(
                    **{field: 0}
                )
                > 0
            )
        if reader == "operator" and unread_reset:
            _publish_summary(conversation)
        if not changed:
            return None
        highest = base.order_by("-id").values_list("id", flat=True).first()
        event = {
            "type": "chat.receipt",
            "conversation": conversation.public_id,
            "number": conversation.number,
            "reader": reader,
            "up_to": highest,
            "state": state,
        }
        if reader == "visitor":
            realtime.publish_on_commit(realtime.group_conversation(conversation.pk), event)
        else:
            realtime.publish_on_commit(realtime.group_visitor(conversation.visitor_id), event)
    return highest


def conversations_move_to_visitor(*, source: Visitor, target: Visitor) -> int:
    """Give ``source``'s conversations to ``target`` (identity merge)."""
    return Conversation.objects.filter(visitor=source).update(visitor=target)


# --- Presence -------------------------------------------------------------------------------


def _team_online(tenant_id: int) -> int:
    cutoff = timezone.now() - PRESENCE_TIMEOUT
    return OperatorPresence.objects.filter(
        tenant_id=tenant_id,
        status=OperatorPresence.Status.ONLINE,
        connections__gt=0,
        last_seen_at__gte=cutoff,
    ).count()


def _publish_presence(presence: OperatorPresence, before: int) -> None:
    def send():
        online = _team_online(presence.tenant_id)
        realtime.publish(
            realtime.group_inbox(presence.tenant_id),
            {
                "type": "inbox.presence",
                "user": presence.user_id,
                "status": presence.status if presence.connections else "offline",
                "online": online,
            },
        )
        if (online > 0) != (before > 0):
            realtime.publish(
                realtime.group_widget(presence.tenant_id),
                {"type": "chat.team", "online": online > 0},
            )

    transaction.on_commit(send)


def presence_connect(*, membership: Membership) -> OperatorPresence:
    with transaction.atomic():
        before = _team_online(membership.tenant_id)
        presence, _created = OperatorPresence.objects.select_for_update().get_or_create(
            tenant_id=membership.tenant_id, user_id=membership.user_id
        )
        stale = presence.last_seen_at and presence.last_seen_at < timezone.now() - PRESENCE_TIMEOUT
        presence.connections = 1 if stale else presence.connections + 1
        presence.save()
        _publish_presence(presence, before)
    return presence


def presence_disconnect(*, membership: Membership) -> None:
    with transaction.atomic():
        before = _team_online(membership.tenant_id)
        presence = (
            OperatorPresence.objects.select_for_update()
            .filter(tenant_id=membership.tenant_id, user_id=membership.user_id)
            .first()
        )
        if presence is None:
            return
        presence.connections = max(0, presence.connections - 1)
        presence.save()
        _publish_presence(presence, before)


def presence_set(*, membership: Membership, status) -> OperatorPresence:
    if status not in OperatorPresence.Status.values:
        raise ChatError("invalid", _("Presence is online or away."), field="status")
    with transaction.atomic():
        before = _team_online(membership.tenant_id)
        presence, _created = OperatorPresence.objects.select_for_update().get_or_create(
            tenant_id=membership.tenant_id, user_id=membership.user_id
        )
        presence.status = status
        presence.save()
        _publish_presence(presence, before)
    return presence


def presence_heartbeat(*, membership: Membership) -> None:
    OperatorPresence.objects.filter(
        tenant_id=membership.tenant_id, user_id=membership.user_id
    ).update(last_seen_at=timezone.now())
