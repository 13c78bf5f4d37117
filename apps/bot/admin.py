from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from apps.bot.models import Answer, BotSettings, Entry, EntryRevision


@admin.register(BotSettings)
class BotSettingsAdmin(admin.ModelAdmin):
    list_display = ("tenant", "mode", "name", "kb_version", "updated_at")
    list_filter = ("mode",)
    # Words that mean the same are checked and rebuild the index on the workspace's Bot page.
    readonly_fields = ("kb_version", "synonyms")
    exclude = ("llm_key",)  # a secret: set on the workspace's Bot page, never shown


@admin.register(Entry)
class EntryAdmin(TranslationAdmin):
    list_display = ("external_id", "question", "tenant", "enabled", "updated_at")
    list_filter = ("enabled",)
    search_fields = ("external_id", "question_en", "question_tr")


@admin.register(EntryRevision)
class EntryRevisionAdmin(admin.ModelAdmin):
    list_display = ("entry", "action", "author", "created_at")
    readonly_fields = ("entry", "author", "action", "snapshot", "created_at")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("conversation", "kind", "entry", "score", "language", "helpful", "created_at")
    list_filter = ("kind", "helpful")
    raw_id_fields = ("conversation", "question", "reply", "entry")
