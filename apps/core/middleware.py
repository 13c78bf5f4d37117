from collections.abc import Callable

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
