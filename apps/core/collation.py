"""Names in the order a Turkish reader expects.

The database sorts by its collation, which is not Turkish (``C.UTF-8`` here: "Çiçek" and
"İade" after "Zeytin", "avukat" after "Zeytin" too). The short lists people read as lists
(labels, teams, members) are sorted here instead, by ``turkish_key``: case does not count, and
the letters go a b c ç d e f g ğ h ı i j k l m n o ö p (q) r s ş t u ü v (w x) y z, with
I the capital of ı and İ the capital of i. Other accented Latin letters sort with their base
letter (â with a); digits and punctuation before letters, other scripts after.
"""

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

ALPHABET = "abcçdefgğhıijklmnoöpqrsştuüvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}


def _fold(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


def _letter(char: str) -> tuple[int, int]:
    if char in _RANK:
        return (1, _RANK[char])
    base = unicodedata.normalize("NFD", char)[0]
    if base in _RANK:
        return (1, _RANK[base])
    if char.isalpha():
        return (2, ord(char))
    return (0, ord(char))


def turkish_key(text) -> tuple:
    """A sort key for ``text`` in Turkish alphabetical order (ties: the text itself)."""
    text = str(text or "")
    return (tuple(_letter(char) for char in _fold(text)), text)


def sorted_by_name(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` in Turkish alphabetical order of ``name(item)``."""
    return sorted(items, key=lambda item: turkish_key(name(item)))
