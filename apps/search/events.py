"""The search index follows what happens: a stored message and an identified visitor are
indexed by these handlers of the event stream (``apps.core.events``), each in the transaction
that marks its event handled."""

from apps.conversations.kinds import MESSAGE_CREATED
from apps.conversations.models import Message
from apps.core import events
from apps.search.services import index_message, index_visitor
from apps.visitors.models import Visitor
from apps.visitors.services import VISITOR_IDENTIFIED


@events.handler(MESSAGE_CREATED)
def index_stored_message(event) -> None:
    message = Message.objects.filter(pk=event.data["message"]).first()
    if message is not None:  # deleted since (with its conversation): nothing to index
        index_message(message)


@events.handler(VISITOR_IDENTIFIED)
def index_identified_visitor(event) -> None:
    visitor = Visitor.objects.filter(pk=event.data["visitor"]).first()
    if visitor is not None:
        index_visitor(visitor)
