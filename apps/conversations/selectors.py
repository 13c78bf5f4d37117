"""Reads for the widget and the inbox. Every function runs inside the workspace scope."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.conversations import payloads
from apps.conversations.models import Activity, Conversation, Label, Message, OperatorPresence
from apps.core.collation import sorted_by_name
from apps.core.db import GroupConcat
from apps.core.errors import Refusal
from apps.tenants import selectors as tenant_selectors
from apps.tenants.models import Membership, Team, Tenant
from apps.visitors import selectors as visitor_selectors
from apps.visitors.models import PageView, Visitor, VisitorSession

HISTORY_LIMIT = 100
# An operator whose inbox socket has not been heard from for this long counts as away.
PRESENCE_TIMEOUT = timedelta(seconds=90)
# What an inbox-list row needs (payloads.summary): loading less keeps the list fast.
SUMMARY_FIELDS = (
    "tenant",
    "visitor",
    "last_message",
    "number",
    "public_id",
    "status",
    "operator_unread",
    "waiting_since",
    "last_activity_at",
    "created_at",
    "visitor__public_id",
    "visitor__name",
    "visitor__tenant",
    "last_message__body",
    "last_message__sender",
    "last_message__tenant",
    "assignee",
    "team",
    "snoozed_until",
    "channel",
    "reply_by_email",
    "bot_holds",
)


def online_presences(*, tenant_id: int):
    """The members online now: they chose online and have a live inbox socket. The one rule for
    "online" (the team's count, the roster's dots, who auto-assignment may pick)."""
    return OperatorPresence.objects.filter(
        tenant_id=tenant_id,
        status=OperatorPresence.Status.ONLINE,
        connections__gt=0,
        last_seen_at__gte=timezone.now() - PRESENCE_TIMEOUT,
    )


def team_online_count(*, tenant_id: int) -> int:
    """How many members are online (``online_presences``)."""
    return online_presences(tenant_id=tenant_id).count()


def operator_status(*, membership) -> str:
    """The status this member chose (online or away)."""
    status = (
        OperatorPresence.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id)
        .values_list("status", flat=True)
        .first()
    )
    return status or OperatorPresence.Status.ONLINE


def online_user_ids(*, tenant_id: int) -> list[int]:
    return list(online_presences(tenant_id=tenant_id).values_list("user_id", flat=True))


def sees_everything(membership: Membership, tenant: Tenant) -> bool:
    return membership.is_admin or tenant.conversation_visibility == Tenant.Visibility.ALL


def member_team_ids(membership: Membership) -> list[int]:
    return list(membership.teams.values_list("pk", flat=True))


class Viewer(NamedTuple):
    """Who looks at the inbox: what they may see, and whose the "mine" and "teams" tabs are."""

    user_id: int
    team_ids: tuple[int, ...]
    everything: bool  # sees every conversation of the workspace (``sees_everything``)


def viewer(membership: Membership) -> Viewer:
    tenant = Tenant.objects.get(pk=membership.tenant_id)
    return Viewer(
        user_id=membership.user_id,
        team_ids=tuple(member_team_ids(membership)),
        everything=sees_everything(membership, tenant),
    )


class Rule(NamedTuple):
    """One condition on an inbox's conversations, said twice side by side: as SQL (``sql``, a
    ``Q``) and as a test of a list row (``row``, a ``payloads.summary`` with its labels). The two
    must agree: tests/conversations/test_inbox_view.py checks every combination of filters."""

    sql: Callable[..., Q]
    row: Callable[..., bool]


# What an operator may see. In a workspace where operators see only their teams' conversations:
# theirs, their teams', and the unrouted ones (no team, nobody assigned: someone has to pick
# them up).
VISIBLE = Rule(
    sql=lambda who: (
        Q()
        if who.everything
        else Q(assignee_id=who.user_id)
        | Q(team_id__in=who.team_ids)
        | Q(team__isnull=True, assignee__isnull=True)
    ),
    row=lambda c, who: (
        who.everything
        or c["assignee"] == who.user_id
        or c["team"] in who.team_ids
        or (c["team"] is None and c["assignee"] is None)
    ),
)
# The assignee filter's values: the list's tabs.
TABS: dict[str, Rule] = {
    "mine": Rule(
        sql=lambda who: Q(assignee_id=who.user_id),
        row=lambda c, who: c["assignee"] == who.user_id,
    ),
    "unassigned": Rule(
        sql=lambda who: Q(assignee__isnull=True),
        row=lambda c, who: c["assignee"] is None,
    ),
    "teams": Rule(
        sql=lambda who: Q(team_id__in=who.team_ids),
        row=lambda c, who: c["team"] in who.team_ids,
    ),
    "all": Rule(sql=lambda who: Q(), row=lambda c, who: True),
}
# The filters a list request may name, each with the (checked) value it was given.
FILTERS: dict[str, Rule] = {
    "assignee": Rule(
        sql=lambda value, who: TABS[value].sql(who),
        row=lambda c, value, who: TABS[value].row(c, who),
    ),
    "status": Rule(
        sql=lambda value, who: Q(status=value),
        row=lambda c, value, who: c["status"] == value,
    ),
    "label": Rule(
        sql=lambda value, who: Q(labels=value),
        row=lambda c, value, who: value in c["labels"],
    ),
    "team": Rule(
        sql=lambda value, who: Q(team_id=value),
        row=lambda c, value, who: c["team"] == value,
    ),
    # Conversations by email: started by one, or waiting for a reply by email.
    "email": Rule(
        sql=lambda value, who: Q(reply_by_email=True) | Q(channel=Conversation.Channel.EMAIL),
        row=lambda c, value, who: c["reply_by_email"] or c["channel"] == "email",
    ),
}
# What the tabs count when the view names no status: the conversations in progress.
IN_PROGRESS = Rule(
    sql=lambda: Q(status__in=Conversation.ACTIVE_STATUSES),
    row=lambda c: c["status"] in Conversation.ACTIVE_STATUSES,
)


def visible_conversations(*, membership):
    """The conversations ``membership`` may see in this workspace (the inbox, search, bulk
    actions all start here). Fails closed: no membership, no conversations."""
    if membership is None:
        return Conversation.objects.none()
    return conversations_seen_by(viewer(membership), tenant_id=membership.tenant_id)


def conversations_seen_by(who: Viewer, *, tenant_id: int):
    """``visible_conversations`` for a viewer already read (``viewer``)."""
    return Conversation.objects.filter(tenant_id=tenant_id).filter(VISIBLE.sql(who))


def visible_conversation(*, membership, number) -> Conversation | None:
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    return (
        visible_conversations(membership=membership)
        .select_related("visitor")
        .filter(number=number)
        .first()
    )


def visitor_open_conversation(*, visitor: Visitor) -> Conversation | None:
    """The visitor's conversation in progress (open, pending or snoozed)."""
    return (
        Conversation.objects.filter(visitor=visitor, status__in=Conversation.ACTIVE_STATUSES)
        .order_by("-last_activity_at")
        .first()
    )


def queue_position(*, conversation: Conversation | None) -> int | None:
    """The visitor's place in the assignment queue (1 = next), or None when not queued. With
    nobody online there is no line to be in: the widget says the team is away instead."""
    if (
        conversation is None
        or conversation.status != Conversation.Status.OPEN
        or conversation.assignee_id is not None
        or conversation.waiting_since is None
        or not Tenant.objects.filter(pk=conversation.tenant_id, auto_assign=True).exists()
        or not team_online_count(tenant_id=conversation.tenant_id)
    ):
        return None
    ahead = Conversation.objects.filter(
        Q(waiting_since__lt=conversation.waiting_since)
        | Q(waiting_since=conversation.waiting_since, pk__lt=conversation.pk),
        tenant_id=conversation.tenant_id,
        status=Conversation.Status.OPEN,
        assignee__isnull=True,
        waiting_since__isnull=False,
    ).count()
    return ahead + 1


RESUME_LIMIT = 500


def _page(qs, after_id: int | None, to_payload) -> tuple[list[dict], bool]:
    """Messages after ``after_id``, oldest first, at most RESUME_LIMIT, and whether more follow
    (the client asks again after the last one); without a cursor the latest HISTORY_LIMIT and
    whether older ones exist."""
    if after_id is not None:
        rows = list(qs.filter(id__gt=after_id).order_by("id")[: RESUME_LIMIT + 1])
        more = len(rows) > RESUME_LIMIT
        rows = rows[:RESUME_LIMIT]
    else:
        rows = list(qs.order_by("-id")[: HISTORY_LIMIT + 1])[::-1]
        more = len(rows) > HISTORY_LIMIT
        rows = rows[1:] if more else rows
    return [to_payload(m) for m in rows], more


def visitor_messages(*, visitor: Visitor, after_id: int | None) -> tuple[list[dict], bool]:
    """The visitor's messages, in all their conversations (``_page``)."""
    qs = Message.objects.filter(conversation__visitor=visitor).select_related(
        "conversation", "author"
    )
    return _page(qs, after_id, lambda m: payloads.message(m, m.conversation))


def _newest_id(messages) -> int:
    return messages.order_by("-id").values_list("id", flat=True).first() or 0


def visitor_last_message_id(*, visitor: Visitor) -> int:
    """The newest message id in the visitor's conversations (0: none): what the heartbeat
    carries, so a client that missed a doorbell sees that it did."""
    return _newest_id(Message.objects.filter(conversation__visitor=visitor))


def conversation_last_message_id(*, conversation: Conversation) -> int:
    """The newest message id of one conversation (0: none), for the inbox's heartbeat."""
    return _newest_id(Message.objects.filter(conversation=conversation))


def conversation_by_number(*, number) -> Conversation | None:
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    return Conversation.objects.select_related("visitor").filter(number=number).first()


def conversation_messages(
    *, conversation: Conversation, after_id: int | None
) -> tuple[list[dict], bool]:
    """One conversation's messages (``_page``)."""
    qs = Message.objects.filter(conversation=conversation).select_related("author")
    return _page(qs, after_id, lambda m: payloads.message(m, conversation))


def _label_ids_subquery() -> Subquery:
    """A conversation's label ids as one comma-joined string, inside the list query itself: the
    list costs the same number of queries whatever its size (B6)."""
    through = Conversation.labels.through
    return Subquery(
        through.objects.filter(conversation_id=OuterRef("pk"))
        .values("conversation_id")
        .annotate(ids=GroupConcat("label_id"))
        .values("ids")[:1]
    )


def _summaries(qs, limit: int) -> list[dict]:
    rows = (
        qs.select_related("visitor", "last_message")
        .only(*SUMMARY_FIELDS)
        .annotate(label_ids=_label_ids_subquery())[:limit]
    )
    return [
        payloads.summary(c, [int(x) for x in (c.label_ids or "").split(",") if x]) for c in rows
    ]


class ListError(Refusal):
    """A list request the inbox cannot answer (unknown filter, bad value)."""


LIST_FILTERS = tuple(FILTERS)
ASSIGNEE_FILTERS = tuple(TABS)
SORTS = ("activity", "waiting", "newest")
# The inbox list comes a page at a time (more as the operator scrolls): what it costs to open
# the inbox does not grow with the workspace (B6).
LIST_PAGE = 50
# Conversations waiting for the operator that the title and notifications count, at most.
ATTENTION_LIMIT = 500


@dataclass(frozen=True)
class View:
    """A list view's filters, checked (``inbox_view``): the assignee tab ("all" unless chosen)
    and the others chosen, by name."""

    assignee: str = "all"
    others: dict = field(default_factory=dict)

    @property
    def needs_labels(self) -> bool:
        """Whether deciding a row needs its labels (a partial row comes without them)."""
        return "label" in self.others


def _an_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def inbox_view(*, filters) -> View:
    """The view a list request's filters ask for; refuses unknown filters and bad values."""
    if isinstance(filters, View):
        return filters
    if not isinstance(filters, dict):
        raise ListError("invalid", _("Filters must be an object."), field="filters")
    unknown = sorted(set(filters) - set(LIST_FILTERS))
    if unknown:
        raise ListError(
            "unknown_filter",
            _("Unknown filter: %(name)s. Use one of: %(known)s.")
            % {"name": ", ".join(map(str, unknown))[:100], "known": ", ".join(LIST_FILTERS)},
            field="filters",
        )
    assignee = filters.get("assignee", "all")
    if assignee not in ASSIGNEE_FILTERS:
        raise ListError("invalid", _("Unknown assignee filter."), field="assignee")
    status = filters.get("status")
    if status is not None and status not in Conversation.Status.values:
        raise ListError("invalid", _("Unknown status."), field="status")
    label = filters.get("label")
    if label is not None and (not _an_id(label) or not Label.objects.filter(pk=label).exists()):
        raise ListError("unknown_label", _("No such label in this workspace."), field="label")
    team = filters.get("team")
    if team is not None and (not _an_id(team) or not Team.objects.filter(pk=team).exists()):
        raise ListError("unknown_team", _("No such team in this workspace."), field="team")
    email = filters.get("email")
    if email not in (None, True):
        raise ListError("invalid", _("The email filter is true or absent."), field="email")
    others = {"status": status, "label": label, "team": team, "email": email}
    return View(assignee=assignee, others={k: v for k, v in others.items() if v is not None})


def _counted(view: View) -> bool:
    """Whether the view's tabs have counts: not for resolved conversations (every one ever
    resolved: not worth a count)."""
    return view.others.get("status") != Conversation.Status.RESOLVED


def _others_q(view: View, who: Viewer) -> Q:
    q = VISIBLE.sql(who)
    for name, value in view.others.items():
        q &= FILTERS[name].sql(value, who)
    return q


def view_row(view: View, who: Viewer, row: dict) -> dict:
    """Where a list row stands in ``view`` (the same rules as the SQL of ``inbox_list`` and
    ``inbox_counts``, from the same table): ``in``, whether the list shows it; ``tabs``, the
    assignee tabs whose counts include it. ``row`` needs its labels when the view filters by
    one (``View.needs_labels``)."""
    passes = VISIBLE.row(row, who) and all(
        FILTERS[name].row(row, value, who) for name, value in view.others.items()
    )
    counted = passes and _counted(view) and ("status" in view.others or IN_PROGRESS.row(row))
    return {
        "in": passes and FILTERS["assignee"].row(row, view.assignee, who),
        "tabs": [name for name, tab in TABS.items() if counted and tab.row(row, who)],
    }


def _parse_time(value):
    if not isinstance(value, str):
        raise ValueError
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError
    return parsed


def _after_q(sort: str, cursor) -> Q:
    """Rows that come after ``cursor`` (the last row of the page before) in ``sort``'s order:
    keyset paging, so a conversation that moves while the operator scrolls is neither skipped
    nor shown twice because of the rows above it."""
    bad = ListError(
        "invalid_cursor", _("This list position is not valid; reload the list."), field="cursor"
    )
    try:
        keys = json.loads(cursor) if isinstance(cursor, str) and len(cursor) <= 200 else None
        # [sort, key..., number]: what _cursor writes for that sort
        if not isinstance(keys, list) or len(keys) != (4 if sort == "waiting" else 3):
            raise ValueError
        number = keys[-1]
        if keys[0] != sort or not isinstance(number, int) or isinstance(number, bool):
            raise ValueError
        if sort == "waiting":
            waiting = None if keys[1] is None else _parse_time(keys[1])
            active = _parse_time(keys[2])
        else:
            at = _parse_time(keys[1])
    except (ValueError, TypeError):
        raise bad from None
    if sort == "newest":
        return Q(created_at__lt=at) | Q(created_at=at, number__lt=number)
    if sort == "activity":
        return Q(last_activity_at__lt=at) | Q(last_activity_at=at, number__lt=number)
    later = Q(last_activity_at__lt=active) | Q(last_activity_at=active, number__lt=number)
    if waiting is None:
        return Q(waiting_since__isnull=True) & later
    return (
        Q(waiting_since__gt=waiting)
        | Q(waiting_since=waiting) & later
        | Q(waiting_since__isnull=True)
    )


def _cursor(sort: str, row: dict) -> str:
    if sort == "newest":
        keys = [sort, row["created_at"], row["number"]]
    elif sort == "activity":
        keys = [sort, row["last_activity_at"], row["number"]]
    else:
        keys = [sort, row["waiting_since"], row["last_activity_at"], row["number"]]
    return json.dumps(keys, separators=(",", ":"))


def inbox_list(*, membership, filters, sort="activity", cursor=None, limit=LIST_PAGE) -> dict:
    """One page of the conversations the operator may see, filtered and sorted:
    ``{"conversations", "more", "cursor"}`` (``cursor``, given back, asks for the next page).
    Unknown filters are refused (never ignored: an operator must not believe a list is
    filtered when it is not)."""
    view = inbox_view(filters=filters)
    if sort not in SORTS:
        raise ListError(
            "invalid", _("Sort by one of: %(known)s.") % {"known": ", ".join(SORTS)}, field="sort"
        )
    who = viewer(membership)
    qs = Conversation.objects.filter(
        _others_q(view, who) & FILTERS["assignee"].sql(view.assignee, who),
        tenant_id=membership.tenant_id,
    )
    if cursor is not None:
        qs = qs.filter(_after_q(sort, cursor))
    # Ties broken by number, newest first, as the inbox sorts them.
    if sort == "waiting":
        qs = qs.order_by(F("waiting_since").asc(nulls_last=True), "-last_activity_at", "-number")
    elif sort == "newest":
        qs = qs.order_by("-created_at", "-number")
    else:
        qs = qs.order_by("-last_activity_at", "-number")
    size = max(1, min(int(limit), LIST_PAGE))
    rows = _summaries(qs, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return {
        "conversations": rows,
        "more": more,
        "cursor": _cursor(sort, rows[-1]) if more else None,
    }


def inbox_counts(*, membership, filters) -> dict | None:
    """How many conversations each assignee tab holds under the view's other filters (in
    progress ones when it names no status), in one query; ``None`` when the view has no counts
    (``_counted``)."""
    view = inbox_view(filters=filters)
    if not _counted(view):
        return None
    who = viewer(membership)
    qs = Conversation.objects.filter(_others_q(view, who), tenant_id=membership.tenant_id)
    if "status" not in view.others:
        qs = qs.filter(IN_PROGRESS.sql())
    tabs = {name: tab.sql(who) for name, tab in TABS.items()}
    return qs.aggregate(
        **{name: Count("pk", filter=q) if q else Count("pk") for name, q in tabs.items()}
    )


def home_counts(*, membership) -> dict:
    """The open conversations ``membership`` may see, counted as the home page shows them (one
    query): ``open``; ``waiting``, a visitor waiting for an answer; ``unassigned``; ``mine``
    (the inbox's tabs, with its default filter: open)."""
    who = viewer(membership)
    return (
        conversations_seen_by(who, tenant_id=membership.tenant_id)
        .filter(status=Conversation.Status.OPEN)
        .aggregate(
            open=Count("pk"),
            waiting=Count("pk", filter=Q(waiting_since__isnull=False)),
            unassigned=Count("pk", filter=TABS["unassigned"].sql(who)),
            mine=Count("pk", filter=TABS["mine"].sql(who)),
        )
    )


def conversation_label_ids(*, number: int) -> list[int]:
    """The label ids of this workspace's conversation ``number``: what a partial row (a
    message's) leaves out."""
    labels = Conversation.objects.filter(number=number).values_list("labels", flat=True)
    return [pk for pk in labels if pk is not None]


# Waiting for this operator: open, unassigned or theirs, with unread messages or a visitor
# waiting for an answer (the inbox's title count).
ATTENTION = Rule(
    sql=lambda who: (
        Q(status=Conversation.Status.OPEN)
        & (Q(assignee__isnull=True) | Q(assignee_id=who.user_id))
        & (Q(operator_unread__gt=0) | Q(waiting_since__isnull=False))
    ),
    row=lambda c, who: (
        c["status"] == Conversation.Status.OPEN
        and c["assignee"] in (None, who.user_id)
        and (c["unread"] > 0 or c["waiting_since"] is not None)
    ),
)


def attention_numbers(*, membership) -> list[int]:
    """The conversations waiting for this operator (``ATTENTION``), latest first. The inbox
    keeps the set current from the rows it is sent, each marked ``attention`` by the server."""
    return list(
        visible_conversations(membership=membership)
        .filter(ATTENTION.sql(viewer(membership)))
        .order_by("-last_activity_at")
        .values_list("number", flat=True)[:ATTENTION_LIMIT]
    )


def conversation_summary(*, conversation: Conversation) -> dict | None:
    rows = _summaries(Conversation.objects.filter(pk=conversation.pk), 1)
    return rows[0] if rows else None


def labels_by_name(*, with_counts: bool = False) -> list[Label]:
    """The workspace's labels in Turkish alphabetical order; ``with_counts``: each with
    ``conversation_count`` (how many conversations have it)."""
    labels = Label.objects.all()
    if with_counts:
        labels = labels.annotate(conversation_count=Count("conversations"))
    return sorted_by_name(labels, lambda label: label.name)


def teams_by_name(*, with_counts: bool = False) -> list[Team]:
    """The workspace's teams in Turkish alphabetical order; ``with_counts``: each with
    ``conversation_count`` (how many conversations are the team's)."""
    teams = sorted_by_name(Team.objects.all(), lambda team: team.name)
    if with_counts:
        counts = dict(
            Conversation.objects.filter(team__isnull=False)
            .order_by()
            .values_list("team")
            .annotate(n=Count("pk"))
        )
        for team in teams:
            team.conversation_count = counts.get(team.pk, 0)
    return teams


def labels_payload() -> list[dict]:
    return [
        {"id": label.pk, "name": label.name, "color": label.color} for label in labels_by_name()
    ]


def roster(*, tenant: Tenant) -> dict:
    """Who and what an inbox needs to name: members, teams, labels, workspace settings."""
    members = tenant_selectors.members_by_name(tenant=tenant)
    online = set(online_user_ids(tenant_id=tenant.pk))
    return {
        "members": [
            {
                "id": m.user_id,
                "name": m.user.get_full_name(),
                "role": m.role,
                "capacity": m.capacity,
                "teams": sorted(t.pk for t in m.teams.all()),
                "online": m.user_id in online,
            }
            for m in members
        ],
        "teams": [{"id": t.pk, "name": t.name} for t in teams_by_name()],
        "labels": labels_payload(),
        "settings": {
            "visibility": tenant.conversation_visibility,
            "auto_assign": tenant.auto_assign,
            "typing_preview": tenant.typing_preview,
        },
    }


def conversation_activities(*, conversation: Conversation) -> list[dict]:
    rows = Activity.objects.filter(conversation=conversation).order_by("-id")[:HISTORY_LIMIT]
    return [payloads.activity(a) for a in reversed(list(rows))]


def _came_from(session: VisitorSession | None) -> str:
    """Where the visitor came from on this visit: the referrer of its first page, when it is
    another site ("" when they typed the address, or came from the site itself)."""
    if session is None:
        return ""
    first = (
        PageView.objects.filter(session=session).order_by("viewed_at").values("url", "referrer")
    ).first()
    if not first:
        return ""
    return visitor_selectors.came_from(first_url=first["url"], referrer=first["referrer"])


def visitor_panel(*, visitor: Visitor, exclude_conversation: Conversation | None = None) -> dict:
    session = VisitorSession.objects.filter(visitor=visitor).order_by("-last_seen_at").first()
    pages = list(
        PageView.objects.filter(visitor=visitor)
        .order_by("-viewed_at")
        .values("url", "title", "viewed_at")[:20]
    )
    previous = Conversation.objects.filter(visitor=visitor).order_by("-created_at")
    if exclude_conversation is not None:
        previous = previous.exclude(pk=exclude_conversation.pk)
    previous = list(previous.only("number", "status", "created_at")[:10])
    ratings = (
        Activity.objects.filter(conversation__visitor=visitor, kind=Activity.Kind.RATED)
        .order_by("-id")
        .values("conversation__number", "data", "body")[:5]
    )
    return {
        "id": visitor.public_id.hex,
        "name": visitor.name,  # empty when none: each page labels it in its own language
        "email": visitor.email if visitor.is_verified else "",
        # Whether a reply reaches them now: on the site, or by the email address they gave.
        "online": visitor_selectors.online_presences().filter(visitor=visitor).exists(),
        "email_known": bool(visitor.email or visitor.unverified.get("email")),
        "verified": visitor.is_verified,
        "returning": visitor.visits > 1 or bool(previous),
        "visits": visitor.visits,
        "current_page": ({"url": pages[0]["url"], "title": pages[0]["title"]} if pages else None),
        "came_from": _came_from(session),
        "pages": [
            {"url": p["url"], "title": p["title"], "at": payloads.iso(p["viewed_at"])}
            for p in pages
        ],
        "browser": session.browser if session else "",
        "os": session.os if session else "",
        "language": session.language if session else "",
        "timezone": session.timezone if session else "",
        "attributes": visitor.attributes,
        "unverified": visitor.unverified,
        "first_seen_at": payloads.iso(visitor.first_seen_at),
        "last_seen_at": payloads.iso(visitor.last_seen_at),
        "ratings": [
            {
                "number": r["conversation__number"],
                "score": r["data"].get("score"),
                "comment": r["body"],
            }
            for r in ratings
        ],
        "previous_conversations": [
            {"number": c.number, "status": c.status, "created_at": payloads.iso(c.created_at)}
            for c in previous
        ],
    }
