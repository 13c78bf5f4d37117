"""The operator inbox page. Everything live happens over the inbox socket."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.conversations import selectors, services
from apps.conversations.models import Label
from apps.conversations.strings import inbox_strings
from apps.core.errors import Refusal
from apps.tenants import services as tenant_services
from apps.tenants.access import workspace_view
from apps.tenants.models import Membership, Role, Team, Tenant
from apps.visitors.strings import inbox_visitor_strings


@workspace_view(Role.OPERATOR)
@require_GET
def inbox(request: HttpRequest, number: int | None = None) -> HttpResponse:
    if (
        number is not None
        and selectors.visible_conversation(membership=request.membership, number=number) is None
    ):
        raise Http404(_("No such conversation in this workspace."))
    return render(
        request,
        "conversations/inbox.html",
        {
            "ws_url_path": f"/ws/inbox/{request.tenant.slug}/",
            "open_number": number,
            "strings": inbox_strings(),
            "visitor_strings": inbox_visitor_strings(),
            "inbox_config": {
                "ws_url_path": f"/ws/inbox/{request.tenant.slug}/",
                "open_number": number,
                "slug": request.tenant.slug,
                "inbox_url": f"/app/{request.tenant.slug}/inbox/",
                "me": request.user.pk,
            },
        },
    )


def _settings_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    tenant = Tenant.objects.get(pk=request.tenant.pk)
    teams = list(Team.objects.order_by("name"))
    members = list(
        Membership.objects.select_related("user")
        .prefetch_related("teams")
        .order_by("user__full_name")
    )
    rows = [
        {
            "member": m,
            "teams": [(team, team in list(m.teams.all())) for team in teams],
        }
        for m in members
    ]
    return render(
        request,
        "conversations/inbox_settings.html",
        {
            "workspace": tenant,
            "teams": teams,
            "rows": rows,
            "labels": Label.objects.order_by("name"),
            "visibility_choices": Tenant.Visibility.choices,
        },
        status=status,
    )


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def inbox_settings(request: HttpRequest) -> HttpResponse:
    """Teams, capacity, visibility, automatic assignment and labels (admins)."""
    if request.method == "GET":
        return _settings_page(request)
    action = request.POST.get("action", "")
    handler = SETTINGS_ACTIONS.get(action)
    if handler is None:
        messages.error(request, _("Unknown action."))
        return _settings_page(request, status=400)
    try:
        done = handler(request)
    except Refusal as error:
        messages.error(request, error.message)
        return _settings_page(request, status=400)
    messages.success(request, done)
    return redirect("inbox:settings", slug=request.tenant.slug)


def _save_general(request: HttpRequest) -> str:
    tenant_services.inbox_settings_update(
        membership=request.membership,
        visibility=request.POST.get("visibility", ""),
        auto_assign=request.POST.get("auto_assign") == "on",
        typing_preview=request.POST.get("typing_preview") == "on",
    )
    return _("Inbox settings saved.")


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise tenant_services.SettingsError(
            "invalid", _("%(field)s must be a whole number.") % {"field": field}
        ) from None


def _save_members(request: HttpRequest) -> str:
    """Capacity per member and who is in which team, from the members table."""
    user_ids = list(Membership.objects.values_list("user_id", flat=True))
    capacities = {
        user_id: _int(request.POST[f"capacity-{user_id}"], _("Capacity"))
        for user_id in user_ids
        if f"capacity-{user_id}" in request.POST
    }
    team_members = {
        team_id: [u for u in user_ids if request.POST.get(f"team-{team_id}-{u}")]
        for team_id in Team.objects.values_list("pk", flat=True)
    }
    tenant_services.members_configure(
        membership=request.membership, capacities=capacities, team_members=team_members
    )
    return _("Members saved.")


def _team_create(request: HttpRequest) -> str:
    team = tenant_services.team_create(membership=request.membership, name=request.POST.get("name"))
    return _("Team “%(name)s” created.") % {"name": team.name}


def _team_delete(request: HttpRequest) -> str:
    tenant_services.team_delete(
        membership=request.membership, team_id=_int(request.POST.get("team"), _("Team"))
    )
    return _("Team deleted. Its conversations stay, without a team.")


def _label_create(request: HttpRequest) -> str:
    label = services.label_create(
        membership=request.membership,
        name=request.POST.get("name"),
        color=request.POST.get("color") or "#6b7280",
    )
    return _("Label “%(name)s” created.") % {"name": label.name}


def _label_delete(request: HttpRequest) -> str:
    services.label_delete(
        membership=request.membership, label_id=_int(request.POST.get("label"), _("Label"))
    )
    return _("Label deleted.")


SETTINGS_ACTIONS = {
    "general": _save_general,
    "members": _save_members,
    "team_create": _team_create,
    "team_delete": _team_delete,
    "label_create": _label_create,
    "label_delete": _label_delete,
}
