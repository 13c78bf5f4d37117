import asyncio
import html
import re
import threading


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
