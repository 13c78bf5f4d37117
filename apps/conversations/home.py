"""What the conversations app adds to the workspace's home page (``apps.tenants.home``): the
conversations at a glance, who is online and who is on the site. Registered at start-up
(``ConversationsConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.conversations import selectors
from apps.tenants import home
from apps.tenants.models import Membership
from apps.visitors import selectors as visitor_selectors


def stats(membership: Membership) -> list[home.Stat]:
    """The counts as ``membership`` may see them; each opens the inbox (whose filters live in
    the browser: it cannot open on one from its address)."""
    counts = selectors.home_counts(membership=membership)
    inbox = reverse("inbox:inbox", kwargs={"slug": membership.tenant.slug})
    return [
        home.Stat("waiting", _("Waiting for an answer"), counts["waiting"], inbox, 10),
        home.Stat("unassigned", _("Unassigned"), counts["unassigned"], inbox, 20),
        home.Stat("open", _("Open"), counts["open"], inbox, 30),
        home.Stat("mine", _("Assigned to you"), counts["mine"], inbox, 40),
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
