from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled


class UserLanguageMiddleware:
    """A signed-in user's chosen interface language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class AdminUnscopedMiddleware:
    """Django admin is the platform staff's view over every workspace: it runs unscoped.

    This is the one visible opt-out for HTTP; only the admin URL prefix gets it, and the admin
    site itself admits staff only. The response is rendered inside the block.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._prefix is None:
            self._prefix = reverse("admin:index")
        if request.path.startswith(self._prefix):
            with scopes_disabled():
                return self.get_response(request)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware: the policy is ``settings.CONTENT_SECURITY_POLICY``, a view
    changes its fixed parts with django-csp's decorators (``csp_replace``…). One part a view
    decides per response, as the chat window does from its workspace's allowed sites: the
    origins in ``response.frame_ancestors`` may frame the page."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        ancestors = getattr(response, "frame_ancestors", None)
        if ancestors is not None:
            parts.replace = {**(parts.replace or {}), "frame-ancestors": list(ancestors)}
        return parts
