"""The kinds of event the conversations app records in the event stream (apps.core.events).

Every event's ``data`` names what it is about by id. Handlers subscribe to these names
(``@events.handler(MESSAGE_CREATED)``, in an app's ``events.py``).
"""

CONVERSATION_CREATED = "conversation.created"  # conversation, number, visitor
MESSAGE_CREATED = "message.created"  # conversation, message, sender, author
ASSIGNED = "conversation.assigned"  # conversation, assignee, team, previous_assignee, ...
STATUS_CHANGED = "conversation.status_changed"  # conversation, status, previous, by, until
LABELS_CHANGED = "conversation.labels_changed"  # conversation, added, removed
NOTE_ADDED = "note.added"  # conversation, activity, author, mentions
HANDED_OFF = "conversation.handed_off"  # conversation, reason, tried (the bot's part ended)
BOT_RESUMED = "conversation.bot_resumed"  # conversation, actor (handed back to the bot)
