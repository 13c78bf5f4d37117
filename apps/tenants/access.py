"""How a request enters a workspace.

The workspace comes from the URL's slug *and* the signed-in user's membership of it; a user who
is not a member gets 404 (never a hint that the workspace exists). The view then runs inside
that workspace's scope, so every tenant-owned query is limited to it and a query outside any
scope raises.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_scopes import scope

from apps.tenants import selectors
from apps.tenants.models import Role

SESSION_LAST_WORKSPACE = "sohbet_last_workspace"


def workspace_view(min_role: str = Role.OPERATOR) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            membership = selectors.membership_by_slug_unscoped(user=request.user, slug=slug)
            if membership is None:
                raise Http404(_("No such workspace."))
            tenant = membership.tenant
            if tenant.is_suspended:
                return render(
                    request, "tenants/suspended.html", {"suspended_tenant": tenant}, status=403
                )
            request.tenant = tenant
            request.membership = membership
            if not membership.has_role(min_role):
                raise PermissionDenied(_("Only workspace owners and admins can open this page."))
            request.session[SESSION_LAST_WORKSPACE] = tenant.slug
            with scope(tenant=tenant):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            # A workspace's pages hold its customers' data: no shared cache keeps them, and
            # the browser asks again rather than showing them from its cache (after a sign-out,
            # on the back button).
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator
