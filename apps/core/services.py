import contextlib
import uuid
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.models import SentEmail


def email_message_id(key: str) -> str:
    """The Message-ID of the email sent with ``key`` (``email_send_now``): the same for every
    attempt, so a copy sent twice is one email to mail clients, and known before sending."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "sohbet.local"
    return f"<{key}@{domain}>"


def email_send_now(
    *,
    subject: str,
    body: str,
    to: list[str],
    html_body: str = "",
    key: str | None = None,
    from_name: str = "",
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    """Send an email now. With a ``key`` (a queued job's), at most once: a key the mail server
    has already accepted sends nothing, and the email's Message-ID comes from the key
    (``email_message_id``), so a copy sent again in the instant between the server's
    acceptance and the record of it is recognised as the same email by mail clients.

    Call it with a key outside any transaction: the key must be recorded (committed) the
    moment the server accepts the email.

    ``from_name``: the name shown beside the sender's address (``DEFAULT_FROM_EMAIL``'s own
    address); ``reply_to``: where answers go; ``headers``: further headers (threading,
    List-Unsubscribe…)."""
    if key is not None and SentEmail.objects.filter(key=key).exists():
        return 0
    headers = dict(headers or {})
    if key is not None:
        headers["Message-ID"] = email_message_id(key)
    from_email = settings.DEFAULT_FROM_EMAIL
    if from_name:
        from_email = formataddr((from_name, parseaddr(from_email)[1]))
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        reply_to=reply_to,
        headers=headers,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    connection = get_connection()
    connection.open()
    try:
        sent = connection.send_messages([message])
        if key is not None:
            # Recorded as soon as the server has accepted it, before the goodbye to the server
            # and before the job is acknowledged: a worker that dies after this sends no copy.
            with contextlib.suppress(IntegrityError):  # another run of the job got there first
                SentEmail.objects.create(key=key)
    finally:
        connection.close()
    SentEmail.objects.filter(
        sent_at__lt=timezone.now() - timedelta(days=settings.SENT_EMAIL_KEEP_DAYS)
    ).delete()
    return sent


def email_enqueue(*, subject: str, body: str, to: list[str], html_body: str = "") -> None:
    """Send an email from a background job once the current transaction commits, once, also
    when the job runs again."""
    from apps.core.tasks import deliver_email

    key = uuid.uuid4().hex
    transaction.on_commit(
        lambda: deliver_email.delay(subject=subject, body=body, to=to, html_body=html_body, key=key)
    )
