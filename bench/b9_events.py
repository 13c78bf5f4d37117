"""B9: an event handed to every handler after commit, through a real Celery worker.

Two generator processes record events (``bench.tick``) at half the rate each, each event in its
own transaction on one of 100 conversation streams, as the message service records
``message.created``; after commit each is handed over as in production (a Celery task per
stream). A Celery worker (prefork, one process per core) runs the handler of
``bench/event_sink.py``, which notes when the event reached it by the database's clock. The
figures: p99 of (reached − recorded), events never reached within 60 s of the last one, and
events a handler got twice.
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.common import ROOT, Env, Row, celery_worker_command

STREAMS = 100
GENERATORS = 2


def _env(env: Env) -> dict[str, str]:
    return env.server_env(CELERY_TASK_ALWAYS_EAGER="0", EVENT_HANDLER_MODULES="bench.event_sink")


def _counts() -> tuple[int, int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_event WHERE kind = 'bench.tick'")
        recorded = cursor.fetchone()[0]
        cursor.execute("SELECT count(*), count(DISTINCT event_id) FROM bench_event_sink")
        notes, reached = cursor.fetchone()
    return recorded, reached, notes


def run(env: Env, tenant_id: int) -> list[Row]:
    from bench import event_sink

    event_sink.create_table()
    rate = env.size(full=500, quick=500, smoke=20)
    seconds = env.size(full=20, quick=8, smoke=2)
    worker = subprocess.Popen(
        celery_worker_command(pool="prefork", concurrency=env.cpus),
        cwd=ROOT,
        env=_env(env),
    )
    try:
        # The worker is up once a first event has reached the handler.
        subprocess.run(
            [sys.executable, "-m", "bench.b9_events", str(tenant_id), "1", "1", "0"],
            cwd=ROOT,
            env=_env(env),
            check=True,
        )
        deadline = time.monotonic() + 60
        while _counts()[1] < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        generators = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.b9_events",
                    str(tenant_id),
                    str(rate / GENERATORS),
                    str(seconds),
                    str(g),
                ],
                cwd=ROOT,
                env=_env(env),
            )
            for g in range(GENERATORS)
        ]
        for generator in generators:
            generator.wait()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            recorded, reached, notes = _counts()
            if reached >= recorded:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(30)
    recorded, reached, notes = _counts()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.99) WITHIN GROUP"
            " (ORDER BY extract(epoch FROM s.reached_at - e.created_at))"
            " FROM bench_event_sink s JOIN core_event e ON e.id = s.event_id"
        )
        p99 = cursor.fetchone()[0]
    p99_ms = None if p99 is None else round(float(p99) * 1000, 1)
    judged = not env.smoke
    return [
        Row(
            "B9",
            f"p99 commit → every handler @ {rate} events/s",
            p99_ms,
            "ms",
            target="≤ 1,000 ms",
            ok=(p99_ms is not None and p99_ms <= 1000) if judged else None,
            note=f"{recorded} events recorded over {seconds} s, a real Celery worker",
        ),
        Row(
            "B9",
            "events never handed to the handler / handed twice",
            (recorded - reached) + (notes - reached),
            "events",
            target="0",
            ok=(recorded == reached == notes) if judged else None,
            note=f"{recorded - reached} never reached, {notes - reached} reached twice",
        ),
    ]


def generate(tenant_id: int, rate: float, seconds: float, offset: int) -> None:
    """Record ``rate`` events a second for ``seconds``, each in its own transaction."""
    import django

    django.setup()
    from django.db import transaction
    from django_scopes import scope

    from apps.core import events
    from apps.tenants.models import Tenant
    from bench.event_sink import KIND

    tenant = Tenant.objects.get(pk=tenant_id)
    count = int(rate * seconds)
    start = time.monotonic()
    for n in range(count):
        wait = start + n / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        stream = events.conversation_stream((n * GENERATORS + offset) % STREAMS)
        with scope(tenant=tenant), transaction.atomic():
            events.record(KIND, tenant_id=tenant_id, stream=stream, n=n)


if __name__ == "__main__":
    generate(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
