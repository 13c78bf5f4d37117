"""A knowledge-base entry is written per language (django-modeltranslation): the bot answers a
visitor in their language, and matches a question against every language's phrasings."""

from modeltranslation.translator import TranslationOptions, register

from apps.bot.models import Entry


@register(Entry)
class EntryTranslation(TranslationOptions):
    fields = ("question", "variants", "answer")
