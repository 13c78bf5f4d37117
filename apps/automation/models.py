"""Automation: a workspace's rules, and the record of every time one fired.

A rule is a trigger (what happened), conditions (what must hold) and actions (what Sohbet does
then), kept as JSON in the shapes ``conditions.py`` and ``actions.py`` check. Rules run in
``position`` order; each firing is written down (``Firing``) so an admin sees what a rule did.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantOwned, tenant_key

NAME_MAX = 100


class Rule(TenantOwned):
    class Trigger(models.TextChoices):
        CONVERSATION_CREATED = "conversation_created", _("A conversation starts")
        VISITOR_MESSAGE = "visitor_message", _("The visitor writes")
        OPERATOR_MESSAGE = "operator_message", _("An operator replies")
        STATUS_CHANGED = "status_changed", _("The status changes")
        ASSIGNED = "assigned", _("The conversation is assigned")
        LABEL_ADDED = "label_added", _("A label is added")
        NO_REPLY = "no_reply", _("No reply from the team for some minutes")
        PAGE_TIME = "page_time", _("The visitor stays on a page for some seconds")
        VISITOR_IDENTIFIED = "visitor_identified", _("The visitor is identified")
        RATING_RECEIVED = "rating_received", _("The visitor rates the conversation")

    tenant = tenant_key(db_index=False)  # the (tenant, position) index serves it
    name = models.CharField(_("name"), max_length=NAME_MAX)
    enabled = models.BooleanField(_("on"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    trigger = models.CharField(_("when"), max_length=32, choices=Trigger)
    # Minutes (no reply) or seconds (page time); unused by the other triggers.
    trigger_value = models.PositiveIntegerField(_("after"), null=True, blank=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    fired_count = models.PositiveIntegerField(_("fired"), default=0)
    last_fired_at = models.DateTimeField(_("last fired"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["tenant", "position"], name="rule_tenant_order")]

    def __str__(self) -> str:
        return self.name


class Firing(TenantOwned):
    """One time a rule's conditions held and its actions ran (or failed)."""

    tenant = tenant_key(db_index=False)  # the (tenant, -created_at) index serves it
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    visitor = models.ForeignKey(
        "visitors.Visitor", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What it fired on, once: an event ("e42"), a wait for the team ("w7-<since>"), a visit
    # ("v9": a page-time rule fires once per visit).
    key = models.CharField(max_length=64)
    done = models.JSONField(_("done"), default=list, blank=True)  # one line per action
    error = models.TextField(_("error"), blank=True)
    # A greeting shown to a visitor outside any conversation (the words, in their language).
    shown = models.TextField(_("greeting shown"), blank=True)
    created_at = models.DateTimeField(_("fired"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule firing")
        verbose_name_plural = _("rule firings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="firing_once_per_cause"),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="firing_tenant_recent"),
            models.Index(fields=["visitor", "-created_at"], name="firing_visitor_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}@{self.key}"
