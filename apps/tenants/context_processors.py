from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from apps.core import navigation
from apps.tenants import selectors
from apps.tenants.access import SESSION_LAST_WORKSPACE


def workspace(request: HttpRequest) -> dict:
    """The current workspace and membership (set by ``workspace_view``), the user's workspaces
    for the switcher, and the sidebar's and Settings area's menus for this viewer; each read
    only when a template uses it."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    return {
        "tenant": tenant,
        "membership": membership,
        "my_memberships": SimpleLazyObject(
            lambda: (
                selectors.memberships_of_user_unscoped(user=user)
                if user is not None and user.is_authenticated
                else []
            )
        ),
        "sidebar": SimpleLazyObject(lambda: _sidebar(request, tenant, membership, user)),
        "settings_sections": SimpleLazyObject(
            lambda: _menu(navigation.settings, request, tenant, membership)
        ),
    }


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


def _menu(menu: navigation.Menu, request, tenant, membership) -> list[dict]:
    if tenant is None or membership is None:
        return []
    here = _view_name(request)
    return [
        {
            "key": entry.key,
            "label": entry.label,
            "icon": entry.icon,
            "url": reverse(entry.url_name, kwargs={"slug": tenant.slug}),
            "current": entry.current_on(here),
        }
        for entry in menu.entries(admin=membership.is_admin)
    ]


def _sidebar(request, tenant, membership, user) -> list[dict]:
    """The sidebar's entries, then Settings: it opens the first section this viewer may see and
    is the current entry on every section's page. On a page outside any workspace (the
    profile, a new workspace) the entries lead back into the last one the person was in."""
    if tenant is None and user is not None and user.is_authenticated:
        slug = request.session.get(SESSION_LAST_WORKSPACE) if hasattr(request, "session") else None
        membership = slug and selectors.membership_by_slug_unscoped(user=user, slug=slug)
        if membership and not membership.tenant.is_suspended:
            tenant = membership.tenant
        else:
            membership = None
    items = _menu(navigation.sidebar, request, tenant, membership)
    sections = _menu(navigation.settings, request, tenant, membership)
    if sections:
        items.append(
            {
                "key": "settings",
                "label": navigation.SETTINGS_LABEL,
                "icon": "cog-6-tooth",
                "url": sections[0]["url"],
                "current": any(s["current"] for s in sections),
            }
        )
    return items
