"""Real speech (espeak-ng, pt-BR) rather than tones: pauses found where they were put, words never cut."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from renum.media import SilenceCut, SilenceSettings, analyse_silences, find_silences, read_envelope, render_video
from tests.media import clips
from tests.media.clips import FAST

FRAME = 1 / clips.FRAME_RATE
TOLERANCE = 0.05
# How far outside a lit stretch its sound is looked for.
NEAR = 0.06

Spoken = tuple[Path, list[tuple[float, float]]]


def test_pauses_between_phrases_are_found_where_they_were_put(spoken: Spoken) -> None:
    clip, phrases = spoken
    envelope = read_envelope(clip)

    # No shortest clip either: a phrase's last syllable can come after a short stop, and on its own
    # it is shorter than the default 0.1 s (the default margin keeps it, see the next test).
    cut = find_silences(envelope, SilenceSettings(margin=0.0, min_clip=0.0))

    # Before the first phrase, the two long pauses, after the last; the 0.12 s breath stays.
    expected = [
        (0.0, phrases[0][0]),
        (phrases[0][1], phrases[1][0]),
        (phrases[2][1], phrases[3][0]),
        (phrases[3][1], envelope.duration),
    ]
    assert len(cut.silences) == len(expected), cut.silences
    for found, (start, end) in zip(cut.silences, expected, strict=True):
        assert found.start == pytest.approx(start, abs=TOLERANCE), cut.silences
        assert found.end == pytest.approx(end, abs=TOLERANCE), cut.silences


@pytest.fixture(scope="module")
def spoken_cut(spoken: Spoken) -> SilenceCut:
    """What the default settings cut from the spoken clip."""
    return analyse_silences(spoken[0])


def test_the_default_cut_keeps_every_phrase_whole(spoken: Spoken, spoken_cut: SilenceCut) -> None:
    _, phrases = spoken
    cut = spoken_cut

    for start, end in phrases:
        assert any(span.start <= start and end <= span.end for span in cut.kept), (start, end, cut.kept)
    # Most of the two long pauses, the lead-in and the tail go; the breath stays.
    breath = clips.SPOKEN[1][1]
    assert 1.5 < cut.time_saved < clips.SPOKEN_LEAD + sum(pause for _, pause in clips.SPOKEN) - breath


@pytest.fixture(scope="module")
def spoken_render(
    spoken: Spoken, spoken_cut: SilenceCut, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, float]:
    """The spoken clip with its silences cut by the defaults; its path and how long the cut should last."""
    output = tmp_path_factory.mktemp("spoken") / "cut.mp4"
    asyncio.run(render_video(spoken[0], output, kept=spoken_cut.kept, options=FAST))
    return output, spoken_cut.kept_duration


def test_the_cut_speech_lasts_as_long_as_what_was_kept(spoken_render: tuple[Path, float]) -> None:
    output, kept = spoken_render
    picture = clips.frame_count(output) * FRAME

    assert picture == pytest.approx(kept, abs=FRAME)
    assert clips.audio_seconds(output) == pytest.approx(picture, abs=FRAME)


def test_the_lips_would_move_with_the_words_after_the_cut(spoken_render: tuple[Path, float]) -> None:
    # The box is lit while a phrase is said: sound must begin and end with each lit stretch. Speech
    # has quiet stops inside a phrase, so only where sound first and last rises 10 dB above the room
    # (−48 dBFS) near each stretch is compared; the breath between two phrases is 0.12 s.
    output, _ = spoken_render
    lit = clips.runs(clips.lit_frames(output), FRAME)
    envelope = read_envelope(output)
    voiced = np.flatnonzero(envelope.peaks >= 10 ** (-38 / 20)) * envelope.window

    # Off by at most a frame of picture and a window of sound (and a hair of rounding).
    slack = FRAME + envelope.window + 0.001

    assert len(lit) == len(clips.SPOKEN)
    for lit_start, lit_end in lit:
        near = voiced[(voiced > lit_start - NEAR) & (voiced < lit_end + NEAR)]
        assert near[0] == pytest.approx(lit_start, abs=slack)
        assert near[-1] + envelope.window == pytest.approx(lit_end, abs=slack)
