"""Keyed search tokens: what the index stores instead of words (docs/search.md).

A folded word (``apps.search.text``) stands for its prefixes of ``MIN_PREFIX`` to ``MAX_PREFIX``
characters ("refunded" → "ref", "refu", "refun", "refund", "refunde", "refunded"); a query word
looks up its own first ``MAX_PREFIX`` characters, so "refun" finds "refund" (longer query words
are then checked against the decrypted text). Two-character words are indexed whole only ("tv",
"42"); one-character words not at all.

Each piece is hashed with HMAC-SHA256 under a key of the workspace, derived from the search key
(``apps.core.crypto.search_keys``, itself derived from ENCRYPTION_KEYS), and cut to 48 bits,
written as 8 base64 characters. The same word gives different tokens in two workspaces, and
nothing in the index can be turned back into text without the key.
"""

import binascii
import hashlib
import hmac
import string
from functools import lru_cache

from apps.core.crypto import search_keys
from apps.search import text

MIN_WORD = 2
MIN_PREFIX = 3
MAX_PREFIX = 10
TOKEN_BYTES = 6
TOKEN_ALPHABET = frozenset(string.ascii_letters + string.digits + "+/")


@lru_cache(maxsize=1024)
def _workspace_mac(search_key: bytes, tenant_id: int):
    workspace_key = hmac.new(search_key, f"workspace:{tenant_id}".encode(), hashlib.sha256)
    return hmac.new(workspace_key.digest(), digestmod=hashlib.sha256)


def _hash(mac, piece: str) -> str:
    h = mac.copy()
    h.update(piece.encode())
    return binascii.b2a_base64(h.digest()[:TOKEN_BYTES], newline=False).decode()


def prefixes(word: str) -> list[str]:
    """The pieces a folded word is indexed under."""
    if len(word) < MIN_PREFIX:
        return [word] if len(word) >= MIN_WORD else []
    return [word[:n] for n in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1)]


def term_matches(word: str, term: str) -> bool:
    """Whether the folded query word ``term`` finds the folded ``word`` (what the index
    answers, said on plaintext): its beginning, or the whole word for a two-character term."""
    if len(term) < MIN_PREFIX:
        return word == term
    return word.startswith(term)


# A chat's words repeat ("hello", "order", "thanks"): a message's tokens are mostly words
# hashed before. Each entry is a word's few tokens (about 0.5 KB), so at most a few MB.
WORD_CACHE_SIZE = 4096


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _word_tokens(search_key: bytes, tenant_id: int, word: str) -> tuple[str, ...]:
    """The tokens of one folded word: one per piece (``prefixes``)."""
    mac = _workspace_mac(search_key, tenant_id)
    return tuple(_hash(mac, piece) for piece in prefixes(word))


def text_tokens(*, tenant_id: int, texts: list[str]) -> set[str]:
    """Every token of ``texts`` under the current (first) search key."""
    search_key = search_keys()[0]
    tokens: set[str] = set()
    for value in texts:
        if value:
            for word in set(text.words(value)):
                tokens.update(_word_tokens(search_key, tenant_id, word))
    return tokens


def query_tokens(*, tenant_id: int, term: str) -> list[str]:
    """What a folded query word may look like in the index: one token per search key (several
    while keys are being rotated and the index rebuilt)."""
    piece = term[:MAX_PREFIX]
    return [_hash(_workspace_mac(key, tenant_id), piece) for key in search_keys()]
