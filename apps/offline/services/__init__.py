"""Every write of ``apps.offline``, one module per concern; the public functions are importable
from here: business hours (``hours``), the pre-chat form and the conversations that continue by
email (``contact``), ratings after a chat (``ratings``)."""

from apps.offline.services.contact import ContactError, contact_give, email_thread_open
from apps.offline.services.hours import (
    HoursError,
    closed_date_add,
    closed_date_delete,
    hours_update,
)
from apps.offline.services.ratings import RatingError, rating_give

__all__ = [
    "ContactError",
    "HoursError",
    "RatingError",
    "closed_date_add",
    "closed_date_delete",
    "contact_give",
    "email_thread_open",
    "hours_update",
    "rating_give",
]
