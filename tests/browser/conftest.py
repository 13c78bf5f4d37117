"""Headless Chromium through Playwright's sync API, against pytest-django's ``live_server``.

- Chromium is Debian's (``CHROMIUM_PATH``, default ``/usr/bin/chromium``); Playwright's own
  browser download is never used. The browser starts lazily, on the first test that needs it,
  so collecting these tests on a machine without Chromium works (the root conftest skips them).
- Playwright's sync API keeps an asyncio event loop running in the test's thread for as long as
  it is started, and Django refuses synchronous database work in a thread with a running loop
  (``SynchronousOnlyOperation``). That check stays on (it guards the code under test), so the
  tests' own database work (factories, the ORM, ``Client``) goes through ``tests.utils.in_thread``,
  and Playwright runs per test, started after the test database is set up and stopped before it
  is emptied (pytest-django does that in the test's thread).
- ``page`` is a fresh browser context per test (en-US, 1280x800) whose relative URLs resolve
  against the live server; ``new_page`` opens further contexts (a second person, another
  locale).
- ``screenshot(page, name)`` writes ``test-artifacts/screenshots/<name>.png`` (git-ignored). A
  failing test also leaves a screenshot of each of its open pages there.
"""

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.live import start_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def _compiled_translations() -> None:
    """``.mo`` files are build output (git-ignored); compile any that are missing or stale so
    the live server speaks Turkish, and drop translations Django may have cached before."""
    from django.conf import settings
    from django.core.management import call_command
    from django.utils.translation.reloader import translation_file_changed

    stale = [
        po
        for locale_dir in settings.LOCALE_PATHS
        for po in Path(locale_dir).glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command("compiletranslations", verbosity=0)
        translation_file_changed(sender=None, file_path=stale[0].with_suffix(".mo"))


@pytest.fixture(scope="session")
def _no_stale_screenshots() -> None:
    for stale in SCREENSHOTS.glob("FAILED-*.png"):  # from an earlier run
        stale.unlink()


@pytest.fixture
def playwright(transactional_db) -> Iterator:
    """Started after the test database is ready and stopped before pytest-django empties it: its
    event loop must not be running in the test's thread then (see the module's docstring)."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture
def browser(playwright, _compiled_translations, _no_stale_screenshots) -> Iterator:
    browser = playwright.chromium.launch(
        executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        headless=True,
        args=CHROMIUM_ARGS,
    )
    yield browser
    browser.close()


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "page"


def save_screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_safe_name(name)}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


@pytest.fixture
def screenshot() -> Callable:
    """``screenshot(page, "members")`` -> ``test-artifacts/screenshots/members.png``."""
    return save_screenshot


class Contexts:
    """Browser contexts of one test, each a person with their own cookies, whose relative URLs
    resolve against ``base_url``. A failing test leaves a screenshot of each open page."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.opened: list = []

    def open(self, locale: str = "en-US", width: int = 1280, height: int = 800, **options):
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=locale,
            viewport={"width": width, "height": height},
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.opened.append(context)
        return context.new_page()

    def close(self, request) -> None:
        report = getattr(request.node, "_report_call", None)
        failed = report is not None and report.failed
        for number, context in enumerate(self.opened, start=1):
            if failed:
                for page in context.pages:
                    with contextlib.suppress(Exception):  # it must not hide the failure
                        save_screenshot(page, f"FAILED-{request.node.name}-{number}")
            context.close()


@pytest.fixture
def new_page(browser, live_server, transactional_db, request) -> Iterator[Callable]:
    """Open a page in a new, separate browser context (its own cookies: another person).

    ``new_page()`` is en-US at 1280x800; ``new_page(locale="tr-TR")`` a Turkish browser,
    ``width``/``height`` another screen, other keywords go to Playwright's ``new_context``.
    Relative URLs in ``page.goto`` resolve against the live server.
    """
    contexts = Contexts(browser, live_server.url)
    yield contexts.open
    contexts.close(request)


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, email: str, password: str) -> None:
    """Sign in through the real login form, as a person would."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def login() -> Callable:
    """``login(page, user)`` signs ``user`` in with the factories' password."""
    from tests.factories import PASSWORD

    def do_login(page, user, password: str = PASSWORD) -> None:
        log_in(page, user.email, password)

    return do_login


class LostDoorbells:
    """Stands between a page and the server's socket (Playwright's WebSocket route): passes
    every frame on except the live ``message`` frames whose body is ``lost``, as a server
    process or Redis that dropped their doorbell would. ``to_page`` holds the routes, to hand
    the page frames of the test's own."""

    def __init__(self, lost: str) -> None:
        self.lost = lost
        self.to_page: list = []

    def __call__(self, ws) -> None:
        server = ws.connect_to_server()

        def from_server(message) -> None:
            frame = json.loads(message)
            if frame.get("type") == "message" and frame["message"]["body"] == self.lost:
                return
            ws.send(message)

        server.on_message(from_server)
        self.to_page.append(ws)


@pytest.fixture
def asgi(transactional_db) -> Iterator:
    """A web process as deployed (``tests.live.start_server``): the inbox and its sockets."""
    server = start_server()
    yield server
    server.stop()


@pytest.fixture
def asgi_page(browser, asgi, request) -> Iterator[Callable]:
    """Like ``new_page``, but the relative URLs resolve against the web server."""
    contexts = Contexts(browser, asgi.url)
    yield contexts.open
    contexts.close(request)
