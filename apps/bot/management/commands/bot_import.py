"""``manage.py bot_import --workspace SLUG FILE``: import a knowledge base (JSON or CSV)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from apps.bot import services
from apps.tenants.models import Tenant


class Command(BaseCommand):
    help = "Import knowledge-base entries from a JSON or CSV file (updates entries by id)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="the workspace's address (slug)")
        parser.add_argument("file", help="a .json or .csv file")

    def handle(self, *args, workspace, file, **options):
        tenant = Tenant.objects.filter(slug=workspace).first()
        if tenant is None:
            raise CommandError(f"No workspace with the address {workspace!r}.")
        path = Path(file)
        kind = "csv" if path.suffix.lower() == ".csv" else "json"
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        with scope(tenant=tenant):
            try:
                report = services.entries_import(tenant_id=tenant.pk, raw=raw, kind=kind)
            except services.EntryError as exc:
                raise CommandError(exc.message) from exc
        if not report.ok:
            for row, message in report.errors:
                self.stderr.write(f"row {row}: {message}")
            raise CommandError("Nothing was imported.")
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
        )
