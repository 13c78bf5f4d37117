"""Encryption at rest for message bodies and visitor PII.

``settings.ENCRYPTION_KEYS`` holds one or more Fernet-format keys (32 random bytes, base64):
the first key encrypts, every key decrypts. Rotating: put a new key first, deploy, run
``manage.py rotate_encryption_keys``, then drop the old key. Without configured keys (the local
run) a key is derived from SECRET_KEY; production mode refuses to start without ENCRYPTION_KEYS.

Values are written as ``2:`` + base64url(nonce ‖ AES-256-GCM ciphertext ‖ tag), under a key
derived from each configured key with HKDF-SHA256 ("sohbet fields v2"), with a random 96-bit
nonce: authenticated like Fernet, and one C call each way where Fernet's Python wrapping cost
a chat message about 4 % of its CPU. Values written before
(Fernet tokens, AES-128-CBC + HMAC-SHA256) still decrypt with the same keys; the rotation
command rewrites them in the new form. With random nonces a key should encrypt fewer than
2**32 values (NIST SP 800-38D): rotate long before, as with any key.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

V2 = "2:"  # Fernet tokens are base64url: they never hold a colon
_NONCE = 12


def _dev_key() -> str:
    derived = hashlib.sha256(b"sohbet-dev-encryption:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(derived).decode()


def _keys() -> tuple[str, ...]:
    return tuple(settings.ENCRYPTION_KEYS) or (_dev_key(),)


def _raw_key(key) -> bytes:
    return base64.urlsafe_b64decode(key.encode() if isinstance(key, str) else key)


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


@lru_cache(maxsize=4)
def _aead_for(keys: tuple[str, ...]) -> tuple[AESGCM, ...]:
    return tuple(
        AESGCM(
            HKDF(algorithm=SHA256(), length=32, salt=None, info=b"sohbet fields v2").derive(
                _raw_key(k)
            )
        )
        for k in keys
    )


def fernet() -> MultiFernet:
    """The keys as Fernet keys: values written before version 2 (``decrypt`` reads them)."""
    return _fernet_for(_keys())


def encrypt(value: str) -> str:
    nonce = os.urandom(_NONCE)
    sealed = _aead_for(_keys())[0].encrypt(nonce, value.encode(), None)
    return V2 + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    """The text of a value written by ``encrypt`` (or by Fernet, before version 2) under any
    of the keys; ``InvalidToken`` when no key opens it or it was altered."""
    if not token.startswith(V2):
        return fernet().decrypt(token.encode()).decode()
    try:
        raw = base64.urlsafe_b64decode(token[len(V2) :])
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken from exc
    nonce, sealed = raw[:_NONCE], raw[_NONCE:]
    for aead in _aead_for(_keys()):
        try:
            return aead.decrypt(nonce, sealed, None).decode()
        except (InvalidTag, ValueError):
            continue
    raise InvalidToken


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the first key, in the current form (same text, new value)."""
    return encrypt(decrypt(token))


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
            _raw_key(k)
        )
        for k in keys
    )


def search_keys() -> tuple[bytes, ...]:
    """Keys of the search index's token hashes (apps.search, docs/search.md): one per
    ENCRYPTION_KEYS entry, derived with HKDF, in the same order (the first one indexes, every
    one is tried when searching). Rotating the encryption keys rotates these too: run
    ``manage.py search_reindex`` after ``rotate_encryption_keys`` and before dropping the old key.
    """
    return _search_keys_for(_keys())


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


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (an object: a visitor's attributes or unverified claims) stored encrypted
    as its JSON text. Reads give the value; the database sees only a token. Not queryable by
    content in SQL."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return {} if text in (None, "") else json.loads(text)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise ValidationError(_("Enter valid JSON.")) from exc
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        if value == {}:
            return ""  # nothing to hide (and nothing for a key rotation to rewrite)
        return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
