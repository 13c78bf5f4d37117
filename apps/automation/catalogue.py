"""What the rule editor offers, in the admin's language: triggers, condition fields with their
operators and values, action types, and the workspace's labels, teams and members to choose
from. One JSON document the editor's script draws from (``static/automation/editor.js``)."""

from django.conf import settings
from django.utils.translation import gettext as _

from apps.automation import actions, conditions
from apps.automation.models import Flow, Rule
from apps.conversations.models import Conversation, Label
from apps.tenants.models import Membership, Team

UNITS = {Rule.Trigger.NO_REPLY: "minutes", Rule.Trigger.PAGE_TIME: "seconds"}


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices]


def editor_catalogue(*, tenant_id: int) -> dict:
    members = Membership.objects.filter(tenant_id=tenant_id).select_related("user")
    return {
        "triggers": [
            {"value": value, "label": str(label), "unit": UNITS.get(value)}
            for value, label in Rule.Trigger.choices
        ],
        "fields": [
            {
                "name": name,
                "label": str(spec.label),
                "kind": spec.kind,
                "ops": [{"value": op, "label": str(conditions.OPS[op])} for op in spec.ops],
                "valueless": [op for op in spec.ops if op in conditions.VALUELESS],
            }
            for name, spec in conditions.FIELDS.items()
        ],
        "actions": [
            {"value": value, "label": str(kind.label)} for value, kind in actions.KINDS.items()
        ],
        "labels": [
            {"value": label.pk, "label": label.name} for label in Label.objects.order_by("name")
        ],
        "teams": [{"value": team.pk, "label": team.name} for team in Team.objects.order_by("name")],
        "flows": [{"value": f.key, "label": f.name} for f in Flow.objects.order_by("name")],
        "members": sorted(
            ({"value": m.user_id, "label": m.user.full_name or m.user.email} for m in members),
            key=lambda item: item["label"].lower(),
        ),
        "languages": _choices(settings.LANGUAGES),
        "statuses": _choices(Conversation.Status.choices),
        "channel": _choices(Conversation.Channel.choices),
        "status": _choices(Conversation.Status.choices),
        "assign_to": [
            {"value": "team", "label": _("a team")},
            {"value": "member", "label": _("a member")},
            {"value": "queue", "label": _("the queue (automatic assignment)")},
        ],
    }


def editor_strings() -> dict:
    """The rule editor's words (its script has no catalogue of its own)."""
    names = settings.LANGUAGES
    return {
        "name": _("Name"),
        "enabled": _("On"),
        "when": _("When"),
        "match": _("Match"),
        "minutes": _("minutes"),
        "seconds": _("seconds"),
        "conditions": _("Conditions"),
        "conditions_help": _("With no conditions the rule acts every time its trigger happens."),
        "match_all": _("All of these hold"),
        "match_any": _("Any of these holds"),
        "add_condition": _("Add a condition"),
        "add_group": _("Add a group"),
        "group": _("Group of conditions"),
        "remove": _("Remove"),
        "field": _("What"),
        "op": _("How"),
        "value": _("Value"),
        "label": _("Label"),
        "team": _("Team"),
        "flow": _("Flow"),
        "status": _("Status"),
        "attribute_name": _("Attribute name"),
        "yes": _("yes"),
        "no": _("no"),
        "no_team": _("no team"),
        "nobody": _("nobody"),
        "actions": _("Actions"),
        "add_action": _("Add an action"),
        "action": _("Action"),
        # Translators: the label of a message's text box for one language, e.g. "In Turkish".
        "languages": {code: _("In %(language)s") % {"language": lang} for code, lang in names},
        "note_text": _("Note for the team"),
        "no_labels": _("No labels yet: add them under Settings, Labels."),
        "no_teams": _("No teams yet: add them under Settings, Teams."),
        "no_flows": _("No flows yet: add them on the Flows tab."),
        "assign_to": _("To"),
        "snooze_minutes": _("For how many minutes"),
        "holds": _("holds"),
        "fails": _("does not hold"),
        "test_holds": _("The conditions hold for this conversation: the rule would act."),
        "test_fails": _(
            "The conditions do not hold for this conversation: the rule would not act."
        ),
        "test_failed": _("The test could not run. Try again."),
    }


def flow_catalogue(*, tenant_id: int) -> dict:
    """What the flow editor offers: step types, kinds of answer, and the rule catalogue's
    labels, teams and languages."""
    from apps.automation import flows

    return {
        **editor_catalogue(tenant_id=tenant_id),  # a branch's conditions are a rule's
        "types": [{"value": k, "label": str(v)} for k, v in flows.TYPES.items()],
        "kinds": [{"value": k, "label": str(v)} for k, v in flows.INPUT_KINDS.items()],
    }


def flow_strings() -> dict:
    names = settings.LANGUAGES
    return {
        **editor_strings(),  # a branch's conditions are drawn as a rule's
        "start": _("Starts at"),
        "id": _("Step id"),
        "type": _("Kind of step"),
        "texts": {code: _("In %(language)s") % {"language": lang} for code, lang in names},
        "next": _("Then"),
        "else": _("Otherwise"),
        "end_of_flow": _("(choose a step)"),
        "button": _("Button"),
        "add_button": _("Add a button"),
        "add_step": _("Add a step"),
        "remove": _("Remove"),
        "up": _("Move up"),
        "down": _("Move down"),
        "kind": _("Kind of answer"),
        "attribute": _("Kept in the visitor attribute"),
        "choices": _("Choices (one per line)"),
        "url": _("Address (https://…)"),
        "lost": _("Nothing leads to this step."),
        "nowhere": _("This step leads nowhere yet: choose where it goes."),
        "deleted": _(
            "The label or team of this step was deleted: choose another, or the step is "
            "skipped with a note to the team."
        ),
        "preview": _("Preview"),
        "preview_restart": _("Start again"),
        "preview_help": _(
            "Try the draft as a visitor would, in this page only: branches, the knowledge base "
            "and webhooks take their first way."
        ),
        "preview_handoff": _("(handed to the team)"),
        "preview_end": _("(the flow ends)"),
        "preview_send": _("Send"),
        "preview_answer": _("Your answer"),
    }
