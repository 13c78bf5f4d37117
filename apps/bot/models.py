"""The bot: its settings, the knowledge base it answers from, and what it answered.

An entry's question, extra phrasings (``variants``, one per line) and answer are written per
language (``translation.py``, django-modeltranslation): the bot answers in the visitor's.
``Answer`` is one reply of the bot to one visitor message, kept with the entry it used, its
confidence and the visitor's feedback ("That answered it"), for the entry's figures.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import EncryptedTextField
from apps.core.models import TenantOwned, tenant_key

EXTERNAL_ID_MAX = 64
BOT_NAME_MAX = 60


class BotSettings(TenantOwned):
    """Whether and when the bot answers, and its name (one row per workspace, made on first
    save; ``selectors.bot_settings`` gives the unsaved defaults until then)."""

    class Mode(models.TextChoices):
        OFF = "off", _("Off")
        ALWAYS = "always", _("Always")
        CLOSED = "closed", _("Outside business hours")
        NOBODY = "nobody", _("When no operator is online")

    tenant = tenant_key(db_index=False)  # the unique constraint's index serves it
    mode = models.CharField(_("the bot answers"), max_length=8, choices=Mode, default=Mode.OFF)
    name = models.CharField(
        _("bot name"),
        max_length=BOT_NAME_MAX,
        blank=True,
        help_text=_("Shown with the bot's messages, marked as automated. Empty: “Assistant”."),
    )
    # The workspace's own words that mean the same, one group per line, separated by commas
    # ("kasa pro, pro paket"): the bot matches them as it matches its thesaurus's.
    synonyms = models.TextField(_("words that mean the same"), blank=True)
    # Bumped by every change of the knowledge base (and of ``synonyms``): the answering index is
    # rebuilt when it moves.
    kb_version = models.PositiveIntegerField(default=0)
    # An optional language model (OpenAI-compatible) that words answers from the entries found
    # (services/phrasing.py). Empty address: the platform's (settings.BOT_LLM_*), if any.
    llm_enabled = models.BooleanField(_("language model on"), default=False)
    llm_base_url = models.URLField(_("model's address"), max_length=500, blank=True)
    llm_model = models.CharField(_("model"), max_length=200, blank=True)
    llm_key = EncryptedTextField(_("model's key"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bot settings")
        verbose_name_plural = _("bot settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="bot_settings_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.mode}"


class Entry(TenantOwned):
    """One question the bot can answer."""

    external_id = models.CharField(
        _("ID"),
        max_length=EXTERNAL_ID_MAX,
        help_text=_("Your own identifier: importing a file again updates the entry with this ID."),
    )
    question = models.CharField(_("question"), max_length=300, blank=True)
    variants = models.TextField(
        _("other phrasings"),
        blank=True,
        help_text=_("Other ways visitors ask this, one per line."),
    )
    answer = models.TextField(_("answer"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("knowledge-base entry")
        verbose_name_plural = _("knowledge-base entries")
        ordering = ["external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="bot_entry_external_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class EntryRevision(TenantOwned):
    """An entry as it was saved (its edit history): every translated field and its state."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # "edited", "created", "imported", "disabled"...
    action = models.CharField(_("what"), max_length=16)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("entry revision")
        verbose_name_plural = _("entry revisions")
        ordering = ["-id"]


class Answer(TenantOwned):
    """The bot's reply to one visitor message."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answered from the knowledge base")
        UNSURE = "unsure", _("Did not know")
        SMALLTALK = "smalltalk", _("Small talk")
        HANDOFF = "handoff", _("Handed to people")

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    # The visitor's message it answers; the bot's own message (None until posted).
    question = models.ForeignKey(
        "conversations.Message", on_delete=models.CASCADE, related_name="+"
    )
    reply = models.ForeignKey(
        "conversations.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    entry = models.ForeignKey(
        Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    score = models.FloatField(_("confidence"), default=0)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # The visitor's feedback: True "That answered it", False "Talk to a person", None: none.
    helpful = models.BooleanField(_("helpful"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("bot answer")
        verbose_name_plural = _("bot answers")
        ordering = ["-id"]
        constraints = [
            # One answer per visitor message: a redelivered event answers nothing twice.
            models.UniqueConstraint(fields=["question"], name="bot_answer_one_per_message"),
        ]
        indexes = [models.Index(fields=["conversation", "id"])]


class Proposal(TenantOwned):
    """A knowledge-base entry the bot proposes from a conversation (a visitor question it could
    not answer, with the team's reply as a draft answer), or an operator suggested from a reply.
    Only conversations whose visitor consented to their use for improving answers are read;
    nothing goes live until an admin makes an entry of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Made an entry")
        DISMISSED = "dismissed", _("Dismissed")

    class Source(models.TextChoices):
        BOT = "bot", _("A question the bot could not answer")
        OPERATOR = "operator", _("Suggested by an operator")
        # The visitor's words for the entry they then chose among the bot's suggestions: a
        # phrasing proposed for that entry (``entry``).
        CHOICE = "choice", _("Words of a visitor who chose a suggestion")

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    visitor = models.ForeignKey("visitors.Visitor", on_delete=models.CASCADE, related_name="+")
    # The visitor's message it comes from (one proposal per message) and the team's reply.
    question_message = models.ForeignKey(
        "conversations.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question = EncryptedTextField(_("question"), blank=True)
    answer = EncryptedTextField(_("draft answer"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.BOT)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    # The entry made of it; for a phrasing (``Source.CHOICE``), the entry it is proposed for.
    entry = models.ForeignKey(
        Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposed entry")
        verbose_name_plural = _("proposed entries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_message"],
                condition=models.Q(question_message__isnull=False),
                name="bot_proposal_one_per_message",
            ),
        ]
