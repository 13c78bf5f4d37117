"""The Bot settings page's forms. They give the fields their shape and their limits in the
browser (``maxlength``); the rules (which ids, how long, what an entry needs) live in
``services/`` and its refusals are shown next to the field they name."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.bot import selectors
from apps.bot.models import BOT_NAME_MAX, EXTERNAL_ID_MAX, BotSettings, Entry
from apps.bot.services.entries import ANSWER_MAX, QUESTION_MAX

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


class EntryForm(forms.Form):
    """One knowledge-base entry: its ID, its tags and switch, and per language its question,
    other phrasings and answer (the import format's keys: ``question_en``, ``variants_tr``…)."""

    id = forms.CharField(
        label=_("ID"),
        required=False,
        help_text=Entry._meta.get_field("external_id").help_text,
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
