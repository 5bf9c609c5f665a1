"""Small clips made with the bundled ffmpeg, and ways to measure what a render produced.

The speech clip is a stand-in for a creator talking: tone bursts (the "speech") over faint noise
(the room), at known times. While the tone sounds, a white box is lit in the picture's top-left
corner, so picture and sound can be checked against each other after a cut. Where espeak-ng is
installed, :func:`spoken_clip` makes the same kind of clip from real synthetic speech in pt-BR.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from renum.media import RenderOptions, decode_audio, ffmpeg_path

SIZE = (320, 240)
FRAME_RATE = 25
DURATION = 8.0
# (start, end) of each burst. 3.0–3.1 is a pause shorter than the default shortest silence, and
# 7.20–7.25 is a click shorter than the default shortest clip.
BURSTS: tuple[tuple[float, float], ...] = ((0.5, 1.5), (2.3, 3.0), (3.1, 3.6), (4.8, 6.0), (7.20, 7.25))
TONE_AMPLITUDE = 0.3
NOISE_AMPLITUDE = 0.004  # about −48 dBFS: a quiet room, well under the −28 dBFS threshold
BOX = (80, 60)
# Renders in tests check timing and layout, not picture quality.
FAST = RenderOptions(preset="ultrafast")


def ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg quietly; fail the test with its message if it fails."""
    done = subprocess.run(
        [ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(f"ffmpeg {' '.join(args)} failed:\n{done.stderr}")


def _when(bursts: Sequence[tuple[float, float]]) -> str:
    return "+".join(f"between(t,{start},{end})" for start, end in bursts)


def _boxed_picture(
    bursts: Sequence[tuple[float, float]],
    duration: float,
    size: tuple[int, int] = SIZE,
    frame_rate: int = FRAME_RATE,
) -> str:
    """A lavfi testsrc2 source with the top-left box lit during ``bursts``."""
    width, height = size
    return (
        f"testsrc2=s={width}x{height}:r={frame_rate}:d={duration},"
        f"drawbox=x=0:y=0:w={BOX[0]}:h={BOX[1]}:color=black:t=fill,"
        f"drawbox=x=0:y=0:w={BOX[0]}:h={BOX[1]}:color=white:t=fill:enable='{_when(bursts)}'"
    )


def speech_clip(
    path: Path,
    *,
    bursts: Sequence[tuple[float, float]] = BURSTS,
    duration: float = DURATION,
    size: tuple[int, int] = SIZE,
    frame_rate: int = FRAME_RATE,
) -> Path:
    """A testsrc2 video whose sound is tone bursts over faint noise, with a box lit during each burst."""
    when = _when(bursts)
    sound = (
        f"aevalsrc='{TONE_AMPLITUDE}*sin(2*PI*440*t)*gt({when},0)+{NOISE_AMPLITUDE}*(2*random(0)-1)'"
        f":s=48000:d={duration}"
    )
    picture = _boxed_picture(bursts, duration, size, frame_rate)
    ffmpeg(
        "-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", sound,
        "-c:v", "libx264", "-preset", "ultrafast", "-g", str(frame_rate),
        "-c:a", "aac", "-b:a", "96k", "-ac", "1", "-shortest", str(path),
    )  # fmt: skip
    return path


# What the spoken clip says, one phrase after another, and the pause after each phrase (the last is
# the room tone that ends the clip). 0.12 s is a breath, shorter than the default shortest silence.
SPOKEN_LEAD = 0.5
SPOKEN: tuple[tuple[str, float], ...] = (
    ("olá pessoal hoje eu vou mostrar como gravar um vídeo curto", 0.8),
    ("primeiro escolha um lugar com bastante luz natural", 0.12),
    ("depois fale olhando para a câmera", 1.1),
    ("e no final corte as pausas longas", 0.6),
)
ESPEAK = shutil.which("espeak-ng")
# espeak-ng writes true digital silence before and after a phrase; anything above −50 dBFS is voice.
_VOICE_FLOOR = 10 ** (-50 / 20)


def spoken_clip(path: Path) -> tuple[Path, list[tuple[float, float]]]:
    """A testsrc2 video of :data:`SPOKEN` said by espeak-ng over faint noise; answer it and where each phrase is.

    Each phrase is trimmed to its voice and placed after the pause before it, so where the
    silences are is known to the sample. The box is lit while a phrase is being said.
    """
    said = [_say(text, path.with_name(f"{path.stem}-{index}.wav")) for index, (text, _) in enumerate(SPOKEN)]
    rate = said[0][1]
    pieces = [np.zeros(round(SPOKEN_LEAD * rate), dtype=np.float32)]
    placed: list[tuple[float, float]] = []
    position = len(pieces[0])
    for (voice, _), (_, pause) in zip(said, SPOKEN, strict=True):
        placed.append((position / rate, (position + len(voice)) / rate))
        pieces += [voice, np.zeros(round(pause * rate), dtype=np.float32)]
        position += len(voice) + len(pieces[-1])

    samples = np.concatenate(pieces)
    noise = np.random.default_rng(7).uniform(-NOISE_AMPLITUDE, NOISE_AMPLITUDE, len(samples))
    samples = np.clip(samples + noise.astype(np.float32), -1.0, 1.0)
    sound = path.with_suffix(".wav")
    with wave.open(str(sound), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((samples * 32767).astype(np.int16).tobytes())

    picture = _boxed_picture(placed, len(samples) / rate)
    ffmpeg(
        "-f", "lavfi", "-i", picture, "-i", str(sound), "-c:v", "libx264", "-preset", "ultrafast",
        "-g", str(FRAME_RATE), "-c:a", "aac", "-b:a", "96k", "-ar", "48000", "-shortest", str(path),
    )  # fmt: skip
    sound.unlink()
    return path, placed


def _say(text: str, scratch: Path) -> tuple[npt.NDArray[np.float32], int]:
    """``text`` said by espeak-ng in pt-BR, trimmed to the voice; the samples and their rate."""
    assert ESPEAK is not None, "spoken_clip needs espeak-ng"
    subprocess.run([ESPEAK, "-v", "pt-br", "-w", str(scratch), text], check=True, timeout=60)
    with wave.open(str(scratch), "rb") as handle:
        rate = handle.getframerate()
        voice = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16) / np.float32(32768)
    scratch.unlink()
    loud = np.flatnonzero(np.abs(voice) > _VOICE_FLOOR)
    return voice[loud[0] : loud[-1] + 1].astype(np.float32), rate


def video_without_audio(path: Path, *, duration: float = 2.0) -> Path:
    """A short testsrc2 video with no sound track."""
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s=160x120:r={FRAME_RATE}:d={duration}",
        "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )  # fmt: skip
    return path


def video_with_early_ending_audio(path: Path) -> Path:
    """A 2 s video whose sound stops after 1 s."""
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s=160x120:r={FRAME_RATE}:d=2", "-f", "lavfi", "-i", "sine=d=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path),
    )  # fmt: skip
    return path


def ntsc_clip(path: Path) -> Path:
    """Half a second of video at 29.97 frames a second, as many cameras record."""
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=160x120:r=30000/1001:d=0.5",
        "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )  # fmt: skip
    return path


def audio_only(path: Path) -> Path:
    """An AAC file with sound and no picture."""
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", str(path))
    return path


def rotated_phone_clip(path: Path) -> Path:
    """A landscape-coded video tagged to display rotated by 90° (how phones store portrait video)."""
    upright = path.with_suffix(".upright.mp4")
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s=160x120:r={FRAME_RATE}:d=1", "-f", "lavfi", "-i", "sine=d=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(upright),
    )  # fmt: skip
    ffmpeg("-display_rotation:v:0", "90", "-i", str(upright), "-c", "copy", str(path))
    upright.unlink()
    return path


def truncated_copy(source: Path, path: Path, *, faststart: bool) -> Path:
    """The first half of ``source``: with its index at the end (lost) or at the front (kept)."""
    if faststart:
        whole = path.with_suffix(".whole.mp4")
        ffmpeg("-i", str(source), "-c", "copy", "-movflags", "+faststart", str(whole))
        data = whole.read_bytes()
        whole.unlink()
    else:
        data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def frame_count(path: Path) -> int:
    """How many video frames ``path`` decodes to."""
    done = subprocess.run(
        [ffmpeg_path(), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "framemd5", "-"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return sum(1 for line in done.stdout.splitlines() if line and not line.startswith("#"))


def audio_seconds(path: Path) -> float:
    """How long ``path``'s sound track is, from its decoded samples."""
    return len(decode_audio(path, sample_rate=48_000)) / 48_000


def lit_frames(path: Path) -> npt.NDArray[np.bool_]:
    """For each frame of ``path``, whether the top-left box is lit."""
    done = subprocess.run(
        [
            ffmpeg_path(), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v:0",
            "-vf", f"crop={BOX[0] // 2}:{BOX[1] // 2}:0:0,scale=4:3,format=gray", "-f", "rawvideo", "-",
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )  # fmt: skip
    pixels = np.frombuffer(done.stdout, dtype=np.uint8).reshape(-1, 12)
    return pixels.mean(axis=1) > 128


def frame_at(path: Path, seconds: float, *, crop: str | None = None) -> npt.NDArray[np.uint8]:
    """The grey pixels of the frame at ``seconds`` (optionally cropped with an ffmpeg crop spec)."""
    filters = ([f"crop={crop}"] if crop else []) + ["format=gray"]
    done = subprocess.run(
        [
            ffmpeg_path(), "-nostdin", "-v", "error", "-ss", f"{seconds}", "-i", str(path),
            "-frames:v", "1", "-vf", ",".join(filters), "-f", "rawvideo", "-",
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )  # fmt: skip
    return np.frombuffer(done.stdout, dtype=np.uint8)


def runs(flags: npt.NDArray[np.bool_], step: float) -> list[tuple[float, float]]:
    """(start, end) seconds of each run of True in ``flags`` sampled every ``step`` seconds."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(float(s * step), float(e * step)) for s, e in zip(starts, ends, strict=True)]
