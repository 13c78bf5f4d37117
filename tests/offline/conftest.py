import os

import pytest

from tests.core.conftest import broker  # noqa: F401 (real Celery workers, for the jobs' tests)
from tests.mail import MailServer
from tests.offline.imap_server import DOVECOT, ImapServer


@pytest.fixture
def imap_server():
    """A real IMAP server (dovecot) on loopback with one empty mailbox."""
    if not os.path.exists(DOVECOT):
        pytest.skip("needs dovecot (apt-get install dovecot-imapd)")
    server = ImapServer()
    yield server
    server.stop()


@pytest.fixture
def mail(settings):
    """A real SMTP server on loopback; this process's emails go to it."""
    server = MailServer()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Sohbet <no-reply@sohbet.example>"
    settings.INBOUND_EMAIL_DOMAIN = "reply.sohbet.example"
    settings.PUBLIC_BASE_URL = "https://chat.sohbet.example"
    yield server
    server.controller.stop()
