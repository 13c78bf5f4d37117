"""The operator inbox page. Everything live happens over the inbox socket."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.conversations import selectors
from apps.conversations.strings import inbox_strings
from apps.tenants.access import workspace_view
from apps.tenants.models import Role


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
            "inbox_config": {
                "ws_url_path": f"/ws/inbox/{request.tenant.slug}/",
                "open_number": number,
                "slug": request.tenant.slug,
                "inbox_url": f"/app/{request.tenant.slug}/inbox/",
                "me": request.user.pk,
            },
        },
    )
