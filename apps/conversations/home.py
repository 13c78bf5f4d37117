"""What the conversations app adds to the workspace's home page (``apps.tenants.home``): the
conversations at a glance, who is online and who is on the site. Registered at start-up
(``ConversationsConfig.ready``)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.conversations import selectors
from apps.tenants import home
from apps.tenants.models import Membership
from apps.visitors import selectors as visitor_selectors


def stats(membership: Membership) -> list[home.Stat]:
    """The counts as ``membership`` may see them; each opens the inbox on the view it counts
    (``?assignee=…&status=open``, which the inbox selects on load: static/inbox/store.js)."""
    counts = selectors.home_counts(membership=membership)
    inbox = reverse("inbox:inbox", kwargs={"slug": membership.tenant.slug})

    def view(assignee: str, **more: str) -> str:
        # Every count is of open conversations (``selectors.home_counts``).
        return f"{inbox}?{urlencode({'assignee': assignee, 'status': 'open', **more})}"

    return [
        home.Stat(
            "waiting",
            _("Waiting for an answer"),
            counts["waiting"],
            view("all", sort="waiting"),
            10,
        ),
        home.Stat("unassigned", _("Unassigned"), counts["unassigned"], view("unassigned"), 20),
        home.Stat("open", _("Open"), counts["open"], view("all"), 30),
        home.Stat("mine", _("Assigned to you"), counts["mine"], view("mine"), 40),
        home.Stat(
            "operators_online",
            _("Operators online"),
            selectors.team_online_count(tenant_id=membership.tenant_id),
            inbox,
            50,
        ),
        home.Stat(
            "visitors_online",
            _("Visitors on your site now"),
            visitor_selectors.visitors_online_count(),
            inbox,
            60,
        ),
    ]


def register() -> None:
    home.stats(key="conversations", read=stats, order=10)
