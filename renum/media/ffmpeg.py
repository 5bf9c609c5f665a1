"""The ffmpeg binary from the ``imageio-ffmpeg`` wheel, how RENUM runs it, and the errors it raises.

No system install is needed: the wheel ships a static ffmpeg (and no ffprobe). Every failure a
creator can meet is a :class:`MediaError` whose ``message`` is a constant English sentence saying
what to do next; ffmpeg's own words go to ``detail``, for the logs only.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import subprocess
import tempfile
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import structlog

from renum.errors import RenumError
from renum.i18n import N_

__all__ = [
    "CaptionsUnsupported",
    "EmptyFile",
    "FFmpegNotFound",
    "FFmpegRun",
    "InvalidMediaParameter",
    "MediaError",
    "MediaTimeout",
    "NoAudio",
    "NoVideoStream",
    "NotAVideo",
    "RenderFailed",
    "TruncatedVideo",
    "available_filters",
    "ffmpeg_path",
    "open_ffmpeg",
    "run_ffmpeg",
    "run_ffmpeg_async",
]

log = structlog.get_logger(__name__)

# Keep only the start of ffmpeg's stderr (the description of the input) and its end (the reason
# for a failure): a corrupt file can make ffmpeg print one warning per packet for hours of video.
STDERR_HEAD_LINES = 100
STDERR_TAIL_LINES = 60

LineCallback = Callable[[str], Awaitable[None] | None]


class MediaError(RenumError):
    """A video could not be read or written; ``message`` tells the creator what to do."""

    status_code = 422
    code = "media_error"
    default_message = N_("Something went wrong while working on this video. Try again.")

    def __init__(self, detail: str = "") -> None:
        super().__init__()
        self.detail = detail


class FFmpegNotFound(MediaError):
    """The bundled ffmpeg binary is missing or cannot run."""

    code = "ffmpeg_missing"
    default_message = N_("Video tools are missing on this server. Ask the administrator to reinstall RENUM.")


class EmptyFile(MediaError):
    """The file has zero bytes."""

    code = "empty_file"
    default_message = N_("The file is empty. Export the video again and upload the new file.")


class NotAVideo(MediaError):
    """ffmpeg cannot read the file as a video (a document renamed .mp4, say)."""

    code = "not_a_video"
    default_message = N_("This file is not a video RENUM can read. Export it as MP4 (H.264) and try again.")


class NoVideoStream(NotAVideo):
    """The file holds sound but no picture (or only a cover image)."""

    code = "no_video_stream"
    default_message = N_("This file has sound but no picture. Upload the video itself, not only its audio.")


class TruncatedVideo(MediaError):
    """The file ends early: an upload or an export that stopped before the end."""

    code = "truncated_video"
    default_message = N_("The video file is incomplete: its upload or export stopped early. Upload it again.")


class NoAudio(MediaError):
    """The video has no audio stream, so there is nothing to listen to."""

    code = "no_audio"
    default_message = N_("This video has no sound, so there is nothing to cut. Upload a version with sound.")


class MediaTimeout(MediaError):
    """ffmpeg took longer than the caller allowed."""

    code = "media_timeout"
    default_message = N_("Working on this video took too long. Try a shorter video, or try again later.")


class RenderFailed(MediaError):
    """ffmpeg stopped with an error while writing the output video."""

    code = "render_failed"
    default_message = N_(
        "The video could not be rendered. Try again; if it fails again, upload the original once more."
    )


class CaptionsUnsupported(MediaError):
    """This ffmpeg build can draw no text (neither libass nor drawtext)."""

    code = "captions_unsupported"
    default_message = N_(
        "Burned-in captions are not available on this server. Render without captions, or ask the "
        "administrator for an ffmpeg built with libass."
    )


class InvalidMediaParameter(MediaError, ValueError):
    """A setting is out of its range; ``message`` names it and the range, ``fields`` maps it for forms."""

    code = "invalid_media_parameter"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(detail=field)
        self.message = message
        self.fields = {field: message}
        self.args = (message,)


@dataclass(frozen=True, slots=True)
class FFmpegRun:
    """How one ffmpeg run ended: its exit code and the first and last lines it wrote to stderr."""

    returncode: int
    stderr: str

    @property
    def ok(self) -> bool:
        """Whether ffmpeg exited with status 0."""
        return self.returncode == 0


@cache
def ffmpeg_path() -> str:
    """The path of the ffmpeg binary in the ``imageio-ffmpeg`` wheel (``IMAGEIO_FFMPEG_EXE`` overrides it)."""
    try:
        import imageio_ffmpeg
    except ImportError as error:
        raise FFmpegNotFound("imageio-ffmpeg is not installed") from error
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as error:
        raise FFmpegNotFound(str(error)) from error


def _command(args: Sequence[str]) -> list[str]:
    # -nostdin: ffmpeg must never wait on a terminal that a worker does not have.
    return [ffmpeg_path(), "-nostdin", "-hide_banner", *args]


class _Excerpt:
    """The first and last lines of a stream of text, however long the middle."""

    def __init__(self) -> None:
        self.head: list[str] = []
        self.tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        self.skipped = 0

    def add(self, line: str) -> None:
        if len(self.head) < STDERR_HEAD_LINES:
            self.head.append(line)
            return
        if len(self.tail) == self.tail.maxlen:
            self.skipped += 1
        self.tail.append(line)

    def text(self) -> str:
        gap = [f"[... {self.skipped} lines ...]"] if self.skipped else []
        return "\n".join([*self.head, *gap, *self.tail])


def _excerpt(lines: Iterable[bytes]) -> str:
    excerpt = _Excerpt()
    for raw in lines:
        excerpt.add(raw.decode("utf-8", "replace").rstrip())
    return excerpt.text()


def run_ffmpeg(args: Sequence[str], *, timeout: float | None = 120.0) -> FFmpegRun:
    """Run ffmpeg with ``args`` to the end, discarding stdout; :class:`MediaTimeout` past ``timeout``."""
    command = _command(args)
    try:
        # The command is a list built by RENUM (no shell); file paths are its only outside input.
        done = subprocess.run(  # noqa: S603
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise MediaTimeout(f"ffmpeg ran longer than {timeout} s") from error
    except OSError as error:
        raise FFmpegNotFound(str(error)) from error
    return FFmpegRun(done.returncode, _excerpt(done.stderr.splitlines()))


async def run_ffmpeg_async(args: Sequence[str], *, on_stdout_line: LineCallback | None = None) -> FFmpegRun:
    """Run ffmpeg without blocking the event loop, handing each stdout line to ``on_stdout_line``.

    If the caller is cancelled (``asyncio.timeout`` included) or ``on_stdout_line`` raises, ffmpeg
    is killed before the exception propagates, so no process outlives its job.
    """
    try:
        process = await asyncio.create_subprocess_exec(
            *_command(args),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as error:
        raise FFmpegNotFound(str(error)) from error
    assert process.stdout is not None and process.stderr is not None
    stderr = _Excerpt()

    async def read_stderr(stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            stderr.add(raw.decode("utf-8", "replace").rstrip())

    async def read_stdout(stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            if on_stdout_line is not None:
                outcome = on_stdout_line(raw.decode("utf-8", "replace").rstrip())
                if inspect.isawaitable(outcome):
                    await outcome

    stderr_reader = asyncio.ensure_future(read_stderr(process.stderr))
    try:
        await read_stdout(process.stdout)
        await stderr_reader
        returncode = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        stderr_reader.cancel()
    return FFmpegRun(returncode, stderr.text())


@contextmanager
def open_ffmpeg(args: Sequence[str]) -> Iterator[tuple[subprocess.Popen[bytes], Callable[[], FFmpegRun]]]:
    """Start ffmpeg with its stdout as a pipe to read from; yield the process and a ``finish`` function.

    ``finish()`` waits for ffmpeg and returns how it ended. Leaving the block early kills ffmpeg.
    stderr goes to a temporary file rather than a pipe: a pipe nobody reads would fill up on a
    noisy file and stall ffmpeg while we wait on its stdout.
    """
    with tempfile.TemporaryFile() as stderr_file:
        try:
            # A list built by RENUM, no shell.
            process = subprocess.Popen(  # noqa: S603
                _command(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file
            )
        except OSError as error:
            raise FFmpegNotFound(str(error)) from error

        def finish() -> FFmpegRun:
            returncode = process.wait()
            stderr_file.seek(0)
            return FFmpegRun(returncode, _excerpt(stderr_file))

        try:
            yield process, finish
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()


_FILTER_LINE = re.compile(r"^\s*[TSC.]{2,3}\s+(\w+)\s+\S+->\S+", re.MULTILINE)


@cache
def available_filters() -> frozenset[str]:
    """The names of the filters this ffmpeg build has (``subtitles`` needs libass, ``drawtext`` freetype)."""
    try:
        done = subprocess.run(  # noqa: S603
            _command(["-filters"]), stdin=subprocess.DEVNULL, capture_output=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FFmpegNotFound(str(error)) from error
    names = frozenset(_FILTER_LINE.findall(done.stdout.decode("utf-8", "replace")))
    log.debug("media.ffmpeg_filters", count=len(names))
    return names
