"""MetricoolClient against the fake Metricool over HTTP: brands, the post planner, media and best times."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from structlog.testing import capture_logs

from renum.clients.http import BadRequest, InvalidKey, RateLimited, ServiceError, ServiceUnavailable
from renum.clients.metricool import MetricoolClient, parse_brand
from tests.clients.conftest import FAST, METRICOOL_TOKEN, METRICOOL_USER_ID
from tests.fakes.metricool import FailureMode, FakeMetricool

POSTS = "/v2/scheduler/posts"
ANA = 101  # brand with Instagram, TikTok and YouTube connected
SAO_PAULO = "America/Sao_Paulo"


async def schedule(metricool: MetricoolClient, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "text": "3 dicas de edição que ninguém te conta #edicao",
        "networks": ["instagram", "tiktok"],
        "date_time_local": datetime(2026, 7, 8, 10, 0),
        "timezone": SAO_PAULO,
        "media_urls": ["https://static.metricool.com/normalized/abc/video.mp4"],
        **overrides,
    }
    return await metricool.schedule_post(ANA, **fields)


# --- brands ---------------------------------------------------------------------------------------


async def test_creator_sees_each_brand_with_its_connected_networks(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    brands = await metricool.list_brands()

    assert [(brand.blog_id, brand.name, brand.timezone) for brand in brands] == [
        (101, "Canal da Ana", "America/Sao_Paulo"),
        (202, "Receitas Rápidas", "Europe/Lisbon"),
    ]
    assert brands[0].networks == ("instagram", "tiktok", "youtube")
    assert brands[1].networks == ("facebook", "linkedin")

    [sent] = metricool_fake.state.calls("GET", "/v2/settings/brands")
    assert sent.headers["x-mc-auth"] == METRICOOL_TOKEN
    assert sent.query == {"userId": METRICOOL_USER_ID}


def test_brand_networks_are_also_read_from_a_networks_data_object() -> None:
    brand = parse_brand(
        {"blogId": "77", "title": "Loja", "networksData": {"instagramData": {"id": 1}, "tiktokData": None}}
    )

    assert (brand.blog_id, brand.name, brand.networks, brand.timezone) == (77, "Loja", ("instagram",), None)


# --- the planner ----------------------------------------------------------------------------------


async def test_scheduled_post_reaches_metricool_in_its_documented_shape(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    post = await schedule(
        metricool,
        first_comment="Link na bio!",
        network_options={"instagram": {"type": "REEL", "showReelOnFeed": True}},
    )

    assert post.post_id in metricool_fake.state.posts
    assert post.uuid
    assert post.networks == ("instagram", "tiktok")
    assert post.date_time_local == datetime(2026, 7, 8, 10, 0)
    assert post.network_statuses == {"instagram": "PENDING", "tiktok": "PENDING"}

    [sent] = metricool_fake.state.calls("POST", POSTS)
    assert sent.query == {"userId": METRICOOL_USER_ID, "blogId": str(ANA)}
    assert sent.body == {
        "text": "3 dicas de edição que ninguém te conta #edicao",
        "providers": [{"network": "instagram"}, {"network": "tiktok"}],
        "publicationDate": {"dateTime": "2026-07-08T10:00:00", "timezone": SAO_PAULO},
        "media": ["https://static.metricool.com/normalized/abc/video.mp4"],
        "autoPublish": True,
        "draft": False,
        "firstCommentText": "Link na bio!",
        "instagramData": {"type": "REEL", "showReelOnFeed": True},
    }


async def test_post_time_given_in_utc_is_scheduled_at_the_local_hour(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    await schedule(metricool, date_time_local=datetime(2026, 7, 8, 13, 0, tzinfo=UTC))

    [sent] = metricool_fake.state.calls("POST", POSTS)
    assert sent.body["publicationDate"] == {"dateTime": "2026-07-08T10:00:00", "timezone": SAO_PAULO}


async def test_post_on_a_network_the_brand_has_not_connected_is_refused_with_metricools_reason(
    metricool: MetricoolClient,
) -> None:
    with pytest.raises(BadRequest) as caught:
        await schedule(metricool, networks=["linkedin"])

    assert caught.value.detail == "The network linkedin is not connected to this brand"
    assert "linkedin" not in caught.value.message
    assert caught.value.status_code == 422


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"networks": []}, "no_network"),
        ({"timezone": "America/Sao Paulo"}, "invalid_timezone"),
        ({"text": " ", "media_urls": []}, "empty_post"),
    ],
    ids=["no-network", "unknown-timezone", "nothing-to-post"],
)
async def test_post_mistakes_are_caught_before_calling_metricool(
    metricool: MetricoolClient, metricool_fake: FakeMetricool, overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await schedule(metricool, **overrides)

    assert caught.value.code == code
    assert metricool_fake.state.calls() == []


async def test_rescheduled_post_shows_its_new_text_and_time(metricool: MetricoolClient) -> None:
    post = await schedule(metricool)

    updated = await metricool.update_post(
        ANA,
        post.post_id,
        post.uuid,
        text="Novo texto",
        networks=["instagram"],
        date_time_local=datetime(2026, 7, 9, 18, 30),
        timezone=SAO_PAULO,
    )
    listed = await metricool.list_posts(ANA, date(2026, 7, 9), date(2026, 7, 9), SAO_PAULO)

    assert (updated.post_id, updated.uuid) == (post.post_id, post.uuid)
    assert [(p.text, p.networks, p.date_time_local) for p in listed] == [
        ("Novo texto", ("instagram",), datetime(2026, 7, 9, 18, 30))
    ]


async def test_updating_a_post_sends_its_id_and_uuid(metricool: MetricoolClient, metricool_fake: FakeMetricool) -> None:
    post = await schedule(metricool)

    await metricool.update_post(
        ANA,
        post.post_id,
        post.uuid,
        text="x",
        networks=["tiktok"],
        date_time_local=datetime(2026, 7, 8),
        timezone=SAO_PAULO,
    )

    [sent] = metricool_fake.state.calls("PUT", f"{POSTS}/{post.post_id}")
    assert (sent.body["id"], sent.body["uuid"]) == (post.post_id, post.uuid)


async def test_calendar_lists_only_the_posts_in_the_chosen_days(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    early = await schedule(metricool, date_time_local=datetime(2026, 7, 8, 0, 0))
    late = await schedule(metricool, date_time_local=datetime(2026, 7, 8, 23, 59))
    await schedule(metricool, date_time_local=datetime(2026, 7, 9, 0, 0))

    listed = await metricool.list_posts(ANA, date(2026, 7, 8), date(2026, 7, 8), SAO_PAULO)

    assert [post.post_id for post in listed] == [early.post_id, late.post_id]
    sent = metricool_fake.state.calls("GET", POSTS)[-1]
    assert sent.query["start"] == "2026-07-08T00:00:00"
    assert sent.query["end"] == "2026-07-08T23:59:59"
    assert sent.query["timezone"] == SAO_PAULO


async def test_deleted_post_leaves_the_calendar(metricool: MetricoolClient) -> None:
    post = await schedule(metricool)

    assert await metricool.delete_post(ANA, post.post_id) is True
    assert await metricool.list_posts(ANA, date(2026, 7, 1), date(2026, 7, 31), SAO_PAULO) == []


async def test_deleting_a_post_already_gone_is_not_an_error(metricool: MetricoolClient) -> None:
    post = await schedule(metricool)
    await metricool.delete_post(ANA, post.post_id)

    assert await metricool.delete_post(ANA, post.post_id) is False


async def test_brand_the_token_does_not_reach_is_not_found(metricool: MetricoolClient) -> None:
    with pytest.raises(BadRequest) as caught:
        await metricool.list_posts(999, date(2026, 7, 1), date(2026, 7, 31), SAO_PAULO)

    assert caught.value.code == "not_found"


# --- media and best times -------------------------------------------------------------------------


async def test_media_is_copied_to_metricool_storage_before_scheduling(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    source = "https://renum.example/media/abc/final.mp4?token=t"

    normalized = await metricool.normalize_media_url(source, blog_id=ANA)

    assert normalized.startswith("https://static.metricool.com/") and normalized.endswith("/final.mp4")
    assert metricool_fake.state.normalized[normalized] == source
    [sent] = metricool_fake.state.calls("GET", "/actions/normalize/image/url")
    assert sent.query == {"userId": METRICOOL_USER_ID, "blogId": str(ANA), "url": source}


async def test_best_times_grid_puts_each_score_on_its_weekday_and_hour(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    metricool_fake.state.set_best_time(ANA, "instagram", day_of_week=2, hour=18, value=9.5)  # Monday
    metricool_fake.state.set_best_time(ANA, "instagram", day_of_week=1, hour=9, value=4.0)  # Sunday

    best = await metricool.best_times(ANA, "instagram", date(2026, 6, 1), date(2026, 6, 30), SAO_PAULO)

    assert len(best.scores) == 7 and all(len(day) == 24 for day in best.scores)
    assert best.scores[date(2026, 6, 1).weekday()][18] == 9.5  # 1 June 2026 is a Monday
    assert best.scores[6][9] == 4.0
    assert sum(map(sum, best.scores)) == 13.5
    assert best.has_history


async def test_best_times_without_history_say_so(metricool: MetricoolClient) -> None:
    best = await metricool.best_times(ANA, "tiktok", date(2026, 6, 1), date(2026, 6, 30), SAO_PAULO)

    assert not best.has_history


# --- failures -------------------------------------------------------------------------------------


async def test_refused_token_tells_the_creator_to_paste_a_new_one(
    metricool_fake: FakeMetricool, metricool_url: str
) -> None:
    async with MetricoolClient("mc-regenerated-old", METRICOOL_USER_ID, base_url=metricool_url, **FAST) as client:
        with pytest.raises(InvalidKey) as caught:
            await client.list_brands()

    assert caught.value.status_code == 400
    assert "Advanced or Custom" in caught.value.message
    assert len(metricool_fake.state.calls()) == 1


async def test_missing_user_id_says_where_to_add_it(metricool_url: str) -> None:
    with pytest.raises(InvalidKey) as caught:
        MetricoolClient(METRICOOL_TOKEN, " ", base_url=metricool_url, timeout=1)

    assert caught.value.code == "missing_key"


async def test_busy_metricool_is_waited_for_as_it_asks_then_answers(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    metricool_fake.state.fail("rate_limited", times=1, retry_after=1)

    started = time.monotonic()
    brands = await metricool.list_brands()

    assert brands
    assert time.monotonic() - started >= 0.9


async def test_metricool_still_busy_after_retries_says_to_wait(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    metricool_fake.state.fail("rate_limited", retry_after=0)

    with pytest.raises(RateLimited) as caught:
        await metricool.list_brands()

    assert caught.value.status_code == 429
    assert len(metricool_fake.state.calls()) == 1 + FAST["retries"]


async def test_metricool_server_error_is_retried_then_reported_as_unavailable(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    metricool_fake.state.fail("server_error")

    with pytest.raises(ServiceUnavailable) as caught:
        await metricool.list_posts(ANA, date(2026, 7, 1), date(2026, 7, 31), SAO_PAULO)

    assert caught.value.detail == "Unexpected error"
    assert len(metricool_fake.state.calls()) == 1 + FAST["retries"]


async def test_post_is_not_scheduled_twice_when_metricool_fails(
    metricool: MetricoolClient, metricool_fake: FakeMetricool
) -> None:
    metricool_fake.state.fail("server_error", times=1)

    with pytest.raises(ServiceUnavailable):
        await schedule(metricool)

    assert len(metricool_fake.state.calls("POST", POSTS)) == 1


async def test_one_slow_metricool_answer_goes_unnoticed(metricool_fake: FakeMetricool, metricool_url: str) -> None:
    metricool_fake.state.fail("timeout", times=1, delay=0.6)

    async with MetricoolClient(
        METRICOOL_TOKEN, METRICOOL_USER_ID, base_url=metricool_url, timeout=0.2, retries=1, backoff=0.001
    ) as client:
        brands = await client.list_brands()

    assert len(brands) == 2


async def test_metricool_too_slow_to_answer_is_reported_as_unavailable(
    metricool_fake: FakeMetricool, metricool_url: str
) -> None:
    metricool_fake.state.fail("timeout", delay=0.6)

    async with MetricoolClient(
        METRICOOL_TOKEN, METRICOOL_USER_ID, base_url=metricool_url, timeout=0.2, retries=1, backoff=0.001
    ) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            await client.list_brands()

    assert caught.value.code == "timeout"


async def test_the_token_never_appears_in_errors_or_logs(metricool_fake: FakeMetricool, metricool_url: str) -> None:
    modes: tuple[FailureMode, ...] = ("invalid_key", "rate_limited", "server_error", "timeout")
    errors: list[ServiceError] = []
    with capture_logs() as logs:
        async with MetricoolClient(
            METRICOOL_TOKEN, METRICOOL_USER_ID, base_url=metricool_url, timeout=0.2, retries=1, backoff=0.001
        ) as client:
            for mode in modes:
                metricool_fake.state.fail(mode, retry_after=0, delay=0.4)
                with pytest.raises(ServiceError) as caught:
                    await client.list_brands()
                errors.append(caught.value)
            metricool_fake.state.mode = None
            with pytest.raises(BadRequest) as caught:
                await schedule(client, networks=["linkedin"])
            errors.append(caught.value)

    assert {type(error) for error in errors} == {InvalidKey, RateLimited, ServiceUnavailable, BadRequest}
    for error in errors:
        assert METRICOOL_TOKEN not in f"{error} {error!r} {error.message} {error.detail} {error.args}"
    assert logs, "failures should be logged"
    assert METRICOOL_TOKEN not in repr(logs)
