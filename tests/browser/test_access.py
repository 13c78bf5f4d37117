"""What a person sees when their role or membership does not let them in."""

import pytest
from playwright.sync_api import expect

from apps.tenants.models import Role
from apps.tenants.services import tenant_suspend
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_operator_cannot_open_settings(page, login, screenshot):
    operator = in_thread(lambda: member(TenantFactory(name="Çay Bahçesi"), Role.OPERATOR))
    login(page, operator.user)
    expect(page.get_by_role("heading", name="Çay Bahçesi")).to_be_visible()
    # Settings opens on what an operator may see there: members and canned responses.
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    sections = page.get_by_role("navigation", name="Settings")
    expect(sections.get_by_role("link", name="Canned responses")).to_be_visible()
    expect(sections.get_by_role("link", name="Workspace")).to_have_count(0)
    expect(sections.get_by_role("link", name="Chat widget")).to_have_count(0)

    response = page.goto(f"/app/{operator.tenant.slug}/settings/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You can't do that here")).to_be_visible()
    expect(page.get_by_text("Only workspace owners and admins can open this page.")).to_be_visible()
    expect(page.get_by_role("heading", name="Workspace", exact=True)).to_have_count(0)
    screenshot(page, "forbidden_settings")


def test_member_of_one_workspace_cannot_see_another(page, login, screenshot):
    mine = in_thread(lambda: member(TenantFactory(name="Alpha Gıda"), Role.OWNER))
    other = in_thread(TenantFactory, name="Beta Secret Corp")
    in_thread(member, other, Role.OWNER)
    login(page, mine.user)
    expect(page.get_by_role("heading", name="Alpha Gıda")).to_be_visible()

    for path in ("", "members/", "settings/"):
        response = page.goto(f"/app/{other.slug}/{path}")
        assert response.status == 404, path
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.get_by_text("Beta Secret Corp")).to_have_count(0)
    screenshot(page, "not_found_other_workspace")


def test_member_of_suspended_workspace_sees_suspension(page, login, screenshot):
    operator = in_thread(lambda: member(TenantFactory(name="Dondurulmuş Ltd"), Role.OPERATOR))
    in_thread(tenant_suspend, tenant=operator.tenant)

    login(page, operator.user)
    expect(page.get_by_role("heading", name="This workspace is suspended")).to_be_visible()
    expect(
        page.get_by_text("Dondurulmuş Ltd is suspended by the Sohbet platform team.")
    ).to_be_visible()
    screenshot(page, "suspended")

    for path in ("members/", "settings/", "welcome/"):
        response = page.goto(f"/app/{operator.tenant.slug}/{path}")
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="This workspace is suspended")).to_be_visible()
