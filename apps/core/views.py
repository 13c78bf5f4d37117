from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.health import run_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    failing = [name for name, result in checks.items() if result.startswith("error")]
    body = {"status": "ok" if healthy else "unavailable", "checks": checks, "failing": failing}
    return JsonResponse(body, status=200 if healthy else 503)


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The longest window of any limit is an hour (apps/core/ratelimit.py).
    message = _("Too many attempts. Please wait a few minutes and try again (at most an hour).")
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"error": "rate_limited", "message": message}, status=429)
    return render(
        request, "core/error.html", {"title": _("Slow down"), "message": message}, status=429
    )
