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
    # Per action, in order: {"type": "label_add"}, with "skipped": a code of actions.SKIPPED
    # when it did nothing, or "failed": true.
    done = models.JSONField(_("done"), default=list, blank=True)
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


class Flow(TenantOwned):
    """A decision tree the bot walks a visitor through: messages, buttons, questions whose
    answers are kept, branches, and a handoff to people. ``draft`` is what admins edit;
    publishing makes it a new ``FlowVersion``, which conversations already inside an earlier
    version finish with."""

    tenant = tenant_key(db_index=False)  # the unique constraint's index serves it
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    draft = models.JSONField(_("draft"), default=dict, blank=True)
    # A button in the chat window's welcome message that starts the flow: its words per
    # language ({"en": "Returns", "tr": "İade"}); empty: no button.
    welcome_label = models.JSONField(_("welcome button"), default=dict, blank=True)
    published = models.ForeignKey(
        "FlowVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="flow_key_unique")]

    def __str__(self) -> str:
        return self.name


class FlowVersion(TenantOwned):
    """A published flow, as it was: never changed afterwards."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("flow version")
        verbose_name_plural = _("flow versions")
        ordering = ["flow", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "number"], name="flow_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.flow_id} v{self.number}"


class FlowRun(TenantOwned):
    """A conversation inside a flow: the step it is at and what the visitor answered, in the
    database, so a reload, a reconnect or another web process goes on from the same step."""

    class State(models.TextChoices):
        ACTIVE = "active", _("In progress")
        DONE = "done", _("Finished")
        HANDED_OFF = "handed_off", _("Handed to people")
        STOPPED = "stopped", _("Stopped")

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="runs")
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.ACTIVE)
    step = models.CharField(_("step"), max_length=50)
    waiting = models.BooleanField(default=False)  # the step asked and waits for the visitor
    misses = models.PositiveSmallIntegerField(default=0)  # answers the step could not use
    answers = models.JSONField(_("answers"), default=dict, blank=True)  # step -> what was given
    # The visitor's messages up to this id came before the flow: they answer nothing in it.
    after_message = models.BigIntegerField(default=0)
    posted = models.PositiveIntegerField(default=0)  # the flow's messages so far (client ids)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("flow run")
        verbose_name_plural = _("flow runs")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=models.Q(state="active"),
                name="flow_run_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version_id}@{self.conversation_id}:{self.step}"
