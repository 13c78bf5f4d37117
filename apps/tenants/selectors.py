"""Reads about workspaces and members.

Lookups that necessarily cross workspaces (which workspaces does this user belong to; which
invitation does this token open) run unscoped on purpose and say so in their names.
"""

from django.db.models import QuerySet
from django_scopes import scopes_disabled

from apps.tenants.models import Invitation, Membership, Tenant, User
from apps.tenants.services import hash_token


def memberships_of_user_unscoped(*, user: User) -> list[Membership]:
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user).select_related("tenant").order_by("tenant__name")
        )


def membership_by_slug_unscoped(*, user: User, slug: str) -> Membership | None:
    """The user's membership in the workspace at ``slug``; None when there is none."""
    with scopes_disabled():
        return (
            Membership.objects.filter(user=user, tenant__slug=slug)
            .select_related("tenant", "user")
            .first()
        )


def invitation_by_token_unscoped(*, raw_token: str) -> Invitation | None:
    if not raw_token or len(raw_token) > 128:
        return None
    with scopes_disabled():
        return (
            Invitation.objects.filter(token_hash=hash_token(raw_token))
            .select_related("tenant", "invited_by")
            .first()
        )


def tenant_by_widget_key(*, widget_key: str) -> Tenant | None:
    return Tenant.objects.filter(widget_key=widget_key).first()


# Scoped reads: the caller is inside the workspace's scope.


def members(*, tenant: Tenant) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(tenant=tenant)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def pending_invitations(*, tenant: Tenant) -> list[Invitation]:
    qs = Invitation.objects.filter(
        tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    return [inv for inv in qs if not inv.is_expired]
