"""The shared kernel's model pieces.

``TenantOwned`` is the base of every tenant-owned table: a ``tenant`` foreign key (indexed) and a
default manager that refuses to run a query unless a workspace scope is active
(``django_scopes.scope(tenant=...)``). Code that really works across workspaces (Django admin,
platform jobs) says so with ``django_scopes.scopes_disabled()``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class TenantOwned(models.Model):
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=True,
        verbose_name=_("workspace"),
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True
