"""The chat window's auto-open setting (Widget settings: open after N seconds on pages whose
address contains some text) becomes a rule of the same effect: "the visitor stays on a page
for N seconds" -> open the chat window, with the page condition when there was one. Runs
before the widget settings lose their auto-open fields."""

from django.db import migrations
from django.db.models import F

NAME = {"tr": "Sohbeti sayfada kendiliğinden aç", "en": "Open the chat on pages by itself"}


def forward(apps, schema_editor):
    WidgetSettings = apps.get_model("tenants", "WidgetSettings")
    Rule = apps.get_model("automation", "Rule")
    for ws in WidgetSettings.objects.filter(auto_open="delay").select_related("tenant"):
        items = []
        if ws.auto_open_url_contains:
            items.append({"field": "page", "op": "contains", "value": ws.auto_open_url_contains})
        Rule.objects.filter(tenant_id=ws.tenant_id).update(position=F("position") + 1)
        Rule.objects.create(
            tenant_id=ws.tenant_id,
            name=NAME.get(ws.tenant.default_language, NAME["en"]),
            enabled=True,
            position=0,
            trigger="page_time",
            trigger_value=max(1, ws.auto_open_delay),
            conditions={"match": "all", "items": items},
            actions=[{"type": "open_widget"}],
        )


def backward(apps, schema_editor):
    WidgetSettings = apps.get_model("tenants", "WidgetSettings")
    Rule = apps.get_model("automation", "Rule")
    for rule in Rule.objects.filter(trigger="page_time", actions=[{"type": "open_widget"}]):
        items = rule.conditions.get("items", [])
        url = items[0]["value"] if len(items) == 1 and items[0].get("field") == "page" else ""
        WidgetSettings.objects.filter(tenant_id=rule.tenant_id).update(
            auto_open="delay", auto_open_delay=rule.trigger_value, auto_open_url_contains=url
        )
        rule.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0001_initial"),
        ("tenants", "0006_widget_settings_edited_at"),
    ]
    run_before = [("tenants", "0007_widget_auto_open_is_a_rule")]

    operations = [migrations.RunPython(forward, backward)]
