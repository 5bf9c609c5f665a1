"""The bundled ffmpeg: found with no system install, stopped with its job, failing in plain words."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from renum.errors import RenumError
from renum.media import ffmpeg
from renum.media.ffmpeg import MediaError, ffmpeg_path, run_ffmpeg, run_ffmpeg_async


def test_the_bundled_ffmpeg_runs() -> None:
    done = subprocess.run([ffmpeg_path(), "-version"], capture_output=True, text=True, check=True)

    assert done.stdout.startswith("ffmpeg version")


def test_a_failed_run_reports_its_exit_code_and_reason() -> None:
    run = run_ffmpeg(["-i", "/nonexistent/clip.mp4"])

    assert not run.ok
    assert "No such file" in run.stderr


async def test_ffmpeg_is_stopped_when_its_job_stops() -> None:
    # An endless source: if stopping did not kill ffmpeg, this test would hang until the timeout.
    def stop(line: str) -> None:
        raise RuntimeError("stopped")

    async with asyncio.timeout(20):
        with pytest.raises(RuntimeError, match="stopped"):
            await run_ffmpeg_async(
                ["-f", "lavfi", "-i", "anullsrc", "-progress", "pipe:1", "-f", "null", "-"],
                on_stdout_line=stop,
            )


async def test_ffmpeg_is_stopped_when_its_job_times_out() -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await run_ffmpeg_async(["-f", "lavfi", "-i", "anullsrc", "-f", "null", "-"])


def _media_errors(cls: type[MediaError]) -> list[type[MediaError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_media_errors(sub)]
    return found


@pytest.mark.parametrize("error", _media_errors(MediaError))
def test_every_media_error_speaks_to_the_creator(error: type[MediaError]) -> None:
    if error is ffmpeg.InvalidMediaParameter:
        instance: MediaError = error("margin", "The margin must be between 0 and 2 seconds.")
    else:
        instance = error("ffmpeg said: moov atom not found")

    # Shown by the task page as it is (RenumError), so it is a sentence with no ffmpeg jargon in it.
    assert isinstance(instance, RenumError)
    assert instance.message.endswith(".")
    assert "{" not in instance.message
    assert "moov" not in instance.message
    assert instance.status_code == 422
