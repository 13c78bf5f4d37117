"""The main pages pass axe-core's checks (no serious or critical violation: contrast, names,
labels, landmarks…), and the inbox works from the keyboard with a visible focus.

The pages are found by their URLs and the elements by their roles and names, not by the
navigation's markup (which is being redesigned).
"""

import re

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from apps.canned import services as canned_services
from apps.tenants.models import Role
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in
from tests.browser.test_inbox import Inbox, new_conversation
from tests.browser.test_widget import LAUNCHER, HostSite, Widget, configure
from tests.factories import PASSWORD, TenantFactory, member
from tests.utils import in_thread

pytestmark = pytest.mark.browser

SETTINGS_PAGES = [
    "tenants:dashboard",
    "tenants:settings",
    "tenants:widget_settings",
    "inbox:settings",
    "tenants:members",
    "canned:list",
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


def _has_focus_ring(page) -> bool:
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            return outline || (style.boxShadow && style.boxShadow !== 'none');
        }"""
    )


def _tab_to(page, what: str, matches, limit: int = 80) -> None:
    """Press Tab until ``matches(page)``; fail if it takes more than ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if matches(page):
            assert _has_focus_ring(page), f"{what} has no visible focus indicator"
            return
    pytest.fail(f"Tab never reached {what} in {limit} presses")


def test_the_inbox_works_from_the_keyboard(asgi, asgi_page, workspace, screenshot):
    inbox, visitor = _inbox_with_a_conversation(asgi, asgi_page, workspace)
    page = inbox.page
    page.reload()
    expect(page.locator("#inbox-banner")).to_be_hidden()
    page.locator("body").focus()
    page.evaluate("document.activeElement.blur()")

    conversation = inbox.item(1)
    _tab_to(
        page,
        "the conversation list",
        lambda p: conversation.evaluate("e => e === document.activeElement"),
    )
    screenshot(page, "a11y-keyboard-list")
    page.keyboard.press("Enter")
    expect(inbox.messages).to_contain_text("Do you deliver on Sundays?")

    composer = page.get_by_label(inbox.s("reply_label"), exact=True)  # a combobox: canned replies
    _tab_to(page, "the composer", lambda p: composer.evaluate("e => e === document.activeElement"))
    page.keyboard.type("Yes, until noon.")
    send = page.get_by_role("button", name=inbox.s("send"), exact=True)
    _tab_to(page, "the send button", lambda p: send.evaluate("e => e === document.activeElement"))
    screenshot(page, "a11y-keyboard-send")
    page.keyboard.press("Enter")
    expect(inbox.messages).to_contain_text("Yes, until noon.")
    visitor.close()
