import json
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from apps.core.text import unstorable, unstorable_at
from apps.core.views import error_response

# Bodies read as JSON: what JSON endpoints take, and text/plain (the loader's beacon sends its
# JSON so, a request the browser makes without a CORS preflight).
JSON_TYPES = ("application/json", "text/plain")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# An address (path and query) longer than this is refused: no page of Sohbet needs one, and
# Django refuses to redirect to one much longer (a sign-in redirect quotes it whole).
MAX_ADDRESS_LENGTH = 4096


class InputCheckMiddleware:
    """Every request's text is checked before anything reads it: its path, headers, cookies,
    query string, form fields (and uploads' names) and JSON body. A NUL, a lone surrogate,
    bytes that are not UTF-8 (percent-encoded or in a JSON body), a JSON body nested too deep
    for the parser, an address over ``MAX_ADDRESS_LENGTH`` or a body or form over Django's
    limits are refused with 400 ``invalid``, naming where, in the shape of the
    endpoint (``apps.core.views.error_response``). Runs after the language is chosen and
    before the session or the user is read (a cookie holding a NUL never reaches the
    database)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self.problem(request)
        if problem is not None:
            return error_response(
                request, code="invalid", message=problem, status=400, title=_("Bad request")
            )
        return self.get_response(request)

    def problem(self, request: HttpRequest) -> str | None:
        """What is wrong with the request's text, said for its sender; None when nothing is.
        Django's own refusals of a body too large or a form too long are answered here too:
        raised later, they would be logged as errors (``django.security``), one per request."""
        try:
            return self.text_problem(request)
        except RequestDataTooBig:
            return _("The request is too large.")
        except (TooManyFieldsSent, TooManyFilesSent):
            return _("The request has too many fields.")
        except MultiPartParserError:
            return _("The form could not be read.")

    def text_problem(self, request: HttpRequest) -> str | None:
        if unstorable(request.path):
            return _("The address holds a character that is not allowed.")
        if len(request.path) + len(request.META.get("QUERY_STRING", "")) > MAX_ADDRESS_LENGTH:
            return _("The address is too long.")
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and unstorable(value):
                header = key[5:].replace("_", "-").title()
                return _("The %(header)s header holds a character that is not allowed.") % {
                    "header": header
                }
        for name, value in request.COOKIES.items():
            if unstorable(name) or unstorable(value):
                return _("A cookie holds a character that is not allowed.")
        if not _utf8(request.META.get("QUERY_STRING", "")):
            return _("The address's query is not UTF-8 text.")
        field = _bad_field(request.GET)
        if field is not None:
            return _field_message(field)
        content_type = request.content_type or ""
        if content_type.startswith(FORM_TYPES):
            if content_type.startswith(FORM_TYPES[0]) and not _utf8(request.body):
                return _("The form is not UTF-8 text.")
            field = _bad_field(request.POST)
            if field is None:
                field = _bad_field(request.FILES, names=lambda f: [f.name or ""])
            return None if field is None else _field_message(field)
        if content_type.startswith(JSON_TYPES) or content_type.endswith("+json"):
            return _json_problem(request.body)
        return None


def _utf8(encoded: str | bytes) -> bool:
    """Whether percent-encoded text (a query string, a form) decodes as UTF-8."""
    try:
        unquote_to_bytes(encoded).decode()
    except UnicodeDecodeError:
        return False
    return True


def _bad_field(data, names=lambda value: [value]) -> str | None:
    """The first field of a QueryDict (or MultiValueDict of uploads) whose name or a value
    (``names`` gives the text of a value) holds a NUL or a lone surrogate."""
    for key, values in data.lists():
        if unstorable(key):
            return ""
        for value in values:
            if any(unstorable(text) for text in names(value)):
                return key
    return None


def _field_message(field: str) -> str:
    if not field:
        return _("A field name holds a character that is not allowed.")
    return _("The field “%(field)s” holds a character that is not allowed.") % {
        "field": field[:100]
    }


def _json_problem(body: bytes) -> str | None:
    """What is wrong with a JSON body's text. A body that is not JSON at all is the view's to
    answer: it knows what it expected."""
    if not body:
        return None
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return _("The request body is not UTF-8 text.")
    try:
        data = json.loads(text)
    except RecursionError:
        return _("The request body is nested too deeply.")
    except ValueError:
        return None
    where = unstorable_at(data)
    if where is None:
        return None
    return _field_message(where)


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
