"""Metricool, which publishes the creator's posts: brands, scheduled posts, media and best times.

Every call carries the user token in ``X-Mc-Auth`` and ``userId`` (plus ``blogId``, the brand) in the
query string, as ``spec/external-apis.md`` describes. Where the documentation gives no field names
(the brand list, the best-times score, the normalized media answer) one function reads the answer,
so a correction is a change in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
import structlog

from renum.clients.http import BadRequest, ErrorMessages, InvalidKey, RetryPolicy, ServiceClient
from renum.i18n import N_

if TYPE_CHECKING:
    from renum.config import MetricoolSettings

__all__ = [
    "BestTimes",
    "Brand",
    "MetricoolClient",
    "ScheduledPost",
    "parse_brand",
]

log = structlog.get_logger(__name__)

SERVICE = "Metricool"

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


class Brand(msgspec.Struct, frozen=True, kw_only=True):
    """A Metricool brand (``blogId``): one set of connected social accounts."""

    blog_id: int
    name: str
    timezone: str | None = None
    networks: tuple[str, ...] = ()
    """Connected networks, named as ``providers[].network`` names them (``instagram``, ``tiktok``...)."""


class ScheduledPost(msgspec.Struct, frozen=True, kw_only=True):
    """A post waiting in (or published from) Metricool's planner."""

    post_id: int
    uuid: str
    text: str
    networks: tuple[str, ...]
    date_time_local: datetime
    """Naive local time, in ``timezone``."""
    timezone: str
    media_urls: tuple[str, ...] = ()
    draft: bool = False
    auto_publish: bool = True
    network_statuses: dict[str, str] = {}
    """Metricool's status per network, where it reports one."""


class BestTimes(msgspec.Struct, frozen=True, kw_only=True):
    """How well posts did by weekday and hour: ``scores[weekday][hour]``, Monday = 0 as in Python."""

    network: str
    scores: tuple[tuple[float, ...], ...]

    @property
    def has_history(self) -> bool:
        """False when Metricool has no past posts to learn from (every score is zero)."""
        return any(score for day in self.scores for score in day)


_MESSAGES = ErrorMessages(
    missing_key=N_("Add your Metricool API token and user id in Integrations to schedule posts."),
    invalid_key=N_(
        "Metricool refused your API token. Copy it again from Metricool (Account settings → API; "
        "it needs an Advanced or Custom plan) and save it in Integrations."
    ),
    out_of_credits=N_("Your Metricool plan does not allow this. Check your plan at Metricool."),
    rate_limited=N_("Metricool is receiving too many requests from your account. Wait a minute and try again."),
    unavailable=N_("Metricool is not answering right now. Try again in a few minutes."),
    bad_request=N_("Metricool did not accept this post. Check the text, the networks, the date and the media."),
)
_NO_NETWORK = N_("Choose at least one network to publish on.")
_BAD_TIMEZONE = N_("This timezone is not known. Choose one from the list, such as America/Sao_Paulo.")
_EMPTY_POST = N_("Write some text or add a video or image before scheduling.")
_BAD_NETWORK = N_("Best times are available for one network at a time. Choose a network.")


class _Provider(msgspec.Struct):
    network: str
    status: str | None = None


class _PublicationDate(msgspec.Struct, rename="camel"):
    date_time: str
    timezone: str


class _PostWire(msgspec.Struct, rename="camel"):
    id: int
    publication_date: _PublicationDate
    uuid: str | None = None
    text: str | None = None
    providers: list[_Provider] | None = None
    media: list[Any] | None = None
    draft: bool | None = None
    auto_publish: bool | None = None


class MetricoolClient(ServiceClient):
    """The creator's Metricool account, reached with their user token and user id."""

    service = SERVICE
    messages = _MESSAGES

    def __init__(
        self,
        user_token: str,
        user_id: int | str,
        *,
        base_url: str,
        timeout: float,
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
    ) -> None:
        if not str(user_id).strip():
            raise self.error(InvalidKey, code="missing_key", message=self.messages.missing_key)
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            headers={"X-Mc-Auth": user_token},
            secrets=(user_token,),
            retry=RetryPolicy(retries=retries, backoff=backoff, max_retry_after=max_retry_after),
        )
        self._user_id = str(user_id).strip()

    @classmethod
    def from_settings(cls, user_token: str, user_id: int | str, settings: MetricoolSettings) -> MetricoolClient:
        """A client for these credentials at the address and timeout the settings give."""
        return cls(user_token, user_id, base_url=settings.base_url, timeout=settings.timeout)

    async def list_brands(self) -> list[Brand]:
        """The brands the token reaches, each with its connected networks."""
        path = "/v2/settings/brands"
        answer = await self._request_json("GET", path, params=self._params(None))
        items = answer.get("data") if isinstance(answer, dict) else answer
        if not isinstance(items, list):
            raise self._unexpected(path, "no list of brands")
        return [self._parse_brand_or_fail(raw, path) for raw in items]

    async def schedule_post(
        self,
        blog_id: int,
        *,
        text: str,
        networks: Sequence[str],
        date_time_local: datetime,
        timezone: str,
        media_urls: Sequence[str] = (),
        draft: bool = False,
        auto_publish: bool = True,
        first_comment: str | None = None,
        network_options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> ScheduledPost:
        """Put a post in the brand's planner for ``date_time_local`` in ``timezone``.

        ``date_time_local`` may be naive (already local) or aware (converted to ``timezone``).
        ``network_options`` carries each network's extras, e.g. ``{"instagram": {"type": "REEL"}}``
        (sent as ``instagramData``). Media should be normalized first (:meth:`normalize_media_url`).
        Sent once only: sending again after a timeout could schedule the post twice.
        """
        body = self._post_body(
            text=text,
            networks=networks,
            date_time_local=date_time_local,
            timezone=timezone,
            media_urls=media_urls,
            draft=draft,
            auto_publish=auto_publish,
            first_comment=first_comment,
            network_options=network_options,
        )
        path = "/v2/scheduler/posts"
        answer = await self._request_json("POST", path, params=self._params(blog_id), json=body, idempotent=False)
        post = self._parse_post(answer, path)
        log.info("metricool_post_scheduled", blog_id=blog_id, post_id=post.post_id, networks=list(post.networks))
        return post

    async def update_post(
        self,
        blog_id: int,
        post_id: int,
        uuid: str,
        *,
        text: str,
        networks: Sequence[str],
        date_time_local: datetime,
        timezone: str,
        media_urls: Sequence[str] = (),
        draft: bool = False,
        auto_publish: bool = True,
        first_comment: str | None = None,
        network_options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> ScheduledPost:
        """Replace a scheduled post (Metricool needs both its ``id`` and its ``uuid``)."""
        body = self._post_body(
            text=text,
            networks=networks,
            date_time_local=date_time_local,
            timezone=timezone,
            media_urls=media_urls,
            draft=draft,
            auto_publish=auto_publish,
            first_comment=first_comment,
            network_options=network_options,
        )
        body.update({"id": post_id, "uuid": uuid})
        path = f"/v2/scheduler/posts/{post_id}"
        answer = await self._request_json("PUT", path, params=self._params(blog_id), json=body)
        post = self._parse_post(answer, path)
        log.info("metricool_post_updated", blog_id=blog_id, post_id=post.post_id)
        return post

    async def list_posts(
        self, blog_id: int, start: date | datetime, end: date | datetime, timezone: str
    ) -> list[ScheduledPost]:
        """Posts planned from ``start`` to ``end``, local to ``timezone``; a date covers its whole day."""
        zone = self._zone(timezone)
        params = self._params(
            blog_id, start=_local(start, zone), end=_local(end, zone, end_of_day=True), timezone=timezone
        )
        path = "/v2/scheduler/posts"
        answer = await self._request_json("GET", path, params=params)
        items = answer.get("data") if isinstance(answer, dict) else answer
        if not isinstance(items, list):
            raise self._unexpected(path, "no list of posts")
        return [self._parse_post(item, path) for item in items]

    async def delete_post(self, blog_id: int, post_id: int) -> bool:
        """Remove a post from the planner; False when Metricool no longer had it (already deleted)."""
        try:
            await self._request("DELETE", f"/v2/scheduler/posts/{post_id}", params=self._params(blog_id))
        except BadRequest as exc:
            # A retried delete whose first attempt went through lands here; the post is gone either way.
            if exc.code != "not_found":
                raise
            return False
        log.info("metricool_post_deleted", blog_id=blog_id, post_id=post_id)
        return True

    async def normalize_media_url(self, url: str, *, blog_id: int | None = None) -> str:
        """Have Metricool copy a public media file to its storage; returns the URL to schedule with."""
        path = "/actions/normalize/image/url"
        response = await self._request("GET", path, params=self._params(blog_id, url=url))
        normalized = _read_normalized_url(response.text)
        if not normalized:
            raise self._unexpected(path, "no URL in the answer")
        return normalized

    async def best_times(
        self, blog_id: int, network: str, start: date | datetime, end: date | datetime, timezone: str
    ) -> BestTimes:
        """A 7×24 grid of how posts did on ``network`` by weekday and hour, in ``timezone``."""
        if not network.strip() or "/" in network:
            raise self.error(BadRequest, code="invalid_network", message=_BAD_NETWORK)
        zone = self._zone(timezone)
        params = self._params(
            blog_id, start=_local(start, zone), end=_local(end, zone, end_of_day=True), timezone=timezone
        )
        path = f"/v2/scheduler/besttimes/{network}"
        answer = await self._request_json("GET", path, params=params)
        try:
            scores = _parse_best_times(answer)
        except (TypeError, ValueError, KeyError) as exc:
            raise self._unexpected(path, f"best times unreadable: {exc}") from exc
        return BestTimes(network=network, scores=scores)

    def _zone(self, timezone: str) -> ZoneInfo:
        """The timezone, checked before calling so a typo gets a clear message and costs no call."""
        try:
            return ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise self.error(BadRequest, code="invalid_timezone", message=_BAD_TIMEZONE) from exc

    def _params(self, blog_id: int | None, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"userId": self._user_id}
        if blog_id is not None:
            params["blogId"] = blog_id
        params.update(extra)
        return params

    def _post_body(
        self,
        *,
        text: str,
        networks: Sequence[str],
        date_time_local: datetime,
        timezone: str,
        media_urls: Sequence[str],
        draft: bool,
        auto_publish: bool,
        first_comment: str | None,
        network_options: Mapping[str, Mapping[str, Any]] | None,
    ) -> dict[str, Any]:
        """A post as Metricool's planner spells it; checked first so a mistake costs no call."""
        if not networks:
            raise self.error(BadRequest, code="no_network", message=_NO_NETWORK)
        if not text.strip() and not media_urls:
            raise self.error(BadRequest, code="empty_post", message=_EMPTY_POST)
        zone = self._zone(timezone)

        body: dict[str, Any] = {
            "text": text,
            "providers": [{"network": network} for network in networks],
            "publicationDate": {"dateTime": _local(date_time_local, zone), "timezone": timezone},
            "media": list(media_urls),
            "autoPublish": auto_publish,
            "draft": draft,
        }
        if first_comment:
            body["firstCommentText"] = first_comment
        for network, options in (network_options or {}).items():
            body[f"{network}Data"] = dict(options)
        return body

    def _parse_post(self, answer: Any, path: str) -> ScheduledPost:
        """A post from Metricool's answer, bare or wrapped in ``data``."""
        raw = answer.get("data", answer) if isinstance(answer, dict) else answer
        wire = self._convert(raw, _PostWire, path)
        try:
            when = datetime.strptime(wire.publication_date.date_time[:19], _LOCAL_FORMAT)
        except ValueError as exc:
            raise self._unexpected(path, "publication date unreadable") from exc
        providers = wire.providers or []
        return ScheduledPost(
            post_id=wire.id,
            uuid=wire.uuid or "",
            text=wire.text or "",
            networks=tuple(provider.network for provider in providers),
            date_time_local=when,
            timezone=wire.publication_date.timezone,
            media_urls=tuple(_media_url(item) for item in wire.media or ()),
            draft=bool(wire.draft),
            auto_publish=wire.auto_publish is not False,
            network_statuses={provider.network: provider.status for provider in providers if provider.status},
        )

    def _parse_brand_or_fail(self, raw: Any, path: str) -> Brand:
        try:
            return parse_brand(raw)
        except (TypeError, ValueError, KeyError) as exc:
            raise self._unexpected(path, f"brand unreadable: {exc}") from exc


# How a brand names each connected account in /v2/settings/brands, and the network name the planner
# uses for it. Not confirmed by Metricool's documentation: the account fields below follow the older
# /admin/simpleProfiles answer (a handle or id when connected, null when not); public clients also
# report a "networksData" object keyed "<network>Data". parse_brand reads both.
_BRAND_NETWORK_FIELDS = {
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


def parse_brand(raw: Mapping[str, Any]) -> Brand:
    """One brand from ``/v2/settings/brands``: its id (the ``blogId``), name, timezone and networks.

    The field names are our best reading of public clients, not of Metricool's documentation; this
    is the one place to change when they turn out different.
    """
    blog_id = raw.get("id", raw.get("blogId"))
    if blog_id is None:
        raise KeyError("id")
    name = raw.get("label") or raw.get("title") or raw.get("name") or f"Brand {blog_id}"

    connected = [network for field, network in _BRAND_NETWORK_FIELDS.items() if raw.get(field)]
    networks_data = raw.get("networksData")
    if isinstance(networks_data, Mapping):
        connected += [key.removesuffix("Data") for key, value in networks_data.items() if value]
    return Brand(
        blog_id=int(blog_id),
        name=str(name),
        timezone=raw.get("timezone") or None,
        networks=tuple(dict.fromkeys(connected)),
    )


def _parse_best_times(answer: Any) -> tuple[tuple[float, ...], ...]:
    """The 7×24 grid from ``data[]`` entries of ``dayOfWeek`` (1 = Sunday), ``hour`` and a score.

    The score's field name is not documented; ``value`` is read, then ``score``.
    """
    entries = answer.get("data") if isinstance(answer, dict) else answer
    if not isinstance(entries, list):
        raise TypeError("no list of best times")
    grid = [[0.0] * 24 for _ in range(7)]
    for entry in entries:
        weekday = (int(entry["dayOfWeek"]) + 5) % 7  # 1 = Sunday -> Python's 6; 2 = Monday -> 0
        score = entry.get("value", entry.get("score")) or 0
        grid[weekday][int(entry["hour"])] = float(score)
    return tuple(tuple(day) for day in grid)


def _media_url(item: Any) -> str:
    """A post's media entry: a URL, or (in some answers) an object holding one."""
    if isinstance(item, dict):
        return str(item.get("url") or item.get("mediaUrl") or "")
    return str(item)


def _read_normalized_url(text: str) -> str | None:
    """The URL in Metricool's normalize answer: plain text, a JSON string, or ``{"url"|"data": ...}``.

    Which of these Metricool sends is not documented; all are accepted.
    """
    text = text.strip()
    try:
        decoded = msgspec.json.decode(text) if text else None
    except msgspec.DecodeError:
        decoded = text
    if isinstance(decoded, dict):
        decoded = decoded.get("url") or decoded.get("data")
    return decoded if isinstance(decoded, str) and decoded.startswith(("http://", "https://")) else None


def _local(moment: date | datetime, zone: ZoneInfo, *, end_of_day: bool = False) -> str:
    """A local date-time in ``zone`` as Metricool reads it; a bare date means its first (or last) second."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.max if end_of_day else time.min)
    elif moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.replace(tzinfo=None).strftime(_LOCAL_FORMAT)
