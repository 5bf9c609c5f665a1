"""What a video file holds (duration, picture size, frame rate, codecs), read with the bundled ffmpeg.

The wheel ships no ffprobe, so :func:`probe_video` reads the stream summary ffmpeg prints when it opens
a file. The same run seeks to the last seconds and reads their packets without decoding them: a
file whose header promises more than its body holds (an upload cut short) fails there, at the
cost of a few kilobytes of reading, instead of half-way through a render.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

import structlog

from renum.media.ffmpeg import (
    EmptyFile,
    FFmpegRun,
    MediaTimeout,
    NotAVideo,
    NoVideoStream,
    TruncatedVideo,
    run_ffmpeg,
    run_ffmpeg_async,
)

__all__ = ["MediaInfo", "checked_size", "parse_probe_output", "probe_video", "probe_video_async"]

log = structlog.get_logger(__name__)

# Seconds before the end at which the completeness check starts reading.
TAIL_SECONDS = 3
PROBE_TIMEOUT = 60.0
# What ffmpeg says when the bytes a header points to are not in the file, or not one packet of
# the last seconds could be read.
_TRUNCATION_SIGNS = (
    "partial file",
    "corrupt input packet",
    "Packet corrupt",
    "Truncating packet",
    "Output file is empty",
)
_FALLBACK_FRAME_RATE = 30.0
# ffmpeg prints NTSC rates rounded; frame times must use the exact fraction or they drift.
_NTSC_RATES = {23.98: 24000 / 1001, 23.976: 24000 / 1001, 29.97: 30000 / 1001, 59.94: 60000 / 1001}

_INPUT = re.compile(r"^Input #0, (?P<formats>\S+), from ", re.MULTILINE)
_DURATION = re.compile(r"^\s*Duration: (?:(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)|N/A)", re.MULTILINE)
_STREAM = re.compile(r"^\s*Stream #0:\d+\S*: (?P<kind>Video|Audio|Subtitle|Data|Attachment): (?P<rest>.*)$")
_BRAND = re.compile(r"^\s*major_brand\s*:\s*(?P<brand>\S+)", re.MULTILINE)
# A picture size; the lookarounds keep hex tags such as "0x31637661" out.
_SIZE = re.compile(r"(?<![\w])(?P<w>[1-9]\d{0,4})x(?P<h>[1-9]\d{0,4})(?![\w])")
_FPS = re.compile(r"(?P<value>\d+(?:\.\d+)?)(?P<k>k?) (?P<unit>fps|tbr)\b")
_ROTATION = re.compile(r"rotation of (?P<degrees>-?\d+(?:\.\d+)?) degrees")
_TIME = re.compile(r"time=(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """The facts about a video RENUM needs; width and height are as displayed (rotation applied)."""

    path: Path
    duration: float
    size: int
    width: int
    height: int
    frame_rate: float
    video_codec: str
    audio_codec: str | None
    audio_sample_rate: int | None
    container: str
    rotation: int = 0

    @property
    def has_audio(self) -> bool:
        """Whether the file has a sound track."""
        return self.audio_codec is not None


def _probe_args(path: Path, *, check_tail: bool) -> list[str]:
    if not check_tail:
        # Demux the whole file without decoding: the only way to learn the length of a file whose
        # header does not say (browser recordings), still far cheaper than decoding.
        return ["-nostats", "-i", str(path), "-map", "0:v?", "-map", "0:a?", "-c", "copy", "-f", "null", "-"]
    return [
        "-nostats",
        "-sseof",
        f"-{TAIL_SECONDS}",
        "-i",
        str(path),
        "-map",
        "0:v?",
        "-map",
        "0:a?",
        "-c",
        "copy",
        "-f",
        "null",
        "-",
    ]


def probe_video(path: Path | str) -> MediaInfo:
    """Read what ``path`` holds; raise :class:`EmptyFile`, :class:`NotAVideo` or :class:`TruncatedVideo`."""
    path = Path(path)
    size = checked_size(path)
    run = run_ffmpeg(_probe_args(path, check_tail=True), timeout=PROBE_TIMEOUT)
    if _duration_unknown(run):
        run = run_ffmpeg(_probe_args(path, check_tail=False), timeout=PROBE_TIMEOUT)
    return _finish(path, size, run)


async def probe_video_async(path: Path | str) -> MediaInfo:
    """:func:`probe_video` without blocking the event loop (for request handlers and jobs)."""
    path = Path(path)
    size = checked_size(path)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            run = await run_ffmpeg_async(_probe_args(path, check_tail=True))
            if _duration_unknown(run):
                run = await run_ffmpeg_async(_probe_args(path, check_tail=False))
    except TimeoutError as error:
        raise MediaTimeout(f"probing ran longer than {PROBE_TIMEOUT} s") from error
    return _finish(path, size, run)


def checked_size(path: Path) -> int:
    """The size of ``path`` in bytes; raise :class:`EmptyFile` for zero (and ``OSError`` if it is missing)."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyFile(str(path))
    return size


def _duration_unknown(run: FFmpegRun) -> bool:
    match = _DURATION.search(run.stderr)
    return match is not None and match.group("h") is None


def _finish(path: Path, size: int, run: FFmpegRun) -> MediaInfo:
    info = parse_probe_output(run.stderr, path=path, size=size)
    if any(sign in run.stderr for sign in _TRUNCATION_SIGNS):
        raise TruncatedVideo(run.stderr)
    log.info(
        "media.probed",
        path=str(path),
        duration=info.duration,
        width=info.width,
        height=info.height,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
    )
    return info


def parse_probe_output(stderr: str, *, path: Path, size: int) -> MediaInfo:
    """Build :class:`MediaInfo` from what ``ffmpeg -i`` printed, or raise the error the text shows."""
    input_match = _INPUT.search(stderr)
    if input_match is None:
        raise _open_error(stderr, path)

    video: str | None = None
    audio: str | None = None
    rotation = 0
    in_video = False
    for line in stderr.splitlines():
        if line.startswith(("Output #", "Stream mapping:")):
            break
        stream = _STREAM.match(line)
        if stream is not None:
            kind, rest = stream.group("kind"), stream.group("rest")
            # A cover image inside an audio file is a "video" stream with one frame; it is no video.
            in_video = kind == "Video" and video is None and "(attached pic)" not in rest
            if in_video:
                video = rest
            elif kind == "Audio" and audio is None:
                audio = rest
            continue
        rotation_match = _ROTATION.search(line)
        if in_video and rotation_match is not None:
            rotation = round(float(rotation_match.group("degrees"))) % 360

    if video is None:
        raise NoVideoStream(stderr)

    width, height = _size(video)
    if rotation in (90, 270):
        width, height = height, width
    return MediaInfo(
        path=path,
        duration=_duration(stderr),
        size=size,
        width=width,
        height=height,
        frame_rate=_frame_rate(video),
        video_codec=_codec(video),
        audio_codec=_codec(audio) if audio is not None else None,
        audio_sample_rate=_sample_rate(audio),
        container=_container(input_match.group("formats"), stderr, path),
        rotation=rotation,
    )


def _open_error(stderr: str, path: Path) -> Exception:
    # An MP4 or MOV begins with an "ftyp" box. One that has it but will not open was almost
    # always cut short (its index is written last); anything else is not a video at all.
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[4:8] == b"ftyp":
        return TruncatedVideo(stderr)
    return NotAVideo(stderr)


def _codec(stream: str) -> str:
    return stream.split(maxsplit=1)[0].rstrip(",")


def _size(stream: str) -> tuple[int, int]:
    match = _SIZE.search(stream)
    if match is None:
        raise NotAVideo("no picture size in: " + stream)
    return int(match.group("w")), int(match.group("h"))


def _frame_rate(stream: str) -> float:
    rates = {match.group("unit"): match for match in _FPS.finditer(stream)}
    for unit in ("fps", "tbr"):
        match = rates.get(unit)
        if match is not None:
            value = float(match.group("value")) * (1000 if match.group("k") else 1)
            if value > 0:
                return _NTSC_RATES.get(value, value)
    log.warning("media.frame_rate_unknown", stream=stream)
    return _FALLBACK_FRAME_RATE


def _sample_rate(stream: str | None) -> int | None:
    if stream is None:
        return None
    match = re.search(r"(\d+) Hz", stream)
    return int(match.group(1)) if match else None


def _duration(stderr: str) -> float:
    match = _DURATION.search(stderr)
    if match is not None and match.group("h") is not None:
        return int(match.group("h")) * 3600 + int(match.group("m")) * 60 + float(match.group("s"))
    # No duration in the header: the demuxing run reached the end, and its last time= says where.
    times = list(_TIME.finditer(stderr))
    if not times:
        raise NotAVideo("no duration")
    last = times[-1]
    return int(last.group("h")) * 3600 + int(last.group("m")) * 60 + float(last.group("s"))


def _container(formats: str, stderr: str, path: Path) -> str:
    names = formats.split(",")
    if names[0] == "mov":
        brand = _BRAND.search(stderr)
        return "mov" if brand is not None and brand.group("brand").startswith("qt") else "mp4"
    if names[0] == "matroska":
        return "webm" if path.suffix.lower() == ".webm" else "matroska"
    return names[0]
