"""Canned responses in Django admin (unscoped: platform staff see every workspace)."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from apps.canned.models import CannedResponse


@admin.register(CannedResponse)
class CannedResponseAdmin(TranslationAdmin):
    list_display = ("shortcut", "title", "tenant", "owner", "usage_count", "last_used_at")
    list_filter = ("tenant",)
    search_fields = ("shortcut", "title", "tenant__name", "tenant__slug")
    list_select_related = ("tenant", "owner")
    raw_id_fields = ("owner", "created_by")
    readonly_fields = ("usage_count", "last_used_at", "created_at", "updated_at")
