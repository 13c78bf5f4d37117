"""Every write of ``apps.offline``, one module per concern; the public functions are importable
from here: business hours (``hours``), the pre-chat form and the conversations that continue by
email (``contact``), replies by email (``email_out``), email coming in (``email_in``, ``imap``),
transcripts (``transcripts``), unsubscribing (``unsubscribe``), ratings after a chat
(``ratings``), the settings (``settings``)."""

from apps.offline.services.contact import ContactError, contact_give, email_thread_open
from apps.offline.services.email_in import (
    InboundBusy,
    InboundTooLarge,
    inbound_prune,
    inbound_receive,
)
from apps.offline.services.email_out import (
    replies_email,
    replies_email_due,
    replies_schedule,
)
from apps.offline.services.hours import (
    HoursError,
    closed_date_add,
    closed_date_delete,
    hours_update,
    team_hours_update,
)
from apps.offline.services.ratings import RatingError, rating_give
from apps.offline.services.settings import (
    SettingsError,
    inbound_secret_renew,
    offline_settings_update,
)
from apps.offline.services.transcripts import (
    TranscriptError,
    rating_ask,
    rating_ask_send_now,
    transcript_request,
    transcript_send_now,
)
from apps.offline.services.unsubscribe import email_unsubscribe

__all__ = [
    "ContactError",
    "HoursError",
    "InboundBusy",
    "InboundTooLarge",
    "RatingError",
    "SettingsError",
    "TranscriptError",
    "closed_date_add",
    "closed_date_delete",
    "contact_give",
    "email_thread_open",
    "email_unsubscribe",
    "hours_update",
    "inbound_prune",
    "inbound_receive",
    "inbound_secret_renew",
    "offline_settings_update",
    "rating_ask",
    "rating_ask_send_now",
    "rating_give",
    "replies_email",
    "replies_email_due",
    "replies_schedule",
    "team_hours_update",
    "transcript_request",
    "transcript_send_now",
]
