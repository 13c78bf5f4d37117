"""The app's frame: the sidebar on a laptop, the menu button on a phone, the workspace switcher
and the person menu, the Visitors entry."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.tenants.models import Membership, Role
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def two_workspaces():
    """Ayşe owns Lale Çiçekçilik and is an operator at Çay Bahçesi."""
    lale = TenantFactory(name="Lale Çiçekçilik")
    ayse = member(lale, Role.OWNER, full_name="Ayşe Kaya")
    cay = TenantFactory(name="Çay Bahçesi")
    with scope(tenant=cay):
        Membership.objects.create(tenant=cay, user=ayse.user, role=Role.OPERATOR)
    return lale, cay, ayse


def test_the_sidebar_marks_where_you_are_and_switches_workspace(page, login, screenshot):
    lale, cay, ayse = in_thread(two_workspaces)
    login(page, ayse.user)
    page.goto(f"/app/{lale.slug}/")
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")

    nav.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Workspace", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Home")).not_to_have_attribute("aria-current", "page")

    # The switcher lists both workspaces with the role in each; the other one opens.
    page.get_by_test_id("workspace-switcher").click()
    other = page.get_by_role("link", name="Çay Bahçesi")
    expect(other).to_contain_text("Operator")
    screenshot(page, "shell_switcher")
    other.click()
    expect(page.get_by_role("heading", name="Çay Bahçesi", level=1)).to_be_visible()
    expect(page.get_by_test_id("workspace-switcher")).to_contain_text("Çay Bahçesi")
    # An operator there: Settings holds only what operators may see.
    nav.get_by_role("link", name="Settings").click()
    sections = page.get_by_role("navigation", name="Settings")
    expect(sections.get_by_role("link")).to_have_text(["Members", "Canned responses"])

    # The person menu: its own pages keep the way back into the workspace.
    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="Profile and language").click()
    expect(page.get_by_role("heading", name="Profile and language")).to_be_visible()
    nav.get_by_role("link", name="Inbox").click()
    expect(page).to_have_url(f"{page.url.split('/app/')[0]}/app/{cay.slug}/inbox/")


def test_on_a_phone_the_menu_opens_over_the_page_and_closes(new_page, login, screenshot):
    lale, _cay, ayse = in_thread(two_workspaces)
    page = new_page(width=390, height=844)
    login(page, ayse.user)
    page.goto(f"/app/{lale.slug}/members/")
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    menu = page.get_by_role("button", name="Menu", exact=True)
    menu.click()
    expect(nav).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Sohbet")).to_be_focused()  # focus moves into it
    screenshot(page, "shell_phone_menu")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    page.get_by_role("button", name="Close the menu").click()
    expect(nav).to_be_hidden()
    menu.click()
    nav.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Lale Çiçekçilik", level=1)).to_be_visible()
    expect(nav).to_be_hidden()


def test_visitors_opens_the_live_visitors_list(asgi_page, screenshot):
    from tests.browser.conftest import log_in
    from tests.factories import PASSWORD

    lale, _cay, ayse = in_thread(two_workspaces)
    page = asgi_page()
    log_in(page, ayse.user.email, PASSWORD)
    page.goto(f"/app/{lale.slug}/")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Visitors").click()
    expect(page.get_by_role("heading", name="On your site now")).to_be_visible()
    expect(page.get_by_text("Nobody is on your site right now.")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Visitors")
    ).to_have_attribute("aria-current", "page")
    screenshot(page, "shell_visitors")
