"""What the bot adds to the chat window: its name and the text of its buttons (through
``apps.conversations.widget_extras``), and the ``bot`` frame of the visitor's socket (a button
pressed under one of its messages, through ``widget_frames``; docs/widget-protocol.md)."""

from django.utils.translation import gettext as _

from apps.bot import selectors, services
from apps.bot.models import BotSettings
from apps.tenants.models import Tenant
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
        },
    }


def frame_bot(*, visitor: Visitor, frame: dict, language: str) -> dict:
    return services.feedback(
        visitor=visitor, message_id=frame.get("message"), action=frame.get("action")
    )
