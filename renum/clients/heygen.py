"""HeyGen, which renders AvatarAI videos: credits, avatars, voices, renders and webhooks.

Request and answer shapes follow ``spec/external-apis.md``. HeyGen answers in two error shapes:
the newer ``{"error": {"code", "message"}}`` and the older ``{"code": <number>, "message"}``; both
become :class:`~renum.clients.http.ServiceError` subclasses here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import msgspec
import structlog

from renum.clients.http import (
    BadRequest,
    ErrorMessages,
    InvalidKey,
    OutOfCredits,
    RetryPolicy,
    ServiceClient,
    ServiceError,
)
from renum.i18n import N_

if TYPE_CHECKING:
    from renum.config import HeyGenSettings

__all__ = [
    "MAX_INPUT_TEXT",
    "SIGNATURE_HEADERS",
    "Avatar",
    "HeyGenClient",
    "Quota",
    "RenderStatus",
    "VideoScene",
    "VideoStatus",
    "Voice",
    "WebhookEndpoint",
    "WebhookEvent",
    "normalize_status",
    "parse_webhook_event",
    "verify_webhook_signature",
]

log = structlog.get_logger(__name__)

SERVICE = "HeyGen"

MAX_INPUT_TEXT = 5000
"""``input_text`` must be shorter than this many characters."""
MAX_SCENES = 50
_DIMENSION_BOUNDS = (128, 4096)  # each side strictly between the two

# The unit of remaining_quota is not confirmed by HeyGen; one public client divides it by 60 to show
# credits, and so do we. Change it here if HeyGen documents otherwise.
QUOTA_UNITS_PER_CREDIT = 60

# HeyGen's older numeric error codes, where they mean something the creator can act on.
_OLD_CODES: dict[str, type[ServiceError]] = {"40009": InvalidKey}

SIGNATURE_HEADERS = ("Signature", "X-HeyGen-Signature")
"""Headers a webhook signature may arrive in, most common first."""

DEFAULT_WEBHOOK_EVENTS = ("avatar_video.success", "avatar_video.fail")

AvatarStyle = Literal["normal", "closeUp", "circle"]
RenderStatus = Literal["pending", "processing", "completed", "failed"]
_KNOWN_STATUSES: dict[str, RenderStatus] = {
    "pending": "pending",
    "waiting": "pending",
    "processing": "processing",
    "completed": "completed",
    "failed": "failed",
}


class Quota(msgspec.Struct, frozen=True, kw_only=True):
    """What is left on the creator's HeyGen account."""

    remaining_quota: float
    """HeyGen's own number, unit unconfirmed."""
    credits: float
    """``remaining_quota`` in credits, as HeyGen's plans count them."""


class Avatar(msgspec.Struct, frozen=True, kw_only=True):
    """An avatar the creator can put in a video: a studio avatar or a photo avatar."""

    avatar_id: str
    name: str
    kind: Literal["avatar", "talking_photo"] = "avatar"
    gender: str | None = None
    preview_image_url: str | None = None
    preview_video_url: str | None = None
    premium: bool = False


class Voice(msgspec.Struct, frozen=True, kw_only=True):
    """A voice that can read a script."""

    voice_id: str
    name: str
    language: str | None = None
    gender: str | None = None
    preview_audio: str | None = None
    support_pause: bool = False
    emotion_support: bool = False


class VideoScene(msgspec.Struct, frozen=True, kw_only=True):
    """One scene of a render: who appears (an avatar or a photo avatar) and what they say."""

    input_text: str
    voice_id: str
    avatar_id: str | None = None
    talking_photo_id: str | None = None
    avatar_style: AvatarStyle = "normal"
    speed: float | None = None
    pitch: float | None = None
    emotion: str | None = None
    locale: str | None = None
    background_color: str | None = None
    """A ``#rrggbb`` colour behind the avatar; HeyGen's default when unset."""


class VideoStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Where a render stands. Links expire after 7 days: download as soon as it is completed."""

    video_id: str
    status: RenderStatus
    service_status: str
    """HeyGen's own word for the status, kept for logs."""
    video_url: str | None = None
    thumbnail_url: str | None = None
    gif_url: str | None = None
    caption_url: str | None = None
    duration: float | None = None
    callback_id: str | None = None
    error_detail: str | None = None
    """HeyGen's explanation of a failed render; show it only below RENUM's own message."""

    @property
    def finished(self) -> bool:
        """Whether polling can stop."""
        return self.status in ("completed", "failed")


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A webhook registered at HeyGen; keep ``secret`` (encrypted) to verify deliveries."""

    endpoint_id: str
    url: str
    secret: str = field(repr=False)
    events: tuple[str, ...] = ()


class WebhookEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A render finished (or failed), as HeyGen tells our webhook."""

    event_type: str
    video_id: str
    video_url: str | None = None
    callback_id: str | None = None
    message: str | None = None
    event_id: str | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the render is ready to download."""
        return self.event_type == "avatar_video.success"


_MESSAGES = ErrorMessages(
    missing_key=N_("Add your HeyGen API key in Integrations to create avatar videos."),
    invalid_key=N_(
        "HeyGen refused your API key. Copy it again from HeyGen (Settings → API) and save it in Integrations."
    ),
    out_of_credits=N_("Your HeyGen account is out of credits. Add credits at HeyGen, then try again."),
    rate_limited=N_("HeyGen is receiving too many requests from your account. Wait a minute and try again."),
    unavailable=N_("HeyGen is not answering right now. Try again in a few minutes."),
    bad_request=N_("HeyGen did not accept this video. Check the avatar, the voice and the script."),
)
_SCRIPT_EMPTY = N_("The script is empty. Write what the avatar should say.")
_SCRIPT_TOO_LONG = N_("The script is too long for HeyGen: keep each scene under 5,000 characters.")
_BAD_SCENE_COUNT = N_("A HeyGen video has between 1 and 50 scenes.")
_BAD_CHARACTER = N_("Choose one avatar or one photo avatar for each scene.")
_BAD_DIMENSION = N_("HeyGen needs a width and a height, each between 129 and 4095 pixels.")
_BAD_WEBHOOK = N_("This HeyGen notification could not be read.")

DataT = TypeVar("DataT")


class _Answer(msgspec.Struct, Generic[DataT]):
    data: DataT


class _QuotaData(msgspec.Struct):
    remaining_quota: float


class _AvatarWire(msgspec.Struct):
    avatar_id: str
    avatar_name: str | None = None
    gender: str | None = None
    preview_image_url: str | None = None
    preview_video_url: str | None = None
    premium: bool | None = None


class _TalkingPhotoWire(msgspec.Struct):
    talking_photo_id: str
    talking_photo_name: str | None = None
    preview_image_url: str | None = None


class _AvatarsData(msgspec.Struct):
    avatars: list[_AvatarWire] | None = None
    talking_photos: list[_TalkingPhotoWire] | None = None


class _VoiceWire(msgspec.Struct):
    voice_id: str
    name: str | None = None
    language: str | None = None
    gender: str | None = None
    preview_audio: str | None = None
    support_pause: bool | None = None
    emotion_support: bool | None = None


class _VoicesData(msgspec.Struct):
    voices: list[_VoiceWire] | None = None


class _GeneratedData(msgspec.Struct):
    video_id: str


class _StatusData(msgspec.Struct):
    status: str
    id: str | None = None
    video_url: str | None = None
    thumbnail_url: str | None = None
    gif_url: str | None = None
    caption_url: str | None = None
    duration: float | None = None
    callback_id: str | None = None
    error: Any = None


class _EndpointData(msgspec.Struct):
    endpoint_id: str
    url: str
    secret: str
    events: list[str] | None = None


class _WebhookEventData(msgspec.Struct):
    video_id: str
    url: str | None = None
    video_url: str | None = None
    callback_id: str | None = None
    msg: str | None = None
    message: str | None = None


class _WebhookEventWire(msgspec.Struct):
    event_type: str
    event_data: _WebhookEventData
    event_id: str | None = None


class HeyGenClient(ServiceClient):
    """The creator's HeyGen account, reached with their API key.

    Example::

        async with HeyGenClient(key, base_url=settings.base_url, timeout=settings.timeout) as heygen:
            video_id = await heygen.generate_video(VideoScene(avatar_id=..., voice_id=..., input_text=...))
    """

    service = SERVICE
    messages = _MESSAGES

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str,
        timeout: float,
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            headers={"X-Api-Key": api_key},
            secrets=(api_key,),
            retry=RetryPolicy(retries=retries, backoff=backoff, max_retry_after=max_retry_after),
        )

    @classmethod
    def from_settings(cls, api_key: str, settings: HeyGenSettings) -> HeyGenClient:
        """A client for ``api_key`` at the address and timeout the settings give."""
        return cls(api_key, base_url=settings.base_url, timeout=settings.timeout)

    async def remaining_quota(self) -> Quota:
        """What is left on the account (also a cheap way to check that the key works)."""
        path = "/v2/user/remaining_quota"
        answer = self._convert(await self._request_json("GET", path), _Answer[_QuotaData], path)
        remaining = answer.data.remaining_quota
        return Quota(remaining_quota=remaining, credits=remaining / QUOTA_UNITS_PER_CREDIT)

    async def list_avatars(self) -> list[Avatar]:
        """Studio avatars first, then the creator's photo avatars."""
        path = "/v2/avatars"
        data = self._convert(await self._request_json("GET", path), _Answer[_AvatarsData], path).data
        avatars = [
            Avatar(
                avatar_id=wire.avatar_id,
                name=wire.avatar_name or wire.avatar_id,
                gender=wire.gender,
                preview_image_url=wire.preview_image_url,
                preview_video_url=wire.preview_video_url,
                premium=bool(wire.premium),
            )
            for wire in data.avatars or ()
        ]
        photos = [
            Avatar(
                avatar_id=wire.talking_photo_id,
                name=wire.talking_photo_name or wire.talking_photo_id,
                kind="talking_photo",
                preview_image_url=wire.preview_image_url,
            )
            for wire in data.talking_photos or ()
        ]
        return avatars + photos

    async def list_voices(self) -> list[Voice]:
        """Every voice the account can use."""
        path = "/v2/voices"
        data = self._convert(await self._request_json("GET", path), _Answer[_VoicesData], path).data
        return [
            Voice(
                voice_id=wire.voice_id,
                name=wire.name or wire.voice_id,
                language=wire.language,
                gender=wire.gender,
                preview_audio=wire.preview_audio,
                support_pause=bool(wire.support_pause),
                emotion_support=bool(wire.emotion_support),
            )
            for wire in data.voices or ()
        ]

    async def generate_video(
        self,
        scenes: VideoScene | Sequence[VideoScene],
        *,
        width: int | None = None,
        height: int | None = None,
        caption: bool = False,
        title: str | None = None,
        callback_id: str | None = None,
        callback_url: str | None = None,
        test: bool = False,
    ) -> str:
        """Start a render and return HeyGen's video id; it takes 5–15 minutes, sometimes over 20.

        The request is checked first (script length, scene count, size), so a mistake costs no
        call. It is sent once only, even on a timeout: a second send could render, and charge, twice.
        """
        scene_list = [scenes] if isinstance(scenes, VideoScene) else list(scenes)
        self._check_video_request(scene_list, width, height)

        body: dict[str, Any] = {
            "video_inputs": [_scene_body(scene) for scene in scene_list],
            "caption": caption,
        }
        if width is not None and height is not None:
            body["dimension"] = {"width": width, "height": height}
        optional = {"title": title, "callback_id": callback_id, "callback_url": callback_url}
        body.update({key: value for key, value in optional.items() if value is not None})
        if test:
            body["test"] = True

        path = "/v2/video/generate"
        answer = await self._request_json("POST", path, json=body, idempotent=False)
        video_id = self._convert(answer, _Answer[_GeneratedData], path).data.video_id
        log.info("heygen_render_started", video_id=video_id, callback_id=callback_id, scenes=len(scene_list))
        return video_id

    async def video_status(self, video_id: str) -> VideoStatus:
        """Where a render stands; each call also gives fresh download links."""
        path = "/v1/video_status.get"
        answer = await self._request_json("GET", path, params={"video_id": video_id})
        data = self._convert(answer, _Answer[_StatusData], path).data
        status = normalize_status(data.status)
        if data.status.lower() not in _KNOWN_STATUSES:
            log.info("heygen_status_unknown", video_id=video_id, service_status=data.status)
        return VideoStatus(
            video_id=data.id or video_id,
            status=status,
            service_status=data.status,
            video_url=data.video_url,
            thumbnail_url=data.thumbnail_url,
            gif_url=data.gif_url,
            caption_url=data.caption_url,
            duration=data.duration,
            callback_id=data.callback_id,
            error_detail=self._redact(_render_error_text(data.error)),
        )

    async def add_webhook(self, url: str, events: Sequence[str] = DEFAULT_WEBHOOK_EVENTS) -> WebhookEndpoint:
        """Ask HeyGen to call ``url`` on ``events``; HeyGen first probes it with a 1-second OPTIONS."""
        path = "/v1/webhook/endpoint.add"
        answer = await self._request_json("POST", path, json={"url": url, "events": list(events)}, idempotent=False)
        # Some answers wrap the endpoint in "data", as every other call does; some do not.
        payload = answer.get("data", answer) if isinstance(answer, dict) else answer
        data = self._convert(payload, _EndpointData, path)
        log.info("heygen_webhook_added", endpoint_id=data.endpoint_id, events=data.events or list(events))
        return WebhookEndpoint(
            endpoint_id=data.endpoint_id,
            url=data.url,
            secret=data.secret,
            events=tuple(data.events or events),
        )

    def _kind_for(self, status: int, service_code: str | None) -> type[ServiceError]:
        if service_code == "insufficient_credit":
            return OutOfCredits
        if service_code in _OLD_CODES:
            return _OLD_CODES[service_code]
        return super()._kind_for(status, service_code)

    def _error_in_body(self, body: Any) -> ServiceError | None:
        # Both shapes can carry an error inside a 200 answer: a non-null "error", or an old numeric
        # code outside the success range (100 means success).
        if not isinstance(body, dict):
            return None
        nested = body.get("error")
        old_code = body.get("code")
        failed = isinstance(nested, dict) or (isinstance(old_code, int) and old_code >= 400)
        if not failed:
            return None
        service_code, service_message = self._read_error(body)
        kind = self._kind_for(400, service_code)
        return self.error(kind, detail=self._redact(service_message), service_code=service_code)

    def _check_video_request(self, scenes: list[VideoScene], width: int | None, height: int | None) -> None:
        if not 1 <= len(scenes) <= MAX_SCENES:
            raise self.error(BadRequest, code="scene_count", message=_BAD_SCENE_COUNT)
        for scene in scenes:
            if not scene.input_text.strip():
                raise self.error(BadRequest, code="script_empty", message=_SCRIPT_EMPTY)
            if len(scene.input_text) >= MAX_INPUT_TEXT:
                raise self.error(BadRequest, code="script_too_long", message=_SCRIPT_TOO_LONG)
            if (scene.avatar_id is None) == (scene.talking_photo_id is None):
                raise self.error(BadRequest, code="invalid_character", message=_BAD_CHARACTER)
        if width is None and height is None:
            return
        low, high = _DIMENSION_BOUNDS
        if width is None or height is None or not (low < width < high and low < height < high):
            raise self.error(BadRequest, code="invalid_dimension", message=_BAD_DIMENSION)


def normalize_status(service_status: str) -> RenderStatus:
    """HeyGen's render status in RENUM's words; a status we do not know counts as still rendering."""
    return _KNOWN_STATUSES.get(service_status.lower(), "processing")


def verify_webhook_signature(secret: str, raw_body: bytes, signature_header: str | None) -> bool:
    """Whether ``signature_header`` is the hex HMAC-SHA256 of ``raw_body`` keyed with ``secret``.

    Check the raw bytes as received, before any parsing. The comparison takes the same time
    whatever the header holds, so it reveals nothing about the expected signature.
    """
    if not secret or not signature_header:
        return False
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature_header.strip().lower().encode())


def parse_webhook_event(raw_body: bytes) -> WebhookEvent:
    """Read a webhook delivery; both spellings HeyGen uses are accepted (``url`` or ``video_url``, ``msg``
    or ``message``).

    Raises:
        BadRequest: the body is not a HeyGen video event.
    """
    try:
        wire = msgspec.json.decode(raw_body, type=_WebhookEventWire, strict=False)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise BadRequest(SERVICE, code="invalid_webhook", status_code=400, message=_BAD_WEBHOOK) from exc
    data = wire.event_data
    return WebhookEvent(
        event_type=wire.event_type,
        video_id=data.video_id,
        video_url=data.video_url or data.url,
        callback_id=data.callback_id,
        message=data.message or data.msg,
        event_id=wire.event_id,
    )


def _scene_body(scene: VideoScene) -> dict[str, Any]:
    """One entry of ``video_inputs`` as HeyGen spells it."""
    if scene.avatar_id is not None:
        character: dict[str, Any] = {
            "type": "avatar",
            "avatar_id": scene.avatar_id,
            "avatar_style": scene.avatar_style,
        }
    else:
        character = {"type": "talking_photo", "talking_photo_id": scene.talking_photo_id}

    voice: dict[str, Any] = {"type": "text", "input_text": scene.input_text, "voice_id": scene.voice_id}
    tuning = {"speed": scene.speed, "pitch": scene.pitch, "emotion": scene.emotion, "locale": scene.locale}
    voice.update({key: value for key, value in tuning.items() if value is not None})

    body: dict[str, Any] = {"character": character, "voice": voice}
    if scene.background_color is not None:
        body["background"] = {"type": "color", "value": scene.background_color}
    return body


def _render_error_text(error: Any) -> str | None:
    """HeyGen's reason for a failed render, which comes as text or as ``{code, message, detail}``."""
    if error is None or isinstance(error, str):
        return error or None
    if isinstance(error, dict):
        parts = [str(error[key]) for key in ("message", "detail") if error.get(key)]
        return " — ".join(parts) or None
    return str(error)
