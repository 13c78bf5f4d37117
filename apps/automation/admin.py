"""Platform staff's view of each workspace's automation. Rules and flows are written in the
workspace's own editor, which checks them: here they are read, and rules can be switched off
(say one that floods a workspace's conversations) or on again, through the service."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.automation.models import Firing, Flow, FlowRun, Rule
from apps.automation.services import rule_toggle


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Rule)
class RuleAdmin(ReadOnly):
    list_display = ("name", "tenant", "trigger", "enabled", "fired_count", "last_fired_at")
    list_filter = ("enabled", "trigger")
    search_fields = ("name", "tenant__name", "tenant__slug")
    actions = ["switch_off", "switch_on"]

    def _toggle(self, request, queryset, enabled: bool) -> None:
        count = 0
        for rule in queryset.filter(enabled=not enabled):
            rule_toggle(rule=rule, enabled=enabled)
            count += 1
        if enabled:
            done = ngettext("%d rule switched on.", "%d rules switched on.", count)
        else:
            done = ngettext("%d rule switched off.", "%d rules switched off.", count)
        self.message_user(request, done % count, messages.SUCCESS)

    @admin.action(description=_("Switch the selected rules off"))
    def switch_off(self, request, queryset):
        self._toggle(request, queryset, False)

    @admin.action(description=_("Switch the selected rules on"))
    def switch_on(self, request, queryset):
        self._toggle(request, queryset, True)


@admin.register(Firing)
class FiringAdmin(ReadOnly):
    list_display = ("rule", "tenant", "conversation", "error", "created_at")
    search_fields = ("rule__name", "tenant__slug")


@admin.register(Flow)
class FlowAdmin(ReadOnly):
    list_display = ("name", "key", "tenant", "published", "updated_at")
    search_fields = ("name", "key", "tenant__slug")


@admin.register(FlowRun)
class FlowRunAdmin(ReadOnly):
    list_display = ("conversation", "tenant", "state", "step", "started_at", "updated_at")
    list_filter = ("state",)
