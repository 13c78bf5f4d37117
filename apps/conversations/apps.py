from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "apps.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self):
        from apps.core import navigation
        from apps.core.navigation import Entry

        navigation.sidebar.add(
            Entry(
                "inbox",
                _("Inbox"),
                "inbox:inbox",
                icon="inbox",
                order=20,
                also=("inbox:conversation",),
            )
        )
        navigation.sidebar.add(
            Entry("visitors", _("Visitors"), "inbox:visitors", icon="globe-alt", order=30)
        )
        navigation.settings.add(
            Entry(
                "inbox",
                _("Inbox and assignment"),
                "inbox_settings:general",
                icon="inbox-arrow-down",
                order=30,
                admin_only=True,
            )
        )
        navigation.settings.add(
            Entry(
                "teams",
                _("Teams"),
                "inbox_settings:teams",
                icon="user-group",
                order=40,
                admin_only=True,
            )
        )
        navigation.settings.add(
            Entry(
                "labels",
                _("Labels"),
                "inbox_settings:labels",
                icon="tag",
                order=60,
                admin_only=True,
            )
        )
        from apps.conversations import home

        home.register()
