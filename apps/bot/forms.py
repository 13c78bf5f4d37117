"""The Bot settings page's forms. They give the fields their shape and their limits in the
browser (``maxlength``); the rules (which ids, how long, what an entry needs) live in
``services/`` and its refusals are shown next to the field they name."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.bot import selectors
from apps.bot.models import BOT_NAME_MAX, EXTERNAL_ID_MAX, BotSettings, Entry
from apps.bot.services.entries import ANSWER_MAX, QUESTION_MAX
from apps.bot.services.settings import LLM_KEY_MAX, LLM_MODEL_MAX, LLM_URL_MAX

TRANSLATED = selectors.TRANSLATED
PLAIN = {"autocomplete": "off", "spellcheck": "false"}


class BotSettingsForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("When the bot answers"),
        choices=BotSettings.Mode.choices,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Bot's name"),
        required=False,
        help_text=BotSettings._meta.get_field("name").help_text,
        widget=forms.TextInput(attrs={"maxlength": BOT_NAME_MAX, "autocomplete": "off"}),
    )


class SynonymsForm(forms.Form):
    synonyms = forms.CharField(
        label=_("Your groups, one per line"),
        required=False,
        help_text=_(
            "One group per line, its words or phrases separated by commas, in any language: "
            "for example “Pro plan, Pro paket, premium”. A question with one of them finds the "
            "entries that use another. Words of four letters or more also match their longer "
            "forms (“paket” matches “paketim”)."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )


class EntryForm(forms.Form):
    """One knowledge-base entry: its ID, its tags and switch, and per language its question,
    other phrasings and answer (the import format's keys: ``question_en``, ``variants_tr``…)."""

    id = forms.CharField(
        label=_("ID"),
        required=False,
        help_text=_(
            "Optional: left empty, one is made from the question. Importing a file again "
            "updates the entry with this ID."
        ),
        widget=forms.TextInput(attrs={"maxlength": EXTERNAL_ID_MAX, **PLAIN}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas, for example: orders, shipping."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    enabled = forms.BooleanField(
        label=_("Enabled"),
        required=False,
        initial=True,
        help_text=_("A disabled entry stays here, but the bot does not answer with it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language_groups = []
        for code, name in settings.LANGUAGES:
            self.fields[f"question_{code}"] = forms.CharField(
                label=_("Question"),
                required=False,
                widget=forms.TextInput(attrs={"maxlength": QUESTION_MAX}),
            )
            self.fields[f"variants_{code}"] = forms.CharField(
                label=_("Other phrasings"),
                required=False,
                help_text=Entry._meta.get_field("variants").help_text,
                widget=forms.Textarea(attrs={"rows": 3, "maxlength": ANSWER_MAX}),
            )
            self.fields[f"answer_{code}"] = forms.CharField(
                label=_("Answer"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 5, "maxlength": ANSWER_MAX}),
            )
            self.language_groups.append(
                (code, name, [self[f"{field}_{code}"] for field in TRANSLATED])
            )

    def data_for_save(self) -> dict:
        """The cleaned values in the import format ``services.entry_save`` takes."""
        return dict(self.cleaned_data)


def entry_initial(entry: Entry) -> dict:
    initial = {"id": entry.external_id, "tags": ", ".join(entry.tags), "enabled": entry.enabled}
    for code, _name in settings.LANGUAGES:
        for field in TRANSLATED:
            initial[f"{field}_{code}"] = getattr(entry, f"{field}_{code}", "") or ""
    return initial


class LlmSettingsForm(forms.Form):
    """The optional language model (services/phrasing.py). The saved key is never shown: an
    empty key field keeps it; ``llm_key_clear`` removes it."""

    llm_enabled = forms.BooleanField(
        label=_("Word answers with a language model"),
        required=False,
        help_text=_(
            "The model only rewords what the entries the bot found say, citing the entry; when "
            "they do not answer the question, the bot says it does not know. If the model is "
            "slow or unreachable, the bot sends the entry's own answer."
        ),
    )
    llm_base_url = forms.CharField(
        label=_("API address"),
        required=False,
        help_text=_(
            "An OpenAI-compatible API, such as https://api.openai.com/v1: the bot posts to its "
            "/chat/completions. A public http or https address."
        ),
        widget=forms.URLInput(attrs={"maxlength": LLM_URL_MAX, **PLAIN}),
    )
    llm_model = forms.CharField(
        label=_("Model"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": LLM_MODEL_MAX, **PLAIN}),
    )
    llm_key = forms.CharField(
        label=_("API key"),
        required=False,
        strip=True,
        help_text=_("Sent to the API as a bearer token; kept encrypted."),
        widget=forms.PasswordInput(
            render_value=False,
            attrs={"maxlength": LLM_KEY_MAX, "autocomplete": "new-password", **PLAIN},
        ),
    )
    llm_key_clear = forms.BooleanField(label=_("Remove the saved key"), required=False)

    @classmethod
    def for_settings(cls, bot: BotSettings) -> "LlmSettingsForm":
        return cls(
            initial={
                "llm_enabled": bot.llm_enabled,
                "llm_base_url": bot.llm_base_url,
                "llm_model": bot.llm_model,
            }
        )
