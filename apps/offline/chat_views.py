"""What the chat window and the inbox ask of the offline app over HTTP (JSON): a transcript by
email (the visitor's or an operator's request) and the visitor's rating after a chat.

The chat window's endpoints take the workspace from the widget key in the address and the
visitor from their token (in the JSON body, as the page-view beacon does); the conversation,
named by its public id, must be that visitor's. The inbox's endpoint is a member's, and the
conversation one this member may see. Errors: ``{"error": code, "message": …}``.
"""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit
from django_scopes import scope

from apps.conversations import selectors as conversation_selectors
from apps.conversations.models import Conversation
from apps.core.errors import Refusal
from apps.core.views import errors_as, json_body
from apps.offline import services
from apps.tenants import selectors as tenant_selectors
from apps.tenants.access import workspace_view
from apps.visitors import selectors as visitor_selectors

STATUS = {"rate_limited": 429, "not_found": 404, "forbidden": 403}


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": str(message), **extra}, status=status)


def _refused(exc: Refusal) -> JsonResponse:
    return _error(exc.code, exc.message, STATUS.get(exc.code, 400), **exc.extra)


def _body(request: HttpRequest) -> dict | None:
    data = json_body(request, default={})
    return data if isinstance(data, dict) else None


def _visitors_conversation(widget_key: str, data: dict):
    """(tenant, conversation) named by the request, or a ``Refusal``. Call inside no scope."""
    tenant = tenant_selectors.tenant_by_widget_key(widget_key=widget_key)
    if tenant is None or tenant.is_suspended:
        raise Refusal("not_found", _("This chat widget does not exist."))
    public_id = data.get("conversation")
    with scope(tenant=tenant):
        visitor = visitor_selectors.visitor_by_token(token=data.get("token"))
        conversation = None
        if visitor is not None and isinstance(public_id, str) and len(public_id) <= 40:
            conversation = (
                Conversation.objects.select_related("visitor", "tenant")
                .filter(visitor=visitor, public_id=public_id)
                .first()
            )
    if conversation is None:
        raise Refusal("not_found", _("No such conversation in your chats."))
    return tenant, conversation


@errors_as(_error)
@csrf_exempt  # the visitor's token in the body is the credential, as for the beacon
@never_cache
@ratelimit(key="ip", rate="20/m", block=True)
@require_POST
def widget_transcript(request: HttpRequest, widget_key: str) -> JsonResponse:
    """The visitor asks for the transcript: ``{"token", "conversation", "address"?}``."""
    data = _body(request)
    if data is None:
        return _error("bad_request", _("Send a JSON object."), 400)
    try:
        tenant, conversation = _visitors_conversation(widget_key, data)
        with scope(tenant=tenant):
            thread = services.transcript_request(
                conversation=conversation, requested_by="visitor", address=data.get("address")
            )
    except Refusal as exc:
        return _refused(exc)
    return JsonResponse({"status": "queued", "address": thread.address}, status=202)


@errors_as(_error)
@csrf_exempt  # the visitor's token in the body is the credential, as for the beacon
@never_cache
@ratelimit(key="ip", rate="20/m", block=True)
@require_POST
def widget_rating(request: HttpRequest, widget_key: str) -> JsonResponse:
    """The visitor rates a resolved conversation: ``{"token", "conversation", "score",
    "comment"?}``; a second rating keeps the first score (a comment is added)."""
    data = _body(request)
    if data is None:
        return _error("bad_request", _("Send a JSON object."), 400)
    try:
        tenant, conversation = _visitors_conversation(widget_key, data)
        with scope(tenant=tenant):
            rating = services.rating_give(
                conversation=conversation, score=data.get("score"), comment=data.get("comment")
            )
    except Refusal as exc:
        return _refused(exc)
    return JsonResponse({"score": rating.score, "comment": rating.comment})


@errors_as(_error)
@require_POST
@workspace_view()
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
