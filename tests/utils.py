import asyncio
import contextvars
import html
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django import db


def page_text(response) -> str:
    """The response body as a person reads it: tags dropped, entities decoded."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def wait_for(condition, timeout: float = 30):
    """Poll ``condition`` until it returns a truthy value, and return that value; fail after
    ``timeout`` seconds, naming the condition (its docstring, when it has one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {condition.__doc__ or condition}")


def run(coro):
    """``asyncio.run(coro)`` on a thread of its own, so that it starts whatever the test's thread
    is running (``asyncio.run`` refuses to start where an event loop already runs)."""
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


def in_thread(fn, /, *args, **kwargs):
    """``fn(*args, **kwargs)`` run in a worker thread; its result (or its exception) here.

    Playwright's sync API keeps an asyncio event loop running in the test's thread, where Django
    refuses synchronous database work (``SynchronousOnlyOperation``); the check stays on, since it
    guards the code under test. Browser tests and their fixtures do their own database work
    (factories, the ORM, ``Client``) through this. The call runs in the caller's context (a
    django-scopes scope applies) and closes its database connections when it returns.
    """
    context = contextvars.copy_context()

    def call():
        try:
            return context.run(fn, *args, **kwargs)
        finally:
            db.connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
