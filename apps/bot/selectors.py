"""Reads of the bot app: its settings, the knowledge base, the answering index, what it did."""

import threading
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.db.models import CharField, Count, F, Func, Q, QuerySet, Value
from django.db.models.functions import Concat, Lower

from apps.bot import language, retrieval, text
from apps.bot.models import Answer, BotSettings, Entry, EntryRevision, Proposal
from apps.conversations.models import Conversation, Message
from apps.offline import selectors as offline_selectors

LANGUAGES = tuple(code for code, _name in django_settings.LANGUAGES)


def bot_settings(*, tenant_id: int) -> BotSettings:
    """The workspace's bot settings (the defaults, unsaved, until an admin saves them)."""
    found = BotSettings.objects.filter(tenant_id=tenant_id).first()
    return found if found is not None else BotSettings(tenant_id=tenant_id)


def translated(entry: Entry, field: str, language: str) -> str:
    """An entry's ``field`` in ``language``, else in the first language that has it."""
    for code in (language, *LANGUAGES):
        value = getattr(entry, f"{field}_{code}", "") or ""
        if value.strip():
            return value
    return ""


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def entry_source(entry: Entry) -> retrieval.Source:
    phrasings: list[str] = []
    answers: list[str] = []
    for code in LANGUAGES:
        question = getattr(entry, f"question_{code}", "") or ""
        if question.strip():
            phrasings.append(question)
        phrasings.extend(_lines(getattr(entry, f"variants_{code}", "")))
        answer = getattr(entry, f"answer_{code}", "") or ""
        if answer.strip():
            answers.append(answer)
    return retrieval.Source(entry.pk, tuple(phrasings), tuple(answers))


# One index per workspace per process, rebuilt when the knowledge base's version moves.
_indexes: dict[int, tuple[int, retrieval.Index]] = {}
_lock = threading.Lock()


def index(*, tenant_id: int, version: int, synonyms: str = "") -> retrieval.Index:
    """The workspace's index at knowledge-base ``version`` (its entries and ``synonyms``, whose
    changes move the version)."""
    cached = _indexes.get(tenant_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _indexes.get(tenant_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        built = retrieval.Index(
            (entry_source(e) for e in Entry.objects.filter(tenant_id=tenant_id, enabled=True)),
            synonyms=synonyms,
        )
        _indexes[tenant_id] = (version, built)
        return built


def workspace_index(*, tenant_id: int) -> retrieval.Index:
    """The workspace's answering index as its knowledge base is now."""
    bot = bot_settings(tenant_id=tenant_id)
    return index(tenant_id=tenant_id, version=bot.kb_version, synonyms=bot.synonyms)


def has_entries(*, tenant_id: int) -> bool:
    return Entry.objects.filter(tenant_id=tenant_id, enabled=True).exists()


def entries_by_id(ids) -> dict[int, Entry]:
    return {e.pk: e for e in Entry.objects.filter(pk__in=list(ids))}


def recent_answers(*, conversation: Conversation, limit: int = 10) -> list[Answer]:
    """The bot's latest answers in ``conversation``, newest first."""
    return list(Answer.objects.filter(conversation=conversation).select_related("entry")[:limit])


# --- the knowledge base's pages ----------------------------------------------------------------

TRANSLATED = ("question", "variants", "answer")
# Folded the way the search folds what is typed (``_folded``): Turkish letters as their plain
# look-alikes, so "siparis" finds "Siparişim" and "iade" finds "İade".
_TURKISH, _PLAIN = "çğıöşüâîû", "cgiosuaiu"
_FOLD = str.maketrans(_TURKISH, _PLAIN)


def _search_folded(value: str) -> str:
    return value.replace("İ", "i").lower().translate(_FOLD)


def _searchable() -> Func:
    """Every text of an entry (its ID, and each language's question, phrasings and answer),
    lower case and folded, in the database."""
    parts = [F("external_id")]
    for code in LANGUAGES:
        parts.extend(F(f"{name}_{code}") for name in TRANSLATED)
    joined = Concat(*(p for part in parts for p in (part, Value("\n"))), output_field=CharField())
    return Func(
        Lower(Func(joined, Value("İ"), Value("i"), function="translate")),
        Value(_TURKISH),
        Value(_PLAIN),
        function="translate",
        output_field=CharField(),
    )


def entries_search(query: str) -> QuerySet:
    entries = Entry.objects.order_by("external_id")
    if query:
        entries = entries.alias(searchable=_searchable()).filter(
            searchable__contains=_search_folded(query)
        )
    return entries


@dataclass
class Figures:
    answered: int = 0
    helpful: int = 0


def entry_figures(entry_ids) -> dict[int, Figures]:
    """Per entry: how often the bot answered with it, and how many of those answers the
    visitor marked "That answered it"."""
    rows = (
        Answer.objects.filter(entry_id__in=list(entry_ids), kind=Answer.Kind.ANSWER)
        .values("entry_id")
        .annotate(answered=Count("id"), helpful=Count("id", filter=Q(helpful=True)))
    )
    return {r["entry_id"]: Figures(r["answered"], r["helpful"]) for r in rows}


def entry_revisions(*, entry: Entry, limit: int) -> list[EntryRevision]:
    """The entry's saved versions, newest first."""
    return list(
        EntryRevision.objects.filter(entry=entry).select_related("author").order_by("-id")[:limit]
    )


def last_visitor_message(*, conversation: Conversation) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, sender=Message.Sender.VISITOR)
        .order_by("-id")
        .first()
    )


def visitor_language(*, conversation: Conversation) -> str:
    """The language to answer the conversation's visitor in when their words do not say."""
    return offline_selectors.visitor_language(
        conversation.visitor, fallback=conversation.tenant.default_language
    )


# --- proposed entries (learning) ----------------------------------------------------------------

GROUP_SIMILARITY = 0.4  # shared terms over all terms of two questions, to group them
GROUPS_SHOWN = 50


@dataclass
class ProposalGroup:
    proposals: list[Proposal]

    @property
    def ids(self) -> list[int]:
        return [p.pk for p in self.proposals]

    @property
    def answer(self) -> str:
        return next((p.answer for p in self.proposals if p.answer.strip()), "")


def _terms(value: str) -> set[str]:
    return retrieval.terms_of(text.words(value))


def proposal_groups(*, limit: int = GROUPS_SHOWN) -> list[ProposalGroup]:
    """The pending proposals, similar questions grouped (the most asked first)."""
    groups: list[tuple[set[str], ProposalGroup]] = []
    pending = Proposal.objects.filter(status=Proposal.Status.PENDING).exclude(
        source=Proposal.Source.CHOICE
    )
    for proposal in pending.order_by("id")[:1000]:
        terms = _terms(proposal.question)
        for seen, group in groups:
            union = seen | terms
            if terms and union and len(seen & terms) / len(union) >= GROUP_SIMILARITY:
                group.proposals.append(proposal)
                break
        else:
            groups.append((terms, ProposalGroup([proposal])))
    ordered = sorted((g for _t, g in groups), key=lambda g: -len(g.proposals))
    return ordered[:limit]


def proposal_initial(*, ids: list[int]) -> dict:
    """An entry form filled from pending proposals: the first question (per language) as the
    question, the others as phrasings, the first draft answer as the answer."""
    proposals = list(
        Proposal.objects.filter(pk__in=ids, status=Proposal.Status.PENDING).order_by("id")
    )
    initial: dict = {}
    for code in LANGUAGES:
        mine = [p for p in proposals if (p.language or LANGUAGES[0]) == code]
        questions = [" ".join(p.question.split()) for p in mine if p.question.strip()]
        if questions:
            initial[f"question_{code}"] = questions[0][:300]
            initial[f"variants_{code}"] = "\n".join(dict.fromkeys(questions[1:]))
        answer = next((p.answer for p in mine if p.answer.strip()), "")
        if answer:
            initial[f"answer_{code}"] = answer
    return initial


def _phrasings() -> QuerySet[Proposal]:
    return Proposal.objects.filter(
        status=Proposal.Status.PENDING, source=Proposal.Source.CHOICE, entry__isnull=False
    ).select_related("entry")


def phrasing_proposals(*, limit: int = GROUPS_SHOWN) -> list[Proposal]:
    """Pending phrasings: a visitor's words for the entry they chose among the bot's
    suggestions (grouped by entry)."""
    return list(_phrasings().order_by("entry_id", "id")[:limit])


def phrasing_proposal(proposal_id: int) -> Proposal | None:
    return _phrasings().filter(pk=proposal_id).first()


def pending_proposals() -> int:
    return Proposal.objects.filter(status=Proposal.Status.PENDING).count()


SUGGESTIONS = 3
SUGGESTION_MIN_SCORE = 0.15


def suggestions(*, conversation: Conversation, limit: int = SUGGESTIONS) -> tuple[int | None, list]:
    """The knowledge base's closest entries to the visitor's last message in ``conversation``,
    for the team (the bot's own retrieval): that message's id and ``[{"id", "question",
    "answer", "score"}]`` in the language of the message, else the visitor's."""
    last = last_visitor_message(conversation=conversation)
    if last is None or not last.body.strip():
        return None, []
    lang = language.detect(last.body) or visitor_language(conversation=conversation)
    result = workspace_index(tenant_id=conversation.tenant_id).search(last.body, limit=limit)
    matches = [m for m in result.matches if m.score >= SUGGESTION_MIN_SCORE]
    entries = entries_by_id(m.id for m in matches)
    return last.pk, [
        {
            "id": entries[m.id].external_id,
            "question": translated(entries[m.id], "question", lang),
            "answer": translated(entries[m.id], "answer", lang),
            "score": m.score,
        }
        for m in matches
        if m.id in entries
    ]
