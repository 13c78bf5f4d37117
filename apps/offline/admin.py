"""Business hours, the offline and email settings, email threads, incoming emails and ratings
in Django admin (unscoped: platform staff see every
workspace)."""

from django.contrib import admin

from apps.offline.models import (
    BusinessHours,
    ClosedDate,
    EmailThread,
    InboundEmail,
    OfflineSettings,
    Rating,
    WeeklyInterval,
)


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


@admin.register(OfflineSettings)
class OfflineSettingsAdmin(admin.ModelAdmin):
    list_display = ("tenant", "form_mode", "email_replies", "rating", "support_address")
    list_select_related = ("tenant",)
    readonly_fields = ("inbound_secret", "updated_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "privacy_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(EmailThread)
class EmailThreadAdmin(admin.ModelAdmin):
    """Conversations that continue by email: how far they were emailed; read only."""

    list_display = ("conversation", "tenant", "emailed_up_to", "due_at", "unsubscribed_at")
    list_filter = ("tenant",)
    list_select_related = ("tenant", "conversation")
    readonly_fields = (
        "tenant",
        "conversation",
        "address",
        "reply_key",
        "emailed_up_to",
        "due_at",
        "message_ids",
        "unsubscribed_at",
        "created_at",
    )

    def has_add_permission(self, request):
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("created_at", "tenant", "conversation", "score")
    list_filter = ("score", "tenant")
    list_select_related = ("tenant", "conversation")
    readonly_fields = ("tenant", "conversation", "resolved_at", "score", "comment", "created_at")

    def has_add_permission(self, request):
        return False
