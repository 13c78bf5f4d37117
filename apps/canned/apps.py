from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CannedConfig(AppConfig):
    name = "apps.canned"
    label = "canned"
    verbose_name = _("Canned responses")

    def ready(self):
        from apps.core import navigation
        from apps.core.navigation import Entry

        navigation.settings.add(
            Entry(
                "canned",
                _("Canned responses"),
                "canned:list",
                icon="bolt",
                order=70,
                also=("canned:new", "canned:edit", "canned:delete"),
            )
        )
