"""A visitor's message into an open conversation from a socket's event loop (PostgreSQL): one
statement on the loop's own connection (apps.core.adb), the same results as the full path in a
worker thread, which still takes everything else."""

import asyncio
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django_scopes import scope, scopes_disabled

from apps.conversations import message_sql, services
from apps.conversations.models import Conversation, Message
from apps.core import adb
from apps.search.models import MessageEntry
from apps.visitors.models import Visitor
from tests.factories import TenantFactory
from tests.utils import drop_loop_connections, on_a_loop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Worker:
    """What ``ScopedConsumer.run`` does: the call in a worker thread, inside the workspace's
    scope; counts the calls that needed it."""

    def __init__(self, tenant):
        self.tenant, self.calls = tenant, 0

    async def __call__(self, fn, /, **kwargs):
        self.calls += 1

        def call():
            try:
                with scope(tenant=self.tenant):
                    return fn(**kwargs)
            finally:
                connection.close()

        return await sync_to_async(call, thread_sensitive=False)()


@pytest.fixture
def visitor():
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)
    return visitor


def post(visitor, worker, client_id=None, body="Hello?"):
    return services.amessage_post_from_visitor(
        visitor=visitor, client_id=client_id or uuid.uuid4().hex, body=body, run=worker
    )


def test_messages_from_many_tabs_at_once_are_stored_counted_and_in_order(visitor):
    worker = Worker(visitor.tenant)

    async def scenario():
        first = await post(visitor, worker, body="first")  # opens the conversation
        tabs = [
            post(visitor, worker, f"tab{n}-{i}", f"tab {n} says {i}")
            for n in range(8)
            for i in range(3)
        ]
        return first, await asyncio.gather(*tabs)

    first, results = on_a_loop(scenario)
    assert first.conversation_created and worker.calls == 1  # only the opening needed a thread
    with scopes_disabled():
        conversation = Conversation.objects.get(pk=first.conversation.pk)
        ids = list(conversation.messages.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 1 + 24 and conversation.operator_unread == 1 + 24
    assert conversation.last_message_id == ids[-1]
    assert {r.message.pk for r in results} == set(ids[1:])
    assert not any(r.duplicate for r in results)
    # What the loop's statement handed back is what was stored, to the microsecond.
    newest = max(results, key=lambda r: r.message.pk)
    assert newest.conversation.last_activity_at == conversation.last_activity_at
    assert newest.conversation.waiting_since == conversation.waiting_since
    assert newest.conversation.created_at == conversation.created_at


def test_many_visitors_messages_at_once_go_together_and_each_lands_in_its_own_conversation():
    """Under load the loop writes the messages that arrive while its statements are on their
    way in one statement (apps.core.adb.GroupWriter); each still lands in its own visitor's
    conversation, counted, indexed for search, in each visitor's order, and a resend in the
    same statement is answered with the stored message."""
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        visitors = [Visitor.objects.create(tenant=tenant) for _ in range(12)]
    worker = Worker(tenant)

    async def scenario():
        firsts = [await post(v, worker, f"first-{n}", "first") for n, v in enumerate(visitors)]
        writer = message_sql.writer()
        before = (writer.statements, writer.items)
        burst = [
            post(v, worker, f"v{n}-{i}", f"visitor {n} says {i}")
            for i in range(3)
            for n, v in enumerate(visitors)
        ]
        resend = post(visitors[0], worker, "first-0", "first")
        results = await asyncio.gather(*burst, resend)
        return firsts, results, before, (writer.statements, writer.items)

    firsts, results, before, after = on_a_loop(scenario)
    statements, items = after[0] - before[0], after[1] - before[1]
    assert items == 3 * 12 + 1 and statements < items / 4  # together, not one by one
    assert worker.calls == 12 + 1  # the openings and the resend's answer needed a thread
    *burst, resend = results
    assert resend.duplicate and resend.message.pk == firsts[0].message.pk
    assert not any(r.duplicate for r in burst)
    with scopes_disabled():
        for n, visitor in enumerate(visitors):
            conversation = Conversation.objects.get(visitor=visitor)
            messages = list(conversation.messages.order_by("pk"))
            assert [m.body for m in messages] == ["first"] + [
                f"visitor {n} says {i}" for i in range(3)
            ]
            assert conversation.operator_unread == 4
            assert conversation.last_message_id == messages[-1].pk
            entries = MessageEntry.objects.filter(conversation=conversation)
            assert sorted(entries.values_list("message_id", flat=True)) == [m.pk for m in messages]
        mine = [r for r in burst if r.conversation.visitor_id == visitors[5].pk]
        assert [r.message.body for r in mine] == [f"visitor 5 says {i}" for i in range(3)]
        assert all(r.conversation.pk == firsts[5].conversation.pk for r in mine)
        assert [r.conversation.operator_unread for r in mine] == [2, 3, 4]


def test_a_resend_is_answered_with_the_stored_message_and_not_counted(visitor, settings):
    settings.RATELIMIT_ENABLE = True
    settings.CHAT_MESSAGES_PER_MINUTE = 3
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"t-{uuid.uuid4().hex[:8]}"}
    }
    worker = Worker(visitor.tenant)

    async def scenario():
        a = await post(visitor, worker, "a")
        again = [await post(visitor, worker, "a") for _ in range(3)]  # a flaky network
        b, c = await post(visitor, worker, "b"), await post(visitor, worker, "c")
        with pytest.raises(services.ChatError) as refused:
            await post(visitor, worker, "d")
        late_resend = await post(visitor, worker, "b")
        return a, again, b, c, refused.value, late_resend

    a, again, b, c, refused, late_resend = on_a_loop(scenario)
    assert all(r.duplicate and r.message.pk == a.message.pk for r in again)
    assert not b.duplicate and not c.duplicate  # resends did not use up the three a minute
    assert refused.code == "rate_limited" and 0 < refused.extra["retry_after"] <= 60
    assert late_resend.duplicate and late_resend.message.pk == b.message.pk
    with scopes_disabled():
        assert Message.objects.filter(conversation__visitor=visitor).count() == 3


def test_a_dropped_loop_connection_loses_no_message(visitor):
    """PostgreSQL drops the loop's connection (a restart, say): the next message goes through
    the full path on Django's checked connections, and the one after is back on the loop."""
    worker = Worker(visitor.tenant)

    async def scenario():
        await post(visitor, worker, body="first")  # opens the conversation (a thread)
        second = await post(visitor, worker, body="second")  # on the loop
        dropped = await sync_to_async(drop_loop_connections, thread_sensitive=False)()
        third = await post(visitor, worker, body="third")
        calls_after_third = worker.calls
        fourth = await post(visitor, worker, body="fourth")
        return second, dropped, third, calls_after_third, fourth

    second, dropped, third, calls_after_third, fourth = on_a_loop(scenario)
    assert dropped >= 1
    assert calls_after_third == 2  # the opening, and the third message's fall-back
    assert worker.calls == 2  # the fourth is on the loop again
    assert not any(r.duplicate for r in (second, third, fourth))
    with scopes_disabled():
        bodies = list(
            Message.objects.filter(conversation__visitor=visitor)
            .order_by("pk")
            .values_list("body", flat=True)
        )
    assert bodies == ["first", "second", "third", "fourth"]


def test_the_loops_statement_is_planned_once_per_connection(visitor, settings):
    """PostgreSQL re-planned the message's statement on every execution while it judged its
    cached plan dearer than a fresh one; planning was 43 % of the database's CPU per message
    (docs/performance.md, item 52). Now it is planned once per connection."""
    settings.ASYNC_DB_POOL_MIN, settings.ASYNC_DB_POOL_MAX = 1, 1  # one connection, its plans
    worker = Worker(visitor.tenant)

    async def scenario():
        await post(visitor, worker, body="first")  # opens the conversation (a thread)
        for i in range(12):
            assert not (await post(visitor, worker, body=f"message {i}")).duplicate
        return await adb.fetchone(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [f"%INSERT INTO {Message._meta.db_table}%"],
        )

    generic, custom = on_a_loop(scenario)
    assert worker.calls == 1
    # psycopg prepares a statement on its fifth run; PostgreSQL's default would then have
    # planned at least five times more (custom plans) before it even weighed a cached one.
    assert custom == 0 and generic >= 5


def test_a_cached_plan_finds_a_resent_client_id_through_its_unique_index():
    """A plan made without the values (the one cached per connection) can still look a client
    id up in the unique index of non-empty client ids, not walk the conversation's messages."""
    sql = message_sql._STORED_SQL.replace("%s", "${}").format(1, 2, 3, 4)
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE stored_lookup AS {sql}")
        try:
            cursor.execute("EXPLAIN EXECUTE stored_lookup (1, 1, 'c-1', 'visitor')")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE stored_lookup")
            cursor.execute("RESET plan_cache_mode")
    assert "message_client_id_once_per_conversation" in plan, plan
