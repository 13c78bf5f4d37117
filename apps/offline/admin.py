"""Business hours and incoming emails in Django admin (unscoped: platform staff see every
workspace)."""

from django.contrib import admin

from apps.offline.models import BusinessHours, ClosedDate, InboundEmail, WeeklyInterval


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ("tenant", "enabled", "reply_minutes", "updated_at")
    list_select_related = ("tenant",)


@admin.register(WeeklyInterval)
class WeeklyIntervalAdmin(admin.ModelAdmin):
    list_display = ("tenant", "team", "weekday", "start", "end")
    list_filter = ("tenant",)
    list_select_related = ("tenant", "team")


@admin.register(ClosedDate)
class ClosedDateAdmin(admin.ModelAdmin):
    list_display = ("tenant", "team", "date", "name")
    list_filter = ("tenant",)
    list_select_related = ("tenant", "team")


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Incoming emails kept for inspection: what became of each and why; read only."""

    list_display = ("received_at", "tenant", "state", "reason", "sender_mismatch", "message_id")
    list_filter = ("state", "tenant")
    list_select_related = ("tenant",)
    fields = (
        "tenant",
        "received_at",
        "message_id",
        "state",
        "reason",
        "sender_mismatch",
        "conversation",
        "raw",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
