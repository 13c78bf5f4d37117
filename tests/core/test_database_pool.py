"""Sockets' database calls take pooled connections (config/settings.py, DB_POOL)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from tests.utils import run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_sockets_database_calls_reuse_a_few_open_connections():
    """Channels closes a socket's connection after each call (``DB_CONN_MAX_AGE=0``): without the
    pool every call would open a new PostgreSQL session; with it, they share a few."""

    def backend() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    async def sockets() -> list[int]:
        pids = []
        for _ in range(3):  # three rounds of 10 sockets at once
            calls = [database_sync_to_async(backend, thread_sensitive=False)() for _ in range(10)]
            pids += await asyncio.gather(*calls)
        return pids

    pids = run(sockets())
    assert len(pids) == 30
    assert len(set(pids)) <= 12, f"{len(set(pids))} sessions for 30 calls"
