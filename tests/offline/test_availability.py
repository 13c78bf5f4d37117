"""``availability``: open, closed and "always", in a zone without daylight saving (Istanbul)
and across both of Berlin's changes in 2026, with holidays and several intervals a day.

2026-03-29 and 2026-10-25 are Sundays: Berlin moves from +01:00 to +02:00 at 02:00 on the first
and back at 03:00 on the second. Istanbul is +03:00 all year."""

import datetime

import pytest

from apps.offline.selectors import Availability
from tests.offline.helpers import WEEKDAYS_9_TO_6, at, set_hours, utc, workspace

pytestmark = pytest.mark.django_db


def test_no_hours_or_hours_off_means_always():
    tenant, admin = workspace("Europe/Istanbul")
    assert at(tenant, utc(2026, 4, 6, 12)) == Availability("always", None, None, None)
    set_hours(admin, WEEKDAYS_9_TO_6, enabled=False, reply_minutes=15)
    assert at(tenant, utc(2026, 4, 6, 3)) == Availability("always", None, None, 15)


def test_istanbul_open_and_closed_with_several_intervals_a_day():
    tenant, admin = workspace("Europe/Istanbul")
    # Monday: 09:00–12:30 and 13:30–18:00 (a lunch break); 09:00 in Istanbul is 06:00 UTC.
    set_hours(admin, [(0, "09:00", "12:30"), (0, "13:30", "18:00")], reply_minutes=5)
    monday = (2026, 4, 6)
    assert at(tenant, utc(*monday, 5, 59)) == Availability("closed", utc(*monday, 6), None, 5)
    assert at(tenant, utc(*monday, 6)) == Availability("open", None, utc(*monday, 9, 30), 5)
    lunch = at(tenant, utc(*monday, 9, 30))
    assert (lunch.state, lunch.next_open) == ("closed", utc(*monday, 10, 30))
    assert at(tenant, utc(*monday, 14)).closes_at == utc(*monday, 15)
    # After Monday's hours: next Monday.
    assert at(tenant, utc(*monday, 15)).next_open == utc(2026, 4, 13, 6)


def test_next_open_across_a_weekend():
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, WEEKDAYS_9_TO_6)
    friday_evening = utc(2026, 4, 10, 16)  # 19:00 in Istanbul
    assert at(tenant, friday_evening) == Availability("closed", utc(2026, 4, 13, 6), None, None)
    sunday = at(tenant, utc(2026, 4, 12, 12))
    assert sunday.next_open == utc(2026, 4, 13, 6)


def test_a_holiday_closes_the_whole_local_day():
    tenant, admin = workspace("Europe/Istanbul")
    # 2026-04-23 (Thursday) is National Sovereignty and Children's Day.
    set_hours(admin, WEEKDAYS_9_TO_6, closed=[("2026-04-23", "Ulusal Egemenlik")])
    assert at(tenant, utc(2026, 4, 23, 9)) == Availability(
        "closed", utc(2026, 4, 24, 6), None, None
    )
    # The evening before, the next opening skips the holiday.
    assert at(tenant, utc(2026, 4, 22, 16)).next_open == utc(2026, 4, 24, 6)


def test_open_round_the_clock_days_join_into_one_stretch():
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, [(0, "20:00", "00:00"), (1, "00:00", "02:00")])
    monday_night = at(tenant, utc(2026, 4, 6, 20))  # 23:00 Monday
    assert monday_night == Availability("open", None, utc(2026, 4, 6, 23), None)  # Tue 02:00


def test_berlin_spring_forward_keeps_wall_clock_hours():
    tenant, admin = workspace("Europe/Berlin")
    set_hours(admin, WEEKDAYS_9_TO_6)
    # Friday 27 March, winter time: 09:00 is 08:00 UTC.
    assert at(tenant, utc(2026, 3, 27, 8)).closes_at == utc(2026, 3, 27, 17)
    # Saturday, before the change: Monday 09:00 is summer time, 07:00 UTC.
    assert at(tenant, utc(2026, 3, 28, 12)).next_open == utc(2026, 3, 30, 7)
    assert at(tenant, utc(2026, 3, 30, 7)) == Availability("open", None, utc(2026, 3, 30, 16), None)


def test_berlin_autumn_change_keeps_wall_clock_hours():
    tenant, admin = workspace("Europe/Berlin")
    set_hours(admin, WEEKDAYS_9_TO_6)
    assert at(tenant, utc(2026, 10, 23, 7)).closes_at == utc(2026, 10, 23, 16)  # summer
    assert at(tenant, utc(2026, 10, 24, 12)).next_open == utc(2026, 10, 26, 8)  # winter
    assert at(tenant, utc(2026, 10, 26, 7, 59)).state == "closed"
    assert at(tenant, utc(2026, 10, 26, 8)).state == "open"


def test_a_time_skipped_in_spring_opens_when_the_clock_jumps_past_it():
    """On 2026-03-29 Berlin's clocks go from 02:00 straight to 03:00 (01:00 UTC). An interval
    02:30–05:00 opens at the jump (03:00 summer time), not an hour later; one ending at 02:30
    closes then too."""
    tenant, admin = workspace("Europe/Berlin")
    set_hours(admin, [(6, "02:30", "05:00")])
    saturday = at(tenant, utc(2026, 3, 28, 12))
    assert saturday.next_open == utc(2026, 3, 29, 1)
    assert at(tenant, utc(2026, 3, 29, 1)) == Availability("open", None, utc(2026, 3, 29, 3), None)

    set_hours(admin, [(6, "01:00", "02:30")])
    assert at(tenant, utc(2026, 3, 29, 0, 30)) == Availability(
        "open", None, utc(2026, 3, 29, 1), None
    )


def test_a_time_shown_twice_in_autumn_opens_at_the_first_and_closes_at_the_second():
    """On 2026-10-25 Berlin's clocks show 02:00–03:00 twice (00:00–01:00 UTC in summer time,
    01:00–02:00 UTC in winter time). 01:00–03:00 that night lasts three hours; an interval
    from 02:30 opens at the first 02:30."""
    tenant, admin = workspace("Europe/Berlin")
    set_hours(admin, [(6, "01:00", "03:00")])
    assert at(tenant, utc(2026, 10, 24, 22)).next_open == utc(2026, 10, 24, 23)  # 01:00 +02
    for moment in (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)):  # both 02:30s
        assert at(tenant, moment) == Availability("open", None, utc(2026, 10, 25, 2), None)

    set_hours(admin, [(6, "02:30", "04:00")])
    assert at(tenant, utc(2026, 10, 25, 0)).next_open == utc(2026, 10, 25, 0, 30)


def test_the_autumn_day_has_25_hours_when_open_all_day():
    tenant, admin = workspace("Europe/Berlin")
    set_hours(admin, [(6, "00:00", "00:00")])
    opened = at(tenant, utc(2026, 10, 24, 12)).next_open
    closes = at(tenant, opened).closes_at
    assert closes - opened == datetime.timedelta(hours=25)


def test_never_open_in_the_next_fortnight():
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, [(0, "09:00", "10:00")], closed=[("2026-04-13", "A"), ("2026-04-20", "B")])
    assert at(tenant, utc(2026, 4, 7, 12)) == Availability("closed", None, None, None)


def test_as_json():
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, WEEKDAYS_9_TO_6, reply_minutes=10)
    assert at(tenant, utc(2026, 4, 11, 12)).as_json() == {
        "state": "closed",
        "next_open": "2026-04-13T06:00:00+00:00",
        "closes_at": None,
        "reply_minutes": 10,
    }
    assert at(tenant, utc(2026, 4, 13, 12)).as_json()["closes_at"] == "2026-04-13T15:00:00+00:00"
