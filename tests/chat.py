"""A workspace with an admin and a visitor who writes, through the one message service: the
common ground of the tests of the apps that react to messages (automation, the bot)."""

import uuid

from django_scopes import scope

from apps.conversations import services as conversation_services
from apps.conversations.models import Activity, Conversation, Message
from apps.tenants.models import Role
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, member


class Chat:
    def __init__(self, *, name: str = "Lale Home", language: str = "tr-TR"):
        self.tenant = TenantFactory(name=name)
        self.admin = member(self.tenant, Role.ADMIN, full_name="Ayşe Kaya")
        self.visitor = self.new_visitor(language=language)
        self.conversation = None

    def new_visitor(self, *, language: str = "tr-TR", page: str | None = None):
        with scope(tenant=self.tenant):
            return visit_start(
                tenant=self.tenant,
                token=None,
                ip="10.0.0.1",
                language=language,
                tz="Europe/Istanbul",
                page={"url": page} if page else None,
            ).visitor

    def writes(self, body: str, visitor=None) -> Message:
        with scope(tenant=self.tenant):
            result = conversation_services.message_create(
                sender="visitor",
                visitor=visitor or self.visitor,
                client_id=uuid.uuid4().hex,
                body=body,
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

    def messages(self, sender: str) -> list[Message]:
        with scope(tenant=self.tenant):
            return list(
                Message.objects.filter(conversation=self.conversation, sender=sender).order_by("id")
            )

    def activities(self, kind: str) -> list[Activity]:
        with scope(tenant=self.tenant):
            return list(
                Activity.objects.filter(conversation=self.conversation, kind=kind).order_by("id")
            )
