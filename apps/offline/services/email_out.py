"""Replies by email: what the team writes reaches a visitor who is not in the chat.

A conversation continues by email once it has an ``EmailThread`` (the visitor gave an address).
When an operator or the bot writes there, the thread becomes due ``email_delay_minutes`` later
(``replies_schedule``, from the ``message.created`` event); when it is due
(``replies_email_due``, every few seconds) the replies the visitor has still not read go out in
one email, with a few messages before them for context. Nothing unread by then: no email.

Every email of a thread comes from the workspace (its name and colour), in the visitor's
language, answers to the conversation's own reply address, and carries the threading headers
(``Message-ID``, ``In-Reply-To``, ``References``) so mail clients show one thread, a link back
to the chat and an unsubscribe link (also as ``List-Unsubscribe``, one click). It is sent once:
its key is the thread and the last message it carries (``apps.core.services.email_send_now``).
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope, scopes_disabled

from apps.conversations.models import Conversation, Message
from apps.core.services import email_message_id, email_send_now
from apps.offline import links, selectors
from apps.offline.models import EmailThread
from apps.tenants import selectors as tenant_selectors
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

DUE_BATCH = 200
RETRY_AFTER = timedelta(minutes=5)  # a thread whose email failed is tried again this much later
HOLD = timedelta(minutes=5)  # a thread whose email is going out is left alone this long
REFERENCES_KEPT = 20


# --- the parts every email to a visitor shares -------------------------------------------------


@dataclass(frozen=True)
class Look:
    """How the workspace appears in its emails."""

    name: str
    color: str
    text_color: str  # readable on ``color``


def _text_on(color: str) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#111827" if luminance > 160 else "#ffffff"


def workspace_look(tenant: Tenant) -> Look:
    widget = tenant_selectors.widget_settings(tenant=tenant)
    color = widget.color if len(widget.color or "") == 7 else "#2563eb"
    return Look(name=widget.display_name or tenant.name, color=color, text_color=_text_on(color))


def reply_address(thread: EmailThread) -> str:
    """The conversation's own address: a reply to it comes back into the conversation."""
    return f"reply+{thread.reply_key}@{settings.INBOUND_EMAIL_DOMAIN}"


def _attachment_names(message: Message) -> list[str]:
    found = message.content.get("attachments") if isinstance(message.content, dict) else None
    names = []
    for item in found if isinstance(found, list) else []:
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name:
            names.append(name[:200])
    return names


def email_lines(messages: list[Message], *, look: Look, new_from: int | None = None) -> list[dict]:
    """The messages as an email shows them: who, when, what; ``new`` from message
    ``new_from`` on."""
    lines = []
    for message in messages:
        if message.sender == Message.Sender.VISITOR:
            who = _("You")
        elif message.sender == Message.Sender.OPERATOR and message.author is not None:
            who = message.author.get_full_name() or look.name
        else:
            who = look.name
        lines.append(
            {
                "who": who,
                "from_visitor": message.sender == Message.Sender.VISITOR,
                "at": message.created_at,
                "body": message.body,
                "attachments": _attachment_names(message),
                "new": new_from is not None and message.pk >= new_from,
            }
        )
    return lines


@dataclass(frozen=True)
class Audience:
    """Whom an email of a conversation is written for: their language and time zone."""

    language: str
    zone: object


def audience(conversation: Conversation) -> Audience:
    tenant = conversation.tenant
    visitor = conversation.visitor
    return Audience(
        language=selectors.visitor_language(visitor, fallback=tenant.default_language),
        zone=selectors.visitor_zone(visitor, fallback=tenant.timezone),
    )


def thread_email_send(
    *,
    thread: EmailThread,
    conversation: Conversation,
    template: str,
    subject: str,
    context: dict,
    key: str,
    reader: Audience,
) -> int:
    """Render ``templates/offline/email/<template>.txt|.html`` for the visitor and send it on
    the thread, once per ``key`` (1 when it went out now). Call outside any transaction, so
    that the key is recorded the moment the mail server accepts the email, and inside
    ``translation.override(reader.language)`` (the subject is translated there); then
    ``thread_email_sent``."""
    look = context["look"]
    unsubscribe = links.unsubscribe_url(conversation)
    context = {
        **context,
        "open_url": links.open_chat_url(conversation),
        "unsubscribe_url": unsubscribe,
        "language": reader.language,
    }
    with timezone.override(reader.zone):
        text = render_to_string(f"offline/email/{template}.txt", context)
        html = render_to_string(f"offline/email/{template}.html", context)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # Out-of-office replies and other automatic answers are not sent back (RFC 3834).
        "Auto-Submitted": "auto-generated",
    }
    earlier = [mid for mid in thread.message_ids if isinstance(mid, str)][-REFERENCES_KEPT:]
    if earlier:
        headers["In-Reply-To"] = earlier[-1]
        headers["References"] = " ".join(earlier)
    return email_send_now(
        subject=subject,
        body=text,
        html_body=html,
        to=[thread.address],
        key=key,
        from_name=look.name,
        reply_to=[reply_address(thread)],
        headers=headers,
    )


def thread_email_sent(*, thread_pk: int, key: str, up_to: int) -> EmailThread:
    """After an email of the thread went out (``key``) carrying the messages up to ``up_to``:
    the thread remembers its Message-ID and how far it emailed; it stays due only for replies
    written since that the visitor has not read."""
    with transaction.atomic():
        thread = EmailThread.objects.select_for_update().get(pk=thread_pk)
        message_id = email_message_id(key)
        if message_id not in thread.message_ids:
            thread.message_ids = [*thread.message_ids, message_id]
        thread.emailed_up_to = max(thread.emailed_up_to, up_to)
        thread.due_at = None
        if selectors.replies_unread(thread=thread):  # written while this email went out
            form = selectors.offline_settings(tenant=thread.tenant)
            if form.email_replies and thread.unsubscribed_at is None:
                thread.due_at = timezone.now() + timedelta(minutes=form.email_delay_minutes)
        thread.save(update_fields=["message_ids", "emailed_up_to", "due_at"])
    return thread


# --- replies -----------------------------------------------------------------------------------


def replies_schedule(*, conversation_id: int, now: datetime | None = None) -> bool:
    """An operator or the bot wrote in the conversation: if it continues by email (and the
    visitor did not unsubscribe, and the workspace emails replies), its unread replies are due
    in ``email_delay_minutes`` unless they already are. Whether it is due now."""
    thread = EmailThread.objects.filter(
        conversation_id=conversation_id, unsubscribed_at__isnull=True
    ).first()
    if thread is None:
        return False
    form = selectors.offline_settings(tenant=thread.tenant)
    if not form.email_replies:
        return False
    if thread.due_at is not None:
        return True
    due_at = (now or timezone.now()) + timedelta(minutes=form.email_delay_minutes)
    EmailThread.objects.filter(pk=thread.pk, due_at__isnull=True).update(due_at=due_at)
    return True


def replies_email_due(now: datetime | None = None) -> int:
    """Email every thread whose replies are due, in every workspace (the periodic job). The
    number of emails sent."""
    now = now or timezone.now()
    with scopes_disabled():
        due = list(
            EmailThread.objects.filter(due_at__lte=now)
            .order_by("due_at")
            .values_list("pk", "tenant_id")[:DUE_BATCH]
        )
    tenants = Tenant.objects.in_bulk({tenant_id for _pk, tenant_id in due})
    sent = 0
    for pk, tenant_id in due:
        tenant = tenants[tenant_id]
        with scope(tenant=tenant):
            try:
                sent += replies_email(thread_pk=pk, now=now)
            except smtplib.SMTPRecipientsRefused:
                # The address is refused: trying again would not help. The next reply tries.
                logger.warning("reply email of thread %s refused by the mail server", pk)
                EmailThread.objects.filter(pk=pk).update(due_at=None)
            except (smtplib.SMTPException, OSError):
                logger.warning("reply email of thread %s not sent; trying later", pk, exc_info=True)
                EmailThread.objects.filter(pk=pk, due_at__isnull=False).update(
                    due_at=now + RETRY_AFTER
                )
    return sent


def replies_email(*, thread_pk: int, now: datetime | None = None) -> int:
    """Email the thread's unread replies if they are due (inside its workspace's scope, outside
    any transaction): 1 when an email went out. None unread any more: the thread is simply no
    longer due. While its email goes out the thread is held (due again only after ``HOLD``),
    so that another run leaves it alone; a run that died meanwhile is taken up again then, and
    sends nothing twice (the email's key)."""
    now = now or timezone.now()
    with transaction.atomic():
        thread = (
            EmailThread.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("conversation__visitor", "conversation__tenant")
            .filter(pk=thread_pk, due_at__lte=now)
            .first()
        )
        if thread is None:  # not due, or another run holds it
            return 0
        conversation = thread.conversation
        form = selectors.offline_settings(tenant=conversation.tenant)
        stopped = (
            thread.unsubscribed_at is not None
            or not form.email_replies
            or conversation.tenant.is_suspended
        )
        new = [] if stopped else selectors.replies_unread(thread=thread)
        thread.due_at = now + HOLD if new else None
        thread.save(update_fields=["due_at"])
    if not new:
        return 0
    key = f"reply-{thread.pk}-{new[-1].pk}"
    sent = _replies_send(thread, conversation, new, key=key)
    thread_email_sent(thread_pk=thread.pk, key=key, up_to=new[-1].pk)
    return 1 if sent else 0


def _replies_send(
    thread: EmailThread, conversation: Conversation, new: list[Message], *, key: str
) -> int:
    look = workspace_look(conversation.tenant)
    before = selectors.messages_before(
        conversation_id=conversation.pk,
        before_id=new[0].pk,
        count=selectors.CONTEXT_MESSAGES,
    )
    # Read replies between the unread ones are shown too: the email reads as the chat did.
    shown = before + list(
        Message.objects.filter(conversation=conversation, pk__gte=new[0].pk, pk__lte=new[-1].pk)
        .select_related("author")
        .order_by("pk")
    )
    reader = audience(conversation)
    with translation.override(reader.language):
        subject = ngettext(
            "New reply from %(name)s", "%(count)s new replies from %(name)s", len(new)
        ) % {"name": look.name, "count": len(new)}
        return thread_email_send(
            thread=thread,
            conversation=conversation,
            template="reply",
            subject=subject,
            context={
                "look": look,
                "lines": email_lines(shown, look=look, new_from=new[0].pk),
                "count": len(new),
            },
            key=key,
            reader=reader,
        )
