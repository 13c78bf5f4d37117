"""Emails for the inbound tests, written as a mail client would."""

from email.message import EmailMessage
from email.utils import make_msgid

from django.conf import settings
from django_scopes import scope

from apps.conversations import services as conversation_services
from apps.conversations.models import Message
from apps.offline import services
from apps.offline.models import EmailThread, OfflineSettings
from apps.visitors.models import Visitor

QUOTED = (
    "\n\nOn Mon, 7 Dec 2026 at 10:00, Acme Support <reply+x@example.com> wrote:\n"
    "> Hello, did the new password work?\n> Acme\n"
)


def reply_address(thread: EmailThread) -> str:
    return f"reply+{thread.reply_key}@{settings.INBOUND_EMAIL_DOMAIN}"


def raw_email(
    *,
    to: str,
    body: str = "It works now, thank you.",
    sender: str = "Ayşe Yılmaz <ayse@example.com>",
    message_id: str | None = "",
    headers: dict | None = None,
    html: str | None = None,
    attachments=(),
    subject: str = "Re: Your conversation with Acme",
) -> bytes:
    """``message_id``: "" draws one, None leaves the header out."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id is not None:
        message["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
        if html:
            message.add_alternative(html, subtype="html")
    elif html:
        message.set_content(html, subtype="html")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def chat_by_email(tenant, address: str = "ayse@example.com") -> EmailThread:
    """A visitor who chatted, left ``address`` and whose conversation continues by email."""
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant, unverified={"email": address})
        result = conversation_services.message_create(
            sender="visitor", visitor=visitor, client_id="first", body="My password is lost"
        )
        return services.email_thread_open(
            conversation=result.conversation, address=address, mark=True
        )


def inbound_settings(tenant, **fields) -> OfflineSettings:
    with scope(tenant=tenant):
        return OfflineSettings.objects.create(tenant=tenant, **fields)


def visitor_messages(tenant, conversation=None) -> list[Message]:
    with scope(tenant=tenant):
        messages = Message.objects.filter(sender="visitor").order_by("id")
        if conversation is not None:
            messages = messages.filter(conversation=conversation)
        return list(messages)
