from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from apps.core.ratelimit import (
    PER_MAILBOX,
    credential_limits,
    posted,
    secret_link_limits,
    signed_in_user,
)
from apps.tenants import views
from apps.tenants.forms import QueuedPasswordResetForm

workspace_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("settings/", views.workspace_settings, name="settings"),
    path("settings/widget/", views.widget_settings, name="widget_settings"),
    path(
        "settings/widget/identity-secret/",
        views.widget_secret_regenerate,
        name="widget_secret_regenerate",
    ),
    path("members/", views.members, name="members"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:member_id>/role/", views.member_role, name="member_role"),
    path("members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]

tenant_urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("app/", views.home, name="home"),
    path("app/new/", views.workspace_new, name="workspace_new"),
    path("app/<slug:slug>/", include(workspace_patterns)),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

account_urlpatterns = [
    path(
        "accounts/login/",
        credential_limits("login", account=posted("username"))(
            auth_views.LoginView.as_view(redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/profile/", views.profile, name="profile"),
    path(
        "accounts/password/change/",
        credential_limits("password_change", account=signed_in_user)(
            auth_views.PasswordChangeView.as_view()
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        credential_limits("password_reset", account=posted("email"), per_account=PER_MAILBOX)(
            auth_views.PasswordResetView.as_view(
                form_class=QueuedPasswordResetForm, success_url=reverse_lazy("password_reset_done")
            )
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        secret_link_limits("reset_link")(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [path("", include((tenant_urlpatterns, "tenants"))), *account_urlpatterns]
