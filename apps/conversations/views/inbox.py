"""The operator inbox page. Everything live happens over the inbox socket."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.conversations import inbox_extras, selectors, services
from apps.conversations.strings import inbox_strings
from apps.core.errors import Refusal
from apps.tenants import selectors as tenant_selectors
from apps.tenants import services as tenant_services
from apps.tenants.access import workspace_view
from apps.tenants.models import Membership, Role, Team, Tenant
from apps.visitors.strings import inbox_visitor_strings


@workspace_view(Role.OPERATOR)
@require_GET
def inbox(request: HttpRequest, number: int | None = None, live: bool = False) -> HttpResponse:
    """The inbox; on its Visitors address it opens with the live visitors list shown."""
    if (
        number is not None
        and selectors.visible_conversation(membership=request.membership, number=number) is None
    ):
        raise Http404(_("No such conversation in this workspace."))
    scripts = inbox_extras.scripts_for_page(tenant=request.tenant)
    return render(
        request,
        "conversations/inbox.html",
        {
            "extra_scripts": scripts,
            "strings": inbox_strings(),
            "visitor_strings": inbox_visitor_strings(),
            "inbox_config": {
                # The socket speaks the page's language: the one this request chose (the
                # person's own, the language switcher's or the browser's).
                "ws_url_path": f"/ws/inbox/{request.tenant.slug}/?"
                + urlencode({"language": request.LANGUAGE_CODE}),
                "open_number": number,
                "slug": request.tenant.slug,
                "inbox_url": f"/app/{request.tenant.slug}/inbox/",
                "me": request.user.pk,
                "live_open": live,
                "csrf_token": get_token(request),
                "actions": inbox_extras.for_page(
                    tenant=request.tenant, is_admin=request.membership.is_admin
                ),
                "scripts": scripts,
            },
        },
    )


def _settings_page(request: HttpRequest, section: str, status: int = 200) -> HttpResponse:
    """One section of the inbox's settings (admins): ``general`` (who sees what, automatic
    assignment, capacity), ``teams`` (teams and who is in each) or ``labels``."""
    context: dict = {"section": section}
    if section in ("general", "teams"):
        # The teams' delete dialogs say how many conversations each touches.
        teams = selectors.teams_by_name(with_counts=section == "teams")
        context["teams"] = teams
        context["rows"] = []
        for m in tenant_selectors.members_by_name(tenant=request.tenant):
            in_teams = set(m.teams.all())
            context["rows"].append(
                {"member": m, "teams": [(team, team in in_teams) for team in teams]}
            )
    if section == "general":
        context["workspace"] = Tenant.objects.get(pk=request.tenant.pk)
        context["visibility_choices"] = Tenant.Visibility.choices
    if section == "labels":
        # Their delete dialogs say how many conversations each is on.
        context["labels"] = selectors.labels_by_name(with_counts=True)
    return render(request, f"conversations/settings_{section}.html", context, status=status)


def _settings_view(section: str, actions: dict):
    @workspace_view(Role.ADMIN)
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            return _settings_page(request, section)
        handler = actions.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
            return _settings_page(request, section, status=400)
        try:
            done = handler(request)
        except Refusal as error:
            messages.error(request, error.message)
            return _settings_page(request, section, status=400)
        messages.success(request, done)
        return redirect(f"inbox_settings:{section}", slug=request.tenant.slug)

    view.__name__ = f"settings_{section}"
    return view


@workspace_view(Role.ADMIN)
@require_GET
def settings_moved(request: HttpRequest) -> HttpResponse:
    """The inbox's settings' old address."""
    return redirect("inbox_settings:general", slug=request.tenant.slug, permanent=True)


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


def _save_capacity(request: HttpRequest) -> str:
    """Capacity per member, from the assignment section's table."""
    user_ids = Membership.objects.values_list("user_id", flat=True)
    capacities = {
        user_id: _int(request.POST[f"capacity-{user_id}"], _("Capacity"))
        for user_id in user_ids
        if f"capacity-{user_id}" in request.POST
    }
    tenant_services.members_configure(
        membership=request.membership, capacities=capacities, team_members={}
    )
    return _("Capacity saved.")


def _save_team_members(request: HttpRequest) -> str:
    """Who is in which team, from the teams section's table."""
    user_ids = list(Membership.objects.values_list("user_id", flat=True))
    team_members = {
        team_id: [u for u in user_ids if request.POST.get(f"team-{team_id}-{u}")]
        for team_id in Team.objects.values_list("pk", flat=True)
    }
    tenant_services.members_configure(
        membership=request.membership, capacities={}, team_members=team_members
    )
    return _("Teams saved.")


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


settings_general = _settings_view("general", {"general": _save_general, "capacity": _save_capacity})
settings_teams = _settings_view(
    "teams",
    {"team_create": _team_create, "team_delete": _team_delete, "members": _save_team_members},
)
settings_labels = _settings_view(
    "labels", {"label_create": _label_create, "label_delete": _label_delete}
)
