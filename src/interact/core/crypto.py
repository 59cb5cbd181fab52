"""Secrets at rest (CHN-2, BOT-1): page access tokens, app secrets and bot secrets are stored
encrypted, so a database dump or a backup alone does not hand out the keys to a client's
Facebook Page or chatbot.

Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``. The keys come from
``INTERACT_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first, so a key can be rotated
while old rows still decrypt); without it a key is derived from ``SECRET_KEY`` with HKDF, which
keeps the embedded default working with nothing to configure.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "fernet:"


class DecryptionFailed(Exception):
    """The value was encrypted with a key this installation no longer has."""


def _derived_key(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"interact.crypto", info=b"fields").derive(
        secret.encode())
    return base64.urlsafe_b64encode(raw)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    material = [k.encode() for k in keys if k] or [_derived_key(secret_key)]
    return MultiFernet([Fernet(k) for k in material])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """The ciphertext to store; an empty value stays empty (nothing to protect)."""
    if not value:
        return ""
    return PREFIX + _current().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise DecryptionFailed("not an encrypted value")
    try:
        return _current().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("no key of this installation decrypts this value") from None


class Decrypted:
    """A read-only attribute giving the plain text of an encrypted column:
    ``access_token = Decrypted("access_token_encrypted")``. Decrypted on each read, never cached
    on the instance, so a rotated key or a new secret is what the next read sees."""

    def __init__(self, column: str):
        self.column = column

    def __get__(self, instance, owner=None) -> str:
        if instance is None:
            return self  # type: ignore[return-value]
        return decrypt(getattr(instance, self.column))


def reencrypt(stored: str) -> str:
    """The same secret under the newest key (key rotation); decrypting needs any configured key."""
    if not stored:
        return ""
    return PREFIX + _current().rotate(stored[len(PREFIX):].encode()).decode()


# Every encrypted column, so rotation cannot forget one: (app label, model, field).
ENCRYPTED_FIELDS = (
    ("connectors", "FacebookPage", "access_token_encrypted"),
    ("connectors", "FacebookPage", "app_secret_encrypted"),
    ("bots", "Chatbot", "secret_encrypted"),
)
