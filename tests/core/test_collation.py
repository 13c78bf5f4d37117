"""Labels, teams and members are listed in Turkish alphabetical order (apps/core/collation.py),
whatever the database's collation (``C.UTF-8`` puts "Çiçek" and "İnci" after "Zeytin")."""

import pytest
from django.urls import reverse
from django_scopes import scope

from apps.conversations import selectors
from apps.conversations.models import Label
from apps.core.collation import turkish_key
from apps.tenants.models import Role, Team
from tests.factories import TenantFactory, member

NAMES = ["Zeytin", "çanta", "İnci", "ılık", "Işık", "iade", "avukat", "Şeker", "sarı", "Cam"]
TURKISH_ORDER = [
    "avukat",
    "Cam",
    "çanta",
    "ılık",
    "Işık",
    "iade",
    "İnci",
    "sarı",
    "Şeker",
    "Zeytin",
]


def test_the_key_follows_the_turkish_alphabet():
    assert sorted(NAMES, key=turkish_key) == TURKISH_ORDER
    assert sorted(["Ödeme", "oda", "Ürün", "uçak", "Gül", "ğ", "hat"], key=turkish_key) == [
        "Gül", "ğ", "hat", "oda", "Ödeme", "uçak", "Ürün",
    ]  # fmt: skip
    assert sorted(["Âdem", "Bora", "avcı", "12 Mart"], key=turkish_key) == [
        "12 Mart", "Âdem", "avcı", "Bora",
    ]  # fmt: skip


@pytest.mark.django_db
def test_labels_teams_and_members_are_listed_in_turkish_order(client):
    tenant = TenantFactory()
    with scope(tenant=tenant):
        admin = member(tenant, Role.ADMIN, full_name="Ömer Zengin")
        for name in NAMES:
            Label.objects.create(tenant=tenant, name=name)
            Team.objects.create(tenant=tenant, name=name)
        member(tenant, full_name="Çağla Aydın")
        member(tenant, full_name="İlknur Bilgin")
        member(tenant, full_name="Cem Işık")
        people = ["Cem Işık", "Çağla Aydın", "İlknur Bilgin", "Ömer Zengin"]

        assert [label["name"] for label in selectors.labels_payload()] == TURKISH_ORDER
        roster = selectors.roster(tenant=tenant)
        assert [team["name"] for team in roster["teams"]] == TURKISH_ORDER
        assert [m["name"] for m in roster["members"]] == people

    client.force_login(admin.user)
    labels = client.get(reverse("inbox_settings:labels", kwargs={"slug": tenant.slug}))
    assert [label.name for label in labels.context["labels"]] == TURKISH_ORDER
    teams = client.get(reverse("inbox_settings:teams", kwargs={"slug": tenant.slug}))
    assert [team.name for team in teams.context["teams"]] == TURKISH_ORDER
    assert [row["member"].user.full_name for row in teams.context["rows"]] == people
    members = client.get(reverse("tenants:members", kwargs={"slug": tenant.slug}))
    assert [m.user.full_name for m in members.context["members"]] == people
