"""Encryption at rest for message bodies and visitor PII.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under a
``MultiFernet`` built from ``settings.ENCRYPTION_KEYS``: the first key encrypts, every key
decrypts. Rotating: put a new key first, deploy, run ``manage.py rotate_encryption_keys``, then
drop the old key. Without configured keys (the local run) a key is derived from SECRET_KEY;
production mode refuses to start without ENCRYPTION_KEYS.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


def _dev_key() -> str:
    derived = hashlib.sha256(b"sohbet-dev-encryption:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(derived).decode()


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        keys = (_dev_key(),)
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the first key (no-op in meaning, new ciphertext)."""
    return fernet().rotate(token.encode()).decode()


def hash_token(raw_token: str) -> str:
    """SHA-256 of a long random secret (invitation and visitor tokens): what the database keeps."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def keyed_hash(value: str, *, purpose: str) -> str:
    """A stable keyed hash for equality lookups on encrypted values (e.g. a verified user id).

    Keyed with SECRET_KEY and a purpose string, so the hashes mean nothing outside this deployment.
    """
    key = hashlib.sha256(f"sohbet-lookup:{purpose}:".encode() + settings.SECRET_KEY.encode())
    return hmac.new(key.digest(), value.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _search_keys_for(keys: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(
        HKDF(algorithm=SHA256(), length=32, salt=None, info=b"sohbet search index v1").derive(
            base64.urlsafe_b64decode(k.encode() if isinstance(k, str) else k)
        )
        for k in keys
    )


def search_keys() -> tuple[bytes, ...]:
    """Keys of the search index's token hashes (apps.search, docs/search.md): one per
    ENCRYPTION_KEYS entry, derived with HKDF, in the same order (the first one indexes, every
    one is tried when searching). Rotating the encryption keys rotates these too: run
    ``manage.py search_reindex`` after ``rotate_encryption_keys`` and before dropping the old key.
    """
    keys = tuple(settings.ENCRYPTION_KEYS) or (_dev_key(),)
    return _search_keys_for(keys)


class EncryptedTextField(models.TextField):
    """A text column stored encrypted. Reads give plain ``str``; the database sees only tokens.

    Not searchable or orderable by content in SQL: look up by a ``keyed_hash`` column instead.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken as exc:  # a key was dropped too early: fail loudly, never guess
            raise ValueError(f"Cannot decrypt {self.model.__name__}.{self.name}") from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
