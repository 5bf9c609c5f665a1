"""Render a finished video: silences cut, captions burned in, reframed for a platform, as H.264/AAC MP4.

How it is done, and why:

- **Cutting** uses ``trim``/``atrim`` per kept span joined by ``concat``, in one ffmpeg pass. Each
  span is first moved out to whole video frames, so every piece of picture and sound has the same
  length to the sample and sync cannot drift however many cuts there are. (``select``/``aselect``
  would be one expression, but ``aselect`` keeps or drops whole audio frames, ~21 ms each, and
  those errors add up over hundreds of cuts.) The extra cost over a plain re-encode is decoding
  the parts that are cut away.
- **Captions** are written to an ASS file and drawn by libass (the ``ass`` filter) when this
  ffmpeg has it, which gives wrapping and an outline; otherwise each cue becomes a ``drawtext``
  filter; with neither, :class:`CaptionsUnsupported`. Cues are in source time and are moved onto
  the cut timeline here.
- **Reframing** to 9:16, 1:1 or 16:9 centre-crops by default (a talking head fills the frame, and
  a platform's own buttons cover bars anyway); ``fit="pad"`` letterboxes instead, for slides or
  screen recordings where nothing may be lost. The short side is capped at 1080 px.
- **Output** goes to a hidden temporary file in the destination folder, which is renamed over the
  destination only when ffmpeg succeeds: the destination never holds half a video. Metadata from
  the source (a phone's GPS position, say) is not copied.
"""

from __future__ import annotations

import asyncio
import bisect
import glob
import inspect
import itertools
import math
import os
import re
import tempfile
import textwrap
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

import structlog

from renum.i18n import N_
from renum.media.ffmpeg import (
    CaptionsUnsupported,
    InvalidMediaParameter,
    RenderFailed,
    available_filters,
    run_ffmpeg_async,
)
from renum.media.probe import MediaInfo, probe_video_async
from renum.media.silences import Span

__all__ = [
    "Aspect",
    "CaptionMethod",
    "Cue",
    "Fit",
    "ProgressCallback",
    "RenderOptions",
    "RenderResult",
    "caption_method",
    "output_size",
    "remap_to_cut",
    "render_video",
    "srt_text",
    "vtt_text",
]

log = structlog.get_logger(__name__)

Aspect = Literal["9:16", "1:1", "16:9"]
Fit = Literal["crop", "pad"]
CaptionMethod = Literal["auto", "libass", "drawtext"]
ProgressCallback = Callable[[float], Awaitable[None] | None]

_ASPECTS: dict[str, tuple[int, int]] = {"9:16": (9, 16), "1:1": (1, 1), "16:9": (16, 9)}
_PRESETS = frozenset(
    ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"),
)
_BITRATE = re.compile(r"^[1-9]\d{1,3}k$")
_EPSILON = 1e-6
# Progress is reported when it moves by at least this much, so a job does not write to its
# database row on every ffmpeg status line.
_PROGRESS_STEP = 0.01


class Cue(NamedTuple):
    """One caption: text shown from ``start`` to ``end`` seconds."""

    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """What the rendered video should look like beyond the cut."""

    aspect: Aspect | None = None
    """Reframe to this aspect ratio; ``None`` keeps the source's."""
    fit: Fit = "crop"
    """``crop`` fills the frame (centre crop); ``pad`` keeps the whole picture with black bars."""
    captions: tuple[Cue, ...] = ()
    """Captions to burn in, timed on the source video."""
    caption_method: CaptionMethod = "auto"
    """``auto`` picks libass when this ffmpeg has it, else drawtext."""
    preset: str = "veryfast"
    """x264 speed preset."""
    crf: int = 21
    """x264 quality, 0 (lossless) to 51; about 18–23 looks like the source."""
    audio_bitrate: str = "160k"
    max_short_side: int = 1080
    """A reframed video's shorter side is scaled down to this many pixels if larger."""

    def __post_init__(self) -> None:
        if self.aspect is not None and self.aspect not in _ASPECTS:
            raise InvalidMediaParameter("aspect", N_("The aspect ratio must be 9:16, 1:1 or 16:9."))
        if self.fit not in ("crop", "pad"):
            raise InvalidMediaParameter("fit", N_("Reframing must either crop or pad."))
        if self.caption_method not in ("auto", "libass", "drawtext"):
            raise InvalidMediaParameter("caption_method", N_("Captions are drawn with libass or drawtext."))
        if self.preset not in _PRESETS:
            raise InvalidMediaParameter("preset", N_("The encoding preset must be one of x264's presets."))
        if not (0 <= self.crf <= 51):
            raise InvalidMediaParameter("crf", N_("The quality (CRF) must be between 0 and 51."))
        if not _BITRATE.match(self.audio_bitrate):
            raise InvalidMediaParameter("audio_bitrate", N_("The audio bitrate must look like 160k."))
        if not (240 <= self.max_short_side <= 4320):
            raise InvalidMediaParameter("max_short_side", N_("The short side must be 240 to 4320 pixels."))


@dataclass(frozen=True, slots=True)
class RenderResult:
    """The rendered file and what it should measure."""

    path: Path
    duration: float
    width: int
    height: int
    caption_method: Literal["libass", "drawtext"] | None


async def render_video(
    source: Path | str,
    output: Path | str,
    *,
    kept: Sequence[Span] | None = None,
    options: RenderOptions | None = None,
    on_progress: ProgressCallback | None = None,
    info: MediaInfo | None = None,
) -> RenderResult:
    """Render ``source`` to ``output``, keeping only the ``kept`` spans (all of it when ``None``).

    ``on_progress`` gets a fraction from 0 to 1 as ffmpeg works (it may be a coroutine function);
    if it raises, or the caller is cancelled (by ``asyncio.timeout``, say), ffmpeg is stopped, the
    partial file is removed and the exception propagates. ``info`` saves probing ``source`` again. Raises
    :class:`RenderFailed` when ffmpeg fails and :class:`CaptionsUnsupported` when captions are
    asked for but cannot be drawn; in every failure ``output`` is left as it was.
    """
    source, output = Path(source), Path(output)
    options = options or RenderOptions()
    _remove_leftovers(output)
    info = info or await probe_video_async(source)
    frames = _frame_spans(kept, info)
    width, height = _final_size(info, options)
    method = caption_method(options.caption_method) if options.captions else None
    duration = _frames_duration(frames, info)

    with tempfile.TemporaryDirectory(prefix="renum-render-") as scratch_dir:
        scratch = Path(scratch_dir)
        cues = _timeline_cues(options.captions, frames, info)
        graph, maps = _filtergraph(info, frames, options, (width, height), method, cues, scratch)
        script = scratch / "graph.txt"
        script.write_text(graph, encoding="utf-8")
        await _encode(source, output, script, maps, options, duration, on_progress)

    log.info(
        "media.rendered",
        source=str(source),
        output=str(output),
        duration=round(duration, 3),
        spans=len(frames) if frames is not None else None,
        width=width,
        height=height,
        captions=method,
    )
    return RenderResult(path=output, duration=duration, width=width, height=height, caption_method=method)


def _remove_leftovers(output: Path) -> None:
    """Delete partial files an earlier run for ``output`` left behind (its worker was killed mid-render)."""
    for leftover in output.parent.glob(f".{glob.escape(output.name)}.*.part"):
        leftover.unlink(missing_ok=True)
        log.warning("media.partial_removed", path=leftover.name)


def caption_method(preferred: CaptionMethod = "auto") -> Literal["libass", "drawtext"]:
    """The way this ffmpeg can draw captions; raise :class:`CaptionsUnsupported` if it has none."""
    filters = available_filters()
    if preferred in ("auto", "libass") and "ass" in filters:
        return "libass"
    if preferred in ("auto", "drawtext") and "drawtext" in filters:
        return "drawtext"
    have = sorted(filters & {"ass", "drawtext"})
    raise CaptionsUnsupported(f"asked for {preferred}; text filters here: {have}")


def output_size(
    width: int,
    height: int,
    aspect: Aspect,
    fit: Fit,
    max_short_side: int = 1080,
) -> tuple[int, int]:
    """The even picture size a ``width`` × ``height`` video gets when reframed to ``aspect``.

    ``crop`` takes the largest centred region of that shape; ``pad`` the smallest frame of that
    shape around the whole picture. Either is then scaled down so its short side is at most
    ``max_short_side``; nothing is scaled up.
    """
    ratio_w, ratio_h = _ASPECTS[aspect]
    if (width * ratio_h > height * ratio_w) == (fit == "crop"):
        # crop: too wide, keep the height; pad: too tall, keep the height.
        frame_w, frame_h = height * ratio_w / ratio_h, float(height)
    else:
        frame_w, frame_h = float(width), width * ratio_h / ratio_w
    shrink = min(1.0, max_short_side / min(frame_w, frame_h))
    return _even(frame_w * shrink), _even(frame_h * shrink)


def remap_to_cut(cues: Iterable[Cue], kept: Sequence[Span]) -> list[Cue]:
    """Move cues timed on the source onto the timeline of the cut video.

    ``kept`` must be sorted and disjoint (as :class:`~renum.media.silences.SilenceCut` gives them).
    A cue that straddles a cut stays one cue (its two sides meet once the silence is gone); a cue
    entirely inside a cut is dropped.
    """
    starts = [span.start for span in kept]
    ends = [span.end for span in kept]
    offsets = list(itertools.accumulate((span.length for span in kept), initial=0.0))

    moved: list[Cue] = []
    for cue in cues:
        # The first span still running when the cue starts, and the last one begun before it ends.
        first = bisect.bisect_right(ends, cue.start)
        last = bisect.bisect_left(starts, cue.end) - 1
        if first >= len(kept) or last < first:
            continue
        start = offsets[first] + max(cue.start, starts[first]) - starts[first]
        end = offsets[last] + min(cue.end, ends[last]) - starts[last]
        if end - start > _EPSILON:
            moved.append(Cue(start, end, cue.text))
    return moved


def srt_text(cues: Iterable[Cue]) -> str:
    """Cues as a SubRip (.srt) file."""
    blocks = []
    for number, cue in enumerate(_clean(cues), start=1):
        timing = f"{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}"
        # A blank line ends a cue in SRT, and an arrow in the text can be read as a timing line.
        blocks.append(f"{number}\n{timing}\n{cue.text.replace('-->', '->')}\n")
    return "\n".join(blocks)


def vtt_text(cues: Iterable[Cue]) -> str:
    """Cues as a WebVTT (.vtt) file, text escaped as WebVTT requires."""
    blocks = ["WEBVTT\n"]
    for cue in _clean(cues):
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n{text}\n")
    return "\n".join(blocks)


def _clean(cues: Iterable[Cue]) -> list[Cue]:
    cleaned = []
    for cue in sorted(cues, key=lambda cue: (cue.start, cue.end)):
        lines = [" ".join(line.split()) for line in cue.text.splitlines()]
        text = "\n".join(line for line in lines if line)
        if text and cue.end > cue.start:
            cleaned.append(Cue(max(0.0, cue.start), cue.end, text))
    return cleaned


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}{separator}{millis:03d}"


# --- frames and sizes -------------------------------------------------------------------------


def _frame_spans(kept: Sequence[Span] | None, info: MediaInfo) -> list[tuple[int, int]] | None:
    """Kept spans as (first frame, end frame) pairs, widened to whole frames and merged."""
    if kept is None:
        return None
    fps = info.frame_rate
    last = math.ceil(info.duration * fps - _EPSILON)
    frames: list[tuple[int, int]] = []
    for span in sorted(kept):
        first = max(0, math.floor(span.start * fps + _EPSILON))
        end = min(last, math.ceil(span.end * fps - _EPSILON))
        if end <= first:
            continue
        if frames and first <= frames[-1][1]:
            frames[-1] = (frames[-1][0], max(frames[-1][1], end))
        else:
            frames.append((first, end))
    if not frames:
        raise InvalidMediaParameter("kept", N_("Nothing would be left of the video: keep some of it."))
    return frames


def _frames_duration(frames: list[tuple[int, int]] | None, info: MediaInfo) -> float:
    if frames is None:
        return info.duration
    return sum(end - first for first, end in frames) / info.frame_rate


def _final_size(info: MediaInfo, options: RenderOptions) -> tuple[int, int]:
    if options.aspect is None:
        # x264 in 4:2:0 needs even sizes; an odd source loses its last row or column.
        return info.width // 2 * 2, info.height // 2 * 2
    return output_size(info.width, info.height, options.aspect, options.fit, options.max_short_side)


def _even(value: float) -> int:
    return max(2, int(value + _EPSILON) // 2 * 2)


# --- the filter graph ---------------------------------------------------------------------------


def _filtergraph(
    info: MediaInfo,
    frames: list[tuple[int, int]] | None,
    options: RenderOptions,
    size: tuple[int, int],
    method: Literal["libass", "drawtext"] | None,
    cues: list[Cue],
    scratch: Path,
) -> tuple[str, list[str]]:
    """The ffmpeg filter graph and the ``-map`` targets for the output streams."""
    chains: list[str] = []
    video, audio = "[0:v:0]", "[0:a:0]" if info.has_audio else None
    if frames is not None:
        video, audio = _cut_chains(chains, frames, info)

    look = _reframe_filters(info, options, size)
    if method == "libass":
        ass_file = scratch / "captions.ass"
        ass_file.write_text(_ass_document(cues, size), encoding="utf-8")
        look.append(f"ass=filename={_quote(str(ass_file))}")
    elif method == "drawtext":
        look.extend(_drawtext_filters(cues, size, scratch))
    look.append("format=yuv420p")
    chains.append(f"{video}{','.join(look)}[vout]")

    maps = ["[vout]"]
    if audio is not None:
        # An uncut track needs no filter: map the source stream itself.
        maps.append(audio if frames is not None else "0:a:0")
    return ";\n".join(chains) + "\n", maps


def _cut_chains(chains: list[str], frames: list[tuple[int, int]], info: MediaInfo) -> tuple[str, str | None]:
    """Append split/trim/concat chains keeping ``frames``; answer the labels of the joined streams."""
    fps, count = info.frame_rate, len(frames)
    # Every frame passes all `count` trims on ffmpeg's one filter thread. With the bench's 124 spans on a
    # quiet machine that costs ~2% over a plain re-encode; if thousands of spans ever matter, split in two levels.
    chains.append("[0:v:0]split=" + str(count) + "".join(f"[v{index}]" for index in range(count)))
    if info.has_audio:
        # apad: a sound track that ends before the picture still gives every span its full length
        # (in silence), so the spans after its end stay in sync; each atrim below ends the padding.
        chains.append("[0:a:0]apad,asplit=" + str(count) + "".join(f"[a{index}]" for index in range(count)))
    pieces = []
    for index, (first, end) in enumerate(frames):
        # Picture bounds sit half a frame before each frame's timestamp, so rounding in a frame's
        # timestamp cannot decide whether it is in; sound is cut exactly on frame times.
        picture = f"trim=start={(first - 0.5) / fps:.6f}:end={(end - 0.5) / fps:.6f},setpts=PTS-STARTPTS"
        chains.append(f"[v{index}]{picture}[vc{index}]")
        pieces.append(f"[vc{index}]")
        if info.has_audio:
            chains.append(
                f"[a{index}]atrim=start={first / fps:.6f}:end={end / fps:.6f},asetpts=PTS-STARTPTS[ac{index}]"
            )
            pieces.append(f"[ac{index}]")
    streams = "[vcut][acut]" if info.has_audio else "[vcut]"
    chains.append("".join(pieces) + f"concat=n={count}:v=1:a={int(info.has_audio)}{streams}")
    return "[vcut]", "[acut]" if info.has_audio else None


def _reframe_filters(info: MediaInfo, options: RenderOptions, size: tuple[int, int]) -> list[str]:
    width, height = size
    if options.aspect is None:
        return [f"crop={width}:{height}"] if (width, height) != (info.width, info.height) else []
    ratio_w, ratio_h = _ASPECTS[options.aspect]
    if options.fit == "crop":
        crop_w = _even(min(info.width, info.height * ratio_w / ratio_h))
        crop_h = _even(min(info.height, info.width * ratio_h / ratio_w))
        return [f"crop={crop_w}:{crop_h}", f"scale={width}:{height}", "setsar=1"]
    shrink = min(width / info.width, height / info.height)
    inner_w, inner_h = _even(info.width * shrink), _even(info.height * shrink)
    return [
        f"scale={inner_w}:{inner_h}",
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black",
        "setsar=1",
    ]


def _timeline_cues(
    captions: Sequence[Cue],
    frames: list[tuple[int, int]] | None,
    info: MediaInfo,
) -> list[Cue]:
    if frames is None:
        return _clean(captions)
    kept = [Span(first / info.frame_rate, end / info.frame_rate) for first, end in frames]
    return _clean(remap_to_cut(captions, kept))


def _caption_layout(size: tuple[int, int]) -> tuple[int, int, int]:
    """Font size, bottom margin and side margin in pixels for a picture of ``size``."""
    width, height = size
    font_size = max(12, round(min(0.06 * height, 0.065 * width)))
    # Vertical platforms draw their buttons and the caption of the post over the bottom fifth.
    bottom = round(height * (0.22 if height > width * 1.2 else 0.07))
    return font_size, bottom, round(width * 0.06)


def _ass_document(cues: list[Cue], size: tuple[int, int]) -> str:
    width, height = size
    font_size, bottom, side = _caption_layout(size)
    outline = max(1, round(font_size / 14))
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
        "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Caption,Sans,{font_size},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,"
        f"{outline},0,2,{side},{side},{bottom},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    for cue in cues:
        timing = f"{_ass_clock(cue.start)},{_ass_clock(cue.end)}"
        lines.append(f"Dialogue: 0,{timing},Caption,,0,0,0,,{_ass_text(cue.text)}")
    return "\n".join(lines) + "\n"


def _ass_clock(seconds: float) -> str:
    centis = round(seconds * 100)
    hours, rest = divmod(centis, 360_000)
    minutes, rest = divmod(rest, 6000)
    whole, centis = divmod(rest, 100)
    return f"{hours}:{minutes:02d}:{whole:02d}.{centis:02d}"


def _ass_text(text: str) -> str:
    # Caption text comes from transcription or a person: braces would open an override block and a
    # backslash could form \N or a tag, so both are neutralised; our own line breaks become \N.
    safe = text.replace("\\", "\\\u2060").replace("{", "(").replace("}", ")")
    return safe.replace("\n", "\\N")


def _drawtext_filters(cues: list[Cue], size: tuple[int, int], scratch: Path) -> list[str]:
    width, _ = size
    font_size, bottom, side = _caption_layout(size)
    # drawtext does not wrap: break lines by an average glyph width of ~0.55 em.
    per_line = max(8, int((width - 2 * side) / (font_size * 0.55)))
    filters = []
    # TODO: one filter per cue starts slowly with thousands of cues — only used where libass is missing.
    for index, cue in enumerate(cues):
        text_file = scratch / f"cue-{index}.txt"
        wrapped = "\n".join(textwrap.fill(line, per_line) for line in cue.text.splitlines())
        text_file.write_text(wrapped, encoding="utf-8")
        filters.append(
            f"drawtext=textfile={_quote(str(text_file))}:expansion=none:font=Sans:fontsize={font_size}"
            f":fontcolor=white:borderw={max(1, round(font_size / 14))}:bordercolor=black:text_align=center"
            f":x=(w-text_w)/2:y=h-{bottom}-text_h"
            f":enable='between(t,{cue.start:.3f},{cue.end:.3f})'"
        )
    return filters


def _quote(value: str) -> str:
    """``value`` as a filter option, escaped for the option parser and then for the graph parser."""
    option = "'" + value.replace("\\", "\\\\").replace("'", "'\\''") + "'"
    return re.sub(r"([\\'\[\],;])", r"\\\1", option)


# --- running ffmpeg ---------------------------------------------------------------------------


async def _encode(
    source: Path,
    output: Path,
    script: Path,
    maps: list[str],
    options: RenderOptions,
    duration: float,
    on_progress: ProgressCallback | None,
) -> None:
    handle, temp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    os.close(handle)
    temp = Path(temp_name)
    args = ["-loglevel", "error", "-nostats", "-progress", "pipe:1", "-stats_period", "0.5"]
    args += ["-i", str(source), "-/filter_complex", str(script)]
    for target in maps:
        args += ["-map", target]
    args += ["-map_metadata", "-1", "-c:v", "libx264", "-preset", options.preset, "-crf", str(options.crf)]
    args += ["-profile:v", "high", "-c:a", "aac", "-b:a", options.audio_bitrate]
    args += ["-movflags", "+faststart", "-f", "mp4", "-y", str(temp)]

    reported = -1.0

    async def on_line(line: str) -> None:
        nonlocal reported
        fraction = _progress_fraction(line, duration)
        if on_progress is None or fraction is None or reported >= 1:
            return
        if fraction < reported + _PROGRESS_STEP and fraction < 1:
            return
        reported = fraction
        outcome = on_progress(fraction)
        if inspect.isawaitable(outcome):
            await outcome

    try:
        run = await run_ffmpeg_async(args, on_stdout_line=on_line)
        if not run.ok:
            log.warning(
                "media.render_failed",
                source=str(source),
                returncode=run.returncode,
                stderr=run.stderr,
            )
            raise RenderFailed(run.stderr)
        await asyncio.to_thread(_publish, temp, output)
    finally:
        _discard(temp)


def _progress_fraction(line: str, duration: float) -> float | None:
    key, _, value = line.partition("=")
    if key == "progress" and value == "end":
        return 1.0
    if key == "out_time_us" and value.lstrip("-").isdigit() and duration > 0:
        return min(1.0, max(0.0, int(value) / 1_000_000 / duration))
    return None


def _publish(temp: Path, output: Path) -> None:
    # The new name must not become visible before the bytes it names are on disk.
    with temp.open("rb") as handle:
        os.fsync(handle.fileno())
    temp.replace(output)


def _discard(temp: Path) -> None:
    temp.unlink(missing_ok=True)
