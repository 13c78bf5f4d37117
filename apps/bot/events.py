"""What the bot does when something happens (the event stream, ``apps.core.events``): a
visitor writes in a conversation it holds, and it answers (``services.answer``)."""

from apps.bot import services
from apps.conversations.kinds import MESSAGE_CREATED
from apps.conversations.models import Message
from apps.core import events


@events.handler(MESSAGE_CREATED)
def answer_visitor(event) -> None:
    if event.data.get("sender") == Message.Sender.VISITOR:
        services.answer(message_id=event.data["message"])
