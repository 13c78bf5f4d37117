"""Text that can be stored: the check every input gets at the boundary (each socket frame in
``apps.core.consumers``, each HTTP request in ``apps.core.middleware``).

A NUL character cannot be stored in PostgreSQL's text or jsonb, and a lone surrogate (half of a
UTF-16 pair, which JSON's ``\\ud800`` escapes and Python strings can hold) cannot be encoded as
UTF-8 at all: either makes the database driver raise long after the request was accepted. Input
holding one is refused where it enters, with the field it was found in.
"""

import re

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether ``text`` holds a NUL or a lone surrogate."""
    return UNSTORABLE.search(text) is not None


def unstorable_at(value, path: str = "") -> str | None:
    """Where in ``value`` (decoded JSON: objects, arrays, strings, numbers) a string or an
    object's key holds a NUL or a lone surrogate: its path (``page.url``, ``add.2``; a bad key
    names the object that holds it, ``""`` the top), or None when nothing does. Walks without
    recursion: a frame may nest as deep as its parser allows."""
    pending = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                return where
        elif isinstance(item, dict):
            for key, child in item.items():
                key = str(key)
                if UNSTORABLE.search(key):
                    return where
                pending.append((child, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                pending.append((child, f"{where}.{index}" if where else str(index)))
    return None
