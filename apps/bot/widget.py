"""What the bot adds to the chat window: its name and the text of its buttons (through
``apps.conversations.widget_extras``), and the ``bot`` frame of the visitor's socket (a button
pressed under one of its messages, through ``widget_frames``; docs/widget-protocol.md)."""

from django.utils.translation import gettext as _

from apps.bot import selectors, services
from apps.bot.models import BotSettings
from apps.bot.services.answering import CHOOSE
from apps.bot.services.learning import LEARNING
from apps.core.errors import Refusal
from apps.tenants.models import Tenant
from apps.visitors import selectors as visitor_selectors
from apps.visitors.models import Visitor


def config(tenant: Tenant) -> dict:
    settings = selectors.bot_settings(tenant_id=tenant.pk)
    if settings.mode == BotSettings.Mode.OFF:
        return {}
    return {
        "bot": {"name": settings.name or _("Assistant")},
        "strings": {
            "bot_label": _("Automated"),
            "bot_helpful": _("That answered it"),
            "bot_person": _("Talk to a person"),
            "bot_thanks": _("Thanks for letting us know."),
            # Translators: under a bot's answer, the knowledge-base question it answers.
            "bot_from": _("From: {question}"),
            "bot_learning": learning_text(),
        },
    }


def frame_bot(*, visitor: Visitor, frame: dict, language: str) -> dict:
    if frame.get("action") == CHOOSE:
        return services.suggestion_choose(
            visitor=visitor, message_id=frame.get("message"), entry=frame.get("entry")
        )
    return services.feedback(
        visitor=visitor, message_id=frame.get("message"), action=frame.get("action")
    )


def learning_text() -> str:
    """The words a visitor agrees to (kept with their consent)."""
    return _("Let this chat help improve the automated answers.")


def frame_consent(*, visitor: Visitor, frame: dict, language: str) -> dict:
    """``{"type": "consent", "purpose": "learning", "given": true | false}`` gives or takes back
    the visitor's consent; without ``given`` it asks where it stands. Answered with ``consent``
    (``purpose``, ``given``)."""
    if frame.get("purpose") != LEARNING:
        raise Refusal("invalid", _("Unknown purpose."), field="purpose")
    given = frame.get("given")
    if given is not None:
        if not isinstance(given, bool):
            raise Refusal("invalid", _("given must be true or false."), field="given")
        services.learning_consent_set(
            visitor=visitor, given=given, text=learning_text(), language=language
        )
    stands = visitor_selectors.consent_given(visitor_id=visitor.pk, purpose=LEARNING)
    return {"type": "consent", "purpose": LEARNING, "given": stands}
