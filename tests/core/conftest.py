"""A real Celery worker on Redis, for the tests of background jobs."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests import live
from tests.live import ROOT
from tests.utils import wait_for  # noqa: F401 (the tests of background jobs import it from here)


class Worker:
    """``celery worker`` in a process of its own (prefork, as deployed), on the test database and
    Redis, with the test handler loaded."""

    def __init__(self, **env: str) -> None:
        self.log = log = ROOT / "test-artifacts" / f"worker-{time.monotonic_ns()}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": live.test_database_url(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "EVENT_HANDLER_MODULES": "tests.core.event_recorder",
            **env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """``kill -9``: no goodbye, no ack, the transaction in flight cut off."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker(transactional_db):
    """Jobs go through Redis to worker processes, as in production. The broker's database
    starts empty: no job left unacknowledged by a worker an earlier test killed is handed out
    again here."""
    import redis
    from django.conf import settings

    from config.celery import app

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    app.conf.task_always_eager = False
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(**env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
