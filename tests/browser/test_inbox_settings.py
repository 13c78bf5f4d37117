"""An admin sets up teams, capacity and labels on the inbox settings page."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.tenants.models import Membership, Role
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_admin_sets_up_teams_capacity_and_labels(page, login, screenshot):
    tenant = in_thread(TenantFactory, name="Acme")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya")
        op = in_thread(member, tenant, full_name="Mehmet Demir")
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/")
    page.get_by_test_id("inbox-settings-link").click()
    expect(page.get_by_role("heading", name="Inbox and teams", exact=True)).to_be_visible()

    page.get_by_label("New team").fill("Billing")
    page.get_by_role("button", name="Add team").click()
    expect(page.get_by_role("status")).to_contain_text("Team “Billing” created.")

    row = page.locator(f"tr[data-member='{op.user.email}']")
    row.get_by_label("Capacity of Mehmet Demir").fill("2")
    row.get_by_label("Mehmet Demir in Billing").check()
    page.get_by_role("button", name="Save members").click()
    expect(page.get_by_role("status")).to_contain_text("Members saved.")
    expect(row.get_by_label("Mehmet Demir in Billing")).to_be_checked()

    page.get_by_label("New label").fill("VIP")
    page.get_by_role("button", name="Add label").click()
    expect(page.get_by_test_id("label-list")).to_contain_text("VIP")

    page.get_by_label("Operators see their own and their teams' conversations").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Inbox settings saved.")
    screenshot(page, "inbox-settings")

    # A capacity out of range: the page says why and nothing changes.
    row.get_by_label("Capacity of Mehmet Demir").fill("500")
    row.get_by_label("Capacity of Mehmet Demir").evaluate("e => e.removeAttribute('max')")
    page.get_by_role("button", name="Save members").click()
    expect(page.locator(".message.error")).to_contain_text("Capacity is a number from 0 to 100.")
    with scope(tenant=tenant):
        assert in_thread(Membership.objects.get, pk=op.pk).capacity == 2
