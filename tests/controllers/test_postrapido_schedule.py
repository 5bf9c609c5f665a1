"""Scheduling a PostRápido video through the Metricool fake: one post per network, each with its own fate."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from renum.models import Render, ScheduledPost, Video
from tests.conftest import Creator
from tests.controllers.test_postrapido import contents, uploaded
from tests.fakes.integrations import METRICOOL_TOKEN, METRICOOL_USER, Fakes
from tests.media import clips

Client = httpx.AsyncClient
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
CAPTION = "Pão caseiro sem segredo: farinha, água e paciência. #pao #receita"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short recording to post."""
    return clips.speech_clip(tmp_path_factory.mktemp("schedule-clips") / "pao.mp4")


def next_week_at(hour: int, zone: ZoneInfo = SAO_PAULO) -> datetime:
    """A wall time a week from now at ``hour`` o'clock (naive, local to ``zone``)."""
    day = datetime.now(zone).date() + timedelta(days=7)
    return datetime(day.year, day.month, day.day, hour, 0)


async def connected(client: Client, creator: Creator, *platforms: str) -> None:
    """Connect the creator's Metricool (the brand with Instagram, TikTok and YouTube) and link ``platforms``."""
    body = {"user_token": METRICOOL_TOKEN, "user_id": METRICOOL_USER, "blog_id": 101}
    assert (await client.put("/api/integrations/metricool", json=body, headers=creator.headers)).status_code == 200
    for platform in platforms:
        linked = await client.post(
            "/api/integrations/social-accounts/connect", json={"platform": platform}, headers=creator.headers
        )
        assert linked.status_code == 200, linked.text


def post(platform: str, when: datetime | str, text: str = CAPTION, **extra: Any) -> dict[str, Any]:
    moment = when if isinstance(when, str) else when.strftime("%Y-%m-%dT%H:%M")
    return {"platform": platform, "text": text, "publish_at": moment, **extra}


async def schedule(
    client: Client, creator: Creator, video_id: str, *posts: dict[str, Any], **extra: Any
) -> httpx.Response:
    body = {"video_id": video_id, "posts": list(posts), **extra}
    return await client.post("/api/postrapido/schedule", json=body, headers=creator.headers)


async def post_count(app: Litestar) -> int:
    async with app.state.session_factory() as db:
        return int(await db.scalar(select(func.count()).select_from(ScheduledPost)) or 0)


async def test_a_video_is_scheduled_on_two_networks_at_the_creators_local_time(
    fakes: Fakes, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    await connected(client, creator, "instagram", "tiktok")
    video = await uploaded(client, creator, clip)
    when = next_week_at(18)

    response = await schedule(client, creator, video["id"], post("instagram", when), post("tiktok", when))

    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["scheduled"], answer["failed"]) == (2, 0)
    assert [p["status"] for p in answer["posts"]] == ["scheduled", "scheduled"]
    # 18:00 in São Paulo (UTC−3) is 21:00 UTC.
    instant = when.replace(tzinfo=SAO_PAULO).astimezone(UTC)
    assert {datetime.fromisoformat(p["publish_at"]) for p in answer["posts"]} == {instant}
    assert instant.hour == 21

    sent = fakes.metricool.state.calls("POST", "/v2/scheduler/posts")
    assert [call.body["providers"] for call in sent] == [[{"network": "instagram"}], [{"network": "tiktok"}]]
    assert all(call.query["blogId"] == "101" for call in sent)
    assert sent[0].body["publicationDate"] == {
        "dateTime": when.strftime("%Y-%m-%dT%H:%M:%S"),
        "timezone": "America/Sao_Paulo",
    }
    assert sent[0].body["text"] == CAPTION
    assert sent[0].body["instagramData"] == {"type": "REEL"}
    [normalized] = {url for call in sent for url in call.body["media"]}
    assert normalized.startswith("https://static.metricool.com/normalized/")
    assert {p["metricool_post_id"] for p in answer["posts"]} == set(fakes.metricool.state.posts)

    # Metricool copied the video from a signed link under RENUM_BASE_URL, which serves the file to anyone.
    [asked] = fakes.metricool.state.calls("GET", "/actions/normalize/image/url")
    link = urlsplit(asked.query["url"])
    assert asked.query["url"].startswith(app.state.settings.app.base_url)
    assert link.path == f"/api/postrapido/shared/videos/{video['id']}"
    fetched = await client.get(f"{link.path}?{link.query}")
    assert fetched.status_code == 200
    assert fetched.content == contents(clip)


async def test_the_old_schedule_path_works_and_is_marked_deprecated(
    fakes: Fakes, client: Client, creator: Creator, clip: Path
) -> None:
    await connected(client, creator, "youtube")
    video = await uploaded(client, creator, clip)

    response = await client.post(
        "/api/modules/2/schedule",
        json={"video_id": video["id"], "posts": [post("youtube", next_week_at(9), title="Pão em 3 passos")]},
        headers=creator.headers,
    )

    assert response.status_code == 201, response.text
    assert response.headers["Deprecation"] == "true"
    [sent] = fakes.metricool.state.calls("POST", "/v2/scheduler/posts")
    assert sent.body["youtubeData"] == {"title": "Pão em 3 passos"}


async def test_one_network_failing_is_shown_on_its_post_and_does_not_hide_the_other(
    fakes: Fakes, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    await connected(client, creator, "instagram", "tiktok")
    video = await uploaded(client, creator, clip)
    brand = fakes.metricool.state.brands[0]
    brand["tiktok"] = None  # disconnected at Metricool after the creator linked it in RENUM

    response = await schedule(
        client, creator, video["id"], post("instagram", next_week_at(18)), post("tiktok", next_week_at(19))
    )

    assert response.status_code == 207, response.text
    answer = response.json()
    assert (answer["scheduled"], answer["failed"]) == (1, 1)
    posts = {p["platform"]: p for p in answer["posts"]}
    assert posts["instagram"]["status"] == "scheduled" and posts["instagram"]["error"] is None
    assert posts["tiktok"]["status"] == "failed"
    assert posts["tiktok"]["error_code"] == "bad_request"
    assert "Metricool" in posts["tiktok"]["error"]
    listed = (await client.get(f"/api/postrapido/videos/{video['id']}/posts", headers=creator.headers)).json()
    assert {p["platform"]: p["status"] for p in listed["posts"]} == {"instagram": "scheduled", "tiktok": "failed"}

    # Reconnected at Metricool, the failed post is sent again on its own.
    brand["tiktok"] = "anacria"
    retried = await client.post(f"/api/postrapido/posts/{posts['tiktok']['id']}/retry", headers=creator.headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "scheduled" and retried.json()["attempts"] == 2
    assert len(fakes.metricool.state.posts) == 2
    again = await client.post(f"/api/postrapido/posts/{posts['instagram']['id']}/retry", headers=creator.headers)
    assert again.status_code == 409


async def test_metricool_down_fails_every_post_visibly_and_they_can_be_sent_later(
    fakes: Fakes, client: Client, creator: Creator, clip: Path
) -> None:
    await connected(client, creator, "instagram", "youtube")
    video = await uploaded(client, creator, clip)
    fakes.metricool.state.fail("server_error")

    response = await schedule(
        client,
        creator,
        video["id"],
        post("instagram", next_week_at(18)),
        post("youtube", next_week_at(18), title="Pão"),
    )

    assert response.status_code == 207, response.text
    assert [p["status"] for p in response.json()["posts"]] == ["failed", "failed"]
    assert all(p["error_code"] == "service_error" and "Metricool" in p["error"] for p in response.json()["posts"])
    assert fakes.metricool.state.posts == {}

    fakes.metricool.state.mode = None
    for failed in response.json()["posts"]:
        retried = await client.post(f"/api/postrapido/posts/{failed['id']}/retry", headers=creator.headers)
        assert retried.json()["status"] == "scheduled"


async def test_the_latest_render_is_what_gets_posted(
    fakes: Fakes, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    await connected(client, creator, "instagram")
    video = await uploaded(client, creator, clip)
    render_id = await finished_render(app, creator, video["id"])

    response = await schedule(client, creator, video["id"], post("instagram", next_week_at(18)))

    assert response.status_code == 201, response.text
    assert response.json()["posts"][0]["render_id"] == str(render_id)
    [asked] = fakes.metricool.state.calls("GET", "/actions/normalize/image/url")
    assert urlsplit(asked.query["url"]).path == f"/api/postrapido/shared/renders/{render_id}"


async def finished_render(app: Litestar, creator: Creator, video_id: str) -> uuid.UUID:
    """A render of the video marked finished, its output a copy of the original (as a render task leaves it)."""
    async with app.state.session_factory() as db:
        video = await db.get(Video, uuid.UUID(video_id))
        assert video is not None
        render = Render(video_id=video.id, owner_id=creator.id, options={}, duration_before=video.duration)
        db.add(render)
        await db.flush()
        render.storage_name = video.storage_name
        render.duration_after = video.duration
        await db.commit()
        return render.id


@pytest.mark.parametrize(
    ("posts", "extra", "status", "field"),
    [
        ([post("instagram", "2020-01-10T18:00")], {}, 422, "posts.0.publish_at"),
        ([post("instagram", "amanhã às 18h")], {}, 422, "posts.0.publish_at"),
        ([post("instagram", "next-week", text="")], {}, 422, "posts.0.text"),
        ([post("instagram", "next-week", text="🍞" * 1101)], {}, 422, "posts.0.text"),
        ([post("instagram", "next-week", text="oi " + "#a " * 6)], {}, 422, "posts.0.text"),
        ([post("instagram", "next-week"), post("instagram", "next-week")], {}, 422, "posts.1.platform"),
        ([post("orkut", "next-week")], {}, 422, "posts.0.platform"),
        ([], {}, 422, "posts"),
        ([post("instagram", "next-week")], {"timezone": "Mars/Olympus"}, 422, "timezone"),
        ([post("linkedin", "next-week")], {}, 409, "platform"),
        ([post("youtube", "next-week", title="x" * 101)], {}, 422, "posts.0.title"),
    ],
    ids=[
        "in-the-past",
        "not-a-time",
        "empty-caption",
        "caption-too-long",
        "too-many-hashtags",
        "platform-twice",
        "unknown-platform",
        "no-post",
        "unknown-timezone",
        "unlinked-platform",
        "title-too-long",
    ],
)
async def test_a_refused_schedule_says_why_and_keeps_nothing(
    fakes: Fakes,
    app: Litestar,
    client: Client,
    creator: Creator,
    clip: Path,
    posts: list[dict[str, Any]],
    extra: dict[str, Any],
    status: int,
    field: str,
) -> None:
    await connected(client, creator, "instagram", "youtube")
    video = await uploaded(client, creator, clip)
    when = next_week_at(18).strftime("%Y-%m-%dT%H:%M")
    asked = [{**p, "publish_at": when if p["publish_at"] == "next-week" else p["publish_at"]} for p in posts]

    response = await schedule(client, creator, video["id"], *asked, **extra)

    assert response.status_code == status, response.text
    assert response.json()["message"]
    assert field in response.json().get("fields", {}), response.json()
    # Every message is filled in: no "{platform}" or "{minutes}" left for the creator to read.
    assert "{" not in response.json()["message"] + "".join(response.json()["fields"].values())
    assert await post_count(app) == 0
    assert fakes.metricool.state.calls("POST", "/v2/scheduler/posts") == []


async def test_scheduling_without_metricool_says_where_to_connect_it(
    app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    video = await uploaded(client, creator, clip)

    response = await schedule(client, creator, video["id"], post("instagram", next_week_at(18)))

    assert response.status_code == 409
    assert response.json()["code"] == "not_connected"
    assert "Metricool" in response.json()["message"]
    assert await post_count(app) == 0


async def test_a_time_the_clocks_skip_is_refused(fakes: Fakes, client: Client, creator: Creator, clip: Path) -> None:
    await connected(client, creator, "instagram")
    video = await uploaded(client, creator, clip)
    year = datetime.now(UTC).year + 1
    # In New York the clocks jump from 02:00 to 03:00 on the second Sunday of March.
    march = [datetime(year, 3, day) for day in range(8, 15)]
    sunday = next(day for day in march if day.weekday() == 6)

    response = await schedule(
        client,
        creator,
        video["id"],
        post("instagram", sunday.replace(hour=2, minute=30)),
        timezone="America/New_York",
    )

    assert response.status_code == 422
    assert "America/New_York" in response.json()["fields"]["posts.0.publish_at"]


async def test_another_creators_posts_and_videos_are_not_found(
    fakes: Fakes, client: Client, creator: Creator, other_creator: Creator, clip: Path
) -> None:
    await connected(client, creator, "instagram")
    await connected(client, other_creator, "instagram")
    video = await uploaded(client, creator, clip)
    fakes.metricool.state.brands[0]["instagram"] = None
    [failed] = (await schedule(client, creator, video["id"], post("instagram", next_week_at(18)))).json()["posts"]
    theirs = other_creator.headers

    answers = [
        await schedule(client, other_creator, video["id"], post("instagram", next_week_at(18))),
        await client.get(f"/api/postrapido/videos/{video['id']}/posts", headers=theirs),
        await client.get(f"/api/postrapido/posts/{failed['id']}", headers=theirs),
        await client.post(f"/api/postrapido/posts/{failed['id']}/retry", headers=theirs),
    ]

    assert [answer.status_code for answer in answers] == [404] * 4
    mine = await client.get(f"/api/postrapido/posts/{failed['id']}", headers=creator.headers)
    assert mine.json()["status"] == "failed"


async def test_the_page_resumes_with_the_captions_and_the_posts(
    fakes: Fakes, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    await connected(client, creator, "instagram")
    video = await uploaded(client, creator, clip)
    await schedule(client, creator, video["id"], post("instagram", next_week_at(18)))

    page = await client.get(f"/postrapido?video={video['id']}", headers=creator.headers)

    assert page.status_code == 200
    assert 'data-testid="post-instagram"' in page.text
    assert 'data-status="scheduled"' in page.text
    assert 'data-testid="when-instagram"' in page.text
    assert "America/Sao_Paulo" in page.text
