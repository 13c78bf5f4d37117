"""Create (idempotently) the demo workspace and its people, and print how to sign in."""

from importlib import import_module

from django.apps import apps as django_apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django_scopes import scope

from apps.conversations.models import Label
from apps.tenants.models import Membership, Role, Team, Tenant, User
from apps.tenants.services import widget_settings_get

DEMO_PASSWORD = "sohbet-demo-1234"  # noqa: S105 - printed on purpose, local demo only
PEOPLE = [
    ("owner@demo.sohbet.localhost", "Deniz Demir", Role.OWNER),
    ("operator@demo.sohbet.localhost", "Ece Operator", Role.OPERATOR),
]
SUPERUSER = ("admin@sohbet.localhost", "Platform Admin")
DEMO_LABELS = [("VIP", "#d97706"), ("Refund", "#dc2626"), ("Bug", "#7c3aed")]


class Command(BaseCommand):
    help = "Create the demo workspace, a demo owner and operator, and a platform superuser."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-superuser", action="store_true")
        parser.add_argument(
            "--base-url",
            default="",
            help="where the app is served, for the printed links (default: PUBLIC_BASE_URL, "
            "else http://127.0.0.1:8000)",
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION_MODE:
            raise CommandError(
                "seed_demo creates accounts with a known password: not in production mode."
            )
        tenant, _ = Tenant.objects.get_or_create(
            slug="demo", defaults={"name": "Demo Shop", "timezone": "Europe/Istanbul"}
        )
        with scope(tenant=tenant):
            members = []
            for email, name, role in PEOPLE:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
                membership, _ = Membership.objects.get_or_create(
                    tenant=tenant, user=user, defaults={"role": role}
                )
                members.append(membership)
            support, created = Team.objects.get_or_create(tenant=tenant, name="Support")
            if created:  # first run only
                Team.objects.get_or_create(tenant=tenant, name="Sales")
                support.members.add(*members)
                for name, color in DEMO_LABELS:
                    Label.objects.get_or_create(tenant=tenant, name=name, defaults={"color": color})
            widget = widget_settings_get(tenant=tenant)
            if not widget.welcome_title_en:  # first run only: later edits in settings are kept
                widget.welcome_title_en = "Hi there 👋"
                widget.welcome_title_tr = "Merhaba 👋"
                # No promise of a reply time: the window's header says when the team is away.
                widget.welcome_message_en = "Questions about an order or a product? Ask us here."
                widget.welcome_message_tr = (
                    "Siparişiniz ya da ürünlerimiz hakkında sorunuz mu var? Buradan sorun."
                )
                widget.launcher_text_en = "Chat with us"
                widget.launcher_text_tr = "Bize yazın"
                widget.display_name = "Demo Shop support"
                # Written for the demo, as a person would: the getting-started list counts it.
                widget.edited_at = timezone.now()
                widget.save()
            # The feature apps' own examples: an app with a ``demo`` module seeds its part
            # (``seed(tenant)``, in the workspace's scope; it keeps what is already there).
            for config in django_apps.get_app_configs():
                if config.name.startswith("apps.") and module_has_submodule(config.module, "demo"):
                    import_module(f"{config.name}.demo").seed(tenant)
        if not options["no_superuser"] and not User.objects.filter(email=SUPERUSER[0]).exists():
            User.objects.create_superuser(SUPERUSER[0], DEMO_PASSWORD, full_name=SUPERUSER[1])

        out = self.stdout.write
        out("")
        base = options["base_url"] or settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000"
        base = base.rstrip("/")
        out(self.style.SUCCESS(f"Sohbet demo is ready at {base}/"))
        out(f"  Chat as a visitor  : {base}/demo/")
        out(f"  Answer in the inbox: {base}/app/demo/inbox/  (sign in below)")
        out(f"  Demo operator : {PEOPLE[1][0]}  password: {DEMO_PASSWORD}")
        out(f"  Demo owner    : {PEOPLE[0][0]}  password: {DEMO_PASSWORD}")
        if not options["no_superuser"]:
            out(f"  Platform admin: {SUPERUSER[0]}  password: {DEMO_PASSWORD}  (/admin/)")
        out("")
