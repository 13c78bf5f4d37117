import asyncio
import html
import re
import threading
import time


def page_text(response) -> str:
    """The response body as a person reads it: tags dropped, entities decoded."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def run(coro):
    """``asyncio.run(coro)`` on a thread of its own: a browser test earlier in the session may
    leave an event loop running in the test thread, where ``asyncio.run`` refuses to start."""
    result: dict = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the test thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def drop_loop_connections() -> int:
    """What a PostgreSQL restart does to the event loop's own connections (apps.core.adb):
    their backends end. Returns how many. Runs in a thread of its own, which it leaves without
    a connection."""
    from django.db import connection

    from apps.core import adb

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE application_name = %s AND datname = current_database()",
                [adb.APPLICATION_NAME],
            )
            pids = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
            # pg_terminate_backend only signals: wait until the backends have ended, as they
            # have after a restart (a check of the pool meanwhile would find them alive).
            deadline = time.monotonic() + 10
            while pids and time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.02)
            return len(pids)
    finally:
        connection.close()


def on_a_loop(scenario):
    """Run ``scenario()`` on a fresh event loop (``run``); the loop's database and cache
    connections (apps.core.adb, apps.core.cache) are closed after."""
    from apps.core import adb, cache

    async def main():
        try:
            return await scenario()
        finally:
            await adb.close()
            await cache.aclose()

    return run(main())
