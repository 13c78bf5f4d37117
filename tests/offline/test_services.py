"""Writing business hours: bad input is refused with a clear message and changes nothing,
operators cannot change hours, and each workspace sees only its own."""

import datetime

import pytest
from django_scopes import scope

from apps.offline import selectors, services
from apps.offline.models import ClosedDate, WeeklyInterval
from apps.offline.services import HoursError
from apps.tenants.models import Role
from tests.factories import member
from tests.offline.helpers import WEEKDAYS_9_TO_6, at, set_hours, utc, workspace

pytestmark = pytest.mark.django_db


def schedule(tenant):
    with scope(tenant=tenant):
        settings = selectors.hours_settings(tenant=tenant)
        return (
            settings and (settings.enabled, settings.reply_minutes),
            [
                (i.weekday, f"{i.start:%H:%M}", f"{i.end:%H:%M}")
                for i in WeeklyInterval.objects.all()
            ],
            [(c.date.isoformat(), c.name) for c in ClosedDate.objects.all()],
        )


def test_saving_replaces_the_schedule_sorted_by_day_and_start():
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, WEEKDAYS_9_TO_6)
    set_hours(
        admin,
        [(2, "14:00", "18:00"), (2, datetime.time(9), "12:00"), (5, "10:00", "24:00")],
        reply_minutes="30",
    )
    assert schedule(tenant) == (
        (True, 30),
        [(2, "09:00", "12:00"), (2, "14:00", "18:00"), (5, "10:00", "00:00")],
        [],
    )


@pytest.mark.parametrize(
    ("intervals", "reply", "code", "complaint"),
    [
        ([(0, "18:00", "09:00")], None, "invalid", "Monday: an interval must end after it starts"),
        ([(1, "09:00", "09:00")], None, "invalid", "Tuesday: an interval must end after it starts"),
        ([(2, "9 o'clock", "17:00")], None, "invalid", "Wednesday: give a time"),
        ([(3, "", "17:00")], None, "invalid", "Thursday: give a time"),
        ([(7, "09:00", "17:00")], None, "invalid", "Unknown day of the week."),
        ([("x", "09:00", "17:00")], None, "invalid", "Unknown day of the week."),
        (
            [(4, "09:00", "13:00"), (4, "12:00", "18:00")],
            None,
            "overlap",
            "Friday: 09:00–13:00 and 12:00–18:00 overlap.",
        ),
        ([(0, "09:00", "17:00")], "0", "invalid", "The reply time is a number of minutes"),
        ([(0, "09:00", "17:00")], "soon", "invalid", "The reply time is a number of minutes"),
        ([(0, "09:00", "17:00")], 10081, "invalid", "The reply time is a number of minutes"),
        ([], None, "no_hours", "Add at least one opening interval, or turn business hours off."),
    ],
)
def test_bad_hours_are_refused_and_nothing_changes(intervals, reply, code, complaint):
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, WEEKDAYS_9_TO_6, reply_minutes=5)
    before = schedule(tenant)
    with scope(tenant=tenant), pytest.raises(HoursError) as refused:
        services.hours_update(
            membership=admin, enabled=True, intervals=intervals, reply_minutes=reply
        )
    assert refused.value.code == code
    assert complaint in refused.value.message
    assert schedule(tenant) == before


def test_hours_off_may_have_no_interval():
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, [], enabled=False)
    assert schedule(tenant) == ((False, None), [], [])


@pytest.mark.parametrize(
    ("date", "name", "complaint"),
    [
        ("23/04/2026", "Bayram", "Give a date, like 2026-04-23."),
        ("", "Bayram", "Give a date"),
        ("2026-04-23", "   ", "Give the closed day a name."),
        ("2026-04-23", "x" * 81, "A name may be 80 characters at most."),
        ("2026-01-01", "Again", "2026-01-01 is already closed (New Year)."),
    ],
)
def test_bad_closed_dates_are_refused_and_nothing_changes(date, name, complaint):
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, WEEKDAYS_9_TO_6, closed=[("2026-01-01", "New Year")])
    before = schedule(tenant)
    with scope(tenant=tenant), pytest.raises(HoursError) as refused:
        services.closed_date_add(membership=admin, date=date, name=name)
    assert complaint in refused.value.message
    assert schedule(tenant) == before


def test_closed_dates_are_added_and_deleted():
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, WEEKDAYS_9_TO_6, closed=[("2026-05-19", "  Gençlik   ve Spor Bayramı ")])
    assert schedule(tenant)[2] == [("2026-05-19", "Gençlik ve Spor Bayramı")]
    with scope(tenant=tenant):
        closed = ClosedDate.objects.get()
        services.closed_date_delete(membership=admin, closed_date_id=closed.pk)
        with pytest.raises(HoursError) as refused:
            services.closed_date_delete(membership=admin, closed_date_id=closed.pk)
    assert refused.value.code == "not_found"
    assert schedule(tenant)[2] == []


def test_operators_cannot_change_hours():
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, WEEKDAYS_9_TO_6, closed=[("2026-01-01", "New Year")])
    operator = member(tenant, Role.OPERATOR)
    before = schedule(tenant)
    with scope(tenant=tenant):
        closed = ClosedDate.objects.get()
        attempts = [
            lambda: services.hours_update(membership=operator, enabled=False, intervals=[]),
            lambda: services.closed_date_add(membership=operator, date="2026-02-02", name="X"),
            lambda: services.closed_date_delete(membership=operator, closed_date_id=closed.pk),
        ]
        for attempt in attempts:
            with pytest.raises(HoursError) as refused:
                attempt()
            assert refused.value.code == "forbidden"
    assert schedule(tenant) == before


def test_workspaces_are_kept_apart():
    istanbul, ayse = workspace("Europe/Istanbul")
    berlin, jonas = workspace("Europe/Berlin")
    set_hours(ayse, WEEKDAYS_9_TO_6, closed=[("2026-04-23", "Ulusal Egemenlik")])
    assert schedule(berlin) == (None, [], [])
    assert at(berlin, utc(2026, 4, 23, 9)).state == "always"
    # Another workspace's closed date cannot be deleted through this one.
    with scope(tenant=istanbul):
        closed = ClosedDate.objects.get()
    with scope(tenant=berlin), pytest.raises(HoursError) as refused:
        services.closed_date_delete(membership=jonas, closed_date_id=closed.pk)
    assert refused.value.code == "not_found"
    assert schedule(istanbul)[2] == [("2026-04-23", "Ulusal Egemenlik")]
    set_hours(jonas, [(0, "10:00", "11:00")])
    assert len(schedule(istanbul)[1]) == 5
