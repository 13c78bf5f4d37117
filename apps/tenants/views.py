"""HTML views for signup, workspaces, members and invitations. They validate input and call
services; the rules live in ``services.py``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.ratelimit import PER_MAILBOX, credential_limits, posted, secret_link_limits
from apps.tenants import selectors, services
from apps.tenants.access import SESSION_LAST_WORKSPACE, workspace_view
from apps.tenants.forms import (
    AcceptNewUserForm,
    InviteForm,
    ProfileForm,
    RoleForm,
    SignupForm,
    WidgetSettingsForm,
    WorkspaceCreateForm,
    WorkspaceSettingsForm,
)
from apps.tenants.models import Invitation, Membership, Role, Tenant, User

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where it names fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("tenants:home")
    return render(request, "tenants/landing.html")


SESSION_SIGNUP_EMAIL = "signup_email"


@never_cache
@credential_limits("signup", account=posted("email"), per_account=PER_MAILBOX)
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """The form's answer is the same whether the address has an account or not: the next page
    says an email is on its way (services.signup_request)."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("tenants:home")
    form = SignupForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.signup_request(
                full_name=data["full_name"],
                email=data["email"],
                password=data["password"],
                workspace_name=data["workspace_name"],
                language=data["language"],
                timezone_name=data["timezone"],
                confirm_url_template=_absolute_url_template(request, "tenants:signup_confirm"),
                login_url=request.build_absolute_uri(
                    f"{reverse('login')}?next={reverse('tenants:workspace_new')}"
                ),
                reset_url=request.build_absolute_uri(reverse("password_reset")),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            request.session[SESSION_SIGNUP_EMAIL] = data["email"]
            return redirect("tenants:signup_sent")
    status = 400 if form.errors else 200
    return render(request, "tenants/signup.html", {"form": form}, status=status)


@never_cache
@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tenants/signup_sent.html",
        {
            "email": request.session.get(SESSION_SIGNUP_EMAIL, ""),
            "signup_ttl_days": settings.SIGNUP_TTL_DAYS,
        },
    )


@never_cache
@secret_link_limits("signup_link")
@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the signup email: a page with one button (a link opened by a mail
    scanner makes nothing), which makes the account and the workspace and signs the owner in."""
    pending = selectors.signup_request_by_token(raw_token=token)
    if pending is None:
        return _signup_problem(
            request, _("This link is not valid or has expired. Sign up again, or log in."), 404
        )
    if request.method == "POST":
        try:
            user, tenant = services.signup_confirm(raw_token=token)
        except ValidationError as error:
            return _signup_problem(request, " ".join(error.messages), 409)
        login(request, user, backend=AUTH_BACKEND)
        request.session.pop(SESSION_SIGNUP_EMAIL, None)
        return redirect("tenants:dashboard", slug=tenant.slug)
    return render(request, "tenants/signup_confirm.html", {"signup": pending})


def _signup_problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": _("Sign-up link unavailable"), "message": message},
        status=status,
    )


def _absolute_url_template(request: HttpRequest, name: str) -> str:
    """The absolute URL of ``name`` with ``{token}`` where its token goes (for emails)."""
    url = request.build_absolute_uri(reverse(name, kwargs={"token": "TOKEN"}))
    return url.replace("TOKEN", "{token}")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """/app/: the last workspace used, the only one, or a chooser."""
    memberships = selectors.memberships_of_user_unscoped(user=request.user)
    last = request.session.get(SESSION_LAST_WORKSPACE)
    slugs = [m.tenant.slug for m in memberships]
    if last in slugs:
        return redirect("tenants:dashboard", slug=last)
    if len(memberships) == 1:
        return redirect("tenants:dashboard", slug=slugs[0])
    return render(request, "tenants/choose.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def workspace_new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceCreateForm(
        request.POST or None, initial={"language": translation.get_language()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            tenant = services.tenant_create(
                name=form.cleaned_data["workspace_name"],
                owner=request.user,
                timezone_name=form.cleaned_data["timezone"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("tenants:dashboard", slug=tenant.slug)
    status = 400 if form.errors else 200
    return render(request, "tenants/workspace_new.html", {"form": form}, status=status)


def _snippet(request: HttpRequest, tenant: Tenant) -> str:
    """One tag: defines the ``Sohbet(...)`` command queue, then loads the loader async."""
    base = settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")
    return (
        "<script>(function(w,d,k,u){w.Sohbet=w.Sohbet||function(){(w.Sohbet.q=w.Sohbet.q||[])"
        '.push(arguments)};w.SohbetSettings={key:k,base:u};var s=d.createElement("script");'
        's.async=1;s.src=u+"/widget.js";d.head.appendChild(s)})'
        f'(window,document,"{tenant.widget_key}","{base}")</script>'
    )


@workspace_view()
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The workspace's home: its conversations at a glance and, for admins until every step is
    done, the getting-started checklist (``apps.tenants.home``)."""
    steps = selectors.getting_started(tenant=request.tenant) if request.membership.is_admin else []
    return render(
        request,
        "tenants/dashboard.html",
        {
            "stats": selectors.home_stats(membership=request.membership),
            "steps": steps,
            "steps_left": sum(not step["done"] for step in steps),
            "snippet": _snippet(request, request.tenant),
        },
    )


@workspace_view()
def onboarding(request: HttpRequest) -> HttpResponse:
    """The old getting-started page: its steps are the home page's checklist now."""
    return redirect("tenants:dashboard", slug=request.tenant.slug)


@workspace_view(min_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    initial = {
        "name": tenant.name,
        "timezone": tenant.timezone,
        "default_language": tenant.default_language,
    }
    form = WorkspaceSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.tenant_update_settings(
                actor=request.membership,
                tenant=tenant,
                name=form.cleaned_data["name"],
                timezone_name=form.cleaned_data["timezone"],
                default_language=form.cleaned_data["default_language"],
            )
        except ValidationError as error:
            tenant.refresh_from_db()
            add_errors(form, error)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("tenants:settings", slug=tenant.slug)
    return render(
        request,
        "tenants/settings.html",
        {"form": form, "snippet": _snippet(request, tenant)},
        status=400 if form.errors else 200,
    )


def _members_page(
    request: HttpRequest, *, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    tenant = request.tenant
    return render(
        request,
        "tenants/members.html",
        {
            "members": selectors.members_by_name(tenant=tenant),
            "invitations": selectors.pending_invitations(tenant=tenant)
            if request.membership.is_admin
            else [],
            "invite_form": invite_form or InviteForm(),
            "roles": Role.choices,
            "sole_owner": request.membership.is_owner
            and selectors.members(tenant=tenant).filter(role=Role.OWNER).count() == 1,
        },
        status=status,
    )


@workspace_view()
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def member_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        accept_url = _absolute_url_template(request, "tenants:invitation_accept")
        try:
            services.invitation_create(
                actor=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                accept_url_template=accept_url,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("tenants:members", slug=request.tenant.slug)
    return _members_page(request, invite_form=form, status=400)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=member_id, tenant=request.tenant)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return _members_page(request, status=400)
    try:
        services.membership_change_role(
            actor=request.membership, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _members_page(request, status=400)
    messages.success(
        request,
        _("%(name)s is now %(role)s.")
        % {"name": membership.user.get_full_name(), "role": membership.get_role_display()},
    )
    return redirect("tenants:members", slug=request.tenant.slug)


@workspace_view()
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    """Admins remove members; anyone may leave (remove their own membership)."""
    membership = get_object_or_404(Membership, pk=member_id, tenant=request.tenant)
    if membership.pk != request.membership.pk and not request.membership.is_admin:
        raise PermissionDenied(_("Only workspace owners and admins can remove members."))
    leaving = membership.pk == request.membership.pk  # delete() clears membership.pk
    try:
        services.membership_remove(actor=request.membership, membership=membership)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _members_page(request, status=400)
    if leaving:
        request.session.pop(SESSION_LAST_WORKSPACE, None)
        messages.success(request, _("You left %(workspace)s.") % {"workspace": request.tenant})
        return redirect("tenants:home")
    messages.success(
        request, _("%(name)s was removed.") % {"name": membership.user.get_full_name()}
    )
    return redirect("tenants:members", slug=request.tenant.slug)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, tenant=request.tenant)
    services.invitation_revoke(actor=request.membership, invitation=invitation)
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("tenants:members", slug=request.tenant.slug)


@never_cache
@secret_link_limits("invitation")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token_unscoped(raw_token=token)
    if invitation is None:
        return _invitation_problem(request, _("This invitation link is not valid."), status=404)
    problem = _invitation_state_problem(invitation)
    if problem:
        return _invitation_problem(request, problem, status=410)
    if invitation.tenant.is_suspended:
        return render(
            request, "tenants/suspended.html", {"suspended_tenant": invitation.tenant}, 403
        )

    context: dict = {"invitation": invitation, "tenant_invited": invitation.tenant}
    existing = User.objects.filter(email__iexact=invitation.email).exists()

    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as error:
                return _invitation_problem(request, " ".join(error.messages), status=409)
            request.session[SESSION_LAST_WORKSPACE] = invitation.tenant.slug
            messages.success(
                request, _("Welcome to %(workspace)s.") % {"workspace": invitation.tenant.name}
            )
            return redirect("tenants:dashboard", slug=invitation.tenant.slug)
        context["wrong_user"] = request.user.email.lower() != invitation.email.lower()
        return render(request, "tenants/invitation_accept.html", context)

    if existing:
        context["login_url"] = f"{reverse('login')}?next={request.path}"
        return render(request, "tenants/invitation_accept.html", context)

    form = AcceptNewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, _membership = services.invitation_accept_new_user(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) in {"used", "revoked", "expired"}:
                return _invitation_problem(request, " ".join(error.messages), status=410)
            add_errors(form, error)
        else:
            login(request, user, backend=AUTH_BACKEND)
            request.session[SESSION_LAST_WORKSPACE] = invitation.tenant.slug
            return redirect("tenants:dashboard", slug=invitation.tenant.slug)
    context["form"] = form
    return render(
        request, "tenants/invitation_accept.html", context, status=400 if form.errors else 200
    )


def _invitation_state_problem(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return _("This invitation has already been used. Sign in to open the workspace.")
    if invitation.revoked_at is not None:
        return _("This invitation was withdrawn. Ask the workspace admin for a new one.")
    if invitation.is_expired:
        return _("This invitation has expired. Ask the workspace admin to send a new one.")
    return ""


def _invitation_problem(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": _("Invitation unavailable"), "message": message},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None, initial={"full_name": user.full_name, "language": user.language}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                user=user,
                full_name=form.cleaned_data["full_name"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            # Confirm in the language just chosen, not the one the request arrived in.
            with translation.override(user.language or request.LANGUAGE_CODE):
                messages.success(request, _("Profile saved."))
            return redirect("profile")
    return render(
        request, "registration/profile.html", {"form": form}, status=400 if form.errors else 200
    )


@workspace_view(min_role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def widget_settings(request: HttpRequest) -> HttpResponse:
    widget = selectors.widget_settings(tenant=request.tenant)
    form = WidgetSettingsForm(request.POST or None, request.FILES or None, instance=widget)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if fields["avatar"] is False:  # "clear" ticked
            fields["avatar"] = ""
        elif fields["avatar"] is None:
            fields.pop("avatar")
        try:
            services.widget_settings_update(actor=request.membership, widget=widget, **fields)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Widget settings saved."))
            return redirect("tenants:widget_settings", slug=request.tenant.slug)
    widget.refresh_from_db()
    return render(
        request,
        "tenants/widget_settings.html",
        {
            "form": form,
            "widget": widget,
            "snippet": _snippet(request, request.tenant),
            "chat_url": request.build_absolute_uri(
                reverse("widget:chat", kwargs={"widget_key": request.tenant.widget_key})
            ),
        },
        status=400 if form.errors else 200,
    )


@workspace_view(min_role=Role.ADMIN)
@require_POST
def widget_secret_regenerate(request: HttpRequest) -> HttpResponse:
    widget = selectors.widget_settings(tenant=request.tenant)
    services.widget_identity_secret_regenerate(actor=request.membership, widget=widget)
    messages.success(
        request,
        _("A new identity secret was made. Update your server: the old one no longer works."),
    )
    return redirect("tenants:widget_settings", slug=request.tenant.slug)


class SignOutView(auth_views.LogoutView):
    """Log out, and close this person's live inbox sockets at once."""

    def post(self, request, *args, **kwargs):
        user = request.user if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if user is not None:
            services.user_signed_out(user=user)
        return response
