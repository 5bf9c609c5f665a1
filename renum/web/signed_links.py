"""Links that open a file without a session, for a limited time: what Metricool fetches a video from.

A link is ``RENUM_BASE_URL`` + path + ``?expires=<unix time>&signature=<hex>``, the signature an
HMAC-SHA256 of the path and the expiry under a key derived from ``RENUM_SECRET_KEY`` (so the secret
key itself signs nothing, and rotating it voids every link).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from renum.config import Settings
from renum.errors import Forbidden
from renum.i18n import N_

__all__ = ["DEFAULT_LIFETIME", "InvalidLink", "SignedLink", "check_link", "signed_link", "signed_url"]

DEFAULT_LIFETIME = 24 * 3600
"""Seconds a link stays valid unless asked otherwise."""
MAX_LIFETIME = 7 * 24 * 3600


class InvalidLink(Forbidden):
    """The link was altered, or its time is up."""

    code = "invalid_link"
    default_message = N_("This link has expired or is not valid. Ask for a new one in RENUM.")


def _key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"renum/signed-links", info=b"media links v1").derive(
        secret_key.encode()
    )


def _signature(settings: Settings, path: str, expires: int) -> str:
    message = f"{path}\n{expires}".encode()
    return hmac.new(_key(settings.secret_key), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedLink:
    """A public URL and the moment it stops working."""

    url: str
    expires_at: datetime


def signed_link(
    settings: Settings, path: str, *, lifetime: int = DEFAULT_LIFETIME, now: float | None = None
) -> SignedLink:
    """A public link to ``path`` (which starts with ``/``) valid for ``lifetime`` seconds (1 minute to 7 days)."""
    lifetime = max(60, min(lifetime, MAX_LIFETIME))
    expires = int((now if now is not None else time.time()) + lifetime)
    query = urlencode({"expires": expires, "signature": _signature(settings, path, expires)})
    url = f"{settings.app.base_url.rstrip('/')}{path}?{query}"
    return SignedLink(url=url, expires_at=datetime.fromtimestamp(expires, UTC))


def signed_url(settings: Settings, path: str, *, lifetime: int = DEFAULT_LIFETIME, now: float | None = None) -> str:
    """Only the URL of :func:`signed_link`."""
    return signed_link(settings, path, lifetime=lifetime, now=now).url


def check_link(settings: Settings, path: str, expires: int, signature: str, *, now: float | None = None) -> None:
    """Raise :class:`InvalidLink` unless ``signature`` signs ``path`` and ``expires`` is still ahead."""
    expected = _signature(settings, path, expires)
    if not hmac.compare_digest(expected, signature) or expires < (now if now is not None else time.time()):
        raise InvalidLink()
