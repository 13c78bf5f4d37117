"""Rebuild the search index under the current key: every workspace, or one (``--workspace``).

Run it after ``rotate_encryption_keys`` (the search key is derived from the first encryption key)
and once after installing the search on existing data. Searches keep working while it runs.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.search.services import reindex_workspace
from apps.tenants.models import Tenant


class Command(BaseCommand):
    help = "Rebuild the inbox search index (all workspaces, or one with --workspace SLUG)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workspace", metavar="SLUG", help="only this workspace")

    def handle(self, *args, **options) -> None:
        tenants = Tenant.objects.order_by("pk")
        if options["workspace"]:
            tenants = tenants.filter(slug=options["workspace"])
            if not tenants.exists():
                raise CommandError(f"No workspace with slug {options['workspace']!r}.")
        messages = visitors = 0
        for tenant in tenants.iterator():
            result = reindex_workspace(tenant)
            messages += result.messages
            visitors += result.visitors
            self.stdout.write(
                f"{tenant.slug}: {result.messages} messages, {result.visitors} visitors indexed"
            )
        if connection.vendor == "postgresql":
            # Fresh statistics on the token sets, so the planner knows common words from rare ones.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE search_messageentry, search_visitorentry")
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {messages} messages and {visitors} visitors.")
        )
