"""Live visitors, proactive chat, the typing sneak peek and contact notes, as people see them:
operators in the inbox page and a visitor on the customer's website (another origin), in
headless Chromium against a real web process.

The customer's website is ``tests.browser.test_widget.HostSite`` (the real embed snippet on
``http://localhost:<port>``); the inbox page is served by the web process itself.
"""

import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from apps.conversations.models import Conversation
from apps.visitors.models import ContactNote
from tests.browser.conftest import TIMEOUT_MS, save_screenshot
from tests.browser.test_widget import HostSite, Widget, configure
from tests.conversations.conftest import session_for
from tests.factories import TenantFactory, member
from tests.live import start_server
from tests.utils import in_thread

pytestmark = pytest.mark.browser

OPERATOR = "Ayşe Operator"
ADMIN = "Deniz Admin"
NOTE = "Prefers delivery after 6 pm. Allergic to lilies!"
# The conversation's messages (the timeline also shows the team's activities and notes).
CHAT = "#inbox-messages :is(.msg-visitor, .msg-operator) .msg-body"


@pytest.fixture(scope="module")
def web(django_db_setup, django_db_blocker) -> Iterator:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the web process is another process: needs a file or PostgreSQL test database")
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def host() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


@pytest.fixture
def team(transactional_db):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    operator = in_thread(member, tenant, full_name=OPERATOR)
    admin = in_thread(member, tenant, role="admin", full_name=ADMIN)
    configure(tenant, welcome_title="Hi there 👋", welcome_message="Ask us anything.")
    return tenant, operator, admin


@pytest.fixture
def contexts(browser, request) -> Iterator[Callable]:
    """``contexts()``: a new browser profile (another person); screenshots when a test fails."""
    made = []

    def new(**options):
        context = browser.new_context(
            locale="en-US", viewport=options.pop("viewport", {"width": 1280, "height": 800})
        )
        context.set_default_timeout(TIMEOUT_MS)
        made.append(context)
        return context

    yield new
    report = getattr(request.node, "_report_call", None)
    for number, context in enumerate(made, start=1):
        if report is not None and report.failed:
            for index, page in enumerate(context.pages, start=1):
                save_screenshot(page, f"FAILED-{request.node.name}-{number}-{index}")
        context.close()


def inbox_page(contexts, web, membership, path: str = ""):
    """The inbox page, signed in as ``membership``'s user, loaded from the web process."""
    context = contexts(viewport={"width": 1440, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": in_thread(session_for, membership.user), "url": web.url}]
    )
    page = context.new_page()
    page.goto(f"{web.url}/app/{membership.tenant.slug}/inbox/{path}")
    expect(page.locator("#inbox-banner")).to_be_hidden()  # connected
    return page


def shop_page(host, tenant, web, path: str, title: str) -> str:
    # A search box of the shop's own: the visitor is typing in it when the chat opens.
    script = (
        f"document.title = {title!r};"
        "const box = document.createElement('input'); box.id = 'search';"
        "box.setAttribute('aria-label', 'Search the shop'); document.body.prepend(box);"
    )
    return host.page(path, tenant=tenant, base=web.url, script=script)


def test_operator_sees_live_visitors_and_starts_a_chat_that_opens_the_widget(
    web, host, team, contexts, screenshot
):
    tenant, operator, _admin = team
    inbox = inbox_page(contexts, web, operator)
    toggle = inbox.get_by_role("button", name=re.compile("Visitors online"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(inbox.locator("#live-empty")).to_be_visible()
    # Under the heading, where the eye is (it sat at the bottom of the pane).
    heading = inbox.locator("#live-heading").bounding_box()
    assert inbox.locator("#live-empty").bounding_box()["y"] < heading["y"] + 3 * heading["height"]
    expect(inbox.locator("#inbox-list")).to_be_hidden()  # the live list takes its place

    # A visitor arrives on the shop's tulips page.
    widget = Widget(contexts().new_page()).goto(
        shop_page(host, tenant, web, "/tulips", "Tulips — Lale")
    )
    row = inbox.locator("#live-list li[data-visitor]")
    expect(row).to_have_count(1)
    expect(row.locator(".live-page a")).to_have_text("Tulips — Lale")
    expect(row.locator(".live-page a")).to_have_attribute("href", f"{host.origin}/tulips")
    expect(row).to_contain_text("New")
    expect(row).to_contain_text("on site <1 min")
    expect(inbox.locator("#live-count")).to_have_text("1")
    # Seen live through the loader's presence socket: no chat window is made until it is needed.
    expect(widget.iframe).to_have_count(0)

    # They move on inside the shop (a single-page app navigation): the row follows.
    widget.page.evaluate("history.pushState({}, '', '/roses'); document.title = 'Roses — Lale'")
    expect(row.locator(".live-page a")).to_have_text("Roses — Lale")
    screenshot(inbox, "live-1-visitors-list")

    # The visitor is busy in the shop's own search box when the operator writes first.
    widget.page.get_by_label("Search the shop").fill("red vase")
    row.get_by_role("button", name="Start chat").click()
    message = row.get_by_label(re.compile("^First message to Visitor "))
    expect(message).to_be_focused()
    message.fill("Hello! Looking for roses? Today they come with a free vase.")
    row.get_by_role("button", name="Send and open chat").click()

    # The operator lands in the new conversation, assigned to them.
    expect(inbox.locator("#inbox-conv-number")).to_have_text("#1")
    expect(inbox.locator(CHAT)).to_have_text(
        ["Hello! Looking for roses? Today they come with a free vase."]
    )
    expect(inbox.locator("#inbox-messages .msg-activity .msg-body")).to_have_text(
        [f"{OPERATOR} took this conversation"]
    )
    expect(row.get_by_role("button", name="Open #1")).to_be_visible()
    with scopes_disabled():
        conversation = in_thread(Conversation.objects.get, tenant=tenant, number=1)
    assert conversation.assignee_id == operator.user_id

    # The visitor's chat window opened by itself with the message, without taking focus.
    expect(widget.iframe).to_be_visible()
    expect(widget.theirs.last.locator(".bubble")).to_have_text(
        "Hello! Looking for roses? Today they come with a free vase."
    )
    expect(widget.theirs.last.locator(".name")).to_have_text(OPERATOR)
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    assert widget.page.evaluate("document.activeElement && document.activeElement.id") == "search"
    assert widget.page.get_by_label("Search the shop").input_value() == "red vase"
    screenshot(widget.page, "live-2-proactive-widget")

    # The visitor answers; the operator reads it in the same conversation.
    widget.say("Yes please, a dozen red ones.")
    expect(inbox.locator(CHAT).last).to_have_text("Yes please, a dozen red ones.")

    # The visitor leaves: the row says so at once, then goes.
    widget.page.close()
    expect(row).to_have_attribute("data-state", "left")
    expect(row).to_contain_text("Left")
    expect(row).to_have_count(0, timeout=20_000)
    expect(inbox.locator("#live-empty")).to_be_visible()

    # Back to the conversation list.
    toggle.click()
    expect(inbox.locator("#inbox-list")).to_be_visible()
    expect(inbox.locator("#live-pane")).to_be_hidden()


def test_typing_preview_and_contact_notes_in_the_visitor_panel(
    web, host, team, contexts, screenshot
):
    tenant, operator, admin = team
    widget = Widget(contexts().new_page()).goto(
        shop_page(host, tenant, web, "/", "Lale — Fresh flowers")
    )
    widget.open()
    expect(widget.frame.locator("#privacy")).to_contain_text(
        "Our team may see your message as you type it"
    )
    # An earlier chat of this visitor, closed long ago.
    widget.say("Are you open on Sundays?")
    expect(widget.mine.last.locator(".st")).to_have_text("Sent")
    with scopes_disabled():
        in_thread(
            Conversation.objects.filter(tenant=tenant, number=1).update,
            status=Conversation.Status.RESOLVED,
            resolved_at=timezone.now() - timedelta(days=30),
        )
    widget.say("Do you deliver to Kadıköy?")

    alice = inbox_page(contexts, web, operator, "2/")
    expect(alice.locator(CHAT)).to_have_text(["Do you deliver to Kadıköy?"])
    bob = inbox_page(contexts, web, admin, "2/")
    expect(bob.locator(CHAT)).to_have_text(["Do you deliver to Kadıköy?"])

    # The panel: who and where, and notes about this contact.
    panel = alice.locator("#inbox-visitor")
    expect(panel.locator(".vp-page a")).to_have_text("Lale — Fresh flowers")
    notes = alice.locator("#contact-notes")
    expect(notes).to_be_visible()
    expect(notes.locator("#contact-notes-empty")).to_be_visible()
    notes.get_by_label("New note").fill(NOTE)
    notes.get_by_role("button", name="Add note").click()
    mine = notes.locator(".contact-note")
    expect(mine).to_have_count(1)
    expect(mine.locator(".contact-note-body")).to_have_text(NOTE)
    expect(mine.locator(".contact-note-author")).to_have_text(OPERATOR)
    expect(notes.get_by_label("New note")).to_have_value("")

    # The other operator, on the same visitor, sees it without reloading.
    theirs = bob.locator("#contact-notes .contact-note")
    expect(theirs.locator(".contact-note-body")).to_have_text(NOTE)

    # An empty note is refused, with the reason, and nothing is added.
    notes.get_by_label("New note").fill("   ")
    notes.get_by_label("New note").press("Control+Enter")
    expect(mine).to_have_count(1)
    notes.get_by_label("New note").fill("x" * 2000 + "y")  # the box stops at 2000
    expect(notes.get_by_label("New note")).to_have_value("x" * 2000)
    notes.get_by_label("New note").fill("")

    # The visitor types; the operators see the words before they are sent.
    widget.input.press_sequentially("I would like red tulips for my mother", delay=20)
    preview = alice.locator("#inbox-typing-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("I would like red tulips for my mother")
    expect(preview).to_contain_text("Typing:")
    screenshot(alice, "live-3-panel-notes-and-typing-preview")
    widget.input.press("Enter")
    expect(alice.locator(CHAT).last).to_have_text("I would like red tulips for my mother")
    expect(preview).to_be_hidden()

    # The visitor moves on: the panel's current page follows, live.
    widget.page.evaluate("history.pushState({}, '', '/roses'); document.title = 'Roses — Lale'")
    expect(panel.locator(".vp-page a")).to_have_text("Roses — Lale")
    expect(panel.locator(".vp-pages li")).to_have_count(2)
    # ...and so it does when they load another page of the site.
    widget.goto(shop_page(host, tenant, web, "/vases", "Vases — Lale"))
    expect(panel.locator(".vp-page a")).to_have_text("Vases — Lale")
    expect(panel.locator(".vp-pages li")).to_have_count(3)

    # The earlier conversation is a link that opens it here, with the same notes.
    earlier = panel.locator(".vp-prev a")
    expect(earlier).to_have_text("#1")
    earlier.click()
    expect(alice.locator("#inbox-conv-number")).to_have_text("#1")
    expect(alice).to_have_url(re.compile(r"/inbox/1/$"))
    expect(alice.locator(CHAT)).to_have_text(["Are you open on Sundays?"])
    expect(mine.locator(".contact-note-body")).to_have_text(NOTE)

    # Nothing of the note ever reached the visitor's chat window.
    assert NOTE not in str(widget.received)
    assert not [f for f in widget.received if f.get("type", "").startswith("contact")]

    # The admin deletes the note; it goes from everyone's panel.
    bob.once("dialog", lambda dialog: dialog.accept())
    bob.locator("#contact-notes").get_by_role("button", name=re.compile("^Delete")).click()
    expect(theirs).to_have_count(0)
    expect(mine).to_have_count(0)
    with scopes_disabled():
        assert not in_thread(ContactNote.objects.exists)


def test_without_typing_preview_the_widget_says_nothing_and_sends_no_text(
    web, host, team, contexts, screenshot
):
    tenant, operator, admin = team
    # An admin turns the sneak peek off on the inbox settings page.
    settings = inbox_page(contexts, web, admin)
    settings.goto(f"{web.url}/app/{tenant.slug}/inbox/settings/")
    general = settings.get_by_test_id("inbox-general-form")
    box = general.get_by_label("Show operators what visitors are typing")
    expect(box).to_be_checked()
    box.uncheck()
    screenshot(settings, "live-4-settings-typing-preview")
    general.get_by_role("button", name="Save").click()
    expect(settings.get_by_text("Inbox settings saved.")).to_be_visible()
    expect(settings.get_by_label("Show operators what visitors are typing")).not_to_be_checked()

    page = contexts().new_page()
    sent: list[dict] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framesent", lambda payload: sent.append(json.loads(payload))),
    )
    widget = Widget(page).goto(shop_page(host, tenant, web, "/", "Lale"))
    widget.open()
    expect(widget.frame.locator("#status")).not_to_be_empty()
    expect(widget.frame.locator("#privacy")).to_have_count(0)
    widget.say("Hello")
    alice = inbox_page(contexts, web, operator, "1/")
    expect(alice.locator(CHAT)).to_have_text(["Hello"])
    widget.input.press_sequentially("secret draft", delay=20)
    expect(alice.locator("#inbox-typing")).to_have_text("Visitor is typing…")
    expect(alice.locator("#inbox-typing-preview")).to_have_count(0)
    typing = [f for f in sent if f.get("type") == "typing"]
    assert typing and not [f for f in typing if "text" in f]


def test_the_visitor_panel_says_which_site_the_visitor_came_from(web, host, team, contexts):
    tenant, operator, _admin = team
    page = contexts().new_page()
    page.goto(
        shop_page(host, tenant, web, "/", "Lale — Fresh flowers"),
        referer="https://www.google.com/",
    )
    widget = Widget(page)
    widget.open()
    widget.say("Do you deliver to Kadıköy?")
    expect(widget.mine.last.locator(".st")).to_have_text("Sent")
    alice = inbox_page(contexts, web, operator, "1/")
    came = alice.locator("#inbox-visitor .vp-came-from a")
    expect(came).to_have_text("www.google.com")
    expect(came).to_have_attribute("href", "https://www.google.com/")
    # Another page of the site is no place they came from.
    widget.goto(shop_page(host, tenant, web, "/vases", "Vases — Lale"))
    expect(alice.locator("#inbox-visitor .vp-page a")).to_have_text("Vases — Lale")
    expect(came).to_have_text("www.google.com")
    # The live visitors list says it too.
    alice.goto(f"{web.url}/app/{tenant.slug}/inbox/visitors/")
    expect(alice.locator(".live-row .live-from")).to_have_text(" · from www.google.com")
