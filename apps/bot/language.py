"""Which language a visitor's question is written in, offline (lingua, limited to the languages
Sohbet speaks): the bot answers a Turkish question in Turkish even when the visitor's browser
speaks English. Short or mixed text without a clear winner gives None (the caller falls back
to the visitor's language)."""

import threading

from django.conf import settings
from lingua import IsoCode639_1, LanguageDetectorBuilder

CONFIDENT = 0.75

_detector = None
_lock = threading.Lock()


def _build():
    global _detector
    with _lock:
        if _detector is None:
            codes = [getattr(IsoCode639_1, code.upper()) for code, _name in settings.LANGUAGES]
            # Its models load on first use (about 90 MB): only processes that answer pay it.
            _detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
    return _detector


def detect(text: str) -> str | None:
    """The language code of ``text`` ("en", "tr") when lingua is confident, else None."""
    detector = _detector or _build()
    values = detector.compute_language_confidence_values(text)
    if not values or values[0].value < CONFIDENT:
        return None
    return values[0].language.iso_code_639_1.name.lower()
