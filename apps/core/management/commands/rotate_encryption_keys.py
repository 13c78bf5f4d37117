"""Re-encrypt every encrypted column under the first key of ENCRYPTION_KEYS.

Rotation without downtime: put the new key first in ENCRYPTION_KEYS (keep the old one after it),
deploy, run this command, then remove the old key. Runs across all workspaces on purpose.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from apps.core.crypto import EncryptedTextField

BATCH = 500


def encrypted_fields() -> list[tuple[type, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


class Command(BaseCommand):
    help = "Re-encrypt message bodies and visitor PII under the first ENCRYPTION_KEYS key."

    def handle(self, *args, **options) -> None:
        total = 0
        with scopes_disabled():
            for model, names in encrypted_fields():
                manager = model._base_manager
                pks = list(manager.order_by("pk").values_list("pk", flat=True))
                for start in range(0, len(pks), BATCH):
                    with transaction.atomic():
                        rows = manager.filter(pk__in=pks[start : start + BATCH]).values(
                            "pk", *names
                        )
                        for row in rows:
                            # Reading decrypts with any key; writing encrypts with the first one.
                            values = {n: row[n] for n in names if row[n]}
                            if values:
                                manager.filter(pk=row["pk"]).update(**values)
                                total += 1
                self.stdout.write(f"{model._meta.label}: {len(pks)} rows checked")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} rows."))
