"""The chat window's former auto-open setting became a rule: a workspace that opened the chat
after N seconds on matching pages keeps doing so, through Automation."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from apps.automation.models import Rule

pytestmark = pytest.mark.django_db(transaction=True)


def test_auto_open_after_a_delay_becomes_a_page_time_rule_and_click_stays_as_it_was():
    executor = MigrationExecutor(connection)
    before = [("automation", "0001_initial"), ("tenants", "0006_widget_settings_edited_at")]
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        Tenant = old.get_model("tenants", "Tenant")
        WidgetSettings = old.get_model("tenants", "WidgetSettings")
        delayed = Tenant.objects.create(name="Lale", slug="lale", default_language="tr")
        WidgetSettings.objects.create(
            tenant=delayed, auto_open="delay", auto_open_delay=12, auto_open_url_contains="/fiyat"
        )
        everywhere = Tenant.objects.create(name="Everywhere", slug="everywhere")
        WidgetSettings.objects.create(tenant=everywhere, auto_open="delay", auto_open_delay=0)
        clicked = Tenant.objects.create(name="Click", slug="click")
        WidgetSettings.objects.create(tenant=clicked, auto_open="click")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    with scopes_disabled():
        [rule] = Rule.objects.filter(tenant_id=delayed.pk)
        [anywhere] = Rule.objects.filter(tenant_id=everywhere.pk)
        assert not Rule.objects.filter(tenant_id=clicked.pk).exists()
    assert rule.name == "Sohbeti sayfada kendiliğinden aç" and rule.enabled
    assert (rule.trigger, rule.trigger_value) == ("page_time", 12)
    assert rule.conditions == {
        "match": "all",
        "items": [{"field": "page", "op": "contains", "value": "/fiyat"}],
    }
    assert rule.actions == [{"type": "open_widget"}]
    assert (anywhere.trigger_value, anywhere.conditions["items"]) == (1, [])
