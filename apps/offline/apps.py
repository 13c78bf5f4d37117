from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "apps.offline"
    label = "offline"
    verbose_name = _("Business hours and offline")

    def ready(self):
        from apps.conversations import inbox_extras, widget_extras, widget_frames
        from apps.conversations.inbox_extras import InboxAction
        from apps.core import navigation
        from apps.core.consumers import FrameLimit
        from apps.core.navigation import Entry
        from apps.offline import selectors, widget
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
        navigation.settings.add(
            Entry(
                "offline",
                _("Offline and email"),
                "offline:settings",
                icon="envelope",
                order=26,
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
        widget_extras.register(widget.config)
        inbox_extras.register(
            InboxAction(
                "transcript",
                _("Email transcript"),
                "offline_inbox:transcript",
                done=_("The transcript is on its way to %(address)s."),
            )
        )
        widget_frames.register(
            "contact", widget.frame_contact, limit=FrameLimit(burst=5, per_second=0.2)
        )
        widget_frames.register(
            "rating", widget.frame_rating, limit=FrameLimit(burst=5, per_second=0.2)
        )
        widget_frames.register(
            "transcript", widget.frame_transcript, limit=FrameLimit(burst=3, per_second=0.05)
        )
