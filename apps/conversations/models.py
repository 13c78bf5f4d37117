"""Conversations, messages and operator presence."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import EncryptedTextField
from apps.core.models import TenantOwned


def new_conversation_public_id() -> str:
    return "c_" + secrets.token_urlsafe(18)


class Conversation(TenantOwned):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    number = models.PositiveIntegerField(_("number"), editable=False)
    public_id = models.CharField(
        max_length=40, unique=True, default=new_conversation_public_id, editable=False
    )
    visitor = models.ForeignKey(
        "visitors.Visitor",
        on_delete=models.CASCADE,
        related_name="conversations",
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
        Conversation, on_delete=models.CASCADE, related_name="messages"
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
    body = EncryptedTextField(_("message"))
    client_id = models.CharField(max_length=64, blank=True)
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
