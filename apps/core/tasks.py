import smtplib

from celery import shared_task

from apps.core import services


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
)
def deliver_email(*, subject: str, body: str, to: list[str], html_body: str = "") -> int:
    return services.email_send_now(subject=subject, body=body, to=to, html_body=html_body)
