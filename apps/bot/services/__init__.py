"""Every write of the bot app: its settings, the knowledge base, its answers and handoffs."""

from apps.bot.services.answering import (
    BotError,
    Decision,
    answer,
    bot_takes,
    decide,
    feedback,
    suggestion_choose,
)
from apps.bot.services.entries import (
    EntryError,
    ImportReport,
    entries_export,
    entries_import,
    entry_delete,
    entry_save,
    kb_changed,
    phrasing_accept,
)
from apps.bot.services.idle import conversations_resolve_idle
from apps.bot.services.learning import (
    ProposalError,
    consent_withdrawn,
    learning_consent_set,
    proposal_suggest,
    proposals_approve,
    proposals_collect,
    proposals_dismiss,
)
from apps.bot.services.settings import SettingsError, bot_settings_update, bot_synonyms_update

__all__ = [
    "BotError",
    "Decision",
    "EntryError",
    "ImportReport",
    "ProposalError",
    "SettingsError",
    "answer",
    "bot_settings_update",
    "bot_synonyms_update",
    "bot_takes",
    "consent_withdrawn",
    "conversations_resolve_idle",
    "decide",
    "entries_export",
    "entries_import",
    "entry_delete",
    "entry_save",
    "feedback",
    "kb_changed",
    "learning_consent_set",
    "phrasing_accept",
    "proposal_suggest",
    "proposals_approve",
    "proposals_collect",
    "proposals_dismiss",
    "suggestion_choose",
]
