"""Text folding, words and highlight ranges: the one normalisation the index and the query share.

Folding a character: a few letters that Unicode does not decompose are mapped by hand (Turkish
dotless ı, ø, æ, œ, ł, đ, ð, þ), then NFKD, then combining marks (accents, cedillas, breves, the
dot of İ) are dropped, then casefold. So "İSTANBUL", "İstanbul" and "istanbul" fold alike, as do
"Şişli"/"sisli", "Gülşah"/"gulsah" and "Çağrı"/"cagri".

A word is a run of letters and digits in the folded text (anything else separates words, so
"ayse@example.com" is three words). Folding works character by character, so every folded
character knows the original character it came from, and a word found in the folded text maps
back to a range of the original text (for highlighting).
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# Letters NFKD leaves alone but people type without their marks.
_BY_HAND = str.maketrans(
    {
        "ı": "i",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
    }
)
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.translate(_BY_HAND))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def fold(text: str) -> str:
    if text.isascii():
        # Nothing to decompose or strip, and ASCII casefolds as it lowercases: most chat
        # text, folded in one C call instead of one cached call per character.
        return text.lower()
    return "".join(map(fold_char, text))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (repeats kept)."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Word:
    folded: str
    start: int  # range in the original text, in characters (code points)
    end: int


def words_with_ranges(text: str) -> list[Word]:
    folded_parts = []
    origin: list[int] = []  # folded index -> original index
    for index, ch in enumerate(text):
        part = fold_char(ch)
        folded_parts.append(part)
        origin.extend([index] * len(part))
    folded = "".join(folded_parts)
    return [
        Word(m.group(), origin[m.start()], origin[m.end() - 1] + 1) for m in _WORD.finditer(folded)
    ]


def highlight_ranges(
    text: str, terms: list[str], matches: Callable[[str, str], bool]
) -> tuple[list[list[int]], set[str]]:
    """Ranges of ``text``'s words found by one of ``terms`` (folded query words; ``matches(word,
    term)`` says which), and the terms found. The whole word is marked ("refun" marks
    "refund")."""
    ranges = []
    found = set()
    for word in words_with_ranges(text):
        hits = [t for t in terms if matches(word.folded, t)]
        if hits:
            ranges.append([word.start, word.end])
            found.update(hits)
    return ranges, found
