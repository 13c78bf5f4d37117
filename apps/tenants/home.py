"""What the workspace's home page shows, contributed by the apps that know it.

The home page belongs to ``tenants``, which imports no app above it; the apps above register
what they add from their ``AppConfig.ready()``:

- a getting-started checklist item (``checklist_item``): a key, a label, the page where the
  step is done and a test ``done(tenant) -> bool``, read inside the workspace's scope;
- counts at a glance (``stats``): a function ``(membership) -> list[Stat]`` that reads, inside
  the scope, only what that member may see.

Items and counts are shown in ``order`` (then by key), whichever app registered them first.
The home page reads them through ``selectors.getting_started`` and ``selectors.home_stats``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from apps.tenants.models import Membership, Tenant


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str  # a lazy translation
    url_name: str  # a workspace page (takes ``slug``): where the step is done
    done: Callable[[Tenant], bool]
    order: int = 100
    # Shown under the item while it is not done, with the home page's context.
    template: str = ""


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    value: int
    url: str
    order: int = 100


_checklist: dict[str, ChecklistItem] = {}
_stats: dict[str, tuple[int, Callable[[Membership], list[Stat]]]] = {}


def checklist_item(
    *,
    key: str,
    label: str,
    url_name: str,
    done: Callable[[Tenant], bool],
    order: int = 100,
    template: str = "",
) -> None:
    """Add a step to the getting-started checklist (registering a key again replaces it)."""
    _checklist[key] = ChecklistItem(key, label, url_name, done, order, template)


def stats(*, key: str, read: Callable[[Membership], list[Stat]], order: int = 100) -> None:
    """Add counts to the home page: ``read(membership)`` gives them for that member."""
    _stats[key] = (order, read)


def checklist_items() -> list[ChecklistItem]:
    return sorted(_checklist.values(), key=lambda item: (item.order, item.key))


def stats_readers() -> list[Callable[[Membership], list[Stat]]]:
    return [read for _key, (_order, read) in sorted(_stats.items(), key=lambda i: (i[1][0], i[0]))]
