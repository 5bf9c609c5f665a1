"""Finding silences: where they are, what is kept around speech, and what is never cut."""

from __future__ import annotations

import itertools
import math
import time
from pathlib import Path

import numpy as np
import pytest

from renum.media import (
    InvalidMediaParameter,
    LoudnessEnvelope,
    SilenceCut,
    SilenceSettings,
    Span,
    analyse_silences,
    find_silences,
)
from tests.media import clips

WINDOW = 0.01
# Where the speech clip is silent, given its bursts: the 0.1 s pause at 3.0 and the click at 7.2
# are too short to matter.
CLIP_SILENCES = [(0.0, 0.5), (1.5, 2.3), (3.6, 4.8), (6.0, 8.0)]
TOLERANCE = 0.05


def envelope(loud: list[tuple[float, float]], duration: float, *, level: float = 0.3) -> LoudnessEnvelope:
    """A synthetic envelope: ``level`` during ``loud`` spans, a quiet room elsewhere."""
    count = round(duration / WINDOW)
    peaks = np.full(count, 0.004, dtype=np.float32)
    for start, end in loud:
        peaks[round(start / WINDOW) : round(end / WINDOW)] = level
    return LoudnessEnvelope(peaks=peaks, window=WINDOW, duration=duration)


def spans(cut: SilenceCut) -> list[tuple[float, float]]:
    return [(round(s.start, 3), round(s.end, 3)) for s in cut.silences]


def assert_near(found: list[tuple[float, float]], expected: list[tuple[float, float]]) -> None:
    assert len(found) == len(expected), found
    for (start, end), (want_start, want_end) in zip(found, expected, strict=True):
        assert start == pytest.approx(want_start, abs=TOLERANCE), found
        assert end == pytest.approx(want_end, abs=TOLERANCE), found


def test_silences_are_found_where_they_were_put(speech_envelope: LoudnessEnvelope) -> None:
    cut = find_silences(speech_envelope, SilenceSettings(margin=0.0))

    assert_near(spans(cut), CLIP_SILENCES)


def test_a_margin_of_sound_is_kept_on_each_side_of_speech(speech_cut: SilenceCut) -> None:
    margin = SilenceSettings().margin
    expected = [
        (max(0.0, start + margin) if start > 0 else 0.0, end - margin if end < clips.DURATION else end)
        for start, end in CLIP_SILENCES
    ]

    assert_near(spans(speech_cut), expected)


def test_cut_and_kept_spans_tile_the_whole_video(speech_cut: SilenceCut) -> None:
    pieces = sorted([*speech_cut.silences, *speech_cut.kept])

    assert pieces[0].start == 0.0
    assert pieces[-1].end == pytest.approx(speech_cut.duration)
    for before, after in itertools.pairwise(pieces):
        assert before.end == pytest.approx(after.start)
    assert speech_cut.time_saved + speech_cut.kept_duration == pytest.approx(speech_cut.duration)
    assert speech_cut.time_saved > 2.5


def test_cuts_fall_on_video_frame_boundaries_when_a_frame_rate_is_given(speech_cut: SilenceCut) -> None:
    for span in speech_cut.silences:
        for moment in (span.start, span.end):
            frames = moment * clips.FRAME_RATE
            assert moment == speech_cut.duration or frames == pytest.approx(round(frames), abs=1e-6)


def test_analysing_a_file_decodes_and_cuts_in_one_call(speech_clip: Path, speech_cut: SilenceCut) -> None:
    assert analyse_silences(speech_clip) == speech_cut


def test_a_pause_shorter_than_the_minimum_silence_is_not_cut() -> None:
    quick_breath = envelope([(0.0, 1.0), (1.15, 2.0)], 2.0)

    assert find_silences(quick_breath, SilenceSettings(margin=0.0)).silences == ()
    assert spans(find_silences(quick_breath, SilenceSettings(margin=0.0, min_silence=0.1))) == [(1.0, 1.15)]


def test_a_click_shorter_than_the_minimum_clip_is_not_speech() -> None:
    click = envelope([(0.0, 1.0), (2.0, 2.05), (3.0, 4.0)], 4.0)

    assert spans(find_silences(click, SilenceSettings(margin=0.0))) == [(1.0, 3.0)]
    assert spans(find_silences(click, SilenceSettings(margin=0.0, min_clip=0.0))) == [(1.0, 2.0), (2.05, 3.0)]


@pytest.mark.parametrize(("level", "cut"), [(0.035, True), (0.045, False)])
def test_the_threshold_decides_what_counts_as_loud(level: float, cut: bool) -> None:
    murmur = envelope([(0.0, 1.0), (3.0, 4.0)], 4.0)
    murmur.peaks[150:250] = level

    found = find_silences(murmur, SilenceSettings(margin=0.0))

    assert (spans(found) == [(1.0, 1.5), (2.5, 3.0)]) is not cut
    assert (spans(found) == [(1.0, 3.0)]) is cut


def test_the_defaults_are_auto_editors() -> None:
    settings = SilenceSettings()

    assert settings.threshold == pytest.approx(0.04, abs=0.001)
    assert (settings.min_silence, settings.margin, settings.min_clip) == (0.2, 0.2, 0.1)


def test_no_cut_ever_falls_inside_a_word() -> None:
    rng = np.random.default_rng(7)
    talk = envelope([(float(t), float(t) + 0.4) for t in np.arange(0.0, 60.0, 1.7)], 60.0)
    # Words over loud and quiet stretches alike: whispers, trailing syllables, breaths mistaken for words.
    starts = np.sort(rng.uniform(0.0, 59.5, 80))
    words = [(float(s), float(s + rng.uniform(0.05, 0.6))) for s in starts]

    cut = find_silences(talk, SilenceSettings(margin=0.05), words=words)

    assert cut.silences
    for silence in cut.silences:
        assert silence.length >= 0.2 - 1e-6
        for start, end in words:
            assert silence.end <= start + 1e-9 or silence.start >= end - 1e-9, (silence, (start, end))


def test_a_cut_reaching_into_a_word_is_shrunk_split_or_dropped() -> None:
    pauses = envelope([(0.0, 1.0), (3.0, 4.0), (6.0, 7.0)], 7.0)
    words = [
        (2.7, 3.2),  # begins inside the 1.0–3.0 pause: that cut now ends at 2.7
        (4.9, 5.1),  # a quiet word in the middle of the 4.0–6.0 pause: the cut goes around it
        (1.05, 2.65),  # leaves only 1.0–1.05 and 2.65–2.7 of the first pause: too short, dropped
    ]

    cut = find_silences(pauses, SilenceSettings(margin=0.0), words=words)

    assert spans(cut) == [(4.0, 4.9), (5.1, 6.0)]
    assert spans(find_silences(pauses, SilenceSettings(margin=0.0), words=words[:1])) == [
        (1.0, 2.7),
        (4.0, 6.0),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("threshold_db", -81.0),
        ("threshold_db", -4.0),
        ("threshold_db", math.nan),
        ("min_silence", 0.04),
        ("min_silence", 10.5),
        ("margin", -0.1),
        ("margin", 2.5),
        ("min_clip", -1.0),
        ("min_clip", 5.5),
    ],
)
def test_out_of_range_settings_are_refused_with_the_range(field: str, value: float) -> None:
    with pytest.raises(InvalidMediaParameter) as raised:
        SilenceSettings(**{field: value})

    assert isinstance(raised.value, ValueError)
    assert set(raised.value.fields) == {field}
    assert "between" in raised.value.message
    assert str(raised.value) == raised.value.message


@pytest.mark.parametrize(
    "settings",
    [
        {"threshold_db": -80.0, "min_silence": 0.05, "margin": 0.0, "min_clip": 0.0},
        {"threshold_db": -5.0, "min_silence": 10.0, "margin": 2.0, "min_clip": 5.0},
    ],
)
def test_settings_at_the_ends_of_their_ranges_are_accepted(settings: dict[str, float]) -> None:
    find_silences(envelope([(1.0, 2.0)], 3.0), SilenceSettings(**settings))


def test_two_hours_are_analysed_in_well_under_a_second() -> None:
    rng = np.random.default_rng(1)
    count = 2 * 3600 * 100
    # Speech-like: loud stretches of 0.2–3 s separated by pauses of 0.05–1.5 s.
    lengths = rng.integers(5, 300, size=count // 60)
    loud = np.zeros(count, dtype=bool)
    position = 0
    for index, length in enumerate(lengths):
        if position >= count:
            break
        loud[position : position + length] = index % 2 == 0
        position += length
    peaks = np.where(loud, 0.3, 0.004).astype(np.float32)
    hours = LoudnessEnvelope(peaks=peaks, window=WINDOW, duration=7200.0)

    started = time.perf_counter()
    cut = find_silences(hours, frame_rate=30.0)
    elapsed = time.perf_counter() - started

    assert len(cut.silences) > 1000
    assert elapsed < 1.0


def test_a_silent_recording_is_one_silence_and_nothing_kept() -> None:
    cut = find_silences(envelope([], 3.0))

    assert cut.silences == (Span(0.0, 3.0),)
    assert cut.kept == ()
