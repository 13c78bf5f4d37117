import pytest

from tests.core.conftest import broker  # noqa: F401 (real Celery workers, for the jobs' tests)
from tests.mail import MailServer


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
