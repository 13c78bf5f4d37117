"""The two live sockets: the visitor's chat window and the operator inbox.

They validate frames and call services and selectors; rules live in the services. See
docs/widget-protocol.md for every frame.
"""

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from apps.conversations import payloads, selectors, services, workflow
from apps.conversations.models import Conversation, Message
from apps.core import realtime
from apps.core.consumers import FrameError, JsonFrameConsumer
from apps.tenants import selectors as tenant_selectors
from apps.tenants.models import Tenant
from apps.visitors import payloads as visitor_payloads
from apps.visitors import selectors as visitor_selectors
from apps.visitors import services as visitor_services
from apps.visitors.models import Visitor, VisitorSession

CLOSE_BAD_HELLO = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN = 4404
CLOSE_RATE_LIMITED = 4429
TYPING_MIN_INTERVAL = 0.5
# The widget sends what the visitor types at most every 0.4 s (docs/widget-protocol.md).
VISITOR_TYPING_MIN_INTERVAL = 0.3
TYPING_PREVIEW_MAX_LENGTH = 1000
# How long a visitor socket trusts what it read about where its typing goes.
TYPING_TARGET_TTL = 5.0
ACCESS_RECHECK_SECONDS = 10.0

logger = logging.getLogger(__name__)
PARALLEL_DB = not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def _supported_language(value) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if isinstance(value, str) and value:
        base = value.split("-")[0].lower()
        if base in codes:
            return base
    return settings.LANGUAGE_CODE


def _optional_int(frame: dict, field: str) -> int | None:
    value = frame.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FrameError(
            "invalid", _("%(field)s must be a message id.") % {"field": field}, field=field
        )
    return value


def _id_list(frame: dict, field: str) -> list:
    value = frame.get(field, [])
    if not isinstance(value, list):
        raise FrameError("invalid", _("%(field)s must be a list of ids.") % {"field": field})
    return value


def client_ip(scope_: dict) -> str:
    header = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    if header and header.startswith("HTTP_"):
        wanted = header[5:].lower().replace("_", "-").encode()
        for name, value in scope_.get("headers", []):
            if name == wanted:
                return value.decode(errors="replace").split(",")[0].strip()
    client = scope_.get("client") or ["unknown"]
    return str(client[0])


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("typing frame failed", exc_info=task.exception())


def _header(scope_: dict, name: bytes) -> str:
    for key, value in scope_.get("headers", []):
        if key == name:
            return value.decode(errors="replace")
    return ""


class ScopedConsumer(JsonFrameConsumer):
    tenant: Tenant | None = None

    async def run(self, fn, /, **kwargs):
        """Run a sync function (a service or selector) in a worker thread, inside the scope."""

        def call():
            with scope(tenant=self.tenant):
                return fn(**kwargs)

        # Sockets' database work runs on a pool of threads (one connection each), so one slow
        # query or commit does not hold up every other socket of the process. SQLite (the local
        # run) keeps to one thread: it has one writer anyway. What it publishes goes out from
        # this loop (realtime.serving).
        realtime.serving()
        return await database_sync_to_async(call, thread_sensitive=not PARALLEL_DB)()


_touched: set[int] = set()
_touch_flushed_at = 0.0


async def _flush_touches(run) -> None:
    """Write the visitors whose sockets pinged since the last flush, at most every
    PRESENCE_TOUCH_SECONDS, in one statement (see visitor_services.presence_touch_many)."""
    global _touch_flushed_at, _touched
    now = time.monotonic()
    if not _touched or now - _touch_flushed_at < visitor_services.PRESENCE_TOUCH_SECONDS:
        return
    batch, _touched, _touch_flushed_at = list(_touched), set(), now
    try:
        await run(visitor_services.presence_touch_many, visitor_ids=batch)
    except Exception:  # a missed touch only makes a visitor look idle a little sooner
        logger.warning("presence touch failed", exc_info=True)


class VisitorConsumer(ScopedConsumer):
    """``/ws/widget/<widget_key>/``: one visitor's chat window."""

    visitor: Visitor | None = None
    session: VisitorSession | None = None
    token_hash: str = ""
    last_typing = 0.0
    present: Visitor | None = None  # the visitor this socket counts as online (presence)
    typing_target: tuple | None = None  # (read at, conversation pk, number, preview allowed)
    typing_held: dict | None = None  # a typing frame that came too soon, sent a moment later
    heartbeat_position = True  # the pong carries the newest message id (frame_ping)

    async def connect(self):
        key = self.scope["url_route"]["kwargs"]["widget_key"]
        self.language = _supported_language(_header(self.scope, b"accept-language"))
        self.tenant = await database_sync_to_async(
            self.workspace, thread_sensitive=not PARALLEL_DB
        )(widget_key=key)
        await self.accept()
        with translation.override(self.language):
            if self.tenant is None:
                await self.send_error("unknown_widget", _("This chat widget does not exist."))
                await self.close(CLOSE_UNKNOWN)
            elif self.tenant.is_suspended:
                await self.send_error(
                    "workspace_suspended", _("Chat is not available on this site at the moment.")
                )
                await self.close(CLOSE_FORBIDDEN)

    def workspace(self, *, widget_key: str) -> Tenant | None:
        """(Sync, in a worker thread.) The workspace this socket belongs to."""
        return tenant_selectors.tenant_by_widget_key(widget_key=widget_key)

    async def disconnect(self, code):
        self.typing_held = None
        if self.present is not None:
            gone, self.present = self.present, None
            try:
                await self.run(
                    visitor_services.presence_disconnect,
                    tenant_id=self.tenant.pk,
                    visitor_id=gone.pk,
                    public_id=gone.public_id.hex,
                )
            except Exception:  # never let a dying socket raise; presence expires on its own
                logger.warning("presence_disconnect failed", exc_info=True)
        await self.leave_all()

    def _presence_switch(self, visitor: Visitor) -> None:
        """(Sync, in the worker thread.) Count this socket as ``visitor`` being online."""
        previous = self.present
        if previous is not None and previous.pk == visitor.pk:
            return
        visitor_services.presence_connect(visitor=visitor)
        self.present = visitor
        if previous is not None:
            visitor_services.presence_disconnect(
                tenant_id=self.tenant.pk, visitor_id=previous.pk, public_id=previous.public_id.hex
            )

    async def receive(self, text_data=None, bytes_data=None):
        if self.tenant is None or self.tenant.is_suspended:
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data)

    def _require_hello(self) -> None:
        if self.visitor is None:
            raise FrameError("hello_required", _("Say hello first."))

    # --- frames ---------------------------------------------------------------------------

    async def frame_hello(self, frame: dict) -> None:
        token = frame.get("token")
        if token is not None and not isinstance(token, str):
            raise FrameError("invalid", _("token must be text or null."), field="token")
        last_id = _optional_int(frame, "last_id")
        page = frame.get("page") if isinstance(frame.get("page"), dict) else None
        self.language = _supported_language(frame.get("language") or self.language)

        def arrive(**fields):
            start = visitor_services.visit_start(**fields)
            self._presence_switch(start.visitor)
            # What ready says, and the operators' panel, read in the same trip to the database
            # thread.
            ready = self.ready_data(
                visitor=start.visitor, last_id=last_id, new_token=start.new_token
            )
            panel = self._panel(start.visitor) if start.returning else None
            return start, ready, panel

        try:
            start, ready, panel = await self.run(
                arrive,
                tenant=self.tenant,
                token=token,
                ip=client_ip(self.scope),
                user_agent=_header(self.scope, b"user-agent"),
                language=str(frame.get("language") or "")[:35],
                tz=str(frame.get("timezone") or "")[:64],
                screen=str(frame.get("screen") or "")[:20],
                page=page,
            )
        except visitor_services.VisitorError as exc:
            await self.send_error(exc.code, exc.message, **exc.extra)
            await self.close(CLOSE_RATE_LIMITED)
            return
        if self.visitor is not None and self.visitor.pk != start.visitor.pk:
            await self.leave(realtime.group_visitor(self.visitor.pk))
        self.visitor, self.session, self.token_hash = start.visitor, start.session, start.token_hash
        self.typing_target = None
        await self.join(realtime.group_visitor(self.visitor.pk))
        await self.join(realtime.group_widget(self.tenant.pk))
        await self.send_ready(
            last_id=last_id, new_token=start.new_token, returning=start.returning, data=ready
        )
        if panel is not None:
            # A new page of the site (its beacon recorded it): the operators' panel follows.
            await self._send_panel(*panel)

    def ready_data(self, *, visitor: Visitor, last_id: int | None, new_token: str | None) -> dict:
        """(Sync, in the worker thread.) What the ``ready`` frame tells besides the visitor."""
        # A visitor who just got a token has no conversation yet: skip those two reads.
        conversation = None if new_token else selectors.visitor_open_conversation(visitor=visitor)
        messages, more = (
            ([], False)
            if new_token
            else selectors.visitor_messages(visitor=visitor, after_id=last_id)
        )
        return {
            "queue": selectors.queue_position(conversation=conversation),
            "conversation": payloads.conversation_ref(conversation) if conversation else None,
            "messages": messages,
            "more": more,
            "online": selectors.team_online_count(tenant_id=self.tenant.pk) > 0,
            "display_name": tenant_selectors.widget_display_name(tenant=self.tenant),
        }

    async def send_ready(
        self,
        *,
        last_id: int | None,
        new_token: str | None,
        returning: bool,
        data: dict | None = None,
    ):
        if data is None:
            data = await self.run(
                self.ready_data, visitor=self.visitor, last_id=last_id, new_token=new_token
            )
        await self.send_frame("ready", **self.ready_fields(data, new_token, returning))

    def ready_fields(self, data: dict, new_token: str | None, returning: bool) -> dict:
        """The ``ready`` frame, from ``ready_data``."""
        visitor = {
            "id": self.visitor.public_id.hex,
            "name": self.visitor.name if self.visitor.is_verified else "",
            "verified": self.visitor.is_verified,
            "returning": returning,
        }
        if new_token:
            visitor["token"] = new_token
        return {
            "visitor": visitor,
            "conversation": data["conversation"],
            "messages": data["messages"],
            "more": data["more"],
            "team": {"online": data["online"], "name": data["display_name"], "avatar_url": None},
            "queue": data["queue"],
            "limits": {
                "max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
                "per_minute": settings.CHAT_MESSAGES_PER_MINUTE,
            },
        }

    async def frame_message(self, frame: dict) -> None:
        self._require_hello()
        result = await self.run(
            services.message_create,
            sender=Message.Sender.VISITOR,
            visitor=self.visitor,
            client_id=frame.get("client_id"),
            body=frame.get("body"),
            origin=self.channel_name,
        )
        await self.send_frame(
            "ack",
            client_id=result.message.client_id,
            id=result.message.pk,
            seq=result.message.seq,
            created_at=payloads.iso(result.message.created_at),
            conversation=result.conversation.public_id,
            duplicate=result.duplicate,
        )

    async def frame_typing(self, frame: dict) -> None:
        self._require_hello()
        typing = bool(frame.get("typing"))
        wait = self.last_typing + VISITOR_TYPING_MIN_INTERVAL - time.monotonic()
        if typing and wait > 0:
            # Too soon after the last one. Not dropped: the latest text is sent when the
            # interval is over (a "final" frame bunched up by the network still arrives).
            if self.typing_held is None:
                asyncio.get_running_loop().call_later(wait, self._release_typing)
            self.typing_held = frame
            return
        self.typing_held = None
        await self._send_typing(typing, frame.get("text"))

    def _release_typing(self) -> None:
        frame, self.typing_held = self.typing_held, None
        if frame is not None and self.visitor is not None:
            task = asyncio.ensure_future(self._send_typing(True, frame.get("text")))
            task.add_done_callback(_log_failure)

    async def _send_typing(self, typing: bool, text) -> None:
        self.last_typing = time.monotonic()
        _at, pk, number, preview = await self._typing_target()
        if pk is None:
            return
        event = {
            "type": "chat.typing",
            "who": "visitor",
            "typing": typing,
            "number": number,
            "name": "",
        }
        # The sneak peek: only when the workspace allows it (Tenant.typing_preview).
        if typing and preview and isinstance(text, str):
            event["text"] = text[:TYPING_PREVIEW_MAX_LENGTH]
        await realtime.apublish(realtime.group_conversation(pk), event)

    async def _typing_target(self) -> tuple:
        """Where the visitor's typing goes and whether its text may: read at most every
        TYPING_TARGET_TTL seconds (and again after a message or a status change)."""
        now = time.monotonic()
        if self.typing_target is None or now - self.typing_target[0] > TYPING_TARGET_TTL:

            def load():
                conversation = selectors.visitor_open_conversation(visitor=self.visitor)
                preview = visitor_selectors.typing_preview_enabled(tenant_id=self.tenant.pk)
                if conversation is None:
                    return None, None, preview
                return conversation.pk, conversation.number, preview

            self.typing_target = (now, *await self.run(load))
        return self.typing_target

    async def _mark(self, frame: dict, state: str) -> None:
        self._require_hello()
        up_to = _optional_int(frame, "up_to")
        if up_to is None:
            raise FrameError("invalid", _("up_to must be a message id."), field="up_to")

        await self.run(
            services.messages_mark_by_visitor, visitor=self.visitor, up_to=up_to, state=state
        )

    async def frame_delivered(self, frame: dict) -> None:
        await self._mark(frame, "delivered")

    async def frame_read(self, frame: dict) -> None:
        await self._mark(frame, "read")

    def _panel(self, visitor: Visitor) -> tuple | None:
        """(Sync, in the worker thread.) The visitor's conversation in progress and the panel
        its operators see, or None without one."""
        conversation = selectors.visitor_open_conversation(visitor=visitor)
        if conversation is None:
            return None
        return conversation, selectors.visitor_panel(
            visitor=visitor, exclude_conversation=conversation
        )

    async def _send_panel(self, conversation: Conversation, panel: dict) -> None:
        await realtime.apublish(
            realtime.group_conversation(conversation.pk),
            {"type": "chat.visitor", "number": conversation.number, "visitor": panel},
        )

    async def _publish_panel(self) -> None:
        found = await self.run(self._panel, visitor=self.visitor)
        if found is not None:
            await self._send_panel(*found)

    async def frame_page(self, frame: dict) -> None:
        self._require_hello()
        await self.run(
            visitor_services.pageview_record,
            visitor=self.visitor,
            session=self.session,
            url=frame.get("url", ""),
            title=frame.get("title", ""),
            referrer=frame.get("referrer", ""),
        )
        await self._publish_panel()
        await self.run(visitor_services.presence_changed, visitor=self.visitor)

    async def frame_identify(self, frame: dict) -> None:
        self._require_hello()
        result = await self.run(
            visitor_services.visitor_identify,
            visitor=self.visitor,
            token_hash=self.token_hash,
            user_id=frame.get("user_id"),
            user_hash=frame.get("user_hash"),
            email=frame.get("email"),
            name=frame.get("name"),
        )
        if not result.verified:
            await self._publish_panel()
            raise FrameError(
                "identity_invalid",
                _("This identity could not be verified; it was kept as unverified."),
            )
        if result.visitor.pk != self.visitor.pk:
            await self.leave(realtime.group_visitor(self.visitor.pk))
            self.visitor = result.visitor
            await self.join(realtime.group_visitor(self.visitor.pk))
            self.typing_target = None
            await self.run(self._presence_switch, visitor=self.visitor)
        else:
            self.visitor = result.visitor
        await self.send_ready(last_id=None, new_token=None, returning=True)
        await self._publish_panel()
        await self.run(visitor_services.presence_changed, visitor=self.visitor)

    async def frame_ping(self, frame: dict) -> None:
        # The heartbeat carries the newest message id of the visitor's conversations: a window
        # that missed a doorbell (a process or Redis dropped it) sees it and sends ``resume``.
        if self.visitor is not None and self.heartbeat_position:
            newest = await self.run(selectors.visitor_last_message_id, visitor=self.visitor)
            await self.send_frame("pong", last_id=newest)
        else:
            await self.send_pong()
        # A live chat window keeps its visitor in the live list. Idle sockets ping every 25 s:
        # rather than one UPDATE each, the process collects them and writes them in one.
        if self.present is not None:
            _touched.add(self.present.pk)
        await _flush_touches(self.run)

    async def frame_resume(self, frame: dict) -> None:
        """Everything after ``last_id`` in the visitor's conversations (a page at a time:
        ``more`` says ask again after the last one)."""
        self._require_hello()
        last_id = _optional_int(frame, "last_id")
        if last_id is None:
            raise FrameError("invalid", _("last_id must be a message id."), field="last_id")
        messages, more = await self.run(
            selectors.visitor_messages, visitor=self.visitor, after_id=last_id
        )
        await self.send_frame("messages", messages=messages, more=more)

    async def frame_attributes(self, frame: dict) -> None:
        self._require_hello()
        self.visitor = await self.run(
            visitor_services.visitor_set_attributes,
            visitor=self.visitor,
            attributes=frame.get("attributes"),
        )
        await self._publish_panel()

    # --- events from the channel layer ----------------------------------------------------

    async def chat_message(self, event: dict) -> None:
        self.typing_target = None  # perhaps a new conversation: read it again
        if event.get("origin") == self.channel_name:
            return  # this socket sent it and has its ack
        await self.send_frame("message", message=event["message"])

    async def chat_open(self, event: dict) -> None:
        """An operator started a chat with this visitor (proactive): open the chat window."""
        self.typing_target = None
        await self.send_frame("open", conversation=event["conversation"], message=event["message"])

    async def chat_receipt(self, event: dict) -> None:
        if event["reader"] == "operator":
            await self.send_frame(
                "receipt",
                conversation=event["conversation"],
                up_to=event["up_to"],
                state=event["state"],
            )

    async def chat_status(self, event: dict) -> None:
        self.typing_target = None
        await self.send_frame("conversation", conversation=event["conversation"])

    async def chat_team(self, event: dict) -> None:
        await self.send_frame("team", online=event["online"])

    async def chat_queue(self, event: dict) -> None:
        await self.send_frame(
            "queue", conversation=event["conversation"], position=event["position"]
        )

    async def chat_typing(self, event: dict) -> None:
        if event["who"] == "operator":
            await self.send_frame("typing", typing=event["typing"], author={"name": event["name"]})


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
            widget_key=widget_key, origin=_header(self.scope, b"origin")
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


class InboxConsumer(ScopedConsumer):
    """``/ws/inbox/<slug>/``: an operator's live inbox."""

    membership = None
    subscribed: Conversation | None = None
    last_typing = 0.0
    access_checked_at = float("-inf")
    # What this operator may see (selectors.visible_q), refreshed when the roster changes.
    sees_everything = False
    team_ids: list[int] = []

    async def _load_visibility(self) -> None:
        def load():
            tenant = Tenant.objects.get(pk=self.tenant.pk)
            return selectors.sees_everything(self.membership, tenant), selectors.member_team_ids(
                self.membership
            )

        self.sees_everything, self.team_ids = await self.run(load)

    async def connect(self):
        user = self.scope.get("user")
        slug = self.scope["url_route"]["kwargs"]["slug"]
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.send_error("unauthenticated", _("Please sign in."))
            await self.close(CLOSE_UNAUTHENTICATED)
            return
        membership = await database_sync_to_async(
            tenant_selectors.membership_by_slug_unscoped, thread_sensitive=not PARALLEL_DB
        )(user=user, slug=slug)
        if membership is None or membership.tenant.is_suspended:
            await self.send_error("forbidden", _("You are not a member of this workspace."))
            await self.close(CLOSE_FORBIDDEN)
            return
        self.membership = membership
        self.tenant = membership.tenant
        self.language = user.language or self.tenant.default_language
        await self.join(realtime.group_inbox(self.tenant.pk))
        await self.join(realtime.group_operator(self.tenant.pk, user.pk))
        await self.join(realtime.group_user(user.pk))
        await self._load_visibility()
        presence = await self.run(services.presence_connect, membership=membership)
        await self.send_ready(presence.status)

    async def send_ready(self, status: str) -> None:
        def load():
            return (
                selectors.attention_numbers(membership=self.membership),
                selectors.team_online_count(tenant_id=self.tenant.pk),
                selectors.roster(tenant=self.tenant),
                selectors.notify_prefs(self.membership),
            )

        attention, online, roster, prefs = await self.run(load)
        user = self.membership.user
        await self.send_frame(
            "ready",
            me={
                "id": user.pk,
                "name": user.get_full_name(),
                "status": status,
                "admin": self.membership.is_admin,
                "teams": self.team_ids,
                "notify": prefs,
            },
            team={"online": online},
            # The list itself comes a page at a time (``list``); these are the conversations
            # waiting for this operator (the title's count), and the server's clock: a
            # conversation created after it is new to this inbox.
            attention=attention,
            now=payloads.iso(timezone.now()),
            **roster,
        )

    async def disconnect(self, code):
        if self.membership is not None:
            try:
                await self.run(services.presence_disconnect, membership=self.membership)
            except Exception:  # never let a dying socket raise; presence expires on its own
                logger.warning("presence_disconnect failed", exc_info=True)
        await self.leave_all()

    async def receive(self, text_data=None, bytes_data=None):
        if self.membership is None:
            return
        if not await self._still_allowed():
            await self._revoke(_("Your access to this workspace has ended."))
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data)

    async def _still_allowed(self) -> bool:
        # Removal and sign-out close the socket at once (access.revoked); this re-check is the
        # backstop should that event be lost, so once every few seconds is enough (it costs two
        # queries, and an operator typing sends many frames).
        now = time.monotonic()
        if now - self.access_checked_at < ACCESS_RECHECK_SECONDS:
            return True
        allowed = await self._check_access()
        if allowed:
            self.access_checked_at = now
        return allowed

    async def _check_access(self) -> bool:
        session = self.scope.get("session")

        def check():
            if (
                isinstance(session, SessionBase)
                and session.session_key
                and not session.exists(session.session_key)
            ):
                return False
            m = tenant_selectors.membership_by_slug_unscoped(
                user=self.membership.user, slug=self.tenant.slug
            )
            return m is not None and not m.tenant.is_suspended

        return await database_sync_to_async(check)()

    async def _revoke(self, message: str) -> None:
        await self.send_frame("revoked", message=str(message))
        await self.close(CLOSE_FORBIDDEN)
        self.membership = None

    async def _conversation(self, frame: dict) -> Conversation:
        conversation = await self.run(
            selectors.visible_conversation,
            membership=self.membership,
            number=frame.get("conversation"),
        )
        if conversation is None:
            raise FrameError("not_found", _("No such conversation in this workspace."))
        return conversation

    # --- frames ---------------------------------------------------------------------------

    async def frame_ping(self, frame: dict) -> None:
        """The heartbeat: presence refreshed; the pong carries the newest message id of the
        conversation this socket has open, so a page that missed a doorbell subscribes again
        with its ``after_id`` and gets the gap."""
        subscribed = self.subscribed

        def beat():
            services.presence_heartbeat(membership=self.membership)
            if subscribed is None:
                return None
            return selectors.conversation_last_message_id(conversation=subscribed)

        newest = await self.run(beat)
        if subscribed is None:
            await self.send_pong()
        else:
            await self.send_frame("pong", conversation=subscribed.number, last_id=newest)

    async def frame_subscribe(self, frame: dict) -> None:
        after_id = _optional_int(frame, "after_id")
        conversation = await self._conversation(frame)
        if self.subscribed is not None and self.subscribed.pk != conversation.pk:
            await self.leave(realtime.group_conversation(self.subscribed.pk))
        await self.join(realtime.group_conversation(conversation.pk))
        self.subscribed = conversation

        def load():
            return (
                selectors.conversation_messages(conversation=conversation, after_id=after_id),
                selectors.visitor_panel(
                    visitor=conversation.visitor, exclude_conversation=conversation
                ),
                selectors.conversation_activities(conversation=conversation),
                selectors.conversation_summary(conversation=conversation),
            )

        (messages, more), panel, activities, summary = await self.run(load)
        await self.send_frame(
            "history",
            conversation=conversation.number,
            summary=summary,
            messages=messages,
            more=more,
            visitor=panel,
            activities=activities,
        )

    async def frame_unsubscribe(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        await self.leave(realtime.group_conversation(conversation.pk))
        if self.subscribed is not None and self.subscribed.pk == conversation.pk:
            self.subscribed = None

    async def frame_message(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        result = await self.run(
            services.message_create,
            sender=Message.Sender.OPERATOR,
            author=self.membership.user,
            conversation=conversation,
            client_id=frame.get("client_id"),
            body=frame.get("body"),
        )
        await self.send_frame(
            "ack",
            client_id=result.message.client_id,
            id=result.message.pk,
            seq=result.message.seq,
            conversation=conversation.number,
            duplicate=result.duplicate,
        )

    async def frame_typing(self, frame: dict) -> None:
        typing = bool(frame.get("typing"))
        now = time.monotonic()
        if typing and now - self.last_typing < TYPING_MIN_INTERVAL:
            return
        self.last_typing = now
        conversation = await self._conversation(frame)
        await realtime.apublish(
            realtime.group_visitor(conversation.visitor_id),
            {
                "type": "chat.typing",
                "who": "operator",
                "typing": typing,
                "number": conversation.number,
                "name": self.membership.user.get_full_name(),
            },
        )

    async def _mark(self, frame: dict, state: str) -> None:
        conversation = await self._conversation(frame)
        up_to = _optional_int(frame, "up_to")
        if up_to is None:
            raise FrameError("invalid", _("up_to must be a message id."), field="up_to")
        await self.run(
            services.messages_mark,
            conversation=conversation,
            reader="operator",
            up_to=up_to,
            state=state,
        )

    async def frame_read(self, frame: dict) -> None:
        await self._mark(frame, "read")

    async def frame_delivered(self, frame: dict) -> None:
        await self._mark(frame, "delivered")

    async def frame_resolve(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        await self.run(
            services.conversation_resolve, membership=self.membership, conversation=conversation
        )

    async def frame_reopen(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        await self.run(
            services.conversation_reopen, membership=self.membership, conversation=conversation
        )

    async def frame_presence(self, frame: dict) -> None:
        await self.run(
            services.presence_set, membership=self.membership, status=frame.get("status")
        )

    async def frame_status(self, frame: dict) -> None:
        """Set a conversation open, pending, snoozed (with ``until``) or resolved."""
        conversation = await self._conversation(frame)
        await self.run(
            workflow.conversation_set_status,
            membership=self.membership,
            conversation=conversation,
            status=frame.get("status"),
            until=frame.get("until"),
        )

    async def frame_assign(self, frame: dict) -> None:
        """Assign (``assignee``: a user id or null) and/or route to a team (``team``)."""
        conversation = await self._conversation(frame)
        await self.run(
            workflow.conversation_assign,
            membership=self.membership,
            conversation=conversation,
            assignee=frame.get("assignee", ...),
            team=frame.get("team", ...),
        )

    async def frame_label(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        await self.run(
            workflow.conversation_label,
            membership=self.membership,
            conversation=conversation,
            add=_id_list(frame, "add"),
            remove=_id_list(frame, "remove"),
        )

    async def frame_note(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        note = await self.run(
            workflow.note_add,
            membership=self.membership,
            conversation=conversation,
            body=frame.get("body"),
        )
        await self.send_frame(
            "note_ack",
            client_id=str(frame.get("client_id") or "")[:64],
            conversation=conversation.number,
            id=note.pk,
        )

    async def frame_list(self, frame: dict) -> None:
        """A page of the list; the first page (no ``cursor``) also brings the tabs' counts."""
        filters = frame.get("filters") or {}
        cursor = frame.get("cursor")

        def load():
            page = selectors.inbox_list(
                membership=self.membership,
                filters=filters,
                sort=frame.get("sort") or "activity",
                cursor=cursor,
            )
            if cursor is None:
                page["counts"] = selectors.inbox_counts(membership=self.membership, filters=filters)
            return page

        page = await self.run(load)
        await self.send_frame(
            "list",
            request=str(frame.get("request") or "")[:40],
            filters=filters,
            after=cursor,
            **page,
        )

    async def frame_counts(self, frame: dict) -> None:
        """The tabs' counts alone, when the inbox cannot work them out from what it has."""
        filters = frame.get("filters") or {}
        counts = await self.run(selectors.inbox_counts, membership=self.membership, filters=filters)
        await self.send_frame("counts", filters=filters, counts=counts)

    async def frame_bulk(self, frame: dict) -> None:
        result = await self.run(
            workflow.conversations_bulk,
            membership=self.membership,
            numbers=frame.get("conversations"),
            action=frame.get("action"),
            value=frame.get("value"),
        )
        await self.send_frame("bulk_done", action=frame.get("action"), changed=result.changed)

    async def frame_label_create(self, frame: dict) -> None:
        label = await self.run(
            workflow.label_create,
            membership=self.membership,
            name=frame.get("name"),
            color=frame.get("color") or "#6b7280",
        )
        await self.send_frame(
            "label_created", label={"id": label.pk, "name": label.name, "color": label.color}
        )

    async def frame_prefs(self, frame: dict) -> None:
        prefs = await self.run(
            workflow.notify_prefs_update, membership=self.membership, prefs=frame.get("notify")
        )
        await self.send_frame("prefs", notify=prefs)

    # --- events ---------------------------------------------------------------------------

    def _showing(self, number: int) -> bool:
        """Whether this socket has the workspace's conversation ``number`` open."""
        return self.subscribed is not None and self.subscribed.number == number

    def _sees(self, row: dict) -> bool:
        return selectors.can_see(
            row,
            user_id=self.membership.user_id,
            team_ids=self.team_ids,
            everything=self.sees_everything,
        )

    async def inbox_conversation(self, event: dict) -> None:
        """A list row, or, when it moved out of this operator's sight (another team), that the
        list drops it. ``from_message``: the row of a new message; the page drops such a row
        when it is no newer than the row it shows."""
        row = event["conversation"]
        if not self._sees(row):
            await self.send_frame("conversation_hidden", conversation=row["number"])
        elif event.get("from_message"):
            await self.send_frame("conversation", conversation=row, from_message=True)
        else:
            await self.send_frame("conversation", conversation=row)

    async def inbox_message(self, event: dict) -> None:
        """A new message, to the sockets that have its conversation open; its list row comes
        as its own event (``inbox_conversation``)."""
        summary = event["conversation"]
        if self._showing(summary["number"]) and self._sees(summary):
            await self.send_frame(
                "message", conversation=summary["number"], message=event["message"]
            )

    async def inbox_activity(self, event: dict) -> None:
        await self.send_frame("activity", conversation=event["number"], activity=event["activity"])

    async def inbox_labels(self, event: dict) -> None:
        await self.send_frame("labels", labels=event["labels"])

    async def inbox_roster(self, event: dict) -> None:
        await self._load_visibility()
        roster = await self.run(selectors.roster, tenant=self.tenant)
        await self.send_frame("roster", me_teams=self.team_ids, **roster)

    async def inbox_alert(self, event: dict) -> None:
        await self.send_frame(
            "alert",
            kind=event["kind"],
            conversation=event["number"],
            by=event.get("by"),
            preview=event.get("preview", ""),
        )

    async def inbox_presence(self, event: dict) -> None:
        await self.send_frame(
            "presence", user=event["user"], status=event["status"], team={"online": event["online"]}
        )

    async def chat_receipt(self, event: dict) -> None:
        if event["reader"] == "visitor":
            await self.send_frame(
                "receipt", conversation=event["number"], up_to=event["up_to"], state=event["state"]
            )

    async def chat_typing(self, event: dict) -> None:
        if event["who"] == "visitor":
            # "text": the typing sneak peek, present only when the workspace allows it.
            extra = {"text": event["text"]} if "text" in event else {}
            await self.send_frame(
                "typing",
                conversation=event["number"],
                typing=event["typing"],
                author="visitor",
                **extra,
            )

    async def chat_visitor(self, event: dict) -> None:
        await self.send_frame("visitor", conversation=event["number"], visitor=event["visitor"])

    async def chat_status(self, event: dict) -> None:
        pass  # operators learn status changes from the summary (inbox.conversation)

    async def access_revoked(self, event: dict) -> None:
        with translation.override(self.language):
            await self._revoke(_("Your access to this workspace has ended."))

    # --- contact notes, live visitors, proactive chat (apps.visitors) ---------------------
    # Operators only. The groups joined here (contact.<visitor>, live.<workspace>) are never
    # joined by a visitor's socket.

    contact_visitor_id: int | None = None

    async def _watch_contact(self, visitor: Visitor) -> None:
        if self.contact_visitor_id not in (None, visitor.pk):
            await self.leave(realtime.group_contact(self.contact_visitor_id))
        await self.join(realtime.group_contact(visitor.pk))
        self.contact_visitor_id = visitor.pk

    async def frame_contact_notes(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        await self._watch_contact(conversation.visitor)
        notes = await self.run(
            visitor_selectors.contact_notes,
            visitor=conversation.visitor,
            membership=self.membership,
        )
        await self.send_frame(
            "contact_notes",
            conversation=conversation.number,
            visitor=conversation.visitor.public_id.hex,
            notes=notes,
        )

    async def frame_contact_note_add(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        await self._watch_contact(conversation.visitor)
        note = await self.run(
            visitor_services.contact_note_add,
            membership=self.membership,
            visitor=conversation.visitor,
            body=frame.get("body"),
        )
        await self.send_frame(
            "contact_note_saved",
            client_id=str(frame.get("client_id") or "")[:64],
            visitor=conversation.visitor.public_id.hex,
            id=note.pk,
        )

    async def frame_contact_note_delete(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        await self.run(
            visitor_services.contact_note_delete,
            membership=self.membership,
            visitor=conversation.visitor,
            note_id=frame.get("note"),
        )

    async def contact_note(self, event: dict) -> None:
        note = visitor_payloads.note_for(event["note"], self.membership)
        await self.send_frame("contact_note", visitor=event["visitor"], note=note)

    async def contact_note_deleted(self, event: dict) -> None:
        await self.send_frame("contact_note_deleted", visitor=event["visitor"], id=event["id"])

    async def frame_live_subscribe(self, frame: dict) -> None:
        await self.join(realtime.group_live_visitors(self.tenant.pk))

        def load():
            visitor_services.live_watch(tenant_id=self.tenant.pk)
            return visitor_selectors.live_visitors()

        await self.send_frame("live_visitors", visitors=await self.run(load))

    async def frame_live_unsubscribe(self, frame: dict) -> None:
        await self.leave(realtime.group_live_visitors(self.tenant.pk))

    async def live_visitor(self, event: dict) -> None:
        await self.send_frame("live_visitor", visitor=event["visitor"])

    async def live_left(self, event: dict) -> None:
        await self.send_frame("live_left", visitor=event["visitor"])

    async def frame_proactive_start(self, frame: dict) -> None:
        visitor = await self.run(
            visitor_selectors.visitor_by_public_id, public_id=frame.get("visitor")
        )
        if visitor is None:
            raise FrameError("not_found", _("No such visitor in this workspace."), field="visitor")
        result = await self.run(
            services.conversation_start_by_operator,
            membership=self.membership,
            visitor=visitor,
            client_id=frame.get("client_id"),
            body=frame.get("body"),
        )
        await self.send_frame(
            "proactive_started",
            client_id=result.message.client_id,
            visitor=visitor.public_id.hex,
            conversation=result.conversation.number,
            id=result.message.pk,
            duplicate=result.duplicate,
        )
