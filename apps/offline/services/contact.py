"""The pre-chat (and offline) form and the conversations that continue by email.

``contact_give`` takes what a visitor typed into the form, checks it against the workspace's
form (``OfflineSettings``) and keeps it with the visitor: name, email and phone as the visitor's
own claims (``Visitor.unverified``: never linked to a verified identity), the answer to the
workspace's question, and the consent with the words shown. Their conversation in progress then
continues by email (``email_thread_open``), marked as waiting for a reply by email when nobody
could answer.

Refusals raise ``ContactError`` with ``field`` naming the field at fault; nothing is written.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from apps.conversations import selectors as conversation_selectors
from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.core.errors import Refusal
from apps.offline import selectors
from apps.offline.models import EmailThread, FieldAsk, OfflineSettings
from apps.visitors.models import Consent, Visitor

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
ANSWER_MAX_LENGTH = 1000
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{6,30}$")


class ContactError(Refusal):
    """A refused form: ``field`` says which."""


@dataclass
class ContactResult:
    visitor: Visitor
    thread: EmailThread | None  # the conversation in progress now continues by email


def _text(fields: dict, key: str, limit: int) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ContactError("invalid", _("This field must be text."), field=key)
    value = " ".join(value.split()) if key != "answer" else value.strip()
    if len(value) > limit:
        raise ContactError("too_long", _("Use at most %(n)s characters.") % {"n": limit}, field=key)
    return value


def _required(form: OfflineSettings, key: str, value: str) -> None:
    ask = getattr(form, f"ask_{'question' if key == 'answer' else key}")
    if ask == FieldAsk.REQUIRED and not value:
        messages = {
            "name": _("Please tell us your name."),
            "email": _("Please give an email address so that we can reply."),
            "phone": _("Please give a phone number."),
            "answer": _("Please answer this question."),
        }
        raise ContactError("required", messages[key], field=key)


def clean_form(*, form: OfflineSettings, fields) -> dict:
    """What the visitor sent, checked: ``{"name", "email", "phone", "answer", "consent"}``."""
    if not isinstance(fields, dict):
        raise ContactError("invalid", _("Send the form's fields as an object."))
    clean = {
        "name": _text(fields, "name", NAME_MAX_LENGTH),
        "email": _text(fields, "email", EMAIL_MAX_LENGTH).lower(),
        "phone": _text(fields, "phone", 30),
        "answer": _text(fields, "answer", ANSWER_MAX_LENGTH),
    }
    for key in ("name", "email", "phone", "answer"):
        if getattr(form, f"ask_{'question' if key == 'answer' else key}") == FieldAsk.OFF:
            clean[key] = ""  # not asked: not kept, whatever was sent
        else:
            _required(form, key, clean[key])
    if clean["email"]:
        try:
            validate_email(clean["email"])
        except ValidationError:
            raise ContactError(
                "invalid", _("Enter an email address like name@example.com."), field="email"
            ) from None
    if clean["phone"] and not PHONE_RE.match(clean["phone"]):
        raise ContactError(
            "invalid", _("Enter a phone number, like +90 212 555 01 01."), field="phone"
        )
    consent = fields.get("consent", False)
    if not isinstance(consent, bool):
        raise ContactError("invalid", _("consent must be true or false."), field="consent")
    if form.consent_required and not consent:
        raise ContactError(
            "required", _("Please agree to the privacy notice to start the chat."), field="consent"
        )
    clean["consent"] = consent and form.consent_required
    return clean


def contact_give(*, visitor: Visitor, fields, language: str = "") -> ContactResult:
    """Keep what the visitor typed into the form (see the module's note)."""
    form = selectors.offline_settings(tenant=visitor.tenant)
    clean = clean_form(form=form, fields=fields)
    with transaction.atomic():
        visitor = Visitor.objects.select_for_update().get(pk=visitor.pk)
        claims = {key: clean[key] for key in ("name", "email", "phone") if clean[key]}
        if clean["answer"]:
            claims["question"] = form.question or _("Your question")
            claims["answer"] = clean["answer"]
        if claims:
            visitor.unverified = {**visitor.unverified, **claims}
            visitor.save(update_fields=["unverified"])
        if clean["consent"]:
            Consent.objects.create(
                tenant_id=visitor.tenant_id,
                visitor=visitor,
                purpose="privacy",
                text=form.consent_text or _("I agree to the privacy notice."),
                url=form.privacy_url,
                language=language[:35],
            )
        thread = None
        conversation = conversation_selectors.visitor_open_conversation(visitor=visitor)
        address = selectors.visitor_email(visitor)
        if conversation is not None and address:
            thread = email_thread_open(conversation=conversation, address=address)
    return ContactResult(visitor=visitor, thread=thread)


def email_thread_open(
    *, conversation: Conversation, address: str, mark: bool | None = None
) -> EmailThread:
    """Let ``conversation`` continue by email to ``address`` (its own reply address is made
    once). ``mark``: whether it waits for a reply by email; None decides by whether anyone can
    answer now (closed, or no operator online)."""
    with transaction.atomic():
        thread, created = EmailThread.objects.get_or_create(
            conversation=conversation,
            defaults={"tenant_id": conversation.tenant_id, "address": address},
        )
        if not created and thread.address != address:
            thread.address = address
            thread.save(update_fields=["address"])
        if mark is None:
            mark = selectors.nobody_can_answer(tenant=conversation.tenant)
        if mark and not conversation.reply_by_email:
            thread.conversation = conversation_services.conversation_reply_by_email(
                conversation=conversation, on=True
            )
    return thread
