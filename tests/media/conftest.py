"""Clips shared by the media tests, made once per session so ffmpeg runs as few times as possible."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from renum.media import (
    LoudnessEnvelope,
    MediaInfo,
    RenderResult,
    SilenceCut,
    find_silences,
    probe_video,
    read_envelope,
    render_video,
)
from tests.media import clips
from tests.media.clips import FAST


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the session's clips."""
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def speech_clip(clip_dir: Path) -> Path:
    """Tone bursts at :data:`clips.BURSTS` over faint noise, with a box lit during each burst."""
    return clips.speech_clip(clip_dir / "speech.mp4")


@pytest.fixture(scope="session")
def speech_info(speech_clip: Path) -> MediaInfo:
    """What :func:`probe_video` says about the speech clip."""
    return probe_video(speech_clip)


@pytest.fixture(scope="session")
def speech_envelope(speech_clip: Path) -> LoudnessEnvelope:
    """The loudness envelope of the speech clip."""
    return read_envelope(speech_clip)


@pytest.fixture(scope="session")
def speech_cut(speech_envelope: LoudnessEnvelope, speech_info: MediaInfo) -> SilenceCut:
    """The speech clip's silences with the default settings, aligned to its frames."""
    return find_silences(speech_envelope, frame_rate=speech_info.frame_rate)


@pytest.fixture(scope="session")
def cut_render(
    clip_dir: Path,
    speech_clip: Path,
    speech_info: MediaInfo,
    speech_cut: SilenceCut,
) -> RenderResult:
    """The speech clip rendered with its silences cut."""
    output = clip_dir / "renders" / "cut.mp4"
    output.parent.mkdir()
    rendering = render_video(speech_clip, output, kept=speech_cut.kept, info=speech_info, options=FAST)
    return asyncio.run(rendering)


@pytest.fixture(scope="session")
def spoken(clip_dir: Path) -> tuple[Path, list[tuple[float, float]]]:
    """pt-BR phrases said by espeak-ng with known pauses, and where each phrase is (see :func:`clips.spoken_clip`)."""
    if clips.ESPEAK is None:
        if os.environ.get("RENUM_REQUIRE_SPEECH"):
            pytest.fail("RENUM_REQUIRE_SPEECH is set but espeak-ng was not found (apt-get install espeak-ng)")
        pytest.skip("no espeak-ng installed: `apt-get install espeak-ng` (CI does) to test on spoken words")
    return clips.spoken_clip(clip_dir / "spoken.mp4")


@pytest.fixture(scope="session")
def silent_video(clip_dir: Path) -> Path:
    """A video with no sound track."""
    return clips.video_without_audio(clip_dir / "no-audio.mp4")


@pytest.fixture(scope="session")
def audio_file(clip_dir: Path) -> Path:
    """Sound with no picture."""
    return clips.audio_only(clip_dir / "voice.m4a")


@pytest.fixture(scope="session")
def portrait_phone_clip(clip_dir: Path) -> Path:
    """A 160×120 recording tagged to be shown rotated by 90°."""
    return clips.rotated_phone_clip(clip_dir / "portrait.mp4")


@pytest.fixture(scope="session")
def text_file_as_mp4(clip_dir: Path) -> Path:
    """A text file renamed .mp4."""
    path = clip_dir / "notes.mp4"
    path.write_text("Ideas for next week's videos:\n- morning routine\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def empty_file(clip_dir: Path) -> Path:
    """A zero-byte .mp4."""
    path = clip_dir / "empty.mp4"
    path.write_bytes(b"")
    return path


@pytest.fixture(scope="session")
def truncated_clip(clip_dir: Path, speech_clip: Path) -> Path:
    """The first half of the speech clip, whose index (written last) is lost."""
    return clips.truncated_copy(speech_clip, clip_dir / "cut-short.mp4", faststart=False)


@pytest.fixture(scope="session")
def truncated_faststart_clip(clip_dir: Path, speech_clip: Path) -> Path:
    """The first half of the speech clip with its index at the front: the header promises 8 s."""
    return clips.truncated_copy(speech_clip, clip_dir / "cut-short-faststart.mp4", faststart=True)
