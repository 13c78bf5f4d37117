"""The inbox's small things: links in messages, the label menu's filter, returning visitors,
and the Turkish wording."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.tenants.models import Role
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


def test_the_label_menu_narrows_as_one_types(asgi, asgi_page, team, screenshot):
    from apps.conversations.services import label_create

    tenant, operator = team

    def labels():
        with scope(tenant=tenant):
            for name, color in [("İade", "#dc2626"), ("Kargo", "#2563eb"), ("Fatura", "#16a34a")]:
                label_create(membership=operator, name=name, color=color)
            label_create(membership=operator, name="Çiçek", color="#d97706")

    in_thread(labels)
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page, s = inbox.page, inbox.s
    visitor = new_conversation(asgi, tenant, "Siparişim gelmedi")
    try:
        page.locator("#inbox-list button").first.click()
        page.locator("#inbox-label-add").click()
        menu = page.get_by_role("menu", name=s("labels_add"))
        items = menu.get_by_role("menuitem")
        filter_box = page.get_by_label(s("labels_filter"), exact=True)
        expect(filter_box).to_be_focused()
        # In Turkish alphabetical order, as the server sends them.
        expect(items).to_have_text(["Çiçek", "Fatura", "İade", "Kargo", s("label_new")])

        # Case, dotted and dotless i, and accents aside.
        for typed in ("i", "I", "ı", "İ"):
            filter_box.fill(typed)
            expect(items).to_have_text(["Çiçek", "İade", s("label_new")])
        filter_box.fill("IADE")
        expect(items).to_have_text(["İade", s("label_new")])
        filter_box.fill("cic")
        expect(items).to_have_text(["Çiçek", s("label_new")])
        filter_box.fill("kar")
        expect(items).to_have_text(["Kargo", s("label_new")])
        screenshot(page, "inbox_label_filter")

        # Enter picks the first match.
        filter_box.fill("ia")
        filter_box.press("Enter")
        chips = page.locator("#inbox-conv-labels .chip")
        expect(chips).to_have_count(1)
        expect(chips.first).to_contain_text("İade")
        expect(menu).to_have_count(0)

        # Nothing matches: the menu says so, and Enter goes to "New label…" with the name typed.
        page.locator("#inbox-label-add").click()
        expect(items).to_have_text(["Çiçek", "Fatura", "Kargo", s("label_new")])  # İade is on
        filter_box.fill("Hediye")
        expect(menu).to_contain_text(s("labels_no_match"))
        expect(items).to_have_text([s("label_new")])
        filter_box.press("Enter")
        expect(page.get_by_label(s("label_name"), exact=True)).to_have_value("Hediye")
        page.get_by_role("button", name=s("label_create")).click()
        expect(chips).to_have_count(2)
        expect(chips.nth(1)).to_contain_text("Hediye")

        # And the "New label…" item itself, clicked, still opens the form.
        page.locator("#inbox-label-add").click()
        filter_box.fill("Acil")
        page.get_by_role("menuitem", name=s("label_new")).click()
        expect(page.get_by_label(s("label_name"), exact=True)).to_have_value("Acil")
        page.keyboard.press("Escape")
    finally:
        visitor.close()


@pytest.fixture
def turkish_team(transactional_db):
    def make():
        from apps.tenants.services import team_create, team_set_members

        tenant = TenantFactory(name="Lale Çiçekçilik")
        ayse = member(tenant, Role.ADMIN, full_name="Ayşe Operatör", language="tr")
        with scope(tenant=tenant):
            team = team_create(membership=ayse, name="Destek")
            team_set_members(membership=ayse, team_id=team.pk, user_ids=[ayse.user_id])
        return tenant, ayse

    return in_thread(make)


def test_turkish_wording_in_the_inbox(asgi, asgi_page, turkish_team, screenshot):
    tenant, operator = turkish_team
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page, s = inbox.page, inbox.s
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    # The pop-up's button opens the conversation ("Aç"); the status stays "Açık".
    assert s("toast_open") == "Aç" and s("status_open") == "Açık"

    # Every tab of the list shows its whole name and count at 1280 px, "My teams" shown too,
    # with counts of three digits.
    tabs = page.locator("#inbox-assignee-tabs [role=tab]:not([hidden])")
    expect(tabs).to_have_count(4)
    expect(tabs.last).to_contain_text("Tümü")
    page.locator("#inbox-assignee-tabs .badge").evaluate_all(
        "els => els.forEach(e => { e.textContent = '128'; })"
    )
    screenshot(page, "inbox_turkish_tabs_wide_counts")
    fits = "el => el.scrollWidth <= el.clientWidth"
    for i in range(tabs.count()):
        assert tabs.nth(i).evaluate(fits), tabs.nth(i).text_content()
    assert page.locator("#inbox-assignee-tabs").evaluate(fits)

    visitor = new_conversation(asgi, tenant, "Merhaba")
    try:
        toast = page.locator(".toast").filter(has_text="#1")
        expect(toast.get_by_role("button", name="Aç", exact=True)).to_be_visible()
        screenshot(page, "inbox_turkish_tabs_and_toast")
        toast.get_by_role("button", name="Aç", exact=True).click()
        expect(page.locator("#inbox-conv-status")).to_have_text("Açık")
    finally:
        visitor.close()


def test_turkish_widget_settings_say_izin_with_a_dotted_capital(page, login):
    admin = in_thread(lambda: member(TenantFactory(), Role.ADMIN, language="tr"))
    login(page, admin.user)
    page.goto(f"/app/{admin.tenant.slug}/settings/widget/")
    expect(page.get_by_label("İzin verilen siteler", exact=True)).to_be_visible()
    expect(page.get_by_text("Izin verilen siteler")).to_have_count(0)


def test_a_known_contact_back_on_another_browser_is_not_badged_new(
    asgi, asgi_page, team, screenshot
):
    from apps.tenants.services import widget_settings_get
    from tests.conversations.conftest import VisitorClient
    from tests.factories import signed_identity

    tenant, operator = team

    def secret():
        with scope(tenant=tenant):
            return widget_settings_get(tenant=tenant).identity_secret

    identity = signed_identity(in_thread(secret), "cust-7", name="Elif Yılmaz")
    laptop = VisitorClient(asgi, tenant.widget_key)
    laptop.hello()
    laptop.send("identify", **identity)
    laptop.expect("ready")
    laptop.close()

    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page, s = inbox.page, inbox.s
    phone = new_conversation(asgi, tenant, "Siparişim nerede?")
    try:
        page.locator("#inbox-list button").first.click()
        badges = page.locator("#inbox-visitor-body .vp-badges")
        expect(badges).to_contain_text(s("new_visitor"))  # an unknown browser, so far
        phone.send("identify", **identity)
        expect(page.locator("#inbox-visitor-body .vp-name")).to_have_text("Elif Yılmaz")
        expect(badges).to_contain_text(s("returning_visitor"))
        expect(badges).not_to_contain_text(s("new_visitor"))
        screenshot(page, "inbox_returning_contact")
    finally:
        phone.close()
