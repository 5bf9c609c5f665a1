"""Scheduling a PostRápido video on the creator's networks, through Metricool.

The creator picks, per platform, a caption and a wall-clock time in their timezone. Everything is
checked before anything is kept (Metricool connected, each platform linked, each caption within its
limits, each time in the future and real on that day), so a refused request leaves nothing behind.
Then one :class:`~renum.models.ScheduledPost` per platform is saved and sent on its own: a network
that fails keeps its error on its post and does not hide the others, and can be sent again.

Times are stored in UTC; Metricool receives the creator's wall time and timezone, as its planner
expects, so a post set for 18:00 goes out at 18:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renum.clients.http import ServiceError
from renum.clients.metricool import MetricoolClient
from renum.db import utcnow
from renum.errors import Conflict, InvalidInput, NotFound, RenumError
from renum.i18n import N_
from renum.models import MetricoolConnection, PostStatus, Render, ScheduledPost, User, Video
from renum.security import SecretUnreadable
from renum.services import captions, integrations, postrapido
from renum.services.integrations import PLATFORMS, Outside

__all__ = [
    "MAX_AHEAD",
    "MIN_LEAD",
    "PlannedPost",
    "get_post",
    "local_moment",
    "media_path",
    "retry_post",
    "schedule_posts",
    "suggested_times",
    "upcoming_posts",
    "video_posts",
]

log = structlog.get_logger(__name__)

MIN_LEAD = timedelta(minutes=5)
"""How far ahead a post must be: Metricool needs a moment to fetch the video before publishing."""
MAX_AHEAD = timedelta(days=2 * 365)
LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"

Signer = Callable[[str], str]
"""Turns one of RENUM's paths into a signed, expiring public URL that Metricool can fetch."""


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """What the creator asks for one platform: the caption and when, as they typed it."""

    platform: str
    text: str
    publish_at: str
    """A wall time (``2026-07-08T18:00``) in the creator's timezone, or an instant with an offset."""
    title: str | None = None


@dataclass(frozen=True, slots=True)
class _Checked:
    platform: str
    text: str
    title: str | None
    publish_at: datetime
    local_time: str


# -- time -------------------------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            fields={"timezone": N_("This timezone is not known. Choose one from the list, such as America/Sao_Paulo.")}
        ) from exc


def local_moment(value: str, zone: ZoneInfo, *, field: str = "publish_at") -> tuple[datetime, str]:
    """The UTC instant and the wall time in ``zone`` that ``value`` names.

    A wall time without offset is read in ``zone``. One that the clocks skip (the hour lost when
    daylight saving starts) is refused; one that happens twice (the hour repeated when it ends) is
    the first of the two.

    Raises:
        InvalidInput: not a date and time, or a time that does not exist in ``zone`` that day.
    """
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(
            fields={field: N_("Give the date and time as YYYY-MM-DDTHH:MM, for example 2026-07-08T18:00.")}
        ) from exc

    if parsed.tzinfo is not None:
        local = parsed.astimezone(zone).replace(tzinfo=None)
        return parsed.astimezone(UTC), local.strftime(LOCAL_FORMAT)

    local = parsed.replace(microsecond=0)
    instant = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        raise InvalidInput(
            fields={
                field: N_(
                    "This time does not exist in {timezone} on that day: the clocks jump forward. Choose another time."
                )
            },
            timezone=zone.key,
        )
    return instant, local.strftime(LOCAL_FORMAT)


def suggested_times(timezone: str, *, now: datetime | None = None) -> tuple[str, str]:
    """For a date picker in ``timezone``: the earliest wall time accepted, and a good default (tomorrow, 18:00).

    Both as ``YYYY-MM-DDTHH:MM``, the value of an ``<input type="datetime-local">``.
    """
    zone = _zone(timezone)
    local_now = (now or utcnow()).astimezone(zone)
    earliest = (local_now + MIN_LEAD + timedelta(minutes=1)).replace(second=0, microsecond=0)
    suggested = (local_now + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    return earliest.strftime("%Y-%m-%dT%H:%M"), suggested.strftime("%Y-%m-%dT%H:%M")


def _check_time(value: str, zone: ZoneInfo, now: datetime, *, field: str) -> tuple[datetime, str]:
    instant, local = local_moment(value, zone, field=field)
    if instant < now + MIN_LEAD:
        raise InvalidInput(
            fields={field: N_("This time has passed or is too close. Choose a time at least {minutes} minutes ahead.")},
            minutes=int(MIN_LEAD.total_seconds() // 60),
        )
    if instant > now + MAX_AHEAD:
        raise InvalidInput(fields={field: N_("Choose a time within the next two years.")})
    return instant, local


# -- what is posted ------------------------------------------------------------------------------------


async def _render_to_post(db: AsyncSession, owner: User, video: Video, render_id: uuid.UUID | None) -> Render | None:
    """The render named, else the video's latest finished render, else ``None`` (the original is posted)."""
    if render_id is not None:
        render = await postrapido.finished_render(db, owner, render_id)
        if render.video_id != video.id:
            raise InvalidInput(fields={"render_id": N_("This render is of another video. Choose one of this video.")})
        return render
    latest = (
        select(Render)
        .where(Render.video_id == video.id, Render.storage_name.is_not(None))
        .order_by(Render.created_at.desc())
        .limit(1)
    )
    latest_render: Render | None = await db.scalar(latest)
    return latest_render


def media_path(post: ScheduledPost) -> str:
    """RENUM's path of the file a post publishes (behind a signed link when given to Metricool)."""
    if post.render_id is not None:
        return f"/api/postrapido/shared/renders/{post.render_id}"
    return f"/api/postrapido/shared/videos/{post.video_id}"


def _check_posts(posts: Sequence[PlannedPost], zone: ZoneInfo, now: datetime) -> list[_Checked]:
    if not posts:
        raise InvalidInput(fields={"posts": N_("Choose at least one platform to publish on.")})
    checked: list[_Checked] = []
    for index, post in enumerate(posts):
        try:
            key = integrations.platform_named(post.platform).key
        except InvalidInput as exc:
            raise InvalidInput(exc.message, fields={f"posts.{index}.platform": exc.message}, **exc.params) from exc
        if any(item.platform == key for item in checked):
            raise InvalidInput(
                fields={f"posts.{index}.platform": N_("{platform} is chosen twice. Schedule one post per platform.")},
                platform=PLATFORMS[key].name,
            )
        text = post.text.strip()
        title = " ".join(post.title.split()) if post.title and captions.LIMITS[key].max_title else None
        captions.check_caption(key, text, title, field=f"posts.{index}.text", title_field=f"posts.{index}.title")
        instant, local = _check_time(post.publish_at, zone, now, field=f"posts.{index}.publish_at")
        checked.append(_Checked(key, text, title, instant, local))
    return checked


async def _check_links(db: AsyncSession, owner: User, platforms: Sequence[str]) -> MetricoolConnection:
    """The creator's Metricool connection, once it is there and every platform is linked."""
    connection = await integrations.metricool_connection(db, owner)
    linked = await integrations.linked_platforms(db, owner)
    for platform in platforms:
        if platform not in linked:
            raise Conflict(
                N_("{platform} is not linked to RENUM. Link it in Settings → Integrations, then schedule again."),
                fields={"platform": N_("Link this platform first.")},
                platform=PLATFORMS[platform].name,
            )
    return connection


# -- sending ---------------------------------------------------------------------------------------------


def _network_options(post: ScheduledPost) -> dict[str, dict[str, object]]:
    """Each network's extras: Instagram posts a video as a Reel; YouTube needs the title."""
    network = PLATFORMS[post.platform].network
    if post.platform == "instagram":
        return {network: {"type": "REEL"}}
    if post.platform == "youtube":
        return {network: {"title": post.title or ""}}
    return {}


def _fail(post: ScheduledPost, failure: RenumError) -> None:
    post.status = PostStatus.FAILED
    post.error = failure.message[:500]
    post.error_code = failure.code[:40]
    log.warning(
        "publishing.post_failed",
        post_id=str(post.id),
        platform=post.platform,
        code=failure.code,
        user_id=str(post.owner_id),
    )


async def _send_one(
    metricool: MetricoolClient, connection: MetricoolConnection, post: ScheduledPost, media: str
) -> None:
    post.attempts += 1
    post.blog_id = connection.blog_id
    try:
        sent = await metricool.schedule_post(
            connection.blog_id,
            text=post.text,
            networks=[PLATFORMS[post.platform].network],
            date_time_local=datetime.strptime(post.local_time, LOCAL_FORMAT),
            timezone=post.timezone,
            media_urls=[media],
            network_options=_network_options(post),
        )
    except ServiceError as failure:
        _fail(post, failure)
        return
    post.status = PostStatus.SCHEDULED
    post.error = post.error_code = None
    post.metricool_post_id, post.metricool_uuid = sent.post_id, sent.uuid
    log.info("publishing.post_scheduled", post_id=str(post.id), platform=post.platform, metricool_id=sent.post_id)


async def _send(
    db: AsyncSession, outside: Outside, connection: MetricoolConnection, posts: Sequence[ScheduledPost], sign: Signer
) -> None:
    """Send each post on its own; media that Metricool cannot copy fails every post that needed it."""
    try:
        async with integrations.metricool_client_for(outside, connection) as metricool:
            copies: dict[str, str] = {}
            for post in posts:
                path = media_path(post)
                if path not in copies:
                    copies[path] = await metricool.normalize_media_url(sign(path), blog_id=connection.blog_id)
                await _send_one(metricool, connection, post, copies[path])
    except (ServiceError, SecretUnreadable) as failure:
        for post in posts:
            if post.status is PostStatus.SENDING:
                post.attempts += 1
                _fail(post, failure)
    await db.flush()


async def schedule_posts(
    db: AsyncSession,
    outside: Outside,
    owner: User,
    *,
    video_id: uuid.UUID,
    posts: Sequence[PlannedPost],
    sign: Signer,
    render_id: uuid.UUID | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
) -> list[ScheduledPost]:
    """Schedule the video on each platform asked for; answers one post per platform, each with its status.

    Raises:
        NotFound: not the creator's video (or render).
        InvalidInput: a caption over its platform's limits, a time past or skipped by the clocks,
            an unknown platform or timezone; nothing is kept.
        NotConnected: Metricool is not connected; Conflict: a platform is not linked.
    """
    video = await postrapido.get_video(db, owner, video_id)
    render = await _render_to_post(db, owner, video, render_id)
    zone = _zone(timezone or owner.timezone)
    checked = _check_posts(posts, zone, now or utcnow())
    connection = await _check_links(db, owner, [post.platform for post in checked])

    rows = [
        ScheduledPost(
            owner_id=owner.id,
            video_id=video.id,
            render_id=render.id if render else None,
            platform=post.platform,
            title=post.title,
            text=post.text,
            publish_at=post.publish_at,
            local_time=post.local_time,
            timezone=zone.key,
            status=PostStatus.SENDING,
            attempts=0,
        )
        for post in checked
    ]
    db.add_all(rows)
    # Kept before Metricool hears of them: a crash while sending leaves posts marked "sending", not nothing.
    await db.commit()
    await _send(db, outside, connection, rows, sign)
    log.info(
        "publishing.scheduled",
        video_id=str(video.id),
        user_id=str(owner.id),
        scheduled=sum(row.status is PostStatus.SCHEDULED for row in rows),
        failed=sum(row.status is PostStatus.FAILED for row in rows),
    )
    return rows


async def retry_post(
    db: AsyncSession,
    outside: Outside,
    owner: User,
    post_id: uuid.UUID,
    *,
    sign: Signer,
    publish_at: str | None = None,
    now: datetime | None = None,
) -> ScheduledPost:
    """Send a failed post again, at its time or at a new one.

    Raises:
        Conflict: the post is not failed (already scheduled, or being sent).
        InvalidInput: its time has passed (give a new one) or the new one is refused.
    """
    post = await get_post(db, owner, post_id)
    if post.status is not PostStatus.FAILED:
        raise Conflict(N_("Only a post that failed can be sent again. This one is {status}."), status=post.status.value)
    zone = _zone(post.timezone)
    value = publish_at or post.local_time
    post.publish_at, post.local_time = _check_time(value, zone, now or utcnow(), field="publish_at")
    connection = await _check_links(db, owner, [post.platform])

    post.status = PostStatus.SENDING
    await db.commit()
    await _send(db, outside, connection, [post], sign)
    return post


# -- the creator's posts ---------------------------------------------------------------------------------


async def get_post(db: AsyncSession, owner: User, post_id: uuid.UUID) -> ScheduledPost:
    """The creator's scheduled post; another creator's is not found."""
    post = await db.scalar(select(ScheduledPost).where(ScheduledPost.id == post_id, ScheduledPost.owner_id == owner.id))
    if post is None:
        raise NotFound(N_("No scheduled post with this id. It may belong to another account or have been removed."))
    return post


async def video_posts(db: AsyncSession, owner: User, video_id: uuid.UUID) -> list[ScheduledPost]:
    """The posts scheduled from the creator's video, soonest first."""
    video = await postrapido.get_video(db, owner, video_id)
    rows = await db.scalars(
        select(ScheduledPost)
        .where(ScheduledPost.video_id == video.id)
        .order_by(ScheduledPost.publish_at, ScheduledPost.platform)
    )
    return list(rows)


async def upcoming_posts(
    db: AsyncSession, owner: User, *, limit: int, now: datetime | None = None
) -> list[ScheduledPost]:
    """The creator's posts waiting to go out (scheduled, still ahead), soonest first."""
    rows = await db.scalars(
        select(ScheduledPost)
        .where(
            ScheduledPost.owner_id == owner.id,
            ScheduledPost.status == PostStatus.SCHEDULED,
            ScheduledPost.publish_at >= (now or utcnow()),
        )
        .order_by(ScheduledPost.publish_at)
        .limit(limit)
    )
    return list(rows)
