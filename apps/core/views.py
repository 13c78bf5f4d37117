import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.health import run_checks

ErrorRenderer = Callable[[str, str, int], HttpResponse]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    failing = [name for name, result in checks.items() if result.startswith("error")]
    body = {"status": "ok" if healthy else "unavailable", "checks": checks, "failing": failing}
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for whatever the page names: the app's icon (else
    each first visit logs a "Not Found" warning)."""
    return redirect(static("favicon.svg"), permanent=True)


def json_body(request: HttpRequest, default=None):
    """The request's body as JSON: ``default`` when there is none, None when it is not JSON
    (not UTF-8, not JSON, or a form whose body was read as fields)."""
    try:
        body = request.body
    except RawPostDataException:  # a multipart form: read as fields (apps.core.middleware)
        return None
    if not body:
        return default
    try:
        return json.loads(body)
    except ValueError:  # UnicodeDecodeError included
        return None


def errors_as(render_error: ErrorRenderer) -> Callable:
    """Mark a JSON view with the shape of its error answers, ``render_error(code, message,
    status)``: a request refused before the view runs (bad input, too many attempts) is
    answered in that shape too (``error_response``). Put it outside the view's other
    decorators."""

    def mark(view: Callable) -> Callable:
        view.render_error = render_error
        return view

    return mark


def error_response(
    request: HttpRequest, *, code: str, message: str, status: int, title: str
) -> HttpResponse:
    """A refusal answered outside a view, in the shape of the view the address leads to: its
    own JSON (``errors_as``); otherwise ``{"error": code, "message": …}`` for a client that asks
    for JSON, and the error page for a person."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        view = None
    render_error = getattr(view, "render_error", None)
    if render_error is not None:
        return render_error(code, str(message), status)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"error": code, "message": str(message)}, status=status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: a request Django itself refused (too large, too many fields, a broken
    upload…). The exception's text is not shown: it may quote the request."""
    return error_response(
        request,
        code="bad_request",
        message=_("The request could not be understood."),
        status=400,
        title=_("Bad request"),
    )


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(
        request,
        code="rate_limited",
        # The longest window of any limit is an hour (apps/core/ratelimit.py).
        message=_("Too many attempts. Please wait a few minutes and try again (at most an hour)."),
        status=429,
        title=_("Slow down"),
    )
