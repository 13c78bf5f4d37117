"""A team may have business hours of its own (e.g. weekend support); without them it follows
the workspace's. The workspace's switch and closed days hold for every team."""

import pytest
from django_scopes import scope

from apps.offline import selectors, services
from apps.offline.services import HoursError
from apps.tenants.models import Role, Team
from tests.factories import TenantFactory, member
from tests.offline.helpers import WEEKDAYS_9_TO_6, set_hours, utc, workspace

pytestmark = pytest.mark.django_db

SATURDAY_NOON = utc(2026, 4, 11, 9)  # 12:00 in Istanbul
MONDAY_NOON = utc(2026, 4, 13, 9)


def team_of(tenant, name="Weekend"):
    with scope(tenant=tenant):
        return Team.objects.create(tenant=tenant, name=name)


def state(tenant, now, team=None):
    with scope(tenant=tenant):
        return selectors.availability(
            tenant=tenant, now=now, team_id=team.pk if team else None
        ).state


def test_a_team_with_its_own_hours_is_open_when_the_workspace_is_not():
    tenant, admin = workspace("Europe/Istanbul")
    weekend, sales = team_of(tenant), team_of(tenant, "Sales")
    set_hours(admin, WEEKDAYS_9_TO_6)
    with scope(tenant=tenant):
        services.team_hours_update(
            membership=admin, team_id=weekend.pk, own=True, intervals=[(5, "10:00", "16:00")]
        )
        assert selectors.teams_with_own_hours(tenant=tenant) == {weekend.pk}
    assert state(tenant, SATURDAY_NOON) == "closed"
    assert state(tenant, SATURDAY_NOON, weekend) == "open"
    assert state(tenant, MONDAY_NOON, weekend) == "closed"
    assert state(tenant, SATURDAY_NOON, sales) == "closed"  # follows the workspace
    assert state(tenant, MONDAY_NOON, sales) == "open"

    # Back to the workspace's hours.
    with scope(tenant=tenant):
        services.team_hours_update(membership=admin, team_id=weekend.pk, own=False)
    assert state(tenant, SATURDAY_NOON, weekend) == "closed"
    assert state(tenant, MONDAY_NOON, weekend) == "open"


def test_the_workspace_switch_and_closed_days_hold_for_teams():
    tenant, admin = workspace("Europe/Istanbul")
    weekend = team_of(tenant)
    set_hours(admin, WEEKDAYS_9_TO_6, closed=[("2026-04-11", "Bahar şenliği")])
    with scope(tenant=tenant):
        services.team_hours_update(
            membership=admin, team_id=weekend.pk, own=True, intervals=[(5, "10:00", "16:00")]
        )
    assert state(tenant, SATURDAY_NOON, weekend) == "closed"  # a closed day for everyone
    set_hours(admin, WEEKDAYS_9_TO_6, enabled=False)
    assert state(tenant, SATURDAY_NOON, weekend) == "always"


def test_bad_team_hours_are_refused_and_change_nothing():
    tenant, admin = workspace("Europe/Istanbul")
    weekend = team_of(tenant)
    operator = member(tenant, Role.OPERATOR)
    other_team = team_of(TenantFactory())
    with scope(tenant=tenant):
        saturday = [(5, "10:00", "16:00")]
        for kwargs, code in [
            ({"team_id": weekend.pk, "own": True, "intervals": []}, "no_hours"),
            ({"team_id": weekend.pk, "own": True, "intervals": [(5, "16:00", "10:00")]}, "invalid"),
            ({"team_id": other_team.pk, "own": True, "intervals": saturday}, "not_found"),
            ({"team_id": "x", "own": False}, "not_found"),
        ]:  # fmt: skip
            with pytest.raises(HoursError) as refused:
                services.team_hours_update(membership=admin, **kwargs)
            assert refused.value.code == code
        with pytest.raises(HoursError) as refused:
            services.team_hours_update(
                membership=operator, team_id=weekend.pk, own=True, intervals=saturday
            )
        assert refused.value.code == "forbidden"
        assert selectors.teams_with_own_hours(tenant=tenant) == set()
