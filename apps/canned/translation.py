"""Canned responses are written once per language (django-modeltranslation): the composer
inserts the one in the visitor's language (``selectors.body_for_language``)."""

from modeltranslation.translator import TranslationOptions, register

from apps.canned.models import CannedResponse


@register(CannedResponse)
class CannedResponseTranslation(TranslationOptions):
    fields = ("title", "body")
