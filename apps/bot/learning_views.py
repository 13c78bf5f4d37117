"""Proposed entries in the Bot section (/app/<slug>/settings/bot/proposals/): what the bot
learned from consenting visitors' conversations and what operators suggested, for an admin to
make entries of or dismiss; and the inbox's "Suggest as an entry" (JSON)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.bot import selectors, services
from apps.conversations import selectors as conversation_selectors
from apps.core.errors import Refusal
from apps.core.views import errors_as
from apps.tenants.access import workspace_view
from apps.tenants.models import Role


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def proposals(request: HttpRequest) -> HttpResponse:
    """GET: the pending proposals, similar questions grouped. POST ``dismiss`` (ids, comma
    separated): dismiss a group."""
    if request.method == "POST":
        ids = [int(x) for x in request.POST.get("dismiss", "").split(",") if x.isdigit()]
        if services.proposals_dismiss(proposal_ids=ids[:100]):
            messages.success(request, _("Proposal dismissed."))
        return redirect("bot:proposals", slug=request.tenant.slug)
    groups = selectors.proposal_groups()
    return render(
        request,
        "bot/proposals.html",
        {
            "groups": [
                {"group": g, "ids": ",".join(str(i) for i in g.ids), "first": g.proposals[0]}
                for g in groups
            ]
        },
    )


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": str(message), **extra}, status=status)


@errors_as(_error)
@workspace_view()
@require_POST
def inbox_suggest(request: HttpRequest, number: int) -> JsonResponse:
    """An operator suggests the team's last reply in the conversation as a knowledge-base
    entry; an admin decides (Settings → Bot → Proposed entries)."""
    conversation = (
        conversation_selectors.visible_conversations(membership=request.membership)
        .select_related("visitor", "tenant")
        .filter(number=number)
        .first()
    )
    if conversation is None:
        return _error("not_found", _("No such conversation in this workspace."), 404)
    try:
        proposal = services.proposal_suggest(
            membership=request.membership, conversation=conversation
        )
    except Refusal as exc:
        return _error(exc.code, exc.message, 400, **exc.extra)
    return JsonResponse({"status": "proposed", "id": proposal.pk}, status=201)
