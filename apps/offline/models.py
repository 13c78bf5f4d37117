"""Business hours: when the workspace answers chats.

Times are wall-clock times in the workspace's time zone (``Tenant.timezone``, an IANA name);
``selectors.availability`` turns them into moments, across daylight-saving changes. A weekly
interval or a closed date without a team is the workspace's; the ``team`` key is there for
per-team hours (not offered in the pages yet).
"""

import datetime
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.crypto import EncryptedTextField
from apps.core.models import TenantOwned, tenant_key

MIDNIGHT = datetime.time(0, 0)
HOLIDAY_NAME_MAX_LENGTH = 80
REPLY_MINUTES_MAX = 7 * 24 * 60


class Weekday(models.IntegerChoices):
    # Python's numbering (date.weekday()): Monday is 0.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessHours(TenantOwned):
    """The workspace's switch and reply-time promise (one row per workspace, made on first save)."""

    tenant = tenant_key(db_index=False)  # the unique constraint's index serves it
    enabled = models.BooleanField(_("business hours on"), default=False)
    reply_minutes = models.PositiveIntegerField(
        _("usual reply time (minutes)"),
        null=True,
        blank=True,
        help_text=_("Shown to visitors as “We usually reply in N minutes”. Empty: not shown."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("settings", "business hours")
        verbose_name_plural = pgettext_lazy("settings", "business hours")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="offline_hours_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {'on' if self.enabled else 'off'}"


def team_key() -> models.ForeignKey:
    """A row that belongs to one team's hours; none: the workspace's own."""
    return models.ForeignKey(
        "tenants.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )


class WeeklyInterval(TenantOwned):
    """Open from ``start`` to ``end`` every ``weekday``; an ``end`` of 00:00 is midnight at the
    end of the day. A day may have several; a day with none is closed."""

    tenant = tenant_key(db_index=False)  # the (tenant, team, weekday) index serves it
    team = team_key()
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    start = models.TimeField(_("opens"))
    end = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening intervals")
        ordering = ["weekday", "start"]
        indexes = [models.Index(fields=["tenant", "team", "weekday"], name="offline_interval_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")) | models.Q(end=MIDNIGHT),
                name="offline_interval_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="offline_interval_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ClosedDate(TenantOwned):
    """A holiday: closed the whole local day, whatever the weekly schedule says."""

    tenant = tenant_key(db_index=False)  # the unique constraint's index serves it
    team = team_key()
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=HOLIDAY_NAME_MAX_LENGTH)

    class Meta:
        verbose_name = _("closed date")
        verbose_name_plural = _("closed dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "date"],
                condition=models.Q(team__isnull=True),
                name="offline_closed_date_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "team", "date"],
                condition=models.Q(team__isnull=False),
                name="offline_closed_date_unique_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class FieldAsk(models.TextChoices):
    OFF = "off", _("Not asked")
    OPTIONAL = "optional", _("Optional")
    REQUIRED = "required", _("Required")


class OfflineSettings(TenantOwned):
    """What the chat asks before it starts and what reaches visitors by email (one row per
    workspace, made on first save; ``selectors.offline_settings`` gives the defaults without
    one). ``question`` and ``consent_text`` are written per language (``translation.py``)."""

    class FormMode(models.TextChoices):
        ALWAYS = "always", _("Before every chat")
        AWAY = "away", _("Only the email address, when nobody can answer")
        NEVER = "never", _("Never")

    class Rating(models.TextChoices):
        OFF = "off", _("Do not ask")
        STARS = "stars", _("1 to 5 stars")
        THUMBS = "thumbs", _("Thumbs up or down")

    tenant = tenant_key(db_index=False)  # the unique constraint's index serves it
    form_mode = models.CharField(
        _("pre-chat form"), max_length=8, choices=FormMode.choices, default=FormMode.AWAY
    )
    ask_name = models.CharField(
        _("name"), max_length=8, choices=FieldAsk.choices, default=FieldAsk.OPTIONAL
    )
    ask_email = models.CharField(
        _("email"), max_length=8, choices=FieldAsk.choices, default=FieldAsk.REQUIRED
    )
    ask_phone = models.CharField(
        _("phone"), max_length=8, choices=FieldAsk.choices, default=FieldAsk.OFF
    )
    ask_question = models.CharField(
        _("your question"), max_length=8, choices=FieldAsk.choices, default=FieldAsk.OFF
    )
    question = models.CharField(_("question"), max_length=200, blank=True)
    consent_required = models.BooleanField(_("ask for consent"), default=False)
    consent_text = models.CharField(_("consent text"), max_length=300, blank=True)
    privacy_url = models.URLField(_("privacy notice"), max_length=500, blank=True)
    email_replies = models.BooleanField(_("email replies the visitor has not read"), default=True)
    email_delay_minutes = models.PositiveSmallIntegerField(
        _("minutes before an unread reply is emailed"), default=2
    )
    transcript_on_resolve = models.BooleanField(
        _("email the transcript when a conversation is resolved"), default=False
    )
    rating = models.CharField(
        _("rating after a chat"), max_length=8, choices=Rating.choices, default=Rating.STARS
    )
    support_address = models.EmailField(_("support address"), blank=True)
    # The inbound endpoint's key: /inbound/email/<secret>/ (a new one can be drawn).
    inbound_secret = models.CharField(max_length=64, unique=True, default=new_secret)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("offline settings")
        verbose_name_plural = _("offline settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="offline_settings_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"offline settings of {self.tenant_id}"


class EmailThread(TenantOwned):
    """A conversation that continues by email: where replies go, the conversation's own
    reply address (``reply+<reply_key>@<INBOUND_EMAIL_DOMAIN>``) and how far it was emailed."""

    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="email_thread"
    )
    address = EncryptedTextField(_("email"))
    reply_key = models.CharField(max_length=40, unique=True, default=new_secret, editable=False)
    # The last message (id) that an email carried; replies after it are still to be emailed.
    emailed_up_to = models.BigIntegerField(default=0)
    # When the unread replies are due to be emailed (None: nothing waiting).
    due_at = models.DateTimeField(null=True, blank=True)
    # The Message-IDs of the emails of this thread, oldest first (threading headers).
    message_ids = models.JSONField(default=list, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("email thread")
        verbose_name_plural = _("email threads")
        indexes = [
            models.Index(
                fields=["due_at"], condition=models.Q(due_at__isnull=False), name="offline_due"
            )
        ]

    def __str__(self) -> str:
        return f"email thread of {self.conversation_id}"


class InboundEmail(TenantOwned):
    """An email that came in (by IMAP or the endpoint), kept for inspection for
    ``INBOUND_EMAIL_KEEP_DAYS``: what became of it and why."""

    class State(models.TextChoices):
        POSTED = "posted", _("Posted")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    message_id = models.CharField(max_length=300)  # the Message-ID header (or a hash of the raw)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    sender_mismatch = models.BooleanField(_("sender differs from the visitor"), default=False)
    raw = EncryptedTextField(_("raw message"), blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "message_id"], name="offline_inbound_once_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state}: {self.message_id}"


class Rating(TenantOwned):
    """A visitor's rating of a conversation after it was resolved: one per resolution
    (``resolved_at``), so a conversation reopened and resolved again asks again."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="ratings"
    )
    resolved_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField(_("rating"))  # 1-5; thumbs: 1 or 5
    comment = EncryptedTextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "resolved_at"], name="offline_rating_once_per_resolution"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="offline_rating_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} for {self.conversation_id}"


class EmailSender(TenantOwned):
    """The visitor that an email address writing to the support address became: later emails
    from the same address continue as the same visitor. Only a keyed hash of the address is
    kept here (the address itself is the visitor's unverified claim); never a verified
    identity, which only the workspace's signature can give."""

    tenant = tenant_key(db_index=False)  # the unique constraint's index serves it
    address_hash = models.CharField(max_length=64, editable=False)
    visitor = models.ForeignKey(
        "visitors.Visitor", on_delete=models.CASCADE, related_name="+", verbose_name=_("visitor")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("email sender")
        verbose_name_plural = _("email senders")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "address_hash"], name="offline_sender_once_per_tenant"
            ),
        ]

    def __str__(self) -> str:
        return f"email sender {self.visitor_id}"
