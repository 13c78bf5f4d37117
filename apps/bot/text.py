"""Turkish-aware folding and the small classifications of a visitor's message that come before
the knowledge base: small talk, and asking for a person. Pure functions, no Django."""

import re
import unicodedata

from apps.bot import lexicon

# Turkish letters as their plain Latin look-alikes: text typed on a keyboard without them
# ("siparisim") is the same as text with them ("siparişim").
_FOLD = str.maketrans("çğıöşüâîû", "cgiosuaiu")
_APOSTROPHE_SUFFIX = re.compile(r"['’`´]\w+")
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"[.!?\n]+")


def fold(value: str) -> str:
    """Lower case the Turkish way (İ is i, I is ı), then without Turkish letters or accents.
    A suffix set off by an apostrophe ("order'ımı", "Lale'nin") is dropped."""
    value = value.replace("İ", "i").replace("I", "ı").lower()
    value = _APOSTROPHE_SUFFIX.sub("", value)
    value = value.translate(_FOLD)
    if value.isascii():
        return value
    value = unicodedata.normalize("NFKD", value)
    return "".join(c for c in value if not unicodedata.combining(c))


def words(value: str) -> list[str]:
    return _WORD.findall(fold(value))


SMALLTALK_GREETING = "greeting"
SMALLTALK_THANKS = "thanks"
SMALLTALK_BYE = "bye"

_SMALL = (
    (SMALLTALK_THANKS, lexicon.THANKS),
    (SMALLTALK_BYE, lexicon.GOODBYES),
    (SMALLTALK_GREETING, lexicon.GREETINGS),
)


def smalltalk(value: str) -> str | None:
    """ "greeting", "thanks" or "bye" when the message is nothing but that; else None."""
    found = words(value)
    if not found or len(found) > 8:
        return None
    kinds = set()
    for word in found:
        kind = next((k for k, vocabulary in _SMALL if word in vocabulary), None)
        if kind is not None:
            kinds.add(kind)
        elif word not in lexicon.STOPWORDS:
            return None  # a word with a topic: a question, not small talk
    for kind, _vocabulary in _SMALL:
        if kind in kinds:
            return kind
    return None


def asks_for_person(value: str) -> bool:
    """Whether the visitor asks to talk to a person, in either language. Asking when people are
    there ("live support hours?") is a question for the knowledge base, unless it also asks to
    reach one."""
    folded = " ".join(words(value))
    found = folded.split()
    reach = any(w.startswith(lexicon.REACH_STEMS) for w in found)
    if any(phrase in folded for phrase in lexicon.PERSON_PHRASES):
        return reach or not any(w.startswith(lexicon.SCHEDULE_STEMS) for w in found)
    person = any(w.startswith(lexicon.PERSON_STEMS) for w in found)
    return person and reach


def _starts(word: str, part: str) -> bool:
    return word.startswith(part) if len(part) >= 4 else word == part


_INSTRUCTIONS = tuple(tuple(p.split()) for p in lexicon.INSTRUCTION_PHRASES)


def _instructs(found: list[str]) -> bool:
    for phrase in _INSTRUCTIONS:
        for i in range(len(found) - len(phrase) + 1):
            if all(_starts(found[i + j], part) for j, part in enumerate(phrase)):
                return True
    return False


def without_instructions(value: str) -> str:
    """``value`` without its sentences that tell the bot what to be or do ("Ignore your
    instructions."): what is left is what the visitor asks, if anything."""
    sentences = _SENTENCE.split(value)
    kept = [s for s in sentences if not _instructs(words(s))]
    return value if len(kept) == len(sentences) else ". ".join(kept)
