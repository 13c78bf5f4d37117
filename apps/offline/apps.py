from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "apps.offline"
    label = "offline"
    verbose_name = _("Business hours and offline")

    def ready(self):
        from apps.conversations import widget_extras
        from apps.core import navigation
        from apps.core.navigation import Entry
        from apps.offline import selectors
        from apps.tenants import home

        navigation.settings.add(
            Entry(
                "hours",
                _("Business hours"),
                "offline:hours",
                icon="clock",
                order=25,
                admin_only=True,
            )
        )
        home.checklist_item(
            key="hours",
            label=_("Set your business hours"),
            url_name="offline:hours",
            done=lambda tenant: selectors.hours_set(tenant=tenant),
            order=40,
        )
        widget_extras.register(
            lambda tenant: {"hours": selectors.availability(tenant=tenant).as_json()}
        )
