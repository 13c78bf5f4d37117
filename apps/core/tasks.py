import smtplib

from celery import shared_task

from apps.core import events, services


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
)
def deliver_email(
    *, subject: str, body: str, to: list[str], html_body: str = "", key: str | None = None
) -> int:
    return services.email_send_now(subject=subject, body=body, to=to, html_body=html_body, key=key)


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=None,  # a handler gives up by itself (EVENT_HANDLER_MAX_ATTEMPTS)
    acks_late=True,
)
def handle_stream(stream: str) -> int:
    """Give a stream's unhandled events to their handlers (apps.core.events)."""
    events.take_over(stream)
    return events.handle_stream_now(stream)


@shared_task
def sweep_events() -> int:
    return events.sweep()


@shared_task
def prune_events() -> int:
    return events.prune()
