"""The periodic jobs of ``CELERY_BEAT_SCHEDULE``, run without Celery beat: inside the web process
on the embedded defaults (``config.asgi`` starts ``run_forever`` on the server's event loop), or
by ``manage.py run_periodic``. In the web process, what the jobs publish (a snoozed conversation
waking, the queue moving) reaches that process's sockets, as it must with an in-memory channel
layer. Production runs ``celery beat`` instead.
"""

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from celery import current_app
from django.conf import settings

from apps.core import realtime

logger = logging.getLogger(__name__)


def jobs() -> dict[str, tuple[str, float]]:
    """name -> (task name, seconds between runs), for the schedule's plain intervals."""
    return {
        name: (entry["task"], float(entry["schedule"]))
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if isinstance(entry.get("schedule"), int | float)
    }


def run_due(due: dict[str, float], now: float) -> None:
    """Run, in this thread, every job whose time has come; note when each is due next."""
    current_app.loader.import_default_modules()  # every app's tasks registered
    for name, (task, every) in jobs().items():
        if now >= due.get(name, 0.0):
            due[name] = now + every
            try:
                current_app.tasks[task]()  # the task's body, here and now
            except Exception:  # keep the other jobs running; say what failed
                logger.exception("periodic job %s failed", name)


async def run_forever(tick: float = 1.0) -> None:
    """Run the jobs on time, each in a worker thread, for as long as the event loop lives."""
    realtime.serving()  # what the jobs publish goes out from this loop
    due: dict[str, float] = {}
    while True:
        # The thread Django's sync work shares (SQLite, the embedded default, has one writer).
        await sync_to_async(run_due, thread_sensitive=True)(due, time.monotonic())
        await asyncio.sleep(tick)
