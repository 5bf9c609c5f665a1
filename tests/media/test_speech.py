"""Sound for transcription: small mono pieces that remember where they start."""

from __future__ import annotations

from pathlib import Path

import pytest

from renum.media import NoAudio, probe_video
from renum.media.speech import speech_pieces
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
