"""The Business hours section (admins), the "Now: …" line, the widget's config and the home
page's checklist step."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from apps.offline.models import ClosedDate
from apps.offline.views import now_line
from apps.tenants import selectors as tenant_selectors
from apps.tenants.models import Role
from tests.factories import member
from tests.offline.helpers import WEEKDAYS_9_TO_6, at, set_hours, utc, workspace
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def url(tenant):
    return reverse("offline:hours", kwargs={"slug": tenant.slug})


def test_the_page_shows_the_schedule_the_zone_and_the_now_line(client):
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(
        admin, [(0, "09:00", "12:30"), (0, "13:30", "18:00")], closed=[("2026-04-23", "Bayram")]
    )
    client.force_login(admin.user)
    page = client.get(url(tenant))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="start-0" value="09:00"' in html
    assert 'name="end-0" value="18:00"' in html
    text = page_text(page)
    assert "Europe/Istanbul" in text
    assert "Now: " in text
    assert "Bayram" in text
    assert reverse("tenants:settings", kwargs={"slug": tenant.slug}) in html


def test_operators_do_not_get_the_page(client):
    tenant, _admin = workspace("Europe/Istanbul")
    operator = member(tenant, Role.OPERATOR)
    client.force_login(operator.user)
    assert client.get(url(tenant)).status_code == 403
    assert (
        client.post(
            url(tenant), {"action": "closed_add", "date": "2026-01-01", "name": "X"}
        ).status_code
        == 403
    )
    with scope(tenant=tenant):
        assert not ClosedDate.objects.exists()


def test_the_admin_saves_hours_from_the_form(client):
    tenant, admin = workspace("Europe/Istanbul")
    client.force_login(admin.user)
    saved = client.post(
        url(tenant),
        {
            "action": "hours",
            "enabled": "on",
            "reply_minutes": "15",
            "start-0": ["09:00", "14:00", ""],
            "end-0": ["12:00", "18:00", ""],
            "start-5": "10:00",
            "end-5": "00:00",
        },
    )
    assert saved.status_code == 302
    assert at(tenant, utc(2026, 4, 6, 7)).as_json() == {
        "state": "open",
        "next_open": None,
        "closes_at": "2026-04-06T09:00:00+00:00",
        "reply_minutes": 15,
    }
    assert at(tenant, utc(2026, 4, 11, 20)).closes_at == utc(2026, 4, 11, 21)  # Sat midnight


def test_a_refused_schedule_keeps_what_was_typed_and_changes_nothing(client):
    tenant, admin = workspace("Europe/Istanbul")
    set_hours(admin, WEEKDAYS_9_TO_6)
    client.force_login(admin.user)
    refused = client.post(
        url(tenant), {"action": "hours", "enabled": "on", "start-2": "18:00", "end-2": "08:00"}
    )
    assert refused.status_code == 400
    assert "Wednesday: an interval must end after it starts (18:00–08:00)." in page_text(refused)
    assert 'name="start-2" value="18:00"' in refused.content.decode()
    assert at(tenant, utc(2026, 4, 6, 7)).state == "open"  # Monday kept


def test_closed_days_are_added_and_removed_from_the_page(client):
    tenant, admin = workspace("Europe/Istanbul")
    client.force_login(admin.user)
    added = client.post(
        url(tenant), {"action": "closed_add", "date": "2026-04-23", "name": "Bayram"}
    )
    assert added.status_code == 302
    with scope(tenant=tenant):
        closed = ClosedDate.objects.get()
    twice = client.post(
        url(tenant), {"action": "closed_add", "date": "2026-04-23", "name": "Again"}
    )
    assert twice.status_code == 400
    assert "2026-04-23 is already closed (Bayram)." in page_text(twice)
    removed = client.post(url(tenant), {"action": "closed_delete", "closed_date": closed.pk})
    assert removed.status_code == 302
    with scope(tenant=tenant):
        assert not ClosedDate.objects.exists()


def test_the_now_line():
    tenant, admin = workspace("Europe/Istanbul")
    assert now_line(at(tenant, utc(2026, 4, 6, 7)), tenant=tenant).startswith(
        "Now: business hours are off"
    )
    set_hours(admin, WEEKDAYS_9_TO_6)
    cases = {
        utc(2026, 4, 6, 7): "Now: open until 18:00",  # Monday 10:00
        utc(2026, 4, 6, 5): "Now: closed, opens today 09:00",
        utc(2026, 4, 6, 16): "Now: closed, opens tomorrow 09:00",
        utc(2026, 4, 10, 16): "Now: closed, opens Monday 09:00",  # Friday 19:00
    }
    for now, line in cases.items():
        assert now_line(at(tenant, now), tenant=tenant, now=now) == line


def test_the_widget_config_carries_the_hours(client):
    tenant, admin = workspace("Europe/Istanbul")
    config = json.loads(client.get(f"/w/{tenant.widget_key}/config.json").content)
    assert config["hours"] == {
        "state": "always",
        "next_open": None,
        "closes_at": None,
        "reply_minutes": None,
    }
    # Open every day round the clock: the widget says "open" and when that ends.
    set_hours(admin, [(day, "00:00", "00:00") for day in range(7)], reply_minutes=20)
    config = json.loads(client.get(f"/w/{tenant.widget_key}/config.json").content)
    assert config["hours"]["state"] == "open"
    assert config["hours"]["reply_minutes"] == 20
    assert config["hours"]["closes_at"]
    # Every day of the next fortnight closed: "closed", with no opening ahead.
    today = timezone.now().astimezone(ZoneInfo("Europe/Istanbul")).date()
    days = [today + datetime.timedelta(days=n) for n in range(-1, 17)]
    set_hours(admin, [(0, "09:00", "17:00")], closed=[(day, f"Day {day}") for day in days])
    hours = json.loads(client.get(f"/w/{tenant.widget_key}/config.json").content)["hours"]
    assert hours == {"state": "closed", "next_open": None, "closes_at": None, "reply_minutes": None}


def test_the_checklist_step_is_done_with_hours_on_and_an_interval():
    tenant, admin = workspace("Europe/Istanbul")

    def done():
        with scope(tenant=tenant):
            steps = {s["key"]: s for s in tenant_selectors.getting_started(tenant=tenant)}
        assert steps["hours"]["url_name"] == "offline:hours"
        return steps["hours"]["done"]

    assert not done()
    set_hours(admin, WEEKDAYS_9_TO_6, enabled=False)
    assert not done()
    set_hours(admin, WEEKDAYS_9_TO_6)
    assert done()


def test_the_section_is_in_the_settings_menu_for_admins_only(client):
    tenant, admin = workspace("Europe/Istanbul")
    client.force_login(admin.user)
    assert (
        url(tenant)
        in client.get(reverse("tenants:settings", kwargs={"slug": tenant.slug})).content.decode()
    )
    operator = member(tenant, Role.OPERATOR)
    client.force_login(operator.user)
    home = client.get(reverse("tenants:dashboard", kwargs={"slug": tenant.slug}))
    assert 'data-testid="settings-hours"' not in home.content.decode()
