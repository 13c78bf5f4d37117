"""Messages: the one write path, receipts, and an operator starting a chat (DESIGN.md §4).

``message_create`` is the one write path of a message, whoever sends it (visitor, operator,
bot, system; later email, the API and other channels): one transaction, through the ORM and the
scoped managers. The conversation's row is locked first, so the ids of a conversation's messages
commit in order and a client resuming "after id N" never skips one. In the same transaction the
message's search entry, the conversation's counters and last message, and the events of the
stream (``apps.core.events``) are written; socket events go out after commit (the channel layer
is a doorbell: losing one loses nothing).
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import intake, kinds, payloads, selectors
from apps.conversations.models import Conversation, Message
from apps.conversations.services.assignment import assign_to_replier, queue_drain
from apps.conversations.services.common import lock_conversation, publish_summary
from apps.conversations.services.status import conversation_set_status, status_changed
from apps.core import events, realtime
from apps.core.errors import Refusal
from apps.core.ratelimit import hit
from apps.tenants.models import Membership, Tenant
from apps.visitors import services as visitor_services
from apps.visitors.models import Visitor

MESSAGE_WINDOW = 60  # seconds: CHAT_MESSAGES_PER_MINUTE
CONTENT_MAX_BYTES = 16384


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


def _clean_body(body, *, required: bool = True) -> str:
    if body is None and not required:
        return ""
    if not isinstance(body, str):
        raise ChatError("invalid", _("The message must be text."), field="body")
    body = body.replace("\r\n", "\n").strip()
    if not body and required:
        raise ChatError("empty", _("The message is empty."))
    if "\x00" in body:
        raise ChatError("invalid", _("The message holds a character that is not allowed."))
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if len(body) > limit:
        raise ChatError(
            "too_long",
            _("The message is too long: %(n)s characters at most.") % {"n": limit},
            limit=limit,
        )
    return body


def _clean_content(content) -> dict:
    """What carries a message besides its text (buttons, attachments): a JSON object."""
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ChatError("invalid", _("The message's content must be an object."), field="content")
    try:
        size = len(json.dumps(content, ensure_ascii=False).encode())
    except (TypeError, ValueError) as exc:
        raise ChatError(
            "invalid", _("The message's content must be an object."), field="content"
        ) from exc
    if size > CONTENT_MAX_BYTES:
        raise ChatError("too_long", _("The message's content is too large."), field="content")
    return content


def _next_number(tenant_id: int) -> int:
    # An UPDATE takes the row lock until commit, so two new conversations never share a number.
    Tenant.objects.filter(pk=tenant_id).update(conversation_seq=F("conversation_seq") + 1)
    return Tenant.objects.values_list("conversation_seq", flat=True).get(pk=tenant_id)


def _visitors_conversation_locked(visitor: Visitor) -> Conversation | None:
    """The conversation a visitor's next message belongs to, row-locked: their latest one, if
    it is still active (open, pending, snoozed) or was resolved within CHAT_REOPEN_WINDOW (it
    reopens). A visitor has one conversation in progress at a time, so the latest is the one."""
    latest = (
        Conversation.objects.select_for_update(of=("self",))
        .filter(visitor=visitor)
        .order_by("-last_activity_at")
        .first()
    )
    if latest is None or (
        latest.status == Conversation.Status.RESOLVED
        and (latest.resolved_at or latest.last_activity_at)
        < timezone.now() - settings.CHAT_REOPEN_WINDOW
    ):
        return None
    return latest


def _conversation_for(
    visitor: Visitor, channel: str = Conversation.Channel.CHAT
) -> tuple[Conversation, bool]:
    """The visitor's conversation, locked, opened now if there is none (and whether it was)."""
    conversation = _visitors_conversation_locked(visitor)
    if conversation is None:
        # Opening a conversation: the visitor's row lock keeps two tabs from opening two.
        Visitor.objects.select_for_update().filter(pk=visitor.pk).values_list("pk").first()
        conversation = _visitors_conversation_locked(visitor)
    if conversation is not None:
        conversation.visitor = visitor
        return conversation, False
    conversation = Conversation.objects.create(
        tenant_id=visitor.tenant_id,
        visitor=visitor,
        number=_next_number(visitor.tenant_id),
        channel=channel,
    )
    events.record(
        kinds.CONVERSATION_CREATED,
        tenant_id=conversation.tenant_id,
        stream=events.conversation_stream(conversation.pk),
        conversation=conversation.pk,
        number=conversation.number,
        visitor=visitor.pk,
    )
    return conversation, True


def _stored(*, visitor_id: int, sender: str, client_id: str) -> Message | None:
    """A message already stored under ``client_id`` by this sender, in any of the visitor's
    conversations (a resend): its id looked up first, the row loaded only when there is one."""
    stored = (
        Message.objects.filter(
            conversation__visitor_id=visitor_id, sender=sender, client_id=client_id
        )
        .values_list("pk", flat=True)
        .first()
    )
    if stored is None:
        return None
    return Message.objects.select_related("conversation", "conversation__visitor", "author").get(
        pk=stored
    )


def message_create(
    *,
    sender: str,
    client_id,
    body="",
    visitor: Visitor | None = None,
    conversation: Conversation | None = None,
    author=None,
    content: dict | None = None,
    origin: str | None = None,
    channel: str = Conversation.Channel.CHAT,
) -> PostResult:
    """Store a message: the one write path for every sender.

    A visitor's message names the ``visitor`` and goes to their conversation in progress (a
    pending, snoozed or recently resolved one reopens; none: a new one, queued for automatic
    assignment). Every other sender names the ``conversation``; an operator (``author``)
    answering takes an unassigned conversation, and replying reopens a resolved one. The body
    may be empty when ``content`` (buttons, attachments) carries the message. A resend under
    the same ``client_id`` stores nothing and answers with the stored message. ``origin``: the
    sending visitor socket's channel, which gets no copy (its ``ack`` says it is stored).
    ``channel``: where a conversation this message opens started (an email to the support
    address: ``"email"``).
    Bad input raises ``ChatError`` and changes nothing.
    """
    if sender not in Message.Sender.values:
        raise ValueError(f"unknown sender {sender!r}")
    if (visitor is None) == (conversation is None):
        raise ValueError("a message names its visitor (a visitor's) or its conversation")
    client_id = _clean_client_id(client_id)
    content = _clean_content(content)
    body = _clean_body(body, required=not content)
    visitor_id = visitor.pk if visitor is not None else conversation.visitor_id
    try:
        with transaction.atomic():
            return _store(
                sender=sender,
                client_id=client_id,
                body=body,
                content=content,
                visitor=visitor,
                conversation=conversation,
                author=author,
                origin=origin,
                channel=channel,
            )
    except IntegrityError:
        # Only a concurrent send of the very same client id gets here; it is stored now.
        existing = _stored(visitor_id=visitor_id, sender=sender, client_id=client_id)
        if existing is None:
            raise
        return PostResult(existing, existing.conversation, duplicate=True)


def _store(*, sender, client_id, body, content, visitor, conversation, author, origin, channel):
    created = False
    if visitor is not None:
        conversation, created = _conversation_for(visitor, channel)
    else:
        conversation = lock_conversation(conversation.pk)
    if created:
        # A resend whose first copy went to an earlier conversation of the visitor (resolved
        # and closed since): the unique client id per conversation cannot see it there.
        existing = _stored(visitor_id=conversation.visitor_id, sender=sender, client_id=client_id)
        if existing is not None:
            return PostResult(existing, existing.conversation, duplicate=True)
    from_visitor = sender == Message.Sender.VISITOR

    seq = conversation.message_count + 1  # exact: the row is locked
    # A resend within the conversation stops here: the client id is unique per conversation
    # (IntegrityError, answered in message_create with the stored message).
    message = Message(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        sender=sender,
        author=author,
        body=body,
        content=content,
        client_id=client_id,
        seq=seq,
    )
    message.save(force_insert=True)  # the model's own save: no scoped query built to insert
    if from_visitor:
        # Counted once the message is known to be new (a resend is not a new message).
        allowed, retry_after = hit(
            f"msg:{conversation.visitor_id}",
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
    now = message.created_at
    fields = {"last_message": message, "last_activity_at": now, "message_count": seq}
    status_before = conversation.status
    if from_visitor:
        if created or conversation.status == Conversation.Status.RESOLVED:
            # Who answers first: the bot, when its app takes this chat (``intake``).
            held = conversation.assignee_id is None and intake.bot_takes(conversation)
            if held != conversation.bot_holds:
                fields["bot_holds"] = held
        else:
            held = conversation.bot_holds
        if not held:
            # People are waiting for an answer (the bot's chats wait for nobody).
            fields["operator_unread"] = conversation.operator_unread + 1  # exact: row locked
            fields["waiting_since"] = conversation.waiting_since or now
        if conversation.status != Conversation.Status.OPEN:
            # A pending, snoozed or resolved conversation wakes up when the visitor writes.
            fields.update(status=Conversation.Status.OPEN, snoozed_until=None, resolved_at=None)
    elif sender in (Message.Sender.OPERATOR, Message.Sender.BOT):
        fields["visitor_unread"] = conversation.visitor_unread + 1
        if sender == Message.Sender.OPERATOR:
            if conversation.operator_unread or conversation.waiting_since:
                # Everything the visitor wrote before this reply has now been read by the team.
                Message.objects.filter(
                    conversation=conversation, sender=Message.Sender.VISITOR, read_at__isnull=True
                ).update(read_at=now)
            fields.update(waiting_since=None, operator_unread=0)
            if conversation.bot_holds:
                fields["bot_holds"] = False  # a person answers: the bot's part is over
        if conversation.status == Conversation.Status.RESOLVED:
            fields.update(status=Conversation.Status.OPEN, resolved_at=None)
    for field, value in fields.items():
        setattr(conversation, field, value)
    conversation.save(update_fields=list(fields))

    stream = events.conversation_stream(conversation.pk)
    events.record(
        kinds.MESSAGE_CREATED,
        tenant_id=conversation.tenant_id,
        stream=stream,
        conversation=conversation.pk,
        message=message.pk,
        sender=sender,
        author=author.pk if author is not None else None,
    )
    reopened = conversation.status != status_before
    if reopened:
        status_changed(
            conversation,
            actor=author if sender == Message.Sender.OPERATOR else None,
            before=status_before,
            by=None if sender == Message.Sender.OPERATOR else sender,
        )
    if (
        sender == Message.Sender.OPERATOR
        and author is not None
        and conversation.assignee_id is None
    ):
        # An operator who answers an unassigned chat takes it (the queue moves on).
        assign_to_replier(conversation, user=author)
    _publish_message(message, conversation, labels=[] if created else None, origin=origin)
    if (
        from_visitor
        and not conversation.bot_holds
        and (created or (reopened and conversation.assignee_id is None))
    ):
        tenant_id = conversation.tenant_id
        transaction.on_commit(lambda: queue_drain(tenant_id=tenant_id))
    return PostResult(message, conversation, False, created)


def _publish_message(
    message: Message, conversation: Conversation, labels=None, origin: str | None = None
) -> None:
    data = payloads.message(message, conversation)
    event = {"type": "chat.message", "message": data}
    if origin:
        event["origin"] = origin
    realtime.publish_on_commit(realtime.group_visitor(conversation.visitor_id), event)
    publish_summary(conversation, labels, message=data)


def conversation_resolve(*, membership: Membership, conversation: Conversation) -> Conversation:
    return conversation_set_status(
        membership=membership, conversation=conversation, status=Conversation.Status.RESOLVED
    )


def conversation_reopen(*, membership: Membership, conversation: Conversation) -> Conversation:
    return conversation_set_status(
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
            publish_summary(conversation)
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


def visitor_identify(
    *, visitor: Visitor, token_hash: str, user_id, user_hash, **claims
) -> visitor_services.IdentifyResult:
    """Identify the visitor (``apps.visitors.services.visitor_identify``: ``claims`` are its
    ``email``, ``email_hash``, ``name``, ``name_hash``); an anonymous visitor merged into a
    known contact gives the contact its conversations."""
    return visitor_services.visitor_identify(
        visitor=visitor,
        token_hash=token_hash,
        user_id=user_id,
        user_hash=user_hash,
        **claims,
        move_history=lambda source, target: conversations_move_to_visitor(
            source=source, target=target
        ),
    )


def conversation_for_visitor(*, visitor: Visitor) -> Conversation:
    """The visitor's conversation in progress, or a new one (a flow the visitor asked for
    starts in it before they wrote anything)."""
    with transaction.atomic():
        conversation, _created = _conversation_for(visitor)
    return conversation


def visitor_widget_open(
    *, visitor: Visitor, greeting: str = "", message: Message | None = None
) -> None:
    """Ask the visitor's chat window to open, after commit: showing ``message`` (one just
    stored in their conversation) or the ``greeting`` (shown in place of the welcome, stored
    nowhere), or just opening."""
    event: dict = {"type": "chat.open"}
    if message is not None:
        event.update(
            conversation=payloads.conversation_ref(message.conversation), message=message.pk
        )
    elif greeting:
        event["greeting"] = greeting
    realtime.publish_on_commit(realtime.group_visitor(visitor.pk), event)


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
        # The conversation the visitor's own next message would go to (a recently resolved one
        # reopens), or a new one.
        conversation, created = _conversation_for(visitor)
        if not created and not (
            selectors.visible_conversations(membership=membership)
            .filter(pk=conversation.pk)
            .exists()
        ):
            raise ChatError(
                "forbidden",
                _("This visitor is already in a conversation of a team you are not in."),
            )
        # An unassigned conversation becomes the writer's (message_create).
        result = message_create(
            sender=Message.Sender.OPERATOR,
            author=membership.user,
            conversation=conversation,
            client_id=client_id,
            body=body,
        )
        if not result.duplicate:
            visitor_widget_open(visitor=visitor, message=result.message)
    result.conversation_created = created
    return result
