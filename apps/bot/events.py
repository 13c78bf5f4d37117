"""What the bot does when something happens (the event stream, ``apps.core.events``):

- a visitor writes in a conversation it holds: it answers (``services.answer``);
- a conversation is resolved: its visitor's questions it missed become proposed entries, when
  the visitor consented (``services.proposals_collect``);
- a visitor takes back that consent: their words leave the pending proposals.
"""

from apps.bot import services
from apps.bot.services.learning import LEARNING
from apps.conversations.kinds import MESSAGE_CREATED, STATUS_CHANGED
from apps.conversations.models import Conversation, Message
from apps.core import events
from apps.visitors.services import CONSENT_CHANGED


@events.handler(MESSAGE_CREATED)
def answer_visitor(event) -> None:
    if event.data.get("sender") == Message.Sender.VISITOR:
        services.answer(message_id=event.data["message"])


@events.handler(STATUS_CHANGED)
def learn_from_resolved(event) -> None:
    if event.data.get("status") != Conversation.Status.RESOLVED:
        return
    conversation = Conversation.objects.filter(pk=event.data["conversation"]).first()
    if conversation is not None:
        services.proposals_collect(conversation=conversation)


@events.handler(CONSENT_CHANGED)
def forget_withdrawn(event) -> None:
    if event.data.get("purpose") == LEARNING and not event.data.get("given"):
        services.consent_withdrawn(visitor_id=event.data["visitor"])
