"""Automation reacts to what happens (the event stream, ``apps.core.events``): each event that a
rule's trigger names runs the workspace's rules for it (``services.rules_fire``). The silence
trigger ("no reply for N minutes") runs from a periodic job instead (``tasks.py``)."""

from apps.automation import selectors, services
from apps.automation.models import Rule
from apps.conversations import kinds
from apps.conversations.models import Conversation, Message
from apps.core import events
from apps.offline.services.ratings import RATING_RECEIVED
from apps.visitors.models import Visitor
from apps.visitors.services import VISITOR_IDENTIFIED

Trigger = Rule.Trigger

_SIMPLE = {
    kinds.CONVERSATION_CREATED: Trigger.CONVERSATION_CREATED,
    kinds.STATUS_CHANGED: Trigger.STATUS_CHANGED,
    kinds.ASSIGNED: Trigger.ASSIGNED,
    RATING_RECEIVED: Trigger.RATING_RECEIVED,
}
_BY_SENDER = {
    Message.Sender.VISITOR: Trigger.VISITOR_MESSAGE,
    Message.Sender.OPERATOR: Trigger.OPERATOR_MESSAGE,
}


def _conversation(event) -> Conversation | None:
    return (
        Conversation.objects.select_related("visitor", "tenant")
        .filter(pk=event.data.get("conversation"))
        .first()
    )


@events.handler(*_SIMPLE)
def on_conversation_event(event) -> None:
    conversation = _conversation(event)
    if conversation is not None:
        services.rules_fire(
            _SIMPLE[event.kind],
            selectors.context_for(conversation=conversation, since=event.created_at),
            key=f"e{event.pk}",
            depth=event.depth,
        )


@events.handler(kinds.MESSAGE_CREATED)
def on_message(event) -> None:
    trigger = _BY_SENDER.get(event.data.get("sender"))
    if trigger is None:  # the bot's and the system's messages fire no rules
        return
    conversation = _conversation(event)
    message = Message.objects.filter(pk=event.data.get("message")).first()
    if trigger == Trigger.VISITOR_MESSAGE and message is not None:
        services.flow_on_visitor_message(message=message)  # a flow in progress moves on
    elif trigger == Trigger.OPERATOR_MESSAGE:
        services.flow_stop_for_people(conversation_id=event.data.get("conversation"))
    if conversation is not None and message is not None:
        services.rules_fire(
            trigger,
            selectors.context_for(
                conversation=conversation, message=message, since=event.created_at
            ),
            key=f"e{event.pk}",
            depth=event.depth,
        )


@events.handler(kinds.LABELS_CHANGED)
def on_labels(event) -> None:
    if not event.data.get("added"):
        return
    conversation = _conversation(event)
    if conversation is not None:
        services.rules_fire(
            Trigger.LABEL_ADDED,
            selectors.context_for(conversation=conversation, since=event.created_at),
            key=f"e{event.pk}",
            depth=event.depth,
        )


@events.handler(VISITOR_IDENTIFIED)
def on_identified(event) -> None:
    visitor = Visitor.objects.select_related("tenant").filter(pk=event.data.get("visitor")).first()
    if visitor is None:
        return
    context = selectors.context_for_visitor(visitor=visitor)
    services.rules_fire(Trigger.VISITOR_IDENTIFIED, context, key=f"e{event.pk}", depth=event.depth)


@events.handler(kinds.CONVERSATION_CREATED)
def tell_the_team_the_greeting(event) -> None:
    """A visitor greeted by a rule starts a conversation: the team reads the greeting."""
    conversation = _conversation(event)
    if conversation is not None:
        services.greeting_note(conversation=conversation)
