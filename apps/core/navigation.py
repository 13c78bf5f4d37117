"""The app's two menus: the sidebar and the Settings area's sections.

Each app adds its own entries from its ``AppConfig.ready()``, so that a feature app (the bot,
reports, integrations) brings its page into the menus without the layout knowing about it:

    navigation.sidebar.add(Entry("inbox", _("Inbox"), "inbox:inbox", icon="inbox", order=20))
    navigation.settings.add(Entry("labels", _("Labels"), "inbox_settings:labels",
                                  icon="tag", order=50, admin_only=True))

An entry's page is ``url_name`` reversed with the workspace's slug; the entry is the current
one on that page and on the pages named in ``also``. The layout reads the menus through
``apps.tenants.context_processors.workspace``, which knows the viewer's role.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    key: str
    label: str  # a lazy translation
    url_name: str
    icon: str  # a Heroicons name (outline style), e.g. "inbox", "cog-6-tooth"
    order: int
    admin_only: bool = False
    also: tuple[str, ...] = field(default=())  # other view names where this entry is current

    def current_on(self, view_name: str) -> bool:
        return view_name == self.url_name or view_name in self.also


class Menu:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}

    def add(self, entry: Entry) -> None:
        self._entries[entry.key] = entry

    def entries(self, *, admin: bool) -> list[Entry]:
        return sorted(
            (e for e in self._entries.values() if admin or not e.admin_only),
            key=lambda e: (e.order, e.key),
        )


sidebar = Menu()
settings = Menu()

SETTINGS_LABEL = _("Settings")
