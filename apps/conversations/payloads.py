"""The JSON shapes of docs/widget-protocol.md, built from models. Pure functions, no writes."""

from datetime import datetime

from apps.conversations.models import Activity, Conversation, Message

PREVIEW_LENGTH = 140


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def author(message: Message) -> dict | None:
    if message.sender == Message.Sender.OPERATOR and message.author_id:
        user = message.author
        return {"name": user.get_full_name() if user else "", "avatar_url": None}
    return None


def message(msg: Message, conversation: Conversation) -> dict:
    return {
        "id": msg.pk,
        "seq": msg.seq,
        "conversation": conversation.public_id,
        "client_id": msg.client_id,
        "sender": msg.sender,
        "author": author(msg),
        "body": msg.body,
        "content": msg.content,
        "created_at": iso(msg.created_at),
        "delivered_at": iso(msg.delivered_at),
        "read_at": iso(msg.read_at),
    }


def conversation_ref(conversation: Conversation) -> dict:
    """What a visitor may know about a conversation (no per-workspace number). Pending and
    snoozed are the team's business: to the visitor the conversation is simply open."""
    if conversation.status == Conversation.Status.RESOLVED:
        # When: a rating after the chat is for this resolution (a reopened and resolved-again
        # conversation asks again).
        return {
            "id": conversation.public_id,
            "status": "resolved",
            "resolved_at": iso(conversation.resolved_at),
        }
    if conversation.bot_holds:
        # The bot answers: the chat window waits for no person yet (no email ask).
        return {"id": conversation.public_id, "status": "open", "bot": True}
    return {"id": conversation.public_id, "status": "open"}


def activity(entry: Activity) -> dict:
    """An operators-only history entry (a note, an assignment…). Never for a visitor."""
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "actor": entry.actor_id,
        # A note's text, a rating's comment.
        "body": entry.body if entry.kind in (Activity.Kind.NOTE, Activity.Kind.RATED) else "",
        "data": entry.data,
        "created_at": iso(entry.created_at),
    }


def summary(conversation: Conversation, labels: list[int] | None = None) -> dict:
    last = conversation.last_message
    preview = ""
    if last is not None:
        preview = (
            last.body if len(last.body) <= PREVIEW_LENGTH else last.body[:PREVIEW_LENGTH] + "…"
        )
    visitor = conversation.visitor
    row = {
        "number": conversation.number,
        "id": conversation.public_id,
        "status": conversation.status,
        # The name as given (empty when none): each operator's page labels an unnamed visitor
        # in its own language ("visitor_short"). The row is built once for every operator,
        # in the sending visitor's language when a visitor writes.
        "visitor": {"id": visitor.public_id.hex, "name": visitor.name},
        "preview": preview,
        "preview_sender": last.sender if last is not None else None,
        "unread": conversation.operator_unread,
        "waiting_since": iso(conversation.waiting_since),
        "bot": conversation.bot_holds,
        "last_activity_at": iso(conversation.last_activity_at),
        "created_at": iso(conversation.created_at),
        "assignee": conversation.assignee_id,
        "team": conversation.team_id,
        "snoozed_until": iso(conversation.snoozed_until),
        "channel": conversation.channel,
        "reply_by_email": conversation.reply_by_email,
    }
    if labels is not None:
        row["labels"] = sorted(labels)
    return row
