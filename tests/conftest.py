"""Test harness.

- Tests marked ``postgres``, ``redis`` or ``browser`` need the real service; without it they
  skip locally. Under ``CI=true`` any skip fails the run, and the run refuses to start without
  PostgreSQL and Redis.
- Background jobs run in-process (eager) unless a test asks for the real Celery worker
  (the ``celery_worker`` fixture).
"""

import os
import shutil
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from django_scopes import scopes_disabled

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

_skipped: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    # Django's async-safety check stays on in the tests, the servers and the workers they start:
    # it guards the code under test (tests.utils.in_thread for a browser test's own ORM work).
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Channels of its own on Redis: Redis pub/sub is shared by every database number, so two
    # runs on one Redis (or a run beside a bench) would otherwise hear each other's events.
    prefix = f"sohbet-t{uuid.uuid4().hex[:8]}"
    os.environ["CHANNELS_PREFIX"] = prefix
    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer and "prefix" in layer["CONFIG"]:
        layer["CONFIG"]["prefix"] = prefix
    if IN_CI:
        db_url = os.environ.get("DATABASE_URL", "")
        if not db_url.startswith(("postgres://", "postgresql://")):
            raise pytest.UsageError("CI=true needs DATABASE_URL pointing at PostgreSQL.")
        if not os.environ.get("REDIS_URL"):
            raise pytest.UsageError("CI=true needs REDIS_URL pointing at Redis.")


def _available() -> dict[str, str | None]:
    """Marker -> reason it cannot run here (None when it can)."""
    return {
        "postgres": None
        if connection.vendor == "postgresql"
        else "needs PostgreSQL (set DATABASE_URL)",
        "redis": None if settings.REDIS_URL else "needs Redis (set REDIS_URL)",
        "browser": None
        if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)
        else f"needs Chromium at {CHROMIUM}",
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = _available()
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IN_CI and _skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(
                f"CI=true: {len(_skipped)} test(s) skipped; in CI every test must run:",
                red=True,
            )
            for nodeid in _skipped:
                reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    """Fast, isolated defaults: jobs eager, rate limits off unless a test turns them on, cheap
    password hashes (tests/hashers.py), a cache key prefix of the test's own so Redis-backed
    counters never leak between tests, and the default language again afterwards."""
    from config.celery import app

    settings.RATELIMIT_ENABLE = False
    settings.PASSWORD_HASHERS = [
        "tests.hashers.QuickArgon2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    settings.CACHES = {
        name: {**conf, "KEY_PREFIX": f"t{uuid.uuid4().hex[:10]}"}
        for name, conf in settings.CACHES.items()
    }
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = "celery_worker" not in request.fixturenames
    yield
    app.conf.task_always_eager = previous
    # Each test starts in the default language: a request through Django's test client leaves
    # the language it chose (Accept-Language, the user's own) active in the test's thread.
    translation.deactivate()


@pytest.fixture
def unscoped():
    with scopes_disabled():
        yield


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from the Redis broker."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL)")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run
    # The solo pool announces a new worker process (worker_process_init) in this thread, and
    # Celery's Django fix-up then closes the file descriptor of this thread's open database
    # connection, as a forked child must, and hands the connection back to the process's pool.
    # That pooled connection's descriptor is soon another socket's: the next caller to take it
    # would send its health check there and wait forever. No open connection here, no harm.
    connection.close()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def mail_server():
    """A real SMTP server on loopback (aiosmtpd) that keeps what it accepts (tests/mail.py)."""
    from tests.mail import MailServer

    server = MailServer()
    server.controller.start()
    yield server
    server.holding.clear()
    server.controller.stop()


@pytest.fixture
def mail(settings, mail_server):
    """The SMTP server on loopback, with this process's emails going to it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mail_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Sohbet <no-reply@sohbet.example>"
    settings.INBOUND_EMAIL_DOMAIN = "reply.sohbet.example"
    settings.PUBLIC_BASE_URL = "https://chat.sohbet.example"
    return mail_server
