"""What the inbox asks of the bot over HTTP (JSON): the knowledge base's answers to the
visitor's last message, handing a conversation back to the bot, suggesting a reply as an entry.
The conversation must be one this member may see. Errors: ``{"error": code,
"message": …}``."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.bot import selectors, services
from apps.bot.models import BotSettings
from apps.conversations import selectors as conversation_selectors
from apps.conversations import services as conversation_services
from apps.core.errors import Refusal
from apps.core.views import errors_as
from apps.tenants.access import workspace_view


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": str(message), **extra}, status=status)


def _conversation(request: HttpRequest, number: int):
    """The conversation ``number`` if this member may see it (else None)."""
    return conversation_selectors.visible_conversation(membership=request.membership, number=number)


@errors_as(_error)
@workspace_view()  # first: who may ask (a stranger gets 404, not "use POST")
@require_POST
def inbox_resume(request: HttpRequest, number: int) -> JsonResponse:
    """Hand the conversation back to the bot: it answers the visitor's next messages."""
    conversation = _conversation(request, number)
    if conversation is None:
        return _error("not_found", _("No such conversation in this workspace."), 404)
    if selectors.bot_settings(tenant_id=request.tenant.pk).mode == BotSettings.Mode.OFF:
        return _error("bot_off", _("The bot is off: turn it on in the bot's settings."), 409)
    try:
        conversation_services.conversation_bot_resume(
            membership=request.membership, conversation=conversation
        )
    except Refusal as exc:
        return _error(exc.code, exc.message, 400, **exc.extra)
    return JsonResponse({"status": "bot"})


@errors_as(_error)
@workspace_view()
@require_GET
def inbox_suggestions(request: HttpRequest, number: int) -> JsonResponse:
    """The knowledge base's closest entries to the visitor's last message, for the operator to
    insert: ``{"message": its id, "suggestions": [...]}`` (``selectors.suggestions``)."""
    conversation = _conversation(request, number)
    if conversation is None:
        return _error("not_found", _("No such conversation in this workspace."), 404)
    message, found = selectors.suggestions(conversation=conversation)
    return JsonResponse({"message": message, "suggestions": found})


@errors_as(_error)
@workspace_view()
@require_POST
def inbox_suggest(request: HttpRequest, number: int) -> JsonResponse:
    """An operator suggests the team's last reply in the conversation as a knowledge-base
    entry; an admin decides (Settings → Bot → Proposed entries)."""
    conversation = _conversation(request, number)
    if conversation is None:
        return _error("not_found", _("No such conversation in this workspace."), 404)
    try:
        proposal = services.proposal_suggest(
            membership=request.membership, conversation=conversation
        )
    except Refusal as exc:
        return _error(exc.code, exc.message, 400, **exc.extra)
    return JsonResponse({"status": "proposed", "id": proposal.pk}, status=201)
