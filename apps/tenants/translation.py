"""Tenant-authored texts shown to visitors, one per language (django-modeltranslation).

Visitors see the version in their browser's language, falling back to the default language.
"""

from modeltranslation.translator import TranslationOptions, register

from apps.tenants.models import WidgetSettings


@register(WidgetSettings)
class WidgetSettingsTranslation(TranslationOptions):
    fields = ("launcher_text", "welcome_title", "welcome_message")
