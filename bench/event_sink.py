"""B9's handler (bench/b9_events.py): notes when each event reached it, by the database's clock."""

from django.db import connection

from apps.core import events

KIND = "bench.tick"


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_event_sink"
            " (event_id bigint NOT NULL, reached_at timestamptz NOT NULL)"
        )
        cursor.execute("TRUNCATE bench_event_sink")


@events.handler(KIND)
def note(event) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_event_sink (event_id, reached_at) VALUES (%s, clock_timestamp())",
            [event.pk],
        )
