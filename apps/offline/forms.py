"""The "Offline and email" settings page's form: it checks the values; the service saves them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.offline.models import OfflineSettings

FIELDS = [
    "form_mode",
    "ask_name",
    "ask_email",
    "ask_phone",
    "ask_question",
    "question_en",
    "question_tr",
    "consent_required",
    "consent_text_en",
    "consent_text_tr",
    "privacy_url",
    "email_replies",
    "email_delay_minutes",
    "transcript_on_resolve",
    "rating",
    "support_address",
]


class OfflineSettingsForm(forms.ModelForm):
    privacy_url = forms.URLField(
        label=_("Privacy notice"), max_length=500, required=False, assume_scheme="https"
    )
    email_delay_minutes = forms.IntegerField(
        label=_("Minutes before an unread reply is emailed"), min_value=1, max_value=60
    )

    class Meta:
        model = OfflineSettings
        fields = FIELDS
        labels = {
            "question_en": _("Your question (English)"),
            "question_tr": _("Your question (Turkish)"),
            "consent_text_en": _("Consent text (English)"),
            "consent_text_tr": _("Consent text (Turkish)"),
        }
        help_texts = {
            "form_mode": _(
                "Whatever you choose here, when nobody can answer (outside business hours or "
                "with no operator online) the chat asks for an email address after the "
                "visitor's first message, so that the reply reaches them; “Never” asks nothing."
            ),
            "question_en": _("One question of your own, e.g. “What is your order number?”"),
            "consent_text_en": _(
                "Shown beside a checkbox the visitor must tick, with a link to your privacy "
                "notice. Empty: “I agree to the privacy notice.”"
            ),
            "support_address": _(
                "Optional. Forward this address's mail to Sohbet and each email starts a "
                "conversation (see the address for incoming mail below)."
            ),
        }
        widgets = {
            "question_en": forms.TextInput(attrs={"maxlength": 200}),
            "question_tr": forms.TextInput(attrs={"maxlength": 200}),
        }

    def clean(self):
        data = super().clean()
        asks_question = data.get("ask_question") not in (None, "off")
        if asks_question and not (data.get("question_en") or data.get("question_tr")):
            self.add_error("question_en", _("Write the question that the form asks."))
        if data.get("consent_required") and not data.get("privacy_url"):
            self.add_error("privacy_url", _("Give the address of your privacy notice."))
        return data
