"""What a rule asks before it acts: conditions over the conversation, its visitor and what just
happened, checked by ``clean`` when a rule is saved and evaluated by ``holds`` when it fires.

A rule's conditions are ``{"match": "all" | "any", "items": [...]}``; an item is a condition
``{"field": ..., "op": ..., "value": ...}`` (an attribute condition also has ``"name"``) or,
one level down, a group of the same shape. An empty list always holds.
"""

import functools
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import regex
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.bot import text as bot_text
from apps.conversations.models import Conversation, Label, Message
from apps.core.errors import Refusal
from apps.tenants.models import Membership, Team
from apps.visitors.models import PageView, Visitor

logger = logging.getLogger(__name__)

MAX_ITEMS = 20
PATTERN_SECONDS = 0.05  # a pattern's search gives up after this (and does not match)
PATTERN_MAX = 200
VALUE_MAX = 500


class RuleError(Refusal):
    """A refused rule or flow definition: ``field`` names where (``conditions.2.value``)."""

    def __init__(self, where: str, message: str):
        super().__init__("invalid_rule", message, field=where)
        self.where = where


@dataclass
class Context:
    """What a rule looks at. Lookups run once, when a condition first asks."""

    tenant: object
    conversation: Conversation | None = None
    visitor: Visitor | None = None
    message: Message | None = None
    page: PageView | None = None
    since: object = None  # when the cause happened (an event's time), if known
    _cache: dict = field(default_factory=dict, repr=False)

    def once(self, name, compute):
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    @property
    def language(self) -> str:
        from apps.offline import selectors as offline_selectors

        if self.visitor is None:
            return ""
        return self.once(
            "language",
            lambda: offline_selectors.visitor_language(
                self.visitor, fallback=self.tenant.default_language
            ),
        )

    @property
    def latest_page(self) -> PageView | None:
        if self.page is not None or self.visitor is None:
            return self.page
        return self.once(
            "page",
            lambda: PageView.objects.filter(visitor=self.visitor).order_by("-viewed_at").first(),
        )

    @property
    def label_ids(self) -> set[int]:
        if self.conversation is None:
            return set()
        return self.once(
            "labels", lambda: set(self.conversation.labels.values_list("pk", flat=True))
        )

    @property
    def earlier_conversations(self) -> int:
        if self.visitor is None:
            return 0
        current = self.conversation.pk if self.conversation is not None else None
        return self.once(
            "earlier",
            lambda: Conversation.objects.filter(visitor=self.visitor).exclude(pk=current).count(),
        )

    @property
    def availability(self):
        from apps.offline import selectors as offline_selectors

        return self.once("hours", lambda: offline_selectors.availability(tenant=self.tenant))

    @property
    def team_online(self) -> bool:
        from apps.conversations import selectors as conversation_selectors

        return self.once(
            "online",
            lambda: conversation_selectors.team_online_count(tenant_id=self.tenant.pk) > 0,
        )


# --- the catalogue ---------------------------------------------------------------------------

TEXT, BOOL, NUMBER, CHOICE, LABEL, TEAM, MEMBER, LANGUAGE = (
    "text",
    "bool",
    "number",
    "choice",
    "label",
    "team",
    "member",
    "language",
)


@dataclass(frozen=True)
class Field:
    label: object
    ops: tuple[str, ...]
    kind: str
    choices: tuple = ()


OPS = {
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "matches": gettext_lazy("matches the pattern"),
    "is": gettext_lazy("is"),
    "is_not": gettext_lazy("is not"),
    "equals": gettext_lazy("equals"),
    "not_equals": gettext_lazy("does not equal"),
    "gt": gettext_lazy("is more than"),
    "lt": gettext_lazy("is less than"),
    "set": gettext_lazy("is set"),
    "not_set": gettext_lazy("is not set"),
    "has": gettext_lazy("has"),
    "has_not": gettext_lazy("does not have"),
}
_TEXT_OPS = ("contains", "not_contains", "matches")
VALUELESS = ("set", "not_set")

FIELDS = {
    "text": Field(gettext_lazy("Message text"), _TEXT_OPS, TEXT),
    "language": Field(gettext_lazy("Visitor's language"), ("is", "is_not"), LANGUAGE),
    "page": Field(gettext_lazy("Page address"), _TEXT_OPS, TEXT),
    "referrer": Field(gettext_lazy("Came from (referrer)"), _TEXT_OPS, TEXT),
    "attribute": Field(
        gettext_lazy("Visitor attribute"),
        ("equals", "not_equals", "contains", "gt", "lt", "set", "not_set"),
        TEXT,
    ),
    "verified": Field(gettext_lazy("Identity verified"), ("is",), BOOL),
    "returning": Field(gettext_lazy("Returning visitor"), ("is",), BOOL),
    "country": Field(gettext_lazy("Country"), ("is", "is_not"), TEXT),
    "business_hours": Field(gettext_lazy("Within business hours"), ("is",), BOOL),
    "team_online": Field(gettext_lazy("Someone from the team is online"), ("is",), BOOL),
    "label": Field(gettext_lazy("Label"), ("has", "has_not"), LABEL),
    "team": Field(gettext_lazy("Team"), ("is", "is_not"), TEAM),
    "assignee": Field(gettext_lazy("Assignee"), ("is", "is_not"), MEMBER),
    "channel": Field(
        gettext_lazy("Channel"), ("is", "is_not"), CHOICE, tuple(Conversation.Channel.values)
    ),
    "status": Field(
        gettext_lazy("Status"), ("is", "is_not"), CHOICE, tuple(Conversation.Status.values)
    ),
    "earlier_conversations": Field(
        gettext_lazy("Visitor's earlier conversations"), ("equals", "gt", "lt"), NUMBER
    ),
}


# --- checking a definition --------------------------------------------------------------------


def clean(value, *, tenant_id: int, where: str = "conditions") -> dict:
    """The conditions in their stored shape, or ``RuleError`` naming the first bad part."""
    if value in (None, "", {}):
        return {"match": "all", "items": []}
    return _clean_group(value, tenant_id, where, depth=0)


def _clean_group(value, tenant_id, where, *, depth) -> dict:
    if not isinstance(value, dict):
        raise RuleError(where, _("Conditions must be a group with “match” and “items”."))
    match = value.get("match", "all")
    if match not in ("all", "any"):
        raise RuleError(f"{where}.match", _("Match “all” or “any” of the conditions."))
    items = value.get("items", [])
    if not isinstance(items, list):
        raise RuleError(f"{where}.items", _("The conditions must be a list."))
    if len(items) > MAX_ITEMS:
        raise RuleError(
            f"{where}.items", _("At most %(n)s conditions in a group.") % {"n": MAX_ITEMS}
        )
    cleaned = []
    for i, item in enumerate(items):
        path = f"{where}.{i}"
        if isinstance(item, dict) and "items" in item:
            if depth >= 1:
                raise RuleError(path, _("Groups of conditions go one level deep at most."))
            cleaned.append(_clean_group(item, tenant_id, path, depth=depth + 1))
        else:
            cleaned.append(_clean_item(item, tenant_id, path))
    return {"match": match, "items": cleaned}


def _clean_item(item, tenant_id, where) -> dict:
    if not isinstance(item, dict):
        raise RuleError(where, _("A condition must be an object."))
    name = item.get("field")
    spec = FIELDS.get(name)
    if spec is None:
        raise RuleError(f"{where}.field", _("Unknown condition: %(name)r.") % {"name": name})
    op = item.get("op")
    if op not in spec.ops:
        raise RuleError(
            f"{where}.op",
            _("“%(field)s” cannot use “%(op)s”.") % {"field": spec.label, "op": op},
        )
    out = {"field": name, "op": op}
    if name == "attribute":
        attr = item.get("name")
        if not isinstance(attr, str) or not attr.strip() or len(attr) > 100:
            raise RuleError(f"{where}.name", _("Name the attribute (100 characters at most)."))
        out["name"] = attr.strip()
    if op in VALUELESS:
        return out
    out["value"] = _clean_value(spec, op, item.get("value"), tenant_id, f"{where}.value")
    return out


def _clean_value(spec: Field, op: str, value, tenant_id: int, where: str):
    if spec.kind == BOOL:
        if not isinstance(value, bool):
            raise RuleError(where, _("Choose yes or no."))
        return value
    if spec.kind == NUMBER or op in ("gt", "lt"):
        number = _number(value)
        if number is None:
            raise RuleError(where, _("Enter a number."))
        return int(number) if spec.kind == NUMBER else str(number)
    if spec.kind == CHOICE:
        if value not in spec.choices:
            raise RuleError(where, _("Choose one of the listed values."))
        return value
    if spec.kind == LABEL:
        if not _is_id(value) or not Label.objects.filter(pk=value).exists():
            raise RuleError(where, _("Choose a label of this workspace."))
        return value
    if spec.kind == TEAM:
        if value is None:
            return None
        if not _is_id(value) or not Team.objects.filter(pk=value).exists():
            raise RuleError(where, _("Choose a team of this workspace."))
        return value
    if spec.kind == MEMBER:
        if value is None:
            return None
        if (
            not _is_id(value)
            or not Membership.objects.filter(tenant_id=tenant_id, user_id=value).exists()
        ):
            raise RuleError(where, _("Choose a member of this workspace."))
        return value
    if not isinstance(value, str) or not value.strip():
        raise RuleError(where, _("Enter a value."))
    value = value.strip()
    if op == "matches":
        if len(value) > PATTERN_MAX:
            raise RuleError(
                where, _("A pattern has %(n)s characters at most.") % {"n": PATTERN_MAX}
            )
        try:
            _pattern(value)
        except regex.error as exc:
            raise RuleError(where, _("Not a valid pattern: %(error)s.") % {"error": exc}) from None
        return value
    if len(value) > VALUE_MAX:
        raise RuleError(where, _("A value has %(n)s characters at most.") % {"n": VALUE_MAX})
    if spec.kind == LANGUAGE:
        return value.lower()
    return value


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# --- evaluating ------------------------------------------------------------------------------


def holds(conditions: dict, context: Context) -> bool:
    return bool(explain(conditions, context)[0])


def explain(conditions: dict, context: Context) -> tuple[bool, list]:
    """Whether ``conditions`` hold, and per item (groups nested) whether it held: what the
    editor's "test against a conversation" shows."""
    results = []
    for item in conditions.get("items", []):
        if "items" in item:
            ok, inner = explain(item, context)
            results.append({"group": inner, "ok": ok})
        else:
            results.append({"ok": _item_holds(item, context)})
    oks = [r["ok"] for r in results]
    ok = any(oks) if conditions.get("match") == "any" and oks else all(oks)
    return ok, results


def _item_holds(item: dict, context: Context) -> bool:
    name, op, value = item["field"], item["op"], item.get("value")
    if name == "text":
        return _text(op, context.message.body if context.message else "", value)
    if name in ("page", "referrer"):
        page = context.latest_page
        found = "" if page is None else (page.url if name == "page" else page.referrer)
        return _text(op, found, value, words=False)
    if name == "attribute":
        return _attribute(op, context, item["name"], value)
    if name == "country":
        found = _attributes(context).get("country")
        same = isinstance(found, str) and found.strip().lower() == value.lower()
        return same if op == "is" else not same
    if name == "language":
        same = context.language == value.split("-")[0]
        return same if op == "is" else not same
    if name == "verified":
        return (context.visitor is not None and context.visitor.is_verified) == value
    if name == "returning":
        return (context.earlier_conversations > 0) == value
    if name == "business_hours":
        return (context.availability.state != "closed") == value
    if name == "team_online":
        return context.team_online == value
    if name == "earlier_conversations":
        return _compare(op, Decimal(context.earlier_conversations), Decimal(value))
    if name == "label":
        return (value in context.label_ids) == (op == "has")
    conversation = context.conversation
    if conversation is None:
        return False
    found = {
        "team": conversation.team_id,
        "assignee": conversation.assignee_id,
        "channel": conversation.channel,
        "status": conversation.status,
    }[name]
    return (found == value) == (op == "is")


def _attributes(context: Context) -> dict:
    attributes = context.visitor.attributes if context.visitor is not None else None
    return attributes if isinstance(attributes, dict) else {}


def _attribute(op: str, context: Context, name: str, value) -> bool:
    attributes = _attributes(context)
    present = name in attributes and attributes[name] not in (None, "")
    if op == "set":
        return present
    if op == "not_set":
        return not present
    if not present:
        return op == "not_equals"
    found = attributes[name]
    if op in ("gt", "lt"):
        number = _number(found)
        return number is not None and _compare(op, number, Decimal(value))
    found = bot_text.fold(str(found)).strip()
    wanted = bot_text.fold(str(value)).strip()
    if op == "contains":
        return wanted in found
    return (found == wanted) == (op == "equals")


def _compare(op: str, found: Decimal, wanted: Decimal) -> bool:
    if op == "gt":
        return found > wanted
    if op == "lt":
        return found < wanted
    return found == wanted


def _text(op: str, found: str, value: str, *, words: bool = True) -> bool:
    if op == "matches":
        try:
            return _pattern(value).search(found, timeout=PATTERN_SECONDS) is not None
        except TimeoutError:
            logger.warning("a rule's pattern %r took too long; taken as not matching", value)
            return False
    if words:
        # Word-aware and Turkish-aware: "iade" is found in "İADE edebilir miyim" but not in
        # "tiade"; "siparis" finds "sipariş".
        wanted = " ".join(bot_text.words(value))
        hit = bool(wanted) and f" {wanted} " in f" {' '.join(bot_text.words(found))} "
    else:
        hit = value.lower() in found.lower()
    return hit if op == "contains" else not hit


@functools.lru_cache(maxsize=512)
def _pattern(value: str) -> regex.Pattern:
    return regex.compile(value, regex.IGNORECASE | regex.VERSION0)
