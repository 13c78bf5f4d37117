"""A flow's definition: its steps, checked whole by ``clean`` before it is saved or published.

A definition is ``{"start": "<step id>", "steps": [{"id": ..., "type": ..., ...}, ...]}``. Texts
the visitor reads are given per language (``{"en": ..., "tr": ...}``). Step types:

- ``message``: ``text``, ``next``;
- ``buttons``: ``text``, ``buttons`` (``[{"label": {...}, "next": id}]``, 1 to 10);
- ``input``: ``text``, ``kind`` (text, email, phone, number, date, choice; ``choices`` for a
  choice), ``attribute`` (the visitor attribute the answer is kept in), ``next``;
- ``branch``: ``conditions`` (as a rule's), ``next`` when they hold, ``else``;
- ``search``: the knowledge base answers the visitor's latest message: ``next`` when it did,
  ``else`` when it had no answer;
- ``label``: ``label`` (an id), ``next``; ``attribute``: ``name``, ``value``, ``next``;
- ``handoff``: to people (``team``: an id, optional; ``text``, optional): the team sees the
  answers; the flow ends;
- ``webhook``: ``url`` (https, checked as every outgoing call: docs/security.md), ``next`` when it
  answers 2xx, ``else`` otherwise or after ``WEBHOOK_SECONDS``;
- ``end``: ``text``, optional.

``problems`` lists what the editor warns about without refusing: steps nothing leads to.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.automation import actions, conditions
from apps.automation.conditions import RuleError, _is_id
from apps.conversations.models import Label
from apps.core import outbound
from apps.tenants.models import Team

STEPS_MAX = 100
BUTTONS_MAX = 10
CHOICES_MAX = 20
ID = re.compile(r"^[a-z0-9_-]{1,50}$")
URL_MAX = 500

TYPES = {
    "message": gettext_lazy("Send a message"),
    "buttons": gettext_lazy("Ask with buttons"),
    "input": gettext_lazy("Ask for an answer"),
    "branch": gettext_lazy("Branch on a condition"),
    "search": gettext_lazy("Answer from the knowledge base"),
    "label": gettext_lazy("Add a label"),
    "attribute": gettext_lazy("Set a visitor attribute"),
    "handoff": gettext_lazy("Hand over to people"),
    "webhook": gettext_lazy("Call a webhook"),
    "end": gettext_lazy("End"),
}
INPUT_KINDS = {
    "text": gettext_lazy("Any text"),
    "email": gettext_lazy("An email address"),
    "phone": gettext_lazy("A phone number"),
    "number": gettext_lazy("A number"),
    "date": gettext_lazy("A date"),
    "choice": gettext_lazy("One of a list"),
}
# Where each type leads: the keys holding the next step's id (buttons: one per button).
LEADS = {
    "message": ("next",),
    "input": ("next",),
    "branch": ("next", "else"),
    "search": ("next", "else"),
    "label": ("next",),
    "attribute": ("next",),
    "webhook": ("next", "else"),
}


def clean(value, *, tenant_id: int) -> dict:
    """The definition in its stored shape, or ``RuleError`` naming the first bad part
    (``steps.2.next``)."""
    if not isinstance(value, dict):
        raise RuleError("", _("A flow must be an object with “start” and “steps”."))
    steps = value.get("steps")
    if not isinstance(steps, list) or not steps:
        raise RuleError("steps", _("Add at least one step."))
    if len(steps) > STEPS_MAX:
        raise RuleError("steps", _("A flow has %(n)s steps at most.") % {"n": STEPS_MAX})
    ids = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise RuleError(f"steps.{i}", _("A step must be an object."))
        sid = step.get("id")
        if not isinstance(sid, str) or not ID.match(sid):
            raise RuleError(
                f"steps.{i}.id",
                _("A step's id is 1 to 50 small letters, digits, “-” or “_”."),
            )
        if sid in ids:
            raise RuleError(f"steps.{i}.id", _("Two steps have the id “%(id)s”.") % {"id": sid})
        ids.append(sid)
    cleaned = [_clean_step(step, set(ids), tenant_id, f"steps.{i}") for i, step in enumerate(steps)]
    start = value.get("start", ids[0])
    if start not in ids:
        raise RuleError("start", _("The flow must start at one of its steps."))
    return {"start": start, "steps": cleaned}


def _clean_step(step: dict, ids: set, tenant_id: int, where: str) -> dict:
    kind = step.get("type")
    if kind not in TYPES:
        raise RuleError(f"{where}.type", _("Choose a kind of step from the list."))
    out = {"id": step["id"], "type": kind}
    for key in LEADS.get(kind, ()):
        out[key] = _target(step.get(key), ids, f"{where}.{key}")
    if kind in ("message", "buttons", "input") or step.get("text"):  # optional: handoff, end
        out["text"] = actions._clean_texts(step.get("text"), f"{where}.text")
    if kind == "buttons":
        buttons = step.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= BUTTONS_MAX:
            raise RuleError(f"{where}.buttons", _("Give 1 to %(n)s buttons.") % {"n": BUTTONS_MAX})
        out["buttons"] = [
            {
                "label": actions._clean_texts(
                    (b or {}).get("label") if isinstance(b, dict) else None,
                    f"{where}.buttons.{j}.label",
                ),
                "next": _target(
                    b.get("next") if isinstance(b, dict) else None,
                    ids,
                    f"{where}.buttons.{j}.next",
                ),
            }
            for j, b in enumerate(buttons)
        ]
    elif kind == "input":
        input_kind = step.get("kind", "text")
        if input_kind not in INPUT_KINDS:
            raise RuleError(f"{where}.kind", _("Choose what kind of answer to ask for."))
        out["kind"] = input_kind
        if input_kind == "choice":
            choices = step.get("choices")
            if (
                not isinstance(choices, list)
                or not 1 <= len(choices) <= CHOICES_MAX
                or not all(isinstance(c, str) and c.strip() for c in choices)
            ):
                raise RuleError(
                    f"{where}.choices", _("List 1 to %(n)s choices.") % {"n": CHOICES_MAX}
                )
            out["choices"] = [c.strip()[:100] for c in choices]
        attribute = step.get("attribute")
        if not isinstance(attribute, str) or not 1 <= len(attribute.strip()) <= 50:
            raise RuleError(
                f"{where}.attribute", _("Name the visitor attribute that keeps the answer.")
            )
        out["attribute"] = attribute.strip()
    elif kind == "branch":
        out["conditions"] = conditions.clean(
            step.get("conditions"), tenant_id=tenant_id, where=f"{where}.conditions"
        )
    elif kind == "label":
        label = step.get("label")
        if not _is_id(label) or not Label.objects.filter(pk=label).exists():
            raise RuleError(f"{where}.label", _("Choose a label of this workspace."))
        out["label"] = label
    elif kind == "attribute":
        attribute = actions._clean_one(
            {"type": "set_attribute", "name": step.get("name"), "value": step.get("value")},
            tenant_id,
            where,
        )
        out.update(name=attribute["name"], value=attribute["value"])
    elif kind == "handoff":
        team = step.get("team")
        if team is not None:
            if not _is_id(team) or not Team.objects.filter(pk=team).exists():
                raise RuleError(f"{where}.team", _("Choose a team of this workspace."))
            out["team"] = team
    elif kind == "webhook":
        url = step.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise RuleError(f"{where}.url", _("Enter the webhook's address (https://…)."))
        if len(url) > URL_MAX:
            raise RuleError(
                f"{where}.url", _("The address has %(n)s characters at most.") % {"n": URL_MAX}
            )
        try:
            outbound.check_url(url)
        except outbound.OutboundRefused:
            raise RuleError(
                f"{where}.url", _("Sohbet does not call this address (docs/security.md).")
            ) from None
        out["url"] = url
    return out


def _target(value, ids: set, where: str) -> str:
    if not isinstance(value, str) or value not in ids:
        raise RuleError(where, _("Choose the step this leads to."))
    return value


def leads(step: dict) -> list[str]:
    """The ids of the steps ``step`` can lead to."""
    found = [step[key] for key in LEADS.get(step["type"], ()) if step.get(key)]
    found += [b["next"] for b in step.get("buttons", ())]
    return found


def unreachable(definition: dict) -> list[str]:
    """The steps nothing leads to from the start (the editor warns about them)."""
    by_id = {s["id"]: s for s in definition["steps"]}
    seen, todo = set(), [definition["start"]]
    while todo:
        sid = todo.pop()
        if sid in seen or sid not in by_id:
            continue
        seen.add(sid)
        todo.extend(leads(by_id[sid]))
    return [s["id"] for s in definition["steps"] if s["id"] not in seen]


def step(definition: dict, sid: str) -> dict | None:
    return next((s for s in definition["steps"] if s["id"] == sid), None)
