"""The bot answering a visitor, and handing the conversation to people.

``bot_takes`` is the intake policy (``apps.conversations.intake``): whether the bot answers a
chat a visitor opens. ``answer`` runs for each visitor message of a conversation the bot holds
(``events.py``): a request for a person hands off; small talk gets a short reply; otherwise the
knowledge base's best entry when retrieval is confident, else one sentence saying so with a
"Talk to a person" button and the closest entries as suggestions, and a second miss in a row
hands off. A suggestion the visitor presses (``suggestion_choose``) is stored as their message,
the entry's question, which ``answer`` answers with that entry. The bot only ever sends an
entry's answer or one of its own fixed sentences: what a visitor writes cannot make it say
anything else. A workspace may turn on a language model (``phrasing.py``) that words the
answer from the entries found, citing one, or says they do not answer it. Every reply goes
through the one message service, as the bot.
"""

from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from apps.bot import language, retrieval, selectors, text
from apps.bot.models import Answer, BotSettings, Entry
from apps.bot.services import learning, phrasing
from apps.conversations import intake
from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation, Message
from apps.core.errors import Refusal
from apps.offline import selectors as offline_selectors
from apps.visitors.models import Visitor

# Visitor messages read together as one question (sent in a row before the bot answered).
QUESTION_MESSAGES = 3
HELPFUL = "helpful"
PERSON = "person"
CHOOSE = "choose"  # a suggestion pressed
# When the bot is not sure it offers the closest entries, each at least this close (chosen
# with ``manage.py bot_eval`` on the tuning half: the right entry is among them for 19 of its
# 22 misses that the knowledge base answers).
SUGGESTIONS = 3
SUGGEST_SCORE = 0.25


class BotError(Refusal):
    """A refused bot request from the chat window."""


def bot_takes(conversation: Conversation) -> bool:
    """Whether the bot answers this chat first (its workspace's mode, hours and team)."""
    if conversation.channel != Conversation.Channel.CHAT:
        return False
    settings = selectors.bot_settings(tenant_id=conversation.tenant_id)
    if settings.mode == BotSettings.Mode.OFF:
        return False
    if not selectors.has_entries(tenant_id=conversation.tenant_id):
        return False
    if settings.mode == BotSettings.Mode.ALWAYS:
        return True
    tenant = conversation.tenant
    if settings.mode == BotSettings.Mode.CLOSED:
        return offline_selectors.availability(tenant=tenant).state == "closed"
    return offline_selectors.nobody_can_answer(tenant=tenant)


@dataclass(frozen=True)
class Decision:
    """What the bot makes of a question (``decide``): the same for the widget, the preview and
    ``manage.py bot_eval``."""

    kind: str  # Answer.Kind, or "person" (asked for a person)
    language: str
    result: retrieval.Result | None = None
    smalltalk: str = ""
    chosen: bool = False  # the visitor pressed this entry among the bot's suggestions

    @property
    def entry_id(self) -> int | None:
        best = self.result.best if self.result else None
        return best.id if best is not None and self.kind == Answer.Kind.ANSWER else None

    @property
    def suggested(self) -> list[int]:
        """The entries offered to choose from when retrieval is not sure (best first); none
        when the language model read the entries found and said they do not answer it."""
        if self.kind != Answer.Kind.UNSURE or self.result is None or self.result.confident:
            return []
        return [m.id for m in self.result.matches[:SUGGESTIONS] if m.score >= SUGGEST_SCORE]


def decide(*, tenant_id: int, question: str, fallback_language: str = "en") -> Decision:
    lang = language.detect(question) or fallback_language
    if text.asks_for_person(question):
        return Decision(PERSON, lang)
    small = text.smalltalk(question)
    if small:
        return Decision(Answer.Kind.SMALLTALK, lang, smalltalk=small)
    result = selectors.workspace_index(tenant_id=tenant_id).search(question)
    kind = Answer.Kind.ANSWER if result.confident else Answer.Kind.UNSURE
    return Decision(kind, lang, result=result)


def _bot_name(settings: BotSettings) -> str:
    return settings.name or _("Assistant")


def _smalltalk_reply(kind: str) -> str:
    if kind == text.SMALLTALK_THANKS:
        return _("You're welcome! Is there anything else I can help with?")
    if kind == text.SMALLTALK_BYE:
        return _("Goodbye, have a nice day!")
    return _("Hello! How can I help you today?")


def handoff_sentence(conversation: Conversation, *, promise: str = "") -> str:
    """What the visitor is told when the chat goes to people: that someone comes (``promise``,
    a flow's own words for it, when given), or, when nobody can answer (closed, or nobody
    online), that the answer comes by email, whatever ``promise`` says."""
    if offline_selectors.nobody_can_answer(tenant=conversation.tenant):
        return _(
            "Nobody from the team is available right now. Leave your email address and we "
            "will answer you by email."
        )
    return promise or _("I am passing you to the team. Someone will be with you shortly.")


def _tried(conversation: Conversation) -> list[dict]:
    """The entries the bot offered in this conversation (the latest first), for the team."""
    seen: dict[int, dict] = {}
    for answer in selectors.recent_answers(conversation=conversation):
        if answer.entry is not None and answer.entry_id not in seen:
            seen[answer.entry_id] = {
                "id": answer.entry_id,
                "question": selectors.translated(answer.entry, "question", answer.language),
            }
    return list(seen.values())


def _post(
    conversation: Conversation, *, client_id: str, body: str, bot: dict
) -> conversation_services.PostResult:
    return conversation_services.message_create(
        sender=Message.Sender.BOT,
        conversation=conversation,
        client_id=client_id,
        body=body,
        content={"bot": bot},
    )


def _hand_off(conversation: Conversation, *, client_id: str, reason: str) -> None:
    tried = _tried(conversation)
    _post(
        conversation,
        client_id=client_id,
        body=handoff_sentence(conversation),
        bot={"kind": Answer.Kind.HANDOFF},
    )
    conversation_services.conversation_handoff(
        conversation=conversation, reason=reason, tried=tried
    )


def _question(message: Message) -> str:
    """The visitor's words since the bot's or a person's last reply (at most a few messages)."""
    recent = list(
        Message.objects.filter(conversation_id=message.conversation_id, id__lte=message.pk)
        .order_by("-id")
        .values_list("sender", "body")[: QUESTION_MESSAGES * 2]
    )
    parts = []
    for sender, body in recent:
        if sender != Message.Sender.VISITOR:
            break
        parts.append(body)
        if len(parts) == QUESTION_MESSAGES:
            break
    return "\n".join(reversed(parts))


def _phrased(settings: BotSettings, decision: Decision, question: str) -> phrasing.Phrased | None:
    """The language model's answer from the entries that passed retrieval, when the bot
    answers from the knowledge base and the workspace's model is on; None otherwise."""
    if decision.kind != Answer.Kind.ANSWER or phrasing.endpoint(settings) is None:
        return None
    threshold = retrieval.Thresholds().score
    ids = [m.id for m in decision.result.matches if m.score >= threshold][: phrasing.ENTRIES_MAX]
    found = selectors.entries_by_id(ids)
    return phrasing.phrase(
        settings=settings,
        question=question,
        language=decision.language,
        entries=[found[i] for i in ids if i in found],
    )


def answer(*, message_id: int) -> Answer | None:
    """Answer the visitor's message ``message_id`` when the bot holds its conversation and it
    is the visitor's latest (earlier ones sent in a row are read with it). Answering the same
    message again does nothing."""
    message = (
        Message.objects.select_related(
            "conversation", "conversation__visitor", "conversation__tenant"
        )
        .filter(pk=message_id, sender=Message.Sender.VISITOR)
        .first()
    )
    if message is None or not message.conversation.bot_holds:
        return None
    conversation = message.conversation
    if intake.bot_busy(conversation):
        return None  # a flow talks with the visitor
    newer = Message.objects.filter(
        conversation=conversation, sender=Message.Sender.VISITOR, id__gt=message.pk
    ).exists()
    if newer or Answer.objects.filter(question=message).exists():
        return None
    settings = selectors.bot_settings(tenant_id=conversation.tenant_id)
    fallback = selectors.visitor_language(conversation=conversation)
    client_id = f"bot:{message.pk}"
    if settings.mode == BotSettings.Mode.OFF:
        # Turned off while it held this chat: people answer it.
        with translation.override(fallback):
            _hand_off(conversation, client_id=client_id, reason="bot_off")
        return None
    question = _question(message)
    decision = _chosen(message) or decide(
        tenant_id=conversation.tenant_id,
        question=question,
        fallback_language=fallback,
    )
    best = decision.result.best if decision.result else None
    # The optional language model words the answer from the entries found (phrasing.py); an
    # entry the visitor chose answers in its own words.
    phrased = None if decision.chosen else _phrased(settings, decision, question)
    if phrased is not None and not phrased.covered:
        decision = replace(decision, kind=Answer.Kind.UNSURE)  # they do not answer it
    elif phrased is not None:
        best = next(m for m in decision.result.matches if m.id == phrased.entry.pk)  # cited
    record = Answer(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        question=message,
        kind=decision.kind if decision.kind != PERSON else Answer.Kind.HANDOFF,
        entry_id=best.id if best is not None else None,
        score=best.score if best is not None else 0.0,
        language=decision.language,
    )
    try:
        with transaction.atomic(), translation.override(decision.language):
            record.save(force_insert=True)  # unique per question: a second run stops here
            if decision.kind == PERSON:
                _hand_off(conversation, client_id=client_id, reason="asked")
            elif decision.kind == Answer.Kind.SMALLTALK:
                posted = _post(
                    conversation,
                    client_id=client_id,
                    body=_smalltalk_reply(decision.smalltalk),
                    bot={"kind": Answer.Kind.SMALLTALK},
                )
                record.reply = posted.message
            elif decision.kind == Answer.Kind.ANSWER:
                entry = Entry.objects.get(pk=best.id)
                posted = _post(
                    conversation,
                    client_id=client_id,
                    body=phrased.text
                    if phrased
                    else selectors.translated(entry, "answer", decision.language),
                    bot={
                        "kind": Answer.Kind.ANSWER,
                        "entry": {
                            "id": entry.external_id,
                            "question": selectors.translated(entry, "question", decision.language),
                        },
                        "buttons": [HELPFUL, PERSON],
                        **({"phrased": True} if phrased else {}),
                        **({"chosen": True} if decision.chosen else {}),
                    },
                )
                record.reply = posted.message
            elif _missed_before(conversation, record):
                _hand_off(conversation, client_id=client_id, reason="no_answer")
            else:
                offered = _offered(decision)
                bot = {"kind": Answer.Kind.UNSURE, "buttons": [PERSON]}
                if offered:
                    bot["suggestions"] = offered
                posted = _post(
                    conversation,
                    client_id=client_id,
                    body=_(
                        "I am not sure I have the answer to that. Is it one of these? You can "
                        "also ask in other words, or talk to a person."
                    )
                    if offered
                    else _(
                        "I am not sure I have the answer to that. You can ask in other words, "
                        "or talk to a person."
                    ),
                    bot=bot,
                )
                record.reply = posted.message
            if record.reply_id:
                record.save(update_fields=["reply"])
            if decision.chosen:
                learning.phrasing_propose(answer=record)
    except IntegrityError:
        return None
    return record


def _offered(decision: Decision) -> list[dict]:
    """The suggestions of an unsure reply: each entry's id and question in the visitor's
    language."""
    found = selectors.entries_by_id(decision.suggested)
    return [
        {
            "id": found[i].external_id,
            "question": selectors.translated(found[i], "question", decision.language),
        }
        for i in decision.suggested
        if i in found and found[i].enabled
    ]


def _suggestions_of(reply: Message | None) -> dict[str, str]:
    """The entries an unsure reply of the bot suggested: id -> question as shown."""
    bot = (reply.content or {}).get("bot") if reply is not None else None
    offered = bot.get("suggestions", ()) if isinstance(bot, dict) else ()
    return {s["id"]: s["question"] for s in offered}


def _chosen(message: Message) -> Decision | None:
    """The decision for a visitor message that is a suggestion pressed (``suggestion_choose``):
    answer with that entry, in the language of the reply that offered it."""
    choice = (message.content or {}).get("bot_choice")
    if not isinstance(choice, dict):
        return None
    offer = (
        Answer.objects.filter(
            conversation_id=message.conversation_id,
            reply_id=choice.get("message"),
            kind=Answer.Kind.UNSURE,
        )
        .select_related("reply")
        .first()
    )
    if offer is None or choice.get("entry") not in _suggestions_of(offer.reply):
        return None
    entry = Entry.objects.filter(
        tenant_id=message.conversation.tenant_id, external_id=choice["entry"], enabled=True
    ).first()
    if entry is None:
        return None
    match = retrieval.Match(entry.pk, 1.0, selectors.translated(entry, "question", offer.language))
    result = retrieval.Result((match,), True)
    return Decision(Answer.Kind.ANSWER, offer.language, result=result, chosen=True)


def suggestion_choose(*, visitor: Visitor, message_id, entry) -> dict:
    """The visitor pressed one of the entries an unsure reply of the bot suggested: stored as
    the visitor's message (the entry's question), which the bot answers with that entry
    (``answer``). Answered with ``bot`` (``message``, ``action``)."""
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise BotError("invalid", _("message must be a message id."), field="message")
    if not isinstance(entry, str):
        raise BotError("invalid", _("Say which suggestion."), field="entry")
    asked = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, sender=Message.Sender.BOT, conversation__visitor=visitor)
        .first()
    )
    offered = _suggestions_of(asked)
    if entry not in offered:
        raise BotError("not_found", _("That suggestion is not there any more."), field="entry")
    if not asked.conversation.bot_holds:
        raise BotError("too_late", _("The team has this conversation now."), field="entry")
    conversation_services.message_create(
        sender=Message.Sender.VISITOR,
        visitor=visitor,
        client_id=f"bot-choice-{message_id}",  # one choice per reply: a second press repeats it
        body=offered[entry],
        content={"bot_choice": {"message": message_id, "entry": entry}},
    )
    return {"type": "bot", "message": message_id, "action": CHOOSE}


def _missed_before(conversation: Conversation, record: Answer) -> bool:
    """Whether the bot's previous answer in this conversation was a miss too (two in a row)."""
    previous = (
        Answer.objects.filter(conversation=conversation)
        .exclude(pk=record.pk)
        .exclude(kind=Answer.Kind.SMALLTALK)
        .order_by("-id")
        .values_list("kind", flat=True)
        .first()
    )
    return previous == Answer.Kind.UNSURE


def feedback(*, visitor: Visitor, message_id, action) -> dict:
    """The visitor pressed a button under a bot message: "helpful" (That answered it) or
    "person" (Talk to a person, which hands the conversation to people)."""
    if action not in (HELPFUL, PERSON):
        raise BotError("invalid", _("Unknown choice."), field="action")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise BotError("invalid", _("message must be a message id."), field="message")
    answer_row = (
        Answer.objects.select_related("conversation", "conversation__tenant", "question")
        .filter(reply_id=message_id, conversation__visitor=visitor)
        .first()
    )
    if answer_row is None:
        raise BotError("not_found", _("No such answer of the bot in your conversations."))
    conversation = answer_row.conversation
    with transaction.atomic():
        if answer_row.kind == Answer.Kind.ANSWER and answer_row.helpful is None:
            Answer.objects.filter(pk=answer_row.pk, helpful__isnull=True).update(
                helpful=action == HELPFUL
            )
        if action == PERSON:
            learning.phrasing_withdraw(answer=answer_row)  # a choice that did not help
        if action == PERSON and conversation.bot_holds:
            with translation.override(answer_row.language or None):
                _hand_off(conversation, client_id=f"bot:person:{message_id}", reason="button")
    return {"type": "bot", "message": message_id, "action": action}
