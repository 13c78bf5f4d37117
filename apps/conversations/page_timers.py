"""How long a visitor stays on a page: the apps above ``conversations`` may act on it.

``conversations`` imports no feature app, so an app registers from its ``AppConfig.ready()``:
``register(PageTimer(seconds=..., reached=...))``. ``seconds(tenant_id)`` says which times on a
page matter to the workspace (read once per page); the visitor's socket (the loader's presence
socket or the chat window's) then waits that long after the visitor arrives on a page and, if the
visitor is still there and still connected, calls ``reached(tenant_id=..., visitor_id=...,
seconds=...)`` in a worker thread. A new page starts the count again; a closed socket stops it.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageTimer:
    seconds: Callable[[int], list[int]]
    reached: Callable[..., None]


_timers: list[PageTimer] = []


def register(timer: PageTimer) -> PageTimer:
    if timer not in _timers:
        _timers.append(timer)
    return timer


def timers() -> list[PageTimer]:
    return list(_timers)
