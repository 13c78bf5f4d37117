"""Conversations, messages and operator presence."""

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import EncryptedTextField
from apps.core.models import TenantOwned, tenant_key


def new_conversation_public_id() -> str:
    return "c_" + secrets.token_urlsafe(18)


class Conversation(TenantOwned):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")  # waiting on the visitor
        SNOOZED = "snoozed", _("Snoozed")  # until snoozed_until or the visitor's next message
        RESOLVED = "resolved", _("Resolved")

    class Channel(models.TextChoices):
        CHAT = "chat", _("Chat")
        EMAIL = "email", _("Email")

    # Every row lookup by workspace goes through an index that starts with it (the number's
    # unique constraint, the inbox's indexes), and each further index costs every message: the
    # message's update of this row writes all of them.
    tenant = tenant_key(db_index=False)
    number = models.PositiveIntegerField(_("number"), editable=False)
    public_id = models.CharField(
        max_length=40, unique=True, default=new_conversation_public_id, editable=False
    )
    visitor = models.ForeignKey(
        "visitors.Visitor",
        on_delete=models.CASCADE,
        related_name="conversations",
        db_index=False,  # the (visitor, status) index serves every look-up by visitor
        verbose_name=_("visitor"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # The oldest visitor message not answered yet (None: nobody is waiting).
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    last_message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    operator_unread = models.PositiveIntegerField(default=0)
    visitor_unread = models.PositiveIntegerField(default=0)
    # How many messages it holds: the last one's ``seq``.
    message_count = models.PositiveIntegerField(default=0, db_default=0)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        "tenants.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    labels = models.ManyToManyField(
        "Label", blank=True, related_name="conversations", verbose_name=_("labels")
    )
    # Where it started: the chat window, or an email to the workspace's support address.
    # (Defaults in the database too, so a raw row written without them, by COPY say, is whole.)
    channel = models.CharField(
        _("channel"),
        max_length=8,
        choices=Channel.choices,
        default=Channel.CHAT,
        db_default=Channel.CHAT,
    )
    # The visitor left an email address to be answered by when nobody could answer: the reply
    # reaches them by email if they are not in the chat (``apps.offline``). The inbox's "Email"
    # filter.
    reply_by_email = models.BooleanField(
        _("waiting for a reply by email"), default=False, db_default=False
    )

    # The bot answers this conversation (``apps.bot``): people are not waiting for it, it is
    # in no queue. A handoff (``services.conversation_handoff``) or an operator's reply ends it.
    bot_holds = models.BooleanField(_("answered by the bot"), default=False, db_default=False)

    ACTIVE_STATUSES = (Status.OPEN, Status.PENDING, Status.SNOOZED)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_activity_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number"], name="conversation_number_unique_per_tenant"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-last_activity_at"]),
            models.Index(fields=["visitor", "status"]),
            models.Index(fields=["tenant", "assignee", "status"]),
            # The inbox's first screen: active conversations, latest activity first.
            models.Index(
                fields=["tenant", "-last_activity_at"],
                condition=models.Q(status__in=["open", "pending", "snoozed"]),
                name="conversation_active_recent",
            ),
            # The snooze alarm: only snoozed rows, by wake-up time.
            models.Index(
                fields=["snoozed_until"],
                condition=models.Q(status="snoozed"),
                name="conversation_snoozed_due",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class Message(TenantOwned):
    class Sender(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        OPERATOR = "operator", _("Operator")
        BOT = "bot", _("Bot")
        SYSTEM = "system", _("System")

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,  # the (conversation, id) index serves every look-up by conversation
    )
    sender = models.CharField(_("sender"), max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    # Empty when ``content`` carries the message (a file, a choice of buttons).
    body = EncryptedTextField(_("message"), blank=True)
    # What travels with the text: {"buttons": [...]}, {"attachments": [...]}; JSON, no secrets.
    # (The database's default too, so a raw row written without it, by COPY say, is whole.)
    content = models.JSONField(
        default=dict, blank=True, db_default=models.Value({}, models.JSONField())
    )
    client_id = models.CharField(max_length=64, blank=True)
    # Its place in its conversation, 1, 2, 3… without gaps: a client that holds message 7 and
    # is handed message 9 knows that it missed one (docs/widget-protocol.md).
    seq = models.PositiveIntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_id"],
                condition=~models.Q(client_id=""),
                name="message_client_id_once_per_conversation",
            )
        ]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"{self.sender} message {self.pk}"


class Label(TenantOwned):
    """A workspace's tag for conversations (name and colour), used in filters."""

    name = models.CharField(_("name"), max_length=40)
    color = models.CharField(
        _("colour"),
        max_length=7,
        default="#6b7280",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f6feb."))],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "tenant", name="label_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class Activity(TenantOwned):
    """The operators-only side of a conversation's history: private notes and what happened
    (assigned, transferred, snoozed…). A separate table from ``Message`` on purpose: nothing a
    visitor can reach (their socket, the widget API, transcripts) ever reads it."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNED = "unassigned", _("Unassigned")
        TEAM = "team", _("Team changed")
        STATUS = "status", _("Status changed")
        LABELS = "labels", _("Labels changed")
        QUEUED = "queued", _("Queued")
        RATED = "rated", _("Rated")
        HANDOFF = "handoff", _("Handed to people")
        BOT = "bot", _("Handed to the bot")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    body = EncryptedTextField(_("note"), blank=True)
    # What the entry is about, e.g. {"assignee": 3, "team": 1, "status": "snoozed",
    # "until": "…", "mentions": [4]}: ids, never names (names are read at display time).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["id"]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.conversation_id}"


class OperatorPresence(TenantOwned):
    """Whether a member is taking chats. Online = chose online and has a live inbox socket."""

    class Status(models.TextChoices):
        ONLINE = "online", _("Online")
        AWAY = "away", _("Away")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ONLINE)
    connections = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("operator presence")
        verbose_name_plural = _("operator presence")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="presence_one_per_member")
        ]
