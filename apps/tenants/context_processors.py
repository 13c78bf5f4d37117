from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.tenants import selectors


def workspace(request: HttpRequest) -> dict:
    """The current workspace and membership (set by ``workspace_view``), and the user's
    workspaces for the switcher, read only when a template uses them."""
    user = getattr(request, "user", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": getattr(request, "membership", None),
        "my_memberships": SimpleLazyObject(
            lambda: (
                selectors.memberships_of_user_unscoped(user=user)
                if user is not None and user.is_authenticated
                else []
            )
        ),
    }
