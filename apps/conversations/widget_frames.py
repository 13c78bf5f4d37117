"""Frames of the visitor's socket that the apps above ``conversations`` handle.

``conversations`` imports no feature app, so a feature app registers a handler from its
``AppConfig.ready()``: ``register("contact", fn, limit=FrameLimit(...))``. The visitor socket
(``consumers/visitor.py``) calls ``fn(visitor=..., frame=..., language=...)`` in a worker thread,
inside the workspace's scope, once the socket has said hello. ``fn`` checks the frame and calls
its app's services; it returns the answer frame (a dict with its ``type``) or None, and raises a
``Refusal`` (``apps.core.errors``) for bad input, which becomes an error frame.
"""

from collections.abc import Callable

from apps.conversations.consumers.common import FRAME_LIMITS
from apps.core.consumers import FrameLimit

_handlers: dict[str, Callable[..., dict | None]] = {}


def register(frame_type: str, fn: Callable[..., dict | None], *, limit: FrameLimit) -> None:
    """Add a frame type (the socket's own types come first: a name it has is never reached)."""
    if frame_type in _handlers or frame_type.startswith("_"):
        raise ValueError(f"the visitor socket already has a {frame_type!r} frame")
    _handlers[frame_type] = fn
    FRAME_LIMITS[frame_type] = limit


def handler(frame_type: str) -> Callable[..., dict | None] | None:
    return _handlers.get(frame_type)
