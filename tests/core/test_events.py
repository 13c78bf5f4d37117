"""The event stream (apps.core.events): an event commits with its change or not at all, reaches
each handler after commit exactly once, in order per stream, also when a worker or a web process
dies at the worst moment; events are read per workspace in order and pruned after retention."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.conversations import services
from apps.conversations.models import Message
from apps.core import events
from apps.core.models import Event, EventFailure
from apps.visitors.models import Visitor
from tests import live
from tests.core import event_recorder
from tests.core.conftest import wait_for
from tests.core.event_recorder import KIND, logged
from tests.factories import TenantFactory, member
from tests.live import ROOT

pytestmark = pytest.mark.postgres


@pytest.fixture
def tenant(transactional_db):
    event_recorder.create_table()
    return TenantFactory()


def record(tenant, stream: str = "s:1", **data) -> int:
    with scope(tenant=tenant), transaction.atomic():
        return events.record(KIND, tenant_id=tenant.pk, stream=stream, **data).pk


# --- in-process (the embedded defaults: jobs run eagerly after commit) ----------------------


def test_an_event_reaches_its_handler_after_commit_and_a_rolled_back_one_never(tenant):
    with scope(tenant=tenant), transaction.atomic():
        first = events.record(KIND, tenant_id=tenant.pk, stream="s:1").pk
        assert logged() == []  # not before commit
    assert logged() == [(first, "s:1")]

    with pytest.raises(RuntimeError), scope(tenant=tenant), transaction.atomic():
        events.record(KIND, tenant_id=tenant.pk, stream="s:1")
        raise RuntimeError("the change fails")
    with scopes_disabled():
        assert list(Event.objects.values_list("pk", flat=True)) == [first]
        assert Event.objects.get(pk=first).handled_at is not None
    assert logged() == [(first, "s:1")]


def test_a_stream_reaches_its_handler_in_the_order_recorded(tenant):
    ids = [record(tenant, stream=f"s:{i % 2}") for i in range(6)]
    assert [event_id for event_id, _stream in logged()] == ids


def test_a_failing_handler_is_retried_and_applies_the_event_once(tenant):
    event_id = record(tenant, fail=2)
    assert logged() == []  # in-process, a failure waits for the sweeper (the beat job)
    for _attempt in range(3):
        events.sweep(older_than=timedelta(0))
    assert logged() == [(event_id, "s:1")]
    with scopes_disabled():
        receipt = EventFailure.objects.get(event_id=event_id)
    assert receipt.attempts == 2


def test_a_handler_that_keeps_failing_is_given_up_and_its_stream_goes_on(tenant, settings):
    settings.EVENT_HANDLER_MAX_ATTEMPTS = 3
    broken = record(tenant, fail=99)
    after = record(tenant)
    assert logged() == []  # the stream waits for the failing handler, to keep its order
    for _attempt in range(3):
        events.sweep(older_than=timedelta(0))
    assert logged() == [(after, "s:1")]
    with scopes_disabled():
        receipt = EventFailure.objects.get(event_id=broken)
        assert receipt.attempts == 3
        assert "failing on purpose" in receipt.error
        assert Event.objects.filter(handled_at__isnull=True).count() == 0


def test_events_are_read_per_workspace_in_order_with_a_cursor(tenant):
    other = TenantFactory()
    mine = [record(tenant, n=i) for i in range(5)]
    record(other, n=99)
    with scope(tenant=tenant):
        page = events.read(after_id=0, limit=3)
        assert [e.pk for e in page] == mine[:3]
        assert [e.pk for e in events.read(after_id=page[-1].pk)] == mine[3:]
        assert all(e.tenant_id == tenant.pk for e in events.read(after_id=0, limit=100))


def test_events_past_their_retention_are_pruned_unless_unhandled(tenant, settings):
    settings.EVENT_RETENTION_DAYS = 30
    old, recent = record(tenant), record(tenant)
    with scopes_disabled():
        Event.objects.filter(pk=old).update(created_at=timezone.now() - timedelta(days=31))
        pending = Event.objects.create(
            tenant=tenant, kind=KIND, stream="s:2", created_at=timezone.now() - timedelta(days=40)
        )
        assert events.prune() == 1
        assert set(Event.objects.values_list("pk", flat=True)) == {recent, pending.pk}


def test_what_happens_to_a_conversation_is_recorded_in_its_stream(tenant):
    with scope(tenant=tenant):
        operator = member(tenant, full_name="Deniz")
        visitor = Visitor.objects.create(tenant=tenant)
        first = services.message_create(
            sender=Message.Sender.VISITOR, visitor=visitor, client_id="v1", body="Merhaba"
        )
        conversation = first.conversation
        reply = services.message_create(
            sender=Message.Sender.OPERATOR,
            author=operator.user,
            conversation=conversation,
            client_id="o1",
            body="Hoş geldiniz",
        )
        label = services.label_create(membership=operator, name="VIP")
        services.conversation_label(membership=operator, conversation=conversation, add=[label.pk])
        services.note_add(membership=operator, conversation=conversation, body="a note")
        services.conversation_resolve(membership=operator, conversation=conversation)
        services.message_create(
            sender=Message.Sender.VISITOR, visitor=visitor, client_id="v2", body="Bir şey daha"
        )
        stream = Event.objects.filter(stream=events.conversation_stream(conversation.pk))
        seen = [(e.kind, e.data) for e in stream.order_by("id")]
    kinds = [kind for kind, _data in seen]
    assert kinds == [
        "conversation.created",
        "message.created",
        "message.created",
        "conversation.assigned",  # the operator who answered took it
        "conversation.labels_changed",
        "note.added",
        "conversation.status_changed",
        "message.created",
        "conversation.status_changed",  # the visitor's message reopened it
    ]
    data = dict(seen[1][1])
    assert data == {
        "conversation": conversation.pk,
        "message": first.message.pk,
        "sender": "visitor",
        "author": None,
    }
    assert seen[2][1]["message"] == reply.message.pk and seen[2][1]["author"] == operator.user_id
    assert seen[3][1]["assignee"] == operator.user_id
    assert seen[6][1]["status"] == "resolved" and seen[8][1]["status"] == "open"
    # Ids and states only: no message text in the stream.
    assert "Merhaba" not in repr(seen)


# --- a real Celery worker on Redis ----------------------------------------------------------


@pytest.mark.redis
def test_a_worker_applies_each_event_once_in_order_per_stream(tenant, broker):
    broker()
    ids = {stream: [record(tenant, stream=stream) for _ in range(5)] for stream in ("a", "b")}
    done = wait_for(lambda: len(logged()) >= 10 and logged())
    assert len(done) == 10
    for stream, expected in ids.items():
        assert [event_id for event_id, s in done if s == stream] == expected


@pytest.mark.redis
def test_a_worker_killed_mid_task_loses_nothing_and_applies_nothing_twice(tenant, broker, tmp_path):
    hold = tmp_path / "hold"
    hold.write_text("")
    first = broker()
    event_id = record(tenant, hold=str(hold))
    following = record(tenant)
    wait_for(lambda: Path(f"{hold}.started").exists())
    first.kill()  # the handler had written its row, not committed it
    hold.unlink()
    assert logged() == []
    broker()
    assert events.sweep(older_than=timedelta(0)) == 1  # what the beat job does every 15 s
    done = wait_for(lambda: len(logged()) >= 2 and logged())
    assert done == [(event_id, "s:1"), (following, "s:1")]
    with scopes_disabled():
        assert not Event.objects.filter(handled_at__isnull=True).exists()


@pytest.mark.redis
def test_a_web_process_that_dies_between_commit_and_dispatch_loses_nothing(tenant, broker):
    script = (
        "import os, signal, django; django.setup()\n"
        "from django.db import transaction\n"
        "from django_scopes import scope\n"
        "from apps.core import events\n"
        f"with scope(tenant={tenant.pk}), transaction.atomic():\n"
        "    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))\n"
        f"    print(events.record({KIND!r}, tenant_id={tenant.pk}, stream='s:9').pk, flush=True)\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": live.test_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "EVENT_HANDLER_MODULES": "tests.core.event_recorder",
    }
    died = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert died.returncode == -signal.SIGKILL, died.stderr
    event_id = int(died.stdout.strip())
    with scopes_disabled():
        assert Event.objects.get(pk=event_id).handled_at is None  # committed, never dispatched
    broker()
    assert logged() == []
    assert events.sweep(older_than=timedelta(0)) == 1
    assert wait_for(logged) == [(event_id, "s:9")]


def test_identifying_a_visitor_and_membership_changes_are_recorded(tenant):
    from apps.conversations.services import visitor_identify
    from apps.tenants.models import Role
    from apps.tenants.services import (
        membership_change_role,
        membership_remove,
        widget_settings_get,
    )
    from apps.visitors.services import identity_hash

    with scope(tenant=tenant):
        owner = member(tenant, Role.OWNER, full_name="Owner")
        operator = member(tenant, full_name="Deniz")
        visitor = Visitor.objects.create(tenant=tenant)
        secret = widget_settings_get(tenant=tenant).identity_secret
        visitor_identify(visitor=visitor, token_hash="", user_id="u-1", user_hash="wrong")
        visitor_identify(
            visitor=visitor,
            token_hash="",
            user_id="u-1",
            user_hash=identity_hash(secret=secret, user_id="u-1"),
        )
        membership_change_role(actor=owner, membership=operator, role=Role.ADMIN)
        membership_remove(actor=owner, membership=operator)
        seen = [(e.kind, e.data) for e in events.read(kinds=["visitor.identified"])]
        changes = [e.data for e in events.read(kinds=["membership.changed"])]
    # Only the verified identity counts; an unverified claim is no event.
    assert seen == [("visitor.identified", {"visitor": visitor.pk, "merged_from": None})]
    assert {
        "user": operator.user_id,
        "role": "admin",
        "previous": "operator",
        "actor": owner.user_id,
    } in changes
    assert changes[-1] == {
        "user": operator.user_id,
        "role": None,
        "previous": "admin",
        "actor": owner.user_id,
    }
