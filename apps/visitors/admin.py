"""Visitors in Django admin (unscoped: platform staff see every workspace).

Personal data is shown only as far as running the platform needs: names and emails are
decrypted for display on the change page, tokens never (only their hashes exist).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.visitors.models import PageView, Visitor, VisitorSession


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Visitor)
class VisitorAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "tenant", "verified", "visits", "first_seen_at", "last_seen_at")
    list_filter = ("tenant", ("verified_at", admin.EmptyFieldListFilter))
    search_fields = ("public_id", "tenant__name", "tenant__slug")
    list_select_related = ("tenant",)
    exclude = ("external_id_hash",)

    @admin.display(boolean=True, description=_("verified"))
    def verified(self, obj: Visitor) -> bool:
        return obj.is_verified


@admin.register(VisitorSession)
class VisitorSessionAdmin(ReadOnlyAdmin):
    list_display = ("visitor", "tenant", "browser", "os", "language", "started_at", "last_seen_at")
    list_filter = ("tenant", "browser", "os")
    search_fields = ("visitor__public_id", "tenant__slug")
    list_select_related = ("tenant", "visitor")


@admin.register(PageView)
class PageViewAdmin(ReadOnlyAdmin):
    list_display = ("url", "title", "tenant", "viewed_at")
    list_filter = ("tenant",)
    search_fields = ("url", "title", "tenant__slug")
    list_select_related = ("tenant",)
