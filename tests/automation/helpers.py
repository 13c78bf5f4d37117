"""A workspace with automation rules, a team, labels and a visitor who writes."""

from django_scopes import scope

from apps.automation import services
from apps.automation.models import Firing, Rule
from apps.conversations.models import Activity, Conversation, Label
from apps.tenants.models import Team
from tests.chat import Chat


class Workspace(Chat):
    def __init__(self, *, name: str = "Lale Home", language: str = "tr-TR"):
        super().__init__(name=name, language=language)
        with scope(tenant=self.tenant):
            self.team = Team.objects.create(tenant=self.tenant, name="Returns")
            self.labels = {
                n: Label.objects.create(tenant=self.tenant, name=n)
                for n in ("iade", "VIP", "a", "b")
            }

    def rule(self, **data) -> Rule:
        data.setdefault("name", "A rule")
        with scope(tenant=self.tenant):
            return services.rule_save(tenant_id=self.tenant.pk, data=data)

    def label(self, name: str) -> int:
        return self.labels[name].pk

    def visitor_conversation(self) -> Conversation:
        with scope(tenant=self.tenant):
            return Conversation.objects.filter(visitor=self.visitor).latest("id")

    def label_names(self) -> set[str]:
        with scope(tenant=self.tenant):
            return set(self.fresh().labels.values_list("name", flat=True))

    def notes(self) -> list[Activity]:
        return self.activities("note")

    def firings(self, rule: Rule | None = None) -> list[Firing]:
        with scope(tenant=self.tenant):
            found = Firing.objects.order_by("id")
            if rule is not None:
                found = found.filter(rule=rule)
            return list(found)

    def fresh_rule(self, rule: Rule) -> Rule:
        with scope(tenant=self.tenant):
            return Rule.objects.get(pk=rule.pk)
