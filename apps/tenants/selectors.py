"""Reads about workspaces and members.

Lookups that necessarily cross workspaces (which workspaces does this user belong to; which
invitation does this token open) run unscoped on purpose and say so in their names.
"""

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.core.collation import sorted_by_name
from apps.core.crypto import hash_token
from apps.tenants import home
from apps.tenants.models import Invitation, Membership, SignupRequest, Tenant, User


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


def signup_request_by_token(*, raw_token: str, lock: bool = False) -> SignupRequest | None:
    """The pending signup of a confirmation link, while it works (``lock``: for update)."""
    if not raw_token or len(raw_token) > 128:
        return None
    pending = SignupRequest.objects.filter(
        token_hash=hash_token(raw_token), expires_at__gt=timezone.now()
    )
    return (pending.select_for_update() if lock else pending).first()


def tenant_by_slug(*, slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()


def tenant_by_widget_key(*, widget_key: str) -> Tenant | None:
    return Tenant.objects.filter(widget_key=widget_key).first()


def tenant_by_widget_key_for_origin(*, widget_key: str, origin: str) -> tuple[Tenant | None, bool]:
    """The workspace of ``widget_key`` and whether a page at ``origin`` may show its chat
    (``origin_allowed``), in one query: every page view's presence socket asks both."""
    from apps.tenants.models import WidgetSettings

    with scopes_disabled():  # the one row of this very workspace
        sites = WidgetSettings.objects.filter(tenant=OuterRef("pk")).values("allowed_origins")[:1]
    tenant = (
        Tenant.objects.filter(widget_key=widget_key)
        .annotate(sohbet_allowed_origins=Subquery(sites))
        .first()
    )
    if tenant is None or not origin:
        return tenant, False
    return tenant, _sites_allow(tenant.sohbet_allowed_origins, origin)


def _sites_allow(allowed_origins: str | None, origin: str) -> bool:
    """The rule of ``WidgetSettings.allowed_origins``: an empty list allows any site."""
    from apps.tenants.models import origins_list

    allowed = origins_list(allowed_origins or "")
    return not allowed or origin in allowed


# Scoped reads: the caller is inside the workspace's scope.


def members(*, tenant: Tenant) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(tenant=tenant)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def members_by_name(*, tenant: Tenant) -> list[Membership]:
    """The workspace's members (their teams loaded) in Turkish alphabetical order of name."""
    return sorted_by_name(
        members(tenant=tenant).prefetch_related("teams"), lambda m: m.user.get_full_name()
    )


def pending_invitations(*, tenant: Tenant) -> list[Invitation]:
    qs = Invitation.objects.filter(
        tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    return [inv for inv in qs if not inv.is_expired]


def widget_settings(*, tenant: Tenant):
    """The workspace's widget settings (created with defaults when missing). Inside the scope."""
    from apps.tenants.services import widget_settings_get

    return widget_settings_get(tenant=tenant)


def origin_allowed(*, tenant: Tenant, origin: str) -> bool:
    """May a page at ``origin`` show this workspace's chat? An empty list of sites allows any."""
    from apps.tenants.models import WidgetSettings

    # Every beacon and config request asks: read the one column, not the whole settings row
    # (no row yet means the defaults: any site).
    with scope(tenant=tenant):
        text = (
            WidgetSettings.objects.filter(tenant=tenant)
            .values_list("allowed_origins", flat=True)
            .first()
        )
    return _sites_allow(text, origin)


def widget_display_name(*, tenant: Tenant) -> str:
    from apps.tenants.models import WidgetSettings

    name = (
        WidgetSettings.objects.filter(tenant=tenant).values_list("display_name", flat=True).first()
    )
    return name or tenant.name


def widget_public_config(*, tenant: Tenant, base_url: str, team_online: bool) -> dict:
    """What config.json and the chat window tell the browser. Never the identity secret."""
    ws = widget_settings(tenant=tenant)
    return {
        "key": tenant.widget_key,
        "workspace": tenant.name,
        "language": tenant.default_language,
        "color": ws.color,
        "position": ws.position,
        "launcher_text": ws.launcher_text,
        "welcome_title": ws.welcome_title,
        "welcome_message": ws.welcome_message,
        "display_name": ws.display_name or tenant.name,
        "avatar_url": (base_url + ws.avatar.url) if ws.avatar else None,
        "team_online": team_online,
        "chat_url": f"{base_url}/w/{tenant.widget_key}/chat/",
        "config_url": f"{base_url}/w/{tenant.widget_key}/config.json",
        # Operators see what the visitor types before it is sent; the chat window says so.
        "typing_preview": tenant.typing_preview,
    }


# What an operator can be notified of (Membership.notify), each by desktop and sound.
NOTIFY_KINDS = ("new_conversation", "mine", "mention")


def notify_prefs(membership: Membership) -> dict:
    """Notification choices with defaults filled in: everything on."""
    saved = membership.notify if isinstance(membership.notify, dict) else {}
    prefs = {}
    for kind in NOTIFY_KINDS:
        chosen = saved.get(kind) if isinstance(saved.get(kind), dict) else {}
        prefs[kind] = {
            "desktop": bool(chosen.get("desktop", True)),
            "sound": bool(chosen.get("sound", True)),
        }
    return prefs


# --- The home page ------------------------------------------------------------------------------


def teammate_invited(*, tenant: Tenant) -> bool:
    """Whether the workspace has reached for a second person: an invitation sent (whatever
    became of it) or a second member."""
    return (
        Invitation.objects.filter(tenant=tenant).exists()
        or Membership.objects.filter(tenant=tenant).count() > 1
    )


def welcome_reviewed(*, tenant: Tenant) -> bool:
    """Whether a person has saved the chat widget's settings (its welcome message among them)
    at least once: until then the widget greets visitors with the texts every new workspace
    gets."""
    from apps.tenants.models import WidgetSettings

    return WidgetSettings.objects.filter(tenant=tenant, edited_at__isnull=False).exists()


def getting_started(*, tenant: Tenant) -> list[dict]:
    """The getting-started checklist (``apps.tenants.home``): each step with whether it is
    done."""
    return [
        {
            "key": item.key,
            "label": item.label,
            "url_name": item.url_name,
            "template": item.template,
            "done": bool(item.done(tenant)),
        }
        for item in home.checklist_items()
    ]


def home_stats(*, membership: Membership) -> list:
    """The counts at a glance the apps give the home page, as ``membership`` may see them."""
    found = [stat for read in home.stats_readers() for stat in read(membership)]
    return sorted(found, key=lambda stat: stat.order)
