"""Forms validate shape only; the rules (shortcut, variables, who may do what) live in
``services.py``."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from apps.canned.models import SHORTCUT_MAX_LENGTH, TITLE_MAX_LENGTH

WORKSPACE, PERSONAL = "workspace", "personal"


class CannedResponseForm(forms.Form):
    shortcut = forms.CharField(
        label=_("Shortcut"),
        max_length=SHORTCUT_MAX_LENGTH + 1,  # a leading "/" is allowed and dropped
        help_text=_("Type / and the shortcut in the reply box to insert the response."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    audience = forms.ChoiceField(
        label=_("Who can use it"),
        choices=[(WORKSPACE, _("Everyone in the workspace")), (PERSONAL, _("Only me"))],
        initial=WORKSPACE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, choose_audience: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not choose_audience:
            del self.fields["audience"]
        self.language_groups = []
        for code, name in settings.LANGUAGES:
            title = build_localized_fieldname("title", code)
            body = build_localized_fieldname("body", code)
            self.fields[title] = forms.CharField(
                label=_("Title"), max_length=TITLE_MAX_LENGTH, required=False
            )
            self.fields[body] = forms.CharField(
                label=_("Message"),
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.language_groups.append((code, name, [self[title], self[body]]))

    @property
    def personal(self) -> bool:
        return self.cleaned_data.get("audience", PERSONAL) == PERSONAL

    def texts(self, field: str) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(build_localized_fieldname(field, code), "")
            for code, _name in settings.LANGUAGES
        }
