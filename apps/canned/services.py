"""Every write about canned responses: create, edit, delete, and use (fill and count).

Refusals raise ``CannedError`` (``apps.core.errors.Refusal``) with a code, a message a person
can act on and, where a form field is at fault, ``field``. Nothing is written when one is raised.

Codes: ``invalid`` (a field), ``unknown_variable`` / ``malformed`` (the body's variables),
``duplicate`` (shortcut taken), ``forbidden`` (the actor's role), ``not_found``.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from apps.canned import selectors, variables
from apps.canned.models import (
    BODY_MAX_LENGTH,
    SHORTCUT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    CannedResponse,
    validate_shortcut,
)
from apps.conversations.models import Conversation
from apps.core.errors import Refusal
from apps.tenants.models import Membership


class CannedError(Refusal):
    """A refused canned-response request."""


@dataclass
class Filled:
    text: str
    language: str


def normalize_shortcut(value) -> str:
    """ " /Refund " -> "refund" (Turkish dotted capital I included)."""
    return str(value or "").strip().lstrip("/").replace("İ", "i").lower()


def _clean_shortcut(value) -> str:
    shortcut = normalize_shortcut(value)
    if not shortcut:
        raise CannedError("invalid", _("Give the response a shortcut."), field="shortcut")
    if len(shortcut) > SHORTCUT_MAX_LENGTH:
        raise CannedError(
            "invalid",
            _("A shortcut may be %(n)s characters at most.") % {"n": SHORTCUT_MAX_LENGTH},
            field="shortcut",
        )
    if not validate_shortcut.regex.match(shortcut):
        raise CannedError("invalid", str(validate_shortcut.message), field="shortcut")
    return shortcut


def _clean_texts(titles: dict, bodies: dict) -> dict[str, str]:
    """The translated fields to save (``title_en``…), or a refusal naming the field."""
    codes = selectors.language_codes()
    unknown = (set(titles) | set(bodies)) - set(codes)
    if unknown:
        raise CannedError("invalid", _("Unknown language: %(code)s.") % {"code": min(unknown)})
    fields: dict[str, str] = {}
    for code in codes:
        title = " ".join(str(titles.get(code) or "").split())
        body = str(bodies.get(code) or "").replace("\r\n", "\n").replace("\x00", "").strip()
        title_field = build_localized_fieldname("title", code)
        body_field = build_localized_fieldname("body", code)
        if len(title) > TITLE_MAX_LENGTH:
            raise CannedError(
                "invalid",
                _("A title may be %(n)s characters at most.") % {"n": TITLE_MAX_LENGTH},
                field=title_field,
            )
        if len(body) > BODY_MAX_LENGTH:
            raise CannedError(
                "invalid",
                _("A message may be %(n)s characters at most.") % {"n": BODY_MAX_LENGTH},
                field=body_field,
            )
        try:
            variables.parse(body)
        except variables.BodySyntaxError as error:
            raise CannedError(
                error.code, error.message, field=body_field, variable=error.variable
            ) from None
        fields[title_field] = title
        fields[body_field] = body
    first = codes[0]
    if not any(fields[build_localized_fieldname("title", code)] for code in codes):
        raise CannedError(
            "invalid",
            _("Give the response a title in at least one language."),
            field=build_localized_fieldname("title", first),
        )
    if not any(fields[build_localized_fieldname("body", code)] for code in codes):
        raise CannedError(
            "invalid",
            _("Write the message in at least one language."),
            field=build_localized_fieldname("body", first),
        )
    return fields


def _duplicate(shortcut: str, personal: bool) -> CannedError:
    if personal:
        message = _("You already have a response with the shortcut /%(shortcut)s.")
    else:
        message = _("The workspace already has a response with the shortcut /%(shortcut)s.")
    return CannedError("duplicate", message % {"shortcut": shortcut}, field="shortcut")


def _check_unique(*, response: CannedResponse, shortcut: str) -> None:
    taken = CannedResponse.objects.filter(tenant_id=response.tenant_id, shortcut=shortcut)
    if response.owner_id is None:
        taken = taken.filter(owner__isnull=True)
    else:
        taken = taken.filter(owner_id=response.owner_id)
    if response.pk is not None:
        taken = taken.exclude(pk=response.pk)
    if taken.exists():
        raise _duplicate(shortcut, response.owner_id is not None)


def not_allowed(response: CannedResponse) -> CannedError:
    if response.owner_id is None:
        return CannedError(
            "forbidden",
            _("Only workspace owners and admins can change the workspace's canned responses."),
        )
    return CannedError(
        "forbidden", _("This is someone else's personal response: only they can change it.")
    )


def _save(response: CannedResponse, shortcut: str) -> CannedResponse:
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:  # a concurrent save took the shortcut between check and insert
        raise _duplicate(shortcut, response.owner_id is not None) from None
    return response


def canned_create(
    *, actor: Membership, personal: bool, shortcut, titles: dict, bodies: dict
) -> CannedResponse:
    """A new response: the workspace's (admins and owners only) or the actor's own."""
    response = CannedResponse(
        tenant_id=actor.tenant_id,
        owner_id=actor.user_id if personal else None,
        created_by_id=actor.user_id,
    )
    return _write(actor=actor, response=response, shortcut=shortcut, titles=titles, bodies=bodies)


def _write(
    *, actor: Membership, response: CannedResponse, shortcut, titles: dict, bodies: dict
) -> CannedResponse:
    """Check the actor may, clean and check the fields, then save (create and update alike)."""
    if not selectors.can_manage(membership=actor, response=response):
        raise not_allowed(response)
    clean_shortcut = _clean_shortcut(shortcut)
    fields = _clean_texts(titles, bodies)
    _check_unique(response=response, shortcut=clean_shortcut)
    response.shortcut = clean_shortcut
    for name, value in fields.items():
        setattr(response, name, value)
    return _save(response, clean_shortcut)


def canned_update(
    *, actor: Membership, response: CannedResponse, shortcut, titles: dict, bodies: dict
) -> CannedResponse:
    return _write(actor=actor, response=response, shortcut=shortcut, titles=titles, bodies=bodies)


@transaction.atomic
def canned_delete(*, actor: Membership, response: CannedResponse) -> None:
    if not selectors.can_manage(membership=actor, response=response):
        raise not_allowed(response)
    response.delete()


def canned_use(
    *, actor: Membership, response: CannedResponse, conversation: Conversation
) -> Filled:
    """The response's text for ``conversation``, filled and in the visitor's language (else the
    workspace's default language, else any it has), and one more use counted."""
    if not selectors.visible_responses(membership=actor).filter(pk=response.pk).exists():
        raise CannedError("not_found", _("No such canned response in this workspace."))
    if not selectors.conversation_visible(membership=actor, conversation=conversation):
        raise CannedError("not_found", _("No such conversation in this workspace."))
    body, language = selectors.localized(
        response,
        "body",
        selectors.visitor_language(conversation=conversation),
        actor.tenant.default_language,
    )
    values = selectors.fill_values(conversation=conversation, operator=actor.user)
    try:
        text = variables.fill(body, values, language=language)
    except variables.BodySyntaxError:  # saved before a variable was retired: never show braces
        text = ""
    with transaction.atomic():
        CannedResponse.objects.filter(pk=response.pk).update(
            usage_count=F("usage_count") + 1, last_used_at=timezone.now()
        )
    return Filled(text=text, language=language)
