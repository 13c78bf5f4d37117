"""Finding the knowledge-base entry that answers a visitor's question, offline.

No model, no download: an index of the entries' words, built in memory per workspace.

- Text is folded (``text.fold``): Turkish-aware lower case with Turkish letters as their plain
  look-alikes, so "SİPARİŞİM" and "siparisim" are the same word.
- Words are cut to their first ``PREFIX`` letters: Turkish stacks suffixes ("siparişlerimdeki"),
  and a fixed prefix groups a word's forms in both languages about as well as Snowball's
  English and Turkish stemmers together (measured with ``manage.py bot_eval`` on the tuning
  half: right first entry 75.5 % against 76.6 %, answered right 56.8 % against 54.5 %), with no
  stemmer to run or install.
- Words that mean the same to a customer, in either language, share a concept term
  (``concepts``): "send back", "return" and "iade" match. What the question is about lies in
  these terms more than in the things it names, so a shared concept weighs ``CONCEPT_WEIGHT``
  times its rarity.
- A misspelt word the index does not know, and no concept knows, is replaced by the closest
  word it knows that begins with the same letter, one edit away (two for a long word).
- Sentences that tell the bot what to do ("ignore your instructions") are left out
  (``text.without_instructions``): only what is left is looked up.
- An entry matches a question by the weight of the words they share (rarer words weigh more):
  how much of the question the entry's best phrasing explains, and how much of that phrasing the
  question covers. The answer's own words count for less. Every language's phrasings are in one
  index: a Turkish question with English words finds either.

The bot answers only when the best entry's score is high enough and clearly ahead of the next
one (``Thresholds``, chosen with ``manage.py bot_eval`` on the tuning half of the evaluation
set; ``UNKNOWN_WEIGHT`` on it and on the sets of two other kinds of business: 78.8 % answered
right, 3.0 % confidently wrong; 74.2 % and 6.1 % on the held-out half; docs/bot.md).
"""

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from apps.bot import concepts, lexicon, text

PREFIX = 5
FUZZY_MIN_LENGTH = 4
FUZZY_CUTOFF = 80
FUZZY_LONG = 8  # from this length a misspelt word may be two edits away, else one
ANSWER_WEIGHT = 0.5
CONCEPT_WEIGHT = 3.0  # a concept shared weighs this many times its rarity
# A word no entry has (and no concept knows, and that is no misspelling of a known one) weighs
# this many times the rarest known word: the question is likely about something else ("can I
# rent a car" beside "where do I park my car").
UNKNOWN_WEIGHT = 1.5


@dataclass(frozen=True)
class Thresholds:
    score: float = 0.46  # the best entry's score must reach this
    margin: float = 0.08  # ...and be this far ahead of the second best


@dataclass(frozen=True)
class Source:
    """What the index is built from: an entry's id, its phrasings (questions and variants, all
    languages) and its answers (all languages)."""

    id: int
    phrasings: tuple[str, ...]
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    id: int
    score: float
    phrasing: str  # the phrasing that matched best


@dataclass(frozen=True)
class Result:
    matches: tuple[Match, ...]  # best first
    confident: bool

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


def term(word: str) -> str:
    return word[:PREFIX]


def terms_of(words: list[str], thesaurus: concepts.Thesaurus = concepts.SHARED) -> set[str]:
    """The terms of folded ``words``: each content word's prefix, and the support concepts
    the words speak of (``concepts``)."""
    terms = {term(w) for w in words if w not in lexicon.STOPWORDS}
    return terms | thesaurus.concepts(words)


class Index:
    def __init__(self, sources: Iterable[Source], *, synonyms: str = ""):
        """``synonyms``: the workspace's own words that mean the same (``synonym_groups``)."""
        self.sources = list(sources)
        own = synonym_groups(synonyms)
        self.thesaurus = concepts.SHARED.extended(own) if own else concepts.SHARED
        # Per phrasing: (source index, its text, its terms).
        self.phrasings: list[tuple[int, str, frozenset[str]]] = []
        self.answer_terms: list[frozenset[str]] = []
        self.postings: dict[str, list[int]] = defaultdict(list)  # term -> phrasing indexes
        self.answer_postings: dict[str, list[int]] = defaultdict(list)  # term -> source indexes
        entry_terms: list[set[str]] = []
        words: set[str] = set()
        for i, source in enumerate(self.sources):
            every: set[str] = set()
            for phrasing in source.phrasings:
                found = text.words(phrasing)
                words.update(w for w in found if w not in lexicon.STOPWORDS)
                terms = frozenset(terms_of(found, self.thesaurus))
                if not terms:
                    continue
                for t in terms:
                    self.postings[t].append(len(self.phrasings))
                self.phrasings.append((i, phrasing, terms))
                every |= terms
            answer: set[str] = set()
            for a in source.answers:
                found = text.words(a)
                words.update(w for w in found if w not in lexicon.STOPWORDS)
                answer |= terms_of(found, self.thesaurus)
            answer = frozenset(answer)
            for t in answer:
                self.answer_postings[t].append(i)
            self.answer_terms.append(answer)
            entry_terms.append(every | answer)
        # A word's weight: rarer across entries weighs more (inverse document frequency).
        n = max(len(self.sources), 1)
        df = Counter(t for terms in entry_terms for t in terms)
        self.unknown_weight = math.log(1 + n) * UNKNOWN_WEIGHT
        self.weights = {
            t: math.log(1 + n / c) * (CONCEPT_WEIGHT if t[0] == "@" else 1) for t, c in df.items()
        }
        # A misspelt function word ("istiyorm", "misinz") is one too: corrected, it weighs
        # nothing, instead of the most as a word nobody knows.
        words.update(w for w in lexicon.STOPWORDS if len(w) >= FUZZY_MIN_LENGTH + 2)
        self.words_by_letter: dict[str, list[str]] = defaultdict(list)
        for word in sorted(words):
            self.words_by_letter[word[0]].append(word)
        self.known_terms = frozenset(df)

    def _terms(self, query: str) -> dict[str, float]:
        """The question's terms with their weights; a misspelt word becomes the closest known
        word when there is one, an unknown one weighs the most."""
        words = []
        for word in text.words(query):
            if (
                word not in lexicon.STOPWORDS
                and term(word) not in self.known_terms
                and len(word) >= FUZZY_MIN_LENGTH
                and self.thesaurus.single(word) is None
            ):
                word = self._closest(word) or word
            words.append(word)
        return {
            t: self.weights.get(t, self.unknown_weight) for t in terms_of(words, self.thesaurus)
        }

    def _closest(self, word: str) -> str | None:
        """The known word ``word`` is a misspelling of: close enough (``FUZZY_CUTOFF``), one
        edit away (two for a long word), beginning with the same letter, as people seldom
        mistype the first."""
        known = self.words_by_letter.get(word[0])
        if not known:
            return None
        close = process.extractOne(word, known, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if close is None:
            return None
        edits = 2 if len(word) >= FUZZY_LONG else 1
        return close[0] if OSA.distance(word, close[0]) <= edits else None

    def search(
        self, query: str, *, limit: int = 5, thresholds: Thresholds = Thresholds()
    ) -> Result:
        weighted = self._terms(text.without_instructions(query))
        total = sum(weighted.values())
        if not total:
            return Result((), False)
        best: dict[int, tuple[float, str]] = {}
        candidates = {p for t in weighted for p in self.postings.get(t, ())}
        for p in candidates:
            source, phrasing, terms = self.phrasings[p]
            shared = sum(w for t, w in weighted.items() if t in terms)
            recall = shared / total
            precision = shared / sum(self.weights.get(t, 0) for t in terms)
            f = 2 * recall * precision / (recall + precision) if shared else 0.0
            if f > best.get(source, (-1.0, ""))[0]:
                best[source] = (f, phrasing)
        answered = {s for t in weighted for s in self.answer_postings.get(t, ())}
        scores: dict[int, tuple[float, str]] = {}
        for source in set(best) | answered:
            f, phrasing = best.get(source, (0.0, ""))
            terms = self.answer_terms[source]
            in_answer = sum(w for t, w in weighted.items() if t in terms) / total
            scores[source] = (f + ANSWER_WEIGHT * in_answer * (1 - f), phrasing)
        ranked = sorted(scores.items(), key=lambda item: -item[1][0])[:limit]
        matches = tuple(
            Match(self.sources[s].id, round(score, 4), phrasing) for s, (score, phrasing) in ranked
        )
        confident = bool(matches) and matches[0].score >= thresholds.score
        if confident and len(matches) > 1:
            confident = matches[0].score - matches[1].score >= thresholds.margin
        return Result(matches, confident)


def synonym_members(line: str) -> list[str]:
    """The members of one line of a workspace's words that mean the same: its words or phrases
    separated by commas ("kasa pro, pro paket"), folded as questions are."""
    members = ("_".join(text.words(item)) for item in line.split(","))
    return [m for m in members if m]


def synonym_groups(value: str) -> dict[str, list[str]]:
    """A workspace's own words that mean the same: a group per line of two or more members."""
    lines = enumerate((value or "").splitlines(), start=1)
    return {f"own{n}": found for n, line in lines if len(found := synonym_members(line)) >= 2}


_WORD = re.compile(r"\w+")


class BaselineIndex:
    """Plain BM25 over each entry's text, lower-cased and split on spaces: the yardstick the
    bot's retrieval is measured against (``manage.py bot_eval --baseline``)."""

    k1 = 1.2
    b = 0.75

    def __init__(self, sources: Iterable[Source]):
        self.sources = list(sources)
        self.docs = [
            Counter(_WORD.findall(" ".join(s.phrasings + s.answers).lower())) for s in self.sources
        ]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / max(len(self.docs), 1)
        n = len(self.docs)
        df = Counter(t for d in self.docs for t in d)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def search(
        self, query: str, *, limit: int = 5, thresholds: Thresholds = Thresholds()
    ) -> Result:
        words = _WORD.findall(query.lower())
        scores = []
        for i, doc in enumerate(self.docs):
            score = 0.0
            for w in words:
                tf = doc.get(w, 0)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.average)
                    score += self.idf[w] * tf * (self.k1 + 1) / (tf + norm)
            if score:
                scores.append((score, i))
        scores.sort(reverse=True)
        matches = tuple(Match(self.sources[i].id, round(s, 4), "") for s, i in scores[:limit])
        return Result(matches, bool(matches) and matches[0].score >= thresholds.score)
