"""Canned responses: saved replies an operator inserts by typing ``/shortcut`` in the composer.

A response without an owner belongs to the workspace (every member may use it, admins manage
it); one with an owner is that member's own. Title and body exist once per language
(django-modeltranslation, see ``translation.py``); the body may hold variables (``variables.py``).
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantOwned

SHORTCUT_MAX_LENGTH = 40
TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5000

validate_shortcut = RegexValidator(
    r"^[^\W_][\w-]*$",
    _("Use only letters, digits, “-” and “_”, starting with a letter or digit."),
)


class CannedResponse(TenantOwned):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Empty: the whole workspace may use it. Set: only this person's."),
    )
    shortcut = models.CharField(
        _("shortcut"), max_length=SHORTCUT_MAX_LENGTH, validators=[validate_shortcut]
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH, blank=True)
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["shortcut"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "shortcut"],
                condition=models.Q(owner__isnull=True),
                name="canned_shortcut_unique_in_workspace",
            ),
            models.UniqueConstraint(
                fields=["tenant", "owner", "shortcut"],
                condition=models.Q(owner__isnull=False),
                name="canned_shortcut_unique_per_owner",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "owner", "shortcut"])]

    def __str__(self) -> str:
        return f"/{self.shortcut}"

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None
