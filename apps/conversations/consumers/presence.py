"""``/ws/presence/<widget_key>/``: the loader's socket on the customer's page."""

from django.utils import translation
from django.utils.translation import gettext as _

from apps.conversations import selectors
from apps.conversations.consumers.common import (
    CLOSE_FORBIDDEN,
    header,
)
from apps.conversations.consumers.visitor import VisitorConsumer
from apps.core.consumers import FrameError
from apps.tenants import selectors as tenant_selectors
from apps.tenants.models import Tenant
from apps.visitors.models import Visitor


class PresenceConsumer(VisitorConsumer):
    """``/ws/presence/<widget_key>/``: the loader's own socket on the customer's page, open
    until the chat window's socket takes over.

    Live visitors and proactive chat need every visitor on the site connected, but making the
    chat window on every page view costs the host page its whole start-up. This socket does the
    part that must always run: it counts the visitor as online, takes ``identify`` and
    ``attributes`` from the integrator's calls, tells the loader whether the team is online, and
    rings when the team writes (``open`` for a proactive chat; ``message`` without its text for
    anything else, upon which the loader makes the chat window and it shows the message). It
    takes no messages, typing or receipts, and sends no message text or history.

    The handshake comes from the customer's page, not from Sohbet, so the same-origin rule of
    the chat window's socket does not apply; the workspace's allowed sites do, as for the beacon.
    """

    origin_ok = False
    heartbeat_position = False  # no messages here: the chat window catches up for itself

    def workspace(self, *, widget_key: str) -> Tenant | None:
        # The site's check in the same query as the workspace.
        tenant, self.origin_ok = tenant_selectors.tenant_by_widget_key_for_origin(
            widget_key=widget_key, origin=header(self.scope, b"origin")
        )
        return tenant

    async def connect(self):
        await super().connect()
        if self.tenant is None or self.tenant.is_suspended:
            return
        if not self.origin_ok:
            with translation.override(self.language):
                await self.send_error("origin_not_allowed", _("This site may not show this chat."))
            self.tenant = None  # nothing more is read from this socket
            await self.close(CLOSE_FORBIDDEN)

    def ready_data(self, *, visitor: Visitor, last_id: int | None, new_token: str | None) -> dict:
        return {"online": selectors.team_online_count(tenant_id=self.tenant.pk) > 0}

    def ready_fields(self, data: dict, new_token: str | None, returning: bool) -> dict:
        visitor = {"id": self.visitor.public_id.hex, "verified": self.visitor.is_verified}
        if new_token:
            visitor["token"] = new_token
        return {"visitor": visitor, "team": {"online": data["online"]}}

    async def _not_here(self, frame: dict) -> None:
        raise FrameError("not_supported", _("Open the chat window to do this."))

    frame_message = frame_typing = frame_delivered = frame_read = frame_resume = _not_here

    async def chat_message(self, event: dict) -> None:
        if event["message"].get("sender") != "visitor":
            await self.send_frame("message")  # a doorbell: the chat window fetches the rest

    async def chat_receipt(self, event: dict) -> None:
        pass

    async def chat_status(self, event: dict) -> None:
        pass

    async def chat_queue(self, event: dict) -> None:
        pass

    async def chat_typing(self, event: dict) -> None:
        pass
