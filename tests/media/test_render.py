"""Rendering: the cut video lasts what was kept, stays in sync, and never leaves half a file behind."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from renum.media import (
    CaptionsUnsupported,
    Cue,
    InvalidMediaParameter,
    MediaInfo,
    RenderFailed,
    RenderOptions,
    RenderResult,
    SilenceCut,
    SilenceSettings,
    Span,
    find_silences,
    probe_video,
    read_envelope,
    remap_to_cut,
    render_video,
    srt_text,
    vtt_text,
)
from renum.media import render as render_module
from renum.media.ffmpeg import available_filters
from renum.media.render import output_size
from tests.media import clips
from tests.media.clips import FAST


def files_in(folder: Path) -> list[Path]:
    """What a folder holds, sorted."""
    return sorted(folder.iterdir())


FRAME = 1 / clips.FRAME_RATE
# A caption during the fourth burst (4.8–6.0 s in the source), drawn across the bottom of the frame.
CAPTION = Cue(5.0, 5.8, "WWWWWWWW WWWW")
CAPTION_BAND = f"{clips.SIZE[0]}:60:0:{clips.SIZE[1] - 60}"


@pytest.fixture(scope="session")
def whole_render(clip_dir: Path, speech_clip: Path, speech_info: MediaInfo) -> Path:
    """The speech clip re-encoded whole, as a reference for what captions change."""
    output = clip_dir / "renders" / "whole.mp4"
    output.parent.mkdir(exist_ok=True)
    asyncio.run(render_video(speech_clip, output, info=speech_info, options=FAST))
    return output


def test_the_cut_video_lasts_as_long_as_the_kept_spans(
    cut_render: RenderResult,
    speech_cut: SilenceCut,
) -> None:
    frames = clips.frame_count(cut_render.path)

    assert cut_render.duration == pytest.approx(speech_cut.kept_duration, abs=1e-6)
    assert frames * FRAME == pytest.approx(speech_cut.kept_duration, abs=FRAME)


def test_sound_and_picture_of_the_cut_video_end_together(cut_render: RenderResult) -> None:
    picture = clips.frame_count(cut_render.path) * FRAME

    assert clips.audio_seconds(cut_render.path) == pytest.approx(picture, abs=FRAME)


def test_picture_and_sound_stay_in_sync_across_every_cut(cut_render: RenderResult) -> None:
    # The box is lit exactly while the tone sounds, so after the cut each lit stretch must start
    # and end with a burst of sound.
    lit = clips.runs(clips.lit_frames(cut_render.path), FRAME)
    sound = find_silences(read_envelope(cut_render.path), SilenceSettings(margin=0.0, min_silence=0.05)).kept

    long_lit = [run for run in lit if run[1] - run[0] > 0.1]
    assert len(long_lit) == len(sound) == 4
    for (lit_start, lit_end), burst in zip(long_lit, sound, strict=True):
        # A frame shows what happens during it, so it may light up to a frame after the sound starts.
        assert lit_start == pytest.approx(burst.start, abs=FRAME + 0.011)
        assert lit_end == pytest.approx(burst.end, abs=FRAME + 0.011)


def test_the_output_is_h264_and_aac_ready_to_stream(cut_render: RenderResult) -> None:
    info = probe_video(cut_render.path)
    data = cut_render.path.read_bytes()

    assert (info.video_codec, info.audio_codec, info.container) == ("h264", "aac", "mp4")
    assert (info.width, info.height) == (cut_render.width, cut_render.height) == clips.SIZE
    # +faststart: the index comes before the media, so playback starts before the download ends.
    assert data.index(b"moov") < data.index(b"mdat")


def test_rendering_leaves_only_the_finished_file_in_the_folder(cut_render: RenderResult) -> None:
    assert sorted(path.name for path in cut_render.path.parent.iterdir() if "cut" in path.name) == ["cut.mp4"]


def test_a_video_without_sound_can_be_cut(tmp_path: Path, silent_video: Path) -> None:
    result = asyncio.run(
        render_video(silent_video, tmp_path / "out.mp4", kept=[Span(0.2, 0.6), Span(1.0, 1.4)], options=FAST)
    )

    assert clips.frame_count(result.path) == 20
    assert probe_video(result.path).has_audio is False


def test_a_sound_track_that_ends_early_still_covers_every_kept_span(tmp_path: Path) -> None:
    source = clips.video_with_early_ending_audio(tmp_path / "source.mp4")
    kept = [Span(0.2, 0.6), Span(1.2, 1.6)]  # the second span is after the sound has stopped

    result = asyncio.run(render_video(source, tmp_path / "out.mp4", kept=kept, options=FAST))

    assert clips.frame_count(result.path) * FRAME == pytest.approx(0.8)
    assert clips.audio_seconds(result.path) == pytest.approx(0.8, abs=FRAME)


def test_a_portrait_phone_video_renders_upright(tmp_path: Path, portrait_phone_clip: Path) -> None:
    result = asyncio.run(render_video(portrait_phone_clip, tmp_path / "out.mp4", options=FAST))
    info = probe_video(result.path)

    assert (info.width, info.height, info.rotation) == (120, 160, 0)


async def test_progress_climbs_to_one_and_may_be_a_coroutine(
    tmp_path: Path, speech_clip: Path, speech_info: MediaInfo, speech_cut: SilenceCut
) -> None:
    seen: list[float] = []

    async def on_progress(fraction: float) -> None:
        seen.append(fraction)

    await render_video(
        speech_clip,
        tmp_path / "out.mp4",
        kept=speech_cut.kept,
        info=speech_info,
        options=FAST,
        on_progress=on_progress,
    )

    assert seen
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert all(0.0 <= fraction <= 1.0 for fraction in seen)
    assert seen.count(1.0) == 1


def test_progress_is_read_from_ffmpegs_out_time() -> None:
    assert render_module._progress_fraction("out_time_us=2500000", 10.0) == 0.25
    assert render_module._progress_fraction("out_time_us=-9223372036854775807", 10.0) == 0.0
    assert render_module._progress_fraction("out_time_us=N/A", 10.0) is None
    assert render_module._progress_fraction("out_time_us=20000000", 10.0) == 1.0
    assert render_module._progress_fraction("progress=end", 10.0) == 1.0
    assert render_module._progress_fraction("progress=continue", 10.0) is None


async def test_a_stopped_render_leaves_no_file_behind(
    tmp_path: Path, speech_clip: Path, speech_info: MediaInfo
) -> None:
    def stop(fraction: float) -> None:
        raise RuntimeError("the creator cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        await render_video(
            speech_clip,
            tmp_path / "out.mp4",
            info=speech_info,
            options=FAST,
            on_progress=stop,
        )

    assert files_in(tmp_path) == []


async def test_a_render_clears_what_a_killed_run_left_for_the_same_output(
    tmp_path: Path, speech_clip: Path, speech_info: MediaInfo
) -> None:
    # A worker killed mid-render leaves its hidden partial file; another output's is not touched.
    leftover = tmp_path / ".out.mp4.k3j9x2.part"
    leftover.write_bytes(b"half a video")
    unrelated = tmp_path / ".other.mp4.a1b2c3.part"
    unrelated.write_bytes(b"someone else's render")

    await render_video(speech_clip, tmp_path / "out.mp4", info=speech_info, options=FAST)

    assert not leftover.exists()
    assert unrelated.exists()


async def test_a_failed_render_keeps_the_previous_output_and_no_temporary_file(
    tmp_path: Path, silent_video: Path
) -> None:
    output = tmp_path / "out.mp4"
    output.write_bytes(b"last week's render")
    # Claiming a sound track the file does not have makes ffmpeg fail after it has started.
    wrong = dataclasses.replace(probe_video(silent_video), audio_codec="aac")

    with pytest.raises(RenderFailed) as raised:
        await render_video(silent_video, output, kept=[Span(0.0, 1.0)], info=wrong, options=FAST)

    assert output.read_bytes() == b"last week's render"
    assert files_in(tmp_path) == [output]
    assert raised.value.message == RenderFailed.default_message
    assert raised.value.detail


@pytest.mark.parametrize(
    ("aspect", "fit", "size"),
    [
        ("9:16", "crop", (134, 240)),
        ("1:1", "crop", (240, 240)),
        ("9:16", "pad", (320, 568)),
    ],
)
async def test_reframing_gives_the_platform_shape(
    tmp_path: Path,
    speech_clip: Path,
    speech_info: MediaInfo,
    aspect: render_module.Aspect,
    fit: render_module.Fit,
    size: tuple[int, int],
) -> None:
    options = dataclasses.replace(FAST, aspect=aspect, fit=fit)
    result = await render_video(
        speech_clip, tmp_path / "out.mp4", kept=[Span(0.0, 1.0)], info=speech_info, options=options
    )
    info = probe_video(result.path)

    assert (result.width, result.height) == (info.width, info.height) == size


@pytest.mark.parametrize(
    ("source", "aspect", "fit", "size"),
    [
        ((1280, 720), "9:16", "crop", (404, 720)),
        ((1280, 720), "9:16", "pad", (1080, 1920)),
        ((1280, 720), "1:1", "crop", (720, 720)),
        ((1920, 1080), "9:16", "crop", (606, 1080)),
        ((3840, 2160), "16:9", "crop", (1920, 1080)),
        ((1080, 1920), "16:9", "crop", (1080, 606)),
        ((1080, 1920), "16:9", "pad", (1920, 1080)),
        ((1080, 1920), "9:16", "crop", (1080, 1920)),
    ],
)
def test_reframed_sizes_are_even_and_never_upscaled(
    source: tuple[int, int], aspect: render_module.Aspect, fit: render_module.Fit, size: tuple[int, int]
) -> None:
    assert output_size(*source, aspect, fit) == size


@pytest.mark.parametrize("method", ["libass", "drawtext"])
async def test_captions_are_burned_in_at_their_time_on_the_cut_video(
    tmp_path: Path,
    speech_clip: Path,
    speech_info: MediaInfo,
    speech_cut: SilenceCut,
    cut_render: RenderResult,
    method: render_module.CaptionMethod,
) -> None:
    if {"libass": "ass", "drawtext": "drawtext"}[method] not in available_filters():
        pytest.skip(f"this ffmpeg cannot draw text with {method}")
    options = dataclasses.replace(FAST, captions=(CAPTION,), caption_method=method)

    result = await render_video(
        speech_clip, tmp_path / "out.mp4", kept=speech_cut.kept, info=speech_info, options=options
    )

    assert result.caption_method == method
    (moved,) = remap_to_cut([CAPTION], speech_cut.kept)
    during, after = (moved.start + moved.end) / 2, moved.end + 0.2

    def difference(moment: float) -> float:
        """The share of caption-band pixels that differ clearly from the render without captions."""
        captioned = clips.frame_at(result.path, moment, crop=CAPTION_BAND).astype(int)
        plain = clips.frame_at(cut_render.path, moment, crop=CAPTION_BAND).astype(int)
        return float((np.abs(captioned - plain) > 60).mean())

    assert difference(during) > 0.02
    assert difference(after) < 0.005


async def test_captions_on_an_ffmpeg_that_cannot_draw_text_fail_before_writing(
    tmp_path: Path, speech_clip: Path, speech_info: MediaInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_module, "available_filters", lambda: frozenset({"trim", "concat"}))
    options = dataclasses.replace(FAST, captions=(CAPTION,))

    with pytest.raises(CaptionsUnsupported):
        await render_video(speech_clip, tmp_path / "out.mp4", info=speech_info, options=options)

    assert files_in(tmp_path) == []


async def test_keeping_nothing_is_refused(tmp_path: Path, speech_clip: Path, speech_info: MediaInfo) -> None:
    with pytest.raises(InvalidMediaParameter):
        await render_video(speech_clip, tmp_path / "out.mp4", kept=[], info=speech_info)


@pytest.mark.parametrize(
    "options",
    [
        {"aspect": "4:3"},
        {"fit": "stretch"},
        {"preset": "fast; rm -rf /"},
        {"crf": 60},
        {"audio_bitrate": "loud"},
    ],
)
def test_unknown_render_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(InvalidMediaParameter):
        RenderOptions(**options)  # type: ignore[arg-type]


def test_captions_move_onto_the_cut_timeline() -> None:
    kept = [Span(1.0, 2.0), Span(4.0, 6.0)]
    cues = [
        Cue(1.2, 1.8, "inside the first span"),
        Cue(1.5, 4.5, "across the cut"),
        Cue(2.5, 3.5, "inside the cut"),
        Cue(5.5, 7.0, "past the end"),
    ]

    assert remap_to_cut(cues, kept) == [
        Cue(pytest.approx(0.2), pytest.approx(0.8), "inside the first span"),  # type: ignore[arg-type]
        Cue(pytest.approx(0.5), pytest.approx(1.5), "across the cut"),  # type: ignore[arg-type]
        Cue(pytest.approx(2.5), pytest.approx(3.0), "past the end"),  # type: ignore[arg-type]
    ]


def test_srt_text_numbers_and_times_each_caption() -> None:
    cues = [Cue(62.5, 65.0, "Olá,   criadores!\n\nBem-vindos"), Cue(0.0, 1.25, "Primeiro"), Cue(3, 3, "")]

    assert srt_text(cues).split("\n\n") == [
        "1\n00:00:00,000 --> 00:00:01,250\nPrimeiro",
        "2\n00:01:02,500 --> 00:01:05,000\nOlá, criadores!\nBem-vindos\n",
    ]


def test_vtt_text_escapes_what_webvtt_would_read_as_markup() -> None:
    text = vtt_text([Cue(3661.001, 3662.0, "a <b> & c --> d")])

    assert text == "WEBVTT\n\n01:01:01.001 --> 01:01:02.000\na &lt;b&gt; &amp; c --&gt; d\n"
