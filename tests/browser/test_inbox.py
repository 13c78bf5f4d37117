"""The operator inbox in a real browser, against a real web process (websockets included).

pytest-django's ``live_server`` speaks WSGI only, so these tests start the server as a subprocess
(``tests.live.start_server``) on a free port against the same test database (committed data:
``transactional_db``), load the inbox page from the web process itself (so the page's
``ws://<host>/ws/inbox/...`` reaches the same process) and play the visitor with a plain
websockets client (``VisitorClient``, Origin = the server's own origin, as the chat window sends).

Locally the SQLite test database is a file (config/settings.py), so the server can share it too.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from apps.conversations.models import Message
from apps.tenants.models import Role
from apps.tenants.services import membership_remove
from tests.browser.conftest import TIMEOUT_MS, LostDoorbells, log_in
from tests.conversations.conftest import VisitorClient
from tests.factories import PASSWORD, TenantFactory, member
from tests.live import FlakyNetwork
from tests.utils import in_thread

ROOT = Path(__file__).resolve().parents[2]


def live(test):
    """A browser test against the server (which shares the test database, file or PostgreSQL)."""
    return pytest.mark.browser(test)


XSS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
]


@pytest.fixture
def team(transactional_db):
    def make():
        tenant = TenantFactory(name="Lale Çiçekçilik")
        return tenant, member(tenant, full_name="Ayşe Operator")

    return in_thread(make)


class Inbox:
    """The inbox page, with its own translated strings (read back from the page's JSON)."""

    def __init__(self, page, slug: str):
        self.page = page
        self.slug = slug
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str = "") -> None:
        self.page.goto(f"/app/{self.slug}/inbox/{path}")
        self.strings = json.loads(self.page.locator("#inbox-strings").text_content())
        # Connected: the "Connecting…" banner goes away once `ready` arrives.
        expect(self.page.locator("#inbox-banner")).to_be_hidden()

    def s(self, key: str) -> str:
        """The page's text for ``key`` (the key itself when the view does not send it: that is
        what the page then shows; ``test_inbox_strings_are_complete`` catches the gap)."""
        return self.strings.get(key, key)

    def assigned_toast(self, number: int):
        """The toast saying conversation ``number`` was assigned to me automatically."""
        text = self.s("alert_assigned_auto").replace("%(number)s", str(number))
        return self.page.locator(".toast", has_text=text)

    def item(self, number: int):
        return self.page.locator(f'#inbox-list button[data-number="{number}"]')

    @property
    def messages(self):
        return self.page.get_by_role("log")


def sign_in_to_inbox(asgi_page, tenant, operator) -> Inbox:
    page = asgi_page()
    log_in(page, operator.user.email, PASSWORD)
    inbox = Inbox(page, tenant.slug)
    inbox.open()
    return inbox


def new_conversation(asgi, tenant, first_message: str, **hello) -> VisitorClient:
    visitor = VisitorClient(asgi, tenant.widget_key)
    visitor.hello(**hello)
    visitor.say(first_message)
    return visitor


def next_message_from(visitor: VisitorClient, sender: str) -> dict:
    """The next ``message`` frame the visitor gets from ``sender`` (it also gets its own)."""
    while True:
        message = visitor.expect("message", timeout=10)["message"]
        if message["sender"] == sender:
            return message


@live
def test_operator_sees_new_conversation_live_and_answers(asgi, asgi_page, team, screenshot):
    tenant, operator = team
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    expect(page.locator("#inbox-list-empty")).to_have_text(inbox.s("empty_open"))
    expect(page).to_have_title(f"{inbox.s('inbox')} · Sohbet")

    visitor = VisitorClient(asgi, tenant.widget_key)
    visitor.hello(page={"url": "https://shop.example/pricing", "title": "Pricing", "referrer": ""})
    visitor.say("Merhaba, siparişim nerede?")

    # The conversation appears without a reload, unread and waiting; the title counts it.
    item = page.locator("#inbox-list button").first
    expect(item).to_contain_text("Merhaba, siparişim nerede?")
    expect(item.locator(".unread")).to_have_text("1")
    expect(item.locator(".conv-when")).to_have_class(re.compile("is-waiting"))
    expect(page).to_have_title(f"(1) {inbox.s('inbox')} · Sohbet")
    number = int(item.get_attribute("data-number"))
    screenshot(page, "inbox_new_conversation")

    item.click()
    expect(page).to_have_url(re.compile(rf"/app/{tenant.slug}/inbox/{number}/$"))
    expect(inbox.messages).to_have_attribute("aria-live", "polite")
    expect(inbox.messages.locator(".msg-visitor .msg-body")).to_have_text(
        "Merhaba, siparişim nerede?"
    )
    expect(page.locator("#inbox-conv-number")).to_have_text(f"#{number}")
    # Opening it reads it: the unread badge and the title count go.
    expect(item.locator(".unread")).to_have_count(0)
    expect(page.locator("#inbox-visitor-body")).to_contain_text("Pricing")
    link = page.locator("#inbox-visitor-body a", has_text="Pricing").first
    expect(link).to_have_attribute("href", "https://shop.example/pricing")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")

    # Visitor typing shows; Enter sends the reply; Shift+Enter is a new line.
    visitor.send("typing", typing=True)
    expect(page.locator("#inbox-typing")).to_have_text(inbox.s("visitor_typing"))
    composer = page.get_by_label(inbox.s("reply_label"))
    composer.fill("Kontrol ediyorum,")
    composer.press("Shift+Enter")
    composer.press_sequentially("bir dakika.")
    composer.press("Enter")
    expect(composer).to_have_value("")
    reply = next_message_from(visitor, "operator")
    assert reply["body"] == "Kontrol ediyorum,\nbir dakika."
    assert reply["author"]["name"] == "Ayşe Operator"
    mine = inbox.messages.locator(".msg-operator")
    expect(mine).to_have_count(1)  # the pending bubble became the stored message, not a second
    expect(mine.locator(".msg-body")).to_have_text("Kontrol ediyorum,\nbir dakika.")
    expect(mine).to_have_attribute("data-mark", re.compile("sent|delivered|read"))

    # The visitor reads it: the operator sees the read mark.
    visitor.send("read", up_to=reply["id"])
    expect(mine).to_have_attribute("data-mark", "read")
    expect(mine.locator(".mark-label")).to_have_text(inbox.s("mark_read"))

    # A second visitor message arrives live in the open conversation.
    visitor.say("Teşekkürler!")
    expect(inbox.messages.locator(".msg-visitor .msg-body")).to_have_text(
        ["Merhaba, siparişim nerede?", "Teşekkürler!"]
    )
    expect(item.locator(".unread")).to_have_count(0)  # read while open
    expect(page).to_have_title(f"(1) {inbox.s('inbox')} · Sohbet")  # waiting for an answer
    screenshot(page, "inbox_conversation")

    # Back goes to the list URL; reloading the conversation URL opens it directly.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/app/{tenant.slug}/inbox/$"))
    page.go_forward()
    expect(page.locator("#inbox-conv-number")).to_have_text(f"#{number}")
    inbox.open(f"{number}/")
    expect(inbox.messages.locator(".msg-visitor, .msg-operator")).to_have_count(3)
    # Nobody else was online with room: auto-assignment gave it to her, and says so.
    expect(inbox.messages.locator(".msg-activity .msg-body")).to_have_text(
        [inbox.s("activity_assigned_auto").replace("%(name)s", "Ayşe Operator")]
    )
    assert inbox.dialogs == []
    visitor.close()


@live
def test_the_inbox_speaks_the_language_of_its_page(asgi, asgi_page, transactional_db, screenshot):
    """A workspace whose visitors mostly write Turkish, and an operator who chose no language
    and whose browser asks for English: what reaches the page over its socket is in English
    too. An unnamed visitor writing in Turkish is "Visitor 1a2b3c" in the list, the
    conversation's header, the visitor panel and the live visitors list (the panel and the live
    row were built in the visitor's or the workspace's language: "Ziyaretçi 1a2b3c"), and the
    notice that the operator's access has ended is English (it was the workspace's Turkish)."""

    def make():
        tenant = TenantFactory(name="Lale Çiçekçilik", default_language="tr")
        return tenant, member(tenant, language=""), member(tenant, Role.OWNER)

    tenant, operator, owner = in_thread(make)
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    assert inbox.s("visitor_short") == "Visitor %(short)s"  # the operator's page is in English

    visitor = VisitorClient(asgi, tenant.widget_key)
    visitor.send("hello", token=None, last_id=None, language="tr", timezone="UTC")
    label = "Visitor " + visitor.expect("ready")["visitor"]["id"][:6]
    visitor.send("page", url="https://lale.example/kargo", title="Kargo")
    visitor.say("Merhaba, kargom nerede?")

    item = page.locator("#inbox-list button").first
    expect(item).to_contain_text("Merhaba, kargom nerede?")
    expect(item.locator(".conv-name")).to_have_text(label)
    item.click()
    expect(page.locator("#inbox-conv-name")).to_have_text(label)
    expect(page.locator(".vp-name")).to_have_text(label)
    expect(item.locator(".conv-name")).to_have_text(label)  # the panel did not rename the row
    screenshot(page, "inbox_unnamed_visitor_in_english")

    page.get_by_role("button", name=re.compile("Visitors online")).click()
    expect(page.locator("#live-list .live-name")).to_have_text(label)

    def remove():
        with scope(tenant=tenant):
            membership_remove(actor=owner, membership=operator)

    in_thread(remove)
    expect(page.locator("#inbox-banner")).to_contain_text(
        "Your access to this workspace has ended."
    )
    visitor.close()


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@live
def test_toasts_cover_no_composer_and_go_once_their_conversation_is_open(
    asgi, asgi_page, team, screenshot
):
    """A toast sits where no one is typing: bottom left on a wide screen (it sat in the middle,
    over the reply box), at the top on a phone. Opening its conversation, from the toast or
    from the list, dismisses it."""
    tenant, operator = team
    page = asgi_page()
    log_in(page, operator.user.email, PASSWORD)
    inbox = Inbox(page, tenant.slug)
    inbox.open()
    first = new_conversation(asgi, tenant, "Kargo ücreti ne kadar?")
    toast = inbox.assigned_toast(1)
    expect(toast).to_be_visible()
    inbox.item(1).click()
    expect(toast).to_have_count(0)
    composer = page.get_by_label(inbox.s("reply_label"))
    expect(composer).to_be_visible()

    second = new_conversation(asgi, tenant, "Hediye paketi var mı?")
    toast = inbox.assigned_toast(2)
    expect(toast).to_be_visible()
    assert not boxes_overlap(toast.bounding_box(), composer.bounding_box())
    screenshot(page, "inbox_toast_beside_the_composer")

    phone = asgi_page(width=390, height=760, is_mobile=True)
    log_in(phone, operator.user.email, PASSWORD)
    small = Inbox(phone, tenant.slug)
    small.open()
    third = new_conversation(asgi, tenant, "Yarın teslim olur mu?")
    toast = small.assigned_toast(3)
    expect(toast).to_be_visible()
    assert toast.bounding_box()["y"] < 760 / 3  # at the top, away from the reply box
    screenshot(phone, "inbox_toast_on_a_phone")
    toast.get_by_role("button", name=small.s("toast_open")).click()
    expect(phone.locator("#inbox-conv-number")).to_have_text("#3")
    expect(toast).to_have_count(0)
    for visitor in (first, second, third):
        visitor.close()


@live
def test_resolve_and_reopen(asgi, asgi_page, team, screenshot):
    tenant, operator = team
    visitor = new_conversation(asgi, tenant, "Kargo ücreti ne kadar?")
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page, s = inbox.page, inbox.s
    item = page.locator("#inbox-list button").first
    number = int(item.get_attribute("data-number"))
    item.click()
    status = page.locator("#inbox-conv-status")
    expect(status).to_have_text(s("status_open"))

    page.get_by_role("button", name=s("resolve"), exact=True).click()
    expect(status).to_have_text(s("status_resolved"))
    expect(page.get_by_role("button", name=s("reopen"), exact=True)).to_be_enabled()
    assert visitor.expect("conversation")["conversation"]["status"] == "resolved"
    expect(inbox.item(number)).to_have_count(0)  # gone from the open ones
    status_filter = page.get_by_label(s("filter_status"), exact=True)
    status_filter.select_option("resolved")
    expect(inbox.item(number)).to_contain_text(s("status_resolved"))
    screenshot(page, "inbox_resolved")

    page.get_by_role("button", name=s("reopen"), exact=True).click()
    expect(status).to_have_text(s("status_open"))
    assert visitor.expect("conversation")["conversation"]["status"] == "open"
    expect(inbox.item(number)).to_have_count(0)  # gone from the resolved ones
    status_filter.select_option("open")
    expect(inbox.item(number)).to_be_visible()
    visitor.close()


@live
def test_a_burst_of_messages_in_several_conversations_shows_each_at_its_latest(
    asgi, asgi_page, team, screenshot
):
    """Many messages at once in several conversations: each row ends at its latest message
    and unread count."""
    tenant, operator = team
    visitors = [new_conversation(asgi, tenant, f"İlk mesaj {i}") for i in range(4)]
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    expect(page.locator("#inbox-list button")).to_have_count(4)
    numbers = {
        int(b.get_attribute("data-number")): b.text_content()
        for b in page.locator("#inbox-list button").all()
    }
    by_visitor = {
        i: next(n for n, text in numbers.items() if f"İlk mesaj {i}" in text) for i in range(4)
    }

    for round_ in range(3):
        for i, visitor in enumerate(visitors):
            visitor.send("message", client_id=f"r{round_}-{i}", body=f"Tur {round_}, ziyaretçi {i}")
    for round_ in range(3):
        for i, visitor in enumerate(visitors):
            visitor.take("ack", client_id=f"r{round_}-{i}")

    for i, number in by_visitor.items():
        item = inbox.item(number)
        expect(item).to_contain_text(f"Tur 2, ziyaretçi {i}")
        expect(item.locator(".unread")).to_have_text("4")
    screenshot(page, "inbox_burst_of_messages")
    for visitor in visitors:
        visitor.close()


@live
def test_a_stale_list_row_that_crossed_a_newer_one_is_not_shown(asgi, asgi_page, team):
    """Two server processes' rows can cross on their way to the page, and a busy workspace's
    message rows wait up to 20 ms: a partial row older than the one the page shows, and a
    message's row no newer than it, are skipped. The test stands between the page and the
    server, passes every frame on and then hands the page such rows."""
    tenant, operator = team
    first = new_conversation(asgi, tenant, "Merhaba")
    other = new_conversation(asgi, tenant, "Başka bir soru")
    page = asgi_page()
    log_in(page, operator.user.email, PASSWORD)
    rows: dict[int, dict] = {}
    to_page = []

    def between(ws) -> None:
        server = ws.connect_to_server()

        def from_server(message) -> None:
            frame = json.loads(message)
            if frame.get("type") == "conversation":
                rows[frame["conversation"]["number"]] = frame["conversation"]
            for row in frame.get("conversations", []) if frame.get("type") == "list" else []:
                rows[row["number"]] = row
            ws.send(message)

        server.on_message(from_server)
        to_page.append(ws)

    page.route_web_socket(re.compile(r".*/ws/inbox/.*"), between)
    inbox = Inbox(page, tenant.slug)
    inbox.open()
    expect(page.locator("#inbox-list button")).to_have_count(2)
    number = next(n for n, r in rows.items() if r["preview"] == "Merhaba")
    other_number = next(n for n in rows if n != number)
    first.say("Kargom nerede?")
    expect(inbox.item(number)).to_contain_text("Kargom nerede?")
    newest = rows[number]
    assert newest["preview"] == "Kargom nerede?" and "labels" not in newest

    stale = {**newest, "preview": "Merhaba", "unread": 1}
    stale["last_activity_at"] = "2020-01-01T00:00:00+00:00"
    later = {**rows[other_number], "preview": "Sonra"}
    later["last_activity_at"] = "2099-01-01T00:00:00+00:00"
    later.pop("labels", None)
    for row in (stale, later):
        to_page[0].send(
            json.dumps({"type": "conversation", "conversation": row, "from_message": True})
        )
    expect(inbox.item(other_number)).to_contain_text("Sonra")  # the frame was applied
    expect(inbox.item(number)).to_contain_text("Kargom nerede?")
    expect(inbox.item(number).locator(".unread")).to_have_text("2")

    # A message's row that waited on the server while a change of the same moment (a read,
    # an assignment) overtook it: the same last activity, and it is skipped too.
    waited = {**newest, "preview": "Eski", "unread": 9}
    to_page[0].send(
        json.dumps({"type": "conversation", "conversation": waited, "from_message": True})
    )
    to_page[0].send(
        json.dumps({"type": "conversation", "conversation": {**later, "preview": "Son"}})
    )
    expect(inbox.item(other_number)).to_contain_text("Son")
    expect(inbox.item(number)).to_contain_text("Kargom nerede?")
    expect(inbox.item(number).locator(".unread")).to_have_text("2")
    # The same row not from a message (a change that sent its own row) is applied.
    to_page[0].send(json.dumps({"type": "conversation", "conversation": waited}))
    expect(inbox.item(number)).to_contain_text("Eski")
    first.close()
    other.close()


@live
def test_visitor_content_is_shown_as_text_only(asgi, asgi_page, team, screenshot):
    tenant, operator = team
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    visitor = new_conversation(asgi, tenant, XSS[0])
    item = page.locator("#inbox-list button").first
    expect(item).to_contain_text(XSS[0])
    number = int(item.get_attribute("data-number"))
    for payload in XSS[1:]:
        visitor.say(payload)
    visitor.send("page", url="javascript:alert(1)", title="<img src=x onerror=alert(2)>")
    visitor.send(
        "attributes", attributes={"<svg onload=alert(3)>": '"><img src=x onerror=alert(4)>'}
    )
    visitor.send("identify", user_id="u1", user_hash="bad", email="x@example.com", name=XSS[3])

    expect(inbox.item(number).locator(".conv-preview")).to_have_text(XSS[3])  # literally
    inbox.item(number).click()
    bodies = inbox.messages.locator(".msg-visitor .msg-body")
    expect(bodies).to_have_text(XSS)
    panel = page.locator("#inbox-visitor-body")
    expect(panel).to_contain_text('"><img src=x onerror=alert(4)>')
    expect(panel).to_contain_text("<svg onload=alert(3)>")
    screenshot(page, "inbox_xss")

    # Nothing the visitor sent became an element (so no handler of theirs is left to fire).
    assert page.locator("#inbox img, #inbox svg, #inbox script, #inbox iframe").count() == 0
    assert inbox.dialogs == []
    # javascript: is never a link, anywhere on the page.
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert hrefs and all(not h.lower().startswith("javascript:") for h in hrefs)
    assert not page.evaluate("() => window.__xss || false")
    visitor.close()


@pytest.fixture
def flaky(asgi) -> Iterator[FlakyNetwork]:
    network = FlakyNetwork(asgi.port)
    yield network
    network.close()


@live
def test_inbox_resumes_after_its_connection_drops(asgi, flaky, browser, team, screenshot):
    """The operator's line goes down mid-conversation: the visitor keeps writing and the
    operator keeps typing; after it is back everything arrives once, in order."""
    tenant, operator = team
    context = browser.new_context(base_url=flaky.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, operator.user.email, PASSWORD)
    inbox = Inbox(page, tenant.slug)
    inbox.open()
    visitor = new_conversation(asgi, tenant, "first")
    item = page.locator("#inbox-list button").first
    item.click()
    expect(inbox.messages.locator(".msg-visitor .msg-body")).to_have_text(["first"])

    flaky.cut()
    expect(page.locator("#inbox-banner")).to_be_visible()
    visitor.say("second")
    visitor.say("third")
    composer = page.get_by_label(inbox.s("reply_label"))
    composer.fill("typed while offline")
    composer.press("Enter")
    screenshot(page, "inbox_offline")

    flaky.restore()
    expect(page.locator("#inbox-banner")).to_be_hidden()
    expect(inbox.messages.locator(".msg-visitor .msg-body")).to_have_text(
        ["first", "second", "third"]
    )
    reply = next_message_from(visitor, "operator")
    assert reply["body"] == "typed while offline"
    expect(inbox.messages.locator(".msg-operator .msg-body")).to_have_text(["typed while offline"])
    assert visitor.nothing(timeout=1, type_="message") or all(
        f["message"]["sender"] != "operator" or f["message"]["id"] == reply["id"]
        for f in visitor.seen
        if f["type"] == "message"
    )
    with scopes_disabled():
        # Encrypted: compare in Python.
        bodies = in_thread(lambda: [m.body for m in Message.objects.all()])
    assert bodies.count("typed while offline") == 1
    context.close()
    visitor.close()


NOTIFICATION_SPY = """
window.__notes = [];
window.__beeps = 0;
class SpyNotification {
  constructor(title, options) { window.__notes.push({title, body: (options || {}).body}); }
  close() {}
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
}
window.Notification = SpyNotification;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__beeps++;
  return start.apply(this, args);
};
"""


@live
@pytest.mark.redis  # a message posted from the test process reaches the server's sockets
def test_a_long_inbox_list_loads_a_page_at_a_time_as_the_operator_scrolls(
    asgi, asgi_page, team, screenshot
):
    from apps.conversations import selectors, services
    from apps.visitors.models import Visitor

    tenant, operator = team
    total = selectors.LIST_PAGE + 12

    def visitors_write() -> None:
        for i in range(total):
            services.message_create(
                sender="visitor",
                visitor=Visitor.objects.create(tenant=tenant),
                client_id=f"p{i}",
                body=f"Soru {i}",
            )

    with scopes_disabled():
        in_thread(visitors_write)
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    rows = page.locator("#inbox-list button[data-number]")
    # The first page, newest first; the tab and the title count every one of them.
    expect(rows).to_have_count(selectors.LIST_PAGE)
    expect(rows.first).to_contain_text(f"Soru {total - 1}")
    expect(page.locator("#inbox-count-all")).to_have_text(str(total))
    expect(page).to_have_title(re.compile(rf"^\({total}\) "))
    screenshot(page, "inbox_paged_first_page")

    # Scrolling to the end brings the rest, each conversation once, and nothing more to load.
    page.locator("#inbox-list").evaluate("list => list.scrollTo(0, list.scrollHeight)")
    expect(rows).to_have_count(total)
    expect(rows.last).to_contain_text("Soru 0")
    expect(page.locator("#inbox-list-more")).to_have_count(0)
    numbers = [int(n) for n in rows.evaluate_all("rs => rs.map(r => r.dataset.number)")]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == total

    # A visitor on the last page writes again: the row moves to the top, counted once.
    oldest = numbers[-1]

    def oldest_writes_again() -> None:
        visitor = (
            Message.objects.filter(conversation__tenant=tenant, conversation__number=oldest)
            .first()
            .conversation.visitor
        )
        services.message_create(
            sender="visitor", visitor=visitor, client_id="again", body="Hâlâ orada mısınız?"
        )

    with scopes_disabled():
        in_thread(oldest_writes_again)
    expect(rows.first).to_contain_text("Hâlâ orada mısınız?")
    expect(rows).to_have_count(total)
    expect(page.locator("#inbox-count-all")).to_have_text(str(total))
    screenshot(page, "inbox_paged_all_loaded")


@live
def test_new_conversation_notifies_after_the_operator_allows_it(asgi, asgi_page, team):
    tenant, operator = team
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    page.add_init_script(NOTIFICATION_SPY)
    inbox.open()  # again, with the spy in place

    first = new_conversation(asgi, tenant, "before allowing")
    expect(page.locator("#inbox-list button")).to_have_count(1)
    assert page.evaluate("window.__notes") == []  # nothing until the operator says so

    button = page.locator("#inbox-notify")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    second = new_conversation(asgi, tenant, "Is the shop open on Sunday?")
    page.wait_for_function("window.__notes.length === 1")
    [note] = page.evaluate("window.__notes")
    assert note["title"] == inbox.s("notification_title")
    assert "Is the shop open on Sunday?" in note["body"]
    assert page.evaluate("window.__beeps") > 0

    # The choice survives a reload.
    inbox.open()
    expect(page.locator("#inbox-notify")).to_have_attribute("aria-pressed", "true")
    first.close()
    second.close()


def test_inbox_strings_are_complete():
    """Every string key the inbox page uses is sent, translated, by the view."""
    from apps.conversations.strings import inbox_strings

    # The inbox's modules; the other scripts (canned, search, live, contact) have their own tables.
    extensions = {"canned.js", "search.js", "live.js", "contact.js"}
    used_in_js = {
        key
        for path in (ROOT / "static" / "inbox").glob("*.js")
        if path.name not in extensions
        for key in re.findall(r'\bt\("(\w+)"\s*[,)]', path.read_text())
    }
    used_in_template = set(
        re.findall(r"strings\.(\w+)", (ROOT / "templates/conversations/inbox.html").read_text())
    )
    strings = inbox_strings()
    assert used_in_js, "the inbox script's t(...) calls were not found"
    assert sorted((used_in_js | used_in_template) - set(strings)) == []
    assert all(isinstance(v, str) and v for v in strings.values())


@live
def test_a_message_whose_doorbell_was_lost_is_fetched_by_heartbeat_or_gap(
    asgi, asgi_page, team, screenshot
):
    """A visitor's message is stored, but its live frame never reaches the open conversation
    (a server process or Redis dropped it). When it is the latest, the heartbeat names it; when
    a later one comes, its number shows the gap: either way the page fetches what it missed.
    The test stands between the page and the server, drops the live frames, and hands the page
    a heartbeat at once rather than waiting for the 25 s timer."""
    tenant, operator = team
    visitor = new_conversation(asgi, tenant, "Merhaba")
    page = asgi_page()
    log_in(page, operator.user.email, PASSWORD)
    between = LostDoorbells("Kayıp zil")
    page.route_web_socket(re.compile(r".*/ws/inbox/.*"), between)
    inbox = Inbox(page, tenant.slug)
    inbox.open()
    item = page.locator("#inbox-list button").first
    number = int(item.get_attribute("data-number"))
    item.click()
    expect(inbox.messages).to_contain_text("Merhaba")

    lost = visitor.say("Kayıp zil")
    expect(inbox.item(number)).to_contain_text("Kayıp zil")  # its list row came
    expect(inbox.messages).not_to_contain_text("Kayıp zil")  # its message frame did not
    between.to_page[0].send(
        json.dumps({"type": "pong", "conversation": number, "last_id": lost["id"]})
    )
    expect(inbox.messages).to_contain_text("Kayıp zil")
    screenshot(page, "inbox_message_fetched_after_heartbeat")

    # A lost one in the middle: the next message, numbered two beyond, shows the gap.
    visitor.say("Kayıp zil")
    visitor.say("Sonraki mesaj")
    expect(inbox.messages).to_contain_text("Sonraki mesaj")
    expect(inbox.messages.get_by_text("Kayıp zil", exact=True)).to_have_count(2)
    visitor.close()
