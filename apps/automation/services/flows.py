"""Decision-tree flows: admins' flows (a draft, published as versions), and walking a
conversation through one.

A flow starts from a rule ("start a flow"), from the chat window (``Sohbet('startFlow', key)``)
or a welcome button; only while no person has the conversation. The bot holds the conversation
while it runs (no queue, nobody waiting), its knowledge-base answers wait, and the run's state
is in the database (``FlowRun``): a reload, a reconnect or another web process goes on from the
same step. The visitor answers a step with a button (a ``choice`` frame, stored as their
message with the button's words) or by typing. Where buttons are asked, typing a button's words
(or its number) takes it and asking for a person hands over; anything else gets a gentle
repeat, then the knowledge base's answer, then a person. What the visitor entered is shown to
the team at the handoff. Every message goes through the one message service, as the bot.
"""

import datetime
import json
import logging
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz

from apps.automation import actions, conditions, flows, selectors
from apps.automation.conditions import RuleError
from apps.automation.models import NAME_MAX, Flow, FlowRun, FlowVersion
from apps.bot import selectors as bot_selectors
from apps.bot import text as bot_text
from apps.bot.services import answering
from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation, Label, Message
from apps.core import outbound
from apps.core.errors import Refusal
from apps.tenants.models import Team
from apps.visitors import services as visitor_services

logger = logging.getLogger(__name__)

FLOW_STEPS_MAX = 50  # steps walked for one visitor message, at most (a loop stops there)
MISSES_MAX = 3
TYPED_CHOICE_SIMILARITY = 85  # a typed button label with a slip ("retruns"), rapidfuzz's ratio
WELCOME_LABEL_MAX = 40
WEBHOOK_SECONDS = 5.0
# A webhook step whose call has not come back after this long is taken as lost (the job never
# ran): the visitor's next message makes it again.
WEBHOOK_LOST_AFTER = datetime.timedelta(seconds=60)
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


class FlowError(Refusal):
    """A refused flow request from the chat window."""


# --- admins' flows ------------------------------------------------------------------------------


def flow_save(*, tenant_id: int, data: dict, flow: Flow | None = None) -> Flow:
    """Create or change a flow's key, name and draft (checked whole; nothing changes when a
    part is refused). Publishing is separate (``flow_publish``)."""
    if not isinstance(data, dict):
        raise RuleError("", _("A flow must be an object."))
    key = data.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise RuleError(
            "key", _("The key is 1 to 50 small letters, digits, “-” or “_” (e.g. returns).")
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        raise RuleError(
            "name", _("Give the flow a name (%(n)s characters at most).") % {"n": NAME_MAX}
        )
    definition = flows.clean(data.get("definition"), tenant_id=tenant_id)
    welcome = data.get("welcome_label") or {}
    if isinstance(welcome, dict):
        welcome = {k: v for k, v in welcome.items() if isinstance(v, str) and v.strip()}
    welcome = actions._clean_texts(welcome, "welcome_label") if welcome else {}
    if any(len(text) > WELCOME_LABEL_MAX for text in welcome.values()):
        raise RuleError(
            "welcome_label",
            _("A button's words are %(n)s characters at most.") % {"n": WELCOME_LABEL_MAX},
        )
    taken = Flow.objects.filter(key=key).exclude(pk=flow.pk if flow else None).exists()
    if taken:
        raise RuleError("key", _("Another flow has the key “%(key)s”.") % {"key": key})
    flow = flow or Flow(tenant_id=tenant_id)
    flow.key, flow.name, flow.draft = key, name.strip(), definition
    flow.welcome_label = welcome
    flow.save()
    return flow


def flow_publish(*, flow: Flow) -> FlowVersion:
    """The draft becomes the flow's new version: new conversations start it, those inside an
    earlier version finish with theirs."""
    definition = flows.clean(flow.draft, tenant_id=flow.tenant_id)  # labels may have gone
    with transaction.atomic():
        last = flow.versions.aggregate(last=Max("number"))["last"] or 0
        version = FlowVersion.objects.create(
            tenant_id=flow.tenant_id, flow=flow, number=last + 1, definition=definition
        )
        flow.published = version
        flow.save(update_fields=["published", "updated_at"])
    return version


def flow_import(*, tenant_id: int, raw: str) -> Flow:
    """A flow exported from a workspace (JSON: key, name, definition), checked whole: a new
    flow, or the draft of the flow with the same key."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise RuleError("", _("The file is not JSON.")) from None
    if not isinstance(data, dict):
        raise RuleError("", _("A flow must be an object."))
    existing = selectors.flow_by_key(key=data.get("key"))
    return flow_save(tenant_id=tenant_id, data=data, flow=existing)


def flow_delete(*, flow: Flow) -> None:
    FlowRun.objects.filter(version__flow=flow, state=FlowRun.State.ACTIVE).update(
        state=FlowRun.State.STOPPED
    )
    flow.delete()


# --- starting ---------------------------------------------------------------------------------


def flow_start(*, conversation: Conversation, flow: Flow, replace: bool = False) -> FlowRun | None:
    """Walk ``conversation`` into ``flow``'s published version. Nothing when the flow is not
    published, a person has the conversation, or another flow is in progress and ``replace``
    is not asked (the visitor's own choice replaces it; a rule's does not)."""
    if flow.published_id is None:
        return None
    conversation = conversation_services.lock_conversation(conversation.pk)
    if conversation.assignee_id is not None or conversation.status == Conversation.Status.RESOLVED:
        return None
    running = FlowRun.objects.filter(conversation=conversation, state=FlowRun.State.ACTIVE)
    if running.exists() and not replace:
        return None
    running.update(state=FlowRun.State.STOPPED)
    if not conversation.bot_holds:
        conversation = conversation_services.conversation_bot_resume(
            membership=None, conversation=conversation, flow=flow.name
        )
    latest = conversation.last_message_id or 0
    run = FlowRun.objects.create(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        version=flow.published,
        step=flow.published.definition["start"],
        after_message=latest,
    )
    _walk(run)
    return run


def flow_start_for_visitor(*, visitor, key) -> dict:
    """The chat window asks for a flow (``Sohbet('startFlow', key)`` or a welcome button):
    the visitor's conversation in progress, or a new one, walks into it."""
    flow = (
        Flow.objects.filter(key=key, published__isnull=False).first()
        if isinstance(key, str)
        else None
    )
    if flow is None:
        raise FlowError("not_found", _("No such flow."), field="start")
    # One transaction: the rules that react to a new conversation see the visitor's flow.
    with transaction.atomic():
        conversation = conversation_services.conversation_for_visitor(visitor=visitor)
        run = flow_start(conversation=conversation, flow=flow, replace=True)
    if run is None:
        raise FlowError("busy", _("Someone from the team is already in this chat."))
    return {"type": "flow", "started": key, "conversation": conversation.public_id}


# --- the visitor answers ----------------------------------------------------------------------


def flow_choose(*, visitor, frame: dict) -> dict:
    """A button under one of the flow's messages: stored as the visitor's message (the
    button's words), which moves the flow on. Answered with ``choice`` (``message``)."""
    message_id, choice = frame.get("message"), frame.get("choice")
    if not isinstance(message_id, int) or not isinstance(choice, str):
        raise FlowError("invalid", _("Say which message and which button."), field="choice")
    asked = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, sender=Message.Sender.BOT, conversation__visitor=visitor)
        .first()
    )
    flow = (asked.content or {}).get("flow") if asked is not None else None
    offered = {c["id"]: c["label"] for c in (flow or {}).get("choices", ())}
    if choice not in offered:
        raise FlowError("not_found", _("That button is not there any more."), field="choice")
    run = selectors.active_run(conversation_id=asked.conversation_id)
    if run is None or run.pk != flow.get("run") or run.step != flow.get("step") or not run.waiting:
        raise FlowError("too_late", _("That question has been answered."), field="choice")
    conversation_services.message_create(
        sender=Message.Sender.VISITOR,
        visitor=visitor,
        client_id=frame.get("client_id") or f"choice-{message_id}-{choice}",
        body=offered[choice],
        content={"choice": {"run": run.pk, "step": run.step, "id": choice}},
    )
    return {"type": "choice", "message": message_id}


def flow_on_visitor_message(*, message: Message) -> bool:
    """The flow of ``message``'s conversation takes it, if one runs (True: the bot's
    knowledge-base answer waits). While a webhook step's call is under way the message
    answers nothing; should that call have been lost (no worker took it), it is made again."""
    run = selectors.active_run(conversation_id=message.conversation_id)
    if run is None:
        return False
    if message.pk <= run.after_message or not run.waiting:
        return True
    step = flows.step(run.version.definition, run.step)
    if step is not None and step["type"] == "webhook":
        if run.updated_at < timezone.now() - WEBHOOK_LOST_AFTER:
            run.save(update_fields=["updated_at"])
            _call_after_commit(run, step["id"])
        return True
    _walk(run, answer=message)
    return True


def _call_after_commit(run: FlowRun, step_id: str) -> None:
    from apps.automation import tasks

    run_id = run.pk
    transaction.on_commit(lambda: tasks.flow_webhook.delay(run_id, step_id), robust=True)


def flow_webhook_call(*, run_id: int, step_id: str) -> None:
    """Make a webhook step's call, outside any transaction, then take the step's way (``next``
    on a 2xx answer, else ``else``). Nothing when the run has moved on meanwhile (a person
    took the chat, the visitor started another flow): a call made twice (a worker that
    stopped before it finished) changes the way once."""
    pending = FlowRun.objects.select_related("version__flow", "conversation").filter(
        pk=run_id, state=FlowRun.State.ACTIVE, step=step_id, waiting=True
    )
    run = pending.first()
    step = flows.step(run.version.definition, step_id) if run is not None else None
    if step is None or step["type"] != "webhook":
        return
    ok = _webhook(run, step)
    with transaction.atomic():
        # The conversation first, as the message service locks it: no deadlock with a message.
        conversation_services.lock_conversation(run.conversation_id)
        run = pending.select_for_update().first()  # still there, unless it moved meanwhile
        if run is None:
            return
        run.step, run.waiting, run.misses = (step["next"] if ok else step["else"]), False, 0
        _walk(run)


def flow_stop_for_people(*, conversation_id: int) -> bool:
    """A person answered: the flow in progress (if any) stops where it is."""
    return bool(
        FlowRun.objects.filter(conversation_id=conversation_id, state=FlowRun.State.ACTIVE).update(
            state=FlowRun.State.STOPPED, waiting=False
        )
    )


# --- walking ----------------------------------------------------------------------------------


def _walk(run: FlowRun, answer: Message | None = None) -> None:
    """Do the run's steps from where it is, until one waits for the visitor or the flow ends."""
    conversation = run.conversation
    context = selectors.context_for(conversation=conversation, message=answer)
    language = context.language or conversation.tenant.default_language
    definition = run.version.definition
    with translation.override(language):
        for _i in range(FLOW_STEPS_MAX):
            step = flows.step(definition, run.step)
            if step is None:
                run.state = FlowRun.State.DONE
                break
            following = _do(run, step, context, language, answer)
            answer = None  # an answer answers one step
            if following is None:
                break
            run.step, run.waiting, run.misses = following, False, 0
        else:
            logger.warning("flow run %s went %s steps without a pause", run.pk, FLOW_STEPS_MAX)
            run.state = FlowRun.State.STOPPED
    run.save()


def _do(run, step, context, language, answer) -> str | None:
    """One step: the id of the next step, or None when the run waits or ends."""
    kind = step["type"]
    conversation = run.conversation
    fallback = conversation.tenant.default_language
    if kind == "message":
        _say(run, actions.pick_text(step["text"], language, fallback))
        return step["next"]
    if kind == "buttons":
        return _buttons(run, step, language, fallback, answer)
    if kind == "input":
        return _input(run, step, context, language, fallback, answer)
    if kind == "branch":
        return step["next"] if conditions.holds(step["conditions"], context) else step["else"]
    if kind == "search":
        return step["next"] if _search(run, context, language) else step["else"]
    if kind == "label":
        if Label.objects.filter(pk=step["label"]).exists():
            conversation_services.conversation_label(
                membership=None, conversation=conversation, add=[step["label"]]
            )
        else:
            _note(run, gettext_lazy("The flow skipped a step: its label was deleted."))
        return step["next"]
    if kind == "attribute":
        visitor_services.visitor_set_attributes(
            visitor=conversation.visitor, attributes={step["name"]: step["value"]}
        )
        return step["next"]
    if kind == "webhook":
        # Called after this transaction, by a job (``flow_webhook_call``): a slow or silent
        # server holds up neither the conversation nor the other events.
        if not run.waiting:
            run.waiting = True
            _call_after_commit(run, step["id"])
        return None
    if kind == "handoff":
        said = actions.pick_text(step["text"], language, fallback) if step.get("text") else ""
        _handoff(run, step.get("team"), said=said)
        return None
    if step.get("text"):  # end
        _say(run, actions.pick_text(step["text"], language, fallback))
    run.state = FlowRun.State.DONE
    return None


def _say(run: FlowRun, text: str, choices: list | None = None) -> Message:
    run.posted += 1
    flow = {"run": run.pk, "step": run.step}
    if choices:
        flow["choices"] = choices
    return conversation_services.message_create(
        sender=Message.Sender.BOT,
        client_id=f"flow-{run.pk}-{run.posted}",
        conversation=run.conversation,
        body=text,
        content={"flow": flow},
    ).message


def _buttons(run, step, language, fallback, answer) -> str | None:
    choices = [
        {"id": str(i), "label": actions.pick_text(b["label"], language, fallback)}
        for i, b in enumerate(step["buttons"])
    ]
    if not run.waiting:
        _say(run, actions.pick_text(step["text"], language, fallback), choices)
        run.waiting = True
        return None
    chosen = (answer.content or {}).get("choice") if answer is not None else None
    if (
        isinstance(chosen, dict)
        and chosen.get("step") == step["id"]
        and chosen.get("run") == run.pk
    ):
        index = int(chosen["id"]) if str(chosen.get("id", "")).isdigit() else -1
        if 0 <= index < len(step["buttons"]):
            run.answers[step["id"]] = choices[index]["label"]
            return step["buttons"][index]["next"]
    # Typed instead of pressing: a button's own words, or asking for a person, count as such;
    # else a gentle repeat, then the knowledge base, then a person.
    typed = answer.body if answer is not None else ""
    index = _typed_choice(typed, choices)
    if index is not None:
        run.answers[step["id"]] = choices[index]["label"]
        return step["buttons"][index]["next"]
    if typed and bot_text.asks_for_person(typed):
        _handoff(run, None, reason_text=gettext_lazy("The visitor asked for a person."))
        return None
    run.misses += 1
    if run.misses == 1:
        _say(run, _("Please choose one of these:"), choices)
    elif run.misses == 2 and _search(
        run, selectors.context_for(conversation=run.conversation, message=answer), language
    ):
        _say(run, _("Or choose one of these:"), choices)
    else:
        _handoff(
            run, None, reason_text=gettext_lazy("The visitor did not pick one of the buttons.")
        )
    return None


def _typed_choice(typed: str, choices: list[dict]) -> int | None:
    """The button whose words the visitor typed instead of pressing it ("returns", "iadeler"
    for "İadeler", "order status please", "2" for the second), when exactly one fits."""
    said = bot_text.words(typed)
    if not said:
        return None
    if len(said) == 1 and said[0].isdigit():
        number = int(said[0])
        return number - 1 if 1 <= number <= len(choices) else None
    fits = []
    for i, choice in enumerate(choices):
        label = bot_text.words(choice["label"])
        if not label:
            continue
        if fuzz.ratio(" ".join(said), " ".join(label)) >= TYPED_CHOICE_SIMILARITY:
            return i
        # The label's words, in a short message that adds a word or two ("returns please").
        if len(said) <= len(label) + 2 and all(w in said for w in label):
            fits.append(i)
    return fits[0] if len(fits) == 1 else None


def _input(run, step, context, language, fallback, answer) -> str | None:
    if not run.waiting:
        _say(run, actions.pick_text(step["text"], language, fallback))
        run.waiting = True
        return None
    value, problem = _valid(step, answer.body if answer is not None else "")
    if problem:
        run.misses += 1
        if run.misses >= MISSES_MAX:
            _handoff(run, None, reason_text=gettext_lazy("The visitor's answer could not be used."))
        else:
            _say(run, problem)
        return None
    run.answers[step["id"]] = value
    visitor_services.visitor_set_attributes(
        visitor=run.conversation.visitor, attributes={step["attribute"]: value}
    )
    return step["next"]


_PHONE = re.compile(r"^\+?[0-9 ()./-]{7,25}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")


def _valid(step: dict, text: str) -> tuple[str, str]:
    """(the answer as kept, "") or ("", what is wrong with it, as the bot says it)."""
    text = (text or "").strip()
    kind = step["kind"]
    if not text:
        return "", _("Please write your answer.")
    if kind == "email":
        try:
            validate_email(text)
        except ValidationError:
            return "", _("That does not look like an email address. Please write it again.")
        return text.lower(), ""
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        if not _PHONE.match(text) or not 7 <= len(digits) <= 15:
            return "", _("That does not look like a phone number. Please write it again.")
        return text, ""
    if kind == "number":
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            return "", _("Please write a number.")
        return str(number), ""
    if kind == "date":
        for fmt in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date().isoformat(), ""
            except ValueError:
                continue
        return "", _("Please write a date like 31.12.2026.")
    if kind == "choice":
        folded = bot_text.fold(text)
        for i, choice in enumerate(step["choices"], start=1):
            if folded in (bot_text.fold(choice), str(i)):
                return choice, ""
        return "", _("Please answer with one of: %(choices)s.") % {
            "choices": ", ".join(step["choices"])
        }
    return text[:500], ""


def _search(run, context, language) -> bool:
    """The knowledge base answers the visitor's latest message, when it is sure."""
    message = context.message or (
        Message.objects.filter(conversation=run.conversation, sender=Message.Sender.VISITOR)
        .order_by("-id")
        .first()
    )
    if message is None or not message.body:
        return False
    decision = answering.decide(
        tenant_id=run.conversation.tenant_id, question=message.body, fallback_language=language
    )
    entry_id = decision.entry_id
    entry = bot_selectors.entries_by_id([entry_id]).get(entry_id) if entry_id else None
    if entry is None:
        return False
    _say(run, bot_selectors.translated(entry, "answer", decision.language))
    return True


def _webhook(run, step) -> bool:
    payload = {
        "flow": run.version.flow.key,
        "step": step["id"],
        "conversation": run.conversation.number,
        "answers": run.answers,
    }
    try:
        response = outbound.post_json(step["url"], payload, timeout=WEBHOOK_SECONDS)
    except (outbound.OutboundError, ValueError) as exc:
        logger.info("flow run %s: webhook %s failed: %s", run.pk, step["id"], exc)
        return False
    return response.ok


def _note(run: FlowRun, text) -> None:
    """A note for the team, in the workspace's language (``text`` may be lazy)."""
    if run.conversation.status != Conversation.Status.RESOLVED:
        with translation.override(run.conversation.tenant.default_language):
            body = str(text)
        conversation_services.note_add(
            membership=None, conversation=run.conversation, body=body, by=run.version.flow.name
        )


def _handoff(run: FlowRun, team_id: int | None, *, reason_text="", said="") -> None:
    """To people, with what the visitor entered; the run ends. The visitor is told what
    happens next: the step's words (``said``) when someone can answer; the bot's sentence
    when the step has none, or when nobody can answer now (then the answer comes by email,
    whatever the step promises)."""
    conversation = run.conversation
    _say(run, answering.handoff_sentence(conversation, promise=said))
    team_language = conversation.tenant.default_language
    with translation.override(team_language):
        lines = [str(reason_text)] if reason_text else []
        entered = _("What the visitor entered:")
    if run.answers:
        # In the flow's order, each with its question in the workspace's language.
        lines.append(entered)
        for step in run.version.definition["steps"]:
            if step["id"] in run.answers:
                asked = actions.pick_text(step["text"], team_language, team_language)
                lines.append(f"• {asked} {run.answers[step['id']]}")
    if lines:
        _note(run, "\n".join(lines))
    if team_id is not None:
        if Team.objects.filter(pk=team_id).exists():
            conversation_services.conversation_assign(
                membership=None, conversation=conversation, team=team_id
            )
        else:
            _note(run, gettext_lazy("The flow could not route to its team: the team was deleted."))
    conversation_services.conversation_handoff(conversation=conversation, reason="flow")
    run.state = FlowRun.State.HANDED_OFF
    run.waiting = False


def flow_started_guard(conversation: Conversation) -> bool:
    """Whether a flow talks with this conversation's visitor (the bot's answers wait)."""
    return FlowRun.objects.filter(
        conversation_id=conversation.pk, state=FlowRun.State.ACTIVE
    ).exists()
