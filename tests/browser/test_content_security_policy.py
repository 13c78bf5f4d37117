"""Sohbet's pages in a real browser, under their Content-Security-Policy: they work, and the
browser refuses nothing on them (no ``securitypolicyviolation`` event in any frame, nothing on
the console). Against the web process as deployed, so the inbox's WebSocket is a real one under
``connect-src 'self'``. The widget on a customer's page and on the demo shop: test_widget.py.
"""

import contextlib
import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django_scopes import scope
from playwright.sync_api import expect

from apps.conversations.services import label_create
from apps.tenants.models import Role
from tests.browser.conftest import TIMEOUT_MS, log_in, save_screenshot
from tests.conversations.conftest import VisitorClient
from tests.factories import PASSWORD, TenantFactory, UserFactory, member
from tests.live import start_server
from tests.utils import in_thread

pytestmark = pytest.mark.browser

# In every frame of every page, before the page's own scripts: hand each refusal to the test.
WATCH = """
addEventListener('securitypolicyviolation', (e) => window.__refused(
  [e.violatedDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber, location.href].join(' ')
));
"""


@pytest.fixture(scope="module")
def web(django_db_setup, django_db_blocker) -> Iterator:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the web process is another process: needs a file or PostgreSQL test database")
    server = start_server()
    yield server
    server.stop()


class Watched:
    """A browser profile on the web process whose refusals, console errors and warnings, failed
    responses and page errors are kept (``complaints``)."""

    def __init__(self, browser, base_url: str):
        self.refused: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            base_url=base_url, locale="en-US", viewport={"width": 1280, "height": 800}
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.expose_binding("__refused", lambda _source, what: self.refused.append(what))
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "response",
            lambda r: r.status >= 400 and self.console.append(f"{r.status}: {r.url}"),
        )

    def _console(self, message) -> None:
        # Errors and warnings (a refusal is an error); not Chromium's verbose hints.
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.console.append(f"{message.type}: {message.text}")

    def complaints(self) -> dict:
        return {"refused": self.refused, "console": self.console, "errors": self.errors}


@pytest.fixture
def watched(browser, web, request) -> Iterator:
    profiles: list[Watched] = []

    def open_profile() -> Watched:
        profile = Watched(browser, web.url)
        profiles.append(profile)
        return profile

    yield open_profile

    report = getattr(request.node, "_report_call", None)
    for number, profile in enumerate(profiles, start=1):
        if report is not None and report.failed:
            with contextlib.suppress(Exception):
                save_screenshot(profile.page, f"FAILED-{request.node.name}-{number}")
        profile.context.close()


@pytest.fixture
def owner(transactional_db):
    def make():
        tenant = TenantFactory(name="Lale Çiçekçilik")
        owner = member(tenant, Role.OWNER, full_name="Ayşe Owner")
        with scope(tenant=tenant):
            label_create(membership=owner, name="VIP", color="#aa3300")
        return owner

    return in_thread(make)


def test_the_operators_pages_work_and_nothing_is_refused(web, watched, owner):
    tenant = owner.tenant
    profile = watched()
    page = profile.page
    page.goto("/signup/")
    expect(page.get_by_role("heading", name="Create your workspace")).to_be_visible()
    log_in(page, owner.user.email, PASSWORD)

    # The inbox connects over its WebSocket and shows a visitor's message live; a reply
    # reaches the visitor.
    page.goto(f"/app/{tenant.slug}/inbox/")
    expect(page.locator("#inbox-banner")).to_be_hidden()  # connected
    visitor = VisitorClient(web, tenant.widget_key)
    try:
        visitor.hello()
        visitor.say("Is the policy strict?")
        item = page.locator("#inbox-list button").first
        expect(item).to_contain_text("Is the policy strict?")
        item.click()
        expect(page.locator("#inbox-messages .msg-visitor .msg-body")).to_have_text(
            "Is the policy strict?"
        )
        composer = page.locator("#inbox-composer-text")
        composer.fill("Strict, and it works.")
        composer.press("Enter")
        while (message := visitor.expect("message", timeout=10)["message"])["sender"] != "operator":
            pass
        assert message["body"] == "Strict, and it works."
    finally:
        visitor.close()

    # The settings pages; the labels' colours come from the page's nonce-carrying <style>.
    for path, heading in [
        (f"/app/{tenant.slug}/settings/", "Workspace"),
        (f"/app/{tenant.slug}/settings/widget/", "Chat widget"),
        (f"/app/{tenant.slug}/members/", "Members"),
        (f"/app/{tenant.slug}/canned/", "Canned responses"),
        ("/accounts/profile/", "Profile and language"),
        (f"/app/{tenant.slug}/settings/inbox/", "Inbox and assignment"),
        (f"/app/{tenant.slug}/settings/teams/", "Teams"),
        (f"/app/{tenant.slug}/settings/labels/", "Labels"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
    chip = page.locator(".label-chip", has_text="VIP")
    assert chip.evaluate("e => getComputedStyle(e).getPropertyValue('--label').trim()") == (
        "#aa3300"
    )
    # The widget settings' script runs: its copy button copies the embed snippet.
    profile.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/app/{tenant.slug}/settings/widget/")
    page.bring_to_front()
    copy = page.locator('button[data-copy="embed-snippet"]')
    copy.click()
    expect(copy).to_have_text("Copied")
    assert "/widget.js" in page.evaluate("navigator.clipboard.readText()")
    assert profile.complaints() == {"refused": [], "console": [], "errors": []}


def test_django_admin_works_and_nothing_is_refused(web, watched, owner):
    staff = in_thread(UserFactory, email="root@sohbet.test", is_staff=True, is_superuser=True)
    profile = watched()
    page = profile.page
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    # A change list: its script counts the selection.
    page.goto("/admin/tenants/tenant/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_have_text("1 of 1 selected")
    # A change form with inlines (their "add another" row is drawn by the admin's script).
    page.get_by_role("link", name="Lale Çiçekçilik").click()
    expect(page.get_by_role("heading", name=re.compile("Lale Çiçekçilik"))).to_be_visible()
    page.goto("/admin/tenants/user/")
    expect(page.get_by_role("link", name="root@sohbet.test")).to_be_visible()
    assert profile.complaints() == {"refused": [], "console": [], "errors": []}
