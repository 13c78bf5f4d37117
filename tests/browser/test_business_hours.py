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
