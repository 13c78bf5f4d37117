"""The team's inbox workflow at the service level: statuses and snooze, assignment with
capacity and the queue, labels, notes and mentions, bulk actions, visibility, bad input.

The capacity race runs on PostgreSQL with real threads, each on its own connection."""

import threading
import uuid
from datetime import timedelta
from functools import partial

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.conversations import selectors, services
from apps.conversations.models import Activity, Conversation, Label, Message, OperatorPresence
from apps.tenants.models import Role, Team
from apps.visitors.models import Visitor
from tests.factories import TenantFactory, member
from tests.utils import wait_for


def online(membership) -> None:
    OperatorPresence.objects.update_or_create(
        tenant_id=membership.tenant_id,
        user_id=membership.user_id,
        defaults={"status": OperatorPresence.Status.ONLINE, "connections": 1},
    )


def visitor_writes(tenant, body="Hello?", visitor=None):
    visitor = visitor or Visitor.objects.create(tenant=tenant)
    return services.message_create(
        sender="visitor", visitor=visitor, client_id=uuid.uuid4().hex, body=body
    )


def at_once(tenant, calls) -> list:
    """Run each call in a thread of its own (its own database connection), all released at the
    same instant inside the workspace's scope; their results, or the first error raised."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def one(call):
        try:
            with scope(tenant=tenant):
                barrier.wait(timeout=30)
                results.append(call())
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=one, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def workspace(transactional_db):
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        admin = member(tenant, Role.ADMIN, full_name="Ayşe Kaya", email="ayse@example.com")
        op = member(tenant, full_name="Mehmet Demir", email="mehmet@example.com")
        yield tenant, admin, op


# --- statuses -----------------------------------------------------------------------------


def test_pending_snoozed_resolved_and_the_visitors_next_message_reopens(workspace):
    tenant, admin, _op = workspace
    first = visitor_writes(tenant)
    conversation = first.conversation
    for status in ("pending", "resolved"):
        services.conversation_set_status(membership=admin, conversation=conversation, status=status)
        conversation.refresh_from_db()
        assert conversation.status == status
        again = visitor_writes(tenant, "Still there?", visitor=conversation.visitor)
        assert again.conversation.pk == conversation.pk and not again.conversation_created
        conversation.refresh_from_db()
        assert conversation.status == "open"
    kinds = list(
        Activity.objects.filter(conversation=conversation).values_list("kind", "data__status")
    )
    assert kinds == [
        ("status", "pending"),
        ("status", "open"),
        ("status", "resolved"),
        ("status", "open"),
    ]


def test_a_long_resolved_conversation_is_not_reopened(workspace, settings):
    tenant, admin, _op = workspace
    conversation = visitor_writes(tenant).conversation
    services.conversation_set_status(membership=admin, conversation=conversation, status="resolved")
    Conversation.objects.filter(pk=conversation.pk).update(
        resolved_at=timezone.now() - settings.CHAT_REOPEN_WINDOW - timedelta(minutes=1)
    )
    later = visitor_writes(tenant, "New question", visitor=conversation.visitor)
    assert later.conversation_created and later.conversation.pk != conversation.pk


def test_snooze_wakes_at_its_time_or_on_the_visitors_message(workspace):
    tenant, admin, _op = workspace
    a = visitor_writes(tenant).conversation
    b = visitor_writes(tenant).conversation
    soon = timezone.now() + timedelta(hours=1)
    for conversation in (a, b):
        services.conversation_set_status(
            membership=admin, conversation=conversation, status="snoozed", until=soon.isoformat()
        )
    a.refresh_from_db()
    assert a.status == "snoozed" and a.snoozed_until == soon

    # Nothing is due yet.
    assert services.conversations_wake_snoozed() == 0
    # The visitor of b writes: b is open again; a wakes when its hour has passed.
    visitor_writes(tenant, "hello again", visitor=b.visitor)
    assert services.conversations_wake_snoozed(now=soon + timedelta(seconds=1)) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.snoozed_until, b.status) == ("open", None, "open")
    assert Activity.objects.filter(conversation=a, data__by="snooze").exists()


@pytest.mark.parametrize(
    "until, message",
    [
        (None, "Snooze needs a date and time"),
        ("next week", "Snooze needs a date and time"),
        ("2020-01-01T09:00:00+00:00", "in the future"),
        ("2031-01-01T09:00:00", "time zone"),
    ],
)
def test_bad_snooze_times_are_refused_and_change_nothing(workspace, until, message):
    tenant, admin, _op = workspace
    conversation = visitor_writes(tenant).conversation
    with pytest.raises(services.WorkflowError) as refused:
        services.conversation_set_status(
            membership=admin, conversation=conversation, status="snoozed", until=until
        )
    assert message in refused.value.message
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert not Activity.objects.filter(conversation=conversation).exists()


# --- assignment ---------------------------------------------------------------------------


def test_assign_transfer_and_unassign_leave_system_entries(workspace):
    tenant, admin, op = workspace
    team = Team.objects.create(tenant=tenant, name="Billing")
    conversation = visitor_writes(tenant).conversation
    services.conversation_assign(membership=admin, conversation=conversation, assignee=op.user_id)
    services.conversation_assign(
        membership=admin, conversation=conversation, assignee=admin.user_id, team=team.pk
    )
    services.conversation_assign(membership=admin, conversation=conversation, assignee=None)
    conversation.refresh_from_db()
    assert conversation.assignee_id is None and conversation.team_id == team.pk
    entries = list(Activity.objects.filter(conversation=conversation).values_list("kind", "data"))
    assert entries == [
        ("assigned", {"assignee": op.user_id, "previous": None, "auto": False}),
        ("team", {"team": team.pk, "previous": None}),
        ("assigned", {"assignee": admin.user_id, "previous": op.user_id, "auto": False}),
        ("unassigned", {"previous": admin.user_id}),
    ]


def test_assigning_to_a_non_member_or_a_foreign_team_is_refused(workspace):
    tenant, admin, _op = workspace
    other = TenantFactory()
    with scope(tenant=other):
        stranger = member(other)
        foreign_team = Team.objects.create(tenant=other, name="Theirs")
    conversation = visitor_writes(tenant).conversation
    with pytest.raises(services.WorkflowError) as refused:
        services.conversation_assign(
            membership=admin, conversation=conversation, assignee=stranger.user_id
        )
    assert refused.value.code == "not_a_member"
    with pytest.raises(services.WorkflowError) as refused:
        services.conversation_assign(
            membership=admin, conversation=conversation, team=foreign_team.pk
        )
    assert refused.value.code == "unknown_team"
    conversation.refresh_from_db()
    assert (conversation.assignee_id, conversation.team_id) == (None, None)
    assert not Activity.objects.filter(conversation=conversation).exists()


def test_round_robin_respects_capacity_and_queues_the_rest(workspace):
    tenant, admin, op = workspace
    tenant.auto_assign = True
    tenant.save()
    admin.capacity, op.capacity = 1, 2
    admin.save()
    op.save()
    online(admin)
    online(op)
    conversations = [visitor_writes(tenant).conversation for _ in range(5)]
    for c in conversations:
        c.refresh_from_db()
    owners = [c.assignee_id for c in conversations]
    # Alternating while both have room, then the one with room left, then the queue.
    assert owners[:3].count(admin.user_id) == 1 and owners[:3].count(op.user_id) == 2
    assert owners[3:] == [None, None]
    assert [selectors.queue_position(conversation=c) for c in conversations[3:]] == [1, 2]

    # Resolving one of op's conversations frees a place: the oldest in the queue gets it.
    mine = next(c for c in conversations if c.assignee_id == op.user_id)
    services.conversation_set_status(membership=op, conversation=mine, status="resolved")
    conversations[3].refresh_from_db()
    conversations[4].refresh_from_db()
    assert conversations[3].assignee_id == op.user_id
    assert selectors.queue_position(conversation=conversations[4]) == 1


def test_nobody_online_means_nothing_is_assigned_and_no_line_to_wait_in(workspace):
    tenant, _admin, _op = workspace
    tenant.auto_assign = True
    tenant.save()
    conversation = visitor_writes(tenant).conversation
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    # The widget says the team is away; "number 1 in line" would promise what nobody keeps.
    assert selectors.queue_position(conversation=conversation) is None


def test_answering_a_queued_chat_takes_it_and_the_line_moves_up(workspace):
    tenant, _admin, op = workspace
    tenant.auto_assign = True
    tenant.save()
    op.capacity = 0  # online, but takes nothing automatically: everyone queues
    op.save()
    online(op)
    queued = [visitor_writes(tenant).conversation for _ in range(3)]
    assert [selectors.queue_position(conversation=c) for c in queued] == [1, 2, 3]

    services.message_create(
        sender="operator", author=op.user, conversation=queued[0], client_id="r1", body="Hi!"
    )
    for c in queued:
        c.refresh_from_db()
    assert queued[0].assignee_id == op.user_id  # answered by hand: theirs
    assert selectors.queue_position(conversation=queued[0]) is None
    assert [selectors.queue_position(conversation=c) for c in queued[1:]] == [1, 2]

    # Resolving the chat at the head of the line moves the one behind it up.
    services.conversation_set_status(membership=op, conversation=queued[1], status="resolved")
    queued[2].refresh_from_db()
    assert selectors.queue_position(conversation=queued[2]) == 1


def test_a_team_conversation_goes_to_that_teams_members_only(workspace):
    tenant, admin, op = workspace
    tenant.auto_assign = True
    tenant.save()
    billing = Team.objects.create(tenant=tenant, name="Billing")
    op.teams.add(billing)
    online(admin)
    online(op)
    conversation = visitor_writes(tenant).conversation
    conversation.refresh_from_db()
    first_owner = conversation.assignee_id
    services.conversation_assign(
        membership=admin, conversation=conversation, assignee=None, team=billing.pk
    )
    conversation.refresh_from_db()
    assert conversation.assignee_id == op.user_id, first_owner


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_new_conversations_never_exceed_capacity_or_double_assign():
    """20 visitors write at the same instant from 20 threads (20 connections) while three
    operators with room for 2, 2 and 1 are online."""
    tenant = TenantFactory(auto_assign=True)
    with scope(tenant=tenant):
        ops = [member(tenant) for _ in range(3)]
        for op, capacity in zip(ops, (2, 2, 1), strict=True):
            op.capacity = capacity
            op.save()
            online(op)
        visitors = [Visitor.objects.create(tenant=tenant) for _ in range(20)]
    at_once(tenant, [partial(visitor_writes, tenant, "Anyone?", visitor=v) for v in visitors])

    with scopes_disabled():
        services.queue_drain(tenant_id=tenant.pk)  # whatever a lost race left, as the beat does
        rows = list(Conversation.objects.filter(tenant=tenant).values("pk", "assignee_id"))
        assigned_entries = list(
            Activity.objects.filter(tenant=tenant, kind="assigned").values_list(
                "conversation_id", flat=True
            )
        )
    assert len(rows) == 20
    per_op = {op.user_id: sum(r["assignee_id"] == op.user_id for r in rows) for op in ops}
    assert per_op == {ops[0].user_id: 2, ops[1].user_id: 2, ops[2].user_id: 1}
    # Each conversation assigned at most once.
    assert len(assigned_entries) == len(set(assigned_entries)) == 5
    with scope(tenant=tenant):
        places = sorted(
            selectors.queue_position(conversation=c)
            for c in Conversation.objects.filter(assignee__isnull=True)
        )
    assert places == list(range(1, 16))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_message_resent_from_many_tabs_at_once_is_stored_once():
    """Eight tabs of one visitor resend the same message (same client id) at the same instant
    into the visitor's open conversation: one row, and every tab gets that row's id back."""
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)
        opened = visitor_writes(tenant, "first", visitor=visitor)
    tabs = 8
    resend = partial(
        services.message_create,
        sender="visitor",
        visitor=visitor,
        client_id="same-one",
        body="Are you there?",
    )
    results = at_once(tenant, [resend] * tabs)
    with scopes_disabled():
        stored = list(Message.objects.filter(client_id="same-one").values_list("pk", flat=True))
        conversation = Conversation.objects.get(pk=opened.conversation.pk)
    assert len(stored) == 1
    assert {r.message.pk for r in results} == set(stored)
    assert sorted(r.duplicate for r in results) == [False] + [True] * (tabs - 1)
    assert conversation.operator_unread == 2 and conversation.last_message_id == stored[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_messages_from_many_tabs_at_once_are_all_counted_and_in_order():
    """Messages into an open conversation (the common case) sent from eight tabs at the same
    instant, three each: every message is stored, the unread count is exact, and the last
    message is the newest."""
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)
        opened = visitor_writes(tenant, "first", visitor=visitor)

    def tab(n):
        return [
            services.message_create(
                sender="visitor", visitor=visitor, client_id=f"tab{n}-{i}", body=f"tab {n} says {i}"
            )
            for i in range(3)
        ]

    results = [r for batch in at_once(tenant, [partial(tab, n) for n in range(8)]) for r in batch]
    with scopes_disabled():
        conversation = Conversation.objects.get(pk=opened.conversation.pk)
        ids = list(conversation.messages.order_by("pk").values_list("pk", flat=True))
    assert not any(r.duplicate for r in results)
    assert {r.conversation.pk for r in results} == {conversation.pk}
    assert len(ids) == 1 + 8 * 3
    assert conversation.operator_unread == 1 + 8 * 3
    assert conversation.last_message_id == ids[-1]
    # What each tab was told matches what was stored.
    assert {r.message.pk for r in results} == set(ids[1:])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_what_a_stored_message_hands_back_is_what_was_stored():
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)
        visitor_writes(tenant, "first", visitor=visitor)
        second = visitor_writes(tenant, "second", visitor=visitor)
    assert not second.duplicate and second.message.body == "second"
    # The service's answer is what was stored, to the microsecond.
    with scopes_disabled():
        stored = Conversation.objects.get(pk=second.conversation.pk)
    for field in ("created_at", "waiting_since", "last_activity_at", "operator_unread"):
        assert getattr(second.conversation, field) == getattr(stored, field), field
    assert second.conversation.last_activity_at == second.message.created_at
    # A resend of it is answered with the stored message.
    with scope(tenant=tenant):
        again = services.message_create(
            sender="visitor", visitor=visitor, client_id=second.message.client_id, body="second"
        )
    assert again.duplicate and again.message.pk == second.message.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_resends_do_not_count_against_the_message_rate_limit(settings):
    settings.RATELIMIT_ENABLE = True
    settings.CHAT_MESSAGES_PER_MINUTE = 3
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        visitor = Visitor.objects.create(tenant=tenant)

        def send(client_id):
            return services.message_create(
                sender="visitor", visitor=visitor, client_id=client_id, body=f"message {client_id}"
            )

        send("a")
        assert send("a").duplicate and send("a").duplicate  # a flaky network resending
        assert not send("b").duplicate
        assert not send("c").duplicate  # the third message: still within 3 a minute
        with pytest.raises(services.ChatError) as refused:
            send("d")
        assert refused.value.code == "rate_limited"
        assert send("b").duplicate  # a resend is still answered when over the limit


# --- labels -------------------------------------------------------------------------------


def test_labels_apply_filter_and_refuse_another_workspaces_label(workspace):
    tenant, admin, op = workspace
    vip = services.label_create(membership=admin, name="VIP", color="#ff0000")
    with pytest.raises(services.WorkflowError) as refused:
        services.label_create(membership=admin, name="vip")
    assert refused.value.code == "duplicate"
    a = visitor_writes(tenant).conversation
    visitor_writes(tenant)
    services.conversation_label(membership=op, conversation=a, add=[vip.pk])
    listed = selectors.inbox_list(membership=op, filters={"label": vip.pk})["conversations"]
    assert [c["number"] for c in listed] == [a.number]
    assert listed[0]["labels"] == [vip.pk]

    other = TenantFactory()
    with scope(tenant=other):
        foreign = Label.objects.create(tenant=other, name="Theirs")
    with pytest.raises(services.WorkflowError) as refused:
        services.conversation_label(membership=op, conversation=a, add=[foreign.pk])
    assert refused.value.code == "unknown_label"
    assert list(a.labels.values_list("pk", flat=True)) == [vip.pk]


def test_unknown_filters_are_refused_not_ignored(workspace):
    _tenant, _admin, op = workspace
    with pytest.raises(selectors.ListError) as refused:
        selectors.inbox_list(membership=op, filters={"colour": "red"})
    assert refused.value.code == "unknown_filter" and "colour" in refused.value.message
    with pytest.raises(selectors.ListError):
        selectors.inbox_list(membership=op, filters={"status": "sleeping"})
    with pytest.raises(selectors.ListError):
        selectors.inbox_list(membership=op, filters={}, sort="loudest")


def test_filters_and_sorts(workspace):
    tenant, admin, op = workspace
    a = visitor_writes(tenant).conversation
    b = visitor_writes(tenant).conversation
    c = visitor_writes(tenant).conversation
    services.conversation_assign(membership=admin, conversation=b, assignee=op.user_id)
    services.conversation_set_status(membership=admin, conversation=c, status="pending")

    def numbers(**f):
        return [x["number"] for x in selectors.inbox_list(membership=op, **f)["conversations"]]

    assert numbers(filters={"assignee": "mine"}) == [b.number]
    assert set(numbers(filters={"assignee": "unassigned"})) == {a.number, c.number}
    assert numbers(filters={"status": "pending"}) == [c.number]
    assert numbers(filters={}, sort="waiting") == [a.number, b.number, c.number]


def test_the_list_pages_through_every_conversation_once_in_each_sort(workspace):
    tenant, admin, op = workspace
    conversations = [visitor_writes(tenant).conversation for _ in range(7)]
    # Ties on every sort key, so the tie-break (number) decides: the hard case for paging.
    same = timezone.now() - timedelta(minutes=5)
    Conversation.objects.filter(pk__in=[c.pk for c in conversations[:4]]).update(
        last_activity_at=same, created_at=same
    )
    Conversation.objects.filter(pk__in=[c.pk for c in conversations[:2]]).update(waiting_since=None)
    services.conversation_assign(
        membership=admin, conversation=conversations[5], assignee=op.user_id
    )
    for sort in selectors.SORTS:
        whole = selectors.inbox_list(membership=op, filters={}, sort=sort)
        assert not whole["more"] and whole["cursor"] is None
        expected = [c["number"] for c in whole["conversations"]]
        assert sorted(expected) == sorted(c.number for c in conversations)
        paged, cursor = [], None
        while True:
            page = selectors.inbox_list(
                membership=op, filters={}, sort=sort, cursor=cursor, limit=3
            )
            paged += [c["number"] for c in page["conversations"]]
            if not page["more"]:
                break
            cursor = page["cursor"]
        assert paged == expected, sort
    # A page never holds more than LIST_PAGE rows, however many are asked for.
    assert len(selectors.inbox_list(membership=op, filters={}, limit=10_000)["conversations"]) == 7

    counts = selectors.inbox_counts(membership=op, filters={"status": "open"})
    assert counts == {"mine": 1, "unassigned": 6, "teams": 0, "all": 7}
    assert selectors.inbox_counts(membership=op, filters={"status": "resolved"}) is None
    # Waiting for this operator: unassigned or theirs, with unread messages or a waiting visitor.
    waiting = set(selectors.attention_numbers(membership=op))
    assert waiting == {c.number for c in conversations}
    assert set(selectors.attention_numbers(membership=admin)) == waiting - {conversations[5].number}

    for bad in ("nonsense", '["activity"]', '["newest","2026-01-01T00:00:00Z",1]', "[1,2,3]"):
        with pytest.raises(selectors.ListError) as refused:
            selectors.inbox_list(membership=op, filters={}, sort="activity", cursor=bad)
        assert refused.value.code == "invalid_cursor"
    with pytest.raises(selectors.ListError) as refused:
        selectors.inbox_list(membership=op, filters={}, sort="waiting", cursor='["waiting",5]')
    assert refused.value.code == "invalid_cursor"


# --- notes --------------------------------------------------------------------------------


def test_a_note_mentions_a_member_and_is_refused_on_a_resolved_conversation(workspace):
    tenant, admin, op = workspace
    conversation = visitor_writes(tenant).conversation
    note = services.note_add(
        membership=admin, conversation=conversation, body="@Mehmet can you check the refund?"
    )
    assert note.data == {"mentions": [op.user_id]}
    with scopes_disabled():
        raw = Activity.objects.filter(pk=note.pk).values_list("body", flat=True)
        from django.db import connection as conn

        with conn.cursor() as cur:
            cur.execute("SELECT body FROM conversations_activity WHERE id = %s", [note.pk])
            stored = cur.fetchone()[0]
    assert list(raw) == ["@Mehmet can you check the refund?"]
    assert "refund" not in stored  # encrypted at rest

    services.conversation_set_status(membership=admin, conversation=conversation, status="resolved")
    with pytest.raises(services.WorkflowError) as refused:
        services.note_add(membership=admin, conversation=conversation, body="late note")
    assert refused.value.code == "conversation_resolved"
    assert Activity.objects.filter(kind="note").count() == 1


def test_notes_are_never_in_what_the_visitor_reads(workspace):
    tenant, admin, _op = workspace
    conversation = visitor_writes(tenant, "my order is late").conversation
    services.note_add(membership=admin, conversation=conversation, body="SECRET-NOTE-123")
    messages = selectors.visitor_messages(visitor=conversation.visitor, after_id=None)
    assert "SECRET-NOTE-123" not in repr(messages)
    assert not Message.objects.filter(conversation=conversation).exclude(sender="visitor")


# --- bulk and visibility ------------------------------------------------------------------


def test_bulk_is_all_or_nothing(workspace):
    tenant, admin, op = workspace
    a = visitor_writes(tenant).conversation
    b = visitor_writes(tenant).conversation
    with pytest.raises(services.WorkflowError) as refused:
        services.conversations_bulk(membership=admin, numbers=[a.number, 999], action="resolve")
    assert "#999" in refused.value.message
    assert Conversation.objects.filter(status="resolved").count() == 0

    done = services.conversations_bulk(
        membership=admin, numbers=[a.number, b.number], action="assign", value=op.user_id
    )
    assert sorted(done.changed) == sorted([a.number, b.number])
    done = services.conversations_bulk(
        membership=admin, numbers=[a.number, b.number], action="resolve"
    )
    assert Conversation.objects.filter(status="resolved").count() == 2


def test_team_visibility_hides_other_teams_conversations(workspace):
    tenant, admin, op = workspace
    tenant.conversation_visibility = "teams"
    tenant.save()
    sales, billing = (Team.objects.create(tenant=tenant, name=n) for n in ("Sales", "Billing"))
    op.teams.add(sales)
    unrouted = visitor_writes(tenant).conversation
    for_sales = visitor_writes(tenant).conversation
    for_billing = visitor_writes(tenant).conversation
    services.conversation_assign(membership=admin, conversation=for_sales, team=sales.pk)
    services.conversation_assign(membership=admin, conversation=for_billing, team=billing.pk)
    seen = set(selectors.visible_conversations(membership=op).values_list("number", flat=True))
    assert seen == {unrouted.number, for_sales.number}
    assert selectors.visible_conversation(membership=op, number=for_billing.number) is None
    # Admins see everything.
    assert selectors.visible_conversations(membership=admin).count() == 3


def _snoozed_past_due(tenant, admin):
    conversation = visitor_writes(tenant).conversation
    services.conversation_set_status(
        membership=admin,
        conversation=conversation,
        status="snoozed",
        until=(timezone.now() + timedelta(hours=1)).isoformat(),
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        snoozed_until=timezone.now() - timedelta(seconds=1)
    )
    return conversation


@pytest.mark.redis
def test_the_beat_job_wakes_snoozed_conversations_on_a_real_worker(workspace, celery_worker):
    from apps.conversations import tasks

    tenant, admin, _op = workspace
    conversation = _snoozed_past_due(tenant, admin)
    tasks.wake_snoozed.delay()

    def woken() -> bool:
        """the snoozed conversation open again"""
        conversation.refresh_from_db()
        return conversation.status == "open"

    wait_for(woken, timeout=20)


def test_the_local_run_runs_the_periodic_jobs(workspace):
    from django.core.management import call_command

    tenant, admin, _op = workspace
    conversation = _snoozed_past_due(tenant, admin)
    call_command("run_periodic", "--once")
    conversation.refresh_from_db()
    assert conversation.status == "open"


def test_messages_are_numbered_without_gaps_in_each_conversation(workspace):
    tenant, admin, _op = workspace
    first = visitor_writes(tenant, "one")
    conversation = first.conversation
    visitor = conversation.visitor
    services.message_create(
        sender="operator", author=admin.user, conversation=conversation, client_id="o1", body="2"
    )
    again = services.message_create(
        sender="visitor", visitor=visitor, client_id=first.message.client_id, body="one"
    )
    assert again.duplicate  # a resend takes no number
    visitor_writes(tenant, "three", visitor=visitor)
    other = visitor_writes(tenant, "elsewhere").conversation
    seqs = list(
        Message.objects.filter(conversation=conversation)
        .order_by("id")
        .values_list("seq", flat=True)
    )
    assert seqs == [1, 2, 3]
    assert Message.objects.get(conversation=other).seq == 1
    messages, _more = selectors.visitor_messages(visitor=visitor, after_id=None)
    assert [m["seq"] for m in messages] == [1, 2, 3]
