import os

import pytest

from tests.core.conftest import broker  # noqa: F401 (real Celery workers, for the jobs' tests)
from tests.offline.imap_server import DOVECOT, ImapServer


@pytest.fixture
def imap_server():
    """A real IMAP server (dovecot) on loopback with one empty mailbox."""
    if not os.path.exists(DOVECOT):
        pytest.skip("needs dovecot (apt-get install dovecot-imapd)")
    server = ImapServer()
    yield server
    server.stop()
