"""Business hours in Django admin (unscoped: platform staff see every workspace)."""

from django.contrib import admin

from apps.offline.models import BusinessHours, ClosedDate, WeeklyInterval


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
