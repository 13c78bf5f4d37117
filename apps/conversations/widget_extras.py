"""What the apps above ``conversations`` add to the widget's public config.

``conversations`` imports no feature app, so a feature app registers a provider from its
``AppConfig.ready()``: ``register(fn)``, where ``fn(tenant) -> dict`` gives keys to merge into
the config (``apps.offline`` adds ``{"hours": {...}, "form": {...}, ...}``). A provider's
``"strings"`` (key -> translated text) join the chat window's interface text instead (they are
not in ``config.json``). ``collect`` is called inside the workspace's scope, in the visitor's
language; a later provider's key replaces an earlier one's.
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
    strings: dict = {}
    for fn in _providers:
        given = dict(fn(tenant))
        strings.update(given.pop("strings", {}))
        extras.update(given)
    if strings:
        extras["strings"] = strings
    return extras
