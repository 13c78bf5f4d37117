"""The workspace's pre-chat form and email settings: admins and owners only."""

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import Refusal
from apps.offline.models import OfflineSettings, new_secret
from apps.tenants.models import Membership


class SettingsError(Refusal):
    """A refused change of the settings."""


def _require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise SettingsError("forbidden", _("Only workspace owners and admins can do this."))


def offline_settings_update(*, membership: Membership, values: dict) -> OfflineSettings:
    """Save the settings (``values``: field name -> checked value, as the settings form gives
    them); the row is made on first save."""
    _require_admin(membership)
    allowed = {f.name for f in OfflineSettings._meta.get_fields()} - {
        "id",
        "tenant",
        "inbound_secret",
        "updated_at",
    }
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not settings: {sorted(unknown)}")
    with transaction.atomic():
        row, _created = OfflineSettings.objects.select_for_update().get_or_create(
            tenant_id=membership.tenant_id
        )
        for name, value in values.items():
            setattr(row, name, value)
        row.save()
    return row


def inbound_secret_renew(*, membership: Membership) -> OfflineSettings:
    """Draw a new secret for the incoming-mail endpoint: the old address stops working."""
    _require_admin(membership)
    with transaction.atomic():
        row, _created = OfflineSettings.objects.select_for_update().get_or_create(
            tenant_id=membership.tenant_id
        )
        row.inbound_secret = new_secret()
        row.save(update_fields=["inbound_secret", "updated_at"])
    return row
