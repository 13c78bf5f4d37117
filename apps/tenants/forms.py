"""Forms validate shape only; rules live in services."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from apps.core.services import email_enqueue
from apps.tenants.models import Role, User

TIMEZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class SignupForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Work email"))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password."),
    )
    workspace_name = forms.CharField(label=_("Company or workspace name"), max_length=120)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES, initial="UTC")
    language = forms.ChoiceField(
        label=_("Language your visitors mostly speak"), choices=settings.LANGUAGES, initial="en"
    )


class WorkspaceCreateForm(forms.Form):
    workspace_name = forms.CharField(label=_("Workspace name"), max_length=120)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES, initial="UTC")
    language = forms.ChoiceField(
        label=_("Default language"), choices=settings.LANGUAGES, initial="en"
    )


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=120)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)
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
