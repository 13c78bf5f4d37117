"""Rate limits. Views are limited with django-ratelimit's decorator (counted in the cache; a
refused request gets ``settings.RATELIMIT_VIEW``, a 429 page); forms that take a credential
through ``credential_limits`` below. Sockets and services count with ``hit``: fixed-window
counters in the same cache.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit

logger = logging.getLogger(__name__)


def hit(key: str, *, limit: int, window: int) -> tuple[bool, int]:
    """Count one hit on ``key``; return (allowed, seconds until the window resets)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return True, 0
    now = int(time.time())
    try:
        count = _count(_window_key(key, window, now), window)
    except Exception:
        # The cache (Redis) is down: a visitor's message matters more than the limit. Fail open.
        logger.warning("rate limit %s not counted: cache unavailable", key, exc_info=True)
        return True, 0
    retry_after = window - (now % window)
    return count <= limit, retry_after


def _window_key(key: str, window: int, now: int) -> str:
    return f"rl:{key}:{now // window}"


def _count(full_key: str, window: int) -> int:
    try:
        return cache.incr(full_key)
    except ValueError:  # the window's first hit
        if cache.add(full_key, 1, timeout=window + 1):
            return 1
        return cache.incr(full_key)  # another process counted the first meanwhile


def unhit(key: str, *, window: int) -> None:
    """Take back one hit on ``key`` counted in the current window (the caller counted before it
    knew the hit should not count). Best effort: a window that just turned keeps its count."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    try:
        cache.decr(_window_key(key, window, int(time.time())))
    except Exception:  # gone or expired, or the cache is down: nothing to take back
        return


# --- Forms that take a credential ------------------------------------------------------------
# Every form that checks a password or a secret link, or sends mail to the address it is given,
# is limited per client address and, where the form names an account, per account too, so a
# guess spread over many addresses is slowed as well. Forms of one kind count together: the
# operators' login and Django admin's share their counts. A request over a limit gets the 429
# page; every request counts, a successful one too.

PER_ADDRESS = "10/m"
PER_ACCOUNT = "20/h"
# Forms that send an email to the address typed in: fewer, so nobody floods a mailbox.
PER_MAILBOX = "5/h"
# Secret links (password reset, invitation, signup confirmation): every request counts, as
# opening the link checks its secret.
PER_ADDRESS_LINK = "20/m"

AccountKey = Callable[[str, HttpRequest], str]


def posted(field: str) -> AccountKey:
    """The account a form names in ``field`` (an email address: case and spaces ignored)."""

    def key(group: str, request: HttpRequest) -> str:
        return request.POST.get(field, "").strip().lower()

    return key


def signed_in_user(group: str, request: HttpRequest) -> str:
    return str(request.user.pk) if request.user.is_authenticated else ""


def credential_limits(
    kind: str,
    *,
    account: AccountKey | None = None,
    per_address: str = PER_ADDRESS,
    per_account: str = PER_ACCOUNT,
    method: str | tuple = "POST",
):
    """Limit a view that takes a credential: ``per_address`` requests per client address and,
    with ``account``, ``per_account`` requests per account the form names (django-ratelimit
    rates, in fixed windows). ``kind`` names the counts; views of one kind share them."""

    def decorator(view):
        limited = ratelimit(
            group=f"credentials.{kind}.address", key="ip", rate=per_address, method=method
        )(view)
        if account is not None:
            limited = ratelimit(
                group=f"credentials.{kind}.account", key=account, rate=per_account, method=method
            )(limited)
        return limited

    return decorator


def secret_link_limits(kind: str):
    """Limit a page reached by a secret link (its token is the credential): ``PER_ADDRESS_LINK``
    requests of any method per client address. Its tokens are too long to guess, so there is
    no count per account."""
    return credential_limits(kind, per_address=PER_ADDRESS_LINK, method=ALL)
