"""The sound of a video as numbers: only its audio stream, decoded by ffmpeg into numpy, in chunks.

ffmpeg skips the picture entirely (``-vn`` before the input, ``-map 0:a:0``), mixes down to mono
and resamples to a modest rate; Python reads fixed-size chunks straight into numpy arrays, so a
two-hour video costs a few hundred kilobytes of buffer for the loudness envelope, never the
whole track.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt
import structlog

from renum.i18n import N_
from renum.media.ffmpeg import FFmpegRun, InvalidMediaParameter, NoAudio, NotAVideo, open_ffmpeg
from renum.media.probe import MediaInfo, checked_size, parse_probe_output

__all__ = [
    "DEFAULT_SAMPLE_RATE",
    "DEFAULT_WINDOW",
    "LoudnessEnvelope",
    "decode_audio",
    "envelope_from_samples",
    "iter_audio",
    "load_envelope",
    "read_envelope",
    "read_envelope_and_info",
    "save_envelope",
]

log = structlog.get_logger(__name__)

DEFAULT_SAMPLE_RATE = 16_000
# 10 ms windows: fine enough to place a cut within half a video frame, coarse enough that two hours
# make a 720,000-value envelope.
DEFAULT_WINDOW = 0.01
CHUNK_SECONDS = 10.0
FULL_SCALE = 32768.0


@dataclass(frozen=True, slots=True)
class LoudnessEnvelope:
    """The peak level of each short window of a sound track, from 0 (silence) to 1 (full scale)."""

    peaks: npt.NDArray[np.float32]
    window: float
    duration: float

    def __post_init__(self) -> None:
        if self.window <= 0:
            raise InvalidMediaParameter("window", N_("The analysis window must be longer than zero seconds."))


def _decode_args(path: Path, sample_rate: int) -> list[str]:
    return [
        # Info level so that ffmpeg describes the input (see read_envelope_and_info); no stats lines.
        "-nostats",
        # As input options these stop the demuxer from handing picture, subtitle and data packets
        # on, so nothing but the sound is ever decoded.
        "-vn",
        "-sn",
        "-dn",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        # Pad a late-starting track with silence so sample 0 is time 0, as in the render.
        "-af",
        "aresample=async=1:first_pts=0",
        "-ac",
        "1",
        "-ar",
        str(sample_rate),
        "-f",
        "s16le",
        "-",
    ]


def iter_audio(
    path: Path | str, *, sample_rate: int = DEFAULT_SAMPLE_RATE, chunk_seconds: float = CHUNK_SECONDS
) -> Iterator[npt.NDArray[np.int16]]:
    """Yield the mono audio of ``path`` as int16 arrays of ``chunk_seconds`` (the last may be shorter).

    Each array is fresh; raises :class:`NoAudio` when the file has no sound track and
    :class:`NotAVideo` when ffmpeg cannot read it.
    """
    _check_rate(sample_rate)
    return _chunks(Path(path), sample_rate, max(1, round(sample_rate * chunk_seconds)))


def _chunks(
    path: Path,
    sample_rate: int,
    chunk_samples: int,
    runs: list[FFmpegRun] | None = None,
) -> Iterator[npt.NDArray[np.int16]]:
    """Decoded chunks; when ``runs`` is given, how ffmpeg's run ended is appended to it."""
    checked_size(path)
    with open_ffmpeg(_decode_args(path, sample_rate)) as (process, finish):
        assert process.stdout is not None
        while True:
            chunk = np.empty(chunk_samples, dtype=np.int16)
            filled = _read_into(process.stdout, chunk)
            if filled:
                yield chunk[:filled]
            if filled < chunk_samples:
                break
        run = finish()
        _raise_for(run, path)
        if runs is not None:
            runs.append(run)


def decode_audio(
    path: Path | str, *, sample_rate: int = DEFAULT_SAMPLE_RATE, expected_seconds: float | None = None
) -> npt.NDArray[np.float32]:
    """The whole mono track of ``path`` as float32 in [-1, 1]; meant for short clips and tests.

    ``expected_seconds`` (from :func:`~renum.media.probe.probe_video`) lets the samples be read
    straight into one preallocated array; without it, or if the track runs longer, the array grows.
    """
    _check_rate(sample_rate)
    path = Path(path)
    checked_size(path)
    capacity = math.ceil((expected_seconds or 60.0) * sample_rate) + sample_rate
    samples = np.empty(capacity, dtype=np.int16)
    filled = 0
    with open_ffmpeg(_decode_args(path, sample_rate)) as (process, finish):
        assert process.stdout is not None
        while True:
            if filled == len(samples):
                samples = np.resize(samples, len(samples) * 2)
            got = _read_into(process.stdout, samples[filled:])
            filled += got
            if filled < len(samples):
                break
        _raise_for(finish(), path)
    return samples[:filled].astype(np.float32) / np.float32(FULL_SCALE)


def read_envelope(
    path: Path | str, *, window: float = DEFAULT_WINDOW, sample_rate: int = DEFAULT_SAMPLE_RATE
) -> LoudnessEnvelope:
    """Decode the sound of ``path`` and keep only the peak of each ``window`` seconds, chunk by chunk."""
    return _read_envelope(Path(path), window, sample_rate, None)


def read_envelope_and_info(
    path: Path | str, *, window: float = DEFAULT_WINDOW, sample_rate: int = DEFAULT_SAMPLE_RATE
) -> tuple[LoudnessEnvelope, MediaInfo]:
    """:func:`read_envelope`, and what ffmpeg said about the video as it opened it, from the same run.

    The :class:`MediaInfo` is the one :func:`~renum.media.probe.probe_video` gives, without its
    check that the file is complete (done at upload); it saves a second ffmpeg run.
    """
    path = Path(path)
    runs: list[FFmpegRun] = []
    envelope = _read_envelope(path, window, sample_rate, runs)
    return envelope, parse_probe_output(runs[0].stderr, path=path, size=path.stat().st_size)


def _read_envelope(
    path: Path,
    window: float,
    sample_rate: int,
    runs: list[FFmpegRun] | None,
) -> LoudnessEnvelope:
    window_samples = _window_samples(window, sample_rate)
    # Whole windows per chunk, so no window straddles two chunks.
    chunk_samples = max(1, round(CHUNK_SECONDS * sample_rate / window_samples)) * window_samples
    parts: list[npt.NDArray[np.float32]] = []
    total = 0
    for chunk in _chunks(path, sample_rate, chunk_samples, runs):
        parts.append(_window_peaks(chunk, window_samples))
        total += len(chunk)
    peaks = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    envelope = LoudnessEnvelope(
        peaks=peaks,
        window=window_samples / sample_rate,
        duration=total / sample_rate,
    )
    log.info("media.audio_decoded", path=str(path), duration=envelope.duration, windows=len(peaks))
    return envelope


def envelope_from_samples(
    samples: npt.NDArray[np.floating] | npt.NDArray[np.int16],
    sample_rate: int,
    *,
    window: float = DEFAULT_WINDOW,
) -> LoudnessEnvelope:
    """The envelope of samples already in memory (int16, or float in [-1, 1])."""
    window_samples = _window_samples(window, sample_rate)
    whole: npt.NDArray[np.int16]
    if samples.dtype == np.int16:
        whole = samples.astype(np.int16, copy=False)
    else:
        whole = np.clip(np.round(samples * FULL_SCALE), -FULL_SCALE, FULL_SCALE - 1).astype(np.int16)
    return LoudnessEnvelope(
        peaks=_window_peaks(whole, window_samples),
        window=window_samples / sample_rate,
        duration=len(samples) / sample_rate,
    )


def _window_peaks(samples: npt.NDArray[np.int16], window_samples: int) -> npt.NDArray[np.float32]:
    whole = len(samples) // window_samples * window_samples
    blocks = samples[:whole].reshape(-1, window_samples)
    # int32 before negating: -(-32768) does not fit in int16.
    peaks = np.maximum(blocks.max(axis=1).astype(np.int32), -blocks.min(axis=1).astype(np.int32))
    if whole < len(samples):
        rest = samples[whole:].astype(np.int32)
        peaks = np.append(peaks, max(int(rest.max()), -int(rest.min())))
    return (peaks / FULL_SCALE).astype(np.float32)


def _read_into(stream: IO[bytes], target: npt.NDArray[np.int16]) -> int:
    """Fill ``target`` from ``stream``; answer how many samples arrived (fewer only at the end)."""
    view = target.data.cast("B")
    filled = 0
    while filled < len(view):
        got = stream.readinto(view[filled:])  # type: ignore[attr-defined]
        if not got:
            break
        filled += got
    # A sample split across the end of the stream cannot happen with s16le, but stay whole anyway.
    return filled // target.itemsize


def _raise_for(run: FFmpegRun, path: Path) -> None:
    if run.ok:
        return
    if "matches no streams" in run.stderr:
        raise NoAudio(run.stderr)
    if "Error opening input" in run.stderr:
        # Classified by the same rules as the upload check (truncated, or not a video at all).
        parse_probe_output(run.stderr, path=path, size=path.stat().st_size)
    raise NotAVideo(run.stderr or f"ffmpeg exited with {run.returncode}")


def _window_samples(window: float, sample_rate: int) -> int:
    _check_rate(sample_rate)
    if not (0.001 <= window <= 1.0):
        raise InvalidMediaParameter("window", N_("The analysis window must be between 1 ms and 1 s."))
    return max(1, round(window * sample_rate))


def _check_rate(sample_rate: int) -> None:
    if not (1000 <= sample_rate <= 192_000):
        raise InvalidMediaParameter("sample_rate", N_("The sample rate must be 1,000 to 192,000 Hz."))


def save_envelope(envelope: LoudnessEnvelope, path: Path) -> None:
    """Keep an envelope in ``path`` (NumPy's ``.npz``), written whole or not at all."""
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as file:
        np.savez(file, peaks=envelope.peaks, window=envelope.window, duration=envelope.duration)
    partial.replace(path)


def load_envelope(path: Path) -> LoudnessEnvelope | None:
    """The envelope kept in ``path``, or ``None`` when there is none (or it cannot be read)."""
    try:
        with np.load(path) as kept:
            return LoudnessEnvelope(
                peaks=kept["peaks"].astype(np.float32, copy=False),
                window=float(kept["window"]),
                duration=float(kept["duration"]),
            )
    except (OSError, KeyError, ValueError) as exc:
        if path.exists():
            log.warning("media.envelope_unreadable", path=path.name, error=type(exc).__name__)
        return None
