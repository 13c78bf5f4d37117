"""Every tenant-owned model refuses to query without a workspace scope (fails closed).

The walk covers every installed model, so models added later are checked automatically.
"""

import pytest
from django.apps import apps
from django.db import models
from django_scopes import ScopeError, scope

from apps.core.models import TenantOwned
from apps.tenants.models import Tenant
from tests.factories import TenantFactory, member


def tenant_owned_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        has_tenant_fk = any(
            isinstance(f, models.ForeignKey) and f.related_model is Tenant
            for f in model._meta.get_fields()
            if f.concrete
        )
        if has_tenant_fk:
            found.append(model)
    return found


def test_there_are_tenant_owned_models_to_check():
    names = {m.__name__ for m in tenant_owned_models()}
    assert {"Membership", "Invitation"} <= names


@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda m: m._meta.label)
def test_tenant_owned_model_uses_the_scoped_base(model):
    assert issubclass(model, TenantOwned), (
        f"{model._meta.label} points at Tenant but does not inherit TenantOwned"
    )
    # Every look-up by workspace has an index: the key's own, or one that starts with it
    # (the conversation drops its own for that reason).
    leading = [index.fields[0].lstrip("-") for index in model._meta.indexes if index.fields] + [
        constraint.fields[0]
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    assert model._meta.get_field("tenant").db_index or "tenant" in leading


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda m: m._meta.label)
def test_query_without_scope_raises(model):
    TenantFactory()
    with pytest.raises(ScopeError):
        list(model._default_manager.all())
    with pytest.raises(ScopeError):
        model._default_manager.count()
    with pytest.raises(ScopeError):
        list(model.objects.filter(pk=1))


@pytest.mark.django_db
def test_scope_limits_rows_to_the_workspace():
    a, b = TenantFactory(), TenantFactory()
    member(a), member(a), member(b)
    from apps.tenants.models import Membership

    with scope(tenant=a):
        assert Membership.objects.count() == 2
        assert {m.tenant_id for m in Membership.objects.all()} == {a.id}
    with scope(tenant=b):
        assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_reverse_relation_from_user_is_scoped_too():
    m = member(TenantFactory())
    with pytest.raises(ScopeError):
        list(m.user.memberships.all())
