"""Decoding only the sound, in bounded chunks, into numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renum.media import (
    EmptyFile,
    InvalidMediaParameter,
    LoudnessEnvelope,
    NoAudio,
    NotAVideo,
    decode_audio,
    envelope_from_samples,
    iter_audio,
    read_envelope,
)
from renum.media.audio import read_envelope_and_info
from renum.media.probe import MediaInfo
from tests.media import clips


def test_decoded_sound_is_loud_during_bursts_and_quiet_between(speech_clip: Path) -> None:
    samples = decode_audio(speech_clip, expected_seconds=clips.DURATION)

    assert samples.dtype == np.float32
    assert len(samples) == pytest.approx(clips.DURATION * 16_000, abs=160)
    burst = samples[int(0.7 * 16_000) : int(1.3 * 16_000)]
    pause = samples[int(3.8 * 16_000) : int(4.6 * 16_000)]
    assert np.abs(burst).max() == pytest.approx(clips.TONE_AMPLITUDE, rel=0.15)
    assert np.abs(pause).max() < 0.02


def test_decoding_without_knowing_the_length_grows_to_fit(speech_clip: Path) -> None:
    assert len(decode_audio(speech_clip, expected_seconds=1.0)) == len(decode_audio(speech_clip))


def test_sound_arrives_in_chunks_no_larger_than_asked(speech_clip: Path) -> None:
    sizes = [len(chunk) for chunk in iter_audio(speech_clip, chunk_seconds=1.0)]

    assert max(sizes) == 16_000
    assert len(sizes) == 8
    assert sum(sizes) == pytest.approx(clips.DURATION * 16_000, abs=160)


def test_envelope_streamed_from_the_file_equals_one_from_memory(
    speech_clip: Path, speech_envelope: LoudnessEnvelope
) -> None:
    from_memory = envelope_from_samples(decode_audio(speech_clip), 16_000)

    assert speech_envelope.window == pytest.approx(0.01)
    assert speech_envelope.duration == pytest.approx(clips.DURATION, abs=0.01)
    np.testing.assert_allclose(speech_envelope.peaks, from_memory.peaks, atol=1 / 32768)


def test_a_video_without_sound_has_no_audio_to_decode(silent_video: Path) -> None:
    with pytest.raises(NoAudio):
        read_envelope(silent_video)


@pytest.mark.parametrize(("fixture", "error"), [("text_file_as_mp4", NotAVideo), ("empty_file", EmptyFile)])
def test_decoding_a_file_that_is_no_video_fails_clearly(
    fixture: str, error: type[Exception], request: pytest.FixtureRequest
) -> None:
    with pytest.raises(error):
        decode_audio(request.getfixturevalue(fixture))


@pytest.mark.parametrize(("window", "sample_rate"), [(0.0, 16_000), (2.0, 16_000), (0.01, 10)])
def test_out_of_range_decoding_settings_are_refused(window: float, sample_rate: int) -> None:
    with pytest.raises(InvalidMediaParameter):
        envelope_from_samples(np.zeros(100, dtype=np.int16), sample_rate, window=window)


def test_envelope_peaks_are_per_window_and_handle_full_scale() -> None:
    samples = np.zeros(16_000 + 80, dtype=np.int16)
    samples[5] = -32768  # full scale, negative: must not overflow when taking the magnitude
    samples[200] = 16384
    envelope = envelope_from_samples(samples, 16_000)

    assert len(envelope.peaks) == 101  # 100 whole windows and the half window at the end
    assert envelope.peaks[0] == 1.0
    assert envelope.peaks[1] == pytest.approx(0.5)
    assert envelope.peaks[2:].max() == 0.0


def test_decoding_the_sound_also_describes_the_video_in_the_same_run(
    speech_clip: Path,
    speech_info: MediaInfo,
    speech_envelope: LoudnessEnvelope,
) -> None:
    envelope, info = read_envelope_and_info(speech_clip)

    assert info == speech_info
    np.testing.assert_array_equal(envelope.peaks, speech_envelope.peaks)
