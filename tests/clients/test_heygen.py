"""HeyGenClient against the fake HeyGen over HTTP: what a creator sees of credits, avatars and renders."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from structlog.testing import capture_logs

from renum.clients.heygen import (
    HeyGenClient,
    VideoScene,
    normalize_status,
    parse_webhook_event,
    verify_webhook_signature,
)
from renum.clients.http import (
    BadRequest,
    InvalidKey,
    OutOfCredits,
    RateLimited,
    ServiceError,
    ServiceUnavailable,
)
from tests.clients.conftest import FAST, HEYGEN_KEY
from tests.fakes.heygen import GENERATE_PATH, FailureMode, FakeHeyGen

DAISY = "Daisy-inskirt-20220818"
FRANCISCA = "pt-br-francisca-1a2b"


def scene(text: str = "Oi, gente! Hoje vou mostrar três dicas de edição.", **overrides: Any) -> VideoScene:
    fields: dict[str, Any] = {"avatar_id": DAISY, "voice_id": FRANCISCA, "input_text": text, **overrides}
    return VideoScene(**fields)


# --- credits, avatars, voices ---------------------------------------------------------------------


async def test_creator_sees_remaining_credits(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.remaining_quota = 1800

    quota = await heygen.remaining_quota()

    assert quota.remaining_quota == 1800
    assert quota.credits == 30
    assert heygen_fake.state.calls()[0].headers["x-api-key"] == HEYGEN_KEY


async def test_avatar_picker_lists_studio_and_photo_avatars(heygen: HeyGenClient) -> None:
    avatars = await heygen.list_avatars()

    by_id = {avatar.avatar_id: avatar for avatar in avatars}
    assert by_id[DAISY].name == "Daisy"
    assert by_id[DAISY].preview_video_url == "https://files.heygen.ai/avatar/daisy.mp4"
    assert by_id[DAISY].premium is False
    assert by_id["Tyler-incasualsuit-20220721"].premium is True
    assert by_id["tp-ana-7f3c"].kind == "talking_photo"
    assert by_id["tp-ana-7f3c"].name == "Ana (foto)"


async def test_voice_picker_lists_voices_with_language_and_sample(heygen: HeyGenClient) -> None:
    voices = await heygen.list_voices()

    francisca = next(voice for voice in voices if voice.voice_id == FRANCISCA)
    assert (francisca.name, francisca.language, francisca.gender) == ("Francisca", "Portuguese", "female")
    assert francisca.preview_audio == "https://files.heygen.ai/voice/francisca.mp3"
    assert francisca.support_pause is True


# --- renders --------------------------------------------------------------------------------------


async def test_render_request_reaches_heygen_in_its_documented_shape(
    heygen: HeyGenClient, heygen_fake: FakeHeyGen
) -> None:
    video_id = await heygen.generate_video(
        scene(avatar_style="closeUp"),
        width=1080,
        height=1920,
        caption=True,
        title="Três dicas",
        callback_id="task-42",
    )

    assert video_id in heygen_fake.state.videos
    [sent] = heygen_fake.state.calls("POST", GENERATE_PATH)
    assert sent.body == {
        "video_inputs": [
            {
                "character": {"type": "avatar", "avatar_id": DAISY, "avatar_style": "closeUp"},
                "voice": {
                    "type": "text",
                    "input_text": "Oi, gente! Hoje vou mostrar três dicas de edição.",
                    "voice_id": FRANCISCA,
                },
            }
        ],
        "caption": True,
        "dimension": {"width": 1080, "height": 1920},
        "title": "Três dicas",
        "callback_id": "task-42",
    }


async def test_photo_avatar_render_uses_talking_photo_character(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    await heygen.generate_video(
        VideoScene(talking_photo_id="tp-ana-7f3c", voice_id=FRANCISCA, input_text="Oi!", speed=1.1)
    )

    [sent] = heygen_fake.state.calls("POST", GENERATE_PATH)
    [video_input] = sent.body["video_inputs"]
    assert video_input["character"] == {"type": "talking_photo", "talking_photo_id": "tp-ana-7f3c"}
    assert video_input["voice"]["speed"] == 1.1


async def test_render_progresses_from_pending_to_a_downloadable_video(heygen: HeyGenClient) -> None:
    video_id = await heygen.generate_video(scene(), callback_id="task-7")

    first = await heygen.video_status(video_id)
    second = await heygen.video_status(video_id)
    third = await heygen.video_status(video_id)

    assert [first.status, second.status, third.status] == ["pending", "processing", "completed"]
    assert not first.finished and third.finished
    assert first.video_url is None
    assert third.video_url is not None and video_id in third.video_url
    assert third.thumbnail_url is not None
    assert third.duration is not None and third.duration > 0
    assert third.callback_id == "task-7"


async def test_each_status_check_gives_fresh_download_links(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    video_id = await heygen.generate_video(scene())
    heygen_fake.state.finish(video_id)

    first = await heygen.video_status(video_id)
    second = await heygen.video_status(video_id)

    assert first.video_url != second.video_url


async def test_unknown_render_status_counts_as_still_rendering(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.status_sequence = ["waiting", "rendering_queue", "completed"]
    video_id = await heygen.generate_video(scene())

    waiting = await heygen.video_status(video_id)
    queued = await heygen.video_status(video_id)

    assert (waiting.status, waiting.service_status) == ("pending", "waiting")
    assert (queued.status, queued.service_status) == ("processing", "rendering_queue")
    assert not queued.finished


def test_status_names_are_normalised_whatever_their_case() -> None:
    assert normalize_status("Completed") == "completed"
    assert normalize_status("FAILED") == "failed"
    assert normalize_status("something_new") == "processing"


async def test_failed_render_reports_heygen_reason_separately(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.status_sequence = ["pending", "failed"]
    video_id = await heygen.generate_video(scene())

    await heygen.video_status(video_id)
    failed = await heygen.video_status(video_id)

    assert failed.status == "failed" and failed.finished
    assert failed.error_detail == "Video render failed — Avatar error"


async def test_checking_a_video_heygen_does_not_know_is_a_not_found_error(heygen: HeyGenClient) -> None:
    with pytest.raises(BadRequest) as caught:
        await heygen.video_status("0000deadbeef")

    assert caught.value.code == "not_found"


# --- checks before calling ------------------------------------------------------------------------


async def test_script_of_5000_characters_is_refused_before_calling_heygen(
    heygen: HeyGenClient, heygen_fake: FakeHeyGen
) -> None:
    with pytest.raises(BadRequest) as caught:
        await heygen.generate_video(scene("a" * 5000))

    assert caught.value.code == "script_too_long"
    assert caught.value.status_code == 422
    assert "5,000" in caught.value.message
    assert heygen_fake.state.calls() == []


async def test_script_just_under_the_limit_is_accepted(heygen: HeyGenClient) -> None:
    assert await heygen.generate_video(scene("a" * 4999))


async def test_empty_script_is_refused_before_calling_heygen(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    with pytest.raises(BadRequest) as caught:
        await heygen.generate_video(scene("   "))

    assert caught.value.code == "script_empty"
    assert heygen_fake.state.calls() == []


@pytest.mark.parametrize(
    ("width", "height"),
    [(128, 720), (1280, 4096), (1280, None), (0, 0)],
    ids=["width-at-lower-bound", "height-at-upper-bound", "height-missing", "zero"],
)
async def test_video_size_out_of_bounds_is_refused_before_calling_heygen(
    heygen: HeyGenClient, heygen_fake: FakeHeyGen, width: int, height: int | None
) -> None:
    with pytest.raises(BadRequest) as caught:
        await heygen.generate_video(scene(), width=width, height=height)

    assert caught.value.code == "invalid_dimension"
    assert heygen_fake.state.calls() == []


async def test_video_size_just_inside_the_bounds_is_accepted(heygen: HeyGenClient) -> None:
    assert await heygen.generate_video(scene(), width=129, height=4095)


async def test_scene_needs_exactly_one_avatar(heygen: HeyGenClient) -> None:
    with pytest.raises(BadRequest) as caught:
        await heygen.generate_video(scene(talking_photo_id="tp-ana-7f3c"))

    assert caught.value.code == "invalid_character"


async def test_video_with_no_scenes_or_too_many_is_refused(heygen: HeyGenClient) -> None:
    with pytest.raises(BadRequest):
        await heygen.generate_video([])
    with pytest.raises(BadRequest):
        await heygen.generate_video([scene()] * 51)


async def test_avatar_heygen_does_not_know_gives_our_message_and_keeps_heygens_detail(
    heygen: HeyGenClient,
) -> None:
    with pytest.raises(BadRequest) as caught:
        await heygen.generate_video(scene(avatar_id="Nobody-2020"))

    error = caught.value
    assert error.service_code == "avatar_not_found"
    assert error.detail == "Avatar not found"
    assert "Avatar not found" not in error.message
    assert "HeyGen" in error.message


# --- webhooks -------------------------------------------------------------------------------------


async def test_webhook_registration_returns_the_signing_secret(
    heygen: HeyGenClient, heygen_fake: FakeHeyGen, heygen_url: str
) -> None:
    endpoint = await heygen.add_webhook(f"{heygen_url}/_fake/webhook")

    assert endpoint.secret == heygen_fake.state.webhooks[endpoint.endpoint_id].secret
    assert endpoint.events == ("avatar_video.success", "avatar_video.fail")
    assert endpoint.secret not in repr(endpoint)
    [sent] = heygen_fake.state.calls("POST", "/v1/webhook/endpoint.add")
    assert sent.body == {"url": f"{heygen_url}/_fake/webhook", "events": list(endpoint.events)}


async def test_webhook_url_that_does_not_answer_heygens_probe_is_refused(heygen: HeyGenClient) -> None:
    with pytest.raises(BadRequest) as caught:
        await heygen.add_webhook("http://127.0.0.1:9/webhooks/heygen")

    assert caught.value.detail == "The webhook URL did not answer OPTIONS"


async def test_finished_render_webhook_is_verified_and_read(
    heygen: HeyGenClient, heygen_fake: FakeHeyGen, heygen_url: str
) -> None:
    endpoint = await heygen.add_webhook(f"{heygen_url}/_fake/webhook")
    video_id = await heygen.generate_video(scene(), callback_id="task-9")
    heygen_fake.state.finish(video_id)

    body, headers = heygen_fake.webhook_delivery(video_id)

    assert verify_webhook_signature(endpoint.secret, body, headers["Signature"])
    event = parse_webhook_event(body)
    assert event.succeeded
    assert (event.video_id, event.callback_id) == (video_id, "task-9")
    assert event.video_url is not None


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_webhook_signed_with_the_secret_is_accepted() -> None:
    body = b'{"event_type":"avatar_video.success","event_data":{"video_id":"v1"}}'

    assert verify_webhook_signature("s3cret", body, sign("s3cret", body))
    assert verify_webhook_signature("s3cret", body, sign("s3cret", body).upper())


@pytest.mark.parametrize(
    "signature",
    ["", None, "not-hex", sign("other-secret", b"{}"), "é" * 64],
    ids=["empty", "missing", "garbage", "other-secret", "non-ascii"],
)
def test_webhook_with_a_wrong_or_missing_signature_is_rejected(signature: str | None) -> None:
    assert not verify_webhook_signature("s3cret", b"{}", signature)


def test_webhook_body_changed_after_signing_is_rejected() -> None:
    body = b'{"event_type":"avatar_video.success","event_data":{"video_id":"v1"}}'
    signature = sign("s3cret", body)

    assert not verify_webhook_signature("s3cret", body.replace(b"v1", b"v2"), signature)
    assert not verify_webhook_signature("", body, signature)


def test_webhook_events_are_read_in_both_spellings() -> None:
    old = parse_webhook_event(
        json.dumps(
            {
                "event_type": "avatar_video.fail",
                "event_data": {"video_id": "v1", "msg": "No voice", "callback_id": "c"},
            }
        ).encode()
    )
    new = parse_webhook_event(
        json.dumps(
            {
                "event_type": "avatar_video.success",
                "event_id": "evt-1",
                "created_at": 1767225600,
                "event_data": {"video_id": "v2", "video_url": "https://x/v2.mp4"},
            }
        ).encode()
    )

    assert (old.succeeded, old.message, old.callback_id) == (False, "No voice", "c")
    assert (new.succeeded, new.video_url, new.event_id) == (True, "https://x/v2.mp4", "evt-1")


def test_unreadable_webhook_body_is_a_bad_request() -> None:
    with pytest.raises(BadRequest) as caught:
        parse_webhook_event(b"<html>")

    assert caught.value.status_code == 400


# --- failures -------------------------------------------------------------------------------------


async def test_refused_key_tells_the_creator_to_paste_a_new_one(heygen_fake: FakeHeyGen, heygen_url: str) -> None:
    async with HeyGenClient("hg-revoked-key", base_url=heygen_url, **FAST) as heygen:
        with pytest.raises(InvalidKey) as caught:
            await heygen.list_voices()

    assert caught.value.status_code == 400
    assert "Integrations" in caught.value.message
    assert len(heygen_fake.state.calls()) == 1  # a refused key is not worth a retry


async def test_refused_key_in_heygens_older_error_shape_is_recognised(heygen: HeyGenClient, heygen_url: str) -> None:
    video_id = await heygen.generate_video(scene())

    async with HeyGenClient("hg-revoked-key", base_url=heygen_url, **FAST) as revoked:
        with pytest.raises(InvalidKey) as caught:
            await revoked.video_status(video_id)

    assert caught.value.service_code == "40009"


async def test_no_saved_key_says_where_to_add_one(heygen_url: str) -> None:
    with pytest.raises(InvalidKey) as caught:
        HeyGenClient("", base_url=heygen_url, timeout=1)

    assert caught.value.code == "missing_key"
    assert "Integrations" in caught.value.message


async def test_out_of_credits_tells_the_creator_to_add_credits(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.fail("no_credits")

    with pytest.raises(OutOfCredits) as caught:
        await heygen.generate_video(scene())

    assert caught.value.status_code == 402
    assert caught.value.service_code == "insufficient_credit"
    assert "credits" in caught.value.message


async def test_render_is_refused_once_the_quota_runs_out(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.remaining_quota = 60

    await heygen.generate_video(scene())
    with pytest.raises(OutOfCredits):
        await heygen.generate_video(scene())

    assert (await heygen.remaining_quota()).credits == 0


async def test_busy_heygen_is_waited_for_as_it_asks_then_answers(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.fail("rate_limited", times=1, retry_after=1)

    started = time.monotonic()
    voices = await heygen.list_voices()

    assert voices
    assert time.monotonic() - started >= 0.9
    assert len(heygen_fake.state.calls("GET", "/v2/voices")) == 2


async def test_heygen_still_busy_after_retries_says_to_wait(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.fail("rate_limited", retry_after=0)

    with pytest.raises(RateLimited) as caught:
        await heygen.list_avatars()

    assert caught.value.status_code == 429
    assert caught.value.retry_after == 0
    assert len(heygen_fake.state.calls()) == 1 + FAST["retries"]


async def test_heygen_asking_for_a_long_pause_is_reported_at_once(
    heygen: HeyGenClient, heygen_fake: FakeHeyGen
) -> None:
    heygen_fake.state.fail("rate_limited", retry_after=60)

    with pytest.raises(RateLimited) as caught:
        await heygen.list_avatars()

    assert caught.value.retry_after == 60
    assert len(heygen_fake.state.calls()) == 1


async def test_heygen_server_error_is_retried_then_reported_as_unavailable(
    heygen: HeyGenClient, heygen_fake: FakeHeyGen
) -> None:
    heygen_fake.state.fail("server_error")

    with pytest.raises(ServiceUnavailable) as caught:
        await heygen.remaining_quota()

    assert caught.value.status_code == 503
    assert len(heygen_fake.state.calls()) == 1 + FAST["retries"]


async def test_one_heygen_server_error_goes_unnoticed(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.fail("server_error", times=1)

    assert (await heygen.remaining_quota()).remaining_quota == 600


async def test_render_request_is_not_sent_twice_when_heygen_fails(
    heygen: HeyGenClient, heygen_fake: FakeHeyGen
) -> None:
    heygen_fake.state.fail("server_error", times=1)

    with pytest.raises(ServiceUnavailable):
        await heygen.generate_video(scene())

    assert len(heygen_fake.state.calls("POST", GENERATE_PATH)) == 1


async def test_render_request_is_sent_again_after_a_rate_limit(heygen: HeyGenClient, heygen_fake: FakeHeyGen) -> None:
    heygen_fake.state.fail("rate_limited", times=1, retry_after=0)

    assert await heygen.generate_video(scene())
    assert len(heygen_fake.state.calls("POST", GENERATE_PATH)) == 2


async def test_heygen_too_slow_to_answer_is_reported_as_unavailable(heygen_fake: FakeHeyGen, heygen_url: str) -> None:
    heygen_fake.state.fail("timeout", delay=0.6)

    async with HeyGenClient(HEYGEN_KEY, base_url=heygen_url, timeout=0.2, retries=1, backoff=0.001) as heygen:
        with pytest.raises(ServiceUnavailable) as caught:
            await heygen.list_avatars()

    assert caught.value.code == "timeout"
    assert len(heygen_fake.state.calls()) == 2


async def test_a_slow_render_request_is_not_sent_twice(heygen_fake: FakeHeyGen, heygen_url: str) -> None:
    heygen_fake.state.fail("timeout", times=1, delay=0.6)

    async with HeyGenClient(HEYGEN_KEY, base_url=heygen_url, timeout=0.2, retries=2, backoff=0.001) as heygen:
        with pytest.raises(ServiceUnavailable):
            await heygen.generate_video(scene())

    assert len(heygen_fake.state.calls("POST", GENERATE_PATH)) == 1


async def test_the_key_never_appears_in_errors_or_logs(heygen_fake: FakeHeyGen, heygen_url: str) -> None:
    modes: tuple[FailureMode, ...] = ("invalid_key", "no_credits", "rate_limited", "server_error", "timeout")
    errors: list[ServiceError] = []
    with capture_logs() as logs:
        async with HeyGenClient(HEYGEN_KEY, base_url=heygen_url, timeout=0.2, retries=1, backoff=0.001) as heygen:
            for mode in modes:
                heygen_fake.state.fail(mode, retry_after=0, delay=0.4)
                with pytest.raises(ServiceError) as caught:
                    await heygen.generate_video(scene()) if mode == "no_credits" else await heygen.list_voices()
                errors.append(caught.value)
            heygen_fake.state.mode = None
            with pytest.raises(BadRequest) as caught:
                await heygen.generate_video(scene(avatar_id="Nobody-2020"))
            errors.append(caught.value)

    assert {type(error) for error in errors} == {
        InvalidKey,
        OutOfCredits,
        RateLimited,
        ServiceUnavailable,
        BadRequest,
    }
    for error in errors:
        assert HEYGEN_KEY not in f"{error} {error!r} {error.message} {error.detail} {error.args}"
    assert logs, "failures should be logged"
    assert HEYGEN_KEY not in repr(logs)
