"""Visitors (contacts), their device tokens, sessions and page views, who is on the site right
now (presence) and the team's notes about a contact."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import EncryptedJSONField, EncryptedTextField
from apps.core.models import TenantOwned


class Visitor(TenantOwned):
    """A person on a workspace's site: anonymous until the tenant's server vouches for them.

    ``name`` and ``email`` are set only when the site's signature covers them (HMAC, see
    ``services.visitor_identify``); claims without one are kept in ``unverified`` and never link
    visitors together. Every personal detail is stored encrypted (names, emails, the user id,
    the site's attributes, the claims).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = EncryptedTextField(_("verified user id"), blank=True)
    external_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    name = EncryptedTextField(_("name"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    verified_at = models.DateTimeField(_("identity verified"), null=True, blank=True)
    attributes = EncryptedJSONField(_("attributes"), blank=True)
    unverified = EncryptedJSONField(_("unverified claims"), blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now_add=True, db_index=True)
    visits = models.PositiveIntegerField(_("visits"), default=1)

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id_hash"],
                condition=~models.Q(external_id_hash=""),
                name="visitor_unique_verified_identity",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def display_name(self) -> str:
        return self.name or _("Visitor %(short)s") % {"short": self.public_id.hex[:6]}


class VisitorToken(TenantOwned):
    """One browser's secret for a visitor. Only the SHA-256 of the token is stored."""

    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visitor token")
        verbose_name_plural = _("visitor tokens")


class VisitorSession(TenantOwned):
    """A visit: a run of page views without a 30-minute gap."""

    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="sessions")
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now_add=True)
    user_agent = models.CharField(max_length=400, blank=True)
    browser = models.CharField(_("browser"), max_length=60, blank=True)
    os = models.CharField(_("operating system"), max_length=60, blank=True)
    language = models.CharField(_("language"), max_length=35, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    screen = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("visitor session")
        verbose_name_plural = _("visitor sessions")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["visitor", "-started_at"])]


class PageView(TenantOwned):
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="page_views")
    session = models.ForeignKey(VisitorSession, on_delete=models.CASCADE, related_name="page_views")
    url = models.URLField(_("address"), max_length=2000)
    title = models.CharField(_("title"), max_length=300, blank=True)
    referrer = models.URLField(_("referrer"), max_length=2000, blank=True)
    viewed_at = models.DateTimeField(_("viewed"), auto_now_add=True)

    class Meta:
        verbose_name = _("page view")
        verbose_name_plural = _("page views")
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["visitor", "-viewed_at"])]


class VisitorPresence(TenantOwned):
    """Whether a visitor is on the workspace's sites right now: the chat window's sockets.

    ``connections`` counts open sockets (tabs); ``last_seen_at`` is refreshed while they live.
    Online = connections > 0 and seen within ``services.PRESENCE_TIMEOUT``, so a server process
    that dies without saying goodbye leaves nobody online for ever.
    """

    visitor = models.OneToOneField(Visitor, on_delete=models.CASCADE, related_name="presence")
    connections = models.PositiveIntegerField(default=0)
    online_since = models.DateTimeField(_("online since"))
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("visitor presence")
        verbose_name_plural = _("visitor presence")
        indexes = [models.Index(fields=["tenant", "-last_seen_at"])]


class ContactNote(TenantOwned):
    """The team's private note about a contact, kept across conversations. Operators only:
    nothing a visitor can reach (their socket, the widget endpoints) ever reads this table."""

    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="notes", verbose_name=_("visitor")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact note")
        verbose_name_plural = _("contact notes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["visitor", "-created_at"])]

    def __str__(self) -> str:
        return f"note {self.pk} on visitor {self.visitor_id}"


class Consent(TenantOwned):
    """What a visitor agreed to, in the words they were shown, and when: the workspace's privacy
    notice before a chat (``purpose`` "privacy"), and later the use of their conversations for
    more than support (the bot's learning)."""

    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="consents", verbose_name=_("visitor")
    )
    purpose = models.CharField(_("purpose"), max_length=20)
    text = models.TextField(_("text shown"))
    url = models.URLField(_("privacy notice"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=35, blank=True)
    given_at = models.DateTimeField(_("given"), auto_now_add=True)
    # The visitor took it back (None: it stands). A later consent of the purpose is a new row.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["visitor", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} consent of visitor {self.visitor_id}"
