from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BotConfig(AppConfig):
    name = "apps.bot"
    label = "bot"
    verbose_name = _("Bot")

    def ready(self):
        from apps.bot import selectors, services, widget
        from apps.bot.models import BotSettings
        from apps.conversations import inbox_extras, intake, widget_extras, widget_frames
        from apps.conversations.inbox_extras import InboxAction, InboxScript
        from apps.core import navigation
        from apps.core.consumers import FrameLimit
        from apps.core.navigation import Entry

        navigation.settings.add(
            Entry(
                "bot",
                _("Bot"),
                "bot:settings",
                icon="cpu-chip",
                order=27,
                admin_only=True,
                also=(
                    "bot:entry_new",
                    "bot:entry_edit",
                    "bot:entry_delete",
                    "bot:import",
                    "bot:proposals",
                ),
            )
        )
        intake.register(services.bot_takes)
        widget_extras.register(widget.config)
        widget_frames.register("bot", widget.frame_bot, limit=FrameLimit(burst=5, per_second=0.5))
        widget_frames.register(
            "consent", widget.frame_consent, limit=FrameLimit(burst=5, per_second=0.2)
        )
        inbox_extras.register(
            InboxAction(
                "bot",
                _("Hand back to the bot"),
                "bot_inbox:resume",
                done=_("The bot answers this conversation again."),
                hidden_if="bot",
                shown=lambda tenant: (
                    selectors.bot_settings(tenant_id=tenant.pk).mode != BotSettings.Mode.OFF
                ),
            )
        )
        inbox_extras.register(
            InboxAction(
                "suggest_entry",
                _("Suggest as an entry"),
                "bot_inbox:suggest",
                done=_("Suggested: an admin will see it in the bot's proposed entries."),
            )
        )
        inbox_extras.register_script(
            InboxScript(
                "bot",
                "bot/suggest.js",
                "bot_inbox:suggestions",
                strings=lambda: {
                    "title": _("From the knowledge base"),
                    "insert": _("Insert"),
                    # Translators: a suggestion's fit, e.g. "match 62%".
                    "score": _("match {percent}%"),
                },
                css="bot/suggest.css",
                shown=lambda tenant: selectors.has_entries(tenant_id=tenant.pk),
            )
        )
