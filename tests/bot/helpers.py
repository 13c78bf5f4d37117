"""A workspace with a small bilingual knowledge base and a bot, and a visitor who writes."""

import json
import uuid

from django_scopes import scope

from apps.bot import services
from apps.bot.models import Answer
from apps.conversations import services as conversation_services
from apps.conversations.models import Activity, Conversation, Message
from apps.tenants.models import Role
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, member

KB = [
    {
        "id": "returns",
        "question_en": "How do I return an item?",
        "variants_en": ["Can I send back what I bought?"],
        "answer_en": "Start a return within 30 days at https://shop.example/returns.",
        "question_tr": "Bir ürünü nasıl iade ederim?",
        "variants_tr": ["Aldığım ürünü geri gönderebilir miyim?"],
        "answer_tr": "İadeyi 30 gün içinde https://shop.example/iade adresinden başlatın.",
        "tags": ["returns"],
    },
    {
        "id": "tracking",
        "question_en": "Where is my order?",
        "variants_en": ["How can I track my order?"],
        "answer_en": "Your tracking link is in the shipping email.",
        "question_tr": "Siparişim nerede?",
        "variants_tr": ["Siparişimi nasıl takip ederim?"],
        "answer_tr": "Kargo takip bağlantısı kargo e-postasında.",
        "tags": ["orders"],
    },
    {
        "id": "installments",
        "question_en": "Can I pay in installments?",
        "answer_en": "Yes, up to 6 installments with credit cards.",
        "question_tr": "Taksitle ödeyebilir miyim?",
        "variants_tr": ["Kredi kartına taksit var mı?"],
        "answer_tr": "Evet, kredi kartlarına 6 taksite kadar.",
        "tags": ["payment"],
    },
]


class BotChat:
    """A workspace whose bot answers (``mode``), its admin, and a visitor."""

    def __init__(self, *, mode: str = "always", language: str = "en-GB", kb=KB):
        self.tenant = TenantFactory(name="Lale Home")
        self.admin = member(self.tenant, Role.ADMIN, full_name="Ayşe Kaya")
        with scope(tenant=self.tenant):
            if kb:
                report = services.entries_import(
                    tenant_id=self.tenant.pk, raw=_json(kb), kind="json"
                )
                assert report.ok, report.errors
            services.bot_settings_update(tenant_id=self.tenant.pk, mode=mode, name="Lale")
            self.visitor = visit_start(
                tenant=self.tenant,
                token=None,
                ip="10.0.0.1",
                language=language,
                tz="Europe/Istanbul",
            ).visitor
        self.conversation = None

    def writes(self, body: str) -> Message:
        with scope(tenant=self.tenant):
            result = conversation_services.message_create(
                sender="visitor", visitor=self.visitor, client_id=uuid.uuid4().hex, body=body
            )
        self.conversation = result.conversation
        return result.message

    def operator_writes(self, body: str) -> Message:
        with scope(tenant=self.tenant):
            return conversation_services.message_create(
                sender="operator",
                author=self.admin.user,
                conversation=self.conversation,
                client_id=uuid.uuid4().hex,
                body=body,
            ).message

    def fresh(self) -> Conversation:
        with scope(tenant=self.tenant):
            return Conversation.objects.get(pk=self.conversation.pk)

    def bot_messages(self) -> list[Message]:
        with scope(tenant=self.tenant):
            return list(
                Message.objects.filter(conversation=self.conversation, sender="bot").order_by("id")
            )

    def answers(self) -> list[Answer]:
        with scope(tenant=self.tenant):
            return list(Answer.objects.filter(conversation=self.conversation).order_by("id"))

    def handoffs(self) -> list[Activity]:
        with scope(tenant=self.tenant):
            return list(
                Activity.objects.filter(conversation=self.conversation, kind="handoff").order_by(
                    "id"
                )
            )

    def press(self, message: Message, action: str) -> dict:
        with scope(tenant=self.tenant):
            return services.feedback(visitor=self.visitor, message_id=message.pk, action=action)


def _json(rows) -> str:
    return json.dumps(rows, ensure_ascii=False)
