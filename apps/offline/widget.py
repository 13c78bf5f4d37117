"""What ``apps.offline`` adds to the chat window: its part of the widget's config (the business
hours, the pre-chat form, the rating after a chat) and the frames of the visitor's socket that it
answers (``contact``: the form; ``transcript``: email me this conversation; ``rating``), through
``apps.conversations.widget_extras`` and ``widget_frames`` (docs/widget-protocol.md)."""

from django.utils.translation import gettext as _

from apps.conversations.models import Conversation
from apps.core.errors import Refusal
from apps.offline import selectors, services
from apps.offline.models import FieldAsk, OfflineSettings
from apps.tenants.models import Tenant
from apps.visitors.models import Visitor


def form_config(form: OfflineSettings) -> dict | None:
    """The pre-chat form as the chat window shows it, in the active language; None: never."""
    if form.form_mode == OfflineSettings.FormMode.NEVER:
        return None
    fields = {
        key: getattr(form, f"ask_{key}")
        for key in ("name", "email", "phone", "question")
        if getattr(form, f"ask_{key}") != FieldAsk.OFF
    }
    if "question" in fields and not form.question:
        del fields["question"]  # asked, but no question written yet
    return {
        "mode": form.form_mode,
        "fields": fields,
        "question": form.question,
        "consent": (
            {
                "text": form.consent_text or _("I agree to the privacy notice."),
                "url": form.privacy_url,
            }
            if form.consent_required
            else None
        ),
    }


def strings() -> dict[str, str]:
    """The chat window's text for the form and the rating (chat.js keeps the English as a
    fallback; keep both in step)."""
    return {
        "form_title": _("Before we start"),
        "form_intro": _("Tell us a little about you, so that we can help."),
        "form_away_title": _("Get the reply by email"),
        "form_away_intro": _("Leave your email address and we will reply there if you have left."),
        "form_start": _("Start the chat"),
        "form_save": _("Email me the reply"),
        "form_thanks": _("Thanks! If you leave, we will reply by email."),
        "field_name": _("Name"),
        "field_email": _("Email"),
        "field_phone": _("Phone"),
        "optional": _("(optional)"),
        "privacy": _("Privacy notice"),
        "rating_ask": _("How was this conversation?"),
        # Translators: a star rating's button, e.g. "4 of 5".
        "rating_star": _("{n} of 5"),
        "rating_up": _("Good"),
        "rating_down": _("Bad"),
        "rating_comment": _("Anything to add? (optional)"),
        "rating_send": _("Send feedback"),
        "rating_thanks": _("Thank you for your feedback!"),
        "transcript_ask": _("Email me this conversation"),
        "transcript_title": _("Email this conversation"),
        # Translators: {address} is the visitor's email address.
        "transcript_sent": _("We sent this conversation to {address}."),
    }


def config(tenant: Tenant) -> dict:
    form = selectors.offline_settings(tenant=tenant)
    return {
        "hours": selectors.availability(tenant=tenant).as_json(),
        "form": form_config(form),
        "rating": form.rating,
        "transcripts": True,  # "Email me this conversation"
        "strings": strings(),
    }


def frame_contact(*, visitor: Visitor, frame: dict, language: str) -> dict:
    """``{"type": "contact", "fields": {name, email, phone, answer, consent}}``."""
    result = services.contact_give(visitor=visitor, fields=frame.get("fields"), language=language)
    return {
        "type": "contact",
        "saved": True,
        "email": bool(selectors.visitor_email(result.visitor)),
        "by_email": result.thread is not None and result.thread.conversation.reply_by_email,
    }


def _visitors_conversation(visitor: Visitor, public_id) -> Conversation:
    found = (
        Conversation.objects.filter(visitor=visitor, public_id=public_id).first()
        if isinstance(public_id, str)
        else None
    )
    if found is None:
        raise Refusal("not_found", _("No such conversation."), field="conversation")
    return found


def frame_transcript(*, visitor: Visitor, frame: dict, language: str) -> dict:
    """``{"type": "transcript", "conversation": id, "address"?: "…"}``: email the conversation
    to the visitor (to ``address`` when given, which they then get the replies at too)."""
    conversation = _visitors_conversation(visitor, frame.get("conversation"))
    address = frame.get("address")
    thread = services.transcript_request(
        conversation=conversation,
        requested_by="visitor",
        address=address if address else None,
    )
    return {
        "type": "transcript",
        "conversation": conversation.public_id,
        "sent": True,
        "address": thread.address,
    }


def frame_rating(*, visitor: Visitor, frame: dict, language: str) -> dict:
    """``{"type": "rating", "conversation": id, "score": 1-5, "comment": "…"}``: the rating of
    the conversation's latest resolution."""
    conversation = _visitors_conversation(visitor, frame.get("conversation"))
    rating = services.rating_give(
        conversation=conversation, score=frame.get("score"), comment=frame.get("comment")
    )
    return {
        "type": "rating",
        "conversation": conversation.public_id,
        "score": rating.score,
        "comment": bool(rating.comment),
    }
