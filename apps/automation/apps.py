from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "apps.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self):
        from apps.automation import selectors, services
        from apps.conversations import page_timers
        from apps.core import navigation
        from apps.core.navigation import Entry

        page_timers.register(
            page_timers.PageTimer(seconds=selectors.page_times, reached=services.page_time_reached)
        )
        navigation.settings.add(
            Entry(
                "automation",
                _("Automation"),
                "automation:rules",
                icon="arrow-path-rounded-square",
                order=28,
                admin_only=True,
                also=("automation:rule_new", "automation:rule_edit"),
            )
        )
