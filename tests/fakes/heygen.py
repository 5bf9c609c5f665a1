"""A fake HeyGen API: the documented routes, request checks and answer shapes, kept in memory.

A test drives it through the :class:`FakeHeyGen` it built and reads what was asked of it::

    fake = FakeHeyGen(api_key="hg-test-key")
    with serve(fake.app) as base_url:
        fake.state.fail("rate_limited", times=1)       # the next call answers 429, Retry-After: 1
        ...
        assert len(fake.state.calls("POST", "/v2/video/generate")) == 1

Renders move one step along ``state.status_sequence`` (pending → processing → completed) each time
their status is asked. Errors use HeyGen's newer shape ``{"error": {"code", "message"}}``, except
a refused key on the older ``/v1`` routes, which answers the older ``{"code": 40009, "message"}``.
Routes under ``/_fake/`` are the fake's own helpers (a download and a webhook receiver), not HeyGen's.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from litestar import Litestar, Request, get, post
from litestar.response import Response

__all__ = [
    "DEFAULT_API_KEY",
    "FailureMode",
    "FakeHeyGen",
    "FakeVideo",
    "FakeWebhookEndpoint",
    "HeyGenState",
    "RecordedRequest",
]

DEFAULT_API_KEY = "hg-fake-valid-key-0123456789"

FailureMode = Literal["invalid_key", "no_credits", "rate_limited", "server_error", "timeout"]

GENERATE_PATH = "/v2/video/generate"
WEBHOOK_EVENTS = frozenset(
    {
        "avatar_video.success",
        "avatar_video.fail",
        "avatar_video_gif.success",
        "avatar_video_gif.fail",
        "video_translate.success",
        "video_translate.fail",
    }
)
_AVATAR_STYLES = {"normal", "closeUp", "circle"}


def _default_avatars() -> list[dict[str, Any]]:
    return [
        {
            "avatar_id": "Daisy-inskirt-20220818",
            "avatar_name": "Daisy",
            "gender": "female",
            "preview_image_url": "https://files.heygen.ai/avatar/daisy.webp",
            "preview_video_url": "https://files.heygen.ai/avatar/daisy.mp4",
            "premium": False,
        },
        {
            "avatar_id": "Tyler-incasualsuit-20220721",
            "avatar_name": "Tyler",
            "gender": "male",
            "preview_image_url": "https://files.heygen.ai/avatar/tyler.webp",
            "preview_video_url": "https://files.heygen.ai/avatar/tyler.mp4",
            "premium": True,
        },
    ]


def _default_talking_photos() -> list[dict[str, Any]]:
    return [
        {
            "talking_photo_id": "tp-ana-7f3c",
            "talking_photo_name": "Ana (foto)",
            "preview_image_url": "https://files.heygen.ai/talking_photo/ana.webp",
        }
    ]


def _default_voices() -> list[dict[str, Any]]:
    return [
        {
            "voice_id": "pt-br-francisca-1a2b",
            "name": "Francisca",
            "language": "Portuguese",
            "gender": "female",
            "preview_audio": "https://files.heygen.ai/voice/francisca.mp3",
            "support_pause": True,
            "emotion_support": False,
        },
        {
            "voice_id": "en-us-guy-3c4d",
            "name": "Guy",
            "language": "English",
            "gender": "male",
            "preview_audio": "https://files.heygen.ai/voice/guy.mp3",
            "support_pause": False,
            "emotion_support": True,
        },
    ]


@dataclass(slots=True)
class RecordedRequest:
    """One request the fake received, as the test may want to check it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass(slots=True)
class FakeVideo:
    """A render the fake is "working on"."""

    video_id: str
    request: dict[str, Any]
    step: int = 0
    status: str = "pending"
    created_at: int = field(default_factory=lambda: int(time.time()))

    @property
    def callback_id(self) -> str | None:
        return self.request.get("callback_id")


@dataclass(slots=True)
class FakeWebhookEndpoint:
    """A webhook endpoint registered with the fake."""

    endpoint_id: str
    url: str
    events: list[str]
    secret: str


@dataclass
class HeyGenState:
    """Everything the fake holds, and the knobs a test turns.

    Attributes:
        api_key: the only ``X-Api-Key`` accepted.
        mode: the failure the next calls meet (``None``: behave); ``no_credits`` only hits renders.
        times: how many calls meet ``mode`` before it clears itself (``None``: every call).
        retry_after: ``Retry-After`` seconds sent with 429.
        delay: seconds a ``timeout`` call stalls before answering (make it exceed the client timeout).
        remaining_quota: what ``/v2/user/remaining_quota`` reports; each render costs ``video_cost``.
        status_sequence: the statuses a render goes through, one per status call.
        probe_webhooks: send HeyGen's 1-second ``OPTIONS`` probe to a webhook URL before adding it.
    """

    api_key: str
    mode: FailureMode | None = None
    times: int | None = None
    retry_after: int = 1
    delay: float = 1.0
    remaining_quota: float = 600.0
    video_cost: float = 60.0
    status_sequence: list[str] = field(default_factory=lambda: ["pending", "processing", "completed"])
    probe_webhooks: bool = True
    avatars: list[dict[str, Any]] = field(default_factory=_default_avatars)
    talking_photos: list[dict[str, Any]] = field(default_factory=_default_talking_photos)
    voices: list[dict[str, Any]] = field(default_factory=_default_voices)
    videos: dict[str, FakeVideo] = field(default_factory=dict)
    webhooks: dict[str, FakeWebhookEndpoint] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    deliveries: list[RecordedRequest] = field(default_factory=list)

    def fail(
        self,
        mode: FailureMode,
        *,
        times: int | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
    ) -> None:
        """Make the next ``times`` calls (every call when ``None``) fail the way ``mode`` says."""
        self.mode, self.times = mode, times
        if retry_after is not None:
            self.retry_after = retry_after
        if delay is not None:
            self.delay = delay

    def calls(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """The recorded requests, optionally only those with this method and path."""
        return [
            request
            for request in self.requests
            if (method is None or request.method == method) and (path is None or request.path == path)
        ]

    def finish(self, video_id: str, status: str = "completed") -> None:
        """Jump a render to its last status (or to ``status``) without polling it there."""
        video = self.videos[video_id]
        video.status = status
        video.step = len(self.status_sequence)

    def _take_failure(self, path: str) -> FailureMode | None:
        if self.mode is None or (self.mode == "no_credits" and path != GENERATE_PATH):
            return None
        mode = self.mode
        if self.times is not None:
            self.times -= 1
            if self.times <= 0:
                self.mode, self.times = None, None
        return mode


class FakeHeyGen:
    """The fake service: ``app`` is the ASGI app to serve, ``state`` what it holds and how it fails."""

    def __init__(self, *, api_key: str = DEFAULT_API_KEY) -> None:
        self.state = HeyGenState(api_key=api_key)
        self.app = build_app(self)

    def reset(self) -> None:
        """Forget every render, webhook, request and failure; keep the accepted key."""
        self.state = HeyGenState(api_key=self.state.api_key)

    def webhook_delivery(self, video_id: str, *, endpoint_id: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers HeyGen would POST to a webhook about this render, signed.

        The event follows the render's current status (success when completed, fail otherwise).
        """
        video = self.state.videos[video_id]
        if not self.state.webhooks:
            raise LookupError("register a webhook (add_webhook) before asking for a delivery")
        endpoint = self.state.webhooks[endpoint_id or next(iter(self.state.webhooks))]
        if video.status == "completed":
            event = {
                "event_type": "avatar_video.success",
                "event_data": {
                    "video_id": video_id,
                    "url": f"https://files.heygen.ai/video/{video_id}.mp4",
                    "callback_id": video.callback_id,
                },
            }
        else:
            event = {
                "event_type": "avatar_video.fail",
                "event_data": {
                    "video_id": video_id,
                    "msg": "Render failed",
                    "callback_id": video.callback_id,
                },
            }
        body = json.dumps(event).encode()
        signature = hmac.new(endpoint.secret.encode(), body, hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/json", "Signature": signature}


def build_app(fake: FakeHeyGen) -> Litestar:
    """The Litestar app behind ``fake``; every handler reads ``fake.state`` as it is at call time."""

    async def guard(request: Request) -> Response[Any] | None:
        path = request.url.path
        if path.startswith("/_fake/"):
            return None
        state = fake.state
        state.requests.append(await _record(request))

        mode = state._take_failure(path)
        if mode == "timeout":
            await asyncio.sleep(state.delay)
        elif mode == "rate_limited":
            return _error(
                429,
                "rate_limit_exceeded",
                "Too many requests",
                headers={"Retry-After": str(state.retry_after)},
            )
        elif mode == "server_error":
            return _error(500, "internal_error", "Internal server error")
        elif mode == "no_credits":
            return _error(402, "insufficient_credit", "Insufficient credit to generate this video")

        if mode == "invalid_key" or request.headers.get("x-api-key") != state.api_key:
            if path.startswith("/v1/"):
                return Response({"code": 40009, "message": "Invalid credentials", "data": None}, status_code=401)
            return _error(401, "invalid_api_key", "Invalid API key")
        return None

    @get("/v2/user/remaining_quota")
    async def remaining_quota() -> dict[str, Any]:
        quota = fake.state.remaining_quota
        return {"error": None, "data": {"remaining_quota": quota, "details": {"api": quota}}}

    @get("/v2/avatars")
    async def list_avatars() -> dict[str, Any]:
        state = fake.state
        return {"error": None, "data": {"avatars": state.avatars, "talking_photos": state.talking_photos}}

    @get("/v2/voices")
    async def list_voices() -> dict[str, Any]:
        return {"error": None, "data": {"voices": fake.state.voices}}

    @post(GENERATE_PATH, status_code=200)
    async def generate_video(request: Request) -> Response[Any]:
        state = fake.state
        body = await _json_body(request)
        problem = _check_generate(state, body)
        if problem is not None:
            return problem
        if state.remaining_quota < state.video_cost:
            return _error(402, "insufficient_credit", "Insufficient credit to generate this video")

        state.remaining_quota -= state.video_cost
        video = FakeVideo(video_id=uuid.uuid4().hex, request=body, status=state.status_sequence[0])
        state.videos[video.video_id] = video
        return Response({"error": None, "data": {"video_id": video.video_id}})

    @get("/v1/video_status.get")
    async def video_status(request: Request) -> Response[Any]:
        state = fake.state
        video_id = request.query_params.get("video_id")
        if not video_id:
            return _error(400, "invalid_parameter", "video_id is required", param="video_id")
        video = state.videos.get(video_id)
        if video is None:
            return _error(404, "video_not_found", "Video not found")

        # Answer the current status, then move on, so the first poll sees the first status.
        status = video.status
        if video.step < len(state.status_sequence) - 1:
            video.step += 1
            video.status = state.status_sequence[video.step]
        return Response({"code": 100, "data": _status_data(request, video, status), "message": "Success"})

    @post("/v1/webhook/endpoint.add", status_code=200)
    async def add_webhook(request: Request) -> Response[Any]:
        state = fake.state
        body = await _json_body(request)
        if not isinstance(body, dict):
            return _error(400, "invalid_parameter", "The body must be a JSON object")
        url, events = body.get("url"), body.get("events")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return _error(400, "invalid_parameter", "url must be an http(s) URL", param="url")
        if not isinstance(events, list) or not events or not set(events) <= WEBHOOK_EVENTS:
            return _error(400, "invalid_parameter", "events contains an unknown event", param="events")
        if state.probe_webhooks and not await _probe(url):
            return _error(400, "invalid_parameter", "The webhook URL did not answer OPTIONS", param="url")

        endpoint = FakeWebhookEndpoint(
            endpoint_id=uuid.uuid4().hex, url=url, events=list(events), secret=secrets.token_hex(16)
        )
        state.webhooks[endpoint.endpoint_id] = endpoint
        data = {
            "endpoint_id": endpoint.endpoint_id,
            "url": url,
            "status": "enabled",
            "events": endpoint.events,
            "secret": endpoint.secret,
            "created_at": int(time.time()),
        }
        return Response({"code": 100, "data": data, "message": "Success"})

    @get("/_fake/files/{name:str}", media_type="video/mp4")
    async def download(request: Request) -> bytes:
        name: str = request.path_params["name"]
        return b"\x00\x00\x00\x18ftypmp42 fake render " + name.encode()

    @post("/_fake/webhook", status_code=200)
    async def webhook_receiver(request: Request) -> dict[str, str]:
        fake.state.deliveries.append(await _record(request))
        return {"ok": "true"}

    return Litestar(
        route_handlers=[
            remaining_quota,
            list_avatars,
            list_voices,
            generate_video,
            video_status,
            add_webhook,
            download,
            webhook_receiver,
        ],
        before_request=guard,
        debug=False,
    )


def _check_generate(state: HeyGenState, body: dict[str, Any]) -> Response[Any] | None:
    """HeyGen's checks on a render request, answering the first problem found."""
    if not isinstance(body, dict):
        return _error(400, "invalid_parameter", "The body must be a JSON object")
    scenes = body.get("video_inputs")
    if not isinstance(scenes, list) or not 1 <= len(scenes) <= 50:
        return _error(400, "invalid_parameter", "video_inputs must hold 1 to 50 scenes", param="video_inputs")

    avatar_ids = {avatar["avatar_id"] for avatar in state.avatars}
    photo_ids = {photo["talking_photo_id"] for photo in state.talking_photos}
    voice_ids = {voice["voice_id"] for voice in state.voices}
    for scene in scenes:
        if not isinstance(scene, dict):
            return _error(400, "invalid_parameter", "Each scene must be an object", param="video_inputs")
        character, voice = scene.get("character") or {}, scene.get("voice") or {}
        if character.get("type") == "avatar":
            if character.get("avatar_id") not in avatar_ids:
                return _error(400, "avatar_not_found", "Avatar not found", param="avatar_id")
            if character.get("avatar_style", "normal") not in _AVATAR_STYLES:
                return _error(400, "invalid_parameter", "Unknown avatar_style", param="avatar_style")
        elif character.get("type") == "talking_photo":
            if character.get("talking_photo_id") not in photo_ids:
                return _error(400, "talking_photo_not_found", "Talking photo not found", param="talking_photo_id")
        else:
            return _error(400, "invalid_parameter", "character.type is not supported", param="character")

        text = voice.get("input_text")
        if voice.get("type") != "text" or not isinstance(text, str) or not text:
            return _error(400, "invalid_parameter", "voice.input_text is required", param="input_text")
        if len(text) >= 5000:
            return _error(400, "invalid_parameter", "input_text must be under 5000 characters", param="input_text")
        if voice.get("voice_id") not in voice_ids:
            return _error(400, "voice_not_found", "Voice not found", param="voice_id")

    dimension = body.get("dimension")
    if dimension is not None:
        sides = (dimension.get("width"), dimension.get("height")) if isinstance(dimension, dict) else ()
        if not sides or not all(isinstance(side, int) and 128 < side < 4096 for side in sides):
            return _error(400, "invalid_parameter", "dimension out of range", param="dimension")
    return None


def _status_data(request: Request, video: FakeVideo, status: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": video.video_id,
        "status": status,
        "video_url": None,
        "thumbnail_url": None,
        "gif_url": None,
        "caption_url": None,
        "duration": None,
        "created_at": video.created_at,
        "callback_id": video.callback_id,
        "error": None,
    }
    if status == "completed":
        # Fresh links on every call, as HeyGen's expire after 7 days.
        files = f"{str(request.base_url).rstrip('/')}/_fake/files"
        token = secrets.token_hex(4)
        data.update(
            video_url=f"{files}/{video.video_id}.mp4?expires={token}",
            thumbnail_url=f"{files}/{video.video_id}.jpg?expires={token}",
            gif_url=f"{files}/{video.video_id}.gif?expires={token}",
            duration=_spoken_seconds(video.request),
        )
        if video.request.get("caption"):
            data["caption_url"] = f"{files}/{video.video_id}.ass?expires={token}"
    elif status == "failed":
        data["error"] = {"code": "render_failed", "message": "Video render failed", "detail": "Avatar error"}
    return data


def _spoken_seconds(request: dict[str, Any]) -> float:
    words = sum(len(scene["voice"]["input_text"].split()) for scene in request["video_inputs"])
    return round(max(words / 2.5, 1.0), 1)


async def _probe(url: str) -> bool:
    """HeyGen's check that a webhook URL answers: an OPTIONS request with a 1-second timeout."""
    try:
        async with httpx.AsyncClient(timeout=1.0) as client:
            response = await client.options(url)
    except httpx.HTTPError:
        return False
    return response.is_success


async def _record(request: Request) -> RecordedRequest:
    return RecordedRequest(
        method=request.method,
        path=request.url.path,
        query=dict(request.query_params),
        headers=dict(request.headers),
        body=await _json_body(request),
    )


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return {"_unparsed": raw.decode(errors="replace")}


def _error(
    status: int, code: str, message: str, *, param: str | None = None, headers: dict[str, str] | None = None
) -> Response[Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if param is not None:
        error["param"] = param
    return Response({"error": error, "data": None}, status_code=status, headers=headers)
