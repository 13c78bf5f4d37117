"""The demo workspace's examples of automation (``manage.py seed_demo``): a rule that labels
VIP customers' chats, and one that offers help after 30 seconds on the demo shop's pricing
page. Made once: an admin's later changes and deletions are kept."""

from apps.automation import services
from apps.automation.models import Rule
from apps.conversations.models import Label


def seed(tenant) -> None:
    if Rule.objects.exists():
        return
    vip, _created = Label.objects.get_or_create(
        tenant=tenant, name="VIP", defaults={"color": "#d97706"}
    )
    services.rule_save(
        tenant_id=tenant.pk,
        data={
            "name": "VIP customers",
            "trigger": Rule.Trigger.CONVERSATION_CREATED,
            "conditions": {
                "match": "all",
                "items": [{"field": "attribute", "name": "plan", "op": "equals", "value": "vip"}],
            },
            "actions": [{"type": "label_add", "label": vip.pk}],
        },
    )
    services.rule_save(
        tenant_id=tenant.pk,
        data={
            "name": "Help on the pricing page",
            "trigger": Rule.Trigger.PAGE_TIME,
            "trigger_value": 30,
            "conditions": {
                "match": "all",
                "items": [{"field": "page", "op": "contains", "value": "page=pricing"}],
            },
            "actions": [
                {
                    "type": "open_widget",
                    "text": {
                        "en": "Comparing prices? Ask us about sizes, delivery or bulk orders.",
                        "tr": "Fiyatları mı karşılaştırıyorsunuz? Beden, teslimat ya da toplu "
                        "sipariş hakkında bize sorun.",
                    },
                }
            ],
        },
    )
