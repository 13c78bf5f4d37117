"""Business hours: when the workspace answers chats.

Times are wall-clock times in the workspace's time zone (``Tenant.timezone``, an IANA name);
``selectors.availability`` turns them into moments, across daylight-saving changes. A weekly
interval or a closed date without a team is the workspace's; the ``team`` key is there for
per-team hours (not offered in the pages yet).
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
