"""The main pages pass axe-core's checks (no serious or critical violation: contrast, names,
labels, landmarks…), and the inbox works from the keyboard with a visible focus.

The pages are found by their URLs and the elements by their roles and names, not by the
navigation's markup (which is being redesigned).
"""

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from apps.canned import services as canned_services
from apps.tenants.models import Role
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in
from tests.browser.test_inbox import Inbox, new_conversation
from tests.browser.test_widget import HostSite, Widget, configure
from tests.factories import PASSWORD, TenantFactory, member
from tests.utils import in_thread

pytestmark = pytest.mark.browser

SETTINGS_PAGES = [
    "tenants:dashboard",
    "tenants:settings",
    "tenants:widget_settings",
    "offline:hours",
    "inbox_settings:general",
    "inbox_settings:teams",
    "inbox_settings:labels",
    "tenants:members",
    "canned:list",
    "automation:rules",
    "automation:rule_new",
    "automation:flows",
    "automation:flow_new",
]


@pytest.fixture
def workspace(transactional_db):
    """A workspace with an admin, an operator and a canned response (so lists are not empty)."""

    def make():
        tenant = TenantFactory(name="Lale Çiçekçilik")
        admin = member(tenant, Role.ADMIN, full_name="Ayşe Kaya")
        member(tenant, full_name="Mehmet Yılmaz")
        with scope(tenant=tenant):
            canned_services.canned_create(
                actor=admin,
                personal=False,
                shortcut="hello",
                titles={"en": "Hello"},
                bodies={"en": "Hello, how can I help?"},
            )
        return tenant, admin

    return in_thread(make)


@pytest.fixture
def host():
    site = HostSite()
    yield site
    site.close()


@pytest.mark.parametrize("url_name", SETTINGS_PAGES)
def test_workspace_pages_pass_axe(page, workspace, url_name, screenshot):
    tenant, admin = workspace
    log_in(page, admin.user.email, PASSWORD)
    response = page.goto(reverse(url_name, args=[tenant.slug]))
    assert response.ok, response.status
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    screenshot(page, f"a11y-{url_name.replace(':', '-')}")
    assert_accessible(page, name=url_name)


@pytest.mark.parametrize("path", ["/accounts/login/", "/signup/"])
def test_sign_in_and_sign_up_pass_axe(page, transactional_db, path):
    page.goto(path)
    expect(page.get_by_role("main")).to_be_visible()
    assert_accessible(page, name=path)


def _inbox_with_a_conversation(asgi, asgi_page, workspace, **page_options) -> tuple[Inbox, object]:
    tenant, admin = workspace
    visitor = new_conversation(asgi, tenant, "Do you deliver on Sundays?")
    page = asgi_page(**page_options)
    log_in(page, admin.user.email, PASSWORD)
    inbox = Inbox(page, tenant.slug)
    inbox.open()
    inbox.item(1).click()
    expect(inbox.messages).to_contain_text("Do you deliver on Sundays?")
    return inbox, visitor


def test_inbox_with_a_conversation_open_passes_axe(asgi, asgi_page, workspace, screenshot):
    inbox, visitor = _inbox_with_a_conversation(asgi, asgi_page, workspace)
    screenshot(inbox.page, "a11y-inbox")
    assert_accessible(inbox.page, name="the inbox")
    inbox.page.get_by_role("radio", name=inbox.s("mode_note")).click()
    inbox.page.get_by_label(inbox.s("note_label"), exact=True).fill("@")  # the mention list
    expect(inbox.page.get_by_role("listbox", name=inbox.s("mention_list"))).to_be_visible()
    screenshot(inbox.page, "a11y-inbox-note")
    assert_accessible(inbox.page, name="the inbox, writing a private note")
    visitor.close()


def test_the_chat_widget_on_a_shop_and_the_hosted_chat_page_pass_axe(
    asgi, host, workspace, new_page, screenshot
):
    tenant, _admin = workspace
    configure(tenant, welcome_title="Hi there", welcome_message="Ask us anything.")
    shop = Widget(new_page()).goto(host.page("/", tenant=tenant, base=asgi.url))
    expect(shop.launcher).to_be_visible()
    assert_accessible(shop.page, name="the shop's page with the launcher")
    shop.open()
    screenshot(shop.page, "a11y-widget")
    assert_accessible(shop.page, name="the shop's page with the chat open")
    chat = shop.iframe.element_handle().content_frame()
    assert_accessible(chat, name="the chat window")

    hosted = new_page()
    hosted.goto(f"{asgi.url}{reverse('widget:chat', args=[tenant.widget_key])}")
    expect(hosted.get_by_role("textbox")).to_be_visible()
    screenshot(hosted, "a11y-hosted-chat")
    assert_accessible(hosted, name="the hosted chat page")


FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const label = e.getAttribute('aria-label') || e.textContent || e.getAttribute('placeholder');
    const name = (label || '').replace(/\\s+/g, ' ').trim().slice(0, 30);
    return {
        ring: outline || (style.boxShadow || 'none') !== 'none',
        what: `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${name}"`,
    };
}"""


class Keyboard:
    """Tab through a page as a keyboard user does, noting each stop without a visible focus
    indicator (its computed outline and box-shadow both none)."""

    def __init__(self, page):
        self.page = page
        self.stops: list[str] = []
        self.unringed: list[str] = []

    def tab_to(self, what: str, target, limit: int = 80) -> None:
        """Press Tab until ``target`` (a locator) has the focus (it may have it already: the
        composer once a conversation is opened)."""
        for _ in range(limit):
            focused = self.page.evaluate(FOCUSED)
            if target.evaluate("e => e === document.activeElement"):
                assert focused["ring"], f"{what} has no visible focus indicator"
                return
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate(FOCUSED)
            self.stops.append(focused["what"])
            # Past the last element the focus leaves the page (the body has it meanwhile).
            if not focused["ring"] and not focused["what"].startswith("body "):
                self.unringed.append(focused["what"])
        pytest.fail(f"Tab never reached {what} in {limit} presses: {self.stops}")


def test_the_inbox_works_from_the_keyboard(asgi, asgi_page, workspace, screenshot):
    """From the top of the inbox (a conversation open, as after a reload of its address), Tab
    reaches the conversation list, the composer and the send button, and every stop on the way
    shows where the focus is."""
    inbox, visitor = _inbox_with_a_conversation(asgi, asgi_page, workspace)
    page = inbox.page
    page.reload()
    expect(inbox.messages).to_contain_text("Do you deliver on Sundays?")
    expect(page.locator("#inbox-banner")).to_be_hidden()
    page.evaluate("document.activeElement.blur()")

    keyboard = Keyboard(page)
    keyboard.tab_to("the conversation list", inbox.item(1))
    screenshot(page, "a11y-keyboard-list")
    composer = page.get_by_label(inbox.s("reply_label"), exact=True)  # a combobox: canned replies
    keyboard.tab_to("the composer", composer)
    page.keyboard.type("Yes, until noon.")
    keyboard.tab_to("the send button", page.get_by_role("button", name=inbox.s("send"), exact=True))
    screenshot(page, "a11y-keyboard-send")
    page.keyboard.press("Enter")
    expect(inbox.messages).to_contain_text("Yes, until noon.")
    assert keyboard.unringed == [], f"no visible focus on {keyboard.unringed} in {keyboard.stops}"
    visitor.close()
