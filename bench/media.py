"""How fast RENUM's media layer is next to plain ffmpeg, on a generated 1280×720 talking clip.

Run ``python -m bench.media`` (10 minutes of video) or ``python -m bench.media --quick`` (1 minute).
It makes the clip in a temporary folder, then prints, in one run:

- the floor: ffmpeg decoding only the clip's sound, as RENUM asks for it, into nothing;
- RENUM's silence analysis (probe, decode, envelope, cuts), goal at most 1.25× the floor;
- ffmpeg's own ``silencedetect`` on the same sound, for reference;
- a plain ffmpeg re-encode of as many seconds as the cut keeps, with RENUM's codec settings;
- RENUM's render of the cut, goal at most 1.15× the plain re-encode;
- how much RENUM's server grows in memory while it receives a 2 GiB upload (256 MiB with
  ``--quick``), goal under 64 MB (see :mod:`bench.upload`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import structlog

from bench.upload import FULL_BYTES, QUICK_BYTES, UPLOAD_GOAL_MB, UploadMemory, measure_upload, size_label
from renum.media import RenderOptions, analyse_silences, ffmpeg_path, probe_video, render_video
from renum.media.audio import DEFAULT_SAMPLE_RATE

T = TypeVar("T")

SIZE = "1280x720"
FRAME_RATE = 30
SAMPLE_RATE = 48_000
ANALYSIS_GOAL = 1.25
RENDER_GOAL = 1.15
ENCODE_RUNS = 2


def main() -> None:
    """Parse the options, make the clip, run every measurement and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.media", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="clip length in minutes (default 10)")
    parser.add_argument(
        "--quick", action="store_true", help="a 1-minute clip and a 256 MiB upload, to check the bench works"
    )
    args = parser.parse_args()
    minutes = 1.0 if args.quick else args.minutes
    upload_bytes = QUICK_BYTES if args.quick else FULL_BYTES

    # The library logs one event per step; the table is what this script is for.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))

    with tempfile.TemporaryDirectory(prefix="renum-bench-") as folder:
        run(Path(folder), minutes, upload_bytes)


def run(folder: Path, minutes: float, upload_bytes: int) -> None:
    """Every measurement on a clip of ``minutes`` made in ``folder``, and an upload of ``upload_bytes``."""
    clip = folder / "talk.mp4"
    step(f"making a {minutes:g}-minute {SIZE} clip with speech-like bursts")
    made, pauses = timed(lambda: make_clip(clip, minutes))
    size_mb = clip.stat().st_size / 1e6
    # Read the file once so every measurement starts with it in the page cache.
    clip.read_bytes()

    step("timing the audio decode floor")
    floor = best_of(3, lambda: decode_floor(clip))
    step("timing RENUM's silence analysis")
    tracemalloc.start()
    first, cut = timed(lambda: analyse_silences(clip))
    _, peak_memory = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    analysis = min(first, best_of(2, lambda: analyse_silences(clip)))
    step("timing ffmpeg silencedetect")
    detect, detected = timed(lambda: silencedetect(clip))

    info = probe_video(clip)

    def plain_cut() -> None:
        plain_encode(clip, folder / "plain.mp4", cut.kept_duration)

    def render_cut() -> None:
        asyncio.run(render_video(clip, folder / "cut.mp4", kept=cut.kept, info=info))

    # Each encode runs twice and the faster run counts, in the full run too: on a shared two-core
    # machine a single run is at the mercy of outside load (one such full run read 1.42x). The
    # second round swaps the order, so a load that rises or falls during the bench favours neither.
    encodes = {
        "plain": ("timing a plain re-encode of the kept length", plain_cut),
        "render": ("timing RENUM's render", render_cut),
    }
    best = dict.fromkeys(encodes, Timing(float("inf"), float("inf")))
    for round_number in range(ENCODE_RUNS):
        order = list(encodes) if round_number % 2 == 0 else list(reversed(encodes))
        for name in order:
            message, work = encodes[name]
            step(message)
            best[name] = min(best[name], timed(work)[0])
    plain, rendered = best["plain"], best["render"]

    # Last, so its gigabytes of disk traffic do not disturb the timings; its own folder is removed
    # as soon as it is done.
    step(f"uploading a {size_label(upload_bytes)} video to a RENUM server and watching its memory")
    with tempfile.TemporaryDirectory(prefix="upload-", dir=folder) as upload_folder:
        uploaded = measure_upload(Path(upload_folder), upload_bytes)

    print()
    print(f"RENUM media bench: {minutes:g} min {SIZE} {FRAME_RATE} fps H.264/AAC clip, {size_mb:.0f} MB")
    print(f"  made in {made.wall:.1f} s; {pauses} pauses put in; {os.cpu_count()} CPUs, load {load()}")
    print(f"  cut: {len(cut.silences)} silences, keeps {clock(cut.kept_duration)} of {clock(cut.duration)}")
    print("  times are wall clock (CPU seconds of RENUM and ffmpeg in brackets); ratios and goals use wall")
    print()
    row("audio decode only (the floor)", floor)
    row("RENUM silence analysis", analysis, floor, ANALYSIS_GOAL, "floor")
    row(f"ffmpeg silencedetect ({detected} silences)", detect, floor, None, "floor")
    row(f"plain re-encode of {clock(cut.kept_duration)}", plain)
    row(f"RENUM render ({len(cut.kept)} kept spans)", rendered, plain, RENDER_GOAL, "plain")
    print()
    upload_row(upload_bytes, uploaded)
    print()
    print(f"  peak Python memory during the analysis: {peak_memory / 1e6:.1f} MB (numpy arrays included)")
    if isinstance(uploaded, UploadMemory):
        verdict = "kept" if uploaded.status == 201 else "refused"
        speed = uploaded.size / 1e6 / uploaded.seconds
        print(
            f"  upload: {uploaded.size / 1e6:.0f} MB of raw video, {verdict} ({uploaded.status}), in "
            f"{uploaded.seconds:.1f} s ({speed:.0f} MB/s); memory is the server process's resident set"
        )


def make_clip(path: Path, minutes: float) -> int:
    """Write a testsrc2 video whose sound alternates voiced bursts and pauses; answer how many pauses."""
    sound = path.with_suffix(".wav")
    samples, pauses = speech_like(minutes * 60.0)
    with wave.open(str(sound), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(samples.tobytes())
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s={SIZE}:r={FRAME_RATE}:d={minutes * 60.0}", "-i", str(sound),
        "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-shortest", str(path),
    )  # fmt: skip
    sound.unlink()
    return pauses


def speech_like(seconds: float) -> tuple[np.ndarray, int]:
    """Voiced bursts (a pitch with harmonics, in syllables) and pauses of varied length over room noise."""
    rng = np.random.default_rng(2024)
    total = int(seconds * SAMPLE_RATE)
    signal = rng.standard_normal(total, dtype=np.float32) * np.float32(0.002)
    position, pauses = 0.5, 0
    while position < seconds:
        talk = rng.uniform(0.4, 4.0)
        start, end = int(position * SAMPLE_RATE), min(total, int((position + talk) * SAMPLE_RATE))
        t = np.arange(end - start, dtype=np.float32) / np.float32(SAMPLE_RATE)
        pitch = rng.uniform(100.0, 190.0)
        voice = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 7))
        syllables = 0.55 + 0.45 * np.sin(2 * np.pi * rng.uniform(3.0, 5.0) * t)
        signal[start:end] += 0.18 * voice * syllables
        # Mostly real pauses, sometimes a breath too short to cut.
        pause = rng.uniform(0.08, 0.18) if rng.random() < 0.25 else rng.uniform(0.3, 1.8)
        position += talk + pause
        pauses += 1
    return (np.clip(signal, -1.0, 1.0) * 32767).astype(np.int16), pauses


def decode_floor(clip: Path) -> None:
    """ffmpeg decoding only the sound exactly as RENUM asks for it, into nothing."""
    ffmpeg(
        "-vn", "-sn", "-dn", "-i", str(clip), "-map", "0:a:0", "-af", "aresample=async=1:first_pts=0",
        "-ac", "1", "-ar", str(DEFAULT_SAMPLE_RATE), "-f", "s16le", "-y", os.devnull,
    )  # fmt: skip


def silencedetect(clip: Path) -> int:
    """ffmpeg's silencedetect at RENUM's threshold and shortest silence; answer how many it found."""
    done = subprocess.run(
        [
            ffmpeg_path(), "-nostdin", "-hide_banner", "-nostats", "-vn", "-i", str(clip), "-map", "0:a:0",
            "-af", "silencedetect=noise=-28dB:duration=0.2", "-f", "null", "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return done.stderr.count("silence_end")


def plain_encode(clip: Path, output: Path, seconds: float) -> None:
    """Re-encode the first ``seconds`` of ``clip`` with the settings RENUM renders with."""
    options = RenderOptions()
    ffmpeg(
        "-i", str(clip), "-t", f"{seconds:.3f}", "-map", "0:v:0", "-map", "0:a:0", "-map_metadata", "-1",
        "-vf", "format=yuv420p", "-c:v", "libx264", "-preset", options.preset, "-crf", str(options.crf),
        "-profile:v", "high", "-c:a", "aac", "-b:a", options.audio_bitrate, "-movflags", "+faststart",
        "-y", str(output),
    )  # fmt: skip


def ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg, stopping the bench with its message if it fails."""
    done = subprocess.run(
        [ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", *args],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"ffmpeg failed: {done.stderr}")


@dataclass(frozen=True, order=True)
class Timing:
    """Wall-clock seconds, and CPU seconds spent by this process and the ffmpeg it ran."""

    wall: float
    cpu: float


def _cpu() -> float:
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], T]) -> tuple[Timing, T]:
    """How long ``work`` took and what it answered."""
    started, cpu = time.perf_counter(), _cpu()
    result = work()
    return Timing(time.perf_counter() - started, _cpu() - cpu), result


def best_of(times: int, work: Callable[[], object]) -> Timing:
    """The fastest of ``times`` runs: the machine is shared, and the minimum is the least disturbed."""
    return min(timed(work)[0] for _ in range(times))


def row(
    label: str,
    timing: Timing,
    base: Timing | None = None,
    goal: float | None = None,
    of: str = "",
) -> None:
    """One line of the table: the times, the wall-clock ratio to ``base``, the verdict against ``goal``."""
    line = f"  {label:<40} {timing.wall:8.2f} s ({timing.cpu:7.2f})"
    if base is not None:
        ratio = timing.wall / base.wall
        line += f"   {ratio:5.2f}x {of:<5} ({timing.cpu / base.cpu:4.2f}x)"
        if goal is not None:
            line += f"   goal <= {goal:.2f}x   {'PASS' if ratio <= goal else 'MISS'}"
        else:
            line += "   (reference)"
    print(line)


def upload_row(size: int, uploaded: UploadMemory | str) -> None:
    """The upload's line of the table: how far the server's memory grew, the verdict against the goal."""
    label = f"upload {size_label(size)}, server memory growth"
    if isinstance(uploaded, str):
        print(f"  {label:<40} {uploaded}")
        return
    growth = uploaded.growth / 1e6
    line = f"  {label:<40} {growth:8.1f} MB ({uploaded.baseline / 1e6:.0f} -> {uploaded.peak / 1e6:.0f} MB)"
    print(f"{line:<89}goal < {UPLOAD_GOAL_MB:.0f} MB   {'PASS' if growth < UPLOAD_GOAL_MB else 'MISS'}")


def clock(seconds: float) -> str:
    """Seconds as m:ss."""
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def load() -> str:
    """The one-minute load average, to judge how busy the machine was."""
    return f"{os.getloadavg()[0]:.1f}"


def step(message: str) -> None:
    """Say what the bench is doing, on stderr, so a long run shows signs of life."""
    print(f"... {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
