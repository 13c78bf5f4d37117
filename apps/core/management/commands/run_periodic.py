"""Run the periodic jobs of ``CELERY_BEAT_SCHEDULE`` in this process (apps.core.periodic), where
neither Celery beat nor the web process runs them. Production runs ``celery beat``; on the
embedded defaults the web process runs them itself.

    manage.py run_periodic          # forever: each job at its interval
    manage.py run_periodic --once   # every job once, then exit
"""

import signal
import time

from django.core.management.base import BaseCommand

from apps.core import periodic


class Command(BaseCommand):
    help = "Run the Celery beat schedule's jobs in-process (local run without Celery beat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, **options) -> None:
        due: dict[str, float] = {}
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            periodic.run_due(due, time.monotonic())
            if options["once"]:
                return
            time.sleep(1)
