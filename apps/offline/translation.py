"""The pre-chat form's own question and consent text are written per language
(django-modeltranslation); the chat window shows the visitor's."""

from modeltranslation.translator import TranslationOptions, register

from apps.offline.models import OfflineSettings


@register(OfflineSettings)
class OfflineSettingsTranslation(TranslationOptions):
    fields = ("question", "consent_text")
