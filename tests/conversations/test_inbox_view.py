"""Which conversations an operator's list view shows, and what its tabs count, is decided by
one table of rules (selectors.FILTERS), each said as SQL and as a test of a list row. The row
test is what the inbox socket tells the page about each row it pushes; here both halves are
held to each other for every combination of filters and for operators who see differently."""

import itertools
import time

import pytest
from django_scopes import scope

from apps.conversations import selectors, services
from apps.conversations.models import Conversation
from apps.tenants.models import Role, Team, Tenant
from tests.conversations.conftest import OperatorClient, VisitorClient, session_for
from tests.conversations.test_workflow import visitor_writes
from tests.factories import TenantFactory, member


@pytest.fixture
def crowd(transactional_db):
    """A workspace where operators see only their teams' conversations, with a conversation
    for every assignee, team and status, labelled in turn with nothing, one label or two, two in
    five waiting for a reply by email."""
    tenant = TenantFactory(auto_assign=False, conversation_visibility=Tenant.Visibility.TEAMS)
    with scope(tenant=tenant):
        admin = member(tenant, Role.ADMIN, full_name="Ayşe Kaya", email="ayse@example.com")
        sales_op = member(tenant, full_name="Mehmet Demir", email="mehmet@example.com")
        loner = member(tenant, full_name="Zeynep Ak", email="zeynep@example.com")
        sales = Team.objects.create(tenant=tenant, name="Sales")
        billing = Team.objects.create(tenant=tenant, name="Billing")
        sales_op.teams.add(sales)
        vip = services.label_create(membership=admin, name="VIP")
        late = services.label_create(membership=admin, name="Late")
        label_sets = [[], [vip.pk], [vip.pk, late.pk]]
        combos = itertools.product(
            [None, admin.user_id, sales_op.user_id, loner.user_id],
            [None, sales.pk, billing.pk],
            Conversation.Status.values,
        )
        for i, (assignee, team, status) in enumerate(combos):
            conversation = visitor_writes(tenant, body=f"#{i}").conversation
            Conversation.objects.filter(pk=conversation.pk).update(
                assignee_id=assignee, team_id=team, status=status, reply_by_email=i % 5 < 2
            )
            conversation.labels.set(label_sets[i % len(label_sets)])
        yield {
            "tenant": tenant,
            "operators": [admin, sales_op, loner],
            "labels": [vip.pk, late.pk],
            "teams": [sales.pk, billing.pk],
        }


def every_view(crowd):
    for assignee, status, label, team in itertools.product(
        [None, *selectors.ASSIGNEE_FILTERS],
        [None, *Conversation.Status.values],
        [None, *crowd["labels"]],
        [None, *crowd["teams"]],
    ):
        chosen = {"assignee": assignee, "status": status, "label": label, "team": team}
        view = {name: value for name, value in chosen.items() if value is not None}
        yield view
        if label is None and team is None:  # the email filter beside the tabs and statuses
            yield {**view, "email": True}


def test_the_row_rule_and_the_sql_agree_on_every_view(crowd):
    with scope(tenant=crowd["tenant"]):
        every_row = selectors._summaries(Conversation.objects.order_by("number"), 10_000)
        assert len(every_row) == 48
        for operator in crowd["operators"]:
            who = selectors.viewer(operator)
            for filters in every_view(crowd):
                view = selectors.inbox_view(filters=filters)
                placed = {row["number"]: selectors.view_row(view, who, row) for row in every_row}
                listed = selectors.inbox_list(membership=operator, filters=filters, limit=10_000)
                assert not listed["more"]
                shown = {row["number"] for row in listed["conversations"]}
                assert shown == {n for n, where in placed.items() if where["in"]}, (
                    operator.user.full_name,
                    filters,
                )
                counts = selectors.inbox_counts(membership=operator, filters=filters)
                tabs = {
                    tab: sum(tab in where["tabs"] for where in placed.values())
                    for tab in selectors.ASSIGNEE_FILTERS
                }
                assert counts == (tabs if counts is not None else None), filters
                if counts is None:
                    assert all(not where["tabs"] for where in placed.values())
            # The title's count: the rows the socket marks as waiting for this operator.
            waiting = {
                row["number"]
                for row in every_row
                if selectors.VISIBLE.row(row, who) and selectors.ATTENTION.row(row, who)
            }
            assert waiting == set(selectors.attention_numbers(membership=operator))
            assert waiting, operator.user.full_name  # the crowd has some for everyone


def test_a_view_counts_what_it_shows_in_its_own_tab(crowd):
    """The rows a view shows are the ones its own tab counts (when it names a status)."""
    with scope(tenant=crowd["tenant"]):
        sales_op = crowd["operators"][1]
        who = selectors.viewer(sales_op)
        view = selectors.inbox_view(filters={"assignee": "teams", "status": "open"})
        for row in selectors._summaries(Conversation.objects.all(), 10_000):
            where = selectors.view_row(view, who, row)
            assert where["in"] == ("teams" in where["tabs"])


def _row(operator: OperatorClient, number: int, *, assignee, timeout: float = 10) -> dict:
    """The next ``conversation`` frame for ``number`` that shows it assigned to ``assignee``."""
    deadline = time.monotonic() + timeout
    while True:
        frame = operator.recv(timeout=max(0.1, deadline - time.monotonic()))
        if (
            frame["type"] == "conversation"
            and frame["conversation"]["number"] == number
            and frame["conversation"]["assignee"] == assignee
        ):
            return frame


def test_each_pushed_row_says_where_it_stands_in_the_operators_view(server):
    tenant = TenantFactory(auto_assign=False)
    with scope(tenant=tenant):
        ayse = member(tenant, Role.ADMIN, full_name="Ayşe Kaya", email="ayse@example.com")
        mehmet = member(tenant, full_name="Mehmet Demir", email="mehmet@example.com")
        vip = services.label_create(membership=ayse, name="VIP")
    hers, his = VisitorClient(server, tenant.widget_key), VisitorClient(server, tenant.widget_key)
    for visitor in (hers, his):
        visitor.hello()
        visitor.say("Hello?")
    with scope(tenant=tenant):
        first, second = Conversation.objects.order_by("pk")
    a = OperatorClient(server, tenant.slug, session_for(ayse.user))
    a.expect("ready")
    # Ayşe looks at her own open conversations: none yet, and both are unassigned.
    a.send("list", request="mine", filters={"assignee": "mine", "status": "open"})
    listed = a.expect("list", request="mine")
    assert listed["conversations"] == []
    assert listed["counts"] == {"mine": 0, "unassigned": 2, "teams": 0, "all": 2}

    with scope(tenant=tenant):
        services.conversation_assign(membership=ayse, conversation=first, assignee=ayse.user_id)
        services.conversation_assign(membership=ayse, conversation=second, assignee=mehmet.user_id)
    mine = _row(a, first.number, assignee=ayse.user_id)
    assert mine["view"] == {"in": True, "tabs": ["mine", "all"]}
    assert mine["conversation"]["attention"] is True  # mine, and the visitor waits
    colleagues = _row(a, second.number, assignee=mehmet.user_id)
    assert colleagues["view"] == {"in": False, "tabs": ["all"]}
    assert colleagues["conversation"]["attention"] is False  # Mehmet's to answer

    # Her view is now the VIP ones in any tab: a visitor's message brings a row without its
    # labels, and the socket still places it.
    with scope(tenant=tenant):
        services.conversation_label(membership=ayse, conversation=second, add=[vip.pk])
    a.send("list", request="vip", filters={"label": vip.pk, "status": "open"})
    listed = a.expect("list", request="vip")
    assert [row["number"] for row in listed["conversations"]] == [second.number]
    assert listed["conversations"][0]["view"] == {"in": True, "tabs": ["all"]}
    his.say("Still there?")
    hers.say("Me too")
    rows = {}
    while len(rows) < 2:
        frame = a.expect("conversation", from_message=True)
        if frame["conversation"]["preview"] in ("Still there?", "Me too"):
            assert "labels" not in frame["conversation"]
            rows[frame["conversation"]["number"]] = frame["view"]
    assert rows == {
        second.number: {"in": True, "tabs": ["all"]},
        first.number: {"in": False, "tabs": []},
    }

    # Opened from a search or a link: the history's row says where it stands too.
    a.send("subscribe", conversation=second.number, after_id=None)
    history = a.expect("history", conversation=second.number)
    assert history["view"] == {"in": True, "tabs": ["all"]}
    assert history["summary"]["attention"] is False
    a.send("subscribe", conversation=first.number, after_id=None)
    history = a.expect("history", conversation=first.number)
    assert history["view"] == {"in": False, "tabs": []}
    assert history["summary"]["attention"] is True
