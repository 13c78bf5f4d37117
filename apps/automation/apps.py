from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "apps.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self):
        from apps.automation import selectors, services, widget
        from apps.automation.services import flows
        from apps.conversations import intake, page_timers, widget_extras, widget_frames
        from apps.core import navigation
        from apps.core.consumers import FrameLimit
        from apps.core.navigation import Entry

        intake.register_busy(flows.flow_started_guard)
        widget_extras.register(widget.config)
        widget_frames.register("choice", _choice, limit=FrameLimit(burst=5, per_second=1))
        widget_frames.register("flow", _flow, limit=FrameLimit(burst=3, per_second=0.2))
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
                also=(
                    "automation:rule_new",
                    "automation:rule_edit",
                    "automation:flows",
                    "automation:flow_new",
                    "automation:flow_edit",
                ),
            )
        )


def _choice(*, visitor, frame: dict, language: str) -> dict:
    from apps.automation.services import flows

    return flows.flow_choose(visitor=visitor, frame=frame)


def _flow(*, visitor, frame: dict, language: str) -> dict:
    from apps.automation.services import flows

    return flows.flow_start_for_visitor(visitor=visitor, key=frame.get("start"))
