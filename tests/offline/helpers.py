"""Shared set-up for the business hours tests."""

import datetime

from django_scopes import scope

from apps.offline import selectors, services
from apps.tenants.models import Role
from tests.factories import TenantFactory, member

UTC = datetime.UTC


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def workspace(zone: str, **kwargs):
    """A workspace in ``zone`` and its admin."""
    tenant = TenantFactory(timezone=zone, **kwargs)
    return tenant, member(tenant, Role.ADMIN)


def set_hours(admin, intervals, *, enabled=True, reply_minutes=None, closed=()):
    with scope(tenant=admin.tenant):
        services.hours_update(
            membership=admin, enabled=enabled, intervals=intervals, reply_minutes=reply_minutes
        )
        for date, name in closed:
            services.closed_date_add(membership=admin, date=date, name=name)


def at(tenant, now):
    with scope(tenant=tenant):
        return selectors.availability(tenant=tenant, now=now)


WEEKDAYS_9_TO_6 = [(day, "09:00", "18:00") for day in range(5)]
