"""A fake Metricool API: brands, the post planner, media normalization and best times, in memory.

A test drives it through the :class:`FakeMetricool` it built and reads what was asked of it::

    fake = FakeMetricool(user_token="mc-test-token", user_id="4242")
    with serve(fake.app) as base_url:
        fake.state.fail("server_error", times=2)        # the next two calls answer 500
        ...
        assert fake.state.calls("POST", "/v2/scheduler/posts")[0].query["blogId"] == "101"

Every call must carry ``X-Mc-Auth`` and ``userId``; planner calls also a ``blogId`` among the brands.
Metricool does not document its error bodies; the fake answers the usual Spring shape
``{"timestamp", "status", "error", "message", "path"}``. The brand fields follow what
:func:`renum.clients.metricool.parse_brand` reads (an account handle per connected network).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litestar import Litestar, Request, delete, get, post, put
from litestar.response import Response

__all__ = [
    "DEFAULT_USER_ID",
    "DEFAULT_USER_TOKEN",
    "FailureMode",
    "FakeMetricool",
    "MetricoolState",
    "RecordedRequest",
]

DEFAULT_USER_TOKEN = "mc-fake-valid-token-abcdef987654"
DEFAULT_USER_ID = "4242"

FailureMode = Literal["invalid_key", "rate_limited", "server_error", "timeout"]

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"
# Brand fields holding the account of each network, and the planner's name for that network.
_NETWORK_FIELDS = {
    "instagram": "instagram",
    "facebook": "facebook",
    "tiktok": "tiktok",
    "youtube": "youtube",
    "linkedinCompany": "linkedin",
    "twitter": "twitter",
    "threads": "threads",
    "pinterest": "pinterest",
    "bluesky": "bluesky",
    "gmb": "gmb",
}


def _default_brands() -> list[dict[str, Any]]:
    return [
        {
            "id": 101,
            "userId": int(DEFAULT_USER_ID),
            "label": "Canal da Ana",
            "url": "https://instagram.com/ana.cria",
            "timezone": "America/Sao_Paulo",
            "picture": "https://static.metricool.com/brand/101.png",
            "instagram": "ana.cria",
            "facebook": None,
            "tiktok": "anacria",
            "youtube": "UC-ana",
            "linkedinCompany": None,
            "twitter": None,
        },
        {
            "id": 202,
            "userId": int(DEFAULT_USER_ID),
            "label": "Receitas Rápidas",
            "timezone": "Europe/Lisbon",
            "picture": None,
            "instagram": None,
            "facebook": "receitasrapidas",
            "tiktok": None,
            "youtube": None,
            "linkedinCompany": "receitas-rapidas",
            "twitter": None,
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


@dataclass
class MetricoolState:
    """Everything the fake holds, and the knobs a test turns.

    Attributes:
        user_token: the only ``X-Mc-Auth`` accepted; ``user_id`` the only ``userId``.
        mode: the failure the next calls meet (``None``: behave).
        times: how many calls meet ``mode`` before it clears itself (``None``: every call).
        retry_after: ``Retry-After`` seconds sent with 429.
        delay: seconds a ``timeout`` call stalls before answering (make it exceed the client timeout).
        posts: planned posts by id, as Metricool would answer them (each also carries ``blogId``).
        best_times: scores by (blogId, network), then by (dayOfWeek with 1 = Sunday, hour).
        normalized: normalized media URL -> the URL it was copied from.
    """

    user_token: str
    user_id: str
    mode: FailureMode | None = None
    times: int | None = None
    retry_after: int = 1
    delay: float = 1.0
    brands: list[dict[str, Any]] = field(default_factory=_default_brands)
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_post_id: int = 9001
    best_times: dict[tuple[int, str], dict[tuple[int, int], float]] = field(default_factory=dict)
    normalized: dict[str, str] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)

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

    def set_best_time(self, blog_id: int, network: str, *, day_of_week: int, hour: int, value: float) -> None:
        """Give one slot a score; ``day_of_week`` counts as Metricool does, 1 = Sunday."""
        self.best_times.setdefault((blog_id, network), {})[(day_of_week, hour)] = value

    def _take_failure(self) -> FailureMode | None:
        mode = self.mode
        if mode is not None and self.times is not None:
            self.times -= 1
            if self.times <= 0:
                self.mode, self.times = None, None
        return mode


class FakeMetricool:
    """The fake service: ``app`` is the ASGI app to serve, ``state`` what it holds and how it fails."""

    def __init__(self, *, user_token: str = DEFAULT_USER_TOKEN, user_id: str = DEFAULT_USER_ID) -> None:
        self.state = MetricoolState(user_token=user_token, user_id=user_id)
        self.app = build_app(self)

    def reset(self) -> None:
        """Forget every post, request and failure; keep the accepted credentials."""
        self.state = MetricoolState(user_token=self.state.user_token, user_id=self.state.user_id)


def build_app(fake: FakeMetricool) -> Litestar:
    """The Litestar app behind ``fake``; every handler reads ``fake.state`` as it is at call time."""

    async def guard(request: Request) -> Response[Any] | None:
        state = fake.state
        path = request.url.path
        state.requests.append(await _record(request))

        mode = state._take_failure()
        if mode == "timeout":
            await asyncio.sleep(state.delay)
        elif mode == "rate_limited":
            return _error(path, 429, "Rate limit exceeded", headers={"Retry-After": str(state.retry_after)})
        elif mode == "server_error":
            return _error(path, 500, "Unexpected error")

        token_ok = request.headers.get("x-mc-auth") == state.user_token
        if mode == "invalid_key" or not token_ok or request.query_params.get("userId") != state.user_id:
            return _error(path, 401, "Invalid or expired user token")

        if path.startswith("/v2/scheduler/") and _brand(state, request) is None:
            return _error(path, 404, "Brand not found for this user")
        return None

    @get("/v2/settings/brands")
    async def list_brands() -> dict[str, Any]:
        return {"data": fake.state.brands}

    @post("/v2/scheduler/posts", status_code=200)
    async def schedule_post(request: Request) -> Response[Any]:
        state = fake.state
        body = await _json_body(request)
        brand = _brand(state, request)
        assert brand is not None  # the guard answered 404 otherwise
        problem = _check_post(request.url.path, brand, body)
        if problem is not None:
            return problem

        post_id, state.next_post_id = state.next_post_id, state.next_post_id + 1
        stored = _stored_post(body, post_id=post_id, post_uuid=str(uuid.uuid4()), blog_id=brand["id"])
        state.posts[post_id] = stored
        return Response({"data": stored})

    @put("/v2/scheduler/posts/{post_id:int}")
    async def update_post(request: Request) -> Response[Any]:
        state = fake.state
        post_id: int = request.path_params["post_id"]
        path = request.url.path
        body = await _json_body(request)
        brand = _brand(state, request)
        assert brand is not None
        current = state.posts.get(post_id)
        if current is None or current["blogId"] != brand["id"]:
            return _error(path, 404, "Post not found")
        problem = _check_post(path, brand, body)
        if problem is not None:
            return problem
        if body.get("id") != post_id or body.get("uuid") != current["uuid"]:
            return _error(path, 400, "id and uuid must match the post")

        state.posts[post_id] = _stored_post(body, post_id=post_id, post_uuid=current["uuid"], blog_id=brand["id"])
        return Response({"data": state.posts[post_id]})

    @get("/v2/scheduler/posts")
    async def list_posts(request: Request) -> Response[Any]:
        state = fake.state
        path = request.url.path
        params = request.query_params
        brand = _brand(state, request)
        assert brand is not None
        try:
            zone = ZoneInfo(params["timezone"])
            start = datetime.strptime(params["start"], _LOCAL_FORMAT).replace(tzinfo=zone)
            end = datetime.strptime(params["end"], _LOCAL_FORMAT).replace(tzinfo=zone)
        except (KeyError, ValueError, ZoneInfoNotFoundError):
            return _error(path, 400, "start, end and timezone are required")

        found = [
            post for post in state.posts.values() if post["blogId"] == brand["id"] and start <= _moment(post) <= end
        ]
        return Response({"data": sorted(found, key=_moment)})

    @delete("/v2/scheduler/posts/{post_id:int}", status_code=200)
    async def delete_post(request: Request) -> Response[Any]:
        state = fake.state
        post_id: int = request.path_params["post_id"]
        brand = _brand(state, request)
        assert brand is not None
        current = state.posts.get(post_id)
        if current is None or current["blogId"] != brand["id"]:
            return _error(request.url.path, 404, "Post not found")
        del state.posts[post_id]
        return Response({"data": {"id": post_id, "deleted": True}})

    @get("/actions/normalize/image/url")
    async def normalize_media(request: Request) -> Response[Any]:
        url = request.query_params.get("url", "")
        if not url.startswith(("http://", "https://")):
            return _error(request.url.path, 400, "url must be a public http(s) URL")
        digest = hashlib.sha256(url.encode()).hexdigest()[:16]
        name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "media"
        normalized = f"https://static.metricool.com/normalized/{digest}/{name}"
        fake.state.normalized[normalized] = url
        return Response(normalized, media_type="text/plain")

    @get("/v2/scheduler/besttimes/{network:str}")
    async def best_times(request: Request) -> Response[Any]:
        state = fake.state
        network: str = request.path_params["network"]
        brand = _brand(state, request)
        assert brand is not None
        if not {"start", "end", "timezone"} <= set(request.query_params):
            return _error(request.url.path, 400, "start, end and timezone are required")
        scores = state.best_times.get((brand["id"], network), {})
        data = [
            {"dayOfWeek": day, "hour": hour, "value": scores.get((day, hour), 0.0)}
            for day in range(1, 8)
            for hour in range(24)
        ]
        return Response({"data": data})

    return Litestar(
        route_handlers=[
            list_brands,
            schedule_post,
            update_post,
            list_posts,
            delete_post,
            normalize_media,
            best_times,
        ],
        before_request=guard,
        debug=False,
    )


def _brand(state: MetricoolState, request: Request) -> dict[str, Any] | None:
    blog_id = request.query_params.get("blogId")
    return next((brand for brand in state.brands if str(brand["id"]) == blog_id), None)


def _connected(brand: dict[str, Any]) -> set[str]:
    return {network for key, network in _NETWORK_FIELDS.items() if brand.get(key)}


def _check_post(path: str, brand: dict[str, Any], body: Any) -> Response[Any] | None:
    """Metricool's checks on a planned post, answering the first problem found."""
    if not isinstance(body, dict):
        return _error(path, 400, "The body must be a JSON object")
    providers = body.get("providers")
    if not isinstance(providers, list) or not providers:
        return _error(path, 400, "At least one provider is required")
    for provider in providers:
        network = provider.get("network") if isinstance(provider, dict) else None
        if network not in _connected(brand):
            return _error(path, 400, f"The network {network} is not connected to this brand")

    publication = body.get("publicationDate")
    try:
        ZoneInfo(publication["timezone"])
        datetime.strptime(publication["dateTime"], _LOCAL_FORMAT)
    except (TypeError, KeyError, ValueError, ZoneInfoNotFoundError):
        return _error(path, 400, "publicationDate needs dateTime (yyyy-MM-ddTHH:mm:ss) and timezone")

    media = body.get("media", [])
    if not isinstance(media, list) or not all(isinstance(url, str) for url in media):
        return _error(path, 400, "media must be a list of URLs")
    if not body.get("text") and not media:
        return _error(path, 400, "A post needs text or media")
    return None


def _stored_post(body: dict[str, Any], *, post_id: int, post_uuid: str, blog_id: int) -> dict[str, Any]:
    stored = dict(body)
    stored.update(
        id=post_id,
        uuid=post_uuid,
        blogId=blog_id,
        providers=[{"network": provider["network"], "status": "PENDING"} for provider in body["providers"]],
        creationDate=datetime.now(UTC).strftime(_LOCAL_FORMAT),
    )
    stored.setdefault("draft", False)
    stored.setdefault("autoPublish", True)
    return stored


def _moment(post: dict[str, Any]) -> datetime:
    publication = post["publicationDate"]
    local = datetime.strptime(publication["dateTime"], _LOCAL_FORMAT)
    return local.replace(tzinfo=ZoneInfo(publication["timezone"]))


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


def _error(path: str, status: int, message: str, *, headers: dict[str, str] | None = None) -> Response[Any]:
    body = {
        "timestamp": datetime.now(UTC).isoformat(),
        "status": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
        "path": f"/api{path}",
    }
    return Response(body, status_code=status, headers=headers)
