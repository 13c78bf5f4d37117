from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "apps.tenants"
    label = "tenants"
    verbose_name = _("Workspaces and accounts")

    def ready(self):
        from apps.core import navigation
        from apps.core.navigation import Entry

        navigation.sidebar.add(
            Entry(
                "home",
                _("Home"),
                "tenants:dashboard",
                icon="home",
                order=10,
            )
        )
        navigation.settings.add(
            Entry(
                "workspace",
                _("Workspace"),
                "tenants:settings",
                icon="building-office",
                order=10,
                admin_only=True,
            )
        )
        navigation.settings.add(
            Entry(
                "widget",
                _("Chat widget"),
                "tenants:widget_settings",
                icon="chat-bubble-oval-left-ellipsis",
                order=20,
                admin_only=True,
            )
        )
        navigation.settings.add(
            Entry("members", _("Members"), "tenants:members", icon="users", order=50)
        )
        # The one signal of the project (DESIGN.md §3 keeps business flow out of signals): a
        # person's account is written by Django's own auth (password change and reset views,
        # Django admin, management commands), not by our services, and a change there must
        # reach the person's open inbox sockets (services.user_changed).
        post_save.connect(
            _user_saved, sender=self.get_model("User"), dispatch_uid="tenants.user_saved"
        )
        _checklist()


def _checklist() -> None:
    """The home page's getting-started steps this app can tell are done."""
    from apps.tenants import home, selectors

    home.checklist_item(
        key="teammate",
        label=_("Invite a teammate"),
        url_name="tenants:members",
        done=lambda tenant: selectors.teammate_invited(tenant=tenant),
        order=20,
    )
    home.checklist_item(
        key="welcome",
        label=_("Write your welcome message"),
        url_name="tenants:widget_settings",
        done=lambda tenant: selectors.welcome_reviewed(tenant=tenant),
        order=30,
    )


def _user_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # a new account has no sockets; a sign-in changes nobody's access
    from apps.tenants import services

    services.user_changed(user=instance)
