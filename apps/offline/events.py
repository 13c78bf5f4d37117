"""What the offline app does when something happens in a conversation (the event stream,
``apps.core.events``): each handler runs inside the event's workspace scope, in the transaction
that marks the event handled.

- A visitor who left an email address writes: their conversation continues by email.
- An operator or the bot writes in a conversation that continues by email: the replies the
  visitor has not read are emailed after the workspace's delay (``services.email_out``).
- A conversation is resolved and the workspace sends transcripts on resolve: the transcript
  goes to the visitor, with the rating question (``services.transcripts``); otherwise a visitor
  who is not on the page and continues by email gets the rating question by email.
"""

import contextlib

from apps.conversations.kinds import MESSAGE_CREATED, STATUS_CHANGED
from apps.conversations.models import Conversation, Message
from apps.core import events
from apps.offline import selectors, services
from apps.offline.models import EmailThread


@events.handler(MESSAGE_CREATED)
def follow_by_email(event) -> None:
    sender = event.data.get("sender")
    conversation_id = event.data["conversation"]
    if sender == Message.Sender.VISITOR:
        if EmailThread.objects.filter(conversation_id=conversation_id).exists():
            return
        conversation = (
            Conversation.objects.select_related("visitor", "tenant")
            .filter(pk=conversation_id)
            .first()
        )
        address = selectors.visitor_email(conversation.visitor) if conversation else ""
        if address:
            services.email_thread_open(conversation=conversation, address=address)
    elif sender in (Message.Sender.OPERATOR, Message.Sender.BOT):
        services.replies_schedule(conversation_id=conversation_id)


@events.handler(STATUS_CHANGED)
def transcript_on_resolve(event) -> None:
    if event.data.get("status") != Conversation.Status.RESOLVED:
        return
    if event.data.get("by") == "bot":
        return  # a chat the bot answered alone, resolved once quiet: no email about it
    conversation = (
        Conversation.objects.select_related("visitor", "tenant")
        .filter(pk=event.data["conversation"])
        .first()
    )
    if conversation is None:
        return
    if not selectors.offline_settings(tenant=conversation.tenant).transcript_on_resolve:
        # The rating question by email, for a visitor the chat window cannot ask now.
        services.rating_ask(conversation=conversation, key=f"rating-event-{event.pk}")
        return
    # No address, or the visitor unsubscribed: nothing to send (the transcript carries the
    # rating question).
    with contextlib.suppress(services.TranscriptError):
        services.transcript_request(
            conversation=conversation, requested_by="system", key=f"transcript-event-{event.pk}"
        )
