"""Sockets' database calls take pooled connections (config/settings.py, DB_POOL)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from tests.utils import run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


async def _sockets(rounds: int) -> list[int]:
    """``rounds`` times, 10 sockets' database calls at once, as Channels makes them."""
    pids = []
    for _ in range(rounds):
        calls = [database_sync_to_async(_backend, thread_sensitive=False)() for _ in range(10)]
        pids += await asyncio.gather(*calls)
    return pids


def test_sockets_database_calls_reuse_open_connections():
    """Channels hands a socket's connection back after each call (``DB_CONN_MAX_AGE=0``):
    without the pool every call opened a new PostgreSQL session; with it, once the pool is warm,
    the calls run on sessions already open (the pool may still grow by one or two while a call
    waits)."""
    run(_sockets(1))  # the pool now holds what 10 calls at once need
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        open_before = {row[0] for row in cursor.fetchall()}
    pids = run(_sockets(3))
    assert len(pids) == 30
    new = set(pids) - open_before
    assert len(new) <= 3, f"{len(new)} new PostgreSQL sessions for 30 calls"
