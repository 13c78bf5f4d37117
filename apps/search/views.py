"""``GET /app/<slug>/inbox/search/?q=…``: the inbox search, as JSON (docs/search.md)."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.ratelimit import hit
from apps.core.views import errors_as
from apps.search.selectors import SearchError, search_conversations
from apps.tenants.access import workspace_view
from apps.tenants.models import Role

SEARCHES_PER_MINUTE = 120


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)


@errors_as(_error)
@workspace_view(Role.OPERATOR)
@require_GET
@never_cache
def search(request: HttpRequest) -> JsonResponse:
    allowed, retry_after = hit(f"search:{request.user.pk}", limit=SEARCHES_PER_MINUTE, window=60)
    if not allowed:
        return _error(
            "rate_limited",
            _("Too many searches. Please wait %(s)s seconds.") % {"s": retry_after},
            429,
            retry_after=retry_after,
        )
    query = request.GET.get("q", "")
    try:
        results = search_conversations(membership=request.membership, query=query)
    except SearchError as refusal:
        return _error(refusal.code, refusal.message, 400, **refusal.extra)
    return JsonResponse({"query": query.strip(), "results": results})
