"""``/ws/widget/<widget_key>/``: the visitor's chat window (docs/widget-protocol.md)."""

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from apps.conversations import live, page_timers, payloads, selectors, services, widget_frames
from apps.conversations.consumers.common import (
    CLOSE_FORBIDDEN,
    CLOSE_UNKNOWN,
    PARALLEL_DB,
    TYPING_PREVIEW_MAX_LENGTH,
    TYPING_TARGET_TTL,
    VISITOR_TYPING_MIN_INTERVAL,
    ScopedConsumer,
    client_ip,
    header,
    log_failure,
    optional_bool,
    optional_int,
    optional_text,
    supported_language,
)
from apps.conversations.models import Conversation, Message
from apps.core import realtime
from apps.core.consumers import CLOSE_RATE_LIMITED, FrameError
from apps.tenants import selectors as tenant_selectors
from apps.tenants.models import Tenant
from apps.visitors import selectors as visitor_selectors
from apps.visitors import services as visitor_services
from apps.visitors.models import Visitor, VisitorSession

_touched: set[int] = set()
_touch_flushed_at = 0.0

logger = logging.getLogger(__name__)


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
        self.language = supported_language(header(self.scope, b"accept-language"))
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
        self._page_timers_stop()
        if self.present is not None:
            gone, self.present = self.present, None
            try:
                await self.run(
                    live.left,
                    tenant_id=self.tenant.pk,
                    visitor_id=gone.pk,
                    public_id=gone.public_id.hex,
                )
            except Exception:  # never let a dying socket raise; presence expires on its own
                logger.warning("presence_disconnect failed", exc_info=True)
        await self.leave_all()

    def _presence_switch(self, visitor: Visitor) -> bool:
        """(Sync, in the worker thread.) Count this socket as ``visitor`` being online; False
        when that visitor is gone (merged into a known contact by another socket of the same
        browser: its token now names the contact)."""
        previous = self.present
        if previous is not None and previous.pk == visitor.pk:
            return True
        if not live.arrived(visitor=visitor):
            return False
        self.present = visitor
        if previous is not None:
            live.left(
                tenant_id=self.tenant.pk, visitor_id=previous.pk, public_id=previous.public_id.hex
            )
        return True

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
        last_id = optional_int(frame, "last_id")
        page = self._page_fields(frame.get("page"))
        language = optional_text(frame, "language", 35)
        tz = optional_text(frame, "timezone", 64)
        screen = optional_text(frame, "screen", 20)
        self.language = supported_language(language or self.language)

        def arrive(**fields):
            start = visitor_services.visit_start(**fields)
            if not self._presence_switch(start.visitor):
                # Merged into a known contact a moment ago: the token names the contact now.
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
                user_agent=header(self.scope, b"user-agent"),
                language=language,
                tz=tz,
                screen=screen,
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
        await self._page_timers_start()

    # --- time on a page (apps.conversations.page_timers) -------------------------------------

    def _page_timers_stop(self) -> None:
        for task in getattr(self, "page_tasks", ()):
            task.cancel()
        self.page_tasks = []

    async def _page_timers_start(self) -> None:
        """The visitor is on a new page: count the times the workspace's apps wait for."""
        self._page_timers_stop()
        registered = page_timers.timers()
        if not registered:
            return
        tenant_id = self.tenant.pk

        def waits() -> list:
            return [(t, s) for t in registered for s in sorted(set(t.seconds(tenant_id)))]

        for timer, seconds in await self.run(waits):
            task = asyncio.create_task(self._page_time(timer, seconds, self.visitor.pk))
            task.add_done_callback(log_failure)
            self.page_tasks.append(task)

    async def _page_time(self, timer, seconds: int, visitor_id: int) -> None:
        await asyncio.sleep(seconds)
        if self.visitor is None or self.visitor.pk != visitor_id:
            return
        await self.run(
            timer.reached, tenant_id=self.tenant.pk, visitor_id=visitor_id, seconds=seconds
        )

    @staticmethod
    def _page_fields(page) -> dict | None:
        """``hello``'s ``page`` (``{url, title, referrer}``, each text or null), checked."""
        if page is None:
            return None
        if not isinstance(page, dict):
            raise FrameError("invalid", _("page must be an object."), field="page")
        return {
            key: optional_text(page, key, name=f"page.{key}")
            for key in ("url", "title", "referrer")
        }

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
            # Whether the team can reach them by email (the chat window asks otherwise).
            "email_known": bool(self.visitor.email or self.visitor.unverified.get("email")),
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
            bot=result.conversation.bot_holds,
        )

    async def frame_typing(self, frame: dict) -> None:
        self._require_hello()
        typing = optional_bool(frame, "typing")
        optional_text(frame, "text")  # checked here; cut where it is sent
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
            task.add_done_callback(log_failure)

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
        up_to = optional_int(frame, "up_to")
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

    async def _publish_panel(self, *, reload: bool = False) -> None:
        """Send the operators the visitor's panel (``reload``: read the visitor again first,
        when something other than this socket may have changed it)."""
        if reload:
            self.visitor = await self.run(visitor_selectors.visitor_fresh, visitor=self.visitor)
        found = await self.run(self._panel, visitor=self.visitor)
        if found is not None:
            await self._send_panel(*found)

    async def frame_page(self, frame: dict) -> None:
        self._require_hello()
        await self.run(
            visitor_services.pageview_record,
            visitor=self.visitor,
            session=self.session,
            url=optional_text(frame, "url"),
            title=optional_text(frame, "title"),
            referrer=optional_text(frame, "referrer"),
        )
        await self._publish_panel()
        await self.run(live.changed, visitor=self.visitor)
        await self._page_timers_start()

    async def frame_identify(self, frame: dict) -> None:
        self._require_hello()
        result = await self.run(
            services.visitor_identify,
            visitor=self.visitor,
            token_hash=self.token_hash,
            user_id=frame.get("user_id"),
            user_hash=frame.get("user_hash"),
            email=frame.get("email"),
            email_hash=frame.get("email_hash"),
            name=frame.get("name"),
            name_hash=frame.get("name_hash"),
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
        await self.run(live.changed, visitor=self.visitor)

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
        last_id = optional_int(frame, "last_id")
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

    def frame_handler(self, frame_type: str):
        own = super().frame_handler(frame_type)
        if own is not None:
            return own
        fn = widget_frames.handler(frame_type)
        if fn is None:
            return None

        async def registered(frame: dict) -> None:
            self._require_hello()
            answer = await self.run(fn, visitor=self.visitor, frame=frame, language=self.language)
            if answer:
                await self.send_frame(answer.pop("type"), **answer)
            # What the visitor gave (a name, an address) shows in the operators' panel.
            await self._publish_panel(reload=True)

        return registered

    # --- events from the channel layer ----------------------------------------------------

    async def chat_message(self, event: dict) -> None:
        self.typing_target = None  # perhaps a new conversation: read it again
        if event.get("origin") == self.channel_name:
            return  # this socket sent it and has its ack
        await self.send_frame("message", message=event["message"])

    async def chat_open(self, event: dict) -> None:
        """Open the chat window: an operator or a rule started a chat with this visitor
        (proactive), with a message stored in it, or a rule greets them (shown, not stored)."""
        self.typing_target = None
        fields = {k: event[k] for k in ("conversation", "message", "greeting") if k in event}
        await self.send_frame("open", **fields)

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
