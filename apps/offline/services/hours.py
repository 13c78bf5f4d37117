"""Every write about business hours: the weekly schedule with its switch and reply time, and
closed dates. Admins and owners only.

Refusals raise ``HoursError`` (``apps.core.errors.Refusal``) with a code, a message a person can
act on and, where a field is at fault, ``field``. Nothing is written when one is raised.

Codes: ``invalid`` (a value), ``overlap`` (two intervals of a day), ``no_hours`` (on without an
interval), ``duplicate`` (a date already closed), ``forbidden`` (the actor's role),
``not_found``.
"""

import datetime
import itertools
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import Refusal
from apps.offline.models import (
    HOLIDAY_NAME_MAX_LENGTH,
    MIDNIGHT,
    REPLY_MINUTES_MAX,
    BusinessHours,
    ClosedDate,
    Weekday,
    WeeklyInterval,
)
from apps.tenants.models import Membership, Team

MAX_INTERVALS_PER_DAY = 12


class HoursError(Refusal):
    """A refused business-hours request."""


def _require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise HoursError("forbidden", _("Only workspace owners and admins can do this."))


def _time(value, *, day: str, field: str) -> datetime.time:
    """A time of day from a ``time`` or "HH:MM" (or "HH:MM:SS"); "24:00" is midnight."""
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = str(value or "").strip()
    if text in ("24:00", "24:00:00"):
        return MIDNIGHT
    try:
        return datetime.time.fromisoformat(text).replace(second=0, microsecond=0)
    except ValueError:
        raise HoursError(
            "invalid",
            _("%(day)s: give a time as hours and minutes, like 09:00.") % {"day": day},
            field=field,
        ) from None


def _weekday(value) -> int:
    try:
        weekday = int(value)
    except (TypeError, ValueError):
        weekday = -1
    if weekday not in Weekday.values:
        raise HoursError("invalid", _("Unknown day of the week."), field="weekday")
    return weekday


def _minutes(at: datetime.time, *, closing: bool) -> int:
    minutes = at.hour * 60 + at.minute
    return 24 * 60 if closing and minutes == 0 else minutes


def _clean_intervals(intervals: Iterable) -> list[tuple[int, datetime.time, datetime.time]]:
    """(weekday, start, end) triples, checked: each ends after it starts, none overlaps
    another of its day, at most ``MAX_INTERVALS_PER_DAY`` a day."""
    cleaned: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for item in intervals:
        try:
            weekday, start, end = item
        except (TypeError, ValueError):
            raise HoursError("invalid", _("An interval is a day, a start and an end.")) from None
        weekday = _weekday(weekday)
        day = str(Weekday(weekday).label)
        field = f"day-{weekday}"
        start = _time(start, day=day, field=field)
        end = _time(end, day=day, field=field)
        if _minutes(end, closing=True) <= _minutes(start, closing=False):
            raise HoursError(
                "invalid",
                _("%(day)s: an interval must end after it starts (%(start)s–%(end)s).")
                % {"day": day, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
                field=field,
            )
        cleaned.setdefault(weekday, []).append((start, end))
    result = []
    for weekday, spans in sorted(cleaned.items()):
        day = str(Weekday(weekday).label)
        if len(spans) > MAX_INTERVALS_PER_DAY:
            raise HoursError(
                "invalid",
                _("%(day)s: %(n)s intervals at most.") % {"day": day, "n": MAX_INTERVALS_PER_DAY},
                field=f"day-{weekday}",
            )
        spans.sort(key=lambda span: _minutes(span[0], closing=False))
        for (start, end), (next_start, next_end) in itertools.pairwise(spans):
            if _minutes(next_start, closing=False) < _minutes(end, closing=True):
                raise HoursError(
                    "overlap",
                    _("%(day)s: %(a)s and %(b)s overlap.")
                    % {
                        "day": day,
                        "a": f"{start:%H:%M}–{end:%H:%M}",
                        "b": f"{next_start:%H:%M}–{next_end:%H:%M}",
                    },
                    field=f"day-{weekday}",
                )
        result.extend((weekday, start, end) for start, end in spans)
    return result


def _clean_reply_minutes(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = -1
    if isinstance(value, bool) or not 1 <= minutes <= REPLY_MINUTES_MAX:
        raise HoursError(
            "invalid",
            _("The reply time is a number of minutes from 1 to %(max)s, or empty.")
            % {"max": REPLY_MINUTES_MAX},
            field="reply_minutes",
        )
    return minutes


def hours_update(
    *, membership: Membership, enabled: bool, intervals: Iterable, reply_minutes=None
) -> BusinessHours:
    """Replace the workspace's weekly schedule (``intervals``: (weekday, start, end), Monday 0,
    times as ``time`` or "HH:MM", an end of 00:00 or 24:00 being midnight), switch business
    hours on or off and set the usual reply time (minutes, or None)."""
    _require_admin(membership)
    cleaned = _clean_intervals(intervals)
    minutes = _clean_reply_minutes(reply_minutes)
    if enabled and not cleaned:
        raise HoursError(
            "no_hours",
            _("Add at least one opening interval, or turn business hours off."),
            field="enabled",
        )
    tenant = membership.tenant
    with transaction.atomic():
        hours, _created = BusinessHours.objects.select_for_update().get_or_create(tenant=tenant)
        hours.enabled = bool(enabled)
        hours.reply_minutes = minutes
        hours.save()
        WeeklyInterval.objects.filter(tenant=tenant, team__isnull=True).delete()
        WeeklyInterval.objects.bulk_create(
            WeeklyInterval(tenant=tenant, weekday=weekday, start=start, end=end)
            for weekday, start, end in cleaned
        )
    return hours


def team_hours_update(
    *, membership: Membership, team_id, own: bool, intervals: Iterable = ()
) -> None:
    """Give the team ``team_id`` a weekly schedule of its own (``intervals`` as for
    ``hours_update``), or with ``own`` False let it follow the workspace's again. The
    workspace's switch, reply time and closed days hold for every team."""
    _require_admin(membership)
    team = Team.objects.filter(pk=team_id).first() if str(team_id).isdigit() else None
    if team is None:
        raise HoursError("not_found", _("No such team in this workspace."), field="team")
    cleaned = _clean_intervals(intervals) if own else []
    if own and not cleaned:
        raise HoursError(
            "no_hours",
            _("Add at least one opening interval, or let the team follow the workspace's hours."),
            field="own",
        )
    tenant = membership.tenant
    with transaction.atomic():
        BusinessHours.objects.select_for_update().get_or_create(tenant=tenant)
        WeeklyInterval.objects.filter(tenant=tenant, team=team).delete()
        WeeklyInterval.objects.bulk_create(
            WeeklyInterval(tenant=tenant, team=team, weekday=weekday, start=start, end=end)
            for weekday, start, end in cleaned
        )


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise HoursError("invalid", _("Give a date, like 2026-04-23."), field="date")
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise HoursError("invalid", _("Give a date, like 2026-04-23."), field="date") from None


def closed_date_add(*, membership: Membership, date, name) -> ClosedDate:
    """Close the workspace the whole of ``date`` (its local day), named ``name`` (a holiday)."""
    _require_admin(membership)
    day = _date(date)
    name = " ".join(str(name or "").split())
    if not name:
        raise HoursError("invalid", _("Give the closed day a name."), field="name")
    if len(name) > HOLIDAY_NAME_MAX_LENGTH:
        raise HoursError(
            "invalid",
            _("A name may be %(n)s characters at most.") % {"n": HOLIDAY_NAME_MAX_LENGTH},
            field="name",
        )
    tenant = membership.tenant
    with transaction.atomic():
        # The workspace's settings row serializes concurrent adds of the same date.
        BusinessHours.objects.select_for_update().get_or_create(tenant=tenant)
        existing = ClosedDate.objects.filter(tenant=tenant, team__isnull=True, date=day).first()
        if existing is not None:
            raise HoursError(
                "duplicate",
                _("%(date)s is already closed (%(name)s).")
                % {"date": day.isoformat(), "name": existing.name},
                field="date",
            )
        return ClosedDate.objects.create(tenant=tenant, date=day, name=name)


def closed_date_delete(*, membership: Membership, closed_date_id) -> None:
    _require_admin(membership)
    try:
        pk = int(closed_date_id)
    except (TypeError, ValueError):
        pk = None
    deleted = 0
    if pk is not None:
        deleted, _rows = ClosedDate.objects.filter(
            tenant=membership.tenant, team__isnull=True, pk=pk
        ).delete()
    if not deleted:
        raise HoursError("not_found", _("No such closed date in this workspace."))
