"""Where a video is silent, and what is left once those silences are cut.

The rules follow auto-editor's defaults, which creators know: a 10 ms window is loud when its peak
reaches 0.04 of full scale (about −28 dBFS); loud blips shorter than ``min_clip`` are noise;
``margin`` seconds are kept on each side of speech; a pause is cut only if what would be removed
lasts at least ``min_silence``. Everything runs on whole numpy arrays. When word timestamps come
with the video, no cut may reach into a word: a cut that would is shrunk (or split around the
word) and dropped if what remains is too short.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import structlog

from renum.i18n import N_
from renum.media.audio import LoudnessEnvelope, read_envelope_and_info
from renum.media.ffmpeg import InvalidMediaParameter

__all__ = [
    "SilenceCut",
    "SilenceSettings",
    "Span",
    "analyse_silences",
    "find_silences",
    "kept_between",
]

log = structlog.get_logger(__name__)

# Each setting's allowed range and what the creator is told when a value falls outside it.
_RANGES: dict[str, tuple[float, float, str]] = {
    "threshold_db": (-80.0, -5.0, N_("The silence threshold must be between −80 and −5 dBFS.")),
    "min_silence": (0.05, 10.0, N_("The shortest silence to cut must be between 0.05 and 10 seconds.")),
    "margin": (0.0, 2.0, N_("The margin kept around speech must be between 0 and 2 seconds.")),
    "min_clip": (0.0, 5.0, N_("The shortest sound to keep must be between 0 and 5 seconds.")),
}
# Slack for floating-point time arithmetic (a microsecond is far below a sample at 48 kHz).
_EPSILON = 1e-6


class Span(NamedTuple):
    """A stretch of time in seconds, start included, end excluded."""

    start: float
    end: float

    @property
    def length(self) -> float:
        """How long the span lasts, in seconds."""
        return self.end - self.start


@dataclass(frozen=True, slots=True, kw_only=True)
class SilenceSettings:
    """How eager the cutter is; the defaults are auto-editor's, which creators already know."""

    threshold_db: float = -28.0
    """A window is loud when its peak reaches this level, in dBFS (−28 dBFS ≈ 0.04 of full scale)."""
    min_silence: float = 0.2
    """Shorter pauses are left alone, in seconds."""
    margin: float = 0.2
    """Kept on each side of speech so words are not clipped, in seconds."""
    min_clip: float = 0.1
    """Loud stretches shorter than this are noise (a click, a bump), in seconds."""

    def __post_init__(self) -> None:
        for field, (low, high, message) in _RANGES.items():
            value = getattr(self, field)
            # Written so that NaN fails too.
            if not (low <= value <= high):
                raise InvalidMediaParameter(field, message)

    @property
    def threshold(self) -> float:
        """The threshold as a fraction of full scale."""
        return float(10 ** (self.threshold_db / 20))


@dataclass(frozen=True, slots=True)
class SilenceCut:
    """The silences to remove from a video and the spans that remain, in source seconds."""

    silences: tuple[Span, ...]
    kept: tuple[Span, ...]
    duration: float

    @property
    def kept_duration(self) -> float:
        """How long the video lasts once the silences are cut."""
        return sum(span.length for span in self.kept)

    @property
    def time_saved(self) -> float:
        """How many seconds the cut removes."""
        return sum(span.length for span in self.silences)


def find_silences(
    envelope: LoudnessEnvelope,
    settings: SilenceSettings | None = None,
    *,
    words: Iterable[tuple[float, float]] | None = None,
    frame_rate: float | None = None,
) -> SilenceCut:
    """Decide what to cut from a loudness envelope.

    ``words`` are (start, end) seconds of spoken words (from a transcription); no cut overlaps one.
    ``frame_rate`` moves each cut inwards to the nearest video frame boundaries, so the spans are
    exactly what :func:`renum.media.render.render_video` keeps and its output lasts ``kept_duration``.
    """
    settings = settings or SilenceSettings()
    window = envelope.window
    loud = envelope.peaks >= settings.threshold

    loud = _drop_short_runs(loud, True, math.ceil(settings.min_clip / window - _EPSILON))
    margin_windows = round(settings.margin / window)
    if margin_windows:
        loud = _dilate(loud, margin_windows)

    starts, ends = _runs(~loud)
    cut_starts = (starts * window).astype(np.float64)
    cut_ends = np.minimum(ends * window, envelope.duration).astype(np.float64)
    # The last window may be partial, so a cut that reaches it ends with the audio.
    cut_ends[ends == len(loud)] = envelope.duration

    if words is not None:
        cut_starts, cut_ends = _subtract(cut_starts, cut_ends, _merged(words))
    if frame_rate is not None:
        cut_starts, cut_ends = _inward_to_frames(cut_starts, cut_ends, frame_rate, envelope.duration)
    long_enough = cut_ends - cut_starts >= settings.min_silence - _EPSILON
    cut_starts, cut_ends = cut_starts[long_enough], cut_ends[long_enough]

    # Rounded inwards to the microsecond: float noise (2.3000000000000003, -0.0) stays out of the
    # results, and rounding never moves a cut into a word.
    cut_starts = np.ceil(cut_starts * 1e6 - 1e-3) / 1e6 + 0.0
    cut_ends = np.floor(cut_ends * 1e6 + 1e-3) / 1e6 + 0.0
    silences = tuple(Span(float(s), float(e)) for s, e in zip(cut_starts, cut_ends, strict=True))
    kept = kept_between(silences, envelope.duration)
    cut = SilenceCut(silences=silences, kept=kept, duration=envelope.duration)
    log.info(
        "media.silences_found",
        silences=len(cut.silences),
        duration=round(cut.duration, 3),
        time_saved=round(cut.time_saved, 3),
        threshold_db=settings.threshold_db,
    )
    return cut


def analyse_silences(
    path: Path | str,
    settings: SilenceSettings | None = None,
    *,
    words: Iterable[tuple[float, float]] | None = None,
) -> SilenceCut:
    """Decode only the sound of ``path`` and find its silences, aligned to its video frames.

    One ffmpeg run does it all: the frame rate comes from the description ffmpeg prints as it
    opens the file. Blocks; from async code, run it in a thread.
    """
    envelope, info = read_envelope_and_info(path)
    return find_silences(envelope, settings, words=words, frame_rate=info.frame_rate)


def kept_between(silences: Sequence[Span], duration: float) -> tuple[Span, ...]:
    """The spans of ``[0, duration]`` outside sorted, disjoint ``silences``."""
    kept: list[Span] = []
    position = 0.0
    for silence in silences:
        if silence.start > position + _EPSILON:
            kept.append(Span(position, silence.start))
        position = max(position, silence.end)
    if duration > position + _EPSILON:
        kept.append(Span(position, duration))
    return tuple(kept)


def _runs(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start and end (exclusive) indices of each run of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _drop_short_runs(mask: npt.NDArray[np.bool_], value: bool, min_length: int) -> npt.NDArray[np.bool_]:
    """``mask`` with each run of ``value`` shorter than ``min_length`` windows flipped."""
    if min_length <= 1:
        return mask
    starts, ends = _runs(mask if value else ~mask)
    short = ends - starts < min_length
    # +1 where a short run starts, -1 where it ends; the running sum marks the windows inside one.
    delta = np.zeros(len(mask) + 1, dtype=np.int32)
    delta[starts[short]] += 1
    delta[ends[short]] -= 1
    inside = np.cumsum(delta[:-1]) > 0
    result = mask.copy()
    result[inside] = not value
    return result


def _dilate(mask: npt.NDArray[np.bool_], reach: int) -> npt.NDArray[np.bool_]:
    """True wherever a True of ``mask`` lies within ``reach`` windows."""
    count = len(mask)
    totals = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
    index = np.arange(count)
    upper = np.minimum(index + reach + 1, count)
    lower = np.maximum(index - reach, 0)
    return totals[upper] - totals[lower] > 0


def _merged(words: Iterable[tuple[float, float]]) -> npt.NDArray[np.float64]:
    """Words as sorted, disjoint (start, end) rows, overlapping words joined."""
    rows = np.array([(float(start), float(end)) for start, end in words if end > start], dtype=np.float64)
    if rows.size == 0:
        return np.zeros((0, 2))
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    # A word starts a new group when it begins after every earlier word has ended.
    running_end = np.maximum.accumulate(rows[:, 1])
    new_group = np.concatenate(([True], rows[1:, 0] > running_end[:-1]))
    group_starts = rows[new_group, 0]
    group_ends = np.maximum.reduceat(rows[:, 1], np.flatnonzero(new_group))
    return np.column_stack((group_starts, group_ends))


def _subtract(
    starts: npt.NDArray[np.float64], ends: npt.NDArray[np.float64], words: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The cuts with every moment inside a word taken out."""
    if len(words) == 0:
        return starts, ends
    word_starts, word_ends = words[:, 0], words[:, 1]
    pieces_start: list[float] = []
    pieces_end: list[float] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        # Words are disjoint and sorted, so the ones overlapping this cut are consecutive.
        first = int(np.searchsorted(word_ends, start, side="right"))
        position = start
        index = first
        while index < len(words) and word_starts[index] < end:
            if word_starts[index] > position:
                pieces_start.append(position)
                pieces_end.append(float(word_starts[index]))
            position = max(position, float(word_ends[index]))
            index += 1
        if end > position:
            pieces_start.append(position)
            pieces_end.append(end)
    return np.array(pieces_start, dtype=np.float64), np.array(pieces_end, dtype=np.float64)


def _inward_to_frames(
    starts: npt.NDArray[np.float64], ends: npt.NDArray[np.float64], frame_rate: float, duration: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Cuts shrunk to whole video frames: a cut may only lose time to speech, never take it."""
    if frame_rate <= 0:
        raise InvalidMediaParameter("frame_rate", N_("The frame rate must be above zero."))
    snapped_starts = np.ceil(starts * frame_rate - _EPSILON) / frame_rate
    snapped_ends = np.floor(ends * frame_rate + _EPSILON) / frame_rate
    # A cut that runs to the end of the file keeps running to it, frame boundary or not.
    snapped_ends = np.where(ends >= duration - _EPSILON, duration, snapped_ends)
    return snapped_starts, snapped_ends
