"""The Celery app. Tasks are discovered in every app's ``tasks.py``; the beat schedule is
``CELERY_BEAT_SCHEDULE`` in settings, filled by later features."""

import os

from celery import Celery, signals
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sohbet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _database_connections_as_around_a_request(sender=None, **_kwargs) -> None:
    """Around each task in a worker, what Django does around each request: a connection goes
    back to the pool, a broken or expired one is dropped. (Celery's own handling, kept off by
    ``CELERY_DB_REUSE_MAX``, would close the whole pool of a prefork process at every task:
    new connections each time, tens of milliseconds per task.) An eager task runs inside its
    caller's request and leaves the connection to it."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()
