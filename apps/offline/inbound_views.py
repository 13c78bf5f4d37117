"""The inbound email endpoint: an inbound-mail provider posts one raw MIME message to
``/inbound/email/<secret>/``; the secret names the workspace (``OfflineSettings.inbound_secret``).
Answers JSON: ``{"outcome": "posted"}``, ``{"outcome": "ignored", "reason": …}``, or an error
(404 unknown secret, 400 malformed, 413 too large, 429 deliver again later)."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from apps.core.views import errors_as
from apps.offline import selectors
from apps.offline.models import InboundEmail
from apps.offline.services import InboundBusy, InboundTooLarge, inbound_receive


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": str(message), **extra}, status=status)


def _too_large() -> JsonResponse:
    limit = settings.INBOUND_EMAIL_MAX_BYTES
    return _error(
        "too_large", _("The email is larger than %(n)s bytes.") % {"n": limit}, 413, limit=limit
    )


@errors_as(_error)
@csrf_exempt
@never_cache
@ratelimit(key="ip", rate="600/m", block=True)
@require_POST
def email(request: HttpRequest, secret: str) -> JsonResponse:
    """Take one raw email for the workspace whose secret is in the address."""
    tenant = selectors.tenant_by_inbound_secret(secret)
    if tenant is None:
        return _error("not_found", _("There is no inbound email address here."), 404)
    limit = settings.INBOUND_EMAIL_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return _too_large()
    raw = request.read(limit + 1)
    if not raw:
        return _error("empty", _("Send the raw email (MIME) as the request body."), 400)
    try:
        record = inbound_receive(raw=raw, tenant=tenant, source="endpoint")
    except InboundTooLarge:
        return _too_large()
    except InboundBusy as exc:
        response = _error(exc.code, exc.message, 429, **exc.extra)
        response["Retry-After"] = str(exc.extra.get("retry_after", 60))
        return response
    if record.state == InboundEmail.State.FAILED:
        return _error(
            "malformed",
            _("The email could not be read; it is kept for inspection."),
            400,
            outcome=record.state,
            reason=record.reason,
        )
    body = {"outcome": record.state}
    if record.reason:
        body["reason"] = record.reason
    return JsonResponse(body)
