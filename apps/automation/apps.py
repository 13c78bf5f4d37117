from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "apps.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self):
        from apps.core import navigation
        from apps.core.navigation import Entry

        navigation.settings.add(
            Entry(
                "automation",
                _("Automation"),
                "automation:rules",
                icon="bolt",
                order=28,
                admin_only=True,
                also=("automation:rule_new", "automation:rule_edit"),
            )
        )
