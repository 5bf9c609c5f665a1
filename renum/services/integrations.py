"""A creator's integrations: their HeyGen key, their Metricool account and brand, their social accounts.

Every function takes the current creator and touches only that creator's rows, so another creator's
settings are never seen nor changed. Keys and tokens are checked against the service before they are
kept, stored sealed (:mod:`renum.security`) and never returned, logged or rendered; a failed check
leaves what was saved before untouched. Calls to HeyGen and Metricool go through :mod:`renum.clients`,
whose :class:`~renum.clients.http.ServiceError` carries the status and message the creator sees.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import msgspec
import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from renum.clients.heygen import Avatar, HeyGenClient, Quota, Voice
from renum.clients.http import ServiceError
from renum.clients.metricool import Brand, MetricoolClient
from renum.config import HeyGenSettings, MetricoolSettings, Settings
from renum.db import utcnow
from renum.errors import Conflict, InvalidInput, RenumError
from renum.i18n import N_
from renum.models import HeyGenConnection, MetricoolConnection, SocialAccount, User
from renum.security import SecretBox, SecretUnreadable, secret_box

__all__ = [
    "PLATFORMS",
    "AvatarGallery",
    "BrandGallery",
    "HeyGenCheck",
    "ListCache",
    "MetricoolCheck",
    "NotConnected",
    "Outside",
    "Overview",
    "Platform",
    "SocialAccountView",
    "VoiceGallery",
    "check_heygen",
    "check_metricool",
    "choose_metricool_brand",
    "configure_heygen",
    "connect_metricool",
    "disconnect_heygen",
    "disconnect_metricool",
    "get_heygen",
    "get_metricool",
    "heygen_avatars",
    "heygen_credits",
    "heygen_voices",
    "link_social_account",
    "linked_platforms",
    "list_social_accounts",
    "metricool_brands",
    "metricool_client_for",
    "metricool_connection",
    "overview",
    "platform_named",
    "sort_voices",
    "test_heygen",
    "test_metricool",
    "unlink_social_account",
]

log = structlog.get_logger(__name__)

T = TypeVar("T")

# A creator waits on every call made here: one quick retry, and a Retry-After longer than a few seconds
# is answered at once (429 with that Retry-After) rather than holding the page.
_RETRIES = 1
_BACKOFF = 0.5
_MAX_RETRY_AFTER = 5.0
_MAX_SECRET = 500
_MAX_HANDLE = 100


@dataclass(frozen=True, slots=True)
class Platform:
    """A network RENUM publishes to: its key in RENUM's URLs, its name, and Metricool's name for it."""

    key: str
    name: str
    network: str


PLATFORMS: dict[str, Platform] = {
    platform.key: platform
    for platform in (
        Platform("instagram", "Instagram", "instagram"),
        Platform("tiktok", "TikTok", "tiktok"),
        Platform("youtube", "YouTube", "youtube"),
        Platform("linkedin", "LinkedIn", "linkedin"),
        Platform("facebook", "Facebook", "facebook"),
        Platform("x", "X", "twitter"),
    )
}
_PLATFORM_ALIASES = {"twitter": "x"}

# HeyGen names a voice's language in English words; creators and the SPA may send a code instead.
_LANGUAGE_WORDS = {
    "pt": "portuguese",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "ja": "japanese",
    "zh": "chinese",
    "português": "portuguese",
    "portugues": "portuguese",
    "inglês": "english",
    "espanhol": "spanish",
}
_CREATOR_VOICE_LANGUAGE = {"pt_BR": "portuguese", "en": "english"}


class NotConnected(Conflict):
    """The creator has not connected the service this needs."""

    code = "not_connected"


_HEYGEN_NOT_CONNECTED = N_("Connect HeyGen first: add your API key in Settings → Integrations.")
_UNKNOWN_AVATAR = N_("This avatar is not in your HeyGen account. Choose one from the gallery.")
_UNKNOWN_VOICE = N_("This voice is not in your HeyGen account. Choose one from the list.")
_NETWORK_MISSING = N_(
    "{platform} is not connected to your Metricool brand. Connect it in Metricool first, then link it here."
)
_BRAND_MISSING = N_("Your Metricool brand is no longer in your account. Choose another brand.")
_METRICOOL_NOT_CONNECTED = N_(
    "Connect Metricool first: add your API token, user id and brand in Settings → Integrations."
)


class ListCache:
    """Lists fetched from a service, kept briefly per creator in Redis so browsing does not call it each time.

    Redis failing is not the creator's problem: the cache then behaves as empty.
    """

    def __init__(self, redis: Redis | None, namespace: str) -> None:
        self._redis = redis
        self._namespace = namespace

    def _key(self, owner_id: uuid.UUID, name: str) -> str:
        return f"{self._namespace}:integrations:{owner_id}:{name}"

    async def get(self, owner_id: uuid.UUID, name: str, into: type[T]) -> T | None:
        """The cached value, or ``None`` when there is none (or it no longer reads as ``into``)."""
        if self._redis is None:
            return None
        try:
            raw = await self._redis.get(self._key(owner_id, name))
            return None if raw is None else msgspec.json.decode(raw, type=into)
        except (RedisError, msgspec.DecodeError, msgspec.ValidationError) as exc:
            log.warning("integration.cache_unreadable", user_id=str(owner_id), name=name, error=type(exc).__name__)
            return None

    async def put(self, owner_id: uuid.UUID, name: str, value: Any, seconds: int) -> None:
        """Keep ``value`` for ``seconds``."""
        if self._redis is None or seconds <= 0:
            return
        try:
            await self._redis.set(self._key(owner_id, name), msgspec.json.encode(value), ex=seconds)
        except RedisError as exc:
            log.warning("integration.cache_failed", user_id=str(owner_id), name=name, error=type(exc).__name__)

    async def forget(self, owner_id: uuid.UUID, *names: str) -> None:
        """Drop cached lists, e.g. after the key they were fetched with changed."""
        if self._redis is None or not names:
            return
        try:
            await self._redis.delete(*(self._key(owner_id, name) for name in names))
        except RedisError as exc:
            log.warning("integration.cache_failed", user_id=str(owner_id), error=type(exc).__name__)


@dataclass(frozen=True, slots=True)
class Outside:
    """What these services need besides the database: where the services are, the secret box, the cache."""

    heygen: HeyGenSettings
    metricool: MetricoolSettings
    box: SecretBox
    cache: ListCache

    @classmethod
    def from_settings(cls, settings: Settings, redis: Redis | None) -> Outside:
        """Built from the app's settings and its Redis client."""
        return cls(
            heygen=settings.heygen,
            metricool=settings.metricool,
            box=secret_box(settings),
            cache=ListCache(redis, settings.redis.queue_name),
        )

    def heygen_client(self, api_key: str) -> HeyGenClient:
        """A HeyGen client for ``api_key``, with the retries an interactive request can afford."""
        return HeyGenClient(
            api_key,
            base_url=self.heygen.base_url,
            timeout=self.heygen.timeout,
            retries=_RETRIES,
            backoff=_BACKOFF,
            max_retry_after=_MAX_RETRY_AFTER,
        )

    def metricool_client(self, user_token: str, user_id: str) -> MetricoolClient:
        """A Metricool client for these credentials, with the retries an interactive request can afford."""
        return MetricoolClient(
            user_token,
            user_id,
            base_url=self.metricool.base_url,
            timeout=self.metricool.timeout,
            retries=_RETRIES,
            backoff=_BACKOFF,
            max_retry_after=_MAX_RETRY_AFTER,
        )


@dataclass(frozen=True, slots=True)
class HeyGenCheck:
    """A HeyGen key that works, and what is left on its account."""

    remaining_credits: float
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class AvatarGallery:
    """The avatars to choose from, and the one chosen as default."""

    avatars: list[Avatar]
    chosen: str | None


@dataclass(frozen=True, slots=True)
class VoiceGallery:
    """The voices to choose from (filtered), the one chosen as default, and every language on offer."""

    voices: list[Voice]
    chosen: str | None
    language: str | None
    languages: list[str]


@dataclass(frozen=True, slots=True)
class BrandGallery:
    """The Metricool brands to choose from, and the one chosen."""

    brands: list[Brand]
    chosen: int | None


@dataclass(frozen=True, slots=True)
class MetricoolCheck:
    """Metricool credentials that work, and the brands they reach."""

    brands: list[Brand]
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class SocialAccountView:
    """One platform as the creator sees it: on their Metricool brand or not, linked in RENUM or not."""

    platform: Platform
    brand_connected: bool
    linked: bool
    handle: str
    linked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Overview:
    """Every integration of one creator, as saved (no outside call)."""

    heygen: HeyGenConnection | None
    metricool: MetricoolConnection | None
    social: list[SocialAccountView]


# ---------------------------------------------------------------------------------------------- secrets


def _clean_secret(value: str | None, *, field: str, missing: str) -> str:
    """A pasted key without the spaces around it; a missing or absurdly long one is a field error."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(fields={field: missing})
    if len(cleaned) > _MAX_SECRET:
        raise InvalidInput(fields={field: N_("This is too long to be a key. Copy it again.")})
    return cleaned


def _hint(secret: str) -> str:
    """The last four characters, shown so the creator recognises the key; nothing for a short key."""
    return secret[-4:] if len(secret) >= 12 else ""


def _open(box: SecretBox, row: HeyGenConnection | MetricoolConnection, column: str) -> str:
    """A sealed secret in clear text, sealed again under the current key when an older key opened it."""
    opened = box.open(getattr(row, column))
    if opened.stale:
        setattr(row, column, box.seal(opened.value))
        log.info("integration.secret_resealed", user_id=str(row.owner_id), table=row.__tablename__)
    return opened.value


def _record(row: HeyGenConnection | MetricoolConnection, failure: RenumError | None) -> None:
    """Note the outcome of a check on the saved connection (RENUM's own message, never the service's)."""
    row.checked_at = utcnow()
    if failure is None:
        row.last_error, row.last_error_code = None, None
        return
    row.last_error, row.last_error_code = failure.message[:300], failure.code[:40]
    log.info("integration.check_failed", user_id=str(row.owner_id), table=row.__tablename__, code=row.last_error_code)


def _stale(checked_at: datetime | None, seconds: int) -> bool:
    return checked_at is None or utcnow() - checked_at >= timedelta(seconds=seconds)


@asynccontextmanager
async def _recorded(db: AsyncSession, row: HeyGenConnection | MetricoolConnection) -> AsyncIterator[None]:
    """Record a check of the saved connection; a failure is kept even though the request then fails."""
    try:
        yield
    except (ServiceError, SecretUnreadable) as failure:
        _record(row, failure)
        # The request answers with the error and rolls back; the failed check must outlive it.
        await db.commit()
        raise
    _record(row, None)


# ----------------------------------------------------------------------------------------------- HeyGen


async def get_heygen(db: AsyncSession, user: User) -> HeyGenConnection | None:
    """The creator's saved HeyGen connection, if any."""
    row: HeyGenConnection | None = await db.scalar(select(HeyGenConnection).where(HeyGenConnection.owner_id == user.id))
    return row


async def _heygen_or_fail(db: AsyncSession, user: User) -> HeyGenConnection:
    row = await get_heygen(db, user)
    if row is None:
        raise NotConnected(_HEYGEN_NOT_CONNECTED)
    return row


async def configure_heygen(
    db: AsyncSession,
    user: User,
    outside: Outside,
    *,
    api_key: str | None = None,
    avatar_id: str | None = None,
    voice_id: str | None = None,
) -> HeyGenConnection:
    """Save a HeyGen key (checked with HeyGen first) and/or choose the default avatar and voice.

    Everything asked is checked before anything is kept: an invalid key, an unknown avatar or HeyGen
    failing changes nothing that was saved before.
    """
    if api_key is None and avatar_id is None and voice_id is None:
        raise InvalidInput(fields={"api_key": N_("Paste your HeyGen API key, or choose an avatar or a voice.")})

    row = await get_heygen(db, user)
    key = quota = None
    if api_key is not None:
        key = _clean_secret(api_key, field="api_key", missing=N_("Paste your HeyGen API key."))
        async with outside.heygen_client(key) as heygen:
            quota = await heygen.remaining_quota()

    avatar = voice = None
    if avatar_id is not None:
        avatar = _find(await _avatars(db, user, outside, key=key), avatar_id, "avatar_id")
        if avatar is None:
            raise InvalidInput(fields={"default_avatar_id": _UNKNOWN_AVATAR})
    if voice_id is not None:
        voice = _find(await _voices(db, user, outside, key=key), voice_id, "voice_id")
        if voice is None:
            raise InvalidInput(fields={"default_voice_id": _UNKNOWN_VOICE})

    if key is not None and quota is not None:
        row = _keep_heygen_key(db, user, outside, row, key, quota)
        await outside.cache.forget(user.id, "heygen:avatars", "heygen:voices")
    if row is None:
        raise NotConnected(_HEYGEN_NOT_CONNECTED)
    if avatar is not None:
        row.default_avatar_id, row.default_avatar_kind = avatar.avatar_id, avatar.kind
        row.default_avatar_name, row.default_avatar_image = avatar.name, avatar.preview_image_url
    if voice is not None:
        row.default_voice_id, row.default_voice_name = voice.voice_id, voice.name
        row.default_voice_language, row.default_voice_audio = voice.language, voice.preview_audio

    await db.flush()
    log.info(
        "integration.heygen_saved",
        user_id=str(user.id),
        key_changed=api_key is not None,
        avatar_id=row.default_avatar_id,
        voice_id=row.default_voice_id,
    )
    return row


def _keep_heygen_key(
    db: AsyncSession, user: User, outside: Outside, row: HeyGenConnection | None, key: str, quota: Quota
) -> HeyGenConnection:
    now = utcnow()
    if row is None:
        row = HeyGenConnection(owner_id=user.id)
        db.add(row)
    row.api_key_sealed = outside.box.seal(key)
    row.key_hint = _hint(key)
    row.verified_at = row.checked_at = now
    row.last_error = row.last_error_code = None
    row.remaining_credits = quota.credits
    return row


def _find(items: Sequence[T], wanted: str | int, attribute: str) -> T | None:
    return next((item for item in items if getattr(item, attribute) == wanted), None)


async def check_heygen(db: AsyncSession, user: User, outside: Outside) -> HeyGenConnection | None:
    """The saved connection, checked with HeyGen when the last check is older than the cache time.

    A failing check never fails this call: it is recorded, for the status to show.
    """
    row = await get_heygen(db, user)
    if row is None or not _stale(row.checked_at, outside.heygen.cache_seconds):
        return row
    try:
        async with outside.heygen_client(_open(outside.box, row, "api_key_sealed")) as heygen:
            quota = await heygen.remaining_quota()
    except (ServiceError, SecretUnreadable) as failure:
        _record(row, failure)
    else:
        _record(row, None)
        row.remaining_credits = quota.credits
    await db.flush()
    return row


async def test_heygen(db: AsyncSession, user: User, outside: Outside, *, api_key: str | None = None) -> HeyGenCheck:
    """Check a HeyGen key: the one given (kept nowhere) or the saved one (the outcome is recorded)."""
    if api_key is not None:
        key = _clean_secret(api_key, field="api_key", missing=N_("Paste your HeyGen API key."))
        async with outside.heygen_client(key) as heygen:
            quota = await heygen.remaining_quota()
        return HeyGenCheck(remaining_credits=quota.credits, checked_at=utcnow())

    row = await _heygen_or_fail(db, user)
    async with _recorded(db, row), outside.heygen_client(_open(outside.box, row, "api_key_sealed")) as heygen:
        quota = await heygen.remaining_quota()
    row.remaining_credits = quota.credits
    await db.flush()
    return HeyGenCheck(remaining_credits=quota.credits, checked_at=row.checked_at or utcnow())


async def heygen_credits(db: AsyncSession, user: User, outside: Outside) -> Quota:
    """What is left on the creator's HeyGen account, asked now (and noted on the connection)."""
    row = await _heygen_or_fail(db, user)
    async with outside.heygen_client(_open(outside.box, row, "api_key_sealed")) as heygen:
        quota = await heygen.remaining_quota()
    _record(row, None)
    row.remaining_credits = quota.credits
    return quota


async def _avatars(db: AsyncSession, user: User, outside: Outside, *, key: str | None = None) -> list[Avatar]:
    """The saved key's avatars (cached), or those of a ``key`` not saved yet (fetched, not cached)."""
    if key is not None:
        async with outside.heygen_client(key) as heygen:
            return await heygen.list_avatars()
    cached = await outside.cache.get(user.id, "heygen:avatars", list[Avatar])
    if cached is not None:
        return cached
    row = await _heygen_or_fail(db, user)
    async with outside.heygen_client(_open(outside.box, row, "api_key_sealed")) as heygen:
        avatars = await heygen.list_avatars()
    await outside.cache.put(user.id, "heygen:avatars", avatars, outside.heygen.cache_seconds)
    return avatars


async def _voices(db: AsyncSession, user: User, outside: Outside, *, key: str | None = None) -> list[Voice]:
    """The saved key's voices (cached), or those of a ``key`` not saved yet (fetched, not cached)."""
    if key is not None:
        async with outside.heygen_client(key) as heygen:
            return await heygen.list_voices()
    cached = await outside.cache.get(user.id, "heygen:voices", list[Voice])
    if cached is not None:
        return cached
    row = await _heygen_or_fail(db, user)
    async with outside.heygen_client(_open(outside.box, row, "api_key_sealed")) as heygen:
        voices = await heygen.list_voices()
    await outside.cache.put(user.id, "heygen:voices", voices, outside.heygen.cache_seconds)
    return voices


async def heygen_avatars(db: AsyncSession, user: User, outside: Outside) -> AvatarGallery:
    """The avatars and photo avatars of the creator's HeyGen account with their previews (cached briefly)."""
    avatars = await _avatars(db, user, outside)
    row = await get_heygen(db, user)
    return AvatarGallery(avatars=avatars, chosen=row.default_avatar_id if row else None)


async def heygen_voices(db: AsyncSession, user: User, outside: Outside, *, language: str | None = None) -> VoiceGallery:
    """The voices of the creator's HeyGen account (cached briefly), only those in ``language`` when given,
    those in the creator's own language first."""
    voices = await _voices(db, user, outside)
    row = await get_heygen(db, user)
    languages = sorted({voice.language for voice in voices if voice.language})
    return VoiceGallery(
        voices=sort_voices(voices, language=language, creator_language=user.language),
        chosen=row.default_voice_id if row else None,
        language=language or None,
        languages=languages,
    )


def _language_word(language: str) -> str:
    """``pt-BR``, ``pt_BR``, ``pt``, ``Portuguese`` and ``português`` all become ``portuguese``."""
    lowered = language.strip().lower()
    return _LANGUAGE_WORDS.get(lowered) or _LANGUAGE_WORDS.get(lowered.replace("_", "-").split("-")[0]) or lowered


def sort_voices(voices: Sequence[Voice], *, language: str | None, creator_language: str) -> list[Voice]:
    """Voices in ``language`` only (when given), those in the creator's language first, HeyGen's order kept."""
    if language and language.strip():
        word = _language_word(language)
        voices = [voice for voice in voices if word in (voice.language or "").lower()]
    first = _CREATOR_VOICE_LANGUAGE.get(creator_language)
    if first is None:
        return list(voices)
    return sorted(voices, key=lambda voice: first not in (voice.language or "").lower())


async def disconnect_heygen(db: AsyncSession, user: User, outside: Outside) -> None:
    """Forget the creator's HeyGen key and choices; nothing to forget is fine."""
    await db.execute(delete(HeyGenConnection).where(HeyGenConnection.owner_id == user.id))
    await outside.cache.forget(user.id, "heygen:avatars", "heygen:voices")
    log.info("integration.heygen_disconnected", user_id=str(user.id))


# -------------------------------------------------------------------------------------------- Metricool


async def get_metricool(db: AsyncSession, user: User) -> MetricoolConnection | None:
    """The creator's saved Metricool connection, if any."""
    row: MetricoolConnection | None = await db.scalar(
        select(MetricoolConnection).where(MetricoolConnection.owner_id == user.id)
    )
    return row


async def _metricool_or_fail(db: AsyncSession, user: User) -> MetricoolConnection:
    row = await get_metricool(db, user)
    if row is None:
        raise NotConnected(_METRICOOL_NOT_CONNECTED)
    return row


async def metricool_connection(db: AsyncSession, user: User) -> MetricoolConnection:
    """The creator's Metricool connection, required.

    Raises:
        NotConnected: the creator has not connected Metricool; the message says where to.
    """
    return await _metricool_or_fail(db, user)


def metricool_client_for(outside: Outside, row: MetricoolConnection) -> MetricoolClient:
    """A client with the creator's saved Metricool credentials (opened only for this call).

    Raises:
        SecretUnreadable: the token was sealed with a key this server no longer has.
    """
    return outside.metricool_client(_open(outside.box, row, "user_token_sealed"), row.metricool_user_id)


def _clean_user_id(user_id: str | int | None) -> str:
    cleaned = str(user_id if user_id is not None else "").strip()
    if not cleaned:
        raise InvalidInput(fields={"user_id": N_("Enter your Metricool user id (Account settings → API).")})
    if len(cleaned) > 40 or not cleaned.isdigit():
        raise InvalidInput(fields={"user_id": N_("The Metricool user id is a number, like 1234567.")})
    return cleaned


async def _fetch_brands(outside: Outside, user_token: str, user_id: str) -> list[Brand]:
    async with outside.metricool_client(user_token, user_id) as metricool:
        return await metricool.list_brands()


async def test_metricool(
    db: AsyncSession,
    user: User,
    outside: Outside,
    *,
    user_token: str | None = None,
    user_id: str | int | None = None,
) -> MetricoolCheck:
    """Check Metricool credentials and list their brands: those given (kept nowhere) or the saved ones."""
    if user_token is not None or user_id is not None:
        token = _clean_secret(user_token, field="user_token", missing=N_("Paste your Metricool API token."))
        brands = await _fetch_brands(outside, token, _clean_user_id(user_id))
        return MetricoolCheck(brands=brands, checked_at=utcnow())

    row = await _metricool_or_fail(db, user)
    async with _recorded(db, row):
        brands = await _fetch_brands(outside, _open(outside.box, row, "user_token_sealed"), row.metricool_user_id)
    _follow_brand(row, brands)
    await outside.cache.put(user.id, "metricool:brands", brands, outside.metricool.cache_seconds)
    await db.flush()
    return MetricoolCheck(brands=brands, checked_at=row.checked_at or utcnow())


def _pick_brand(brands: Sequence[Brand], blog_id: int | None) -> Brand:
    """The brand asked for, or the only one; a field error otherwise."""
    if blog_id is not None:
        brand = _find(brands, blog_id, "blog_id")
        if brand is None:
            raise InvalidInput(
                fields={"blog_id": N_("This brand is not in your Metricool account. Choose one from the list.")}
            )
        return brand
    if not brands:
        raise Conflict(N_("Your Metricool account has no brand yet. Create one at Metricool, then connect again."))
    if len(brands) > 1:
        raise InvalidInput(fields={"blog_id": N_("Choose the brand RENUM should publish through.")})
    return brands[0]


def _use_brand(row: MetricoolConnection, brand: Brand) -> None:
    row.blog_id = brand.blog_id
    row.brand_name = brand.name[:200]
    row.brand_timezone = brand.timezone
    row.brand_networks = list(brand.networks)


def _follow_brand(row: MetricoolConnection, brands: Sequence[Brand]) -> None:
    """Refresh the saved brand's name, timezone and networks; note it when the brand is gone."""
    brand = _find(brands, row.blog_id, "blog_id")
    if brand is None:
        row.last_error = _BRAND_MISSING
        row.last_error_code = "brand_missing"
        return
    _use_brand(row, brand)


async def connect_metricool(
    db: AsyncSession,
    user: User,
    outside: Outside,
    *,
    user_token: str,
    user_id: str | int,
    blog_id: int | None = None,
) -> MetricoolConnection:
    """Save Metricool credentials and the brand to publish through, after Metricool accepts them.

    Without ``blog_id`` the account's only brand is taken; with several, the creator must choose.
    """
    token = _clean_secret(user_token, field="user_token", missing=N_("Paste your Metricool API token."))
    mc_user_id = _clean_user_id(user_id)
    brands = await _fetch_brands(outside, token, mc_user_id)
    brand = _pick_brand(brands, blog_id)

    row = await get_metricool(db, user)
    if row is None:
        row = MetricoolConnection(owner_id=user.id)
        db.add(row)
    row.user_token_sealed = outside.box.seal(token)
    row.token_hint = _hint(token)
    row.metricool_user_id = mc_user_id
    row.verified_at = row.checked_at = utcnow()
    row.last_error = row.last_error_code = None
    _use_brand(row, brand)
    await _unlink_missing_networks(db, user, row)
    await outside.cache.put(user.id, "metricool:brands", brands, outside.metricool.cache_seconds)
    await db.flush()
    log.info("integration.metricool_connected", user_id=str(user.id), blog_id=brand.blog_id)
    return row


async def _brands(db: AsyncSession, user: User, outside: Outside, row: MetricoolConnection) -> list[Brand]:
    cached = await outside.cache.get(user.id, "metricool:brands", list[Brand])
    if cached is not None:
        return cached
    brands = await _fetch_brands(outside, _open(outside.box, row, "user_token_sealed"), row.metricool_user_id)
    await outside.cache.put(user.id, "metricool:brands", brands, outside.metricool.cache_seconds)
    return brands


async def metricool_brands(db: AsyncSession, user: User, outside: Outside) -> BrandGallery:
    """The brands the saved Metricool credentials reach (cached briefly), and the one RENUM publishes through."""
    row = await _metricool_or_fail(db, user)
    return BrandGallery(brands=await _brands(db, user, outside, row), chosen=row.blog_id)


async def choose_metricool_brand(
    db: AsyncSession, user: User, outside: Outside, *, blog_id: int
) -> MetricoolConnection:
    """Publish through another brand of the same account; links to networks it lacks are removed."""
    row = await _metricool_or_fail(db, user)
    brand = _pick_brand(await _brands(db, user, outside, row), blog_id)
    _use_brand(row, brand)
    row.last_error = row.last_error_code = None
    await _unlink_missing_networks(db, user, row)
    await db.flush()
    log.info("integration.metricool_brand_changed", user_id=str(user.id), blog_id=brand.blog_id)
    return row


async def check_metricool(db: AsyncSession, user: User, outside: Outside) -> MetricoolConnection | None:
    """The saved connection, checked with Metricool when the last check is older than the cache time.

    A failing check never fails this call: it is recorded, for the status to show.
    """
    row = await get_metricool(db, user)
    if row is None or not _stale(row.checked_at, outside.metricool.cache_seconds):
        return row
    try:
        brands = await _fetch_brands(outside, _open(outside.box, row, "user_token_sealed"), row.metricool_user_id)
    except (ServiceError, SecretUnreadable) as failure:
        _record(row, failure)
    else:
        _record(row, None)
        _follow_brand(row, brands)
        await outside.cache.put(user.id, "metricool:brands", brands, outside.metricool.cache_seconds)
    await db.flush()
    return row


async def disconnect_metricool(db: AsyncSession, user: User, outside: Outside) -> None:
    """Forget the creator's Metricool credentials and brand, and the social accounts linked through it."""
    await db.execute(delete(SocialAccount).where(SocialAccount.owner_id == user.id))
    await db.execute(delete(MetricoolConnection).where(MetricoolConnection.owner_id == user.id))
    await outside.cache.forget(user.id, "metricool:brands")
    log.info("integration.metricool_disconnected", user_id=str(user.id))


# -------------------------------------------------------------------------------------- social accounts


def platform_named(name: str) -> Platform:
    """The platform for a name from a URL or a form (``X`` and ``twitter`` are both X).

    Raises:
        InvalidInput: RENUM does not publish there; the message lists where it does.
    """
    key = name.strip().lower()
    platform = PLATFORMS.get(_PLATFORM_ALIASES.get(key, key))
    if platform is None:
        raise InvalidInput(
            N_("RENUM does not publish to this platform. Choose one of: {valid}."),
            fields={"platform": N_("This platform is not one RENUM publishes to.")},
            valid=", ".join(PLATFORMS),
        )
    return platform


async def _linked(db: AsyncSession, user: User) -> dict[str, SocialAccount]:
    rows = await db.scalars(select(SocialAccount).where(SocialAccount.owner_id == user.id))
    return {row.platform: row for row in rows}


async def linked_platforms(db: AsyncSession, user: User) -> set[str]:
    """The keys of the platforms the creator publishes to from RENUM."""
    return set(await _linked(db, user))


def _views(connection: MetricoolConnection | None, linked: dict[str, SocialAccount]) -> list[SocialAccountView]:
    networks = set(connection.brand_networks) if connection else set()
    views = []
    for platform in PLATFORMS.values():
        row = linked.get(platform.key)
        views.append(
            SocialAccountView(
                platform=platform,
                brand_connected=platform.network in networks,
                linked=row is not None,
                handle=row.handle if row else "",
                linked_at=row.created_at if row else None,
            )
        )
    return views


async def list_social_accounts(db: AsyncSession, user: User) -> list[SocialAccountView]:
    """Every platform RENUM publishes to, with the brand's state (as last seen) and the creator's link."""
    return _views(await get_metricool(db, user), await _linked(db, user))


async def link_social_account(
    db: AsyncSession, user: User, outside: Outside, *, platform: str, handle: str = ""
) -> SocialAccountView:
    """Publish to ``platform`` from RENUM, once Metricool confirms the brand has it connected."""
    chosen = platform_named(platform)
    handle = handle.strip().removeprefix("@")[:_MAX_HANDLE]
    row = await get_metricool(db, user)
    if row is None:
        raise NotConnected(N_("Connect Metricool and choose a brand before linking social accounts."))

    # Asked now, not from the cache: the creator may have connected the network a moment ago.
    brands = await _fetch_brands(outside, _open(outside.box, row, "user_token_sealed"), row.metricool_user_id)
    await outside.cache.put(user.id, "metricool:brands", brands, outside.metricool.cache_seconds)
    _follow_brand(row, brands)
    if row.last_error_code == "brand_missing":
        raise Conflict(_BRAND_MISSING)
    if chosen.network not in row.brand_networks:
        raise Conflict(
            _NETWORK_MISSING,
            platform=chosen.name,
        )

    linked = await _linked(db, user)
    account = linked.get(chosen.key)
    if account is None:
        account = SocialAccount(owner_id=user.id, platform=chosen.key, handle=handle)
        db.add(account)
        linked[chosen.key] = account
    elif handle:
        account.handle = handle
    await db.flush()
    log.info("integration.social_linked", user_id=str(user.id), platform=chosen.key)
    return next(view for view in _views(row, linked) if view.platform is chosen)


async def unlink_social_account(db: AsyncSession, user: User, *, platform: str) -> SocialAccountView:
    """Stop publishing to ``platform`` from RENUM; unlinking what is not linked is fine."""
    chosen = platform_named(platform)
    await db.execute(
        delete(SocialAccount).where(SocialAccount.owner_id == user.id, SocialAccount.platform == chosen.key)
    )
    log.info("integration.social_unlinked", user_id=str(user.id), platform=chosen.key)
    views = await list_social_accounts(db, user)
    return next(view for view in views if view.platform is chosen)


async def _unlink_missing_networks(db: AsyncSession, user: User, row: MetricoolConnection) -> None:
    """Links to networks the brand no longer has would fail at publishing time: remove them now."""
    missing = [key for key, platform in PLATFORMS.items() if platform.network not in row.brand_networks]
    await db.execute(
        delete(SocialAccount).where(SocialAccount.owner_id == user.id, SocialAccount.platform.in_(missing))
    )


# ---------------------------------------------------------------------------------------------- summary


async def overview(db: AsyncSession, user: User) -> Overview:
    """Every integration as saved, for the settings page and the wizard (no outside call)."""
    heygen, metricool = await get_heygen(db, user), await get_metricool(db, user)
    return Overview(heygen=heygen, metricool=metricool, social=_views(metricool, await _linked(db, user)))
