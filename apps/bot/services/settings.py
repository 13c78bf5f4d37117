"""The bot's settings, saved by an admin."""

from django.db import transaction
from django.utils.translation import gettext as _

from apps.bot.models import BOT_NAME_MAX, BotSettings
from apps.core.errors import Refusal


class SettingsError(Refusal):
    """Refused settings; nothing changed."""


def bot_settings_update(*, tenant_id: int, mode: str, name: str) -> BotSettings:
    if mode not in BotSettings.Mode.values:
        raise SettingsError("invalid", _("Choose when the bot answers."), field="mode")
    name = (name or "").strip()
    if len(name) > BOT_NAME_MAX:
        raise SettingsError(
            "too_long",
            _("The name is too long: %(n)s characters at most.") % {"n": BOT_NAME_MAX},
            field="name",
        )
    with transaction.atomic():
        settings, _created = BotSettings.objects.select_for_update().get_or_create(
            tenant_id=tenant_id
        )
        settings.mode = mode
        settings.name = name
        settings.save(update_fields=["mode", "name", "updated_at"])
    return settings
