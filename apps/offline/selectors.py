"""Reads about business hours; ``availability`` is the one the chat widget shows.

Hours are wall-clock times in the workspace's time zone. The workspace is open exactly when its
wall clock shows a time inside one of the day's intervals, and that decides the two awkward
cases of a daylight-saving change (tests/offline/test_availability.py shows both):

- a time the clock skips (spring forward, 02:30 in Berlin on 2026-03-29) is reached when the
  clock jumps past it: an interval from 02:30 opens at 03:00 summer time;
- a time the clock shows twice (fall back, 02:30 in Berlin on 2026-10-25) opens an interval at
  its first showing and closes one at its second, so 01:00–03:00 that night lasts three hours.

A closed date closes its whole local day. Adjoining intervals (Monday until midnight, Tuesday
from midnight) count as one stretch, so ``closes_at`` is when the chat really closes.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings as django_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.conversations import selectors as conversation_selectors
from apps.conversations.models import Conversation, Message
from apps.offline.models import (
    MIDNIGHT,
    BusinessHours,
    ClosedDate,
    EmailThread,
    OfflineSettings,
    Rating,
    WeeklyInterval,
)
from apps.tenants.models import Tenant
from apps.visitors import selectors as visitor_selectors
from apps.visitors.models import Visitor, VisitorSession

UTC = datetime.UTC
LOOK_AHEAD_DAYS = 14

ALWAYS, OPEN, CLOSED = "always", "open", "closed"


@dataclass(frozen=True)
class Availability:
    state: str  # "always" (business hours off or none set), "open" (inside hours), "closed"
    next_open: datetime.datetime | None  # aware UTC, when closed: when the hours next open
    closes_at: datetime.datetime | None  # aware UTC, when open: when the current stretch ends
    reply_minutes: int | None

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "next_open": self.next_open.isoformat() if self.next_open else None,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
            "reply_minutes": self.reply_minutes,
        }


def hours_settings(*, tenant: Tenant) -> BusinessHours | None:
    return BusinessHours.objects.filter(tenant=tenant).first()


def weekly_intervals(*, tenant: Tenant, team_id: int | None = None) -> list[WeeklyInterval]:
    """The workspace's weekly schedule (or ``team_id``'s own: empty when the team keeps the
    workspace's), by day then start."""
    return list(WeeklyInterval.objects.filter(tenant=tenant, team_id=team_id))


def teams_with_own_hours(*, tenant: Tenant) -> set[int]:
    """The ids of the teams that have hours of their own."""
    return set(
        WeeklyInterval.objects.filter(tenant=tenant, team__isnull=False).values_list(
            "team_id", flat=True
        )
    )


def closed_dates(*, tenant: Tenant) -> list[ClosedDate]:
    return list(ClosedDate.objects.filter(tenant=tenant, team__isnull=True))


def hours_set(*, tenant: Tenant) -> bool:
    """Business hours are on and have at least one interval (the home page's checklist)."""
    return (
        BusinessHours.objects.filter(tenant=tenant, enabled=True).exists()
        and WeeklyInterval.objects.filter(tenant=tenant, team__isnull=True).exists()
    )


def local_moment(
    day: datetime.date, at: datetime.time, *, zone: ZoneInfo, closing: bool = False
) -> datetime.datetime:
    """The moment (UTC) the wall clock in ``zone`` shows ``at`` on ``day``: the first showing
    of a time shown twice (the last when ``closing``), and for a time the clock skips, the
    moment it jumps past it."""
    naive = datetime.datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    if second > first:  # shown twice (fall back)
        return second if closing else first
    # Skipped (spring forward): ``second`` is before the jump, ``first`` after it. Find the
    # first second at which the wall clock shows ``naive`` or later.
    low, high = int(second.timestamp()), int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        shown = datetime.datetime.fromtimestamp(middle, zone).replace(tzinfo=None)
        if shown < naive:
            low = middle
        else:
            high = middle
    return datetime.datetime.fromtimestamp(high, UTC)


def open_stretches(
    *,
    zone: ZoneInfo,
    intervals: list[WeeklyInterval],
    closed: set[datetime.date],
    first_day: datetime.date,
    days: int,
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The moments (UTC) the workspace is open from ``first_day`` for ``days`` local days,
    adjoining and overlapping intervals joined, in order."""
    by_day: dict[int, list[WeeklyInterval]] = {}
    for interval in intervals:
        by_day.setdefault(interval.weekday, []).append(interval)
    spans = []
    for offset in range(days):
        day = first_day + datetime.timedelta(days=offset)
        if day in closed:
            continue
        for interval in by_day.get(day.weekday(), ()):
            end_day = day + datetime.timedelta(days=1) if interval.end == MIDNIGHT else day
            start = local_moment(day, interval.start, zone=zone)
            end = local_moment(end_day, interval.end, zone=zone, closing=True)
            if end > start:
                spans.append((start, end))
    spans.sort()
    joined: list[tuple[datetime.datetime, datetime.datetime]] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def availability(
    *, tenant: Tenant, now: datetime.datetime | None = None, team_id: int | None = None
) -> Availability:
    """Whether the workspace (or the team ``team_id``) is open at ``now`` (default: now), and
    until or from when. A team with hours of its own follows them, one without follows the
    workspace's; the workspace's switch and closed days hold for every team."""
    settings = hours_settings(tenant=tenant)
    reply_minutes = settings.reply_minutes if settings else None
    intervals = []
    if settings and settings.enabled:
        if team_id is not None:
            intervals = weekly_intervals(tenant=tenant, team_id=team_id)
        intervals = intervals or weekly_intervals(tenant=tenant)
    if not intervals:
        return Availability(ALWAYS, None, None, reply_minutes)
    now = (now or timezone.now()).astimezone(UTC)
    zone = ZoneInfo(tenant.timezone)
    today = now.astimezone(zone).date()
    last_day = today + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    closed = {
        c.date
        for c in ClosedDate.objects.filter(
            tenant=tenant, team__isnull=True, date__gte=today, date__lte=last_day
        )
    }
    stretches = open_stretches(
        zone=zone, intervals=intervals, closed=closed, first_day=today, days=LOOK_AHEAD_DAYS + 1
    )
    for start, end in stretches:
        if start <= now < end:
            return Availability(OPEN, None, end, reply_minutes)
        if start > now:
            return Availability(CLOSED, start, None, reply_minutes)
    return Availability(CLOSED, None, None, reply_minutes)


def offline_settings(*, tenant: Tenant) -> OfflineSettings:
    """The workspace's pre-chat form and email settings (the defaults, unsaved, until an admin
    saves them)."""
    found = OfflineSettings.objects.filter(tenant=tenant).first()
    return found if found is not None else OfflineSettings(tenant=tenant)


def nobody_can_answer(*, tenant: Tenant, now: datetime.datetime | None = None) -> bool:
    """Closed by the business hours, or no operator online: a visitor who writes now is
    answered later, by email when they left an address."""
    if availability(tenant=tenant, now=now).state == "closed":
        return True
    return conversation_selectors.team_online_count(tenant_id=tenant.pk) == 0


def visitor_on_page(*, visitor_id: int) -> bool:
    """Whether the visitor has a chat window open now (the live visitors' rule)."""
    return visitor_selectors.online_presences().filter(visitor_id=visitor_id).exists()


def visitor_email(visitor: Visitor) -> str:
    """Where a visitor can be emailed: the verified address, else the one they typed."""
    return visitor.email or str(visitor.unverified.get("email") or "")


def tenant_by_inbound_secret(secret: str) -> Tenant | None:
    """The workspace whose inbound email endpoint has this secret (None: no such endpoint)."""
    if not secret:
        return None
    with scopes_disabled():
        found = (
            OfflineSettings.objects.select_related("tenant").filter(inbound_secret=secret).first()
        )
    return found.tenant if found is not None else None


# --- Email to visitors -----------------------------------------------------------------------

CONTEXT_MESSAGES = 3  # messages shown before the new ones in a reply email, for context


def visitor_language(visitor: Visitor, *, fallback: str = "") -> str:
    """The language to write to a visitor in: their latest visit's browser language when
    Sohbet speaks it, else ``fallback`` (the workspace's), else English."""
    supported = {code for code, _name in django_settings.LANGUAGES}
    latest = (
        VisitorSession.objects.filter(visitor=visitor)
        .exclude(language="")
        .order_by("-started_at")
        .values_list("language", flat=True)
        .first()
    )
    for candidate in (latest or "", fallback):
        code = candidate.split("-")[0].split("_")[0].lower()
        if code in supported:
            return code
    return "en"


def visitor_zone(visitor: Visitor, *, fallback: str) -> ZoneInfo:
    """The visitor's time zone (their latest visit's), else ``fallback`` (the workspace's)."""
    latest = (
        VisitorSession.objects.filter(visitor=visitor)
        .exclude(timezone="")
        .order_by("-started_at")
        .values_list("timezone", flat=True)
        .first()
    )
    for name in (latest, fallback):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def replies_unread(*, thread: EmailThread) -> list[Message]:
    """The operators' and the bot's messages after the last one emailed that the visitor has
    not read, oldest first."""
    return list(
        Message.objects.filter(
            conversation_id=thread.conversation_id,
            pk__gt=thread.emailed_up_to,
            sender__in=[Message.Sender.OPERATOR, Message.Sender.BOT],
            read_at__isnull=True,
        )
        .select_related("author")
        .order_by("pk")
    )


def messages_before(*, conversation_id: int, before_id: int, count: int) -> list[Message]:
    """The ``count`` messages before message ``before_id``, oldest first."""
    found = list(
        Message.objects.filter(conversation_id=conversation_id, pk__lt=before_id)
        .select_related("author")
        .order_by("-pk")[:count]
    )
    return found[::-1]


def transcript_messages(*, conversation_id: int) -> list[Message]:
    """Every message of the conversation, oldest first: what the visitor saw (the team's notes
    and history are ``Activity`` rows, never here)."""
    return list(
        Message.objects.filter(conversation_id=conversation_id)
        .select_related("author")
        .order_by("pk")
    )


def rating_for(*, conversation: Conversation, resolved_at) -> Rating | None:
    return Rating.objects.filter(conversation=conversation, resolved_at=resolved_at).first()
