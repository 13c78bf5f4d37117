"""Forms validate shape only; rules live in services."""

import zoneinfo
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.services import email_enqueue
from apps.tenants.models import Role, User, WidgetSettings

TIMEZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class TimeZoneSelect(forms.Select):
    """A select of the IANA time zones. Its markup is Django's select's, written here: Django's
    templates render each of the six hundred options through two templates, which made a page
    with this field take about 45 ms to render."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        selected = mark_safe(" selected")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, selected if str(v) in chosen else "", label) for v, label in self.choices),
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs, options)


# A new workspace's time zone starts as the browser's (static/js/timezone.js), not UTC.
BROWSER_TIMEZONE = TimeZoneSelect(attrs={"data-browser-timezone": "UTC"})


class SignupForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Work email"))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password."),
    )
    workspace_name = forms.CharField(label=_("Company or workspace name"), max_length=120)
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=TIMEZONE_CHOICES, initial="UTC", widget=BROWSER_TIMEZONE
    )
    language = forms.ChoiceField(
        label=_("Language your visitors mostly speak"), choices=settings.LANGUAGES, initial="en"
    )


class WorkspaceCreateForm(forms.Form):
    workspace_name = forms.CharField(label=_("Workspace name"), max_length=120)
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=TIMEZONE_CHOICES, initial="UTC", widget=BROWSER_TIMEZONE
    )
    language = forms.ChoiceField(
        label=_("Default language"), choices=settings.LANGUAGES, initial="en"
    )


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=120)
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=TIMEZONE_CHOICES, widget=TimeZoneSelect
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.OPERATOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptNewUserForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Interface language"),
        choices=[("", _("Same as my browser")), *settings.LANGUAGES],
        required=False,
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose email leaves from a background job, not the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_enqueue(subject=subject, body=body, to=[to_email])

    def get_users(self, email):
        return (
            u
            for u in User.objects.filter(email__iexact=email, is_active=True)
            if u.has_usable_password()
        )


class WidgetSettingsForm(forms.ModelForm):
    class Meta:
        model = WidgetSettings
        # The visitor-facing texts come once per language (see apps/tenants/translation.py).
        fields = [
            "color",
            "position",
            *[
                f"{name}_{code}"
                for name in ("launcher_text", "welcome_title", "welcome_message")
                for code, _label in settings.LANGUAGES
            ],
            "display_name",
            "avatar",
            "allowed_origins",
        ]
        # Django capitalises a field's name with str.upper(), which makes Turkish "izin…"
        # "Izin…": the label is its own string, capitalised by the translator.
        labels = {"allowed_origins": _("Allowed sites")}
        widgets = {
            "color": forms.TextInput(attrs={"type": "color"}),
            **{
                f"welcome_message_{code}": forms.Textarea(attrs={"rows": 3})
                for code, _label in settings.LANGUAGES
            },
            "allowed_origins": forms.Textarea(
                attrs={"rows": 3, "placeholder": "https://www.example.com"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "Launcher text (English)", not modeltranslation's "Launcher text [en]".
        for code, language in settings.LANGUAGES:
            for name in ("launcher_text", "welcome_title", "welcome_message"):
                field = self.fields[f"{name}_{code}"]
                field.label = _("%(field)s (%(language)s)") % {
                    "field": capfirst(WidgetSettings._meta.get_field(name).verbose_name),
                    "language": language,
                }

    def clean_allowed_origins(self) -> str:
        lines = []
        for raw in self.cleaned_data["allowed_origins"].splitlines():
            line = raw.strip().rstrip("/")
            if not line:
                continue
            parts = urlsplit(line)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                raise forms.ValidationError(
                    _("“%(line)s” is not a site address like https://www.example.com."),
                    params={"line": line[:100]},
                )
            lines.append(f"{parts.scheme}://{parts.netloc.lower()}")
        return "\n".join(dict.fromkeys(lines))

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if avatar and hasattr(avatar, "size") and avatar.size > 512 * 1024:
            raise forms.ValidationError(_("The avatar may be 512 KB at most."))
        return avatar
