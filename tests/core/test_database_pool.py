"""Many sockets' database work at once on one web process: every call is served, and PostgreSQL
sees no more sessions from the process than its pool allows (``DB_POOL_MAX``, the figure an
operator sizes PostgreSQL's ``max_connections`` by: processes × ``DB_POOL_MAX``)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from tests.utils import run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# A socket's database call that takes a moment (50 ms on the server), so that the calls of a
# burst overlap and hold their sessions at the same time: a duration of the scenario, not a wait.
SESSIONS_NOW = """
    SELECT count(*) FROM pg_stat_activity, pg_sleep(0.05)
    WHERE datname = current_database() AND backend_type = 'client backend'
"""


def _sessions_now() -> int:
    with connection.cursor() as cursor:
        cursor.execute(SESSIONS_NOW)
        return cursor.fetchone()[0]


async def _burst(calls: int, rounds: int) -> list[int]:
    """``rounds`` times, ``calls`` sockets' database calls at once, as Channels makes them (each
    in a worker thread; enough threads that none waits for one)."""
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=calls))
    seen = []
    for _ in range(rounds):
        batch = [
            database_sync_to_async(_sessions_now, thread_sensitive=False)() for _ in range(calls)
        ]
        seen += await asyncio.gather(*batch)
    return seen


def test_a_burst_of_socket_calls_is_served_within_the_pools_sessions():
    limit = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    seen = run(_burst(calls=3 * limit, rounds=2))
    assert len(seen) == 2 * 3 * limit  # every call was served, none failed or timed out
    assert max(seen) <= limit, f"{max(seen)} PostgreSQL sessions at once; DB_POOL_MAX is {limit}"
