from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction


def email_send_now(*, subject: str, body: str, to: list[str], html_body: str = "") -> int:
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()


def email_enqueue(*, subject: str, body: str, to: list[str], html_body: str = "") -> None:
    """Send an email from a background job once the current transaction commits."""
    from apps.core.tasks import deliver_email

    transaction.on_commit(
        lambda: deliver_email.delay(subject=subject, body=body, to=to, html_body=html_body)
    )
