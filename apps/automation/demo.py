"""The demo workspace's examples of automation (``manage.py seed_demo``): a welcome flow
(order status, returns, talk to a person) that the welcome message's "Help with an order"
button starts, a rule that labels VIP customers' chats, and one that offers help after 30
seconds on the demo shop's pricing page. Made once: an admin's later changes and deletions are
kept."""

from apps.automation import services
from apps.automation.models import Flow, Rule
from apps.conversations.models import Label
from apps.tenants.models import Team


def _t(en: str, tr: str) -> dict:
    return {"en": en, "tr": tr}


def welcome_flow(team_id: int | None) -> dict:
    handoff = {
        "id": "person",
        "type": "handoff",
        "text": _t(
            "I am passing you to the team: someone will answer here shortly.",
            "Sizi ekibe aktarıyorum: birazdan biri burada yanıt verecek.",
        ),
    }
    if team_id is not None:
        handoff["team"] = team_id
    return {
        "start": "welcome",
        "steps": [
            {
                "id": "welcome",
                "type": "buttons",
                "text": _t("How can we help you today?", "Size bugün nasıl yardımcı olabiliriz?"),
                "buttons": [
                    {"label": _t("Order status", "Sipariş durumu"), "next": "order"},
                    {"label": _t("Returns", "İade"), "next": "email"},
                    {"label": _t("Talk to a person", "Bir kişiyle konuşun"), "next": "person"},
                ],
            },
            {
                "id": "order",
                "type": "input",
                "kind": "number",
                "attribute": "order_number",
                "text": _t("What is your order number?", "Sipariş numaranız nedir?"),
                "next": "shipped",
            },
            {
                "id": "shipped",
                "type": "buttons",
                "text": _t(
                    "Thanks! Orders ship within 1-2 working days, and the tracking link is in "
                    "the shipping email. Did that help?",
                    "Teşekkürler! Siparişler 1-2 iş günü içinde kargoya verilir; takip "
                    "bağlantısı kargo e-postasındadır. Yardımcı oldu mu?",
                ),
                "buttons": [
                    {"label": _t("Yes, thanks", "Evet, teşekkürler"), "next": "bye"},
                    {"label": _t("Talk to a person", "Bir kişiyle konuşun"), "next": "person"},
                ],
            },
            {
                "id": "email",
                "type": "input",
                "kind": "email",
                "attribute": "email",
                "text": _t(
                    "Which email address did you order with?",
                    "Siparişi hangi e-posta adresiyle verdiniz?",
                ),
                "next": "reason",
            },
            {
                "id": "reason",
                "type": "buttons",
                "text": _t("Why would you like to return it?", "Neden iade etmek istiyorsunuz?"),
                "buttons": [
                    {"label": _t("Wrong size", "Beden olmadı"), "next": "person"},
                    {"label": _t("It arrived damaged", "Hasarlı geldi"), "next": "person"},
                    {"label": _t("Changed my mind", "Vazgeçtim"), "next": "person"},
                ],
            },
            handoff,
            {"id": "bye", "type": "end", "text": _t("Glad to help!", "Ne mutlu bize!")},
        ],
    }


def seed(tenant) -> None:
    if Rule.objects.exists() or Flow.objects.exists():
        return
    support = Team.objects.filter(name="Support").first()
    flow = services.flow_save(
        tenant_id=tenant.pk,
        data={
            "key": "welcome",
            "name": "Welcome",
            "definition": welcome_flow(support.pk if support else None),
            # A button of the welcome message: a visitor who types a question instead gets the
            # bot's answer (apps/bot/demo.py) or a person, not the flow's first question.
            "welcome_label": _t("Help with an order", "Siparişimle ilgili yardım"),
        },
    )
    services.flow_publish(flow=flow)
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
