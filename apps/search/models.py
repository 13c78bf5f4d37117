"""The search index: keyed tokens of message bodies and of visitors' names and emails.

No plaintext, anywhere: a row holds ids and a set of 64-bit keyed hashes (``apps.search.tokens``).
Message rows carry their conversation, so a query finds conversations without touching
messages; visitor rows are keyed by the visitor (conversations move between visitors on an
identity merge and new ones open for known visitors: keyed by visitor, the index never needs to
follow them). docs/search.md has the design and what the index reveals.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantOwned
from apps.search.fields import TokenSetField


class MessageEntry(TenantOwned):
    message = models.OneToOneField(
        "conversations.Message",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("message"),
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("conversation"),
    )
    tokens = TokenSetField()

    class Meta:
        verbose_name = _("message search entry")
        verbose_name_plural = _("message search entries")


class VisitorEntry(TenantOwned):
    visitor = models.OneToOneField(
        "visitors.Visitor",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("visitor"),
    )
    tokens = TokenSetField()

    class Meta:
        verbose_name = _("visitor search entry")
        verbose_name_plural = _("visitor search entries")
