"""A handler of the event stream for the tests: it writes each event it is given to a table of
its own (``test_event_log``), in the handler's transaction, so a row exists exactly when the
handler's work committed. Loaded by the tests that import it, and by a Celery worker process
through ``EVENT_HANDLER_MODULES``.

What an event's ``data`` asks of it:
- ``fail``: fail on the first ``fail`` attempts;
- ``hold``: a file path; write ``<path>.started`` once the row is written (not committed), then
  wait until ``<path>`` is gone: a task caught mid-work, for a test to kill its worker.
"""

import time
from pathlib import Path

from django.db import connection

from apps.core import events
from apps.core.models import EventFailure

KIND = "test.happened"
TABLE = "test_event_log"


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} "
            "(n serial PRIMARY KEY, event_id bigint NOT NULL, stream text NOT NULL)"
        )
        cursor.execute(f"TRUNCATE {TABLE}")


def logged() -> list[tuple[int, str]]:
    """(event id, stream) of every committed handling, in the order they committed."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT event_id, stream FROM {TABLE} ORDER BY n")  # noqa: S608
        return [tuple(row) for row in cursor.fetchall()]


@events.handler(KIND)
def remember(event) -> None:
    fail = event.data.get("fail", 0)
    if fail:
        failed = (
            EventFailure.objects.filter(event=event, handler=f"{__name__}.remember")
            .values_list("attempts", flat=True)
            .first()
        )
        if (failed or 0) < fail:
            raise RuntimeError(f"failing on purpose, attempt {(failed or 0) + 1}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (event_id, stream) VALUES (%s, %s)",  # noqa: S608
            [event.pk, event.stream],
        )
    hold = event.data.get("hold")
    if hold:
        Path(f"{hold}.started").write_text(str(event.pk))
        deadline = time.monotonic() + 60
        while Path(hold).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
