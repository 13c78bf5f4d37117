"""An admin sets up the inbox in the Settings area: assignment and capacity, teams, labels."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.tenants.models import Membership, Role, Team
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_admin_sets_up_teams_capacity_and_labels(page, login, screenshot):
    tenant = in_thread(TenantFactory, name="Acme")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya")
        op = in_thread(member, tenant, full_name="Mehmet Demir")
    login(page, admin.user)
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Settings").click()
    sections = page.get_by_role("navigation", name="Settings")
    expect(sections.get_by_role("link", name="Workspace")).to_have_attribute("aria-current", "page")

    sections.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    expect(sections.get_by_role("link", name="Teams")).to_have_attribute("aria-current", "page")
    page.get_by_label("New team").fill("Billing")
    page.get_by_role("button", name="Add team").click()
    expect(page.get_by_role("status")).to_contain_text("Team “Billing” created.")
    row = page.locator(f"tr[data-member='{op.user.email}']")
    row.get_by_label("Mehmet Demir in Billing").check()
    page.get_by_role("button", name="Save teams").click()
    expect(page.get_by_role("status")).to_contain_text("Teams saved.")
    expect(row.get_by_label("Mehmet Demir in Billing")).to_be_checked()
    screenshot(page, "settings_teams")

    sections.get_by_role("link", name="Inbox and assignment").click()
    row = page.locator(f"tr[data-member='{op.user.email}']")
    row.get_by_label("Capacity of Mehmet Demir").fill("2")
    page.get_by_role("button", name="Save capacity").click()
    expect(page.get_by_role("status")).to_contain_text("Capacity saved.")
    page.get_by_label("Operators see their own and their teams' conversations").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Inbox settings saved.")
    screenshot(page, "settings_inbox")
    with scope(tenant=tenant):
        # Saving the capacity left the teams as they were.
        assert in_thread(lambda: list(Team.objects.get(name="Billing").members.all())) == [op]

    # A capacity out of range: the page says why and nothing changes.
    row.get_by_label("Capacity of Mehmet Demir").fill("500")
    row.get_by_label("Capacity of Mehmet Demir").evaluate("e => e.removeAttribute('max')")
    page.get_by_role("button", name="Save capacity").click()
    expect(page.locator(".message.error")).to_contain_text("Capacity is a number from 0 to 100.")
    with scope(tenant=tenant):
        assert in_thread(Membership.objects.get, pk=op.pk).capacity == 2

    sections.get_by_role("link", name="Labels").click()
    page.get_by_label("New label").fill("VIP")
    page.get_by_role("button", name="Add label").click()
    expect(page.get_by_test_id("label-list")).to_contain_text("VIP")
    screenshot(page, "settings_labels")


def test_the_old_inbox_settings_address_opens_the_new_section(page, login):
    tenant = in_thread(TenantFactory, name="Acme")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN)
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/inbox/settings/")
    expect(page).to_have_url(f"{page.url.split('/app/')[0]}/app/{tenant.slug}/settings/inbox/")
    expect(page.get_by_role("heading", name="Inbox and assignment")).to_be_visible()
