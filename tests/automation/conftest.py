"""A real web process for the automation tests that use sockets (one per test)."""

import pytest

from tests.live import asgi_servers


@pytest.fixture
def server(transactional_db):
    with asgi_servers(1) as servers:
        yield servers[0]
