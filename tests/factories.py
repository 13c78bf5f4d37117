import factory
from django_scopes import scope

from apps.tenants.models import Membership, Role, Tenant, User

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
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
