"""``/ws/inbox/<slug>/``: an operator's live inbox (docs/widget-protocol.md)."""

import asyncio
import logging
import time
from importlib import import_module

from channels.auth import get_user
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from apps.conversations import live, payloads, selectors, services
from apps.conversations.consumers.common import (
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHENTICATED,
    PARALLEL_DB,
    TYPING_MIN_INTERVAL,
    ScopedConsumer,
    id_list,
    optional_bool,
    optional_int,
    page_language,
)
from apps.conversations.models import Conversation, Message
from apps.core import realtime
from apps.core.consumers import FrameError
from apps.tenants import selectors as tenant_selectors
from apps.tenants import services as tenant_services
from apps.visitors import payloads as visitor_payloads
from apps.visitors import selectors as visitor_selectors
from apps.visitors import services as visitor_services
from apps.visitors.models import Visitor

logger = logging.getLogger(__name__)


class InboxConsumer(ScopedConsumer):
    """``/ws/inbox/<slug>/``: an operator's live inbox."""

    membership = None
    subscribed: Conversation | None = None
    last_typing = 0.0
    access_checked_at = float("-inf")
    access_watch: asyncio.Task | None = None
    # What this operator may see (selectors.VISIBLE), refreshed when the roster changes.
    sees_everything = False
    team_ids: list[int] = []
    # The list view the page shows: the filters of its last `list` request, checked. Each
    # list row this socket pushes says where it stands in it (selectors.view_row).
    view: selectors.View | None = None

    async def _load_visibility(self) -> None:
        who = await self.run(selectors.viewer, membership=self.membership)
        self.sees_everything, self.team_ids = who.everything, list(who.team_ids)

    async def connect(self):
        user = self.scope.get("user")
        slug = self.scope["url_route"]["kwargs"]["slug"]
        page = page_language(self.scope)
        self.language = page or self.language
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
        self.language = page or user.language or self.tenant.default_language
        await self.join(realtime.group_inbox(self.tenant.pk))
        await self.join(realtime.group_operator(self.tenant.pk, user.pk))
        await self.join(realtime.group_user(user.pk))
        await self._load_visibility()
        presence = await self.run(services.presence_connect, membership=membership)
        self.access_checked_at = time.monotonic()
        self.access_watch = asyncio.create_task(self._watch_access())
        await self.send_ready(presence.status)

    async def send_ready(self, status: str | None = None) -> None:
        """Who I am, what I may see, the roster: on connecting, and again whenever what this
        person may see changes (the page then loads its list afresh)."""

        def load():
            return (
                status or selectors.operator_status(membership=self.membership),
                selectors.attention_numbers(membership=self.membership),
                selectors.team_online_count(tenant_id=self.tenant.pk),
                selectors.roster(tenant=self.tenant),
                tenant_selectors.notify_prefs(self.membership),
            )

        status, attention, online, roster, prefs = await self.run(load)
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
        if self.access_watch is not None:
            self.access_watch.cancel()
        if self.membership is not None:
            try:
                await self.run(services.presence_disconnect, membership=self.membership)
            except Exception:  # never let a dying socket raise; presence expires on its own
                logger.warning("presence_disconnect failed", exc_info=True)
        await self.leave_all()

    async def receive(self, text_data=None, bytes_data=None):
        if self.membership is None:
            return
        due = time.monotonic() - self.access_checked_at >= settings.INBOX_ACCESS_RECHECK_SECONDS
        if due and not await self._refresh_access():
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data)

    # --- who may see what ------------------------------------------------------------------
    # A change of who may see what is pushed to the open sockets it concerns, after commit:
    # ``access.changed`` (a role, a password, an account deactivated, a sign-out, a workspace
    # suspended; apps.tenants.services), ``inbox.roster`` (teams and the inbox's settings),
    # ``access.revoked`` (removed from the workspace). Each socket then reads its person's
    # access again. Should a push be lost (the channel layer down, a change made behind the
    # services' back), every socket also reads it again every INBOX_ACCESS_RECHECK_SECONDS,
    # whether or not its client sends frames, and before a frame once that time has passed.

    async def _watch_access(self) -> None:
        while self.membership is not None:
            await asyncio.sleep(settings.INBOX_ACCESS_RECHECK_SECONDS)
            if time.monotonic() - self.access_checked_at < settings.INBOX_ACCESS_RECHECK_SECONDS:
                continue  # a frame or a push had it read meanwhile
            try:
                await self._refresh_access()
            except Exception:  # the database may be down; the next round tries again
                logger.warning("re-reading an inbox socket's access failed", exc_info=True)

    async def _refresh_access(self) -> bool:
        """Read again whether this socket's person may still use this inbox, and what they may
        see. Access has ended when the session is gone or no longer valid (signed out, the
        password changed in another session, the account deactivated), or the membership or the
        workspace is: the socket is revoked (False). Otherwise a change of role or teams is
        applied and the page told (a fresh ``ready``), and the open conversation and contact
        are dropped when they left this person's sight."""
        self.access_checked_at = time.monotonic()
        user = await self._session_user()
        subscribed = self.subscribed
        contact = self.contact_visitor_id

        def load():
            m = None
            if user is not None:
                m = tenant_selectors.membership_by_slug_unscoped(user=user, slug=self.tenant.slug)
            if m is None or m.tenant.is_suspended:
                return None
            with scope(tenant=m.tenant):
                who = selectors.viewer(m)
                seen = selectors.conversations_seen_by(who, tenant_id=m.tenant_id)
                still = subscribed is None or seen.filter(number=subscribed.number).exists()
                contact_still = contact is None or seen.filter(visitor_id=contact).exists()
                return m, who.everything, list(who.team_ids), still, contact_still

        found = await database_sync_to_async(load, thread_sensitive=not PARALLEL_DB)()
        if self.membership is None:  # ended meanwhile
            return False
        if user is None:
            # The session ended or no longer verifies. The page reconnects once with the
            # browser's cookie as it is now: after a password change in another tab of the same
            # browser that is a fresh session and the inbox carries on; otherwise it is signed
            # out (docs/widget-protocol.md).
            self.membership = None
            with translation.override(self.language):
                await self.send_error("unauthenticated", _("Please sign in."))
            await self.close(CLOSE_UNAUTHENTICATED)
            return False
        if found is None:
            with translation.override(self.language):
                await self._revoke(_("Your access to this workspace has ended."))
            return False
        membership, everything, team_ids, still, contact_still = found
        changed = (
            membership.role != self.membership.role
            or everything != self.sees_everything
            or sorted(team_ids) != sorted(self.team_ids)
        )
        self.membership, self.tenant = membership, membership.tenant
        self.sees_everything, self.team_ids = everything, team_ids
        if not still and self.subscribed is subscribed:
            await self._lose_sight(subscribed.number)
        if not contact_still and self.contact_visitor_id == contact:
            await self._unwatch_contact()
        if changed:
            await self.send_ready()
        return True

    async def _session_user(self):
        """The user the socket's session names now, read afresh (None when the session ended or
        no longer verifies: Django's own check, as on every page)."""
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        if not key:
            return None
        store = import_module(settings.SESSION_ENGINE).SessionStore(key)
        user = await get_user({"session": store})
        return user if user.is_authenticated else None

    async def _lose_sight(self, number: int, visitor: str | None = None) -> None:
        """The open conversation ``number`` left this person's sight: its doorbells (messages,
        notes, typing, the visitor's panel) and its contact's notes stop reaching this
        socket, and the page drops it."""
        if self.subscribed is not None and self.subscribed.number == number:
            await self.leave(realtime.group_conversation(self.subscribed.pk))
            if self.contact_visitor_id == self.subscribed.visitor_id:
                await self._unwatch_contact()
            self.subscribed = None
        elif visitor is not None and visitor == self.contact_visitor_public_id:
            # The contact watched from a conversation no longer open: the page asks again
            # (``contact_notes``) when it opens one of that visitor's conversations.
            await self._unwatch_contact()
        await self.send_frame("conversation_hidden", conversation=number)

    async def _unwatch_contact(self) -> None:
        if self.contact_visitor_id is not None:
            await self.leave(realtime.group_contact(self.contact_visitor_id))
        self.contact_visitor_id = self.contact_visitor_public_id = None

    async def _revoke(self, message: str) -> None:
        self.membership = None
        if self.access_watch is not None and self.access_watch is not asyncio.current_task():
            self.access_watch.cancel()
        await self.send_frame("revoked", message=str(message))
        await self.close(CLOSE_FORBIDDEN)

    async def _conversation(self, frame: dict) -> Conversation:
        number = frame.get("conversation")
        if not isinstance(number, int) or isinstance(number, bool):
            raise FrameError(
                "invalid",
                _("conversation must be a conversation number."),
                field="conversation",
            )
        conversation = await self.run(
            selectors.visible_conversation, membership=self.membership, number=number
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
        after_id = optional_int(frame, "after_id")
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
        view = None
        if summary is not None:
            summary["attention"] = self._attention(summary)
            view = await self._in_view(summary)
        await self.send_frame(
            "history",
            conversation=conversation.number,
            summary=summary,
            view=view,
            messages=messages,
            more=more,
            visitor=panel,
            activities=activities,
        )

    async def frame_unsubscribe(self, frame: dict) -> None:
        """Close the open conversation. One that left this person's sight meanwhile was closed
        already (``_lose_sight``): nothing to do, and nothing to refuse."""
        number = frame.get("conversation")
        if self.subscribed is not None and self.subscribed.number == number:
            await self.leave(realtime.group_conversation(self.subscribed.pk))
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
        typing = optional_bool(frame, "typing")
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
        up_to = optional_int(frame, "up_to")
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
            services.conversation_set_status,
            membership=self.membership,
            conversation=conversation,
            status=frame.get("status"),
            until=frame.get("until"),
        )

    async def frame_assign(self, frame: dict) -> None:
        """Assign (``assignee``: a user id or null) and/or route to a team (``team``)."""
        conversation = await self._conversation(frame)
        await self.run(
            services.conversation_assign,
            membership=self.membership,
            conversation=conversation,
            assignee=frame.get("assignee", ...),
            team=frame.get("team", ...),
        )

    async def frame_label(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        await self.run(
            services.conversation_label,
            membership=self.membership,
            conversation=conversation,
            add=id_list(frame, "add"),
            remove=id_list(frame, "remove"),
        )

    async def frame_note(self, frame: dict) -> None:
        conversation = await self._conversation(frame)
        note = await self.run(
            services.note_add,
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
        """A page of the list; the first page (no ``cursor``) also brings the tabs' counts.
        Its filters become this socket's view; each row says which tabs count it."""
        cursor = frame.get("cursor")

        def load():
            view = selectors.inbox_view(filters=frame.get("filters") or {})
            page = selectors.inbox_list(
                membership=self.membership,
                filters=view,
                sort=frame.get("sort") or "activity",
                cursor=cursor,
            )
            if cursor is None:
                page["counts"] = selectors.inbox_counts(membership=self.membership, filters=view)
            return view, page

        view, page = await self.run(load)
        self.view = view
        who = self._viewer()
        for row in page["conversations"]:
            row["view"] = selectors.view_row(view, who, row)
            row["attention"] = selectors.ATTENTION.row(row, who)
        await self.send_frame(
            "list",
            request=str(frame.get("request") or "")[:40],
            filters=frame.get("filters") or {},
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
            services.conversations_bulk,
            membership=self.membership,
            numbers=frame.get("conversations"),
            action=frame.get("action"),
            value=frame.get("value"),
        )
        await self.send_frame("bulk_done", action=frame.get("action"), changed=result.changed)

    async def frame_label_create(self, frame: dict) -> None:
        label = await self.run(
            services.label_create,
            membership=self.membership,
            name=frame.get("name"),
            color=frame.get("color") or "#6b7280",
        )
        await self.send_frame(
            "label_created", label={"id": label.pk, "name": label.name, "color": label.color}
        )

    async def frame_prefs(self, frame: dict) -> None:
        prefs = await self.run(
            tenant_services.notify_prefs_update,
            membership=self.membership,
            prefs=frame.get("notify"),
        )
        await self.send_frame("prefs", notify=prefs)

    # --- events ---------------------------------------------------------------------------

    def _showing(self, number: int) -> bool:
        """Whether this socket has the workspace's conversation ``number`` open."""
        return self.subscribed is not None and self.subscribed.number == number

    def _viewer(self) -> selectors.Viewer:
        return selectors.Viewer(
            user_id=self.membership.user_id,
            team_ids=tuple(self.team_ids),
            everything=self.sees_everything,
        )

    def _sees(self, row: dict) -> bool:
        return selectors.VISIBLE.row(row, self._viewer())

    def _attention(self, row: dict) -> bool:
        """Whether ``row`` waits for this operator (the title's count)."""
        return selectors.ATTENTION.row(row, self._viewer())

    async def _in_view(self, row: dict) -> dict | None:
        """Where ``row`` stands in this socket's view (None before the page asked for one). A
        partial row has no labels; a view filtered by a label reads them."""
        view = self.view
        if view is None:
            return None
        if view.needs_labels and "labels" not in row:
            labels = await self.run(selectors.conversation_label_ids, number=row["number"])
            row = {**row, "labels": labels}
        return selectors.view_row(view, self._viewer(), row)

    async def inbox_conversation(self, event: dict) -> None:
        """A list row, with where it stands in the page's view (``view``), or, when it moved
        out of this operator's sight (another team), that the list drops it. ``from_message``:
        the row of a new message; the page drops such a row when it is no newer than the row
        it shows."""
        row = event["conversation"]
        if not self._sees(row):
            await self._lose_sight(row["number"], (row.get("visitor") or {}).get("id"))
            return
        view = await self._in_view(row)
        extra = {"view": view} if view is not None else {}
        if event.get("from_message"):
            extra["from_message"] = True
        # The row is every socket's (one event): this socket's mark goes on a copy.
        row = {**row, "attention": self._attention(row)}
        await self.send_frame("conversation", conversation=row, **extra)

    async def inbox_message(self, event: dict) -> None:
        """A new message, to the sockets that have its conversation open; its list row comes
        as its own event (``inbox_conversation``)."""
        summary = event["conversation"]
        if self._showing(summary["number"]) and self._sees(summary):
            await self.send_frame(
                "message", conversation=summary["number"], message=event["message"]
            )

    # The events of the conversation group (notes, typing, the visitor's panel) reach only a
    # socket that has the conversation open; one that lost sight of it has left the group,
    # and those already on their way when it did are dropped here.

    async def inbox_activity(self, event: dict) -> None:
        if not self._showing(event["number"]):
            return
        await self.send_frame("activity", conversation=event["number"], activity=event["activity"])

    async def inbox_labels(self, event: dict) -> None:
        await self.send_frame("labels", labels=event["labels"])

    async def inbox_roster(self, event: dict) -> None:
        """Teams, members or the inbox's settings changed: what this person may see may have
        too (``_refresh_access``)."""
        if not await self._refresh_access():
            return
        roster = await self.run(selectors.roster, tenant=self.tenant)
        await self.send_frame("roster", me_teams=self.team_ids, **roster)

    async def access_changed(self, event: dict) -> None:
        await self._refresh_access()

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
        if event["reader"] == "visitor" and self._showing(event["number"]):
            await self.send_frame(
                "receipt", conversation=event["number"], up_to=event["up_to"], state=event["state"]
            )

    async def chat_typing(self, event: dict) -> None:
        if event["who"] == "visitor" and self._showing(event["number"]):
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
        if not self._showing(event["number"]):
            return
        # ``partial``: only the fields it names changed (the visitor left: ``online``).
        await self.send_frame(
            "visitor",
            conversation=event["number"],
            visitor=event["visitor"],
            partial=event.get("partial", False),
        )

    async def chat_status(self, event: dict) -> None:
        pass  # operators learn status changes from the summary (inbox.conversation)

    async def access_revoked(self, event: dict) -> None:
        with translation.override(self.language):
            await self._revoke(_("Your access to this workspace has ended."))

    # --- contact notes, live visitors, proactive chat (apps.visitors) ---------------------
    # Operators only. The groups joined here (contact.<visitor>, live.<workspace>) are never
    # joined by a visitor's socket.

    contact_visitor_id: int | None = None
    contact_visitor_public_id: str | None = None

    async def _watch_contact(self, visitor: Visitor) -> None:
        if self.contact_visitor_id not in (None, visitor.pk):
            await self.leave(realtime.group_contact(self.contact_visitor_id))
        await self.join(realtime.group_contact(visitor.pk))
        self.contact_visitor_id = visitor.pk
        self.contact_visitor_public_id = visitor.public_id.hex

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
            live.watch(tenant_id=self.tenant.pk)
            return live.live_visitors()

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
