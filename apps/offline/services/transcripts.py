"""Transcripts: the whole conversation, emailed to the visitor.

The visitor asks from the chat window, an operator from the conversation view, or the workspace
sends one on resolve (``transcript_on_resolve``). ``transcript_request`` checks the request and
queues the job once the transaction commits; the job (``tasks.transcript_send``) sends it with
``transcript_send_now``, exactly once per request: its key is recorded when the mail server
accepts it, so a job run again (its worker died before acknowledging it) sends nothing.

A transcript holds the conversation's messages only, never the team's notes or history. It
answers to the conversation's reply address, so answering it continues the conversation, and
when the conversation is resolved and the workspace asks for ratings it carries one-click
rating links.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from apps.conversations.models import Conversation
from apps.core.errors import Refusal
from apps.core.ratelimit import hit
from apps.offline import links, selectors
from apps.offline.models import EmailThread, OfflineSettings
from apps.offline.services.contact import email_thread_open
from apps.offline.services.email_out import (
    audience,
    email_lines,
    thread_email_send,
    thread_email_sent,
    workspace_look,
)
from apps.visitors.models import Visitor

REQUESTERS = ("visitor", "operator", "system")
REQUESTS_PER_HOUR = 5  # per conversation, asked by a person


class TranscriptError(Refusal):
    """A refused transcript request."""


def transcript_request(
    *,
    conversation: Conversation,
    requested_by: str,
    address: str | None = None,
    key: str | None = None,
) -> EmailThread:
    """Email the conversation's transcript to ``address`` (default: the address the
    conversation continues by email to, else the visitor's). ``requested_by``: "visitor",
    "operator" or "system" (on resolve). ``key``: for a caller that may ask twice for the same
    transcript (an event handler): the same key sends once. The job is queued when the
    current transaction commits; the conversation continues by email to that address."""
    if requested_by not in REQUESTERS:
        raise ValueError(f"unknown requester {requested_by!r}")
    if address is not None:
        if not isinstance(address, str):
            raise TranscriptError("invalid", _("Enter a valid email address."), field="address")
        address = address.strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            raise TranscriptError(
                "invalid", _("Enter an email address like name@example.com."), field="address"
            ) from None
    thread = EmailThread.objects.filter(conversation=conversation).first()
    address = address or (thread.address if thread else "")
    if not address:
        visitor = Visitor.objects.filter(pk=conversation.visitor_id).first()  # as it is now
        address = selectors.visitor_email(visitor) if visitor is not None else ""
    if not address:
        raise TranscriptError(
            "no_address",
            _("There is no email address to send the transcript to."),
            field="address",
        )
    if thread is not None and thread.unsubscribed_at and requested_by != "visitor":
        raise TranscriptError(
            "unsubscribed",
            _("The visitor unsubscribed from emails about this conversation."),
        )
    if requested_by != "system":
        allowed, retry_after = hit(
            f"transcript:{conversation.pk}", limit=REQUESTS_PER_HOUR, window=3600
        )
        if not allowed:
            raise TranscriptError(
                "rate_limited",
                _("Too many transcripts asked for. Please try again later."),
                retry_after=retry_after,
            )
    key = key or f"transcript-{uuid.uuid4().hex}"
    with transaction.atomic():
        thread = email_thread_open(conversation=conversation, address=address, mark=False)
        if requested_by == "visitor" and thread.unsubscribed_at is not None:
            # Asking for an email again is subscribing again.
            thread.unsubscribed_at = None
            thread.save(update_fields=["unsubscribed_at"])
        tenant_id, conversation_id = conversation.tenant_id, conversation.pk

        def enqueue() -> None:
            from apps.offline.tasks import transcript_send

            transcript_send.delay(tenant_id=tenant_id, conversation_id=conversation_id, key=key)

        transaction.on_commit(enqueue)
    return thread


def _rating_links(conversation: Conversation, form: OfflineSettings) -> list[dict]:
    if conversation.status != Conversation.Status.RESOLVED or conversation.resolved_at is None:
        return []
    if form.rating == OfflineSettings.Rating.STARS:
        return [
            {
                "url": links.rate_url(conversation, score=score),
                "label": "★" * score,
                "title": _("%(n)s out of 5") % {"n": score},
            }
            for score in range(1, 6)
        ]
    if form.rating == OfflineSettings.Rating.THUMBS:
        return [
            {"url": links.rate_url(conversation, score=5), "label": "👍", "title": _("Good")},
            {"url": links.rate_url(conversation, score=1), "label": "👎", "title": _("Bad")},
        ]
    return []


def transcript_send_now(*, conversation_id: int, key: str) -> int:
    """Send the transcript asked for under ``key`` (inside the workspace's scope, outside any
    transaction): 1 when it went out now, 0 when it had already (or the conversation is
    gone)."""
    thread = (
        EmailThread.objects.select_related("conversation__visitor", "conversation__tenant")
        .filter(conversation_id=conversation_id)
        .first()
    )
    if thread is None:  # the conversation was deleted since
        return 0
    conversation = thread.conversation
    form = selectors.offline_settings(tenant=conversation.tenant)
    look = workspace_look(conversation.tenant)
    messages = selectors.transcript_messages(conversation_id=conversation.pk)
    reader = audience(conversation)
    with translation.override(reader.language):
        subject = _("Your conversation with %(name)s") % {"name": look.name}
        sent = thread_email_send(
            thread=thread,
            conversation=conversation,
            template="transcript",
            subject=subject,
            context={
                "look": look,
                "lines": email_lines(messages, look=look),
                "ratings": _rating_links(conversation, form),
                "rating_kind": form.rating,
            },
            key=key,
            reader=reader,
        )
    # The transcript carried every reply so far: none of them is emailed again on its own.
    thread_email_sent(thread_pk=thread.pk, key=key, up_to=messages[-1].pk if messages else 0)
    return sent


def rating_ask_send_now(*, conversation_id: int, key: str) -> int:
    """Ask a visitor who was not on the page when their conversation was resolved for their
    rating by email: the one-click links and the way back to the chat (once per ``key``; inside
    the workspace's scope, outside any transaction). 0 when there is nothing to ask (rated
    already, reopened since, unsubscribed, ratings off)."""
    thread = (
        EmailThread.objects.select_related("conversation__visitor", "conversation__tenant")
        .filter(conversation_id=conversation_id, unsubscribed_at__isnull=True)
        .first()
    )
    if thread is None:
        return 0
    conversation = thread.conversation
    form = selectors.offline_settings(tenant=conversation.tenant)
    ratings = _rating_links(conversation, form)
    if not ratings or selectors.rating_for(
        conversation=conversation, resolved_at=conversation.resolved_at
    ):
        return 0
    look = workspace_look(conversation.tenant)
    reader = audience(conversation)
    with translation.override(reader.language):
        subject = _("How was your conversation with %(name)s?") % {"name": look.name}
        sent = thread_email_send(
            thread=thread,
            conversation=conversation,
            template="rating",
            subject=subject,
            context={"look": look, "ratings": ratings, "rating_kind": form.rating},
            key=key,
            reader=reader,
        )
    thread_email_sent(thread_pk=thread.pk, key=key, up_to=thread.emailed_up_to)
    return sent


def rating_ask(*, conversation: Conversation, key: str) -> bool:
    """After a resolution: when the visitor is not on the page to be asked in the chat window
    and the conversation continues by email, ask for the rating by email (queued on commit).
    False when that is not the case."""
    form = selectors.offline_settings(tenant=conversation.tenant)
    if form.rating == OfflineSettings.Rating.OFF:
        return False
    if selectors.visitor_on_page(visitor_id=conversation.visitor_id):
        return False
    if not EmailThread.objects.filter(
        conversation=conversation, unsubscribed_at__isnull=True
    ).exists():
        return False
    tenant_id, conversation_id = conversation.tenant_id, conversation.pk

    def enqueue() -> None:
        from apps.offline.tasks import rating_ask_send

        rating_ask_send.delay(tenant_id=tenant_id, conversation_id=conversation_id, key=key)

    transaction.on_commit(enqueue)
    return True
