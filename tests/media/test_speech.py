"""Sound for transcription: small mono pieces that remember where they start."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renum.media import NoAudio, probe_video
from renum.media.audio import LoudnessEnvelope
from renum.media.speech import piece_bounds, speech_pieces
from tests.media import clips


def test_a_short_video_goes_in_one_small_mono_piece(speech_clip: Path, tmp_path: Path) -> None:
    [piece] = speech_pieces(speech_clip, tmp_path, duration=clips.DURATION)

    assert piece.offset == 0
    assert piece.path.stat().st_size < 64_000
    assert clips.audio_seconds(piece.path) == pytest.approx(clips.DURATION, abs=0.1)


def test_a_long_video_is_split_below_the_limit_with_each_piece_placed(speech_clip: Path, tmp_path: Path) -> None:
    # 12 kB at 32 kbit/s holds under 3 s: the 8 s clip needs three pieces.
    pieces = speech_pieces(speech_clip, tmp_path, duration=clips.DURATION, max_bytes=12_000)

    assert len(pieces) == 3
    assert [piece.offset for piece in pieces] == pytest.approx([0, 8 / 3, 16 / 3])
    assert all(piece.path.stat().st_size <= 12_000 for piece in pieces)
    total = sum(clips.audio_seconds(piece.path) for piece in pieces)
    assert total == pytest.approx(clips.DURATION, abs=0.15)


def test_a_video_without_sound_has_nothing_to_transcribe(silent_video: Path, tmp_path: Path) -> None:
    with pytest.raises(NoAudio):
        speech_pieces(silent_video, tmp_path, duration=probe_video(silent_video).duration)


def test_pieces_are_cut_at_the_quietest_moment_near_each_even_cut() -> None:
    # 50 minutes of steady speech with one pause 12 s after the middle: the cut moves into the pause.
    peaks = np.full(300_000, 0.5, dtype=np.float32)
    peaks[151_200:151_230] = 0.001
    envelope = LoudnessEnvelope(peaks=peaks, window=0.01, duration=3000.0)

    assert piece_bounds(3000.0, 2) == [0.0, 1500.0, 3000.0]
    assert piece_bounds(3000.0, 2, envelope) == [0.0, pytest.approx(1512.005), 3000.0]


def test_a_pause_too_far_from_the_even_cut_is_not_worth_a_piece_over_the_limit() -> None:
    peaks = np.full(300_000, 0.5, dtype=np.float32)
    peaks[200_000:200_100] = 0.0  # 500 s after the middle, beyond the 20 s a cut may move
    envelope = LoudnessEnvelope(peaks=peaks, window=0.01, duration=3000.0)

    [_, cut, _] = piece_bounds(3000.0, 2, envelope)

    assert abs(cut - 1500.0) <= 20.0
