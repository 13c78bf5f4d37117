"""Run the periodic jobs of ``CELERY_BEAT_SCHEDULE`` in this process, for the one-command local
run (embedded defaults: no Redis, no Celery beat). Production runs ``celery beat`` instead.

    manage.py run_periodic          # forever: each job at its interval
    manage.py run_periodic --once   # every job once, then exit
"""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from config.celery import app


class Command(BaseCommand):
    help = "Run the Celery beat schedule's jobs in-process (local run without Celery beat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, **options) -> None:
        app.loader.import_default_modules()  # registers every app's tasks
        jobs = {
            name: (entry["task"], float(entry["schedule"]))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
            if isinstance(entry.get("schedule"), int | float)
        }
        due = dict.fromkeys(jobs, 0.0)
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            now = time.monotonic()
            for name, (task, every) in jobs.items():
                if now >= due[name]:
                    due[name] = now + every
                    try:
                        app.tasks[task].apply(throw=True)
                    except Exception as exc:  # keep the other jobs running; say what failed
                        self.stderr.write(f"{name}: {exc!r}")
            if options["once"]:
                return
            time.sleep(1)
