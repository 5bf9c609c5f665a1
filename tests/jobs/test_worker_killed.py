"""A worker killed in the middle of a render: another worker retries the task, and only a whole file is served.

Real parts throughout: a clip made with the bundled ffmpeg, the app over HTTP, ``renum workers run`` in
processes of their own on the test's database and Redis (the embedded one is reached through its Unix
socket), and SAQ's sweep noticing that the dead worker's job stopped beating.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from saq import Queue

from renum.config import Settings
from renum.media import MediaError, analyse_silences, probe_video
from tests.conftest import Creator
from tests.media import clips

Client = httpx.AsyncClient

RENUM = [sys.executable, "-c", "from renum.cli import main; main()"]
# A dead worker's job is noticed after this many seconds unheard instead of a render's 60.
HEARTBEAT_SECONDS = 10
# Long and large enough that the render outlasts the moment it is caught and killed by seconds.
CLIP_SECONDS = 40.0
CLIP_SIZE = (1280, 720)
BURSTS = tuple((start + 0.5, start + 3.0) for start in range(0, int(CLIP_SECONDS) - 4, 4))
ONE_FRAME = 1 / clips.FRAME_RATE


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Forty seconds of 720p "speech" with a pause every four seconds."""
    folder = tmp_path_factory.mktemp("worker-killed-clips")
    return clips.speech_clip(folder / "long.mp4", bursts=BURSTS, duration=CLIP_SECONDS, size=CLIP_SIZE)


class WorkerProcesses:
    """``renum workers run`` processes on the test's settings, each in a process group of its own."""

    def __init__(self, settings: Settings, folder: Path) -> None:
        assert settings.redis.url, "the settings fixture always names a Redis (the embedded one by its socket)"
        self.folder = folder
        self.running: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "RENUM_DATA_DIR": str(settings.app.data_dir),
            "RENUM_DATABASE_URL": settings.database_url,
            "RENUM_REDIS_URL": settings.redis.url,
            "RENUM_REDIS_QUEUE_NAME": settings.redis.queue_name,
            "RENUM_SECRET_KEY": settings.secret_key,
            "RENUM_JOBS_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            # ffmpeg's scratch files stay in the test's folder, whatever a killed worker leaves.
            "TMPDIR": str(folder),
        }

    def start(self) -> subprocess.Popen[bytes]:
        """Start one worker taking one job at a time; its log goes to a file beside the test's data."""
        log = (self.folder / f"worker-{len(self.running) + 1}.log").open("wb")
        with log:
            process = subprocess.Popen(
                [*RENUM, "workers", "run", "--concurrency", "1"],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its ffmpeg together, as when its machine or container dies."""
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def kill_all(self) -> None:
        """Kill every worker and its children: the queue and the tables are this test's own, nothing to save."""
        for process in self.running:
            self.kill(process)

    def logs(self) -> str:
        """The end of every worker's log, to explain a failure."""
        tails = []
        for path in sorted(self.folder.glob("worker-*.log")):
            lines = path.read_text(errors="replace").splitlines()[-15:]
            tails.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(tails)


@pytest.fixture
def worker_processes(client: Client, settings: Settings, tmp_path: Path) -> Iterator[WorkerProcesses]:
    """Workers as separate OS processes; all stopped when the test ends, whatever happened."""
    folder = tmp_path / "workers"
    folder.mkdir()
    workers = WorkerProcesses(settings, folder)
    try:
        yield workers
    finally:
        workers.kill_all()


async def wait_for_a_worker(queue: Queue, workers: WorkerProcesses, *, seconds: float = 120) -> None:
    """Wait until a worker has registered with the queue (and so has run its first sweep)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not (await queue.info()).get("workers"):
        assert asyncio.get_running_loop().time() < deadline, f"no worker registered\n{workers.logs()}"
        await asyncio.sleep(0.1)


async def render_status(
    app: Litestar,
    client: Client,
    creator: Creator,
    job_id: str,
    workers: WorkerProcesses,
    *,
    until: Callable[[dict[str, Any]], bool],
    seconds: float,
) -> dict[str, Any]:
    """Poll the render's status route until ``until`` holds; after ``seconds``, fail with what the queue knows."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        response = await client.get(f"/api/postrapido/process/{job_id}/status", headers=creator.headers)
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()
        if until(status):
            return status
        if asyncio.get_running_loop().time() > deadline:
            job = await app.state.queue.job(job_id)
            pytest.fail(f"render stayed {status}\njob: {job and job.to_dict()}\n{workers.logs()}")
        await asyncio.sleep(0.1)


def contents(path: Path) -> bytes:
    """The bytes of a file the test made or was served."""
    return path.read_bytes()


def files_of_render(settings: Settings, render_id: str) -> set[str]:
    """Names of the files in the media store that belong to the render, hidden partial files included."""
    prefix = render_id.replace("-", "")
    return {path.name for path in (settings.app.data_dir / "media").iterdir() if prefix in path.name}


async def test_a_render_whose_worker_is_killed_is_retried_and_only_the_whole_file_is_ever_served(
    app: Litestar,
    client: Client,
    creator: Creator,
    settings: Settings,
    long_clip: Path,
    worker_processes: WorkerProcesses,
) -> None:
    first = worker_processes.start()
    files = {"file": ("long.mp4", contents(long_clip), "video/mp4")}
    uploaded = await client.post("/api/postrapido/upload", files=files, headers=creator.headers)
    assert uploaded.status_code == 201, uploaded.text
    video_id = uploaded.json()["id"]
    kept_duration = analyse_silences(long_clip).kept_duration
    assert kept_duration < CLIP_SECONDS - 5, "the render cuts the pauses"

    # Asked for once the worker is up: a sweep that runs just as a worker takes a job (its first
    # sweep, say) finds the job still "queued" in the active list and aborts it (SAQ's race,
    # tobymao/saq#124 and #277). This test is about a worker dying, not that.
    await wait_for_a_worker(app.state.queue, worker_processes)
    started = await client.post("/api/postrapido/process", json={"video_id": video_id}, headers=creator.headers)
    assert started.status_code == 202, started.text
    job_id, render_id = started.json()["job_id"], started.json()["render_id"]
    output_url = f"/api/postrapido/renders/{render_id}/file"
    final_name = f"{render_id.replace('-', '')}.mp4"

    # The first worker is encoding (ffmpeg has written part of the file) when it dies.
    encoding = await render_status(
        app, client, creator, job_id, worker_processes, until=lambda s: s["progress"] > 0 or s["done"], seconds=120
    )
    worker_processes.kill(first)

    dead = (await client.get(f"/api/postrapido/process/{job_id}/status", headers=creator.headers)).json()
    assert not encoding["done"] and not dead["done"], "the render ended before its worker was killed"
    assert (dead["status"], dead["task"]["attempts"], dead["output_url"]) == ("running", 1, None)
    assert (await client.get(output_url, headers=creator.headers)).status_code == 404
    [partial] = files_of_render(settings, render_id)
    assert partial.startswith(f".{final_name}.") and partial.endswith(".part"), "only a hidden partial file is written"
    half_written = settings.app.data_dir / "media" / partial
    with pytest.raises(MediaError):
        probe_video(half_written)
    half_written_bytes = contents(half_written)

    # A new worker's sweep finds the job unheard for longer than its heartbeat and runs it again.
    worker_processes.start()
    done = await render_status(app, client, creator, job_id, worker_processes, until=lambda s: s["done"], seconds=240)

    assert done["status"] == "succeeded", f"{done}\n{worker_processes.logs()}"
    assert done["task"]["attempts"] == 2
    assert done["output_url"] == output_url
    assert done["duration_after"] == pytest.approx(kept_duration, abs=ONE_FRAME)
    download = await client.get(output_url, headers=creator.headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "video/mp4"
    assert download.content == contents(settings.app.data_dir / "media" / final_name)
    assert download.content != half_written_bytes
    served = settings.app.data_dir / "served.mp4"
    served.write_bytes(download.content)
    info = probe_video(served)
    assert info.duration == pytest.approx(done["duration_after"], abs=ONE_FRAME)
    assert (info.width, info.height) == CLIP_SIZE
