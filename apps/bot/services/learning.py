"""Learning, only with consent: proposed knowledge-base entries.

When a conversation is resolved and its visitor consented to the use of their conversations for
improving answers (``visitors`` consent, purpose ``LEARNING``), each of their questions the bot
could not answer (it said it did not know, or handed off) becomes a proposal, with the team's
first reply after it as the draft answer. A question after which the visitor chose one of the
bot's suggestions is proposed at once as a phrasing of that entry instead
(``phrasing_propose``), unless they say the entry did not help (``phrasing_withdraw``). An
operator can also suggest an entry from a conversation: the team's last reply, with the
visitor's question only when they consented.
Nothing goes live on its own: an admin makes an entry of a proposal (``proposal_approve``) or
dismisses it. A visitor who takes their consent back takes their words out of every pending
proposal (``consent_withdrawn``). A conversation without consent is never read for this.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.bot import selectors
from apps.bot.models import Answer, Entry, Proposal
from apps.conversations.models import Conversation, Message
from apps.core.errors import Refusal
from apps.tenants.models import Membership
from apps.visitors import selectors as visitor_selectors
from apps.visitors import services as visitor_services
from apps.visitors.models import Visitor

LEARNING = "learning"
MISSES = (Answer.Kind.UNSURE,)  # it did not know (a request for a person is no question)


class ProposalError(Refusal):
    """A refused proposal request; nothing changed."""


def _consented(visitor_id: int) -> bool:
    return visitor_selectors.consent_given(visitor_id=visitor_id, purpose=LEARNING)


def learning_consent_set(*, visitor: Visitor, given: bool, text: str, language: str) -> None:
    """The visitor gives or takes back their consent to the use of their conversations for
    improving the bot's answers (in the words ``text`` the chat window showed)."""
    visitor_services.consent_set(
        visitor=visitor, purpose=LEARNING, given=given, text=text, language=language
    )


def _reply_after(message: Message) -> Message | None:
    """The team's first reply after ``message`` in its conversation."""
    return (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            sender=Message.Sender.OPERATOR,
            id__gt=message.pk,
        )
        .order_by("id")
        .first()
    )


def proposals_collect(*, conversation: Conversation) -> int:
    """Propose entries from a resolved conversation whose visitor consented: each question the
    bot missed that the team then answered. Returns how many were proposed (none twice)."""
    if not _consented(conversation.visitor_id):
        return 0
    made = 0
    misses = Answer.objects.filter(conversation=conversation, kind__in=MISSES).select_related(
        "question"
    )
    chosen = _chosen_answers(conversation)
    for miss in misses:
        question = miss.question
        if miss.reply_id in chosen:
            # Made good by a suggestion the visitor chose: a phrasing of that entry (proposed
            # when they chose it, unless they consented only later).
            made += _phrasing_create(answer=chosen[miss.reply_id], miss=miss) is not None
            continue
        reply = _reply_after(question)
        if reply is None or not question.body.strip():
            continue
        try:
            with transaction.atomic():
                Proposal.objects.create(
                    tenant_id=conversation.tenant_id,
                    conversation=conversation,
                    visitor_id=conversation.visitor_id,
                    question_message=question,
                    question=question.body,
                    answer=reply.body,
                    language=miss.language,
                )
        except IntegrityError:
            continue  # proposed before (the conversation was resolved again)
        made += 1
    return made


def _chosen_answers(conversation: Conversation) -> dict[int, Answer]:
    """The bot's unsure replies in ``conversation`` after which the visitor chose one of its
    suggestions and did not then say it did not help: reply id -> the bot's answer to the
    choice."""
    answers = (
        Answer.objects.filter(
            conversation=conversation,
            kind=Answer.Kind.ANSWER,
            question__content__has_key="bot_choice",
        )
        .exclude(helpful=False)
        .select_related("question", "conversation")
    )
    return {offer: a for a in answers if (offer := _offer_of(a)) is not None and a.entry_id}


def _offer_of(answer: Answer) -> int | None:
    """The unsure reply whose suggestion the visitor chose, for an answer to that choice."""
    offer = (answer.question.content or {}).get("bot_choice", {}).get("message")
    return offer if isinstance(offer, int) else None


def phrasing_propose(*, answer: Answer) -> Proposal | None:
    """The bot answered with the entry the visitor chose among its suggestions: with their
    consent, the question it was not sure about is proposed at once as a phrasing of that
    entry (bot-held chats are seldom resolved, so this does not wait for it)."""
    offer = _offer_of(answer)
    if offer is None or answer.entry_id is None or not _consented(answer.conversation.visitor_id):
        return None
    miss = (
        Answer.objects.filter(
            conversation_id=answer.conversation_id, reply_id=offer, kind=Answer.Kind.UNSURE
        )
        .select_related("question")
        .first()
    )
    return _phrasing_create(answer=answer, miss=miss) if miss is not None else None


def _phrasing_create(*, answer: Answer, miss: Answer) -> Proposal | None:
    """The question of ``miss`` proposed as a phrasing of the entry ``answer`` gave (once)."""
    if not miss.question.body.strip():
        return None
    try:
        with transaction.atomic():
            return Proposal.objects.create(
                tenant_id=answer.tenant_id,
                conversation_id=answer.conversation_id,
                visitor_id=answer.conversation.visitor_id,
                question_message=miss.question,
                question=miss.question.body,
                language=miss.language,
                source=Proposal.Source.CHOICE,
                entry_id=answer.entry_id,
            )
    except IntegrityError:
        return None  # proposed before


def phrasing_withdraw(*, answer: Answer) -> int:
    """The visitor said the entry they chose did not help ("Talk to a person" under it): its
    pending phrasing goes. Returns how many went."""
    offer = _offer_of(answer)
    if offer is None:
        return 0
    deleted, _rows = Proposal.objects.filter(
        conversation_id=answer.conversation_id,
        source=Proposal.Source.CHOICE,
        status=Proposal.Status.PENDING,
        question_message__in=Answer.objects.filter(
            conversation_id=answer.conversation_id, reply_id=offer
        ).values("question_id"),
    ).delete()
    return deleted


def proposal_suggest(*, membership: Membership, conversation: Conversation) -> Proposal:
    """An operator suggests an entry from the conversation: their team's last reply as the
    answer, and the visitor's question before it when the visitor consented (else the admin
    writes the question)."""
    reply = (
        Message.objects.filter(conversation=conversation, sender=Message.Sender.OPERATOR)
        .order_by("-id")
        .first()
    )
    if reply is None or not reply.body.strip():
        raise ProposalError(
            "no_reply", _("There is no reply of the team in this conversation to suggest.")
        )
    question = None
    if _consented(conversation.visitor_id):
        question = (
            Message.objects.filter(
                conversation=conversation, sender=Message.Sender.VISITOR, id__lt=reply.pk
            )
            .order_by("-id")
            .first()
        )
    return Proposal.objects.create(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        visitor_id=conversation.visitor_id,
        question=question.body if question is not None else "",
        answer=reply.body,
        language=selectors.visitor_language(conversation=conversation),
        source=Proposal.Source.OPERATOR,
        proposed_by=membership.user,
    )


def consent_withdrawn(*, visitor_id: int) -> int:
    """The visitor took their consent back: their words leave every pending proposal (the
    proposals go). Returns how many went."""
    deleted, _rows = Proposal.objects.filter(
        visitor_id=visitor_id, status=Proposal.Status.PENDING
    ).delete()
    return deleted


def _decide(proposal_ids: list[int], status: str, entry: Entry | None = None) -> int:
    return Proposal.objects.filter(pk__in=proposal_ids, status=Proposal.Status.PENDING).update(
        status=status, entry=entry, decided_at=timezone.now()
    )


def proposals_dismiss(*, proposal_ids: list[int]) -> int:
    return _decide(proposal_ids, Proposal.Status.DISMISSED)


def proposals_approve(*, proposal_ids: list[int], entry: Entry) -> int:
    """The admin made ``entry`` of these proposals (a group of similar questions)."""
    return _decide(proposal_ids, Proposal.Status.APPROVED, entry)
