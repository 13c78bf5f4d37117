"""Conversations in Django admin (unscoped). Message bodies stay out of admin: private by design,
platform staff do not read customers' chats; the workspace's own operators do, in the inbox."""

from django.contrib import admin

from apps.conversations.models import Activity, Conversation, Label, Message, OperatorPresence
from apps.visitors.admin import ReadOnlyAdmin


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "tenant",
        "status",
        "assignee",
        "created_at",
        "last_activity_at",
        "resolved_at",
    )
    list_filter = ("status", "tenant", "created_at")
    search_fields = ("public_id", "tenant__name", "tenant__slug")
    list_select_related = ("tenant",)
    exclude = ("last_message",)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "tenant",
        "conversation",
        "sender",
        "created_at",
        "delivered_at",
        "read_at",
    )
    list_filter = ("sender", "tenant", "created_at")
    search_fields = ("client_id", "tenant__slug")
    list_select_related = ("tenant", "conversation")
    exclude = ("body",)


@admin.register(OperatorPresence)
class OperatorPresenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "tenant", "status", "connections", "last_seen_at")
    list_filter = ("status", "tenant")
    search_fields = ("user__email", "tenant__slug")
    list_select_related = ("tenant", "user")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """What happened, never what a private note says (same rule as message bodies)."""

    list_display = ("id", "tenant", "conversation", "kind", "actor", "created_at")
    list_filter = ("kind", "tenant")
    list_select_related = ("tenant", "conversation", "actor")
    exclude = ("body",)


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ("name", "color", "tenant", "created_at")
    list_filter = ("tenant",)
    search_fields = ("name", "tenant__slug")
