"""The visitor's chat widget in headless Chromium, embedded in a host page on another origin,
against a real web process (websockets included).

- The server (``tests.live.start_server``) serves Sohbet on ``http://127.0.0.1:<port>``; one process
  serves the whole module (each test still gets a fresh database: ``transactional_db``).
- The "customer's website" is a tiny ``http.server`` on ``http://localhost:<other port>``: another
  origin and another site, so the chat window is a real third-party iframe. Its page holds the
  very snippet the onboarding page hands out (``apps.tenants.views._snippet``).
- The operator is the websocket ``OperatorClient`` (the inbox page has its own tests).
- To cut the visitor's network without touching the operator, the widget can be loaded through
  ``FlakyNetwork``, a TCP relay in front of the server: ``cut()`` drops every open connection (the
  browser sees its socket die) and holds new ones until ``restore()``. Chromium's
  ``context.set_offline(True)`` does not close an open WebSocket, so it cannot be used here.
"""

import contextlib
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test import RequestFactory, override_settings
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from apps.conversations.models import Message
from apps.tenants.services import widget_settings_get
from apps.tenants.views import _snippet
from apps.visitors.models import Visitor, VisitorToken
from apps.visitors.services import identity_hash
from tests.browser.conftest import TIMEOUT_MS, LostDoorbells, save_screenshot
from tests.conversations.conftest import OperatorClient, session_for
from tests.factories import TenantFactory, member, signed_identity
from tests.live import FlakyNetwork, start_server
from tests.utils import in_thread

pytestmark = pytest.mark.browser

CHAT_FRAME = 'iframe[src*="/chat/?embed=1"]'
LAUNCHER = "Chat with us"
WELCOME_TITLE = "Hi there 👋"
WELCOME_MESSAGE = "Ask us anything about your flowers."
OPERATOR = "Ayşe Operator"
HOST_TITLE = "Lale Flower Shop"

XSS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    '"><iframe src=javascript:alert(1)>',
    "[x](javascript:alert(1))",
    "https://example.com/?q=<b>x</b>",
]

# In every frame of every page: count alert() calls and CSP refusals (an injected inline handler
# would be refused by the chat window's CSP rather than run, so a refusal is a finding too).
TRIPWIRE = """
(() => {
  window.__alerts = 0;
  window.__csp = [];
  for (const name of ['alert', 'confirm', 'prompt']) {
    const original = window[name];
    window[name] = function () { window.__alerts += 1; return original.apply(this, arguments); };
  }
  addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective));
})();
"""


# --- servers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web(django_db_setup, django_db_blocker) -> Iterator:
    """One web process for the module, on the test database."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the web process is another process: needs a file or PostgreSQL test database")
    server = start_server()
    yield server
    server.stop()


class HostSite:
    """The customer's website: pages served from ``http://localhost:<port>``."""

    def __init__(self):
        pages: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.pages = pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body, headers = pages.get(self.path.split("?")[0], (None, {}))
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body or b"not found")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        # "localhost", not 127.0.0.1: another site than Sohbet's, as on the real web.
        self.origin = f"http://localhost:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def page(self, path: str, *, tenant, base: str, script: str = "", policy: str = "") -> str:
        """A shop page with the embed snippet (and ``script`` after it); returns its URL.

        With a ``policy`` the page sends it as its Content-Security-Policy, ``{nonce}`` in it
        being the nonce its two inline scripts carry (as the shop's developer would add it)."""
        with override_settings(PUBLIC_BASE_URL=base):
            snippet = in_thread(_snippet, RequestFactory().get("/"), tenant)
        nonce = secrets.token_urlsafe(16)
        tag = f'<script nonce="{nonce}">' if policy else "<script>"
        snippet = snippet.replace("<script>", tag, 1)
        html = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{HOST_TITLE}</title></head>
<body>
<h1 id="shop">{HOST_TITLE}</h1>
<p id="intro">Fresh tulips every morning.</p>
{snippet}
{tag}
  window.sohbetEvents = [];
  Sohbet('on', 'message', function (m) {{ window.sohbetEvents.push(m); }});
  {script}
</script>
</body>
</html>"""
        headers = {"Content-Security-Policy": policy.format(nonce=nonce)} if policy else {}
        self.pages[path] = (html.encode(), headers)
        return f"{self.origin}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def host() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


@pytest.fixture
def flaky(web) -> Iterator[FlakyNetwork]:
    network = FlakyNetwork(web.port)
    yield network
    network.close()


# --- people ---------------------------------------------------------------------------------------


@pytest.fixture
def team(transactional_db):
    """A workspace with one operator and a welcome text on its widget."""
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    operator = in_thread(member, tenant, full_name=OPERATOR)
    configure(tenant, welcome_title=WELCOME_TITLE, welcome_message=WELCOME_MESSAGE)
    return tenant, operator


def configure(tenant, **fields):
    def save():
        with scope(tenant=tenant):
            widget = widget_settings_get(tenant=tenant)
            for name, value in {"launcher_text": LAUNCHER, **fields}.items():
                setattr(widget, name, value)
            widget.full_clean()
            widget.save()
            return widget

    return in_thread(save)


@pytest.fixture
def inbox(web, team) -> Iterator[OperatorClient]:
    """The operator, signed in, with the inbox socket open (so the team is online)."""
    tenant, operator = team
    client = OperatorClient(web, tenant.slug, in_thread(session_for, operator.user))
    client.expect("ready")
    yield client
    # Read what is left first: with a full receive queue the client would not see the server's
    # close frame and close() would wait for its 10 s timeout.
    with contextlib.suppress(Exception):
        while not client.nothing(timeout=0.05):
            pass
    client.close()


def open_conversation(inbox: OperatorClient, preview: str, timeout: float = 5) -> int:
    """Wait for the visitor's new conversation, subscribe to it and return its number."""
    while True:
        summary = inbox.expect("conversation", timeout=timeout)["conversation"]
        if summary["preview"] == preview:
            break
    number = summary["number"]
    inbox.send("subscribe", conversation=number, after_id=None)
    inbox.expect("history", conversation=number)
    return number


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture
def browser_context(browser, request) -> Iterator[Callable]:
    """``browser_context(locale=..., viewport=...)``: a new browser profile (another person or
    device). Every frame gets the alert/CSP tripwire; dialogs are recorded on ``.dialogs``."""
    contexts = []
    trace: list[str] = []  # printed when the test fails: what each browser said and heard

    def record(number: int, page) -> None:
        start = time.monotonic()

        def line(text: str) -> None:
            trace.append(f"{time.monotonic() - start:7.3f} [{number}] {text[:300]}")

        page.on("console", lambda message: line(f"console: {message.text}"))
        page.on("pageerror", lambda error: line(f"page error: {error}"))
        page.on("framenavigated", lambda frame: line(f"navigated: {frame.url}"))

        def socket(ws) -> None:
            line(f"socket open: {ws.url}")
            ws.on("framesent", lambda payload: line(f"sent: {payload}"))
            ws.on("framereceived", lambda payload: line(f"received: {payload}"))
            ws.on("close", lambda _ws: line("socket closed"))

        page.on("websocket", socket)

    def new(locale: str = "en-US", viewport: dict | None = None):
        context = browser.new_context(
            locale=locale, viewport=viewport or {"width": 1280, "height": 800}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(TRIPWIRE)
        contexts.append(context)
        number = len(contexts)
        context.on("page", lambda page: record(number, page))
        return context

    yield new

    report = getattr(request.node, "_report_call", None)
    failed = report is not None and report.failed
    for number, context in enumerate(contexts, start=1):
        if failed:
            for index, page in enumerate(context.pages, start=1):
                with contextlib.suppress(Exception):  # must not hide the failure
                    save_screenshot(page, f"FAILED-{request.node.name}-{number}-{index}")
        context.close()
    if failed:
        print("\n".join(["--- browser trace ---", *trace]))


class Widget:
    """One tab of the host site with the chat widget, seen as the visitor sees it."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.received: list[dict] = []  # frames the chat window's socket received
        self.console: list[str] = []
        page.on("dialog", self._dialog)
        page.on("websocket", self._socket)
        page.on("console", lambda message: self.console.append(message.text))
        self.launcher = page.get_by_role("button", name=re.compile(f"^{LAUNCHER}"))
        self.iframe = page.locator(CHAT_FRAME)
        self.frame = page.frame_locator(CHAT_FRAME)
        self.input = self.frame.locator("#input")
        self.banner = self.frame.locator("#banner")
        self.bubbles = self.frame.locator("#log .row:not(.welcome) .bubble")
        self.mine = self.frame.locator("#log .row.me")
        self.theirs = self.frame.locator("#log .row.op:not(.welcome)")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _socket(self, ws) -> None:
        if "/ws/widget/" in ws.url:
            ws.on("framereceived", lambda payload: self.received.append(json.loads(payload)))

    def goto(self, url: str) -> "Widget":
        self.page.goto(url)
        return self

    def open(self) -> "Widget":
        expect(self.launcher).to_be_visible()
        self.launcher.click()
        expect(self.iframe).to_be_visible()
        expect(self.input).to_be_visible()
        # The status line is written by chat.js: the composer's handlers are attached.
        expect(self.frame.locator("#status")).not_to_be_empty()
        return self

    def wait_until(self, predicate: Callable[[], object], what: str):
        return wait_until(self.page, predicate, what)

    def wait_for_frame(self, type_: str, count: int = 1, **match) -> dict:
        """Wait until the chat window's socket has received ``count`` frames of ``type_``."""

        def found():
            frames = [
                f
                for f in self.received
                if f.get("type") == type_ and all(f.get(k) == v for k, v in match.items())
            ]
            return frames[count - 1] if len(frames) >= count else None

        return self.wait_until(found, f"{count}x {type_} {match} (got {self.received})")

    def wait_for_console(self, text: str) -> str:
        return self.wait_until(
            lambda: next((line for line in self.console if text in line), None),
            f"console message {text!r}",
        )

    def say(self, text: str) -> None:
        # No click first: opening the window puts the caret in the box, and people type at once.
        self.input.fill(text)
        expect(self.input).to_have_value(text)  # every key reached the chat window
        self.input.press("Enter")
        expect(self.input).to_have_value("")
        expect(self.mine.last.locator(".bubble")).to_have_text(text)

    def in_frame(self, script: str):
        """Evaluate ``script`` (an expression) inside the chat window."""
        return self.frame.locator("body").evaluate(f"() => ({script})")


def wait_until(page, predicate: Callable[[], object], what: str):
    """Poll ``predicate`` until it returns a truthy value; between polls, Playwright delivers
    the page's events (frames, console lines) to the test's handlers."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(50)
    return result


def token_key(tenant) -> str:
    return f"sohbet:{tenant.widget_key}:vt"


def stored_bodies(tenant) -> list[tuple[str, str]]:
    def read():
        with scopes_disabled():
            return [
                (m.sender, m.body)
                for m in Message.objects.filter(tenant=tenant).order_by("id")  # encrypted bodies
            ]

    return in_thread(read)


# --- tests ----------------------------------------------------------------------------------------


def test_cross_origin_host_chats_with_an_operator(
    web, host, team, inbox, browser_context, screenshot
):
    tenant, _operator = team
    url = host.page("/", tenant=tenant, base=web.url)
    widget = Widget(browser_context().new_page()).goto(url)

    expect(widget.launcher).to_be_visible()
    # The chat window loads hidden once the page has loaded (so the team sees who is here).
    expect(widget.iframe).to_be_hidden()
    screenshot(widget.page, "widget-1-launcher")

    widget.open()
    expect(widget.frame.locator("#name")).to_have_text("Lale Çiçekçilik")
    welcome = widget.frame.locator("#log .row.welcome")
    expect(welcome.locator("strong")).to_have_text(WELCOME_TITLE)
    expect(welcome).to_contain_text(WELCOME_MESSAGE)
    expect(widget.frame.locator("#status")).to_have_text("Online")  # the operator is connected
    widget.wait_for_frame("ready")

    widget.say("Where is my order?")
    # The operator hears of it without asking (a few seconds at most on a slow, shared CI
    # machine; not a timing benchmark: bench/ measures delivery).
    summary = inbox.expect("conversation", timeout=5.0)["conversation"]
    assert summary["preview"] == "Where is my order?" and summary["preview_sender"] == "visitor"
    status = widget.mine.last.locator(".st")
    expect(status).to_have_text("Sent")

    number = summary["number"]
    inbox.send("subscribe", conversation=number, after_id=None)
    history = inbox.expect("history", conversation=number)
    [asked] = history["messages"]
    assert asked["body"] == "Where is my order?"

    inbox.reply(number, "It ships today, with a free tulip.")
    answer = widget.theirs.last
    expect(answer.locator(".bubble")).to_have_text("It ships today, with a free tulip.")
    expect(answer.locator(".name")).to_have_text(OPERATOR)
    expect(widget.bubbles).to_have_text(
        ["Where is my order?", "It ships today, with a free tulip."]
    )
    # The host page's SDK hears about the team's answer (as data, not markup).
    widget.page.wait_for_function("window.sohbetEvents.length === 1")
    [event] = widget.page.evaluate("window.sohbetEvents")
    assert event["sender"] == "operator" and event["body"] == "It ships today, with a free tulip."

    # The operator reads the question: the visitor's tick goes from sent to read.
    expect(status).to_have_text("Sent")
    inbox.send("read", conversation=number, up_to=asked["id"])
    expect(status).to_have_text("Read")
    screenshot(widget.page, "widget-1-conversation")
    assert widget.dialogs == []


def test_reload_keeps_the_conversation(web, host, team, inbox, browser_context):
    tenant, _operator = team
    url = host.page("/shop", tenant=tenant, base=web.url)
    context = browser_context()
    widget = Widget(context.new_page()).goto(url).open()
    widget.say("Do you deliver on Sunday?")
    number = open_conversation(inbox, "Do you deliver on Sunday?")
    inbox.reply(number, "Yes, until noon.")
    both = ["Do you deliver on Sunday?", "Yes, until noon."]
    expect(widget.bubbles).to_have_text(both)
    token = widget.page.evaluate(f"localStorage.getItem('{token_key(tenant)}')")
    assert token and token.startswith("vt_")

    widget.page.reload()
    expect(widget.iframe).to_be_hidden()
    widget.open()
    expect(widget.bubbles).to_have_text(both)
    assert widget.page.evaluate(f"localStorage.getItem('{token_key(tenant)}')") == token

    # Another tab of the same browser: nothing cached in that tab, the server has the history.
    other = Widget(context.new_page()).goto(url).open()
    ready = other.wait_for_frame("ready")
    assert [m["body"] for m in ready["messages"]] == both
    assert "token" not in ready["visitor"] and ready["visitor"]["returning"] is True
    expect(other.bubbles).to_have_text(both)
    with scopes_disabled():
        assert in_thread(Visitor.objects.filter(tenant=tenant).count) == 1


def test_messages_survive_a_cut_connection_in_order_and_once(
    web, flaky, host, team, inbox, browser_context, screenshot
):
    tenant, _operator = team
    url = host.page("/", tenant=tenant, base=flaky.url)  # the visitor's traffic goes via the relay
    widget = Widget(browser_context().new_page()).goto(url).open()
    widget.wait_for_frame("ready")
    widget.say("Hello, is anyone there?")
    number = open_conversation(inbox, "Hello, is anyone there?")
    inbox.reply(number, "Hi! How can I help?")
    before = ["Hello, is anyone there?", "Hi! How can I help?"]
    expect(widget.bubbles).to_have_text(before)
    expect(widget.mine.last.locator(".st")).to_have_text("Sent")

    flaky.cut()
    expect(widget.banner).to_have_text("Reconnecting…")
    from_operator = ["Are you still there?", "I checked your order.", "It left the shop at 9."]
    for body in from_operator:
        inbox.reply(number, body)
    queued = ["Sorry, my train went into a tunnel", "Thanks, great!"]
    for body in queued:
        widget.say(body)
    # Still offline: the visitor's messages wait in the chat window, the operator's in the server.
    expect(widget.bubbles).to_have_text(before + queued)
    expect(widget.mine.locator(".st")).to_have_text(["Sent", "Sending…", "Sending…"])
    screenshot(widget.page, "widget-3-offline")

    flaky.restore()
    everything = before + from_operator + queued
    expect(widget.banner).to_be_hidden()
    expect(widget.bubbles).to_have_text(everything)
    expect(widget.mine.locator(".st")).to_have_text(["Sent", "Sent", "Sent"])
    screenshot(widget.page, "widget-3-back-online")

    # The operator gets each queued message once, and the server stored each once.
    for body in queued:
        assert inbox.expect_message(sender="visitor", body=body)["body"] == body
    assert inbox.nothing(timeout=0.5, type_="message")
    assert [body for _sender, body in stored_bodies(tenant)] == everything
    # The reconnected socket asked only for what it missed.
    resumed = widget.wait_for_frame("ready", count=2)
    assert [m["body"] for m in resumed["messages"]] == from_operator
    expect(widget.bubbles).to_have_text(everything)  # and nothing was shown twice


def test_identify_links_devices_and_a_forged_hash_links_nothing(
    web, host, team, inbox, browser_context
):
    tenant, _operator = team
    with scope(tenant=tenant):
        secret = in_thread(widget_settings_get, tenant=tenant).identity_secret
    user = {"user_id": "cust-42", "email": "jane@example.com", "name": "Jane Doe"}

    def identify(fields: dict) -> str:
        return f"Sohbet('identify', {json.dumps(fields)});"

    good = identify(signed_identity(secret, "cust-42", email=user["email"], name=user["name"]))
    laptop = Widget(browser_context().new_page())
    laptop.goto(host.page("/account", tenant=tenant, base=web.url, script=good)).open()
    assert laptop.wait_for_frame("ready", count=2)["visitor"]["verified"] is True
    laptop.say("My bouquet arrived wilted.")
    number = open_conversation(inbox, "My bouquet arrived wilted.")
    inbox.reply(number, "Sorry, Jane! A new one is on its way.")
    history = ["My bouquet arrived wilted.", "Sorry, Jane! A new one is on its way."]
    expect(laptop.bubbles).to_have_text(history)

    # Another device, signed in as the same customer: the same conversation.
    phone = Widget(browser_context().new_page()).goto(f"{host.origin}/account").open()
    expect(phone.bubbles).to_have_text(history)
    with scopes_disabled():
        contact = in_thread(Visitor.objects.get, tenant=tenant)  # the phone's visitor merged in
        assert contact.verified_at is not None and contact.external_id == "cust-42"
        assert contact.email == "jane@example.com" and contact.name == "Jane Doe"
        assert in_thread(VisitorToken.objects.filter(visitor=contact).count) == 2  # both browsers

    # A page that forges the hash: nothing is linked, the claims stay unverified.
    forged = identify({**user, "user_hash": identity_hash(secret="x", user_id="cust-42")})
    stranger = Widget(browser_context().new_page())
    stranger.goto(host.page("/forged", tenant=tenant, base=web.url, script=forged)).open()
    stranger.wait_for_frame("error", code="identity_invalid")
    # The window has handled the rejection (it warns the developer), so also the ready before it.
    stranger.wait_for_console("Sohbet: identify was rejected")
    expect(stranger.frame.locator("#log .row:not(.welcome)")).to_have_count(0)
    expect(stranger.frame.locator("#notice")).to_be_hidden()  # the visitor is not bothered
    with scopes_disabled():
        impostor = in_thread(Visitor.objects.exclude(pk=contact.pk).get, tenant=tenant)
        assert impostor.verified_at is None and impostor.external_id == ""
        assert impostor.unverified == user
        assert not in_thread(Message.objects.filter(conversation__visitor=impostor).exists)
        assert in_thread(VisitorToken.objects.filter(visitor=contact).count) == 2


def test_markup_in_messages_is_shown_as_text(web, host, team, inbox, browser_context):
    tenant, _operator = team
    widget = Widget(browser_context().new_page())
    widget.goto(host.page("/", tenant=tenant, base=web.url)).open()
    widget.say("hi")
    number = open_conversation(inbox, "hi")
    for body in XSS:
        inbox.reply(number, body)
    expect(widget.bubbles).to_have_text(["hi", *XSS])

    log = widget.frame.locator("#log")
    expect(log.locator("img, script, svg, iframe, object, embed")).to_have_count(0)
    links = log.locator("a")
    expect(links).to_have_count(1)  # only the https URL, never javascript:
    expect(links).to_have_text("https://example.com/?q=")
    expect(links).to_have_attribute("href", "https://example.com/?q=")
    rel = links.get_attribute("rel").split()
    assert "noopener" in rel and "nofollow" in rel
    expect(links).to_have_attribute("target", "_blank")

    # The visitor types the same: shown as typed, stored as typed, the host page untouched.
    for body in XSS:
        widget.say(body)
    expect(widget.bubbles).to_have_text(["hi", *XSS, *XSS])
    expect(widget.mine.locator(".st")).to_have_text(["Sent"] * (len(XSS) + 1))
    expect(log.locator("img, script, svg, iframe, object, embed")).to_have_count(0)
    expect(log.locator("a")).to_have_count(2)
    assert stored_bodies(tenant) == [
        ("visitor", "hi"),
        *[("operator", body) for body in XSS],
        *[("visitor", body) for body in XSS],
    ]
    page = widget.page
    assert page.evaluate("document.title") == HOST_TITLE
    assert page.locator("body > *:not(script)").evaluate_all(
        "els => els.map(e => e.id || e.tagName)"
    ) == ["shop", "intro", "sohbet-widget"]
    assert page.evaluate("document.querySelectorAll('img, svg, iframe').length") == 0
    page.wait_for_function(f"window.sohbetEvents.length === {len(XSS)}")
    assert [e["body"] for e in page.evaluate("window.sohbetEvents")] == XSS
    # Nothing ran anywhere: no dialog, no alert() call, no inline code refused by CSP.
    assert widget.dialogs == []
    assert page.evaluate("[window.__alerts, window.__csp]") == [0, []]
    assert widget.in_frame("[window.__alerts, window.__csp]") == [0, []]


def post_visit(server, tenant, origin: str) -> tuple[int, dict]:
    """The loader's page-view beacon, sent from ``origin``."""
    request = urllib.request.Request(  # noqa: S310 (a loopback http URL)
        f"{server.url}/w/{tenant.widget_key}/visit",
        data=json.dumps({"token": None, "url": f"{origin}/"}).encode(),
        headers={"Content-Type": "text/plain", "Origin": origin},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_allowed_sites_keep_the_chat_off_other_sites(web, host, team, browser_context):
    tenant, _operator = team
    configure(tenant, allowed_origins="https://shop.example.com")
    url = host.page("/", tenant=tenant, base=web.url)

    # A beacon from that site is refused (403).
    assert post_visit(web, tenant, host.origin) == (
        403,
        {"error": "origin_not_allowed", "message": "This site may not show this chat."},
    )
    # The loader's config request is refused too: it draws nothing and sends no beacon.
    stranger = Widget(browser_context().new_page())
    requests: list[str] = []
    stranger.page.on("request", lambda r: requests.append(r.url))
    with stranger.page.expect_response(re.compile(r"/config\.json$")) as config:
        stranger.goto(url)
    assert config.value.status == 403
    expect(stranger.launcher).to_have_count(0)
    assert stranger.page.locator("iframe").count() == 0
    assert not [u for u in requests if u.endswith("/visit")]
    assert stranger.page.evaluate(f"localStorage.getItem('{token_key(tenant)}')") is None

    # Even a hand-made iframe of the chat window is refused by the browser (frame-ancestors).
    chat_url = f"{web.url}/w/{tenant.widget_key}/chat/?embed=1"
    with (
        stranger.page.expect_response(re.compile(r"/chat/\?embed=1")) as chat,
        stranger.page.expect_event(
            "requestfailed", predicate=lambda r: "/chat/?embed=1" in r.url
        ) as refused,
    ):
        stranger.page.evaluate(
            "url => { const f = document.createElement('iframe'); f.src = url;"
            " document.body.appendChild(f); }",
            chat_url,
        )
    csp = chat.value.headers["content-security-policy"]
    assert "frame-ancestors https://shop.example.com" in csp
    assert "ERR_BLOCKED_BY_RESPONSE" in (refused.value.failure or "")
    [blocked] = [f for f in stranger.page.frames if f.parent_frame is not None]
    assert not blocked.url.startswith(web.url)
    assert [f for f in stranger.received if f.get("type") == "ready"] == []

    # The shop's own origin on the list: the same page works.
    configure(tenant, allowed_origins=f"https://shop.example.com\n{host.origin}")
    shop = Widget(browser_context().new_page())
    with shop.page.expect_response(re.compile(r"/visit$")) as visit_ok:
        shop.goto(url)
    assert visit_ok.value.status == 200
    shop.open()
    shop.wait_for_frame("ready")
    expect(shop.frame.locator("#composer")).to_be_visible()
    assert shop.page.evaluate(f"localStorage.getItem('{token_key(tenant)}')").startswith("vt_")


def test_chat_window_speaks_turkish(web, host, team, inbox, browser_context, screenshot):
    tenant, _operator = team
    widget = Widget(browser_context(locale="tr-TR").new_page())
    widget.goto(host.page("/", tenant=tenant, base=web.url)).open()
    expect(widget.frame.locator("html")).to_have_attribute("lang", "tr")
    expect(widget.input).to_have_attribute("placeholder", "Mesajınızı yazın…")
    expect(widget.frame.locator("#send")).to_have_attribute("aria-label", "Gönder")
    expect(widget.frame.locator("#close")).to_have_attribute("aria-label", "Sohbeti kapat")
    expect(widget.frame.locator("#status")).to_have_text("Çevrimiçi")
    widget.say("Merhaba, laleler taze mi?")
    expect(widget.mine.last.locator(".st")).to_have_text("Gönderildi")
    screenshot(widget.page, "widget-7-turkish")


def test_small_screen_chat_covers_the_screen(web, host, team, browser_context, screenshot):
    tenant, _operator = team
    viewport = {"width": 390, "height": 700}
    widget = Widget(browser_context(viewport=viewport).new_page())
    widget.goto(host.page("/", tenant=tenant, base=web.url)).open()
    box = widget.iframe.bounding_box()
    assert box is not None
    assert abs(box["x"]) <= 1 and abs(box["y"]) <= 1
    assert abs(box["width"] - 390) <= 1 and abs(box["height"] - 700) <= 1
    composer = widget.frame.locator("#composer").bounding_box()
    assert composer is not None and composer["y"] + composer["height"] <= 700 + 1
    screenshot(widget.page, "widget-8-small-screen")

    widget.frame.locator("#close").click()
    expect(widget.iframe).to_be_hidden()
    expect(widget.launcher).to_be_visible()


def test_a_reloaded_chat_page_shows_its_cache_and_asks_only_for_what_is_new(
    web, team, inbox, browser_context, screenshot
):
    """The chat page on its own (a link, an app's web view) keeps what the tab showed; after a
    reload it shows that at once and asks the server only for messages after the newest one
    it received. The visitor's own messages come back to the tab as acks only (no copy to the
    socket that sent them), and are in that cache too."""
    tenant, _operator = team
    page = browser_context().new_page()
    hellos = []

    def socket(ws) -> None:
        if "/ws/widget/" in ws.url:
            ws.on(
                "framesent",
                lambda payload: (
                    hellos.append(json.loads(payload)) if '"hello"' in payload else None
                ),
            )

    page.on("websocket", socket)
    page.goto(f"{web.url}/w/{tenant.widget_key}/chat/")
    box = page.get_by_label("Message")
    bubbles = page.locator("#log .row:not(.welcome) .bubble")
    box.fill("Is the blue vase in stock?")
    box.press("Enter")
    number = open_conversation(inbox, "Is the blue vase in stock?")
    reply = inbox.reply(number, "Yes, two left.")
    both = ["Is the blue vase in stock?", "Yes, two left."]
    expect(bubbles).to_have_text(both)
    box.fill("I'll take one.")
    box.press("Enter")
    expect(page.locator("#log .row.me .st").last).to_have_text("Sent")  # acked

    page.reload()
    expect(bubbles).to_have_text([*both, "I'll take one."])
    expect(page.locator("#log .row.me .st").last).to_have_text("Sent")
    wait_until(page, lambda: len(hellos) >= 2, "the reloaded page's hello")
    # The reply was the newest message the tab received; its own ones did not move last_id.
    assert [h["last_id"] for h in hellos][-1] == reply["id"]
    screenshot(page, "widget-cache-after-reload")


def test_a_reply_whose_doorbell_was_lost_is_fetched_when_the_next_one_shows_the_gap(
    web, host, team, inbox, browser_context, screenshot
):
    """The operator's reply is stored but its live frame never reaches the chat window (a
    server process or Redis dropped it). The next reply is numbered two beyond the last one the
    window holds: the window sees the gap, sends ``resume`` and shows both, in order. The test
    stands between the window and the server and drops the first reply's frame."""
    tenant, _operator = team
    context = browser_context()
    context.route_web_socket(re.compile(r".*/ws/widget/.*"), LostDoorbells("Kayıp zil"))
    widget = Widget(context.new_page()).goto(host.page("/", tenant=tenant, base=web.url))
    widget.open()
    widget.say("Where is my order?")
    expect(widget.mine.last.locator(".st")).to_have_text("Sent")  # stored
    public_id = widget.wait_for_frame("ack")["conversation"]
    with scopes_disabled():
        number = in_thread(
            lambda: Message.objects.filter(conversation__public_id=public_id)[0].conversation.number
        )

    inbox.reply(number, "Kayıp zil")
    inbox.reply(number, "Sonraki yanıt")
    expect(widget.bubbles).to_have_text(["Where is my order?", "Kayıp zil", "Sonraki yanıt"])
    screenshot(widget.page, "widget-reply-fetched-after-a-gap")


def refusals(widget: Widget) -> dict:
    """What the browser refused under a Content-Security-Policy, in the page and the chat
    window, and what it said about it on the console."""
    return {
        "page": widget.page.evaluate("window.__csp"),
        "chat window": widget.in_frame("window.__csp"),
        "console": [line for line in widget.console if "Content Security Policy" in line],
    }


def test_a_shop_with_a_strict_policy_runs_the_widget_and_the_browser_refuses_nothing(
    web, host, team, inbox, browser_context
):
    """The shop sends the Content-Security-Policy docs/embedding.md describes: no inline code
    but its nonce, no inline style at all, and Sohbet's address (and its WebSocket address)
    where the widget needs it. The launcher is styled, the presence socket opens, the chat
    window opens and chats; nothing is refused."""
    tenant, _operator = team
    sohbet, sockets = web.url, web.ws
    policy = (
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' " + sohbet + "; style-src 'self'; "
        f"connect-src 'self' {sohbet} {sockets}; frame-src {sohbet}; img-src 'self'; "
        "object-src 'none'; base-uri 'self'"
    )
    widget = Widget(browser_context().new_page())
    with widget.page.expect_websocket(lambda ws: "/ws/presence/" in ws.url):
        widget.goto(host.page("/", tenant=tenant, base=sohbet, policy=policy))
    # The launcher's own styles apply (a refused <style> would leave a bare button).
    expect(widget.launcher).to_have_css("position", "fixed")
    widget.open()
    widget.say("Does your policy let me in?")
    number = open_conversation(inbox, "Does your policy let me in?")
    inbox.reply(number, "It does.")
    expect(widget.theirs.last.locator(".bubble")).to_have_text("It does.")
    assert refusals(widget) == {"page": [], "chat window": [], "console": []}


def test_the_demo_shop_runs_the_widget_under_its_nonce_policy(web, team, inbox, browser_context):
    """Sohbet's demo shop is one of its own pages: its inline style and scripts carry the
    response's nonce."""
    tenant, _operator = team
    widget = Widget(browser_context().new_page())
    widget.goto(f"{web.url}/demo/?key={tenant.widget_key}&page=contact")
    expect(widget.page.locator("header")).to_have_css("display", "flex")  # its <style> applies
    widget.page.get_by_role("button", name="Open the chat").click()  # its SDK script runs
    expect(widget.input).to_be_visible()
    widget.say("Is the shirt linen?")
    number = open_conversation(inbox, "Is the shirt linen?")
    inbox.reply(number, "Washed linen.")
    expect(widget.theirs.last.locator(".bubble")).to_have_text("Washed linen.")
    assert refusals(widget) == {"page": [], "chat window": [], "console": []}
