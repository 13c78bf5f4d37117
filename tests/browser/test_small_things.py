"""The inbox's small things: links in messages, the label menu's filter, returning visitors,
and the Turkish wording."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_inbox import XSS, new_conversation, sign_in_to_inbox
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = pytest.mark.browser


@pytest.fixture
def team(transactional_db):
    def make():
        tenant = TenantFactory(name="Lale Çiçekçilik")
        return tenant, member(tenant, full_name="Ayşe Operator", language="en")

    return in_thread(make)


def test_a_link_in_a_visitor_message_is_clickable_and_nothing_else_is(
    asgi,
    asgi_page,
    team,
    screenshot,
):
    tenant, operator = team
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    text = "see https://shop.example.com/orders/42 and javascript:alert(1)"
    visitor = new_conversation(asgi, tenant, text)
    try:
        item = page.locator("#inbox-list button").first
        expect(item).to_contain_text("shop.example.com")
        item.click()
        body = inbox.messages.locator(".msg-visitor .msg-body").last
        expect(body).to_have_text(text)
        links = body.locator("a")
        expect(links).to_have_count(1)
        link = links.first
        expect(link).to_have_text("https://shop.example.com/orders/42")
        expect(link).to_have_attribute("href", "https://shop.example.com/orders/42")
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
        # The rest is text: the text nodes around the one link, nothing else.
        nodes = body.evaluate("p => Array.from(p.childNodes).map(n => n.nodeName).join(',')")
        assert nodes == "#text,A,#text"
        # A sentence's full stop and a closing bracket stay out of the link; XSS strings stay inert.
        visitor.say("(docs: https://example.com/a_(b).) " + XSS[0])
        body2 = inbox.messages.locator(".msg-visitor .msg-body").last
        expect(body2.locator("a")).to_have_attribute("href", "https://example.com/a_(b)")
        expect(body2).to_have_text("(docs: https://example.com/a_(b).) " + XSS[0])
        assert page.locator("#inbox img, #inbox svg, #inbox script, #inbox iframe").count() == 0
        assert inbox.dialogs == []
        screenshot(page, "inbox_message_links")
        assert not page.evaluate("() => window.__xss || false")
    finally:
        visitor.close()
