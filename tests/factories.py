import functools

import factory
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django_scopes import scope

from apps.tenants.models import Membership, Role, Tenant, User

PASSWORD = "correct-horse-battery-9"


@functools.cache
def password_hash(raw: str) -> str:
    """``raw`` hashed as production hashes it (Argon2 at its settings' cost, not the tests' quick
    one: a server verifies it as it is), once per test run: most tests create users who never
    type a password. Logging in still verifies against this real hash."""
    return make_password(raw, hasher=Argon2PasswordHasher())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        """``UserFactory(password="…")`` sets another password than ``PASSWORD``."""
        obj.password = password_hash(extracted or PASSWORD)
        if create:
            obj.save()


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OPERATOR

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scope(tenant=kwargs["tenant"]):
            return super()._create(model_class, *args, **kwargs)


def member(tenant: Tenant, role: str = Role.OPERATOR, **user_kwargs) -> Membership:
    return MembershipFactory(tenant=tenant, role=role, user=UserFactory(**user_kwargs))


def signed_identity(secret: str, user_id: str, **claims: str) -> dict:
    """The fields of an ``identify`` call as the workspace's server signs them
    (docs/embedding.md): the user id and each claim (``email``, ``name``) with its signature."""
    from apps.visitors.services import claim_hash, identity_hash

    fields = {"user_id": user_id, "user_hash": identity_hash(secret=secret, user_id=user_id)}
    for field, value in claims.items():
        fields[field] = value
        fields[f"{field}_hash"] = claim_hash(
            secret=secret, user_id=user_id, field=field, value=value
        )
    return fields
