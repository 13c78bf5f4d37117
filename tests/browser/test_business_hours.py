"""An admin sets the business hours and a closed day in the Settings area."""

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.offline.models import ClosedDate, WeeklyInterval
from apps.tenants.models import Role
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def saved(tenant):
    with scope(tenant=tenant):
        return in_thread(
            lambda: (
                [
                    (i.weekday, f"{i.start:%H:%M}", f"{i.end:%H:%M}")
                    for i in WeeklyInterval.objects.all()
                ],
                [(c.date.isoformat(), c.name) for c in ClosedDate.objects.all()],
            )
        )


def test_admin_sets_business_hours_and_a_closed_day(page, login, screenshot):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik", timezone="Europe/Istanbul")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya")
    login(page, admin.user)
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Settings").click()
    sections = page.get_by_role("navigation", name="Settings")
    sections.get_by_role("link", name="Business hours").click()
    expect(page.get_by_role("heading", name="Business hours", level=1)).to_be_visible()
    expect(sections.get_by_role("link", name="Business hours")).to_have_attribute(
        "aria-current", "page"
    )
    now = page.get_by_test_id("hours-now")
    expect(now).to_contain_text("Now: business hours are off")
    expect(now).to_contain_text("Europe/Istanbul")
    expect(
        now.get_by_role("link", name="Change the time zone in Workspace settings")
    ).to_be_visible()

    monday = page.get_by_test_id("day-0")
    expect(monday).to_contain_text("Closed")
    page.get_by_role("switch", name="Use business hours").check()
    monday.get_by_role("button", name="Add interval").click()
    expect(monday.get_by_label("Monday opens")).to_have_value("09:00")
    expect(monday.get_by_label("Monday opens")).to_be_focused()
    monday.get_by_label("Monday closes").fill("12:30")
    monday.get_by_role("button", name="Add interval").click()
    expect(monday.get_by_label("Monday opens").nth(1)).to_have_value("12:30")
    monday.get_by_label("Monday opens").nth(1).fill("13:30")
    monday.get_by_label("Monday closes").nth(1).fill("18:00")
    tuesday = page.get_by_test_id("day-1")
    tuesday.get_by_role("button", name="Add interval").click()
    tuesday.get_by_role("button", name="Add interval").click()
    tuesday.get_by_role("button", name="Remove").nth(1).click()
    expect(tuesday.get_by_label("Tuesday opens")).to_have_count(1)
    page.get_by_label("We usually reply in (minutes)").fill("10")
    page.get_by_role("button", name="Save business hours").click()

    expect(page.get_by_role("status")).to_contain_text("Business hours saved.")
    expect(now).to_contain_text(
        re.compile(r"Now: (open until \d\d:\d\d|closed, opens .+ \d\d:\d\d)")
    )
    expect(monday.get_by_label("Monday closes").nth(1)).to_have_value("18:00")
    expect(page.get_by_test_id("day-2")).to_contain_text("Closed")
    expect(page.get_by_label("We usually reply in (minutes)")).to_have_value("10")
    assert saved(tenant)[0] == [(0, "09:00", "12:30"), (0, "13:30", "18:00"), (1, "09:00", "17:00")]
    screenshot(page, "settings_business_hours")

    # A schedule that ends before it starts: the page says why and keeps what was saved.
    tuesday.get_by_label("Tuesday closes").fill("08:00")
    page.get_by_role("button", name="Save business hours").click()
    expect(page.locator(".message.error")).to_contain_text(
        "Tuesday: an interval must end after it starts (09:00–08:00)."
    )
    assert saved(tenant)[0][2] == (1, "09:00", "17:00")

    page.get_by_label("Date").fill("2026-04-23")
    page.get_by_label("Name").fill("Ulusal Egemenlik ve Çocuk Bayramı")
    page.get_by_role("button", name="Add closed day").click()
    expect(page.get_by_role("status")).to_contain_text("is now a closed day")
    expect(page.get_by_test_id("closed-dates")).to_contain_text("Ulusal Egemenlik ve Çocuk Bayramı")
    assert saved(tenant)[1] == [("2026-04-23", "Ulusal Egemenlik ve Çocuk Bayramı")]
    screenshot(page, "settings_business_hours_closed_day")

    page.get_by_test_id("closed-dates").get_by_role("button", name="Remove").click()
    asking = page.get_by_role(
        "alertdialog", name="Remove the closed day “Ulusal Egemenlik ve Çocuk Bayramı”?"
    )
    expect(asking).to_be_visible()
    asking.get_by_role("button", name="Remove Ulusal Egemenlik ve Çocuk Bayramı").click()
    expect(page.get_by_role("status")).to_contain_text("Closed day removed.")
    assert saved(tenant)[1] == []


# --- the visitor's side ---------------------------------------------------------------------


def chat_window(asgi_page, tenant, **context):
    """The chat window open on the demo shop, in a browser with ``context`` (locale, zone)."""
    from tests.browser.test_widget import Widget

    widget = Widget(asgi_page(**context))
    widget.launcher = widget.page.get_by_role("button", name=tenant.name)
    return widget.goto(f"/demo/?key={tenant.widget_key}").open()


def hours(tenant, admin, intervals, reply_minutes=None):
    from apps.offline import selectors, services

    with scope(tenant=tenant):
        in_thread(
            services.hours_update,
            membership=admin,
            enabled=True,
            intervals=intervals,
            reply_minutes=reply_minutes,
        )
        return in_thread(selectors.availability, tenant=tenant)


@pytest.mark.parametrize(
    ("locale", "zone"), [("en-US", "Europe/Istanbul"), ("tr-TR", "America/New_York")]
)
def test_a_visitor_outside_the_hours_reads_when_the_team_is_back(
    asgi_page, locale, zone, screenshot
):
    """The team works in Berlin; the visitor reads the opening time in their own zone and
    language."""
    import datetime
    import zoneinfo

    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik", timezone="Europe/Berlin")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN)
    # Open one hour a week, three days from now: closed now, whatever the time of the run.
    day = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Berlin")) + datetime.timedelta(3)
    now = hours(tenant, admin, [(day.weekday(), "09:00", "10:00")])
    assert now.state == "closed"
    back = now.next_open.astimezone(zoneinfo.ZoneInfo(zone))

    widget = chat_window(asgi_page, tenant, locale=locale, timezone_id=zone)
    status = widget.frame.locator("#status")
    weekday = {
        "en-US": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        "tr-TR": ["Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"],
    }[locale][back.weekday()]
    expect(status).to_contain_text(weekday)
    expect(status).to_contain_text(f"{back:%I:%M}" if locale == "en-US" else f"{back:%H:%M}")
    expect(status).to_contain_text(
        {"en-US": "We are closed now and back", "tr-TR": "Şu anda kapalıyız"}[locale]
    )
    screenshot(widget.page, f"widget_closed_{locale}")


def test_within_the_hours_with_nobody_online_the_visitor_reads_the_usual_reply_time(asgi_page):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik", timezone="Europe/Istanbul")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN)
    every_day = [(weekday, "00:00", "24:00") for weekday in range(7)]
    assert hours(tenant, admin, every_day, reply_minutes=10).state == "open"

    widget = chat_window(asgi_page, tenant)
    expect(widget.frame.locator("#status")).to_have_text(
        "Away. We usually reply within 10 minutes."
    )


def test_admin_gives_a_team_hours_of_its_own(page, login, screenshot):
    from apps.tenants.models import Team

    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik", timezone="Europe/Istanbul")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN)
        in_thread(Team.objects.create, tenant=tenant, name="Hafta sonu")
    hours(tenant, admin, [(day, "09:00", "18:00") for day in range(5)])
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/hours/")
    schedules = page.get_by_role("navigation", name="Schedules")
    expect(schedules.get_by_role("link", name="Workspace")).to_have_attribute(
        "aria-current", "page"
    )
    schedules.get_by_role("link", name="Hafta sonu").click()
    expect(page.get_by_role("heading", name="Weekly schedule of Hafta sonu")).to_be_visible()
    own = page.get_by_role("switch", name="This team has hours of its own")
    expect(own).not_to_be_checked()  # it follows the workspace's
    expect(page.get_by_test_id("closed-dates")).to_have_count(0)
    own.check()
    saturday = page.get_by_test_id("day-5")
    saturday.get_by_role("button", name="Add interval").click()
    saturday.get_by_label("Saturday closes").fill("14:00")
    page.get_by_role("button", name="Save business hours").click()
    expect(page.get_by_role("status")).to_contain_text("Business hours of Hafta sonu saved.")
    expect(own).to_be_checked()
    expect(schedules.get_by_role("link", name="Hafta sonu")).to_contain_text("own hours")
    with scope(tenant=tenant):
        team_rows = in_thread(
            lambda: [
                (i.weekday, f"{i.start:%H:%M}", f"{i.end:%H:%M}")
                for i in WeeklyInterval.objects.filter(team__isnull=False)
            ]
        )
    assert team_rows == [(5, "09:00", "14:00")]
    screenshot(page, "settings_business_hours_team")
