"""A video's sound made small for a transcription model: mono, 16 kHz MP3, in pieces under the upload limit.

OpenAI takes at most 25 MiB per transcription request. At 32 kbit/s an hour of speech is about
14 MiB, so most recordings go in one piece; longer ones are split into pieces of about equal length,
each cut moved to the quietest moment near it (when the sound's loudness envelope is given), so that
no word is cut in two. Each piece remembers where it starts, so the caller can move its timestamps
back onto the whole video.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog

from renum.media.audio import LoudnessEnvelope
from renum.media.ffmpeg import MediaError, NoAudio, run_ffmpeg

__all__ = ["TRANSCRIPTION_LIMIT", "AudioPiece", "piece_bounds", "piece_count", "speech_pieces"]

log = structlog.get_logger(__name__)

TRANSCRIPTION_LIMIT = 25 * 1024 * 1024
"""The most bytes one transcription request may carry."""
SAMPLE_RATE = 16_000
BITRATE = 32_000
# What a piece may hold, below the limit: MP3 frames and headers add a little to the bitrate's count.
_FILL = 0.9
# How far a cut may move to find a pause: a share of a piece's length (so a piece grows by at most
# twice this and stays under the limit), and never more than some seconds.
_SEARCH_SHARE = 0.04
_SEARCH_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class AudioPiece:
    """One file of compressed speech and where it starts in the source, in seconds."""

    path: Path
    offset: float
    duration: float


def piece_count(duration: float, max_bytes: int = TRANSCRIPTION_LIMIT) -> int:
    """How many pieces ``duration`` seconds of speech need to stay under ``max_bytes`` each."""
    seconds_per_piece = max(1.0, max_bytes * 8 / BITRATE * _FILL)
    return max(1, math.ceil(duration / seconds_per_piece))


def piece_bounds(duration: float, count: int, envelope: LoudnessEnvelope | None = None) -> list[float]:
    """Where the pieces start and end: ``count + 1`` times from 0 to ``duration``.

    Cuts fall at equal lengths, each moved to the quietest window within a few seconds of it when
    the envelope is known.
    """
    length = duration / count
    bounds = [index * length for index in range(count + 1)]
    if envelope is None or count == 1 or len(envelope.peaks) == 0:
        return bounds
    reach = min(_SEARCH_SECONDS, length * _SEARCH_SHARE)
    for index in range(1, count):
        low = max(0, int((bounds[index] - reach) / envelope.window))
        high = min(len(envelope.peaks), int((bounds[index] + reach) / envelope.window) + 1)
        if high > low:
            quietest = low + int(np.argmin(envelope.peaks[low:high]))
            bounds[index] = round((quietest + 0.5) * envelope.window, 3)
    return bounds


def speech_pieces(
    source: Path,
    folder: Path,
    *,
    duration: float,
    max_bytes: int = TRANSCRIPTION_LIMIT,
    envelope: LoudnessEnvelope | None = None,
) -> list[AudioPiece]:
    """Write ``source``'s sound into ``folder`` as MP3 pieces of at most ``max_bytes`` each.

    With ``envelope`` the pieces are cut at pauses (see :func:`piece_bounds`). Blocks (run it in a
    thread). Raises :class:`NoAudio` when the video has no sound.
    """
    count = piece_count(duration, max_bytes)
    bounds = piece_bounds(duration, count, envelope)
    pieces = []
    for index in range(count):
        offset, length = bounds[index], bounds[index + 1] - bounds[index]
        path = folder / f"speech-{index:03d}.mp3"
        window = ["-ss", f"{offset:.3f}", "-t", f"{length:.3f}"] if count > 1 else []
        run = run_ffmpeg(
            [
                *window,
                *["-i", str(source), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE)],
                *["-c:a", "libmp3lame", "-b:a", f"{BITRATE // 1000}k", "-y", str(path)],
            ],
            timeout=max(120.0, length),
        )
        if not run.ok:
            if "matches no streams" in run.stderr:
                raise NoAudio(run.stderr)
            raise MediaError(run.stderr)
        size = path.stat().st_size
        if size > max_bytes:
            raise MediaError(f"speech piece {index} is {size} bytes, over {max_bytes}")
        pieces.append(AudioPiece(path=path, offset=offset, duration=length))
    log.info("media.speech_extracted", source=str(source), pieces=count, duration=round(duration, 3))
    return pieces
