"""Encryption at rest for the secrets creators hand RENUM (their HeyGen key, their Metricool token).

Each secret is a Fernet token (AES-128-CBC with an HMAC-SHA256) under a key derived with HKDF from
``RENUM_SECRET_KEY``, so the secret key itself never encrypts anything and other uses of it stay
independent. Rotating: set a new ``RENUM_SECRET_KEY`` and list the old one in
``RENUM_SECRET_KEY_FALLBACKS``; secrets saved under an old key still open, and are sealed again under
the new key the next time they are used (:attr:`Opened.stale`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from renum.config import Settings
from renum.errors import RenumError
from renum.i18n import N_

__all__ = ["Opened", "SecretBox", "SecretUnreadable", "secret_box"]

# Changing either value makes every stored secret unreadable: they name this use of the secret key.
_SALT = b"renum/secret-box"
_INFO = b"integration secrets v1"


class SecretUnreadable(RenumError):
    """A stored secret no longer opens: the secret key changed and the old one is not a fallback."""

    status_code = 409
    code = "secret_unreadable"
    default_message = N_(
        "A saved key can no longer be read because the server's secret key changed. Enter the key again."
    )


@dataclass(frozen=True, slots=True)
class Opened:
    """A secret in clear text, and whether it was sealed under an older key (seal it again)."""

    value: str
    stale: bool


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


class SecretBox:
    """Seals and opens secrets with the current key, opening with older keys too."""

    def __init__(self, secret_key: str, fallbacks: Sequence[str] = ()) -> None:
        if not secret_key:
            raise ValueError("a secret key is required")
        self._current = _fernet(secret_key)
        self._all = MultiFernet([self._current, *(_fernet(key) for key in fallbacks if key)])

    def seal(self, value: str) -> str:
        """``value`` encrypted under the current key, as text fit for a database column."""
        return self._current.encrypt(value.encode()).decode()

    def open(self, token: str) -> Opened:
        """The clear text of a sealed secret.

        Raises:
            SecretUnreadable: no configured key opens it.
        """
        try:
            return Opened(self._current.decrypt(token.encode()).decode(), stale=False)
        except InvalidToken:
            pass
        try:
            return Opened(self._all.decrypt(token.encode()).decode(), stale=True)
        except InvalidToken:
            raise SecretUnreadable() from None


@lru_cache(maxsize=8)
def _box(secret_key: str, fallbacks: tuple[str, ...]) -> SecretBox:
    return SecretBox(secret_key, fallbacks)


def secret_box(settings: Settings) -> SecretBox:
    """The box for these settings' secret key and fallbacks (built once per set of keys)."""
    return _box(settings.secret_key, tuple(settings.security.secret_key_fallbacks))
