"""The shared kernel's model pieces.

``TenantOwned`` is the base of every tenant-owned table: a ``tenant`` foreign key (indexed) and a
default manager that refuses to run a query unless a workspace scope is active
(``django_scopes.scope(tenant=...)``). Code that really works across workspaces (Django admin,
platform jobs) says so with ``django_scopes.scopes_disabled()``.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


def tenant_key(*, db_index: bool = True) -> models.ForeignKey:
    """The ``tenant`` foreign key of a tenant-owned table. ``db_index=False`` only where
    another index already starts with it (every extra index costs each write of the row)."""
    return models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=db_index,
        verbose_name=_("workspace"),
    )


class TenantOwned(models.Model):
    tenant = tenant_key()

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True


class Event(TenantOwned):
    """One fact of the event stream (``apps.core.events``): what happened, written in the same
    transaction as the change it describes. ``stream`` names what the event is about
    (``conversation:42``); handlers get a stream's events in id order. ``data`` holds ids and
    small values, never message text or personal data (those stay encrypted in their rows)."""

    id = models.BigAutoField(primary_key=True)
    tenant = tenant_key(db_index=False)  # the (tenant, id) index serves every look-up by it
    kind = models.CharField(_("kind"), max_length=64)
    stream = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    # How many handlers led to it: 0 for what a person or a client did; an event recorded by a
    # handler of an event of depth d has d + 1 (handlers that act on events use it to stop a
    # chain of reactions).
    depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When every handler had it (None: handling not finished; the sweeper looks for these).
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["tenant", "id"], name="event_tenant_cursor"),
            models.Index(fields=["stream", "id"], name="event_stream_order"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(handled_at__isnull=True),
                name="event_unhandled",
            ),
            models.Index(fields=["created_at"], name="event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class EventFailure(TenantOwned):
    """A handler's failed attempts at one event, with the last error. A handler's successful
    work needs no row: it commits with the event's ``handled_at``. After
    ``EVENT_HANDLER_MAX_ATTEMPTS`` the handler is given up for that event."""

    tenant = tenant_key(db_index=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="failures")
    handler = models.CharField(max_length=200)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("event failure")
        verbose_name_plural = _("event failures")
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="event_failure_once"),
        ]
        indexes = [models.Index(fields=["tenant", "event"], name="event_failure_tenant")]

    def __str__(self) -> str:
        return f"{self.handler} on {self.event_id}"


class SentEmail(models.Model):
    """An email the mail server has accepted, by the key its job was given when it was queued:
    a job that runs again (its worker died before acknowledging it) sends nothing twice. Only
    the key and the time are kept, no address or text; rows go after
    ``SENT_EMAIL_KEEP_DAYS``."""

    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")

    def __str__(self) -> str:
        return self.key
