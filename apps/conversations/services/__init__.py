"""Every write about conversations, messages and the team's inbox (DESIGN.md §4: services
write), one module per concern; the public functions are importable from here."""

from apps.conversations.services.assignment import (
    assign_to_replier,
    conversation_assign,
    publish_queue_positions,
    queue_drain,
)
from apps.conversations.services.bulk import (
    BULK_LIMIT,
    BulkResult,
    conversations_bulk,
)
from apps.conversations.services.common import (
    WorkflowError,
    activity_record,
    lock_conversation,
    publish_summary,
    publish_visitor_status,
    record,
)
from apps.conversations.services.handoff import (
    conversation_bot_resume,
    conversation_handoff,
)
from apps.conversations.services.labels import (
    conversation_label,
    label_create,
    label_delete,
)
from apps.conversations.services.messages import (
    ChatError,
    PostResult,
    conversation_for_visitor,
    conversation_reopen,
    conversation_resolve,
    conversation_start_by_operator,
    conversations_move_to_visitor,
    message_create,
    messages_mark,
    messages_mark_by_visitor,
    visitor_identify,
    visitor_widget_open,
)
from apps.conversations.services.notes import (
    note_add,
)
from apps.conversations.services.presence import (
    presence_connect,
    presence_disconnect,
    presence_heartbeat,
    presence_set,
)
from apps.conversations.services.status import (
    conversation_reply_by_email,
    conversation_set_status,
    conversations_wake_snoozed,
    status_changed,
)

__all__ = [
    "BULK_LIMIT",
    "BulkResult",
    "ChatError",
    "PostResult",
    "WorkflowError",
    "activity_record",
    "assign_to_replier",
    "conversation_assign",
    "conversation_bot_resume",
    "conversation_for_visitor",
    "conversation_handoff",
    "conversation_label",
    "conversation_reopen",
    "conversation_reply_by_email",
    "conversation_resolve",
    "conversation_set_status",
    "conversation_start_by_operator",
    "conversations_bulk",
    "conversations_move_to_visitor",
    "conversations_wake_snoozed",
    "label_create",
    "label_delete",
    "lock_conversation",
    "message_create",
    "messages_mark",
    "messages_mark_by_visitor",
    "note_add",
    "presence_connect",
    "presence_disconnect",
    "presence_heartbeat",
    "presence_set",
    "publish_queue_positions",
    "publish_summary",
    "publish_visitor_status",
    "queue_drain",
    "record",
    "status_changed",
    "visitor_identify",
    "visitor_widget_open",
]
