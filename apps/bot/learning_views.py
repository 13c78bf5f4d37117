"""Proposed entries in the Bot section (/app/<slug>/settings/bot/proposals/): what the bot
learned from consenting visitors' conversations and what operators suggested, for an admin to
make entries of or dismiss."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.bot import selectors, services
from apps.tenants.access import workspace_view
from apps.tenants.models import Role


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def proposals(request: HttpRequest) -> HttpResponse:
    """GET: the pending proposals, similar questions grouped, and the phrasings proposed for
    entries. POST ``dismiss`` (ids, comma separated): dismiss a group or a phrasing; POST
    ``add_phrasing`` (an id): add a visitor's words to the phrasings of the entry they chose."""
    if request.method == "POST":
        if "add_phrasing" in request.POST:
            _add_phrasing(request, request.POST["add_phrasing"])
        else:
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
            ],
            "phrasings": selectors.phrasing_proposals(),
        },
    )


def _add_phrasing(request: HttpRequest, raw: str) -> None:
    try:
        entry = services.phrasing_accept(
            tenant_id=request.tenant.pk,
            proposal_id=int(raw) if raw.isdigit() else 0,
            author=request.user,
        )
    except services.EntryError as error:
        messages.error(request, error.message)
        return
    messages.success(
        request, _("Added to the phrasings of the entry %(id)s.") % {"id": entry.external_id}
    )
