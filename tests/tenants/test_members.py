import pytest
from django.urls import reverse
from django_scopes import scope

from apps.tenants.models import Membership, Role
from tests.factories import TenantFactory, member
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def url(name, tenant, **kwargs):
    return reverse(f"tenants:{name}", kwargs={"slug": tenant.slug, **kwargs})


@pytest.fixture
def team():
    tenant = TenantFactory()
    return {
        "tenant": tenant,
        "owner": member(tenant, Role.OWNER),
        "admin": member(tenant, Role.ADMIN),
        "operator": member(tenant, Role.OPERATOR),
    }


def role_of(m: Membership) -> str | None:
    with scope(tenant=m.tenant):
        found = Membership.objects.filter(pk=m.pk).first()
        return found.role if found else None


def test_admin_changes_operator_role(client, team):
    client.force_login(team["admin"].user)
    response = client.post(
        url("member_role", team["tenant"], member_id=team["operator"].pk), {"role": "admin"}
    )
    assert response.status_code == 302
    assert role_of(team["operator"]) == Role.ADMIN
    page = client.get(response.url)
    assert "is now Admin" in page.content.decode()


@pytest.mark.parametrize(
    "path",
    ["settings", "member_invite", "member_role", "invitation_revoke"],
)
def test_operator_cannot_manage(client, team, path):
    client.force_login(team["operator"].user)
    kwargs = {}
    if path == "member_role":
        kwargs = {"member_id": team["admin"].pk}
    if path == "invitation_revoke":
        kwargs = {"invitation_id": 1}
    response = client.post(url(path, team["tenant"], **kwargs), {"role": "owner", "email": "x@y.z"})
    assert response.status_code == 403
    assert "You can't do that here" in page_text(response)
    assert role_of(team["admin"]) == Role.ADMIN


def test_operator_cannot_remove_others_but_may_leave(client, team):
    client.force_login(team["operator"].user)
    denied = client.post(url("member_remove", team["tenant"], member_id=team["admin"].pk))
    assert denied.status_code == 403
    assert role_of(team["admin"]) == Role.ADMIN
    left = client.post(url("member_remove", team["tenant"], member_id=team["operator"].pk))
    assert left.status_code == 302
    assert left["Location"] == reverse("tenants:home")
    assert role_of(team["operator"]) is None


def test_operator_sees_members_without_controls(client, team):
    client.force_login(team["operator"].user)
    body = client.get(url("members", team["tenant"])).content.decode()
    assert team["owner"].user.email in body
    assert "Change role" not in body and "Send invitation" not in body


def test_admin_cannot_touch_owner(client, team):
    client.force_login(team["admin"].user)
    demote = client.post(
        url("member_role", team["tenant"], member_id=team["owner"].pk), {"role": "operator"}
    )
    promote = client.post(
        url("member_role", team["tenant"], member_id=team["operator"].pk), {"role": "owner"}
    )
    remove = client.post(url("member_remove", team["tenant"], member_id=team["owner"].pk))
    assert {demote.status_code, promote.status_code, remove.status_code} == {403}
    assert role_of(team["owner"]) == Role.OWNER
    assert role_of(team["operator"]) == Role.OPERATOR


def test_last_owner_cannot_be_demoted_or_removed(client, team):
    client.force_login(team["owner"].user)
    demote = client.post(
        url("member_role", team["tenant"], member_id=team["owner"].pk), {"role": "admin"}
    )
    assert demote.status_code == 400
    assert "at least one owner" in demote.content.decode()
    leave = client.post(url("member_remove", team["tenant"], member_id=team["owner"].pk))
    assert leave.status_code == 400
    assert "last owner cannot be removed" in leave.content.decode()
    assert role_of(team["owner"]) == Role.OWNER


def test_owner_can_hand_over_ownership_then_step_down(client, team):
    client.force_login(team["owner"].user)
    tenant = team["tenant"]
    client.post(url("member_role", tenant, member_id=team["admin"].pk), {"role": "owner"})
    response = client.post(
        url("member_role", tenant, member_id=team["owner"].pk), {"role": "admin"}
    )
    assert response.status_code == 302
    assert role_of(team["admin"]) == Role.OWNER
    assert role_of(team["owner"]) == Role.ADMIN


def test_invalid_role_is_a_clear_error(client, team):
    client.force_login(team["owner"].user)
    response = client.post(
        url("member_role", team["tenant"], member_id=team["operator"].pk), {"role": "king"}
    )
    assert response.status_code == 400
    assert "Choose a valid role." in response.content.decode()
    assert role_of(team["operator"]) == Role.OPERATOR


def test_workspace_settings_save_and_validate(client, team):
    client.force_login(team["admin"].user)
    tenant = team["tenant"]
    bad = client.post(
        url("settings", tenant),
        {"name": "", "timezone": "Mars/Olympus", "default_language": "tr"},
    )
    assert bad.status_code == 400
    tenant.refresh_from_db()
    assert tenant.default_language == "en"
    good = client.post(
        url("settings", tenant),
        {"name": "Renamed", "timezone": "Europe/Istanbul", "default_language": "tr"},
    )
    assert good.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.timezone, tenant.default_language) == (
        "Renamed",
        "Europe/Istanbul",
        "tr",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    """Real concurrency on PostgreSQL: the owner rows are locked, so two simultaneous
    demotions cannot both pass the 'at least one owner' check."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from apps.tenants import services

    tenant = TenantFactory()
    a, b = member(tenant, Role.OWNER), member(tenant, Role.OWNER)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor: Membership, target: Membership) -> None:
        try:
            with scope(tenant=tenant):
                barrier.wait()
                services.membership_change_role(actor=actor, membership=target, role="admin")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(a, a)),
        threading.Thread(target=demote, args=(b, b)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes) == ["ok", "refused"]
    with scope(tenant=tenant):
        assert Membership.objects.filter(tenant=tenant, role=Role.OWNER).count() == 1
