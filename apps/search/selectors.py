"""Inbox search: conversations by visitor name or email and by words in their messages.

``search_conversations`` starts from ``visible_conversations`` (the one door to what an operator
may see) and narrows it with the keyed token index (``apps.search.models``): for each query word,
the conversation must hold it in one of its messages or in its visitor's name or email. Only
then, for the few conversations shown, are message bodies and visitor names decrypted, to build
snippets and highlight ranges with the same folding as the index (docs/search.md).
"""

from django.db.models import Case, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from apps.conversations.models import Conversation
from apps.conversations.payloads import iso
from apps.conversations.selectors import visible_conversations
from apps.core.errors import Refusal
from apps.search import text
from apps.search.models import MessageEntry, VisitorEntry
from apps.search.tokens import MAX_PREFIX, MIN_WORD, query_tokens, term_matches

QUERY_MIN_LENGTH = 2
QUERY_MAX_LENGTH = 200
MAX_TERMS = 8
SNIPPETS_PER_CONVERSATION = 3
# Matching messages read (and decrypted) per shown conversation to pick its snippets from.
MESSAGES_READ_PER_CONVERSATION = 10
SNIPPET_LENGTH = 160
SNIPPET_LEAD = 40
ELLIPSIS = "…"


class SearchError(Refusal):
    """A search request we refuse (HTTP 400)."""


def parse_query(query) -> list[str]:
    """The folded words to look for, in order, without repeats (at most ``MAX_TERMS``)."""
    if not isinstance(query, str) or not query.strip():
        raise SearchError("empty", _("Type something to search for."))
    query = query.strip()
    if len(query) < QUERY_MIN_LENGTH:
        raise SearchError(
            "too_short",
            _("Type at least %(n)s characters to search.") % {"n": QUERY_MIN_LENGTH},
            min_length=QUERY_MIN_LENGTH,
        )
    if len(query) > QUERY_MAX_LENGTH:
        raise SearchError(
            "too_long",
            _("The search is too long: %(n)s characters at most.") % {"n": QUERY_MAX_LENGTH},
            max_length=QUERY_MAX_LENGTH,
        )
    terms = []
    for word in text.words(query):
        if len(word) >= MIN_WORD and word not in terms:
            terms.append(word)
    # "refund refun": a word that matches the longer one matches the shorter one too.
    terms = [t for t in terms if not any(o != t and term_matches(o, t) for o in terms)]
    if not terms:
        raise SearchError(
            "no_words",
            _("Search for a word of at least %(n)s letters or digits.") % {"n": MIN_WORD},
        )
    return terms[:MAX_TERMS]


def _conversations_holding(tokens: list[str]) -> Q:
    """The conversations (in the active workspace scope) with one of ``tokens`` in a message or
    in their visitor's name or email: one ``IN (… UNION ALL …)``, which PostgreSQL runs as a
    semi-join (an ``OR`` of two ``IN``s would need both id lists hashed in memory)."""
    in_messages = MessageEntry.objects.filter(tokens__any=tokens).values("conversation_id")
    of_visitors = (
        Conversation.objects.filter(
            visitor_id__in=VisitorEntry.objects.filter(tokens__any=tokens).values("visitor_id")
        )
        .order_by()
        .values("pk")
    )
    return Q(pk__in=in_messages.union(of_visitors, all=True))


def _snippet(body: str, ranges: list[list[int]]) -> tuple[str, list[list[int]]]:
    """A window of ``body`` around its first match, with the ranges moved into it."""
    if len(body) <= SNIPPET_LENGTH:
        return body, ranges
    start = max(0, ranges[0][0] - SNIPPET_LEAD)
    if start > 0:
        space = body.rfind(" ", max(0, start - 15), start)  # start on a word when one is near
        start = space + 1 if space != -1 else start
    end = min(len(body), start + SNIPPET_LENGTH)
    shift = -start + (1 if start > 0 else 0)
    moved = [[s + shift, e + shift] for s, e in ranges if s >= start and e <= end]
    lead = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(body) else ""
    snippet = lead + body[start:end] + tail
    return snippet, moved


def _matching_messages(conversation_ids: list[int], term_tokens: dict[str, list[str]]):
    """Up to ``MESSAGES_READ_PER_CONVERSATION`` matching messages per conversation, those with
    most query words first, then the newest; bodies decrypted here."""
    every_token = [tok for toks in term_tokens.values() for tok in toks]
    words_held = sum(
        (_holds(tokens) for tokens in term_tokens.values()), Value(0, output_field=IntegerField())
    )
    return list(
        MessageEntry.objects.filter(conversation_id__in=conversation_ids, tokens__any=every_token)
        .annotate(
            held=words_held,
            rank=Window(
                RowNumber(),
                partition_by=F("conversation_id"),
                order_by=[F("held").desc(), F("message_id").desc()],
            ),
        )
        .filter(rank__lte=MESSAGES_READ_PER_CONVERSATION)
        .values(
            "conversation_id",
            "message_id",
            "message__sender",
            "message__created_at",
            "message__body",
        )
    )


def _holds(tokens: list[str]):
    return Case(When(tokens__any=tokens, then=1), default=0, output_field=IntegerField())


def search_conversations(*, membership, query, limit: int = 20) -> list[dict]:
    """The visible conversations matching every word of ``query``, most recently active first.

    Each result: ``number``, ``status``, ``last_activity_at``, ``visitor`` (``name`` and
    ``name_highlights``; ``email`` and ``email_highlights`` when the email matched),
    ``matched`` (``name``, ``email``, ``messages``: where the words were found) and up to three
    ``snippets`` (``message_id``, ``sender``, ``created_at``, ``text``, ``highlights``).
    Highlight ranges are ``[start, end)`` in characters (Unicode code points) of the text they
    go with. Raises ``SearchError`` for a query that cannot be searched.
    """
    terms = parse_query(query)
    if membership is None:
        return []
    limit = max(1, min(int(limit), 50))
    term_tokens = {t: query_tokens(tenant_id=membership.tenant_id, term=t) for t in terms}

    conversations = visible_conversations(membership=membership)
    for tokens in term_tokens.values():
        conversations = conversations.filter(_conversations_holding(tokens))
    # A few spare candidates, for the rare one whose plaintext turns out not to match (a query
    # word longer than MAX_PREFIX characters, where the index only knows its start).
    candidates = list(
        conversations.select_related("visitor")
        .only(
            "number",
            "status",
            "last_activity_at",
            "visitor",
            "visitor__public_id",
            "visitor__name",
            "visitor__email",
        )
        .order_by("-last_activity_at", "-pk")[: limit + 5]
    )
    if not candidates:
        return []

    messages_by_conversation: dict[int, list[dict]] = {}
    for row in _matching_messages([c.pk for c in candidates], term_tokens):
        messages_by_conversation.setdefault(row["conversation_id"], []).append(row)

    results = []
    for conversation in candidates:
        result = _result(conversation, terms, messages_by_conversation.get(conversation.pk, []))
        if result is not None:
            results.append(result)
            if len(results) == limit:
                break
    return results


def _result(conversation: Conversation, terms: list[str], rows: list[dict]) -> dict | None:
    visitor = conversation.visitor
    name_ranges, name_found = text.highlight_ranges(visitor.name or "", terms, term_matches)
    email_ranges, email_found = text.highlight_ranges(visitor.email or "", terms, term_matches)
    found = name_found | email_found
    hits = []
    for row in rows:
        body = row["message__body"]
        ranges, words_found = text.highlight_ranges(body, terms, term_matches)
        if not ranges:
            continue
        found |= words_found
        hits.append((len(words_found), row, body, ranges))
    # Every word is found in the text, or the index (exact for words up to MAX_PREFIX
    # characters) vouches for one that is only in messages not read here.
    if any(len(t) > MAX_PREFIX and t not in found for t in terms):
        return None
    hits.sort(key=lambda h: (h[0], h[1]["message_id"]), reverse=True)
    snippets = []
    for _count, row, body, ranges in hits[:SNIPPETS_PER_CONVERSATION]:
        snippet, moved = _snippet(body, ranges)
        snippets.append(
            {
                "message_id": row["message_id"],
                "sender": row["message__sender"],
                "created_at": iso(row["message__created_at"]),
                "text": snippet,
                "highlights": moved,
            }
        )
    visitor_data = {
        "name": str(visitor.display_name),
        "name_highlights": name_ranges if visitor.name else [],
    }
    if email_ranges:
        visitor_data["email"] = visitor.email
        visitor_data["email_highlights"] = email_ranges
    return {
        "number": conversation.number,
        "status": conversation.status,
        "last_activity_at": iso(conversation.last_activity_at),
        "visitor": visitor_data,
        "matched": {
            "name": bool(name_ranges),
            "email": bool(email_ranges),
            "messages": bool(hits),
        },
        "snippets": snippets,
    }
