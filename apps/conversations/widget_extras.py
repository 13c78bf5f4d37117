"""What the apps above ``conversations`` add to the widget's public config.

``conversations`` imports no feature app, so a feature app registers a provider from its
``AppConfig.ready()``: ``register(fn)``, where ``fn(tenant) -> dict`` gives keys to merge into
the config (``apps.offline`` adds ``{"hours": {...}}``). ``collect`` is called inside the
workspace's scope; a later provider's key replaces an earlier one's.
"""

from collections.abc import Callable

from apps.tenants.models import Tenant

_providers: list[Callable[[Tenant], dict]] = []


def register(fn: Callable[[Tenant], dict]) -> Callable[[Tenant], dict]:
    """Add a provider (registering the same function again does nothing)."""
    if fn not in _providers:
        _providers.append(fn)
    return fn


def collect(tenant: Tenant) -> dict:
    extras: dict = {}
    for fn in _providers:
        extras.update(fn(tenant))
    return extras
