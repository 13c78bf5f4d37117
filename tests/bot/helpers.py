"""A workspace with a small bilingual knowledge base and a bot, and a visitor who writes."""

import json

from django_scopes import scope

from apps.bot import services
from apps.bot.models import Answer
from apps.conversations.models import Activity, Message
from tests.chat import Chat

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


class BotChat(Chat):
    """A workspace whose bot answers (``mode``), its admin, and a visitor."""

    def __init__(self, *, mode: str = "always", language: str = "en-GB", kb=KB):
        super().__init__(language=language)
        with scope(tenant=self.tenant):
            if kb:
                report = services.entries_import(
                    tenant_id=self.tenant.pk, raw=_json(kb), kind="json"
                )
                assert report.ok, report.errors
            services.bot_settings_update(tenant_id=self.tenant.pk, mode=mode, name="Lale")

    def bot_messages(self) -> list[Message]:
        return self.messages("bot")

    def answers(self) -> list[Answer]:
        with scope(tenant=self.tenant):
            return list(Answer.objects.filter(conversation=self.conversation).order_by("id"))

    def handoffs(self) -> list[Activity]:
        return self.activities("handoff")

    def press(self, message: Message, action: str) -> dict:
        with scope(tenant=self.tenant):
            return services.feedback(visitor=self.visitor, message_id=message.pk, action=action)

    def choose(self, message: Message, entry: str, visitor=None) -> dict:
        """The visitor presses the suggestion ``entry`` under the bot's ``message``."""
        with scope(tenant=self.tenant):
            return services.suggestion_choose(
                visitor=visitor or self.visitor, message_id=message.pk, entry=entry
            )


def _json(rows) -> str:
    return json.dumps(rows, ensure_ascii=False)
