"""The event stream: a transactional outbox (DESIGN.md §4, docs/architecture.md).

A service that changes something calls ``record(kind, ...)`` inside its transaction: the event row
commits with the change or not at all. After commit, ``dispatch`` hands the event's stream to
the handlers: with a broker, as a Celery task (``apps.core.tasks.handle_stream``: acks late,
retried with backoff) queued from a background thread of the process, so the socket or request
that recorded the event does not wait for the broker; on the embedded defaults, in-process at
once. The
sweeper (``sweep``, a periodic job) hands over again every stream whose handling did not finish,
so an event is never lost when a process dies between commit and dispatch or a worker dies
mid-task.

Handlers are registered explicitly, at start-up, by each app's ``events.py``::

    from apps.core import events

    @events.handler("message.created")
    def answer(event): ...

A handler runs inside the event's workspace scope and in the transaction that marks the event
handled: it applies an event once, even when the event is handed over twice. The
events of one stream (one conversation, say) reach each handler in the order they were recorded.
A handler that fails undoes its batch (every handler's work on those events) and is retried (the
stream waits, to keep the order); after ``EVENT_HANDLER_MAX_ATTEMPTS`` failures it is given up
for that event, logged, and the stream goes on. Side effects outside the database (an email, a
webhook) are queued as jobs keyed by the event id, so a batch done again repeats nothing.

Events are kept for ``EVENT_RETENTION_DAYS`` (``prune``) and read per workspace in order with
``read`` (a cursor): the raw facts for analytics, the audit log and webhooks.
"""

import contextvars
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_scopes import scope, scopes_disabled

from apps.core.models import Event, EventFailure

logger = logging.getLogger(__name__)

Handler = Callable[[Event], None]

_handlers: dict[str, list[tuple[str, Handler]]] = {}  # kind -> [(handler name, function)]
# The event whose handler runs now: what it records is one step further down the chain.
_handling: contextvars.ContextVar[Event | None] = contextvars.ContextVar("handling", default=None)
_discovered = False


def handler(*kinds: str) -> Callable[[Handler], Handler]:
    """Register the decorated function for events of ``kinds`` (in an app's ``events.py``)."""

    def register(fn: Handler) -> Handler:
        name = f"{fn.__module__}.{fn.__qualname__}"
        for kind in kinds:
            entries = _handlers.setdefault(kind, [])
            if all(existing != name for existing, _fn in entries):
                entries.append((name, fn))
        return fn

    return register


def discover() -> None:
    """Import every installed app's ``events.py`` and the modules of ``EVENT_HANDLER_MODULES``
    (called once at start-up, by ``CoreConfig.ready``)."""
    global _discovered
    if _discovered:
        return
    autodiscover_modules("events")
    for path in settings.EVENT_HANDLER_MODULES:
        import_module(path)
    _discovered = True


def handlers_for(kind: str) -> list[tuple[str, Handler]]:
    return _handlers.get(kind, [])


def conversation_stream(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def visitor_stream(visitor_id: int) -> str:
    return f"visitor:{visitor_id}"


def workspace_stream(tenant_id: int) -> str:
    return f"workspace:{tenant_id}"


# --- writing --------------------------------------------------------------------------------


def record(kind: str, *, tenant_id: int, stream: str, **data) -> Event:
    """Record that ``kind`` happened, in the caller's transaction; handed to the handlers after
    commit. ``data``: JSON values (ids, states), no message text or personal data. An event no
    handler listens for is stored as handled (it stays readable in the stream). Recorded by a
    handler, it is one step deeper than the event handled (``Event.depth``)."""
    pending = bool(handlers_for(kind))
    cause = _handling.get()
    event = Event(
        tenant_id=tenant_id,
        kind=kind,
        stream=stream,
        data=data,
        depth=cause.depth + 1 if cause is not None else 0,
        handled_at=None if pending else timezone.now(),
    )
    event.save(force_insert=True)  # the model's own save: no scoped query built to insert
    if pending:
        transaction.on_commit(lambda: _hand_over(stream), robust=True)
    return event


# Queues the streams' tasks with the broker after commit, one at a time, off the thread that
# committed: a chat message's sender and its doorbells never wait for the broker. A process
# that dies with a stream still here loses nothing (the sweeper hands it over). One per
# process: a forked child (a Celery or web worker) makes its own.
_handovers: tuple[int, ThreadPoolExecutor] | None = None
_handovers_lock = threading.Lock()


def _handover_thread() -> ThreadPoolExecutor:
    global _handovers
    with _handovers_lock:
        if _handovers is None or _handovers[0] != os.getpid():
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="events-handover")
            _handovers = (os.getpid(), pool)
        return _handovers[1]


def _hand_over(stream: str) -> None:
    from apps.core.tasks import handle_stream

    if handle_stream.app.conf.task_always_eager:
        dispatch(stream)  # the embedded defaults: handled now, in this thread
    else:
        _handover_thread().submit(dispatch, stream)


def dispatch(stream: str, *, again: bool = False) -> None:
    """Hand ``stream``'s unhandled events to the handlers: a Celery task with a broker, which
    retries with backoff; on the embedded defaults the same work in-process, now, where a
    failure waits for the sweeper. A failure here loses nothing: the sweeper hands the stream
    over again (``again``: even if a task for it seems queued).

    With a broker a stream has at most one task waiting: a busy conversation's events are
    handled together, and the queue does not fill with tasks that find nothing to do. The
    mark lasts until the task starts (or ``EVENT_SWEEP_AFTER_SECONDS``, should it be lost)."""
    from apps.core.tasks import handle_stream

    try:
        if handle_stream.app.conf.task_always_eager:
            handle_stream_now(stream)
        elif again or cache.add(_queued_key(stream), 1, timeout=settings.EVENT_SWEEP_AFTER_SECONDS):
            handle_stream.delay(stream)
    except Exception:
        logger.exception("handing over the events of %s failed; the sweeper will retry", stream)


def _queued_key(stream: str) -> str:
    return f"events:queued:{stream}"


def take_over(stream: str) -> None:
    """A task starts on ``stream``: events recorded from now on need a task of their own (the
    ones before are read by this one, after this)."""
    cache.delete(_queued_key(stream))


# --- handling -------------------------------------------------------------------------------


def handle_stream_now(stream: str, *, batch: int = 100) -> int:
    """Give every unhandled event of ``stream`` to its handlers, oldest first; the number of
    events finished. Raises the first handler error that should be retried (the events from that
    batch on wait, so each handler keeps the stream's order)."""
    finished = 0
    while True:
        try:
            done = _handle_batch(stream, batch)
        except _HandlerFailed as failed:
            attempts = _count_failure(failed)
            if attempts < settings.EVENT_HANDLER_MAX_ATTEMPTS:
                raise failed.error from None
            logger.error(
                "event handler %s gave up on %s #%s after %s attempts",
                failed.name,
                failed.event.kind,
                failed.event.pk,
                attempts,
                exc_info=failed.error,
            )
            continue  # the batch again, without the given-up handler for that event
        finished += done
        if done < batch:
            # Drained as of this read: an event committed since has been handed over itself.
            return finished


class _HandlerFailed(Exception):
    def __init__(self, event: Event, name: str, error: Exception):
        super().__init__(name)
        self.event, self.name, self.error = event, name, error


def _handle_batch(stream: str, size: int) -> int:
    """Up to ``size`` of the stream's unhandled events, all handlers, in one transaction that
    also marks them handled: a handler's work commits exactly when its event is marked, so an
    event handed over twice is applied once, and a failure (or a worker's death) undoes the
    whole batch."""
    with scopes_disabled(), transaction.atomic():
        # The events' row locks: two workers handed the same stream take turns, and the second
        # finds them handled.
        events = list(
            Event.objects.select_for_update(of=("self",))
            .filter(stream=stream, handled_at__isnull=True)
            .annotate(failed_before=Exists(EventFailure.objects.filter(event=OuterRef("pk"))))
            .select_related("tenant")
            .order_by("id")[:size]
        )
        if not events:
            return 0
        given_up = set()
        if any(event.failed_before for event in events):  # rare: look the failures up then
            given_up = set(
                EventFailure.objects.filter(
                    event__in=events, attempts__gte=settings.EVENT_HANDLER_MAX_ATTEMPTS
                ).values_list("event_id", "handler")
            )
        for event in events:
            with scope(tenant=event.tenant):
                for name, fn in handlers_for(event.kind):
                    if (event.pk, name) in given_up:
                        continue
                    token = _handling.set(event)
                    try:
                        fn(event)
                    except Exception as exc:
                        raise _HandlerFailed(event, name, exc) from exc
                    finally:
                        _handling.reset(token)
        Event.objects.filter(pk__in=[event.pk for event in events]).update(
            handled_at=timezone.now()
        )
    return len(events)


def _count_failure(failed: _HandlerFailed) -> int:
    """Count a failed attempt, in a transaction of its own (the batch's was rolled back)."""
    with scopes_disabled(), transaction.atomic():
        failure, _created = EventFailure.objects.select_for_update().get_or_create(
            event=failed.event, handler=failed.name, defaults={"tenant_id": failed.event.tenant_id}
        )
        failure.attempts += 1
        failure.error = repr(failed.error)[:2000]
        failure.save(update_fields=["attempts", "error"])
    return failure.attempts


# --- the sweeper, retention, reading --------------------------------------------------------


def sweep(*, older_than: timedelta | None = None, limit: int = 1000) -> int:
    """Hand over again every stream with an event left unhandled for ``older_than`` (a process
    died after commit, a worker mid-task, the broker was down). Returns how many streams."""
    if older_than is None:
        older_than = timedelta(seconds=settings.EVENT_SWEEP_AFTER_SECONDS)
    cutoff = timezone.now() - older_than
    with scopes_disabled():
        streams = list(
            Event.objects.filter(handled_at__isnull=True, created_at__lte=cutoff)
            .order_by()
            .values_list("stream", flat=True)
            .distinct()[:limit]
        )
    for stream in streams:
        dispatch(stream, again=True)
    return len(streams)


def prune(*, now=None, batch: int = 5000) -> int:
    """Delete handled events older than ``EVENT_RETENTION_DAYS``, a batch at a time."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVENT_RETENTION_DAYS)
    deleted = 0
    with scopes_disabled():
        while True:
            ids = list(
                Event.objects.filter(created_at__lt=cutoff, handled_at__isnull=False).values_list(
                    "pk", flat=True
                )[:batch]
            )
            if not ids:
                return deleted
            Event.objects.filter(pk__in=ids).delete()
            deleted += len(ids)


def read(*, after_id: int = 0, limit: int = 100, kinds: list[str] | None = None) -> list[Event]:
    """The current workspace's events after ``after_id``, oldest first (inside its scope): a
    cursor over the stream for analytics, the audit log and webhooks."""
    events = Event.objects.filter(pk__gt=after_id).order_by("id")
    if kinds:
        events = events.filter(kind__in=kinds)
    return list(events[: max(1, min(limit, 1000))])
