"""Probing an upload: what it holds, and refusing what RENUM cannot use."""

from __future__ import annotations

from pathlib import Path

import pytest

from renum.media import (
    EmptyFile,
    MediaError,
    MediaInfo,
    NotAVideo,
    NoVideoStream,
    TruncatedVideo,
    probe_video,
    probe_video_async,
)
from tests.media import clips


def test_probe_reports_length_size_picture_and_codecs(speech_clip: Path, speech_info: MediaInfo) -> None:
    assert speech_info.duration == pytest.approx(clips.DURATION, abs=0.05)
    assert speech_info.size == speech_clip.stat().st_size
    assert (speech_info.width, speech_info.height) == clips.SIZE
    assert speech_info.frame_rate == clips.FRAME_RATE
    assert speech_info.video_codec == "h264"
    assert speech_info.audio_codec == "aac"
    assert speech_info.audio_sample_rate == 48_000
    assert speech_info.has_audio
    assert speech_info.container == "mp4"


def test_a_video_without_sound_is_a_video_without_audio(silent_video: Path) -> None:
    info = probe_video(silent_video)

    assert info.has_audio is False
    assert info.audio_codec is None
    assert info.duration == pytest.approx(2.0, abs=0.05)


def test_a_portrait_phone_video_reports_the_size_it_is_shown_at(portrait_phone_clip: Path) -> None:
    info = probe_video(portrait_phone_clip)

    assert (info.width, info.height) == (120, 160)
    assert info.rotation == 90


def test_a_29_97_fps_video_gets_the_exact_ntsc_frame_rate(tmp_path: Path) -> None:
    info = probe_video(clips.ntsc_clip(tmp_path / "camera.mp4"))

    assert info.frame_rate == 30000 / 1001


@pytest.mark.parametrize(
    ("fixture", "error"),
    [
        ("text_file_as_mp4", NotAVideo),
        ("empty_file", EmptyFile),
        ("truncated_clip", TruncatedVideo),
        ("truncated_faststart_clip", TruncatedVideo),
        ("audio_file", NoVideoStream),
    ],
)
def test_unusable_files_are_refused_with_the_reason(
    fixture: str, error: type[MediaError], request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(fixture)

    with pytest.raises(error) as raised:
        probe_video(path)

    assert type(raised.value) is error
    # The creator reads a constant sentence; ffmpeg's words stay in the log detail.
    assert str(raised.value) == raised.value.message == error.default_message
    assert "ffmpeg" not in raised.value.message


def test_a_text_file_is_not_mistaken_for_a_cut_short_video(text_file_as_mp4: Path) -> None:
    with pytest.raises(NotAVideo) as raised:
        probe_video(text_file_as_mp4)

    assert not isinstance(raised.value, TruncatedVideo)


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        probe_video(tmp_path / "nowhere.mp4")


async def test_probe_async_says_the_same_as_probe(speech_clip: Path, speech_info: MediaInfo) -> None:
    assert await probe_video_async(speech_clip) == speech_info


async def test_probe_async_refuses_a_cut_short_upload(truncated_faststart_clip: Path) -> None:
    with pytest.raises(TruncatedVideo):
        await probe_video_async(truncated_faststart_clip)
