"""PostRápido over HTTP: uploading a recording, finding its silences, and who may see what."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from renum.config import Settings, get_settings
from renum.jobs import postrapido as postrapido_jobs
from renum.media import probe_video
from renum.models import Video
from renum.services import postrapido as postrapido_service
from renum.web.signed_links import signed_url
from tests.conftest import Creator
from tests.controllers.conftest import OPENAI_KEY
from tests.fakes.openai_server import FakeOpenAI
from tests.media import clips

Client = httpx.AsyncClient


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for this module's clips."""
    return tmp_path_factory.mktemp("postrapido-clips")


@pytest.fixture(scope="module")
def speech_clip(clip_dir: Path) -> Path:
    """Tone bursts at :data:`clips.BURSTS` over faint noise: a stand-in for a creator talking."""
    return clips.speech_clip(clip_dir / "speech.mp4")


@pytest.fixture(scope="module")
def silent_video(clip_dir: Path) -> Path:
    """A video with no sound track."""
    return clips.video_without_audio(clip_dir / "no-audio.mp4")


def contents(path: Path) -> bytes:
    """The bytes of a (small) test file."""
    return path.read_bytes()


async def upload(client: Client, creator: Creator, path: Path, *, name: str | None = None) -> httpx.Response:
    """Upload ``path`` as a browser form would."""
    files = {"file": (name or path.name, contents(path), "video/mp4")}
    return await client.post("/api/postrapido/upload", files=files, headers=creator.headers)


async def uploaded(client: Client, creator: Creator, path: Path) -> dict[str, Any]:
    """Upload ``path`` and answer the video, failing the test if the upload is refused."""
    response = await upload(client, creator, path)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def stored_files(settings: Settings) -> list[Path]:
    """Every file in the media store, partial ones included."""
    root = settings.app.data_dir / "media"
    return sorted(root.iterdir()) if root.exists() else []


async def video_count(app: Litestar) -> int:
    async with app.state.session_factory() as db:
        return int(await db.scalar(select(func.count()).select_from(Video)) or 0)


# -- upload -------------------------------------------------------------------------------------


async def test_an_uploaded_video_is_kept_with_what_it_holds(
    client: Client, creator: Creator, speech_clip: Path, settings: Settings
) -> None:
    response = await upload(client, creator, speech_clip, name="minha gravação.mp4")

    assert response.status_code == 201, response.text
    video = response.json()
    assert video["filename"] == "minha gravação.mp4"
    assert video["duration"] == pytest.approx(clips.DURATION, abs=0.1)
    assert (video["width"], video["height"]) == clips.SIZE
    assert video["frame_rate"] == pytest.approx(clips.FRAME_RATE)
    assert video["video_codec"] == "h264"
    assert video["audio_codec"] == "aac"
    assert video["has_audio"] is True
    assert video["size"] == len(contents(speech_clip))
    [stored] = stored_files(settings)
    assert contents(stored) == contents(speech_clip)
    assert "gravação" not in stored.name


async def test_the_old_upload_path_still_works_and_is_marked_deprecated(
    client: Client, creator: Creator, speech_clip: Path
) -> None:
    files = {"file": ("clip.mp4", contents(speech_clip), "video/mp4")}
    response = await client.post("/api/modules/2/upload", files=files, headers=creator.headers)

    assert response.status_code == 201, response.text
    assert response.headers["Deprecation"] == "true"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"Ideas for next week's videos:\n- morning routine\n", "not_a_video"),
        (b"", "empty_file"),
    ],
    ids=["text-file-named-mp4", "zero-bytes"],
)
async def test_a_file_that_is_not_a_video_is_refused_and_nothing_is_kept(
    app: Litestar, client: Client, creator: Creator, settings: Settings, content: bytes, code: str
) -> None:
    files = {"file": ("video.mp4", content, "video/mp4")}
    response = await client.post("/api/postrapido/upload", files=files, headers=creator.headers)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert stored_files(settings) == []
    assert await video_count(app) == 0


async def test_a_truncated_video_is_refused_and_nothing_is_kept(
    app: Litestar, client: Client, creator: Creator, settings: Settings, speech_clip: Path, tmp_path: Path
) -> None:
    cut_short = clips.truncated_copy(speech_clip, tmp_path / "cut-short.mp4", faststart=False)

    response = await upload(client, creator, cut_short)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "truncated_video"
    assert stored_files(settings) == []
    assert await video_count(app) == 0


async def test_an_upload_over_the_cap_is_refused_from_its_announced_length(
    app: Litestar, client: Client, creator: Creator, settings: Settings
) -> None:
    settings.server.max_upload_bytes = 100_000
    files = {"file": ("big.mp4", b"\0" * 400_000, "video/mp4")}

    response = await client.post("/api/postrapido/upload", files=files, headers=creator.headers)

    assert response.status_code == 413, response.text
    assert response.json()["code"] == "upload_too_large"
    assert stored_files(settings) == []
    assert await video_count(app) == 0


async def test_an_upload_over_the_cap_is_refused_while_streaming_before_the_body_ends(
    app: Litestar, client: Client, creator: Creator, settings: Settings
) -> None:
    settings.server.max_upload_bytes = 100_000
    sent = 0
    boundary = "renum-test-boundary"

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        for _ in range(100):
            sent += 1
            yield b"\0" * 16_384
        yield f"\r\n--{boundary}--\r\n".encode()

    # No Content-Length: the body is sent in chunks, as a browser streaming a large file might.
    response = await client.post(
        "/api/postrapido/upload",
        content=body(),
        headers={**creator.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )

    assert response.status_code == 413, response.text
    assert sent < 20, "the server stopped reading soon after the cap"
    assert stored_files(settings) == []
    assert await video_count(app) == 0


async def test_an_upload_without_a_file_is_refused(client: Client, creator: Creator) -> None:
    response = await client.post("/api/postrapido/upload", data={"title": "x"}, files={}, headers=creator.headers)

    assert response.status_code == 422, response.text


async def test_uploading_needs_an_account(client: Client, speech_clip: Path) -> None:
    files = {"file": ("clip.mp4", contents(speech_clip), "video/mp4")}
    response = await client.post("/api/postrapido/upload", files=files)

    assert response.status_code == 401


# -- silences -----------------------------------------------------------------------------------


async def test_silences_are_found_where_the_recording_pauses(
    client: Client, creator: Creator, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    response = await client.post(
        "/api/postrapido/detect-silences", json={"video_id": video["id"]}, headers=creator.headers
    )

    assert response.status_code == 200, response.text
    found = response.json()
    # The first burst starts at 0.5 s; the default margin keeps 0.2 s before it.
    assert found["silences"][0][0] == pytest.approx(0.0, abs=0.05)
    assert found["silences"][0][1] == pytest.approx(0.3, abs=0.05)
    # The long pause between 3.6 s and 4.8 s is cut, minus the margins.
    assert any(
        start == pytest.approx(3.8, abs=0.05) and end == pytest.approx(4.6, abs=0.05)
        for start, end in found["silences"]
    )
    assert found["time_saved"] == pytest.approx(found["duration"] - found["kept_duration"], abs=1e-3)
    assert found["waveform_svg"].startswith("<svg")


async def test_moving_a_slider_redraws_the_waveform_for_htmx(
    client: Client, creator: Creator, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)
    ask = {"video_id": video["id"], "threshold_db": -28, "min_silence": 0.2, "margin": 0.2, "min_clip": 0.1}

    eager = await client.post(
        "/api/postrapido/detect-silences", json=ask, headers={**creator.headers, "HX-Request": "true"}
    )
    gentle = await client.post(
        "/api/postrapido/detect-silences",
        json={**ask, "min_silence": 1.5},
        headers={**creator.headers, "HX-Request": "true"},
    )

    assert eager.status_code == gentle.status_code == 200
    assert "<svg" in eager.text and "&lt;svg" not in eager.text
    assert eager.text.count("waveform-silence") > gentle.text.count("waveform-silence")


async def test_the_sound_is_decoded_once_and_later_slider_moves_reuse_it(
    client: Client, creator: Creator, speech_clip: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = await uploaded(client, creator, speech_clip)
    ask = {"video_id": video["id"], "min_silence": 0.2}
    first = await client.post("/api/postrapido/detect-silences", json=ask, headers=creator.headers)
    assert sorted(path.suffix for path in stored_files(settings)) == [".mp4", ".npz"]

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sound was decoded again")

    monkeypatch.setattr(postrapido_service, "read_envelope", no_decoding)
    again = await client.post("/api/postrapido/detect-silences", json=ask, headers=creator.headers)
    moved = await client.post(
        "/api/postrapido/detect-silences", json={**ask, "min_silence": 1.5}, headers=creator.headers
    )

    assert again.status_code == moved.status_code == 200, moved.text
    assert again.json()["silences"] == first.json()["silences"]
    assert len(moved.json()["silences"]) < len(first.json()["silences"])


async def test_the_chosen_thresholds_are_remembered_with_the_video(
    app: Litestar, client: Client, creator: Creator, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    await client.post(
        "/api/postrapido/detect-silences",
        json={"video_id": video["id"], "threshold_db": -35, "margin": 0.1},
        headers=creator.headers,
    )

    async with app.state.session_factory() as db:
        row = await db.get(Video, uuid.UUID(video["id"]))
    assert row is not None and row.silence_settings is not None
    assert row.silence_settings["threshold_db"] == -35
    assert row.silence_settings["margin"] == 0.1
    assert row.silences


OUT_OF_RANGE = [("threshold_db", 3), ("threshold_db", -120), ("min_silence", 0), ("margin", 5), ("min_clip", -1)]


async def test_thresholds_out_of_range_are_refused_naming_the_field(
    client: Client, creator: Creator, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    for field, value in OUT_OF_RANGE:
        response = await client.post(
            "/api/postrapido/detect-silences", json={"video_id": video["id"], field: value}, headers=creator.headers
        )
        assert response.status_code == 422, (field, value)
        assert field in response.json()["fields"], (field, value)


async def test_a_video_without_sound_has_no_silences_to_find(
    client: Client, creator: Creator, silent_video: Path
) -> None:
    video = await uploaded(client, creator, silent_video)
    assert video["has_audio"] is False

    response = await client.post(
        "/api/postrapido/detect-silences", json={"video_id": video["id"]}, headers=creator.headers
    )

    assert response.status_code == 422
    assert response.json()["code"] == "no_audio"


# -- tenancy ------------------------------------------------------------------------------------


async def test_another_creators_video_is_not_found(
    client: Client, creator: Creator, other_creator: Creator, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    seen = await client.get(f"/api/postrapido/videos/{video['id']}", headers=other_creator.headers)
    silences = await client.post(
        "/api/postrapido/detect-silences", json={"video_id": video["id"]}, headers=other_creator.headers
    )

    assert seen.status_code == 404
    assert silences.status_code == 404
    assert (await client.get(f"/api/postrapido/videos/{video['id']}", headers=creator.headers)).status_code == 200


# -- transcription, rendering and files: a real worker, the OpenAI fake on loopback -------------

AI_KEY = OPENAI_KEY


@pytest.fixture
def openai(openai_server: tuple[FakeOpenAI, str], settings: Settings, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    """The fake, reset, with the app (its settings) and the worker (the environment) pointing at it."""
    fake, url = openai_server
    fake.reset()
    fake.api_key = AI_KEY
    monkeypatch.setenv("RENUM_AI_BASE_URL", url)
    monkeypatch.setenv("RENUM_AI_API_KEY", AI_KEY)
    get_settings.cache_clear()
    settings.ai.base_url, settings.ai.api_key = url, AI_KEY
    return fake


async def wait_for_task(client: Client, creator: Creator, task_id: str, *, seconds: float = 30) -> dict[str, Any]:
    """Poll the task until it has ended; answer its last state."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state: dict[str, Any] = (await client.get(f"/api/tasks/status/{task_id}", headers=creator.headers)).json()
        if state["done"]:
            return state
        assert asyncio.get_running_loop().time() < deadline, f"task stayed {state['status']}"
        await asyncio.sleep(0.1)


async def transcribed(client: Client, creator: Creator, video_id: str) -> dict[str, Any]:
    """Transcribe the video through the API and the worker; answer the finished task."""
    started = await client.post("/api/postrapido/transcribe", json={"video_id": video_id}, headers=creator.headers)
    assert started.status_code == 202, started.text
    done = await wait_for_task(client, creator, started.json()["id"])
    assert done["status"] == "succeeded", done
    return done


async def rendered(
    client: Client, creator: Creator, ask: dict[str, Any], *, path: str = "/api/postrapido/process"
) -> dict[str, Any]:
    """Start a render and poll its status route until it is done; answer the last status."""
    started = await client.post(path, json=ask, headers=creator.headers)
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        status: dict[str, Any] = (
            await client.get(f"/api/postrapido/process/{job_id}/status", headers=creator.headers)
        ).json()
        if status["done"]:
            return status
        assert asyncio.get_running_loop().time() < deadline, f"render stayed {status['status']}"
        await asyncio.sleep(0.2)


def probe(path: Path) -> Any:
    return probe_video(path)


async def test_a_video_is_transcribed_with_words_and_can_be_corrected_and_downloaded(
    openai: FakeOpenAI, client: Client, creator: Creator, worker: Any, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    done = await transcribed(client, creator, video["id"])

    assert done["result"]["words"] == 3
    [sent] = openai.transcription_requests
    assert sent["model"] == "whisper-1" and sent["language"] == "pt"
    assert sent["file_size"] < 64_000, "compressed mono sound is sent, not the video"
    transcript = (await client.get(f"/api/postrapido/videos/{video['id']}/transcript", headers=creator.headers)).json()
    assert [w["word"] for w in transcript["words"]] == ["Olá,", "tudo", "bem?"]
    assert transcript["segments"] == [{"start": 0.5, "end": 1.5, "text": "Olá, tudo bem?"}]

    corrected = await client.put(
        f"/api/postrapido/videos/{video['id']}/transcript",
        json={"segments": [{"start": 0.5, "end": 1.5, "text": "Olá, tudo bem? <3"}]},
        headers=creator.headers,
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["edited"] is True

    srt = await client.get(f"/api/postrapido/videos/{video['id']}/transcript.srt", headers=creator.headers)
    vtt = await client.get(f"/api/postrapido/videos/{video['id']}/transcript.vtt", headers=creator.headers)
    assert srt.text == "1\n00:00:00,500 --> 00:00:01,500\nOlá, tudo bem? <3\n"
    assert vtt.text.startswith("WEBVTT\n") and "Olá, tudo bem? &lt;3" in vtt.text
    assert "attachment" in srt.headers["content-disposition"]


async def test_a_long_recording_is_sent_in_pieces_and_timed_on_the_whole_video(
    openai: FakeOpenAI,
    client: Client,
    creator: Creator,
    worker: Any,
    speech_clip: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postrapido_jobs, "piece_bytes", 12_000)
    video = await uploaded(client, creator, speech_clip)

    await transcribed(client, creator, video["id"])

    assert len(openai.transcription_requests) == 3
    transcript = (await client.get(f"/api/postrapido/videos/{video['id']}/transcript", headers=creator.headers)).json()
    starts = [w["start"] for w in transcript["words"] if w["word"] == "Olá,"]
    # Each piece starts near an even third (moved at most 4% of a piece toward a quieter moment).
    assert starts == pytest.approx([0.5, 0.5 + 8 / 3, 0.5 + 16 / 3], abs=0.11)


BAD_CORRECTIONS = {
    "ends before it starts": [{"start": 1.0, "end": 0.5, "text": "backwards"}],
    "past the end": [{"start": 0.5, "end": 60.0, "text": "past the end"}],
    "no text": [{"start": 0.5, "end": 1.0, "text": "   "}],
    "out of order": [{"start": 2.0, "end": 3.0, "text": "b"}, {"start": 0.5, "end": 1.0, "text": "a"}],
}


async def test_a_correction_that_does_not_fit_the_video_is_refused(
    openai: FakeOpenAI, client: Client, creator: Creator, worker: Any, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)
    await transcribed(client, creator, video["id"])
    url = f"/api/postrapido/videos/{video['id']}/transcript"

    for problem, segments in BAD_CORRECTIONS.items():
        response = await client.put(url, json={"segments": segments}, headers=creator.headers)
        assert response.status_code == 422, problem
        assert "segments" in response.json()["fields"], problem

    kept = (await client.get(url, headers=creator.headers)).json()
    assert kept["edited"] is False


async def test_a_video_without_sound_cannot_be_transcribed(
    openai: FakeOpenAI, client: Client, creator: Creator, silent_video: Path
) -> None:
    video = await uploaded(client, creator, silent_video)

    response = await client.post("/api/postrapido/transcribe", json={"video_id": video["id"]}, headers=creator.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "no_audio"
    assert openai.transcription_requests == []


async def test_transcription_without_ai_settings_says_which_to_set(
    client: Client, creator: Creator, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    response = await client.post("/api/postrapido/transcribe", json={"video_id": video["id"]}, headers=creator.headers)

    assert response.status_code == 503
    assert "RENUM_AI_API_KEY" in response.json()["message"]


async def test_a_render_cuts_the_silences_and_reports_durations_before_and_after(
    client: Client, creator: Creator, worker: Any, speech_clip: Path, settings: Settings
) -> None:
    video = await uploaded(client, creator, speech_clip)
    found = (
        await client.post("/api/postrapido/detect-silences", json={"video_id": video["id"]}, headers=creator.headers)
    ).json()

    status = await rendered(client, creator, {"video_id": video["id"]})

    assert status["status"] == "succeeded", status
    assert status["progress"] == 100
    assert status["duration_before"] == pytest.approx(clips.DURATION, abs=0.1)
    assert status["duration_after"] == pytest.approx(found["kept_duration"], abs=1 / clips.FRAME_RATE)
    download = await client.get(status["output_url"], headers=creator.headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "video/mp4"
    output = settings.app.data_dir / "cut.mp4"
    output.write_bytes(download.content)
    assert probe(output).duration == pytest.approx(status["duration_after"], abs=1 / clips.FRAME_RATE)


async def test_a_render_can_burn_in_captions_and_reframe_for_reels(
    openai: FakeOpenAI, client: Client, creator: Creator, worker: Any, speech_clip: Path, settings: Settings
) -> None:
    video = await uploaded(client, creator, speech_clip)
    await transcribed(client, creator, video["id"])

    status = await rendered(client, creator, {"video_id": video["id"], "captions": True, "aspect": "9:16"})

    assert status["status"] == "succeeded", status
    output = settings.app.data_dir / "reel.mp4"
    output.write_bytes((await client.get(status["output_url"], headers=creator.headers)).content)
    info = probe(output)
    assert info.width * 16 == pytest.approx(info.height * 9, rel=0.02)


async def test_captions_need_a_transcript(client: Client, creator: Creator, speech_clip: Path) -> None:
    video = await uploaded(client, creator, speech_clip)

    response = await client.post(
        "/api/postrapido/process", json={"video_id": video["id"], "captions": True}, headers=creator.headers
    )

    assert response.status_code == 422
    assert "captions" in response.json()["fields"]


async def test_an_unknown_aspect_ratio_is_refused(client: Client, creator: Creator, speech_clip: Path) -> None:
    video = await uploaded(client, creator, speech_clip)

    response = await client.post(
        "/api/postrapido/process", json={"video_id": video["id"], "aspect": "4:3"}, headers=creator.headers
    )

    assert response.status_code == 422
    assert "aspect" in response.json()["fields"]


async def test_the_whole_pipeline_transcribes_cuts_and_renders_in_one_task(
    openai: FakeOpenAI, client: Client, creator: Creator, worker: Any, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    status = await rendered(client, creator, {"video_id": video["id"]}, path="/api/tasks/process-video")

    assert status["status"] == "succeeded", status
    assert status["task"]["result"]["notes"] == []
    assert len(openai.transcription_requests) == 1
    assert (
        await client.get(f"/api/postrapido/videos/{video['id']}/transcript", headers=creator.headers)
    ).status_code == 200
    assert status["duration_after"] < status["duration_before"]


async def test_the_whole_pipeline_without_ai_skips_transcription_and_says_so(
    client: Client, creator: Creator, worker: Any, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    status = await rendered(client, creator, {"video_id": video["id"]}, path="/api/tasks/process-video")

    assert status["status"] == "succeeded", status
    [note] = status["task"]["result"]["notes"]
    assert "RENUM_AI_API_KEY" in note
    assert status["duration_after"] < status["duration_before"]


async def test_the_original_can_be_downloaded_by_its_owner_only(
    client: Client, creator: Creator, other_creator: Creator, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    mine = await client.get(video["original_url"], headers=creator.headers)
    theirs = await client.get(video["original_url"], headers=other_creator.headers)
    nobody = await client.get(video["original_url"])

    assert mine.status_code == 200 and mine.content == contents(speech_clip)
    assert theirs.status_code == 404
    assert nobody.status_code == 401


async def test_a_signed_link_serves_the_file_without_a_session_until_it_expires(
    client: Client, creator: Creator, speech_clip: Path, settings: Settings
) -> None:
    video = await uploaded(client, creator, speech_clip)

    made = await client.post(
        f"/api/postrapido/videos/{video['id']}/link", json={"lifetime": 3600}, headers=creator.headers
    )

    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith(settings.app.base_url + f"/api/postrapido/shared/videos/{video['id']}?expires=")
    path = url.removeprefix(settings.app.base_url)
    opened = await client.get(path)
    assert opened.status_code == 200 and opened.content == contents(speech_clip)

    tampered = await client.get(path.replace("signature=", "signature=0"))
    other_video = await client.get(path.replace(video["id"], str(uuid.uuid4())))
    expired = signed_url(settings, f"/api/postrapido/shared/videos/{video['id']}", lifetime=60, now=time.time() - 120)
    assert tampered.status_code == 403
    assert other_video.status_code == 403
    assert (await client.get(expired.removeprefix(settings.app.base_url))).status_code == 403


async def test_another_creator_cannot_reach_transcripts_renders_or_links(
    openai: FakeOpenAI, client: Client, creator: Creator, other_creator: Creator, worker: Any, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)
    await transcribed(client, creator, video["id"])
    status = await rendered(client, creator, {"video_id": video["id"]})
    base = f"/api/postrapido/videos/{video['id']}"
    theirs = other_creator.headers

    answers = [
        await client.post("/api/postrapido/transcribe", json={"video_id": video["id"]}, headers=theirs),
        await client.get(f"{base}/transcript", headers=theirs),
        await client.put(f"{base}/transcript", json={"segments": []}, headers=theirs),
        await client.get(f"{base}/transcript.srt", headers=theirs),
        await client.get(f"{base}/transcript.vtt", headers=theirs),
        await client.post(f"{base}/link", headers=theirs),
        await client.post("/api/postrapido/process", json={"video_id": video["id"]}, headers=theirs),
        await client.post("/api/tasks/process-video", json={"video_id": video["id"]}, headers=theirs),
        await client.get(f"/api/postrapido/process/{status['job_id']}/status", headers=theirs),
        await client.get(f"/api/modules/2/process/{status['job_id']}/status", headers=theirs),
        await client.get(status["output_url"], headers=theirs),
        await client.post(f"/api/postrapido/renders/{status['render_id']}/link", headers=theirs),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)


# -- the page -----------------------------------------------------------------------------------


async def test_the_page_offers_an_upload_before_any_video(client: Client, creator: Creator) -> None:
    page = await client.get("/postrapido", headers={**creator.headers, "Accept": "text/html"})

    assert page.status_code == 200
    assert 'data-testid="upload-form"' in page.text
    assert 'data-testid="silences-step"' not in page.text


async def test_the_page_resumes_at_the_latest_video_with_its_transcript_and_render(
    openai: FakeOpenAI, client: Client, creator: Creator, worker: Any, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)
    await transcribed(client, creator, video["id"])
    status = await rendered(client, creator, {"video_id": video["id"]})

    page = await client.get("/postrapido", headers={**creator.headers, "Accept": "text/html"})

    assert page.status_code == 200
    assert f'data-video-id="{video["id"]}"' in page.text
    assert 'value="Olá, tudo bem?"' in page.text
    assert 'data-testid="silences-step"' in page.text
    assert status["output_url"] in page.text


async def test_the_page_does_not_open_another_creators_video(
    client: Client, creator: Creator, other_creator: Creator, speech_clip: Path
) -> None:
    video = await uploaded(client, creator, speech_clip)

    page = await client.get(
        f"/postrapido?video={video['id']}", headers={**other_creator.headers, "Accept": "text/html"}
    )

    assert page.status_code == 404
