"""The Business hours section of the Settings area (admins): the weekly schedule with its
switch and reply time, and closed dates. Views read the form and call services; the rules
live in ``services.py``."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.conversations import selectors as conversation_selectors
from apps.offline import selectors, services
from apps.offline.forms import OfflineSettingsForm
from apps.offline.models import REPLY_MINUTES_MAX, Weekday
from apps.offline.selectors import Availability
from apps.offline.services import HoursError
from apps.tenants.access import workspace_view
from apps.tenants.models import Role, Team, Tenant


def _when(moment: datetime.datetime, *, zone: ZoneInfo, now: datetime.datetime) -> str:
    """A moment as the workspace reads it: "18:00", "tomorrow 09:00", "Monday 09:00", or with
    its date when a week or more away."""
    local = moment.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    time = formats.time_format(local, "H:i")
    if days == 0:
        return _("today %(time)s") % {"time": time}
    if days == 1:
        return _("tomorrow %(time)s") % {"time": time}
    day = formats.date_format(local, "l") if days < 7 else formats.date_format(local, "l j F")
    return _("%(day)s %(time)s") % {"day": day, "time": time}


def now_line(
    availability: Availability, *, tenant: Tenant, now: datetime.datetime | None = None
) -> str:
    """ "Now: open until 18:00", "Now: closed, opens Monday 09:00"…, for the settings page."""
    now = now or timezone.now()
    zone = ZoneInfo(tenant.timezone)
    if availability.state == selectors.OPEN:
        local = availability.closes_at.astimezone(zone)
        if local.date() == now.astimezone(zone).date():
            until = formats.time_format(local, "H:i")
        else:
            until = _when(availability.closes_at, zone=zone, now=now)
        return _("Now: open until %(time)s") % {"time": until}
    if availability.state == selectors.CLOSED:
        if availability.next_open is None:
            return _("Now: closed, and not open in the next %(n)s days") % {
                "n": selectors.LOOK_AHEAD_DAYS
            }
        return _("Now: closed, opens %(when)s") % {
            "when": _when(availability.next_open, zone=zone, now=now)
        }
    return _("Now: business hours are off, so the chat is open at all times")


def _days(intervals: dict[int, list[tuple[str, str]]]) -> list[dict]:
    return [
        {"weekday": value, "label": label, "intervals": intervals.get(value, [])}
        for value, label in Weekday.choices
    ]


def _saved_intervals(tenant: Tenant, team_id: int | None) -> dict[int, list[tuple[str, str]]]:
    days: dict[int, list[tuple[str, str]]] = {}
    for interval in selectors.weekly_intervals(tenant=tenant, team_id=team_id):
        days.setdefault(interval.weekday, []).append(
            (f"{interval.start:%H:%M}", f"{interval.end:%H:%M}")
        )
    return days


def _posted_intervals(request: HttpRequest) -> dict[int, list[tuple[str, str]]]:
    """Each day's rows as posted (``start-<day>``, ``end-<day>``), rows left empty dropped."""
    days: dict[int, list[tuple[str, str]]] = {}
    for weekday in Weekday.values:
        starts = request.POST.getlist(f"start-{weekday}")
        ends = request.POST.getlist(f"end-{weekday}")
        rows = [(s.strip(), e.strip()) for s, e in zip(starts, ends, strict=False)]
        days[weekday] = [row for row in rows if row[0] or row[1]]
    return days


def _team(request: HttpRequest):
    """The team whose schedule the page shows (``?team=<id>``, or the form's), or None: the
    workspace's."""
    wanted = request.POST.get("team") or request.GET.get("team")
    if not wanted:
        return None
    team = Team.objects.filter(pk=wanted).first() if wanted.isdigit() else None
    if team is None:
        raise Http404(_("No such team in this workspace."))
    return team


def _page(request: HttpRequest, *, posted: dict | None = None, status: int = 200) -> HttpResponse:
    tenant = request.tenant
    team = _team(request)
    settings = selectors.hours_settings(tenant=tenant)
    now = timezone.now()
    availability = selectors.availability(tenant=tenant, now=now, team_id=team.pk if team else None)
    own = selectors.teams_with_own_hours(tenant=tenant)
    if posted is None:
        intervals = _saved_intervals(tenant, team.pk if team else None)
        posted = {
            # A team's switch: hours of its own.
            "enabled": bool(intervals) if team else bool(settings and settings.enabled),
            "reply_minutes": settings.reply_minutes if settings else None,
            "intervals": intervals,
        }
    teams = conversation_selectors.teams_by_name()
    for t in teams:
        t.own_hours = t.pk in own
    return render(
        request,
        "offline/hours.html",
        {
            "enabled": posted["enabled"],
            "reply_minutes": posted["reply_minutes"] or "",
            "reply_minutes_max": REPLY_MINUTES_MAX,
            "days": _days(posted["intervals"]),
            "closed_dates": selectors.closed_dates(tenant=tenant),
            "workspace_timezone": tenant.timezone,
            "now_line": now_line(availability, tenant=tenant, now=now),
            "availability": availability,
            "team": team,
            "teams": teams,
        },
        status=status,
    )


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def hours(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    action = request.POST.get("action", "")
    posted = None
    try:
        if action == "hours":
            posted = {
                "enabled": request.POST.get("enabled") == "on",
                "reply_minutes": request.POST.get("reply_minutes", "").strip(),
                "intervals": _posted_intervals(request),
            }
            services.hours_update(
                membership=request.membership,
                enabled=posted["enabled"],
                reply_minutes=posted["reply_minutes"],
                intervals=[
                    (weekday, start, end)
                    for weekday, rows in posted["intervals"].items()
                    for start, end in rows
                ],
            )
            done = _("Business hours saved.")
        elif action == "team_hours":
            team = _team(request)
            posted = {
                "enabled": request.POST.get("own") == "on",
                "reply_minutes": None,
                "intervals": _posted_intervals(request),
            }
            services.team_hours_update(
                membership=request.membership,
                team_id=team.pk if team else None,
                own=posted["enabled"],
                intervals=[
                    (weekday, start, end)
                    for weekday, rows in posted["intervals"].items()
                    for start, end in rows
                ],
            )
            messages.success(request, _("Business hours of %(team)s saved.") % {"team": team.name})
            return redirect(
                reverse("offline:hours", kwargs={"slug": request.tenant.slug}) + f"?team={team.pk}"
            )
        elif action == "closed_add":
            closed = services.closed_date_add(
                membership=request.membership,
                date=request.POST.get("date", ""),
                name=request.POST.get("name", ""),
            )
            done = _("%(date)s is now a closed day (%(name)s).") % {
                "date": formats.date_format(closed.date, "DATE_FORMAT"),
                "name": closed.name,
            }
        elif action == "closed_delete":
            services.closed_date_delete(
                membership=request.membership, closed_date_id=request.POST.get("closed_date")
            )
            done = _("Closed day removed.")
        else:
            messages.error(request, _("Unknown action."))
            return _page(request, status=400)
    except HoursError as error:
        messages.error(request, error.message)
        return _page(request, posted=posted, status=403 if error.code == "forbidden" else 400)
    messages.success(request, done)
    return redirect("offline:hours", slug=request.tenant.slug)


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def offline_settings(request: HttpRequest) -> HttpResponse:
    """Settings → Offline and email: the pre-chat form, replies by email, transcripts, the
    rating after a chat, and where incoming mail goes."""
    current = selectors.offline_settings(tenant=request.tenant)
    if request.method == "POST" and request.POST.get("action") == "renew_secret":
        services.inbound_secret_renew(membership=request.membership)
        messages.success(request, _("A new address for incoming mail was made."))
        return redirect("offline:settings", slug=request.tenant.slug)
    form = OfflineSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.offline_settings_update(
            membership=request.membership,
            values={name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        messages.success(request, _("Offline and email settings saved."))
        return redirect("offline:settings", slug=request.tenant.slug)
    return render(
        request,
        "offline/settings.html",
        {
            "form": form,
            "inbound_url": request.build_absolute_uri(
                reverse("inbound:email", args=[current.inbound_secret])
            ),
            "reply_domain": settings.INBOUND_EMAIL_DOMAIN,
        },
        status=400 if form.errors else 200,
    )
