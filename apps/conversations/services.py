"""Every write about conversations and messages (DESIGN.md §4).

One transaction per message: the row is inserted idempotently on ``client_id`` while the
conversation row is locked, so message ids within a conversation commit in order and a client
resuming "after id N" never skips one. Broadcasts go out only after commit; the channel layer is a
doorbell and losing it loses nothing.
"""

import logging
from dataclasses import dataclass
from functools import partial

import psycopg
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import message_sql, payloads, selectors, workflow
from apps.conversations.models import Activity, Conversation, Message, OperatorPresence
from apps.core import adb, ratelimit, realtime
from apps.core.errors import Refusal
from apps.core.ratelimit import hit, unhit
from apps.search.services import message_tokens
from apps.tenants.models import Membership, Tenant
from apps.visitors.models import Visitor

PRESENCE_TIMEOUT = selectors.PRESENCE_TIMEOUT
logger = logging.getLogger(__name__)


class ChatError(Refusal):
    """A refused chat request (docs/widget-protocol.md, Errors)."""


@dataclass
class PostResult:
    message: Message
    conversation: Conversation
    duplicate: bool
    conversation_created: bool = False


def _clean_client_id(client_id) -> str:
    # No NUL: PostgreSQL's text cannot hold it (the statement would fail, not the frame).
    if not isinstance(client_id, str) or not (1 <= len(client_id) <= 64) or "\x00" in client_id:
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


def _publish_message(
    message: Message, conversation: Conversation, labels=None, origin: str | None = None
) -> None:
    data = payloads.message(message, conversation)
    event = {"type": "chat.message", "message": data}
    if origin:
        # The visitor's socket that sent it: its ack says "stored", it needs no copy (the
        # visitor's other tabs do).
        event["origin"] = origin
    realtime.publish_on_commit(realtime.group_visitor(conversation.visitor_id), event)
    # Operators: the sockets that have the conversation open get the message, every inbox
    # socket its list row (docs/performance.md, items 36 and 58).
    workflow.publish_summary(conversation, labels, message=data)


MESSAGE_WINDOW = 60  # seconds: CHAT_MESSAGES_PER_MINUTE


def _message_limit_key(visitor: Visitor) -> str:
    return f"msg:{visitor.pk}"


def _duplicate_of(client_id: str, **where) -> Message | None:
    return (
        Message.objects.select_related("conversation", "conversation__visitor", "author")
        .filter(client_id=client_id, **where)
        .first()
    )


def message_post_from_visitor(
    *, visitor: Visitor, client_id, body, origin: str | None = None
) -> PostResult:
    """Store a visitor's message in their open conversation (opened now if there is none).

    On PostgreSQL, into an open conversation and outside a transaction (a socket's call), one
    statement that commits by itself; otherwise four round trips: BEGIN, lock the
    conversation and look for the client id, insert the message with its search entry and
    update the conversation, COMMIT. A resend of a stored message (same client id, in any of
    the visitor's conversations) returns the stored one. ``origin``: the sending socket's
    channel name, which the visitor's sockets get no copy on (it has its ``ack``).
    """
    client_id = _clean_client_id(client_id)
    body = _clean_body(body)
    try:
        return _post_from_visitor(visitor, client_id, body, origin)
    except IntegrityError:
        # Only a concurrent send of the very same client id gets here; it is stored now.
        existing = _duplicate_of(client_id, conversation__visitor=visitor)
        if existing is None:
            raise
        return PostResult(existing, existing.conversation, duplicate=True)


def _post_to_open_conversation(
    visitor: Visitor, client_id: str, body: str, tokens: frozenset[str], origin: str | None
) -> PostResult | None:
    """The common case in one statement (``message_sql.post_to_open_conversation``); None when
    the message needs the full path (no conversation yet, one to reopen, over the rate limit, or
    not PostgreSQL)."""
    key, window = _message_limit_key(visitor), MESSAGE_WINDOW
    allowed, _retry = hit(key, limit=settings.CHAT_MESSAGES_PER_MINUTE, window=window)
    if not allowed:
        return None  # the full path tells a stored retry (acknowledged) from a new message
    conversation, message, stored = message_sql.post_to_open_conversation(
        visitor, client_id=client_id, body=body, tokens=tokens
    )
    if message is None:
        unhit(key, window=window)  # a retry does not count; the full path counts for itself
        if stored is None:
            return None
        existing = _duplicate_of(client_id, pk=stored)
        return PostResult(existing, existing.conversation, duplicate=True)
    with realtime.gathered():
        _publish_message(message, conversation, origin=origin)
    return PostResult(message, conversation, False)


async def amessage_post_from_visitor(
    *, visitor: Visitor, client_id, body, run, origin: str | None = None
) -> PostResult:
    """``message_post_from_visitor`` for a socket, from its event loop: the common case (an
    open conversation, PostgreSQL) is one statement from the loop (apps.core.adb), and its
    events go out from the loop; anything else is ``message_post_from_visitor`` through
    ``run`` (the socket's worker-thread call)."""
    client_id = _clean_client_id(client_id)
    body = _clean_body(body)
    if adb.available():
        tokens = message_tokens(tenant_id=visitor.tenant_id, body=body)
        key, window = _message_limit_key(visitor), MESSAGE_WINDOW
        allowed, _retry = await ratelimit.ahit(
            key, limit=settings.CHAT_MESSAGES_PER_MINUTE, window=window
        )
        if allowed:
            try:
                conversation, message, _stored = await message_sql.apost_to_open_conversation(
                    visitor, client_id=client_id, body=body, tokens=tokens
                )
            except psycopg.OperationalError:
                # A connection the server dropped (a restart, say). The full path below uses
                # Django's checked connections; if the statement did commit, it finds the
                # message by its client id and answers with it.
                logger.warning("the loop's database connection failed", exc_info=True)
                message = None
            if message is not None:
                # The statement committed by itself: its events, handed over in order, go
                # out from here in one round trip.
                handover = realtime.Handover()
                with realtime.handed_over(handover):
                    _publish_message(message, conversation, origin=origin)
                await realtime.asend_many(handover.take())
                return PostResult(message, conversation, False)
            # A resend, or a message for the full path, which counts it itself.
            await ratelimit.aunhit(key, window=window)
    return await run(
        message_post_from_visitor, visitor=visitor, client_id=client_id, body=body, origin=origin
    )


def _post_from_visitor(
    visitor: Visitor, client_id: str, body: str, origin: str | None = None
) -> PostResult:
    # The hot path of the product (DESIGN.md §4): on PostgreSQL one hand-written statement in
    # the common case (an open conversation), otherwise two inside one transaction
    # (apps.conversations.message_sql); the search tokens computed before the lock.
    # docs/performance.md has the profile behind its shape (items 14 and 33).
    tokens = message_tokens(tenant_id=visitor.tenant_id, body=body)
    if not transaction.get_connection().in_atomic_block:
        posted = _post_to_open_conversation(visitor, client_id, body, tokens, origin)
        if posted is not None:
            return posted
    with transaction.atomic():
        conversation, stored = message_sql.open_conversation_locked(visitor, client_id)
        if conversation is None and stored is None:
            # Opening a conversation: the visitor's row lock keeps two tabs from opening two.
            Visitor.objects.select_for_update().filter(pk=visitor.pk).values_list("pk").first()
            conversation, stored = message_sql.open_conversation_locked(visitor, client_id)
        if stored is not None:
            existing = _duplicate_of(client_id, pk=stored)
            return PostResult(existing, existing.conversation, duplicate=True)

        allowed, retry_after = hit(
            _message_limit_key(visitor),
            limit=settings.CHAT_MESSAGES_PER_MINUTE,
            window=MESSAGE_WINDOW,
        )
        if not allowed:
            raise ChatError(
                "rate_limited",
                _("You are sending messages too fast. Please wait %(s)s seconds.")
                % {"s": retry_after},
                retry_after=retry_after,
            )

        created = conversation is None
        if created:
            conversation = Conversation.objects.create(
                tenant_id=visitor.tenant_id, visitor=visitor, number=_next_number(visitor.tenant_id)
            )
        now = timezone.now()
        conversation.last_activity_at = now
        conversation.operator_unread += 1  # exact: the row is locked
        conversation.waiting_since = conversation.waiting_since or now
        changes = {}
        reopened = not created and conversation.status != Conversation.Status.OPEN
        if reopened:
            # A pending, snoozed or resolved conversation wakes up when the visitor writes.
            changes = {
                "status": Conversation.Status.OPEN,
                "snoozed_until": None,
                "resolved_at": None,
            }
            for field, value in changes.items():
                setattr(conversation, field, value)
        message = message_sql.insert_message(
            conversation,
            tokens=tokens,
            sender=Message.Sender.VISITOR,
            body=body,
            client_id=client_id,
            created_at=now,
            update={
                "last_activity_at": now,
                "operator_unread": conversation.operator_unread,
                "waiting_since": conversation.waiting_since,
                **changes,
            },
        )
        conversation.last_message = message
        if reopened:
            workflow.activity_record(
                conversation, Activity.Kind.STATUS, None, status="open", by="visitor"
            )
        _publish_message(message, conversation, labels=[] if created else None, origin=origin)
        if reopened:
            workflow.publish_visitor_status(conversation)
        if created or (reopened and conversation.assignee_id is None):
            transaction.on_commit(partial(_drain_queue_after_commit, visitor.tenant_id))
    return PostResult(message, conversation, False, created)


def _drain_queue_after_commit(tenant_id: int) -> None:
    workflow.queue_drain(tenant_id=tenant_id)


def message_post_from_operator(
    *, membership: Membership, conversation: Conversation, client_id, body
) -> PostResult:
    """Store an operator's reply. Replying to a resolved conversation reopens it."""
    client_id = _clean_client_id(client_id)
    body = _clean_body(body)
    try:
        return _post_from_operator(membership, conversation.pk, client_id, body)
    except IntegrityError:
        existing = _duplicate_of(client_id, conversation_id=conversation.pk)
        if existing is None:
            raise
        return PostResult(existing, existing.conversation, duplicate=True)


def _post_from_operator(
    membership: Membership, conversation_pk: int, client_id: str, body: str
) -> PostResult:
    with transaction.atomic():
        conversation = workflow.lock_conversation(conversation_pk)
        existing = _duplicate_of(client_id, conversation=conversation)
        if existing is not None:
            return PostResult(existing, conversation, duplicate=True)
        message = message_sql.insert_message(
            conversation,
            tokens=message_tokens(tenant_id=conversation.tenant_id, body=body),
            sender=Message.Sender.OPERATOR,
            author=membership.user,
            body=body,
            client_id=client_id,
        )
        if conversation.operator_unread or conversation.waiting_since:
            # Everything the visitor wrote before this reply has now been read by the team.
            Message.objects.filter(
                conversation=conversation, sender=Message.Sender.VISITOR, read_at__isnull=True
            ).update(read_at=message.created_at)
        conversation.last_message = message
        conversation.last_activity_at = message.created_at
        conversation.waiting_since = None
        conversation.operator_unread = 0
        conversation.visitor_unread += 1
        fields = [
            "last_message",
            "last_activity_at",
            "waiting_since",
            "operator_unread",
            "visitor_unread",
        ]
        reopened = conversation.status == Conversation.Status.RESOLVED
        if reopened:
            conversation.status = Conversation.Status.OPEN
            conversation.resolved_at = None
            fields += ["status", "resolved_at"]
        conversation.save(update_fields=fields)
        _publish_message(message, conversation)
        if reopened:
            workflow.publish_visitor_status(conversation)
    return PostResult(message, conversation, False)


def conversation_resolve(*, membership: Membership, conversation: Conversation) -> Conversation:
    return workflow.conversation_set_status(
        membership=membership, conversation=conversation, status=Conversation.Status.RESOLVED
    )


def conversation_reopen(*, membership: Membership, conversation: Conversation) -> Conversation:
    return workflow.conversation_set_status(
        membership=membership, conversation=conversation, status=Conversation.Status.OPEN
    )


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
        unread_reset = False
        if state == "read":
            changed += base.filter(read_at__isnull=True).update(read_at=now)
            field = "visitor_unread" if reader == "visitor" else "operator_unread"
            unread_reset = (
                Conversation.objects.filter(pk=conversation.pk, **{f"{field}__gt": 0}).update(
                    **{field: 0}
                )
                > 0
            )
        if reader == "operator" and unread_reset:
            conversation.operator_unread = 0
            workflow.publish_summary(conversation)
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


def messages_mark_by_visitor(*, visitor: Visitor, up_to, state: str) -> int | None:
    """A visitor marks operator messages up to ``up_to``, which must be in their own
    conversations (anything else is not found)."""
    if not isinstance(up_to, int) or isinstance(up_to, bool) or up_to < 1:
        raise ChatError("invalid", _("up_to must be a message id."), field="up_to")
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=up_to, conversation__visitor=visitor)
        .first()
    )
    if message is None:
        raise ChatError("not_found", _("No such message in your conversations."))
    return messages_mark(
        conversation=message.conversation, reader="visitor", up_to=up_to, state=state
    )


def conversations_move_to_visitor(*, source: Visitor, target: Visitor) -> int:
    """Give ``source``'s conversations to ``target`` (identity merge)."""
    return Conversation.objects.filter(visitor=source).update(visitor=target)


def conversation_start_by_operator(
    *, membership: Membership, visitor: Visitor, client_id, body
) -> PostResult:
    """A proactive chat (the live visitors list): an operator writes first.

    The message goes into the visitor's current conversation, or a new one; an unassigned
    conversation is assigned to that operator. The visitor's chat window is asked to open.
    Bad input changes nothing. Resending the same ``client_id`` stores the message once.
    """
    client_id = _clean_client_id(client_id)
    body = _clean_body(body)
    if visitor.tenant_id != membership.tenant_id:
        raise ChatError("not_found", _("No such visitor in this workspace."))
    with transaction.atomic():
        # The visitor's row lock keeps a visitor's own first message from opening a second one.
        Visitor.objects.select_for_update().filter(pk=visitor.pk).values_list("pk").first()
        # The conversation the visitor's own next message would go to (a recently resolved one
        # reopens), as for a visitor's message.
        conversation, _none = message_sql.open_conversation_locked(visitor, None)
        created = conversation is None
        if not created and not (
            selectors.visible_conversations(membership=membership)
            .filter(pk=conversation.pk)
            .exists()
        ):
            raise ChatError(
                "forbidden",
                _("This visitor is already in a conversation of a team you are not in."),
            )
        if created:
            conversation = Conversation.objects.create(
                tenant_id=visitor.tenant_id, visitor=visitor, number=_next_number(visitor.tenant_id)
            )
        if conversation.assignee_id is None:
            # By hand, so beyond capacity if need be (capacity limits automatic assignment).
            workflow.conversation_assign(
                membership=membership, conversation=conversation, assignee=membership.user_id
            )
        result = message_post_from_operator(
            membership=membership, conversation=conversation, client_id=client_id, body=body
        )
        if not result.duplicate:
            realtime.publish_on_commit(
                realtime.group_visitor(visitor.pk),
                {
                    "type": "chat.open",
                    "conversation": payloads.conversation_ref(result.conversation),
                    "message": result.message.pk,
                },
            )
    result.conversation_created = created
    return result


# --- Presence -------------------------------------------------------------------------------


def _publish_presence(presence: OperatorPresence, before: int) -> None:
    def send():
        online = selectors.team_online_count(tenant_id=presence.tenant_id)
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
        if presence.status == OperatorPresence.Status.ONLINE and presence.connections:
            # Someone who can take chats is here: the queue may move.
            workflow.queue_drain(tenant_id=presence.tenant_id)

    transaction.on_commit(send)


def presence_connect(*, membership: Membership) -> OperatorPresence:
    with transaction.atomic():
        before = selectors.team_online_count(tenant_id=membership.tenant_id)
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
        before = selectors.team_online_count(tenant_id=membership.tenant_id)
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
        before = selectors.team_online_count(tenant_id=membership.tenant_id)
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
