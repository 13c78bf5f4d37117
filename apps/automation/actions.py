"""What a rule does when its conditions hold: each action checked by ``clean`` when the rule
is saved and done by ``run`` through the services of the app that owns the change (a message
through the one message service, as the bot; a label through the conversations' services...).

An action is ``{"type": ..., ...}``:

- ``send_message``: ``{"text": {"en": "...", "tr": "..."}}``, sent as the bot in the visitor's
  language (else the workspace's, else any given);
- ``assign``: ``{"to": "team" | "member" | "queue", "value": id}`` (queue: automatic assignment);
- ``label_add`` / ``label_remove``: ``{"label": id}``;
- ``set_status``: ``{"status": "open" | "pending" | "snoozed" | "resolved", "minutes": N}``
  (minutes: how long a snooze lasts);
- ``set_attribute``: ``{"name": ..., "value": ...}`` on the visitor;
- ``note``: ``{"text": ...}``, a private note for the team;
- ``send_transcript``: ``{}``, the transcript by email to the visitor's address;
- ``notify_team``: ``{"team": id}``, an email to the team's members with a link to the chat;
- ``start_flow``: ``{"flow": key}``, the conversation walks into the flow (while no person has
  it);
- ``open_widget``: ``{"text": {...}}`` (optional): the visitor's chat window opens by itself
  with the text, as the bot's message in a conversation in progress, else as a greeting in
  place of the welcome (stored nowhere until the visitor writes).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.automation.conditions import Context, RuleError, _is_id
from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation, Label, Message
from apps.core import services as core_services
from apps.offline.links import absolute
from apps.tenants.models import Membership, Team
from apps.visitors import services as visitor_services

MAX_ACTIONS = 10
TEXT_MAX = 2000
SNOOZE_MAX_MINUTES = 60 * 24 * 30
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


@dataclass(frozen=True)
class Kind:
    label: object
    needs_conversation: bool = True


KINDS = {
    "send_message": Kind(gettext_lazy("Send a message as the bot")),
    "assign": Kind(gettext_lazy("Assign")),
    "label_add": Kind(gettext_lazy("Add a label")),
    "label_remove": Kind(gettext_lazy("Remove a label")),
    "set_status": Kind(gettext_lazy("Set the status")),
    "set_attribute": Kind(gettext_lazy("Set a visitor attribute"), needs_conversation=False),
    "note": Kind(gettext_lazy("Add a private note")),
    "send_transcript": Kind(gettext_lazy("Email the transcript to the visitor")),
    "notify_team": Kind(gettext_lazy("Notify a team by email")),
    "start_flow": Kind(gettext_lazy("Start a flow")),
    "open_widget": Kind(
        gettext_lazy("Open the chat window with a message"), needs_conversation=False
    ),
}
ASSIGN_TO = ("team", "member", "queue")
STATUSES = tuple(Conversation.Status.values)


# --- checking a definition --------------------------------------------------------------------


def clean(value, *, tenant_id: int, where: str = "actions") -> list[dict]:
    if not isinstance(value, list) or not value:
        raise RuleError(where, _("Add at least one action."))
    if len(value) > MAX_ACTIONS:
        raise RuleError(where, _("At most %(n)s actions in a rule.") % {"n": MAX_ACTIONS})
    return [_clean_one(item, tenant_id, f"{where}.{i}") for i, item in enumerate(value)]


def _clean_one(item, tenant_id: int, where: str) -> dict:
    if not isinstance(item, dict) or item.get("type") not in KINDS:
        raise RuleError(f"{where}.type", _("Choose an action from the list."))
    kind = item["type"]
    if kind == "send_message":
        return {"type": kind, "text": _clean_texts(item.get("text"), f"{where}.text")}
    if kind == "note":
        return {"type": kind, "text": _clean_string(item.get("text"), f"{where}.text")}
    if kind == "start_flow":
        from apps.automation.models import Flow

        key = item.get("flow")
        if not isinstance(key, str) or not Flow.objects.filter(key=key).exists():
            raise RuleError(f"{where}.flow", _("Choose a flow of this workspace."))
        return {"type": kind, "flow": key}
    if kind == "open_widget":
        text = item.get("text")
        if text in (None, "") or (
            isinstance(text, dict)
            and not any(isinstance(v, str) and v.strip() for v in text.values())
        ):
            return {"type": kind}  # just open, on the welcome
        return {"type": kind, "text": _clean_texts(text, f"{where}.text")}
    if kind == "assign":
        to = item.get("to")
        if to not in ASSIGN_TO:
            raise RuleError(f"{where}.to", _("Assign to a team, a member or the queue."))
        if to == "queue":
            return {"type": kind, "to": to}
        value = item.get("value")
        if to == "team":
            _check_team(value, f"{where}.value")
        elif (
            not _is_id(value)
            or not Membership.objects.filter(tenant_id=tenant_id, user_id=value).exists()
        ):
            raise RuleError(f"{where}.value", _("Choose a member of this workspace."))
        return {"type": kind, "to": to, "value": value}
    if kind in ("label_add", "label_remove"):
        label = item.get("label")
        if not _is_id(label) or not Label.objects.filter(pk=label).exists():
            raise RuleError(f"{where}.label", _("Choose a label of this workspace."))
        return {"type": kind, "label": label}
    if kind == "set_status":
        status = item.get("status")
        if status not in STATUSES:
            raise RuleError(f"{where}.status", _("Choose a status from the list."))
        out = {"type": kind, "status": status}
        if status == Conversation.Status.SNOOZED:
            minutes = item.get("minutes")
            if not _is_id(minutes) or not 1 <= minutes <= SNOOZE_MAX_MINUTES:
                raise RuleError(
                    f"{where}.minutes",
                    _("Snooze for 1 to %(n)s minutes.") % {"n": SNOOZE_MAX_MINUTES},
                )
            out["minutes"] = minutes
        return out
    if kind == "set_attribute":
        name = item.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
            raise RuleError(f"{where}.name", _("Attribute names are 1 to 50 characters."))
        value = item.get("value")
        if not isinstance(value, (str, int, float, bool)) or (
            isinstance(value, str) and len(value) > 500
        ):
            raise RuleError(
                f"{where}.value",
                _("Attribute values are text (500 characters), numbers or yes/no."),
            )
        return {"type": kind, "name": name.strip(), "value": value}
    if kind == "notify_team":
        _check_team(item.get("team"), f"{where}.team")
        return {"type": kind, "team": item["team"]}
    return {"type": kind}


def _check_team(value, where: str) -> None:
    if not _is_id(value) or not Team.objects.filter(pk=value).exists():
        raise RuleError(where, _("Choose a team of this workspace."))


def _clean_string(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(where, _("Write the text."))
    value = value.replace("\r\n", "\n").strip()
    if len(value) > TEXT_MAX:
        raise RuleError(where, _("The text has %(n)s characters at most.") % {"n": TEXT_MAX})
    return value


def _clean_texts(value, where: str) -> dict:
    """Per language: ``{"en": ..., "tr": ...}``; a plain string is taken as every language's."""
    if isinstance(value, str):
        value = {LANGUAGE_CODES[0]: value}
    if not isinstance(value, dict):
        raise RuleError(where, _("Write the text."))
    texts = {}
    for code, text in value.items():
        if code not in LANGUAGE_CODES:
            raise RuleError(f"{where}.{code}", _("Unknown language: %(code)s.") % {"code": code})
        if isinstance(text, str) and text.strip():
            texts[code] = _clean_string(text, f"{where}.{code}")
    if not texts:
        raise RuleError(where, _("Write the text in at least one language."))
    return texts


def shown_text(action: dict, context: Context) -> str:
    """The words of a message or greeting action in the visitor's language."""
    if not action.get("text"):
        return ""
    language = context.language or context.tenant.default_language
    return pick_text(action["text"], language, context.tenant.default_language)


def pick_text(texts: dict, language: str, fallback: str) -> str:
    for code in (language, fallback, *LANGUAGE_CODES):
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()))


# --- doing ----------------------------------------------------------------------------------


# Why an action did nothing: the codes a firing records (``Firing.done``), and what the rules
# page says for them.
SKIPPED = {
    "no_conversation": gettext_lazy("no conversation yet"),
    "no_visitor": gettext_lazy("no visitor"),
    "flow_unpublished": gettext_lazy("the flow is not published"),
    "flow_started": gettext_lazy("the visitor started a flow"),
    "flow_busy": gettext_lazy("people or another flow have the chat"),
    "team_deleted": gettext_lazy("the team was deleted"),
}


def outcome_text(entry: dict) -> str:
    """One action of a firing (``Firing.done``) as the rules page says it: "Add a label",
    "Start a flow (skipped: the flow is not published)", "Add a private note (failed)"."""
    kind = KINDS.get(entry.get("type"))
    action = str(kind.label) if kind is not None else str(entry.get("type", ""))
    if entry.get("failed"):
        return _("%(action)s (failed)") % {"action": action}
    if entry.get("skipped"):
        reason = SKIPPED.get(entry["skipped"], entry["skipped"])
        return _("%(action)s (skipped: %(reason)s)") % {"action": action, "reason": reason}
    return action


def run(action: dict, context: Context, *, key: str, rule=None) -> str | None:
    """Do ``action``: None when done, else why it did nothing (a ``SKIPPED`` code), for the
    rule's record. ``key`` makes a message or email sent twice for the same cause one (the
    firing's key and the action's place). Refusals of the services raise (the rule's firing
    is recorded as failed)."""
    kind = action["type"]
    conversation = context.conversation
    if KINDS[kind].needs_conversation and conversation is None:
        return "no_conversation"
    if kind == "set_attribute":
        if context.visitor is None:
            return "no_visitor"
        visitor_services.visitor_set_attributes(
            visitor=context.visitor, attributes={action["name"]: action["value"]}
        )
        return None
    if kind == "open_widget":
        return _open_widget(action, context, key)
    if kind == "start_flow":
        from apps.automation import selectors
        from apps.automation.services import flows

        flow = selectors.flow_by_key(key=action["flow"])
        if flow is None or flow.published_id is None:
            return "flow_unpublished"
        if context.since is not None and selectors.flow_started_since(
            conversation_id=conversation.pk, since=context.since
        ):
            return "flow_started"
        started = flows.flow_start(conversation=conversation, flow=flow)
        return None if started else "flow_busy"
    if kind == "send_message":
        text = shown_text(action, context)
        conversation_services.message_create(
            sender=Message.Sender.BOT,
            client_id=f"rule-{key}",
            conversation=conversation,
            body=text,
            content={"automated": True},
        )
        return None
    if kind == "note":
        conversation_services.note_add(
            membership=None,
            conversation=conversation,
            body=action["text"],
            by=rule.name if rule is not None else "",
        )
        return None
    if kind == "assign":
        if action["to"] == "team":
            conversation_services.conversation_assign(
                membership=None, conversation=conversation, team=action["value"]
            )
        elif action["to"] == "member":
            conversation_services.conversation_assign(
                membership=None, conversation=conversation, assignee=action["value"]
            )
        else:
            conversation_services.conversation_assign(
                membership=None, conversation=conversation, assignee=None
            )
        return None
    if kind in ("label_add", "label_remove"):
        which = {"add": [action["label"]]} if kind == "label_add" else {"remove": [action["label"]]}
        conversation_services.conversation_label(
            membership=None, conversation=conversation, **which
        )
        return None
    if kind == "set_status":
        until = None
        if action["status"] == Conversation.Status.SNOOZED:
            until = timezone.now() + timedelta(minutes=action["minutes"])
        conversation_services.conversation_set_status(
            membership=None, conversation=conversation, status=action["status"], until=until
        )
        return None
    if kind == "send_transcript":
        from apps.offline.services import transcript_request

        transcript_request(conversation=conversation, requested_by="system", key=f"rule-{key}")
        return None
    if kind == "notify_team":
        return _notify_team(action["team"], conversation)
    raise ValueError(kind)


def _open_widget(action: dict, context: Context, key: str) -> str | None:
    if context.visitor is None:
        return "no_visitor"
    text = shown_text(action, context)
    conversation = context.conversation
    if text and conversation is not None and conversation.status != Conversation.Status.RESOLVED:
        result = conversation_services.message_create(
            sender=Message.Sender.BOT,
            client_id=f"rule-{key}",
            conversation=conversation,
            body=text,
            content={"automated": True},
        )
        conversation_services.visitor_widget_open(visitor=context.visitor, message=result.message)
    else:
        conversation_services.visitor_widget_open(visitor=context.visitor, greeting=text)
    return None


def _notify_team(team_id: int, conversation: Conversation) -> str | None:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return "team_deleted"
    members = Membership.objects.filter(
        tenant_id=conversation.tenant_id, teams=team
    ).select_related("user")
    link = absolute(
        reverse(
            "inbox:conversation",
            kwargs={"slug": conversation.tenant.slug, "number": conversation.number},
        )
    )
    for member in members:
        with translation.override(member.user.language or None):
            core_services.email_enqueue(
                subject=_("Conversation #%(number)s needs your team")
                % {"number": conversation.number},
                body=_(
                    "A rule of %(workspace)s sent conversation #%(number)s to the team "
                    "%(team)s.\n\nOpen it: %(link)s\n"
                )
                % {
                    "workspace": conversation.tenant.name,
                    "number": conversation.number,
                    "team": team.name,
                    "link": link,
                },
                to=[member.user.email],
            )
    return None
