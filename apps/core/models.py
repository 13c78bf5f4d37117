"""The shared kernel's model pieces.

``TenantOwned`` is the base of every tenant-owned table: a ``tenant`` foreign key (indexed) and a
default manager that refuses to run a query unless a workspace scope is active
(``django_scopes.scope(tenant=...)``). Code that really works across workspaces (Django admin,
platform jobs) says so with ``django_scopes.scopes_disabled()``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


def tenant_key(*, db_index: bool = True) -> models.ForeignKey:
    """The ``tenant`` foreign key of a tenant-owned table. ``db_index=False`` only where
    another index already starts with it (every extra index costs each write of the row)."""
    return models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=db_index,
        verbose_name=_("workspace"),
    )


class TenantOwned(models.Model):
    tenant = tenant_key()

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True
