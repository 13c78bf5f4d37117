"""The event loop's own PostgreSQL connections (apps.core.adb): lent from a list in front of
psycopg_pool, never more than ASYNC_DB_POOL_MAX at once, none lost to a caller that gives up
while waiting, and a broken one replaced."""

import asyncio

import psycopg
import pytest

from apps.core import adb
from tests.utils import drop_loop_connections, on_a_loop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


async def loop_backends() -> int:
    row = await adb.fetchone(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = %s AND datname = current_database()",
        [adb.APPLICATION_NAME],
    )
    return row[0]


def test_many_statements_at_once_share_at_most_the_configured_connections(settings):
    settings.ASYNC_DB_POOL_MIN, settings.ASYNC_DB_POOL_MAX = 1, 3

    async def scenario():
        rows = await asyncio.gather(
            *(adb.fetchone("SELECT %s::int, pg_sleep(0.02)", [i]) for i in range(30))
        )
        return [row[0] for row in rows], await loop_backends()

    values, backends = on_a_loop(scenario)
    assert values == list(range(30))  # every statement ran, each got its own row back
    assert 1 <= backends <= 3


def test_a_caller_that_gives_up_waiting_loses_no_connection(settings):
    settings.ASYNC_DB_POOL_MIN, settings.ASYNC_DB_POOL_MAX = 1, 1

    async def scenario():
        busy = asyncio.ensure_future(adb.fetchone("SELECT pg_sleep(0.2), 1", []))
        await asyncio.sleep(0.05)
        impatient = asyncio.ensure_future(adb.fetchone("SELECT 2", []))
        patient = asyncio.ensure_future(adb.fetchone("SELECT 3", []))
        await asyncio.sleep(0.05)
        impatient.cancel()  # waiting for the only connection
        first, third = await busy, await patient
        # The one connection is free again: a later statement gets it at once.
        later = await asyncio.wait_for(adb.fetchone("SELECT 4", []), timeout=2)
        return first[1], impatient.cancelled(), third[0], later[0]

    assert on_a_loop(scenario) == (1, True, 3, 4)


def test_a_failed_statement_leaves_the_connection_usable_and_a_dropped_one_is_replaced():

    async def scenario():
        with pytest.raises(psycopg.errors.DivisionByZero):
            await adb.fetchone("SELECT 1 / 0", [])
        after_error = await adb.fetchone("SELECT 5", [])
        dropped = await asyncio.to_thread(drop_loop_connections)
        with pytest.raises(psycopg.OperationalError):
            await adb.fetchone("SELECT 6", [])
        after_drop = await adb.fetchone("SELECT 7", [])
        return after_error[0], dropped, after_drop[0]

    after_error, dropped, after_drop = on_a_loop(scenario)
    assert (after_error, after_drop) == (5, 7)
    assert dropped >= 1
