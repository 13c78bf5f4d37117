"""What the inbox asks of the offline app over HTTP (JSON): an operator emails the transcript
to the visitor. The conversation must be one this member may see. Errors: ``{"error": code,
"message": …}``."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.conversations import selectors as conversation_selectors
from apps.core.errors import Refusal
from apps.core.views import errors_as, json_body
from apps.offline import services
from apps.tenants.access import workspace_view

STATUS = {"rate_limited": 429, "not_found": 404, "forbidden": 403}


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": str(message), **extra}, status=status)


def _refused(exc: Refusal) -> JsonResponse:
    return _error(exc.code, exc.message, STATUS.get(exc.code, 400), **exc.extra)


def _body(request: HttpRequest) -> dict | None:
    data = json_body(request, default={})
    return data if isinstance(data, dict) else None


@errors_as(_error)
@workspace_view()  # first: who may ask (a stranger gets 404, not "use POST")
@require_POST
def inbox_transcript(request: HttpRequest, number: int) -> JsonResponse:
    """An operator emails the transcript to the visitor: ``{"address"?}`` (JSON or form)."""
    data = _body(request) if request.content_type == "application/json" else request.POST
    if data is None:
        return _error("bad_request", _("Send a JSON object."), 400)
    conversation = (
        conversation_selectors.visible_conversations(membership=request.membership)
        .select_related("visitor", "tenant")
        .filter(number=number)
        .first()
    )
    if conversation is None:
        return _error("not_found", _("No such conversation in this workspace."), 404)
    address = data.get("address") or None
    try:
        thread = services.transcript_request(
            conversation=conversation, requested_by="operator", address=address
        )
    except Refusal as exc:
        return _refused(exc)
    return JsonResponse({"status": "queued", "address": thread.address}, status=202)
