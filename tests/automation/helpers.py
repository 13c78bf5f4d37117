"""A workspace with automation rules, a team, labels and a visitor who writes."""

import uuid

from django_scopes import scope

from apps.automation import services
from apps.automation.models import Firing, Rule
from apps.conversations import services as conversation_services
from apps.conversations.models import Activity, Conversation, Label, Message
from apps.tenants.models import Role, Team
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, member


class Workspace:
    def __init__(self, *, name: str = "Lale Home", language: str = "tr-TR"):
        self.tenant = TenantFactory(name=name)
        self.admin = member(self.tenant, Role.ADMIN, full_name="Ayşe Kaya")
        with scope(tenant=self.tenant):
            self.team = Team.objects.create(tenant=self.tenant, name="Returns")
            self.labels = {
                n: Label.objects.create(tenant=self.tenant, name=n)
                for n in ("iade", "VIP", "a", "b")
            }
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

    def rule(self, **data) -> Rule:
        data.setdefault("name", "A rule")
        with scope(tenant=self.tenant):
            return services.rule_save(tenant_id=self.tenant.pk, data=data)

    def label(self, name: str) -> int:
        return self.labels[name].pk

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

    def visitor_conversation(self) -> Conversation:
        with scope(tenant=self.tenant):
            return Conversation.objects.filter(visitor=self.visitor).latest("id")

    def fresh(self) -> Conversation:
        with scope(tenant=self.tenant):
            return Conversation.objects.get(pk=self.conversation.pk)

    def label_names(self) -> set[str]:
        with scope(tenant=self.tenant):
            return set(self.fresh().labels.values_list("name", flat=True))

    def messages(self, sender: str) -> list[Message]:
        with scope(tenant=self.tenant):
            return list(
                Message.objects.filter(conversation=self.conversation, sender=sender).order_by("id")
            )

    def notes(self) -> list[Activity]:
        with scope(tenant=self.tenant):
            return list(
                Activity.objects.filter(conversation=self.conversation, kind="note").order_by("id")
            )

    def firings(self, rule: Rule | None = None) -> list[Firing]:
        with scope(tenant=self.tenant):
            found = Firing.objects.order_by("id")
            if rule is not None:
                found = found.filter(rule=rule)
            return list(found)

    def fresh_rule(self, rule: Rule) -> Rule:
        with scope(tenant=self.tenant):
            return Rule.objects.get(pk=rule.pk)
