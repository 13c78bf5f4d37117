"""Reads about canned responses. Every function runs inside the workspace scope."""

from django.conf import settings
from django.db.models import Q, QuerySet
from modeltranslation.utils import build_localized_fieldname

from apps.canned.models import CannedResponse
from apps.conversations import selectors as conversation_selectors
from apps.conversations.models import Conversation
from apps.tenants.models import Membership, User
from apps.visitors.models import VisitorSession

PREVIEW_LENGTH = 140
PICKER_LIMIT = 1000


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def base_language(tag: str | None) -> str:
    """ "tr-TR" -> "tr"; "en_GB,en;q=0.9" -> "en"; junk -> ""."""
    first = str(tag or "").split(",")[0].split(";")[0].strip().replace("_", "-")
    return first.split("-")[0].lower()


def can_manage(*, membership: Membership | None, response: CannedResponse) -> bool:
    """Admins and owners manage the workspace's responses; everyone only their own personal
    ones (nobody else's, admins included: personal responses are private)."""
    if membership is None or membership.tenant_id != response.tenant_id:
        return False
    if response.owner_id is None:
        return membership.is_admin
    return response.owner_id == membership.user_id


def visible_responses(*, membership: Membership | None) -> QuerySet[CannedResponse]:
    """What ``membership`` may insert: the workspace's responses and their own. Fails closed."""
    if membership is None:
        return CannedResponse.objects.none()
    return CannedResponse.objects.filter(tenant_id=membership.tenant_id).filter(
        Q(owner__isnull=True) | Q(owner_id=membership.user_id)
    )


def workspace_responses(*, membership: Membership) -> QuerySet[CannedResponse]:
    return visible_responses(membership=membership).filter(owner__isnull=True).order_by("shortcut")


def personal_responses(*, membership: Membership) -> QuerySet[CannedResponse]:
    return visible_responses(membership=membership).filter(owner__isnull=False).order_by("shortcut")


def response_by_id(*, response_id) -> CannedResponse | None:
    """Any response of the current workspace (another workspace's id finds nothing)."""
    if not isinstance(response_id, int) or isinstance(response_id, bool):
        return None
    return CannedResponse.objects.filter(pk=response_id).first()


def conversation_for(*, membership: Membership, number) -> Conversation | None:
    """The conversation with this inbox number, if ``membership`` may see it."""
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    return (
        conversation_selectors.visible_conversations(membership=membership)
        .select_related("visitor", "tenant")
        .filter(number=number)
        .first()
    )


def conversation_visible(*, membership: Membership, conversation: Conversation) -> bool:
    return (
        conversation_selectors.visible_conversations(membership=membership)
        .filter(pk=conversation.pk)
        .exists()
    )


def translation_of(response: CannedResponse, field: str, code: str) -> str:
    return (getattr(response, build_localized_fieldname(field, code), None) or "").strip()


def localized(response: CannedResponse, field: str, *preferred: str) -> tuple[str, str]:
    """(text, language) of ``field`` in the first of ``preferred`` languages that has it, else
    in any language that has it; ("", "") when no language has it."""
    codes = language_codes()
    order = [code for code in preferred if code in codes] + codes
    for code in dict.fromkeys(order):
        text = translation_of(response, field, code)
        if text:
            return text, code
    return "", ""


def languages_of(response: CannedResponse) -> list[str]:
    return [code for code in language_codes() if translation_of(response, "body", code)]


def visitor_language(*, conversation: Conversation) -> str:
    """The base language ("tr") of the visitor's latest visit that told us one; "" if none."""
    tag = (
        VisitorSession.objects.filter(visitor_id=conversation.visitor_id)
        .exclude(language="")
        .order_by("-last_seen_at", "-started_at")
        .values_list("language", flat=True)
        .first()
    )
    return base_language(tag)


def _first_word(name: str) -> str:
    return name.split()[0] if name.split() else ""


def fill_values(*, conversation: Conversation, operator: User) -> dict[str, str]:
    """What each variable stands for in ``conversation``; "" where it is not known (a visitor's
    name and email only when the workspace's own server vouched for them)."""
    visitor = conversation.visitor
    verified = visitor.is_verified
    visitor_name = " ".join((visitor.name or "").split()) if verified else ""
    operator_name = " ".join((operator.full_name or "").split())
    return {
        "visitor.name": visitor_name,
        "visitor.first_name": _first_word(visitor_name),
        "visitor.email": (visitor.email or "").strip() if verified else "",
        "operator.name": operator_name,
        "operator.first_name": _first_word(operator_name),
        "workspace.name": conversation.tenant.name,
        "conversation.number": str(conversation.number),
    }


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1].rstrip() + "…"


def row(response: CannedResponse, *, language: str, default_language: str) -> dict:
    """One response as the picker and the management page show it, in ``language``."""
    title, _code = localized(response, "title", language, default_language)
    body, _code = localized(response, "body", language, default_language)
    return {
        "id": response.pk,
        "shortcut": response.shortcut,
        "title": title or f"/{response.shortcut}",
        "preview": _preview(body),
        "personal": response.owner_id is not None,
        "usage_count": response.usage_count,
        "languages": languages_of(response),
    }


def picker_rows(*, membership: Membership, language: str) -> list[dict]:
    """The responses ``membership`` may insert, most used first, titles in ``language``."""
    default = membership.tenant.default_language
    responses = visible_responses(membership=membership).order_by("-usage_count", "shortcut")
    return [row(r, language=language, default_language=default) for r in responses[:PICKER_LIMIT]]
