"""Django admin for platform staff. Admin requests run unscoped (see
``apps.core.middleware.AdminUnscopedMiddleware``), so tenant-owned rows of every workspace show
here, with the workspace as a column and a filter."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.tenants import services
from apps.tenants.models import Invitation, Membership, Team, Tenant, User, WidgetSettings

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Django's, with its permissions labelled from our catalogue: Django's Turkish "izinler",
    shown through ``capfirst``, reads "Izinler" with a dotless I
    (tests/core/test_turkish_capitals.py)."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name == "permissions":
            field.label = _("Permissions")
        return field


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("tenant", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("tenant",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "full_name",
        "language",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "language")
    search_fields = ("email", "full_name")
    readonly_fields = ("date_joined", "last_login")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    actions = ["deactivate", "reactivate"]

    @admin.action(description=_("Deactivate selected accounts"))
    def deactivate(self, request, queryset):
        """The accounts can no longer sign in; their pages and open inbox sockets end."""
        count = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            services.user_set_active(user=user, active=False)
            count += 1
        self.message_user(
            request,
            ngettext("%d account deactivated.", "%d accounts deactivated.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate selected accounts"))
    def reactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=False):
            services.user_set_active(user=user, active=True)
            count += 1
        self.message_user(
            request,
            ngettext("%d account reactivated.", "%d accounts reactivated.", count) % count,
            messages.SUCCESS,
        )


class TenantMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "tenant"
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "status", "default_language", "timezone", "created_at")
    list_filter = ("status", "default_language", "created_at")
    search_fields = ("name", "slug", "widget_key")
    readonly_fields = ("widget_key", "created_at", "updated_at", "suspended_at")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TenantMembershipInline]
    actions = ["suspend", "reactivate"]

    @admin.action(description=_("Suspend selected workspaces"))
    def suspend(self, request, queryset):
        count = 0
        for tenant in queryset.exclude(status=Tenant.Status.SUSPENDED):
            services.tenant_suspend(tenant=tenant)
            count += 1
        self.message_user(
            request,
            ngettext("%d workspace suspended.", "%d workspaces suspended.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate selected workspaces"))
    def reactivate(self, request, queryset):
        count = 0
        for tenant in queryset.filter(status=Tenant.Status.SUSPENDED):
            services.tenant_reactivate(tenant=tenant)
            count += 1
        self.message_user(
            request,
            ngettext("%d workspace reactivated.", "%d workspaces reactivated.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "tenant", "role", "created_at")
    list_filter = ("role", "tenant")
    search_fields = ("user__email", "user__full_name", "tenant__name", "tenant__slug")
    list_select_related = ("user", "tenant")
    readonly_fields = ("created_at", "updated_at")
    autocomplete_fields = ("user", "tenant")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "tenant",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("role", "tenant", "accepted_at", "revoked_at")
    search_fields = ("email", "tenant__name", "tenant__slug")
    list_select_related = ("tenant", "invited_by")
    readonly_fields = (
        "token_hash",
        "created_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
        "invited_by",
    )
    autocomplete_fields = ("tenant",)

    def has_add_permission(self, request) -> bool:
        # Invitations carry a secret emailed to the invitee: workspace admins create them.
        return False


@admin.register(WidgetSettings)
class WidgetSettingsAdmin(admin.ModelAdmin):
    list_display = ("tenant", "position", "allowed_site_count", "updated_at")
    list_filter = ("position",)
    search_fields = ("tenant__name", "tenant__slug", "allowed_origins")
    list_select_related = ("tenant",)
    # The identity secret never shows here: it is the workspace's, shown to its admins only.
    exclude = ("identity_secret",)
    readonly_fields = ("tenant", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False  # made with the workspace

    @admin.display(description=_("allowed sites"))
    def allowed_site_count(self, obj: WidgetSettings) -> int:
        return len(obj.origins)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "created_at")
    list_filter = ("tenant",)
    search_fields = ("name", "tenant__slug")
