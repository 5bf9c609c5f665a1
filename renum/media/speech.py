"""A video's sound made small for a transcription model: mono, 16 kHz MP3, in pieces under the upload limit.

OpenAI takes at most 25 MiB per transcription request. At 32 kbit/s an hour of speech is about
14 MiB, so most recordings go in one piece; longer ones are split at fixed times and each piece
remembers where it starts, so the caller can move its timestamps back onto the whole video.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import structlog

from renum.media.ffmpeg import MediaError, NoAudio, run_ffmpeg

__all__ = ["TRANSCRIPTION_LIMIT", "AudioPiece", "speech_pieces"]

log = structlog.get_logger(__name__)

TRANSCRIPTION_LIMIT = 25 * 1024 * 1024
"""The most bytes one transcription request may carry."""
SAMPLE_RATE = 16_000
BITRATE = 32_000
# What a piece may hold, below the limit: MP3 frames and headers add a little to the bitrate's count.
_FILL = 0.9


@dataclass(frozen=True, slots=True)
class AudioPiece:
    """One file of compressed speech and where it starts in the source, in seconds."""

    path: Path
    offset: float
    duration: float


def speech_pieces(
    source: Path, folder: Path, *, duration: float, max_bytes: int = TRANSCRIPTION_LIMIT
) -> list[AudioPiece]:
    """Write ``source``'s sound into ``folder`` as MP3 pieces of at most ``max_bytes`` each.

    Blocks (run it in a thread). Raises :class:`NoAudio` when the video has no sound.
    """
    seconds_per_piece = max(1.0, max_bytes * 8 / BITRATE * _FILL)
    count = max(1, math.ceil(duration / seconds_per_piece))
    length = duration / count
    pieces = []
    for index in range(count):
        offset = index * length
        path = folder / f"speech-{index:03d}.mp3"
        # TODO: split at a pause rather than at a fixed time — a word cut in two may be misheard (issue 5).
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
